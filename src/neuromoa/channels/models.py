"""Ion-channel models with drug binding, built from declarations in ``data/channels/*.toml``.

Each file declares the drug-free gating scheme (states, reversible edges, rate expressions,
parameters with units and sources) and the drug-binding *sites*: which states bind, with which
affinity ``K`` and association rate ``kon`` (``koff = kon·K``). :func:`load_channel` expands it
into the full scheme of the modulated-receptor hypothesis (Hille, *J Gen Physiol* 1977;69:497;
Hondeghem & Katzung, *BBA* 1977;472:373):

* every state ``X`` gets a drug-bound copy ``X_D`` (bound channels do not conduct);
* binding edges ``X <-> X_D`` with rates ``kon_X·[drug]`` and ``kon_X·K_X``;
* every gating edge ``X <-> Y`` is copied between ``X_D`` and ``Y_D`` with its rates multiplied
  by ``(K_X/K_Y)^θ`` (forward) and ``(K_Y/K_X)^(1−θ)`` (backward); where the two states have
  different affinities both rates may also be multiplied by a common factor φ
  (``bound_gating_scale``: drug-bound channels gate slowly), which leaves every equilibrium
  and detailed balance untouched.

The last rule is exactly what detailed balance on each square cycle
``X → Y → Y_D → X_D → X`` demands,

.. math:: \\frac{k'_{XY}}{k'_{YX}} = \\frac{k_{XY}}{k_{YX}}\\,\\frac{K_X}{K_Y},

so a drug that binds inactivated channels more tightly (K_I < K_R) makes bound channels
inactivate at more negative voltages: the shift of the inactivation curve is not coded, it
follows. "Simple block" channels (hERG, Kv1.1, Kv7.2/7.3) have one site covering all states.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError
from neuromoa.kinetics import Edge, Scheme, to_si
from neuromoa.units import as_molar

__all__ = ["CHANNELS", "BindingSite", "ChannelModel", "channel_parameters", "load_channel",
           "parse_concentrations"]

#: Channel id → shipped declaration file in ``neuromoa/data/channels``.
CHANNELS: dict[str, str] = {
    "nav-drg": "nav_drg.toml",
    "nav1.5": "nav15.toml",
    "herg": "herg.toml",
    "kv1.1": "kv11.toml",
    "kv7": "kv7.toml",
}

DRUG = "drug"  #: name of the drug-concentration condition (M)
BOUND = "_D"   #: suffix of drug-bound states


@dataclass(frozen=True)
class BindingSite:
    """States sharing one affinity: ``label`` (resting/open/inactivated/all), parameter names."""

    label: str
    states: tuple[str, ...]
    affinity: str
    kon: str
    #: The knowledge-base condition this site's affinity is read from (None: the label, or no
    #: condition for an ``all`` site; ``""``: the row without a condition).
    kb_condition: str | None = None
    #: False for a site whose affinity is a declared assumption, not a compound's kb value
    #: (e.g. hERG's closed state, which does not bind).
    from_kb: bool = True

    @property
    def kb_query(self) -> str | None:
        """The condition to ask the knowledge base for (None = the unconditioned row)."""
        if self.kb_condition is not None:
            return self.kb_condition or None
        return None if self.label == "all" else self.label


@dataclass(frozen=True)
class ChannelModel:
    """A channel: full scheme with drug binding plus the recording-level constants.

    Attributes
    ----------
    id, name, ion : str
    reversal_V : float
        Reversal potential (V).
    conductance_S : float
        Whole-cell maximal conductance of the virtual cell (S).
    gating : Scheme
        The drug-free scheme as declared (condition ``V``).
    scheme : Scheme
        The full scheme with bound states (conditions ``V`` and ``drug`` in M).
    sites : tuple of BindingSite
    compound, kb_target : str
        Whose affinities these are, for checks against :mod:`neuromoa.kb`.
    theta : float
    source : str
        The declaration file.
    mutant : str
        ``""`` or ``"inactivation-deficient"``.
    """

    id: str
    name: str
    ion: str
    reversal_V: float
    conductance_S: float
    gating: Scheme
    scheme: Scheme
    sites: tuple[BindingSite, ...]
    compound: str
    kb_target: str
    theta: float
    source: str
    binding: str
    mutant_removes: tuple[str, ...] = ()
    mutant: str = ""
    channel_rows: tuple[tuple[str, float, str, float, str], ...] = ()
    protocol_defaults: tuple[tuple[str, float], ...] = ()

    def default(self, name: str) -> float:
        """A protocol default declared in ``[channel.protocol]`` (SI), e.g. ``"resting_hold"``."""
        d = dict(self.protocol_defaults)
        if name not in d:
            raise DataFileError(f"no protocol default {name!r}; declared: {sorted(d)}",
                                file=self.source)
        return d[name]

    @property
    def affinities_M(self) -> dict[str, float]:
        """Site label → dissociation constant K (M), the model's 'true' IC50 per state."""
        p = self.scheme.parameter_values
        return {s.label: p[s.affinity] for s in self.sites}

    def site_of(self, state: str) -> BindingSite:
        """The binding site a (drug-free) state belongs to."""
        for s in self.sites:
            if state in s.states:
                return s
        raise DataFileError(f"state {state!r} belongs to no binding site", file=self.source)

    def inactivation_deficient(self) -> ChannelModel:
        """The mutant without inactivated states (like rNav1.4-WCW used by Wang et al. 2004)."""
        if not self.mutant_removes:
            raise InputError(f"channel {self.id!r} declares no inactivation-deficient mutant.")
        spec = _read_spec(self.id)
        return _build(spec, self.id, remove=self.mutant_removes)

    def current(self, open_probability: np.ndarray, voltage_V: np.ndarray) -> np.ndarray:
        """Ionic current (A): ``I = g·P_open·(V − E_rev)`` (inward negative)."""
        return self.conductance_S * open_probability * (np.asarray(voltage_V) - self.reversal_V)

    def to_frame(self) -> pd.DataFrame:
        """Parameter table of the channel (scheme parameters plus reversal and conductance)."""
        frame = self.scheme.to_frame()
        extra = pd.DataFrame([{"scheme": self.id, "name": n, "value": v, "unit": u,
                               "value_si": si, "source": src, "note": ""}
                              for n, v, u, si, src in self.channel_rows])
        frame = pd.concat([frame, extra], ignore_index=True)
        frame.insert(0, "channel", self.id)
        return frame.drop(columns=["scheme"])


@functools.cache
def _read_spec(channel_id: str) -> dict:
    if channel_id not in CHANNELS:
        raise InputError(f"unknown channel {channel_id!r}; choose one of {sorted(CHANNELS)}.")
    fname = CHANNELS[channel_id]
    try:
        return tomllib.loads(read_text("channels", fname))
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"not valid TOML: {exc}", file=f"data/channels/{fname}") from exc


def _build(spec: dict, channel_id: str, remove: tuple[str, ...] = ()) -> ChannelModel:
    where = f"data/channels/{CHANNELS[channel_id]}"
    try:
        meta = spec["channel"]
        gating = Scheme.from_dict(spec["scheme"], where)
        sites = tuple(BindingSite(str(s["label"]), tuple(s["states"]), str(s["affinity"]),
                                  str(s["kon"]),
                                  None if "kb_condition" not in s else str(s["kb_condition"]),
                                  bool(s.get("from_kb", True))) for s in meta["sites"])
        theta = float(meta.get("theta", 0.0))
        phi = str(meta.get("bound_gating_scale", ""))
        rev = meta["reversal"]
        cond = meta["conductance"]
    except KeyError as exc:
        raise DataFileError(f"missing key {exc.args[0]!r}", file=where) from exc
    pnames = {p.name for p in gating.parameters}
    covered = [s for site in sites for s in site.states]
    for st in gating.states:
        if covered.count(st) != 1:
            raise DataFileError(f"state {st!r} must belong to exactly one binding site",
                                file=where)
    for site in sites:
        for name in (site.affinity, site.kon):
            if name not in pnames:
                raise DataFileError(f"site {site.label!r} names undeclared parameter {name!r}",
                                    file=where)
    if phi and phi not in pnames:
        raise DataFileError(f"bound_gating_scale names undeclared parameter {phi!r}", file=where)
    if remove:
        keep = [s for s in gating.states if s not in remove]
        gating = Scheme(gating.name + "-mutant", tuple(keep),
                        tuple(e for e in gating.edges if e.a in keep and e.b in keep),
                        gating.parameters, gating.conditions,
                        {k: {s: w for s, w in v.items() if s in keep}
                         for k, v in gating.observables.items()}, where)
        sites = tuple(BindingSite(s.label, tuple(x for x in s.states if x in keep), s.affinity,
                                  s.kon, s.kb_condition, s.from_kb)
                      for s in sites if any(x in keep for x in s.states))
    aff = {st: site.affinity for site in sites for st in site.states}
    kon = {st: site.kon for site in sites for st in site.states}
    edges = list(gating.edges)
    for e in gating.edges:
        ka, kb = aff[e.a], aff[e.b]
        fwd, bwd = e.forward, e.backward
        if ka != kb:
            if fwd.strip() != "balance" and theta != 0.0:
                fwd = f"({fwd}) * ({ka} / {kb}) ** {theta!r}"
            if bwd.strip() != "balance" and theta != 1.0:
                bwd = f"({bwd}) * ({kb} / {ka}) ** {1.0 - theta!r}"
            if phi:
                fwd = fwd if fwd.strip() == "balance" else f"({fwd}) * {phi}"
                bwd = bwd if bwd.strip() == "balance" else f"({bwd}) * {phi}"
        edges.append(Edge(e.a + BOUND, e.b + BOUND, fwd, bwd))
    for st in gating.states:
        edges.append(Edge(st, st + BOUND, f"{kon[st]} * {DRUG}", f"{kon[st]} * {aff[st]}"))
    states = gating.states + tuple(s + BOUND for s in gating.states)
    obs = {k: dict(v) for k, v in gating.observables.items()}
    obs["bound"] = {s + BOUND: 1.0 for s in gating.states}
    for site in sites:
        obs[f"bound_{site.label}"] = {s + BOUND: 1.0 for s in site.states}
    full = Scheme(channel_id + (" mutant" if remove else ""), states, tuple(edges),
                  gating.parameters, ("V", DRUG), obs, where)
    rows = (("E_rev", float(rev["value"]), str(rev["unit"]),
             to_si(rev["value"], rev["unit"], where), str(rev["source"])),
            ("g_max", float(cond["value"]), str(cond["unit"]),
             to_si(cond["value"], cond["unit"], where), str(cond["source"])))
    proto = meta.get("protocol", {})
    defaults = tuple((k, to_si(v["value"], v["unit"], where)) for k, v in proto.items())
    rows = rows + tuple((f"protocol.{k}", float(v["value"]), str(v["unit"]),
                         to_si(v["value"], v["unit"], where), str(v["source"]))
                        for k, v in proto.items())
    return ChannelModel(
        id=channel_id, name=str(meta.get("name", channel_id)), ion=str(meta.get("ion", "")),
        reversal_V=rows[0][3], conductance_S=rows[1][3], gating=gating, scheme=full,
        sites=sites, compound=str(meta.get("compound", "")),
        kb_target=str(meta.get("kb_target", "")), theta=theta, source=where,
        binding=str(meta.get("binding", "state-dependent")),
        mutant_removes=tuple(meta.get("mutant_removes", ())),
        mutant="inactivation-deficient" if remove else "", channel_rows=rows,
        protocol_defaults=defaults)


@functools.cache
def load_channel(channel: str) -> ChannelModel:
    """The shipped channel model ``channel`` (one of :data:`CHANNELS`), with drug binding.

    Examples
    --------
    >>> m = load_channel("nav-drg")
    >>> sorted(m.affinities_M)
    ['inactivated', 'open', 'resting']
    """
    key = str(channel).strip().lower()
    return _build(_read_spec(key), key)


def channel_parameters(channel: str) -> pd.DataFrame:
    """Parameter table of a channel: ``channel name value unit value_si source note``."""
    return load_channel(channel).to_frame()




def parse_concentrations(values) -> list[float]:
    """Concentrations with units (``"1 uM"``, a pint Quantity) → floats in M.

    A bare zero (``0`` or ``"0"``) is accepted, since zero needs no unit; any other bare number
    and any negative value raise :class:`~neuromoa.errors.UnitError` naming the item
    (``concentration #2``).
    """
    out = []
    for i, v in enumerate(values):
        what = f"concentration #{i + 1}"
        if (isinstance(v, int | float) and not isinstance(v, bool) and v == 0) or (
                isinstance(v, str) and v.strip() in {"0", "0.0"}):
            out.append(0.0)
        else:
            out.append(as_molar(v, what=what))
    return out
