"""Export a channel model to Myokit's ``.mmt`` format, unchanged.

The same declaration that drives the exact solver is written out: every parameter (SI value,
declared unit and source as a comment), every directed rate (``balance`` rates as the explicit
product along their cycle), one ODE per state, the current
``i = g_max·O·(V − E_rev)``. Myokit convention: time in ms and ``membrane.V`` in mV (bound
to the pacing protocol), so the component converts once (``V_SI = V·1e-3``; every rate
variable ``·1e-3`` from 1/s to 1/ms; ``balance`` rates are ratios of those, unit-consistent). The drug concentration is ``drug.conc`` (M).

Every variable carries its unit (``in [...]``): parameters in SI as declared (V, M, 1/s,
1/M/s, S), rates in 1/ms, states dimensionless; the ms <-> s and mV <-> V conversions are literals
with units (``1e-3 [s/ms]``, ``1e-3 [V/mV]``), so ``Model.check_units(myokit.UNIT_STRICT)``
passes (a test). The file ends with a ``[[protocol]]``: the channel's tonic-block protocol
(:func:`neuromoa.ephys.build_protocol`), in mV and ms.

Myokit: Clerx et al., *Prog Biophys Mol Biol* 2016;120:100. A test runs the exported model in
``myokit.lib.markov.AnalyticalSimulation`` and compares it with :func:`neuromoa.kinetics.propagate`.
"""

from __future__ import annotations

import re
from pathlib import Path

from neuromoa.channels import DRUG, ChannelModel, load_channel
from neuromoa.errors import DataFileError
from neuromoa.kinetics import to_myokit

__all__ = ["export_myokit", "myokit_names", "myokit_text"]

COMPONENT = "chan"
#: Declared unit of a channel parameter -> the Myokit unit of its SI value (the declaration's
#: values are converted to SI on load, :mod:`neuromoa.channels`).
MYOKIT_SI_UNITS = {"1/s": "1/s", "1/(uM*s)": "1/M/s", "1/(M*s)": "1/M/s", "mV": "V", "V": "V",
                   "uM": "M", "nM": "M", "M": "M", "1": "1", "ms": "s", "s": "s", "nS": "S",
                   "S": "S"}
#: The protocol written into the file's ``[[protocol]]`` section.
EXPORT_PROTOCOL = "tonic"
#: Holding epoch before and after the protocol's steps in the ``[[protocol]]`` (ms): Myokit's
#: pace is 0 outside events, so the holding potential is written as events too (assumption: the
#: model starts at the drug-free equilibrium of the holding potential, so its length is a choice).
HOLD_EPOCH_MS = 100.0


def _si_unit(p, where: str) -> str:
    try:
        return MYOKIT_SI_UNITS[p.unit]
    except KeyError:
        raise DataFileError(f"parameter {p.name!r} has unit {p.unit!r}, which the Myokit export "
                            f"does not know; use one of {sorted(MYOKIT_SI_UNITS)}",
                            file=where) from None


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def _rate_names(model: ChannelModel) -> list[str]:
    out = []
    for e in model.scheme.edges:
        out.append(f"k_{_ident(e.a)}_to_{_ident(e.b)}")
        out.append(f"k_{_ident(e.b)}_to_{_ident(e.a)}")
    return out


def myokit_names(model: ChannelModel | str) -> dict:
    """Qualified Myokit names: ``states``, ``parameters`` (incl. ``drug.conc``), ``current``, ``vm``."""
    model = load_channel(model) if isinstance(model, str) else model
    return {"states": [f"{COMPONENT}.{_ident(s)}" for s in model.scheme.states],
            "parameters": [f"{COMPONENT}.{_ident(p.name)}" for p in model.scheme.parameters]
            + ["drug.conc"],
            "current": f"{COMPONENT}.i", "vm": "membrane.V"}


def myokit_text(model: ChannelModel | str, *, holding_V: float | None = None) -> str:
    """The ``.mmt`` text of ``model`` (initial state: drug-free equilibrium at ``holding_V``)."""
    model = load_channel(model) if isinstance(model, str) else model
    scheme = model.scheme
    hold = model.default("resting_hold") if holding_V is None else float(holding_V)
    x0 = scheme.steady_state({"V": hold, DRUG: 0.0})
    rename = {p.name: _ident(p.name) for p in scheme.parameters}
    rename.update({"V": "V_SI", DRUG: "drug.conc"})
    rnames = _rate_names(model)
    lines = ["[[model]]", f"name: {model.id}",
             f"desc: Exported by neuromoa from {model.source} ({model.name}).",
             "# Initial values: drug-free equilibrium at the resting holding potential"]
    for s, v in zip(scheme.states, x0, strict=True):
        lines.append(f"{COMPONENT}.{_ident(s)} = {float(max(v, 0.0))!r}")
    lines += ["", "[engine]", "time = 0 [ms] bind time", "    in [ms]", "",
              "[membrane]", f"V = {hold * 1e3!r} [mV] bind pace", "    in [mV]", "",
              "[drug]", "conc = 0 [M]", "    in [M]", "    desc: drug concentration (M)", "",
              f"[{COMPONENT}]", "use membrane.V", "V_SI = V * 1e-3 [V/mV]", "    in [V]",
              "    desc: voltage in V"]
    for p in scheme.parameters:
        unit = _si_unit(p, model.source)
        lines.append(f"{_ident(p.name)} = {p.value!r} [{unit}]")
        lines.append(f"    in [{unit}]")
        lines.append(f"    desc: {p.declared:g} {p.unit}; {p.source}".replace("\n", " "))
    lines += [f"E_rev = {model.reversal_V!r} [V]", "    in [V]", "    desc: reversal potential (V)",
              f"g_max = {model.conductance_S!r} [S]", "    in [S]", "    desc: maximal conductance (S)"]
    exprs = _plan_exprs(model, rnames, rename)
    balanced = {2 * k + d for k, d, _ in scheme.balance_plan}
    for k, (name, text) in enumerate(zip(rnames, exprs, strict=True)):
        explicit = k not in balanced
        lines.append(f"{name} = 1e-3 [s/ms] * ({text})" if explicit else f"{name} = {text}")
        lines.append("    in [1/ms]")
        lines.append("    desc: rate (1/ms)")
    index = {s: i for i, s in enumerate(scheme.states)}
    inflow: dict[int, list[str]] = {i: [] for i in range(len(scheme.states))}
    outflow: dict[int, list[str]] = {i: [] for i in range(len(scheme.states))}
    for k, e in enumerate(scheme.edges):
        a, b = index[e.a], index[e.b]
        inflow[b].append(f"{rnames[2 * k]} * {_ident(e.a)}")
        outflow[a].append(rnames[2 * k])
        inflow[a].append(f"{rnames[2 * k + 1]} * {_ident(e.b)}")
        outflow[b].append(rnames[2 * k + 1])
    for i, s in enumerate(scheme.states):
        gain = " + ".join(inflow[i]) or "0"
        loss = " + ".join(outflow[i]) or "0"
        lines.append(f"dot({_ident(s)}) = {gain} - ({loss}) * {_ident(s)}")
        lines.append("    in [1]")
    openw = scheme.observable_vector("open")
    open_terms = " + ".join(f"{float(w)!r} * {_ident(s)}" for s, w in zip(scheme.states, openw, strict=True)
                            if w != 0.0)
    lines += [f"open = {open_terms}", "    in [1]", "    desc: open probability",
              "i = g_max * open * (V_SI - E_rev)", "    in [A]", "    desc: ionic current (A)", ""]
    lines += _protocol_lines(model)
    return "\n".join(lines)


def _protocol_lines(model: ChannelModel) -> list[str]:
    """``[[protocol]]``: the tonic-block protocol's steps as back-to-back events (mV, ms)."""
    from neuromoa.ephys.protocols import build_protocol

    proto = build_protocol(EXPORT_PROTOCOL, model)
    hold = float(proto.holding_V) * 1e3
    events = [(hold, HOLD_EPOCH_MS)]
    events += [(float(st.voltage_V) * 1e3, float(st.duration_s) * 1e3) for st in proto.steps]
    events.append((hold, HOLD_EPOCH_MS))
    period = sum(length for _, length in events)
    lines = ["[[protocol]]", f"# {EXPORT_PROTOCOL} block protocol of neuromoa (build_protocol) between "
             f"holding epochs, repeated every {period:g} ms; voltage in mV, times in ms",
             "# Level  Start  Length  Period  Multiplier"]
    start = 0.0
    for level, length in events:
        lines.append(f"{level!r} {start!r} {length!r} {period!r} 0")
        start += length
    return lines + [""]


def _plan_exprs(model: ChannelModel, rnames: list[str], rename: dict) -> list[str]:
    scheme = model.scheme
    texts = [scheme.rate_expression(k) for k in range(2 * len(scheme.edges))]
    out: list[str | None] = [None if t is None else to_myokit(t, rename) for t in texts]
    for k, unknown_dir, path in scheme.balance_plan:  # the scheme's own resolution
        known = rnames[2 * k + (1 - unknown_dir)]
        num = [rnames[2 * j] if d > 0 else rnames[2 * j + 1] for j, d in path]
        den = [rnames[2 * j + 1] if d > 0 else rnames[2 * j] for j, d in path]
        ratio = f"({' * '.join(num)}) / ({' * '.join(den)})"
        out[2 * k + unknown_dir] = (f"{known} * {ratio}" if unknown_dir == 1
                                    else f"{known} / {ratio}")
    return [str(x) for x in out]


def export_myokit(model: ChannelModel | str, path: str | Path, *,
                  holding_V: float | None = None) -> Path:
    """Write ``model`` as a Myokit ``.mmt`` file; returns the path."""
    path = Path(path)
    path.write_text(myokit_text(model, holding_V=holding_V), encoding="utf-8")
    return path


