"""The monoamine synapse (5-HT and NE): reuptake inhibition, autoreceptor feedback, adaptation.

The model is declared once in ``data/systems/synapse.ant`` and run with libRoadRunner (CVODE).
For each transmitter the extracellular concentration S obeys

.. math::
    \\frac{dS}{dt} = R_0 f - \\frac{V_{max} S}{K_m(1 + [A]/K_{i,A} + [N]/K_{i,N}) + S} - k_x S

with release proportional to firing f, Michaelis-Menten reuptake competitively inhibited by
the compound (A) and its metabolite (N) together, and a minor non-transporter clearance k_x.
Firing is inhibited by somatodendritic autoreceptors (5-HT1A, alpha2) whose sensitivity
desensitises over days; post-synaptic 5-HT1A sensitivity can sensitise over days. Both slow
arms are switchable. Ki values and Km come from :mod:`neuromoa.kb` at run time, for the
compound run (``compound=``, default the flagship compound) and the metabolite the compound
identity table links to it; the model file names no compound. A compound or metabolite without
a value at SERT/NET contributes no inhibition there (``synapse_parameters`` says "no data").

In the transporter-dominated limit (S << Km, k_x << Vmax/Km, no feedback) the clearance of a
release event is first order with rate Vmax/(Km(1 + C/Ki)), so its half-time grows as
``1 + C/Ki``, and the steady state rises by the same factor (5 at 80 % transporter occupancy).

References
----------
Best J, Nijhout HF, Reed M. *Theor Biol Med Model* 2010;7:34 (serotonin terminal model).
Chaput Y, de Montigny C, Blier P. *Naunyn-Schmiedeberg's Arch Pharmacol* 1986;333:342.
de Montigny C, Aghajanian GK. *Science* 1978;202:1303.
Tatsumi M et al. *Eur J Pharmacol* 1997;340:249 (Ki series used by default).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data.compounds import flagship_compound, metabolites_of, resolve_compound
from neuromoa.errors import InputError, ProtocolError, check_number
from neuromoa.pharmacology import competitive_occupancy
from neuromoa.systems._html import summary_html
from neuromoa.systems._model import new_runner
from neuromoa.units import as_hours, as_molar, as_seconds

__all__ = ["TRANSMITTERS", "ChronicCourse", "ReleaseEvent", "SteadyStateCurve",
           "chronic_course", "synapse_parameters", "synapse_single_release",
           "synapse_steady_state"]

#: Transmitter -> (suffix in the model, transporter target id in the kb).
TRANSMITTERS: dict[str, tuple[str, str]] = {"5HT": ("5ht", "SERT"), "NE": ("ne", "NET")}
_ALIASES = {"5HT": "5HT", "5-HT": "5HT", "SEROTONIN": "5HT", "NE": "NE", "NA": "NE",
            "NORADRENALINE": "NE", "NOREPINEPHRINE": "NE"}
#: Model parameter prefix of the two analytes: the compound run and its metabolite.
_PREFIXES = ("parent", "metab")
#: Default Ki series: Tatsumi 1997 is the one series holding both parent and metabolite at
#: SERT and NET (FACTS.md: choose one series when comparing parent and metabolite); a compound
#: without a value from it uses its default row.
DEFAULT_KI_SOURCE = "tatsumi1997"
#: Ki (M) of an analyte without a value at a transporter: infinite, so it inhibits nothing
#: there (C/Ki = 0); the source text of :func:`synapse_parameters` says "no data".
_NO_DATA_KI_M = math.inf
#: Relative tolerance of CVODE for these runs (assumption: well below every tolerance tested).
_RTOL, _ATOL = 1e-10, 1e-20
#: Default drug grid of the steady-state curve (M): 0.1 nM to 1 uM, 10 per decade.
_STEADY_GRID_M = np.logspace(-10, -6, 41)
#: Exponential fits: at least 5 daily means, a change of at least 1e-6 (relative units), and a
#: start guess of 5 days for tau (assumption: the declared adaptation time constants are 4-7 d).
_FIT_MIN_POINTS, _FIT_MIN_CHANGE, _FIT_TAU_GUESS_DAYS = 5, 1e-6, 5.0
#: Time allowed for the fast loop (firing, tau 10 s) to settle to the acute steady state:
#: 300 time constants (assumption; settles to machine precision).
_SETTLE_S = 3000.0


def _transmitter(name: str) -> str:
    key = _ALIASES.get(str(name).strip().upper())
    if key is None:
        raise InputError(f"synapse: unknown transmitter {name!r}; choose 5HT or NE.")
    return key


def analytes(compound: str | None = None) -> dict[str, str]:
    """Model prefix -> compound id: ``parent`` the compound, ``metab`` its metabolite ("" if none)."""
    ident = resolve_compound(compound or flagship_compound())
    mets = metabolites_of(ident.id)
    return {"parent": ident.id, "metab": mets[0] if mets else ""}


def synapse_parameters(ki_source: str | None = DEFAULT_KI_SOURCE, *,
                       compound: str | None = None) -> dict[str, tuple[float, str]]:
    """Run-time parameter values from the knowledge base: Ki of both analytes, Km of both.

    ``compound`` (default the flagship compound) and its metabolite fill ``Ki_parent_*`` and
    ``Ki_metab_*``; the value from ``ki_source`` when it has one, else the default row. An
    analyte without a value keeps a placeholder and the source text says "no data".

    Returns a mapping model parameter -> (value in SI, source text).
    """
    from neuromoa.kb import load_kb

    kb = load_kb()
    out: dict[str, tuple[float, str]] = {}
    for prefix, cid in analytes(compound).items():
        for _suffix, target in TRANSMITTERS.values():
            name = f"Ki_{prefix}_{target.lower()}"
            aff = None
            for src in dict.fromkeys((ki_source, None)):
                if not cid:
                    break
                try:
                    aff = kb.affinity(cid, target, source=src)
                    break
                except InputError:
                    continue
            if aff is None:
                who = cid or f"metabolite of {analytes(compound)['parent']}"
                out[name] = (_NO_DATA_KI_M, f"no data: {who} has no value at {target} "
                                            "(contributes no inhibition)")
            else:
                out[name] = (float(aff.value_M), f"neuromoa.kb: {cid} {aff.measure} {aff.text} "
                                                 f"{aff.unit} ({aff.source}; confidence "
                                                 f"{aff.confidence})")
    for name, param in (("km_5ht_sert", "Km_5ht"), ("km_ne_net", "Km_ne")):
        const = kb.constant(name)
        out[param] = (float(const.value_si), f"neuromoa.kb constant {name} ({const.reference})")
    return out


def _runner(overrides: Mapping[str, float] | None, ki_source: str | None,
            compound: str | None = None):
    values = {k: v for k, (v, _) in synapse_parameters(ki_source, compound=compound).items()}
    values.update(dict(overrides or {}))
    rr = new_runner("synapse", values)
    rr.integrator.relative_tolerance = _RTOL
    rr.integrator.absolute_tolerance = _ATOL
    return rr, values


def _conc(value: object, what: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or not math.isfinite(value):
            raise InputError(f"{what}: concentration must be finite and >= 0 M; got {value!r}.")
        return float(value)
    return as_molar(value, what=what)


def _inhibition(rr, suffix: str) -> float:
    return float(rr.getValue("inh_sert" if suffix == "5ht" else "inh_net"))


def _settle(rr) -> None:
    """Run the fast loop to its acute steady state with the slow arms frozen."""
    rr.setValue("sw_auto", 0.0)
    rr.setValue("sw_post", 0.0)
    rr.simulate(0.0, _SETTLE_S, 3)


def _half_time(t: np.ndarray, s: np.ndarray, base: float) -> tuple[float, float]:
    i_peak = int(np.argmax(s))
    peak = float(s[i_peak])
    excess = s[i_peak:] - base
    half = 0.5 * (peak - base)
    below = np.nonzero(excess <= half)[0]
    if below.size == 0 or half <= 0:
        return peak, math.inf
    j = int(below[0])
    if j == 0:
        return peak, 0.0
    # log-linear interpolation between the two samples around the half level (exact for an
    # exponential decay)
    y0, y1 = math.log(excess[j - 1]), math.log(max(excess[j], np.finfo(float).tiny))
    t0, t1 = t[i_peak + j - 1], t[i_peak + j]
    frac = (y0 - math.log(half)) / (y0 - y1) if y0 != y1 else 0.0
    return peak, float(t0 + frac * (t1 - t0) - t[i_peak])


@dataclass(frozen=True)
class ReleaseEvent:
    """One evoked release event with and without drug.

    ``baseline`` and ``drug`` hold ``peak_M`` (highest extracellular concentration),
    ``half_time_s`` (time from the peak to half of the excess over the pre-event level) and
    ``steady_M`` (pre-event steady state); ``fold_steady`` = drug / baseline steady state.
    """

    transmitter: str
    parent_M: float
    metabolite_M: float
    transporter_occupancy: float
    baseline: dict[str, float]
    drug: dict[str, float]
    fold_steady: float
    traces: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    compound: str = ""
    metabolite: str = ""

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html(f"{self.transmitter} release event", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``baseline``, ``drug``, ``fold_steady`` plus the conditions."""
        return {"baseline": dict(self.baseline), "drug": dict(self.drug),
                "fold_steady": self.fold_steady, "transmitter": self.transmitter,
                "compound": self.compound, "metabolite": self.metabolite,
                "parent_M": self.parent_M, "metabolite_M": self.metabolite_M,
                "transporter_occupancy": self.transporter_occupancy}

    def to_frame(self) -> pd.DataFrame:
        """Traces: ``time_s``, ``baseline_M``, ``drug_M``."""
        return self.traces.copy()

    def plot(self, ax=None):
        """Extracellular concentration after the event, with and without drug."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(4.5, 3.2)).subplots()
        ax.plot(self.traces["time_s"], self.traces["baseline_M"] * 1e9, label="no drug")
        ax.plot(self.traces["time_s"], self.traces["drug_M"] * 1e9, label="with drug")
        ax.set_xlabel("time (s)")
        ax.set_ylabel(f"extracellular {self.transmitter} (nM)")
        ax.legend(frameon=False)
        return ax


def _event(rr, suffix: str, amount: float, pulse: float, duration: float, n: int
           ) -> tuple[np.ndarray, np.ndarray, float]:
    _settle(rr)
    base = float(rr.getValue(f"[S_{suffix}]"))
    rr.setValue(f"evoked_{suffix}", amount / pulse)
    t0 = rr.model.getTime()
    n_pulse = max(int(round(n * pulse / duration)), 3)
    r1 = rr.simulate(t0, t0 + pulse, n_pulse, ["time", f"[S_{suffix}]"])
    rr.setValue(f"evoked_{suffix}", 0.0)
    r2 = rr.simulate(t0 + pulse, t0 + duration, n, ["time", f"[S_{suffix}]"])
    t = np.concatenate([np.asarray(r1[:, 0]), np.asarray(r2[1:, 0])]) - t0
    s = np.concatenate([np.asarray(r1[:, 1]), np.asarray(r2[1:, 1])])
    return t, s, base


def synapse_single_release(transmitter: str = "5HT", conc: object = "20 nM", *,
                           compound: str | None = None,
                           metabolite: object = "0 nM", release: object = "50 nM",
                           pulse: object = "0.1 s", duration: object = "5 s",
                           feedback: bool = True, overrides: Mapping[str, float] | None = None,
                           ki_source: str | None = DEFAULT_KI_SOURCE, n_points: int = 4000
                           ) -> ReleaseEvent:
    """Extracellular concentration after one evoked release event, with and without drug.

    Parameters
    ----------
    transmitter : {"5HT", "NE"}
    conc : str or Quantity
        Free concentration of the compound at the synapse ("20 nM").
    compound : str, optional
        The compound (default the flagship compound); its Ki values come from the kb.
    metabolite : str or Quantity
        Free concentration of its metabolite (both inhibit the transporter competitively).
    release : str or Quantity
        Concentration released by the event (delivered as a square pulse of length ``pulse``).
    duration : str or Quantity
        Observation time after the event starts.
    feedback : bool
        Autoreceptor feedback on firing (slow adaptation is always frozen here).
    overrides : mapping, optional
        Model parameter values (SI floats) replacing declared or kb values.

    Returns
    -------
    ReleaseEvent

    Notes
    -----
    Half-time is measured from the peak; for S << Km, k_x = 0 and no feedback it equals
    ln 2 Km (1 + C/Ki) / Vmax (Michaelis-Menten, first-order limit).
    """
    key = _transmitter(transmitter)
    suffix, target = TRANSMITTERS[key]
    names = analytes(compound)
    c_parent = _conc(conc, "synapse: compound concentration (--conc)")
    c_metab = _conc(metabolite, "synapse: metabolite concentration (--metabolite)")
    amount = as_molar(release, what="synapse: released concentration", allow_zero=False)
    t_pulse = as_seconds(pulse, what="synapse: release pulse")
    t_end = as_seconds(duration, what="synapse: duration")
    check_number(t_pulse, "pulse", "synapse_single_release (s)", low=0, low_open=True)
    check_number(t_end, "duration", "synapse_single_release (s)", low=t_pulse, low_open=True)
    out = {}
    traces = {}
    occ = 0.0
    for label, (a, b) in {"baseline": (0.0, 0.0), "drug": (c_parent, c_metab)}.items():
        rr, values = _runner(overrides, ki_source, names["parent"])
        rr.setValue("sw_feedback", 1.0 if feedback else 0.0)
        rr.setValue("parent", a)
        rr.setValue("metab", b)
        t, s, base = _event(rr, suffix, amount, t_pulse, t_end, int(n_points))
        peak, t_half = _half_time(t, s, base)
        out[label] = {"peak_M": peak, "half_time_s": t_half, "steady_M": base}
        traces[label] = (t, s)
        if label == "drug":
            occ = _occupancy(values, target, a, b)
    grid = traces["baseline"][0]
    frame = pd.DataFrame({"time_s": grid, "baseline_M": traces["baseline"][1],
                          "drug_M": np.interp(grid, *traces["drug"])})
    return ReleaseEvent(transmitter=key, parent_M=c_parent, metabolite_M=c_metab,
                        transporter_occupancy=occ, baseline=out["baseline"], drug=out["drug"],
                        fold_steady=out["drug"]["steady_M"] / out["baseline"]["steady_M"],
                        traces=frame, compound=names["parent"], metabolite=names["metab"])


def _occupancy(values: Mapping[str, float], target: str, parent: float, metab: float) -> float:
    pairs = [(c, values[f"Ki_{p}_{target.lower()}"]) for p, c in zip(_PREFIXES, (parent, metab),
                                                                        strict=True)]
    pairs = [(c, k) for c, k in pairs if math.isfinite(k)]  # no data: no inhibition
    if not pairs:
        return 0.0
    theta = competitive_occupancy([c for c, _ in pairs], [k for _, k in pairs])
    return float(np.sum(theta))


@dataclass(frozen=True)
class SteadyStateCurve:
    """Acute steady state (slow adaptation frozen) against drug concentration.

    ``table`` columns: ``parent_M`` (the compound), ``metabolite_M``, ``transporter_occupancy``,
    ``steady_M``, ``fold``, ``firing_rel``.
    """

    transmitter: str
    feedback: bool
    table: pd.DataFrame = field(repr=False)

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html(f"{self.transmitter} steady state", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: conditions and the table as lists."""
        return {"transmitter": self.transmitter, "feedback": self.feedback,
                **{c: self.table[c].tolist() for c in self.table.columns}}

    def to_frame(self) -> pd.DataFrame:
        """The table."""
        return self.table.copy()

    def fold_at_occupancy(self, occupancy: float) -> float:
        """Fold rise interpolated at a transporter occupancy (0-1)."""
        occ = check_number(occupancy, "occupancy", "fold_at_occupancy", low=0, high=1,
                           high_open=True)
        return float(np.interp(occ, self.table["transporter_occupancy"], self.table["fold"]))

    def plot(self, ax=None):
        """Fold rise against transporter occupancy."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(4.5, 3.2)).subplots()
        ax.plot(self.table["transporter_occupancy"] * 100, self.table["fold"])
        ax.set_xlabel("transporter occupancy (%)")
        ax.set_ylabel(f"steady {self.transmitter} (fold)")
        return ax


def synapse_steady_state(transmitter: str = "5HT", concs: Any = None, *,
                         compound: str | None = None,
                         metabolite_ratio: float = 0.0, feedback: bool = True,
                         overrides: Mapping[str, float] | None = None,
                         ki_source: str | None = DEFAULT_KI_SOURCE) -> SteadyStateCurve:
    """Steady-state extracellular transmitter against drug concentration.

    Parameters
    ----------
    concs : array-like of float (M) or quantity strings, optional
        Concentrations of the compound; default 0 and 0.1 nM-1 uM, 41 points.
    compound : str, optional
        The compound (default the flagship compound).
    metabolite_ratio : float
        Metabolite concentration as a multiple of the compound's (>= 0).
    feedback : bool
        With (True) or without autoreceptor feedback on firing.
    """
    key = _transmitter(transmitter)
    suffix, target = TRANSMITTERS[key]
    ratio = check_number(metabolite_ratio, "metabolite_ratio", "synapse_steady_state", low=0)
    cid = analytes(compound)["parent"]
    if concs is None:
        grid = np.concatenate([[0.0], _STEADY_GRID_M])
    else:
        grid = np.array([_conc(c, "synapse: concentration") for c in np.atleast_1d(concs)])
    rows = []
    base = None
    for c in grid:
        rr, values = _runner(overrides, ki_source, cid)
        rr.setValue("sw_feedback", 1.0 if feedback else 0.0)
        rr.setValue("parent", float(c))
        rr.setValue("metab", float(c) * ratio)
        _settle(rr)
        s = float(rr.getValue(f"[S_{suffix}]"))
        if base is None:
            rr0, _ = _runner(overrides, ki_source, cid)
            rr0.setValue("sw_feedback", 1.0 if feedback else 0.0)
            _settle(rr0)
            base = float(rr0.getValue(f"[S_{suffix}]"))
        rows.append({"parent_M": float(c), "metabolite_M": float(c) * ratio,
                     "transporter_occupancy": _occupancy(values, target, c, c * ratio),
                     "steady_M": s, "fold": s / base,
                     "firing_rel": float(rr.getValue(f"f_{suffix}"))})
    return SteadyStateCurve(transmitter=key, feedback=feedback, table=pd.DataFrame(rows))


def _exp_fit(days: np.ndarray, y: np.ndarray, start_day: float) -> float:
    """Time constant (days) of y_inf + A exp(-t/tau) fitted to daily means from ``start_day``.

    Daily means remove the within-day swing of the drug levels.
    """
    day = np.floor(days - 1e-9).astype(int)
    ok = (days > 0) & (day >= int(math.floor(start_day)))
    if not np.any(ok):
        return math.nan
    labels = np.unique(day[ok])
    t = np.array([days[ok][day[ok] == k].mean() for k in labels])
    v = np.array([y[ok][day[ok] == k].mean() for k in labels])
    if t.size < _FIT_MIN_POINTS or np.ptp(v) < _FIT_MIN_CHANGE:
        return math.nan

    from neuromoa.fitting import fit_model

    fit = fit_model("exp_approach", t, v, x_unit="day", t0_day=float(t[0]),
                    p0=(v[-1], v[0] - v[-1], _FIT_TAU_GUESS_DAYS))
    if fit.status == "failed":
        return math.nan
    tau = float(fit.params["tau"])
    # a time constant beyond 5 x the fitted window is no delayed change within the course
    span = float(t[-1] - t[0])
    return tau if 0 < tau < 5 * span and math.isfinite(tau) else math.nan


@dataclass(frozen=True)
class ChronicCourse:
    """Weeks of dosing: firing, extracellular transmitter and post-synaptic signal.

    ``table`` columns: ``days``, ``parent_M``, ``metabolite_M``, ``firing_rel``,
    ``extracellular_rel``, ``postsynaptic_rel``, ``autoreceptor_sensitivity``,
    ``postsynaptic_sensitivity`` (relative values are 1 at baseline). ``tau_days`` holds the
    time constants of single exponentials fitted to daily means from ``fit_start_day`` on
    (NaN when there is no delayed change to fit).
    """

    transmitter: str
    regimen: str
    switches: dict[str, bool]
    tau_days: dict[str, float]
    fit_start_day: float
    table: pd.DataFrame = field(repr=False)
    compound: str = ""
    metabolite: str = ""

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html(f"{self.transmitter} course: {self.regimen}", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``days``, ``firing_rel``, ``extracellular_rel``, ``postsynaptic_rel`` and more."""
        cols = ("days", "firing_rel", "extracellular_rel", "postsynaptic_rel",
                "parent_M", "metabolite_M", "autoreceptor_sensitivity",
                "postsynaptic_sensitivity")
        return {**{c: self.table[c].tolist() for c in cols}, "transmitter": self.transmitter,
                "regimen": self.regimen, "switches": dict(self.switches),
                "tau_days": dict(self.tau_days), "fit_start_day": self.fit_start_day,
                "compound": self.compound, "metabolite": self.metabolite}

    def to_frame(self) -> pd.DataFrame:
        """The time course table."""
        return self.table.copy()

    def plot(self, fig=None):
        """Three panels: drug levels, firing and extracellular, post-synaptic signal."""
        from matplotlib.figure import Figure

        fig = fig or Figure(figsize=(6.5, 6.0), layout="constrained")
        ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True)
        d = self.table["days"]
        ax1.plot(d, self.table["parent_M"] * 1e9, label=self.compound or "compound")
        if self.metabolite:
            ax1.plot(d, self.table["metabolite_M"] * 1e9, label=self.metabolite)
        ax1.set_ylabel("unbound brain (nM)")
        ax1.legend(frameon=False, fontsize=8)
        ax2.plot(d, self.table["firing_rel"], label="firing")
        ax2.plot(d, self.table["extracellular_rel"], label=f"extracellular {self.transmitter}")
        ax2.axhline(1.0, color="grey", lw=0.5)
        ax2.set_ylabel("relative to baseline (fold)")
        ax2.legend(frameon=False, fontsize=8)
        ax3.plot(d, self.table["postsynaptic_rel"], color="C3")
        ax3.axhline(1.0, color="grey", lw=0.5)
        ax3.set_ylabel("post-synaptic signal (fold)")
        ax3.set_xlabel("days of treatment")
        taus = ", ".join(f"{k} τ = {v:.1f} d" for k, v in self.tau_days.items() if math.isfinite(v))
        ax1.set_title(f"{self.regimen}: {taus}", fontsize=9)
        return fig


def _exposure_series(names: Mapping[str, str], regimen, kp_uu: float, times_h: np.ndarray
                     ) -> dict[str, np.ndarray]:
    from neuromoa.exposure import simulate_exposure

    res = simulate_exposure(names["parent"], regimen, kp_uu=kp_uu, times_h=times_h)
    out = {}
    for prefix, analyte in names.items():
        series = res.unbound_brain_M.get(analyte) if analyte else None
        out[prefix] = (np.zeros_like(times_h) if series is None
                       else np.interp(times_h, np.asarray(res.times_h), np.asarray(series)))
    return out


def chronic_course(regimen: Any = None, *, dose: object = "150 mg", every: object = "24 h",
                   weeks: float = 6.0, compound: str | None = None, transmitter: str = "5HT",
                   autoreceptor_desensitization: bool = True,
                   postsynaptic_sensitization: bool = True, kp_uu: float = 1.0,
                   exposure: tuple[Any, Mapping[str, Any]] | None = None,
                   step: object = "1 h", fit_start_day: float = 7.0,
                   overrides: Mapping[str, float] | None = None,
                   ki_source: str | None = DEFAULT_KI_SOURCE) -> ChronicCourse:
    """Course of firing, extracellular transmitter and post-synaptic signal over weeks of dosing.

    Parameters
    ----------
    regimen : neuromoa.exposure.Regimen, optional
        The dose regimen; by default built with ``Regimen.parse(dose, every, days=7*weeks)``.
    weeks : float
        Length of the course (> 0).
    autoreceptor_desensitization, postsynaptic_sensitization : bool
        Switch the two slow arms (the literature says tricyclics act more through the second).
    compound : str, optional
        The compound dosed (default the flagship compound); its metabolite follows.
    exposure : (times_h, {compound id: M, metabolite id: M}), optional
        Unbound brain concentrations to use instead of :func:`neuromoa.exposure.simulate_exposure`.
    step : str
        The drug input is held constant over each step (default 1 h; the synapse settles in
        seconds, the adaptation over days).
    fit_start_day : float
        Single exponentials are fitted to firing and post-synaptic signal from this day on
        (after the drug has reached its steady state), giving ``tau_days``.

    Returns
    -------
    ChronicCourse
    """
    key = _transmitter(transmitter)
    suffix, _ = TRANSMITTERS[key]
    names = analytes(compound)
    weeks_f = float(weeks)
    if not math.isfinite(weeks_f) or weeks_f <= 0:
        raise ProtocolError(f"synapse: the regimen has zero length (--weeks {weeks!r}); give "
                            "--weeks > 0.")
    kp = check_number(kp_uu, "kp_uu", "chronic_course", low=0, low_open=True)
    dt_h = as_hours(step, what="chronic_course: step")
    check_number(dt_h, "step", "chronic_course (h)", low=0, low_open=True, high=24)
    total_h = weeks_f * 7 * 24
    times_h = np.arange(0.0, total_h + 0.5 * dt_h, dt_h)
    if exposure is not None:
        t_in, concs = exposure
        t_in = np.asarray(t_in, dtype=float)
        series = {prefix: np.interp(times_h, t_in,
                                    np.asarray(concs.get(name, np.zeros_like(t_in)), dtype=float))
                  for prefix, name in names.items()}
        label = "given exposure"
    else:
        from neuromoa.exposure import Regimen

        if regimen is None:
            every_txt = None if every is None else str(every)
            regimen = Regimen.parse(dose=str(dose), every=every_txt, days=weeks_f * 7)
        series = _exposure_series(names, regimen, kp, times_h)
        describe = getattr(regimen, "describe", None)
        who = names["parent"]
        label = f"{who} {describe()}" if callable(describe) else f"{who} {regimen}"
    for prefix, values in series.items():
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise InputError(f"chronic_course: {prefix} concentrations must be finite and >= 0.")
    rr, _ = _runner(overrides, ki_source, names["parent"])
    rr.setValue("sw_auto", 1.0 if autoreceptor_desensitization else 0.0)
    rr.setValue("sw_post", 1.0 if postsynaptic_sensitization else 0.0)
    s0 = float(rr.getValue(f"S0_{suffix}"))
    cols = [f"[S_{suffix}]", f"f_{suffix}", f"post_{suffix}", f"s_{suffix}"]
    rows = []

    def record(i: int) -> None:
        vals = [float(rr.getValue(c)) for c in cols]
        rows.append({"days": times_h[i] / 24.0, "parent_M": series["parent"][i],
                     "metabolite_M": series["metab"][i], "firing_rel": vals[1],
                     "extracellular_rel": vals[0] / s0, "postsynaptic_rel": vals[2],
                     "autoreceptor_sensitivity": vals[3],
                     "postsynaptic_sensitivity": float(rr.getValue("p_5ht")) if suffix == "5ht"
                     else 1.0})

    record(0)
    for i in range(times_h.size - 1):
        # hold the drug at the mean of the step's end points (trapezoid), exact for linear input
        rr.setValue("parent", 0.5 * (series["parent"][i] + series["parent"][i + 1]))
        rr.setValue("metab", 0.5 * (series["metab"][i] + series["metab"][i + 1]))
        rr.simulate(times_h[i] * 3600.0, times_h[i + 1] * 3600.0, 2)
        record(i + 1)
    table = pd.DataFrame(rows)
    days = table["days"].to_numpy()
    taus = {"firing": _exp_fit(days, table["firing_rel"].to_numpy(), fit_start_day),
            "postsynaptic": _exp_fit(days, table["postsynaptic_rel"].to_numpy(), fit_start_day)}
    return ChronicCourse(transmitter=key, regimen=label,
                         switches={"autoreceptor_desensitization": autoreceptor_desensitization,
                                   "postsynaptic_sensitization": postsynaptic_sensitization},
                         tau_days=taus, fit_start_day=float(fit_start_day), table=table,
                         compound=names["parent"], metabolite=names["metab"])
