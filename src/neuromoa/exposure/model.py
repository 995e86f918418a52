"""Dose regimen → plasma and brain concentrations of a compound and its metabolite, per patient.

The disposition model (well-stirred liver with metabolic routes by enzyme, two-compartment
amitriptyline, one-compartment nortriptyline formed through N-demethylation, genotype and
covariates) is in :mod:`neuromoa.exposure.disposition`; its unit-dose response per analyte is a
sum of exponentials (:class:`~neuromoa.exposure.polyexp.PolyExp`), so a regimen is
superposition and steady state a geometric series — closed form, no ODE.

This module turns that response into courses and metrics for one regimen and one
:class:`~neuromoa.exposure.patient.Patient` (default: the reference patient, an average 70 kg,
40-year-old adult, CYP2D6 and CYP2C19 *1/*1, stated in the result): total, unbound
(:math:`C_u = f_u C`) and unbound brain (:math:`C_{u,brain} = K_{p,uu} C_u`, Smith, Di & Kerns
2010; Kp,uu default 1, an assumption) concentrations, Cmax/tmax/Cmin/Cavg/AUC and the terminal
half-life ``t_half_h`` (ln 2 over the smallest rate of the analyte's response).

Limits: linear kinetics (Burch & Hullin saw some saturation between 50 and 100 mg); see the
README's Exposure section for the comparison with published values.
"""

from __future__ import annotations

import html
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from neuromoa.errors import NeuromoaWarning, ParameterError, check_number
from neuromoa.exposure.disposition import compound_terms
from neuromoa.exposure.params import PKCompound, pk_compound
from neuromoa.exposure.patient import Patient
from neuromoa.exposure.polyexp import PolyExp
from neuromoa.exposure.regimen import HOURS_PER_DAY, Regimen

__all__ = [
    "ExposureResult",
    "daily_dose_note",
    "patient_arrays",
    "simulate_exposure",
    "steady_state_unbound_brain",
    "unit_dose_response",
]

#: Default Kp,uu (unbound brain / unbound plasma). Assumption (FACTS.md): not measured for
#: either drug; 1 for lipophilic bases that cross the blood-brain barrier passively.
DEFAULT_KP_UU = 1.0
#: g/L → ng/mL.
NG_PER_ML_PER_G_PER_L = 1e6
#: Points of the grid on which Cmax/tmax are located before a bounded refinement.
METRIC_GRID_POINTS = 2001
#: Default time grids: the finest of these steps (h) that keeps the course ≤ MAX_DEFAULT_POINTS.
DEFAULT_STEPS_H = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MAX_DEFAULT_POINTS = 1500
#: Below this fraction of true steady-state Cavg the result carries a note (assumption: 95 %).
SS_NOTE_FRACTION = 0.95
#: mg per g (the labelled maximum daily dose is stored in mg/day).
MG_PER_G = 1e3
#: Relative tolerance of the daily-dose check, so that exactly the maximum (0.3 g x 1000 =
#: 300.00000000000006 mg in binary) does not warn. Assumption: float rounding only.
DOSE_CHECK_RTOL = 1e-9


def unit_dose_response(compound: str | PKCompound, patient: Patient | None = None
                       ) -> dict[str, PolyExp]:
    """Plasma concentration (mol/L) per mole of ``compound`` dosed orally, per analyte.

    Returns ``{analyte: h}`` with the dosed compound first and each metabolite it forms after
    it (amitriptyline → nortriptyline). Each ``h`` is a :class:`PolyExp` (sum of exponentials
    in t, h) from :func:`neuromoa.exposure.disposition.compound_terms` for ``patient``
    (default: the reference patient, 70 kg, 40 y, *1/*1).
    """
    comp = compound if isinstance(compound, PKCompound) else pk_compound(compound)
    terms, _ = compound_terms(comp, 1, **patient_arrays(patient))
    return {a: PolyExp(*t.row(0)) for a, t in terms.items()}


def patient_arrays(patient: Patient | None) -> dict[str, Any]:
    """The keyword arguments of :func:`compound_terms` for one patient."""
    if patient is None:
        return {}
    activity = {}
    if patient.cyp2d6 is not None:
        activity["CYP2D6"] = patient.cyp2d6.relative_activity
    if patient.cyp2c19 is not None:
        activity["CYP2C19"] = patient.cyp2c19.relative_activity
    return {"activity": activity, "weight_kg": patient.weight_kg, "age_y": patient.age_y}


@dataclass(frozen=True)
class ExposureResult:
    """Concentration–time courses and summary metrics of every analyte of a regimen.

    Attributes
    ----------
    compound : str
        The compound dosed.
    regimen : Regimen
    kp_uu : float
        Unbound brain / unbound plasma ratio used.
    times_h : ndarray
        Time grid (h from the first dose).
    total_M, total_ng_mL, unbound_plasma_M, unbound_brain_M : dict[str, ndarray]
        Per analyte, on ``times_h``. Mass concentrations are of the base.
    metrics : dict[str, dict[str, float]]
        Per analyte: ``cmax_ng_mL tmax_h cmin_ng_mL cavg_ng_mL auc_ng_h_mL unbound_cavg_M``,
        plus ``cmax_M cmin_M cavg_M unbound_cmax_M unbound_brain_cavg_M unbound_brain_cmax_M fu``.
        Repeated dosing: over the last interval (tmax from the last dose; AUC over τ;
        ``ss_fraction`` = Cavg / true steady-state Cavg). Single dose: Cmax/tmax over the
        observation window, AUC extrapolated to infinity, Cmin = concentration at the end of
        the window, Cavg = AUC(0–window)/window.
    parameters : list of dict
        The parameters used, with source and confidence.
    notes : tuple of str
        Caveats of this run, e.g. a dose above the labelled maximum daily dose
        (:func:`daily_dose_note`; also issued as a :class:`~neuromoa.errors.NeuromoaWarning`).
    """

    compound: str
    regimen: Regimen
    kp_uu: float
    times_h: np.ndarray
    total_M: dict[str, np.ndarray]
    total_ng_mL: dict[str, np.ndarray]
    unbound_plasma_M: dict[str, np.ndarray]
    unbound_brain_M: dict[str, np.ndarray]
    metrics: dict[str, dict[str, float]]
    parameters: list[dict[str, Any]] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    patient: Patient = field(default_factory=Patient)

    @property
    def analytes(self) -> list[str]:
        """Analytes simulated (the compound dosed first)."""
        return list(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``compound regimen kp_uu analytes times_h total_ng_mL unbound_brain_M parameters``."""
        return {
            "compound": self.compound,
            "regimen": self.regimen.to_dict(),
            "kp_uu": self.kp_uu,
            "analytes": {a: dict(m) for a, m in self.metrics.items()},
            "times_h": self.times_h.tolist(),
            "total_ng_mL": {a: v.tolist() for a, v in self.total_ng_mL.items()},
            "unbound_brain_M": {a: v.tolist() for a, v in self.unbound_brain_M.items()},
            "parameters": [dict(p) for p in self.parameters],
            "notes": list(self.notes),
            "patient": self.patient.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy course: ``time_h analyte total_ng_mL total_M unbound_plasma_M unbound_brain_M``."""
        frames = [pd.DataFrame({
            "time_h": self.times_h,
            "analyte": a,
            "total_ng_mL": self.total_ng_mL[a],
            "total_M": self.total_M[a],
            "unbound_plasma_M": self.unbound_plasma_M[a],
            "unbound_brain_M": self.unbound_brain_M[a],
        }) for a in self.analytes]
        return pd.concat(frames, ignore_index=True)

    def metrics_frame(self) -> pd.DataFrame:
        """One row per analyte with the summary metrics."""
        return pd.DataFrame([{"analyte": a, **m} for a, m in self.metrics.items()])

    def plot(self, ax: Any = None) -> Any:
        """Total plasma concentration (ng/mL) of each analyte against time (days)."""
        from matplotlib.figure import Figure

        if ax is None:
            fig = Figure(figsize=(7, 4))
            ax = fig.add_subplot(1, 1, 1)
        for a in self.analytes:
            ax.plot(self.times_h / HOURS_PER_DAY, self.total_ng_mL[a], label=a)
        ax.set_xlabel("time (days)")
        ax.set_ylabel("total plasma concentration (ng/mL)")
        ax.set_title(f"{self.compound}: {self.regimen.describe()}")
        ax.legend()
        return ax.figure

    def _repr_html_(self) -> str:
        return (f"<b>{html.escape(str(self.compound))}</b> {html.escape(self.regimen.describe())}"
                + self.metrics_frame().to_html(index=False))


def _default_times(end_h: float) -> np.ndarray:
    for step in DEFAULT_STEPS_H:
        if end_h / step <= MAX_DEFAULT_POINTS:
            break
    n = int(math.floor(end_h / step + 1e-9))
    return np.linspace(0.0, n * step, n + 1)


def simulate_exposure(compound: str, regimen: Regimen, *, kp_uu: float = DEFAULT_KP_UU,
                      times_h: Any = None, patient: Patient | None = None) -> ExposureResult:
    """Plasma (total, unbound) and unbound brain concentrations of a compound and its metabolite.

    Parameters
    ----------
    compound : str
        A compound with PK data (e.g. "amitriptyline", which gives its metabolite nortriptyline
        too, or "nortriptyline" dosed itself).
    regimen : Regimen
        Dose (salt or base), interval, duration.
    kp_uu : float
        Unbound brain / unbound plasma concentration ratio, in (0, inf); default 1
        (assumption: not measured; plausible 0.3–1).
    times_h : array-like of float, optional
        Times (h from the first dose, ≥ 0) to report the course on; default a regular grid over
        the regimen (repeated) or the observation window (single dose).
    patient : Patient, optional
        Genotype (CYP2D6, CYP2C19), weight, age, sex (:class:`~neuromoa.exposure.Patient`);
        default the reference patient, an average 70 kg adult normal metaboliser. Stated in
        ``result.patient`` and ``to_dict()["patient"]``.

    Returns
    -------
    ExposureResult

    Notes
    -----
    Closed form by superposition: :math:`C(t) = \\sum_n D\\,h(t - t_n)`, D in mol (dose / MW of
    the salt or base), ``h`` from :func:`unit_dose_response`; :math:`C_u = f_u C`,
    :math:`C_{u,brain} = K_{p,uu} C_u` (Smith, Di & Kerns, Nat Rev Drug Discov 2010).

    Examples
    --------
    >>> r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    >>> 20 < r.metrics["amitriptyline"]["cmax_ng_mL"] < 35
    True
    """
    if not isinstance(regimen, Regimen):
        raise ParameterError("simulate_exposure: 'regimen' must be a Regimen "
                             "(e.g. Regimen.parse('150 mg', every='24 h')).")
    kp_uu = check_number(kp_uu, "kp_uu", "simulate_exposure", low=0, low_open=True)
    comp = pk_compound(compound)
    patient = patient if patient is not None else Patient()
    responses = unit_dose_response(comp, patient)
    notes: list[str] = []
    if patient.weight_kg is not None or patient.age_y is not None or patient.sex is not None:
        notes.extend(covariate_notes(comp, patient))
    dose_note = daily_dose_note(comp, regimen)
    if dose_note is not None:
        warnings.warn(dose_note, NeuromoaWarning, stacklevel=2)
        notes.append(dose_note)
    dose_mol = regimen.dose_g / (comp.mw_salt if regimen.salt else comp.mw_base)
    dose_times = regimen.dose_times_h
    assert regimen.duration_h is not None  # filled in by Regimen
    end_h = regimen.duration_h
    if times_h is None:
        t = _default_times(end_h)
    else:
        t = np.atleast_1d(np.asarray(times_h, dtype=float))
        if t.ndim != 1 or not np.all(np.isfinite(t)) or np.any(t < 0):
            raise ParameterError("simulate_exposure: 'times_h' must be finite times >= 0 (h).")

    total_M, total_ng, unb, brain, metrics = {}, {}, {}, {}, {}
    params: list[dict[str, Any]] = []
    for analyte, h in responses.items():
        acomp = pk_compound(analyte)
        fu = acomp.value("fu")
        conc = dose_mol * h.superpose(t, dose_times)
        to_ng = acomp.mw_base * NG_PER_ML_PER_G_PER_L
        total_M[analyte] = conc
        total_ng[analyte] = conc * to_ng
        unb[analyte] = fu * conc
        brain[analyte] = kp_uu * fu * conc
        m = _metrics(h, dose_mol, regimen, end_h)
        metrics[analyte] = {
            "t_half_h": math.log(2.0) / min(r for c, r in zip(h.coefs, h.rates, strict=True)
                                            if c != 0.0),
            "cmax_ng_mL": m["cmax_M"] * to_ng,
            "tmax_h": m["tmax_h"],
            "cmin_ng_mL": m["cmin_M"] * to_ng,
            "cavg_ng_mL": m["cavg_M"] * to_ng,
            "auc_ng_h_mL": m["auc_M_h"] * to_ng,
            "unbound_cavg_M": fu * m["cavg_M"],
            "cmax_M": m["cmax_M"],
            "cmin_M": m["cmin_M"],
            "cavg_M": m["cavg_M"],
            "unbound_cmax_M": fu * m["cmax_M"],
            "unbound_brain_cavg_M": kp_uu * fu * m["cavg_M"],
            "unbound_brain_cmax_M": kp_uu * fu * m["cmax_M"],
            "fu": fu,
            "kp_uu": kp_uu,
            "auc_interval": m["auc_interval"],
            **({"ss_fraction": m["ss_fraction"]} if "ss_fraction" in m else {}),
            **({"auc_0_t_ng_h_mL": m["auc_0_t_M_h"] * to_ng} if "auc_0_t_M_h" in m else {}),
        }
        for p in acomp.parameters.values():
            params.append({"compound": acomp.name, "parameter": p.name, "value": p.value,
                           "unit": p.unit, "low": p.low, "high": p.high, "source": p.source,
                           "confidence": p.confidence})
        for rt in acomp.routes:  # share of hepatic intrinsic clearance in a *1/*1 adult
            params.append({"compound": acomp.name,
                           "parameter": f"route {rt.route} ({rt.enzyme})", "value": rt.fraction,
                           "unit": "1", "low": None, "high": None, "source": rt.source,
                           "confidence": rt.confidence})
    for analyte, m in metrics.items():
        if m.get("ss_fraction", 1.0) < SS_NOTE_FRACTION:
            notes.append(f"{analyte} is at {100 * m['ss_fraction']:.0f} % of steady state after "
                         f"{end_h / HOURS_PER_DAY:g} days (t1/2 {m['t_half_h']:.0f} h): give more "
                         "--days for steady state")
    # Parameters of the dosed compound first, each once.
    seen: set[tuple[str, str]] = set()
    params = [p for p in params if not ((p["compound"], p["parameter"]) in seen
                                        or seen.add((p["compound"], p["parameter"])))]
    return ExposureResult(compound=comp.name, regimen=regimen, kp_uu=kp_uu, times_h=t,
                          total_M=total_M, total_ng_mL=total_ng, unbound_plasma_M=unb,
                          unbound_brain_M=brain, metrics=metrics, parameters=params,
                          notes=tuple(notes), patient=patient)


def covariate_notes(comp: PKCompound, patient: Patient) -> list[str]:
    """Say which of the patient's covariates the model uses for ``comp`` and which it cannot."""
    names = list(dict.fromkeys([comp.name] + [r.product for r in comp.routes if r.product]))
    used = {c.covariate for n in names for c in pk_compound(n).covariates}
    notes = []
    for cov, value in (("weight_kg", patient.weight_kg), ("age_y", patient.age_y)):
        if value is not None and cov not in used:
            notes.append(f"{cov} = {value:g} has no published covariate effect for "
                         f"{', '.join(names)}; not used")
    if patient.sex is not None:
        notes.append(f"sex = {patient.sex}: no published popPK sex effect for "
                     f"{', '.join(names)}; not used")
    return notes


def daily_dose_note(compound: str | PKCompound, regimen: Regimen) -> str | None:
    """A note when the regimen's daily dose exceeds the compound's labelled maximum, else None.

    Daily dose, as the salt: :math:`D_{salt} \\max(1, 24\\,h/\\tau)` (a single dose, or a
    dose given less often than daily, counts whole), where :math:`D_{salt} = D` for a salt
    dose and :math:`D\\,MW_{salt}/MW_{base}` for a base dose. The maximum is the parameter
    ``max_daily_dose`` (mg/day of the salt; amitriptyline 300 mg/day, in hospital, FACTS.md);
    a compound without one is not checked.
    """
    comp = compound if isinstance(compound, PKCompound) else pk_compound(compound)
    if not comp.has("max_daily_dose"):
        return None
    limit_mg = comp.value("max_daily_dose")
    salt_g = regimen.dose_g if regimen.salt else regimen.dose_g * comp.mw_salt / comp.mw_base
    per_day = 1.0 if regimen.interval_h is None else max(1.0, HOURS_PER_DAY / regimen.interval_h)
    daily_mg = salt_g * per_day * MG_PER_G
    if daily_mg <= limit_mg * (1.0 + DOSE_CHECK_RTOL):
        return None
    source = comp.parameters["max_daily_dose"].source
    return (f"{comp.name}: {daily_mg:.4g} mg/day (as {comp.salt or 'salt'}) is above the "
            f"labelled maximum daily dose of {limit_mg:g} mg/day ({source}); computed anyway, but the "
            "model (linear kinetics, therapeutic-range parameters) is not validated there.")


def _peak(h: PolyExp, t0: float, t1: float) -> tuple[float, float]:
    """Maximum of ``h`` on [t0, t1]: grid, then bounded refinement."""
    grid = np.linspace(t0, t1, METRIC_GRID_POINTS)
    c = h(grid)
    i = int(np.argmax(c))
    if 0 < i < len(grid) - 1:
        res = minimize_scalar(lambda x: -float(h(x)), bounds=(grid[i - 1], grid[i + 1]),
                              method="bounded", options={"xatol": 1e-6})
        if -res.fun >= c[i]:
            return float(-res.fun), float(res.x)
    return float(c[i]), float(grid[i])


def _metrics(h: PolyExp, dose_mol: float, regimen: Regimen, end_h: float) -> dict[str, Any]:
    dose_times = regimen.dose_times_h
    if regimen.interval_h is not None:
        tau = regimen.interval_h
        last = h.after_doses(dose_times).scale(dose_mol)  # exact for t >= last dose
        cmax, tmax = _peak(last, 0.0, tau)
        cmin = float(np.min(last(np.linspace(0.0, tau, METRIC_GRID_POINTS))))
        auc = last.integral(0.0, tau)
        cavg = auc / tau
        cavg_ss = dose_mol * h.auc_inf() / tau  # true steady state (infinite dosing)
        return {"cmax_M": cmax, "tmax_h": tmax, "cmin_M": cmin, "cavg_M": float(cavg),
                "auc_M_h": float(auc), "auc_interval": "tau (last interval)",
                "ss_fraction": float(cavg / cavg_ss)}
    single = h.scale(dose_mol)
    cmax, tmax = _peak(single, 0.0, end_h)
    auc_t = single.integral(0.0, end_h)
    return {"cmax_M": cmax, "tmax_h": tmax, "cmin_M": float(single(end_h)),
            "cavg_M": float(auc_t / end_h), "auc_M_h": float(single.auc_inf()),
            "auc_0_t_M_h": float(auc_t), "auc_interval": "0-inf"}


def steady_state_unbound_brain(compound: str, regimen: Regimen, *,
                               kp_uu: float = DEFAULT_KP_UU) -> dict[str, float]:
    """Average unbound brain concentration (M) of each analyte over the regimen's last interval.

    :math:`\\bar C_{u,brain} = K_{p,uu} f_u \\mathrm{AUC}_\\tau / \\tau` over the last dosing
    interval (after 14 days by default: within 1 % of true steady state). For a single dose,
    the average over the observation window.

    >>> ss = steady_state_unbound_brain("amitriptyline", Regimen.parse("150 mg", every="24 h"))
    >>> sorted(ss)
    ['amitriptyline', 'nortriptyline']
    """
    res = simulate_exposure(compound, regimen, kp_uu=kp_uu, times_h=np.array([0.0]))
    return {a: m["unbound_brain_cavg_M"] for a, m in res.metrics.items()}
