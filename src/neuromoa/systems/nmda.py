"""NMDA receptor: Ca2+-dependent desensitisation enhanced by amitriptyline, and trapping block.

The scheme is declared once, as data, in ``data/systems/nmda.toml`` (Destexhe, Mainen &
Sejnowski gating core, a Ca2+-dependent desensitised state ``Dca`` that the drug binds and
stabilises, and a Woodhull open-channel block with trapping), as a
:class:`~neuromoa.kinetics.Scheme`. At fixed external Ca2+, voltage and drug the scheme is
linear, dp/dt = Q p, so it is solved exactly by :mod:`neuromoa.kinetics`: steady states by
:meth:`~neuromoa.kinetics.Scheme.steady_state` (one linear solve per concentration, vectorised
over concentrations) and time courses by :func:`~neuromoa.kinetics.propagate` (eigen-
decomposition), cross-checked against scipy's ``solve_ivp`` (BDF) and against libRoadRunner's
CVODE on the exported SBML in the tests. The SBML export prints the same scheme as Antimony
(:func:`nmda_antimony`), so the solver, the parameter table and the export cannot drift.

How the published laws come out of the structure (Stepanenko et al., *Sci Rep* 2019):

* Ca2+-dependent inhibition. The drug binds only the Ca-desensitised state ``Dca``; the
  drug-bound complex binds ``n_link`` = 4 Ca2+ (calmodulin's EF hands) at independent sites of
  dissociation constant ``K_link`` that the drug-free complex leaves empty, so by detailed
  balance each bound Ca2+ raises the drug's affinity (Wyman linkage):
  ``Kd_eff(Ca) = Kd_des / (1 + Ca/K_link)^n_link``. With ``Z`` the weight of the gating states
  relative to O and ``d(Ca) = [k_dca0 s0(Ca) + k_dca s(Ca)]/k_rca`` that of ``Dca`` (``s0``,
  ``s`` 4-Ca2+ Hill sensors of high and low affinity, ``K_ca0`` and ``K_ca``), the
  steady-state current gives ``IC50 = Kd_eff(Ca) (Z + d) / d``. Both factors fall with Ca2+,
  and their log-log slope grows with Ca2+ from 1 to 4 mM (~1.5 to ~5), as the exponential law
  requires; a single Hill sensor (a power law, constant log-log slope) is off by a factor ~1.4
  somewhere in 1-4 mM whatever its parameters. ``k_dca0``, ``K_ca0``, ``Kd_des`` and ``K_link``
  are calibrated: minimax relative error to 0.72 uM exp((4 mM - Ca)/0.69 mM) over 1-4 mM (the
  model is within 3.3 % of the law at every Ca2+ there) with the IC50 at 0.25 mM Ca2+ held at
  5 mM, because the 220 uM measured at 0.25 mM Ca2+ was the trapping block. Below ~0.6 mM the
  high-affinity sensor empties (d ~ Ca^4), so the Ca2+-dependent action fades steeply and is
  absent without Ca2+. The Ca2+ acts through the submembrane signal ``ca_sig``, taken
  proportional to external Ca2+ and independent of voltage (so the IC50 is
  voltage-independent), and divided by BAPTA's buffering ratio when ``bapta=True``: then the
  Ca2+-dependent action has no IC50 below 1 M (BAPTA abolishes it) and only the pore block is
  left.
* Trapping block. Blocked receptors gate, lose agonist and desensitise (Ca-independently) like
  free ones, so at steady state ``IC50 = Kd(V) (Z + d) / Z`` with the Woodhull law
  ``Kd(V) = Kd(0) exp(z delta F V / RT)``: e-fold per RT/(z delta F) = 50 mV for delta = 0.51;
  receptors in ``Dca`` cannot be blocked, hence the factor (Z + d)/Z (1.0014 at 0.25 mM Ca2+).
* Both together. The drug-bound states hang off different states of a tree-shaped scheme, so
  ``1/IC50_total = 1/IC50_des + 1/IC50_trap`` exactly. ``Kd(0)`` = 229.8 uM is calibrated so
  that the total at 0 mV, 0.25 mM Ca2+ is the 220 uM measured there (trapping alone 230 uM,
  Ca2+-dependent action 5.0 mM).

``mode="total"`` (the CLI default) has both actions, as a real recording does: at -70 mV the
pore block (Kd 57 uM) halves the IC50 at 1 mM Ca2+ and is negligible above 2.5 mM;
``mode="desensitization"`` isolates the Ca2+-dependent action that the published Ca2+ law
describes. The model is calibrated on 0.25-4 mM external Ca2+ (:data:`CA_CALIBRATED_M`);
outside it every function warns (:class:`~neuromoa.errors.NeuromoaWarning`).
"""

from __future__ import annotations

import functools
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError, NeuromoaWarning, check_number
from neuromoa.kinetics import Scheme, Segment, propagate
from neuromoa.kinetics.antimony import expand_derived, to_antimony
from neuromoa.systems._html import summary_html
from neuromoa.systems._model import register_printed
from neuromoa.units import as_molar, as_seconds, as_volts

__all__ = ["CA_CALIBRATED_M", "NMDA_MODES", "NmdaResult", "nmda_antimony", "nmda_ic50",
           "nmda_laws", "nmda_open_fraction", "nmda_rate_matrix", "nmda_scheme",
           "nmda_time_course"]

#: The declaration (shipped data file).
_DECLARATION = ("systems", "nmda.toml")

#: Modes: which drug actions are present in the scheme.
NMDA_MODES = ("total", "desensitization", "trapping")
_MECHANISM = {
    "desensitization": "enhancement of Ca2+-dependent desensitisation (voltage-independent)",
    "trapping": "trapping open-channel block (voltage-dependent)",
}
#: Drug concentration range searched for an IC50 (M): 1 fM to 1 M (assumption: anything
#: beyond 1 M is reported as "no IC50").
_C_LOW, _C_HIGH = 1e-15, 1.0
#: Holding potentials accepted (V): +-200 mV covers every patch-clamp protocol (assumption).
_V_LIMIT = 0.2
#: Concentrations of the reported concentration-response curve (M): 1 nM to 10 mM, 10 per decade.
_CURVE_M = np.logspace(-9, -2, 71)
#: Published reference values (Stepanenko et al. 2019, FACTS.md).
STEPANENKO_2019 = {"ic50_ca4mM_M": 0.72e-6, "efold_ca_M": 0.69e-3,
                   "ic50_trapping_0mV_M": 220e-6, "efold_voltage_V": 0.050}
#: External Ca2+ at which the published Ca2+ law is anchored (M): 4 mM (Stepanenko 2019).
_CA_REF_M = 4e-3
#: External Ca2+ range the model is calibrated on (M): 0.25 mM (the trapping-block experiment)
#: to 4 mM (top of the Ca2+ law's 1-4 mM range), Stepanenko 2019.
CA_CALIBRATED_M = (0.25e-3, 4e-3)
#: Relative slack on the range ends, so that "0.25 mM" parsed with rounding is inside (assumption).
_CA_RANGE_RTOL = 1e-9


def _ca_range_note(ca_M: Any) -> str:
    """Empty if every Ca2+ in ``ca_M`` is in the calibrated range, else the warning text."""
    lo, hi = CA_CALIBRATED_M
    cas = np.atleast_1d(np.asarray(ca_M, dtype=float))
    outside = cas[(cas < lo * (1 - _CA_RANGE_RTOL)) | (cas > hi * (1 + _CA_RANGE_RTOL))]
    if outside.size == 0:
        return ""
    shown = ", ".join(f"{c * 1e3:g} mM" for c in outside[:3])
    return (f"nmda: external Ca2+ {shown} is outside the calibrated range "
            f"{lo * 1e3:g}-{hi * 1e3:g} mM (Stepanenko 2019); the result is an extrapolation.")


def _warn_ca_range(ca_M: Any, stacklevel: int) -> str:
    note = _ca_range_note(ca_M)
    if note:
        warnings.warn(note, NeuromoaWarning, stacklevel=stacklevel + 1)
    return note


@functools.cache
def _declaration() -> dict:
    where = "/".join(_DECLARATION)
    try:
        spec = tomllib.loads(read_text(*_DECLARATION))
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"not valid TOML: {exc}", file=where) from exc
    for key in ("scheme", "conditions", "derived"):
        if key not in spec:
            raise DataFileError(f"missing table [{key}]", file=where)
    return spec


@functools.cache
def nmda_scheme() -> Scheme:
    """The declared NMDA scheme (derived quantities expanded into the rates), SI units.

    Conditions: ``ca_o`` (M), ``vm`` (V), ``drug`` (M), ``bapta``, ``use_des``, ``use_blk``
    (switches, 0 or 1).

    >>> nmda_scheme().states[:4]
    ('C0', 'C1', 'C2', 'O')
    """
    spec = _declaration()
    derived = spec["derived"]
    scheme = dict(spec["scheme"])
    scheme["edges"] = [{**e, "forward": expand_derived(e["forward"], derived),
                        "backward": expand_derived(e["backward"], derived)}
                       for e in scheme["edges"]]
    return Scheme.from_dict(scheme, "/".join(_DECLARATION))


def nmda_antimony() -> str:
    """The NMDA scheme printed as Antimony (what :func:`~neuromoa.systems.export_sbml` writes)."""
    spec = _declaration()
    return to_antimony(nmda_scheme(), conditions=spec["conditions"], derived=spec["derived"],
                       confidence={p["name"]: p.get("confidence", "")
                                   for p in spec["scheme"]["parameters"]},
                       description=spec.get("description", ""))


register_printed("nmda", nmda_antimony)


def _modes_values(mode: str) -> dict[str, float]:
    if mode not in NMDA_MODES:
        raise InputError(f"nmda: unknown mode {mode!r}; choose one of {', '.join(NMDA_MODES)}.")
    return {"use_des": float(mode != "trapping"), "use_blk": float(mode != "desensitization")}


def _conditions(ca: object, voltage: object) -> tuple[float, float]:
    ca_M = as_molar(ca, what="nmda: external Ca2+ (--ca)")
    v = as_volts(voltage, what="nmda: membrane potential (--voltage)")
    check_number(v, "voltage", "nmda (V)", low=-_V_LIMIT, high=_V_LIMIT)
    _warn_ca_range(ca_M, stacklevel=3)  # the public function's caller
    return ca_M, v


def nmda_rate_matrix(ca: object, voltage: object, mode: str = "total"
                     ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Generator matrices of the declared NMDA scheme: Q(c) = Q0 + c*Q1.

    Parameters
    ----------
    ca : str or Quantity
        External Ca2+ ("4 mM").
    voltage : str or Quantity
        Membrane potential ("-70 mV").
    mode : {"total", "desensitization", "trapping"}
        Which drug actions act.

    Returns
    -------
    Q0, Q1 : ndarray (n, n)
        dp/dt = (Q0 + c Q1) p, p the state fractions, c the drug concentration in M.
    states : list of str
    """
    ca_M, v = _conditions(ca, voltage)
    return _matrices(ca_M, v, mode)


def _condition_values(ca_M: float, v: float, mode: str, bapta: bool, drug: Any = 0.0) -> dict:
    return {"ca_o": ca_M, "vm": v, "bapta": float(bapta), "drug": drug, **_modes_values(mode)}


@functools.cache
def _matrices_cached(ca_M: float, v: float, mode: str, bapta: bool = False
                     ) -> tuple[np.ndarray, np.ndarray, tuple]:
    scheme = nmda_scheme()
    q0 = scheme.generator(_condition_values(ca_M, v, mode, bapta, 0.0))
    q1 = scheme.generator(_condition_values(ca_M, v, mode, bapta, 1.0)) - q0
    return q0, q1, scheme.states


def _matrices(ca_M: float, v: float, mode: str, bapta: bool = False
              ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    q0, q1, states = _matrices_cached(float(ca_M), float(v), mode, bool(bapta))
    return q0.copy(), q1.copy(), list(states)


def _steady(ca_M: float, v: float, mode: str, bapta: bool, concs: np.ndarray) -> np.ndarray:
    """Steady-state fractions for each concentration (kinetics: Q p = 0 with sum(p) = 1)."""
    conds = _condition_values(ca_M, v, mode, bapta, np.asarray(concs, dtype=float))
    return nmda_scheme().steady_state(conds)


def nmda_open_fraction(ca: object, voltage: object, concs_M: Any, mode: str = "total"
                       ) -> np.ndarray:
    """Steady-state open probability (current / (g (V - E))) at each drug concentration (M)."""
    ca_M, v = _conditions(ca, voltage)
    concs = np.atleast_1d(np.asarray(concs_M, dtype=float))
    if np.any(concs < 0) or not np.all(np.isfinite(concs)):
        raise InputError("nmda: drug concentrations must be finite and >= 0 M.")
    return _steady(ca_M, v, mode, False, concs)[:, nmda_scheme().states.index("O")]


def _ic50(ca_M: float, v: float, mode: str, bapta: bool = False) -> float:
    i_open = nmda_scheme().states.index("O")
    o0 = _steady(ca_M, v, mode, bapta, np.array([0.0]))[0, i_open]

    def f(logc: float) -> float:
        return _steady(ca_M, v, mode, bapta, np.array([10.0 ** logc]))[0, i_open] / o0 - 0.5

    lo, hi = math.log10(_C_LOW), math.log10(_C_HIGH)
    if f(hi) > 0:
        return math.inf
    return 10.0 ** brentq(f, lo, hi, xtol=1e-12)


@dataclass(frozen=True)
class NmdaResult:
    """IC50 of amitriptyline on the steady-state NMDA current at one condition.

    Attributes
    ----------
    ic50_M : float
        IC50 of the scheme in ``mode`` (M; inf if no IC50 below 1 M).
    mechanism : str
        The action that dominates (lower component IC50).
    components : dict
        IC50 (M) of each action alone: ``desensitization``, ``trapping``.
    bapta : bool
        Whether the cell was loaded with BAPTA (intracellular Ca2+ signal buffered).
    curve : DataFrame
        ``concentration_M``, ``relative_current`` (steady state, 1 = no drug).
    note : str
        Empty, or why the result is an extrapolation (Ca2+ outside :data:`CA_CALIBRATED_M`).
    """

    ca_M: float
    voltage_V: float
    mode: str
    ic50_M: float
    mechanism: str
    components: dict[str, float] = field(default_factory=dict)
    bapta: bool = False
    curve: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    note: str = ""

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html("NMDA IC50", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (``ic50_M``, ``mechanism``, conditions, component IC50s, ``note``)."""
        return {"ic50_M": self.ic50_M, "mechanism": self.mechanism, "mode": self.mode,
                "ca_M": self.ca_M, "voltage_V": self.voltage_V, "bapta": self.bapta,
                "components_ic50_M": dict(self.components), "note": self.note}

    def to_frame(self) -> pd.DataFrame:
        """The concentration-response curve."""
        return self.curve.copy()

    def plot(self, ax=None):
        """Relative current vs concentration with the IC50 marked."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(4.5, 3.2)).subplots()
        ax.semilogx(self.curve["concentration_M"], self.curve["relative_current"], "-")
        if math.isfinite(self.ic50_M):
            ax.axvline(self.ic50_M, ls=":", color="grey")
        ax.set_xlabel("drug (M)")
        ax.set_ylabel("steady-state current (fraction of control)")
        ax.set_title(f"NMDA, {self.ca_M * 1e3:g} mM Ca2+, {self.voltage_V * 1e3:g} mV")
        return ax


def nmda_ic50(ca: object = "4 mM", voltage: object = "-70 mV", mode: str = "total",
              *, bapta: bool = False) -> NmdaResult:
    """IC50 of amitriptyline on the steady-state NMDA current.

    Parameters
    ----------
    ca : str or Quantity
        External Ca2+ ("4 mM"; >= 0). Outside the calibrated 0.25-4 mM a
        :class:`~neuromoa.errors.NeuromoaWarning` is issued and ``note`` says so.
    voltage : str or Quantity
        Holding potential ("-70 mV"), between -200 and +200 mV.
    mode : {"total", "desensitization", "trapping"}
        ``total`` has both actions; the others isolate one (as the published experiments
        did: trapping block was measured at 0.25 mM Ca2+).
    bapta : bool
        Cell loaded with BAPTA: the intracellular Ca2+ signal is divided by BAPTA's buffering
        ratio (``kappa_bapta``), which abolishes the Ca2+-dependent action (its IC50 is then
        inf: none below 1 M) and leaves the pore block.

    Returns
    -------
    NmdaResult

    Notes
    -----
    Steady state of the linear scheme, relative current O(c)/O(0); IC50 by Brent's method on
    log10 c. Reference: Stepanenko YD et al., *Sci Rep* 2019;9:19454
    (doi 10.1038/s41598-019-56072-z).

    Examples
    --------
    >>> r = nmda_ic50("4 mM", "-70 mV")
    >>> 0.5e-6 < r.ic50_M < 1.0e-6
    True
    """
    ca_M, v = _conditions(ca, voltage)
    if mode not in NMDA_MODES:
        raise InputError(f"nmda: unknown mode {mode!r}; choose one of {', '.join(NMDA_MODES)}.")
    note = _ca_range_note(ca_M)
    comps = {m: _ic50(ca_M, v, m, bapta) for m in ("desensitization", "trapping")}
    ic50 = comps[mode] if mode != "total" else _ic50(ca_M, v, "total", bapta)
    dominant = min(comps, key=comps.get) if mode == "total" else mode
    concs = _CURVE_M
    p = _steady(ca_M, v, mode, bapta, np.concatenate([[0.0], concs]))[
        :, nmda_scheme().states.index("O")]
    curve = pd.DataFrame({"concentration_M": concs, "relative_current": p[1:] / p[0]})
    return NmdaResult(ca_M=ca_M, voltage_V=v, mode=mode, ic50_M=float(ic50),
                      mechanism=_MECHANISM[dominant], components=comps, bapta=bool(bapta),
                      curve=curve, note=note)


def _ca_law_M(ca_M: np.ndarray) -> np.ndarray:
    """Published Ca2+ law: IC50 = 0.72 uM exp((4 mM - Ca)/0.69 mM) (Stepanenko 2019)."""
    ref = STEPANENKO_2019
    return ref["ic50_ca4mM_M"] * np.exp((_CA_REF_M - ca_M) / ref["efold_ca_M"])


def nmda_laws(ca_grid_M: Any = (1e-3, 1.5e-3, 2e-3, 2.5e-3, 3e-3, 3.5e-3, 4e-3),
              v_grid_V: Any = (-0.08, -0.06, -0.04, -0.02, 0.0, 0.02, 0.04),
              *, voltage_for_ca: object = "-70 mV", ca_for_v: object = "0.25 mM") -> dict:
    """The model's answer to the two published laws (Stepanenko 2019).

    Ca2+ law: IC50 of the desensitisation action over ``ca_grid_M`` at ``voltage_for_ca``;
    e-fold constant = -1/slope of ln IC50 on [Ca2+] (least squares) and from the end points.
    Pointwise: each row of ``ca_table`` also has the published law's IC50
    (0.72 uM exp((4 mM - Ca)/0.69 mM)) and the model/law ratio; ``max_rel_error_ca`` is the
    largest |model/law - 1| on the grid.
    Voltage law: trapping-block IC50 over ``v_grid_V`` at ``ca_for_v``; e-fold voltage =
    1/slope of ln IC50 on V.

    Returns
    -------
    dict
        ``ic50_4mM_M``, ``efold_ca_M`` (regression), ``efold_ca_endpoints_M``,
        ``max_rel_error_ca``, ``ic50_trapping_0mV_M``, ``efold_voltage_V``, ``reference``
        (published values) and the
        tables ``ca_table`` / ``voltage_table`` (lists of dicts).
    """
    v_ca = as_volts(voltage_for_ca, what="nmda: voltage")
    ca_v = as_molar(ca_for_v, what="nmda: Ca2+")
    cas = np.asarray(ca_grid_M, dtype=float)
    _warn_ca_range(np.concatenate([cas, [ca_v]]), stacklevel=2)
    vs = np.asarray(v_grid_V, dtype=float)
    ic_ca = np.array([_ic50(c, v_ca, "desensitization") for c in cas])
    ic_v = np.array([_ic50(ca_v, v, "trapping") for v in vs])
    slope_ca = np.polyfit(cas, np.log(ic_ca), 1)[0]
    slope_v = np.polyfit(vs, np.log(ic_v), 1)[0]
    ends = (cas[-1] - cas[0]) / math.log(ic_ca[0] / ic_ca[-1])
    law = _ca_law_M(cas)
    return {
        "ic50_4mM_M": _ic50(4e-3, v_ca, "total"),
        "efold_ca_M": float(-1.0 / slope_ca),
        "efold_ca_endpoints_M": float(ends),
        "max_rel_error_ca": float(np.max(np.abs(ic_ca / law - 1.0))),
        "ic50_trapping_0mV_M": _ic50(ca_v, 0.0, "trapping"),
        "efold_voltage_V": float(1.0 / slope_v),
        "reference": dict(STEPANENKO_2019),
        "ca_table": [{"ca_M": float(c), "ic50_M": float(i), "law_ic50_M": float(w),
                      "ratio_to_law": float(i / w)}
                     for c, i, w in zip(cas, ic_ca, law, strict=True)],
        "voltage_table": [{"voltage_V": float(v), "ic50_M": float(i)}
                          for v, i in zip(vs, ic_v, strict=True)],
    }


def nmda_time_course(ca: object, voltage: object, conc: object, duration: object = "2 s",
                     n_points: int = 201, mode: str = "total") -> pd.DataFrame:
    """Exact time course (kinetics' propagation) after a step into agonist + drug from rest.

    Starts with all receptors in C0 (no agonist bound) and applies the declared agonist and
    ``conc`` of drug at t = 0. Returns a table ``time_s`` plus one column per state.
    """
    ca_M, v = _conditions(ca, voltage)
    c = as_molar(conc, what="nmda: drug concentration")
    t_end = as_seconds(duration, what="nmda: duration")
    check_number(t_end, "duration", "nmda_time_course (s)", low=0, low_open=True)
    scheme = nmda_scheme()
    states = list(scheme.states)
    p0 = np.zeros(len(states))
    p0[states.index("C0")] = 1.0
    times = np.linspace(0.0, t_end, int(n_points))
    run = propagate(scheme, [Segment(t_end, _condition_values(ca_M, v, mode, False, c),
                                     samples=times)], x0=p0)
    frame = pd.DataFrame(run.states[0], columns=states)
    frame.insert(0, "time_s", times)
    return frame
