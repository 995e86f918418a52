r"""Therapeutic drug monitoring: maximum a posteriori individual parameters from measured levels.

Prior: the population model of :mod:`neuromoa.exposure` for this patient's genotype and
covariates, with log-normal random effects :math:`\eta_k \sim N(0, \omega_k^2)` on intrinsic
clearance, volume and ka (``data/exposure/variability.csv``). Likelihood: measured levels at
steady state, each at a stated time after the last dose, with a proportional (log-normal)
residual error of SD :data:`RESIDUAL_SD` (assumption; typical of TCA assays and popPK). The MAP
estimate minimises

.. math:: \sum_j \frac{(\ln y_j - \ln \hat y_j(\eta))^2}{\sigma^2} + \sum_k \frac{\eta_k^2}{\omega_k^2}

(Sheiner & Beal's Bayesian forecasting; closed-form predictions, no ODE). Uncertainty: the
Laplace approximation (inverse Hessian at the mode), propagated by seeded draws to the
predicted steady-state trough of the summed analytes; the dose reaching the target range's
geometric middle is rounded to the tablet doses (linear kinetics: level ∝ dose).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize

from neuromoa.dosing.genotype_dose import candidate_doses_mg, parse_target
from neuromoa.errors import InputError, ParameterError
from neuromoa.exposure import Patient, Regimen, pk_compound
from neuromoa.exposure.disposition import compound_terms
from neuromoa.exposure.model import patient_arrays

__all__ = ["Measurement", "TDMResult", "parse_measurement", "tdm"]

#: SD of the log residual error (proportional error ~20 %): assumption (A), typical of TCA
#: chromatographic assays plus model misspecification in TDM popPK.
RESIDUAL_SD = 0.2
#: Draws from the Laplace posterior for the prediction interval.
N_DRAWS = 2000
#: Central probability of the reported interval.
INTERVAL = 0.90
#: Finite-difference step (log scale) of the Hessian.
HESS_STEP = 1e-3
_ETAS = ("clint", "volume", "ka")
_MEAS = re.compile(r"^\s*([A-Za-z][\w-]*)\s+([-+0-9.eE]+)\s*([A-Za-zµ/]+)?\s*(?:@\s*([-+0-9.eE]+)\s*(h|hr|hours?)?)?\s*$")
_UNITS_NG_ML = {"ng/ml": 1.0, "ug/l": 1.0, "µg/l": 1.0, "mcg/l": 1.0}
_UNITS_NMOL = {"nm", "nmol/l"}


@dataclass(frozen=True)
class Measurement:
    """A measured level: analyte, concentration (ng/mL, base) and time after the last dose (h)."""

    analyte: str
    conc_ng_mL: float
    time_h: float


def parse_measurement(text: str) -> Measurement:
    """``"amitriptyline 60 ng/mL @ 12h"`` → :class:`Measurement` (also ug/L, nmol/L).

    Raises :class:`InputError` when the unit or the time is missing.
    """
    example = "e.g. '<analyte> 150 ng/mL @ 12h' (time after the last dose)"
    m = _MEAS.match(str(text))
    if not m:
        raise InputError(f"measured level {text!r}: give 'analyte value unit @ time', {example}")
    name, value, unit, time_ = m.group(1), m.group(2), m.group(3), m.group(4)
    if unit is None:
        raise InputError(f"measured level {text!r} has no unit; {example}")
    if time_ is None:
        raise InputError(f"measured level {text!r} has no sampling time; {example}")
    comp = pk_compound(name)
    x = float(value)
    u = unit.lower()
    if u in _UNITS_NG_ML:
        conc = x * _UNITS_NG_ML[u]
    elif u in _UNITS_NMOL:
        conc = x * comp.mw_base * 1e-3
    else:
        raise InputError(f"measured level {text!r}: unit {unit!r} not known (ng/mL, ug/L, nmol/L)")
    t = float(time_)
    if not (math.isfinite(conc) and conc > 0):
        raise InputError(f"measured level {text!r}: the concentration must be positive")
    if not (math.isfinite(t) and t >= 0):
        raise InputError(f"measured level {text!r}: the time must be >= 0 h")
    return Measurement(comp.name, conc, t)


@dataclass(frozen=True)
class TDMResult:
    """MAP individual parameters, predicted individual steady state, and the dose for the target."""

    compound: str
    regimen: Regimen
    patient: Patient
    measurements: tuple[Measurement, ...]
    eta: dict[str, float]
    parameters: dict[str, float]
    population_parameters: dict[str, float]
    predicted_measurements: tuple[float, ...]
    steady_state: dict[str, dict[str, float]]
    target: dict[str, Any]
    recommended_daily_dose_mg: float
    predicted_at_recommended: dict[str, float]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"compound": self.compound, "regimen": self.regimen.to_dict(),
                "patient": self.patient.to_dict(),
                "measurements": [m.__dict__ for m in self.measurements],
                "predicted_measurements_ng_mL": list(self.predicted_measurements),
                "eta": self.eta, "individual_parameters": self.parameters,
                "population_parameters": self.population_parameters,
                "steady_state": self.steady_state, "target": self.target,
                "recommended_daily_dose_mg": self.recommended_daily_dose_mg,
                "predicted_at_recommended": self.predicted_at_recommended,
                "assumptions": f"steady state; log residual SD {RESIDUAL_SD} (A); prior = "
                               "population model for this patient; Laplace interval "
                               f"{INTERVAL:.0%}", "notes": list(self.notes)}


class _Model:
    """Predictions at steady state for a vector of etas (rows)."""

    def __init__(self, compound: str, regimen: Regimen, patient: Patient) -> None:
        self.comp = pk_compound(compound)
        self.regimen = regimen
        self.kw = patient_arrays(patient)
        names = [self.comp.name] + sorted({r.product for r in self.comp.routes if r.product})
        self.keys: list[tuple[str, str]] = []
        self.omega: list[float] = []
        for c in names:
            om = pk_compound(c).variability
            for p in _ETAS:
                if p in om:
                    self.keys.append((c, p))
                    self.omega.append(om[p])
        self.omega_arr = np.asarray(self.omega)
        self.dose_mol = regimen.dose_g / (self.comp.mw_salt if regimen.salt else self.comp.mw_base)
        assert regimen.interval_h is not None
        self.tau = regimen.interval_h

    def terms(self, eta: np.ndarray):  # noqa: ANN201
        eta = np.atleast_2d(eta)
        e = {k: eta[:, i] for i, k in enumerate(self.keys)}
        return compound_terms(self.comp, eta.shape[0], eta=e, **self.kw)

    def conc(self, eta: np.ndarray, analyte: str, t: float) -> np.ndarray:
        terms, _ = self.terms(eta)
        tt = terms[analyte]
        acc = tt.coefs / -np.expm1(-tt.rates * self.tau)
        c = np.sum(acc * np.exp(-tt.rates * t), axis=1) * self.dose_mol
        return c * pk_compound(analyte).mw_base * 1e6


def tdm(compound: str, regimen: Regimen, measurements: list[Measurement | str], *,
        patient: Patient | None = None, target: str | None = None,
        seed: int = 0) -> TDMResult:
    """Individualise from measured steady-state levels: MAP, prediction interval, new dose.

    Parameters
    ----------
    compound : str
        The compound dosed (its metabolite's levels may be measured too).
    regimen : Regimen
        The regimen the patient is on (at steady state); measurement times are hours after
        the last dose, within one interval.
    measurements : list of Measurement or str
        e.g. ``["amitriptyline 60 ng/mL @ 12h", "nortriptyline 150 ng/mL @ 12h"]``.
    patient : Patient, optional
        Genotype and covariates (they shape the prior).
    target : str, optional
        Range such as ``"AMI+NT 80-200 ng/mL"``; default the AGNP range.
    seed : int
        Seed of the interval's draws.
    """
    patient = patient or Patient()
    if not regimen.repeated:
        raise ParameterError("TDM assumes steady state on a repeated regimen: give --every")
    meas = tuple(m if isinstance(m, Measurement) else parse_measurement(m) for m in measurements)
    if not meas:
        raise InputError("give at least one measured level (--measured)")
    model = _Model(compound, regimen, patient)
    terms0, _ = model.terms(np.zeros(len(model.keys)))
    for m in meas:
        if m.analyte not in terms0:
            raise InputError(f"measured analyte {m.analyte!r} is not formed by {model.comp.name} "
                             f"(analytes: {', '.join(terms0)})")
        if m.time_h > model.tau + 1e-9:
            raise InputError(f"measured level of {m.analyte} at {m.time_h:g} h is later than the "
                             f"dosing interval {model.tau:g} h: give the time after the last dose")
    logy = np.log([m.conc_ng_mL for m in meas])

    def objective(eta: np.ndarray) -> float:
        pred = np.array([model.conc(eta, m.analyte, m.time_h)[0] for m in meas])
        r = (logy - np.log(pred)) / RESIDUAL_SD
        return float(r @ r + np.sum((eta / model.omega_arr) ** 2))

    k = len(model.keys)
    res = minimize(objective, np.zeros(k), method="L-BFGS-B")
    eta_hat = res.x
    hess = np.empty((k, k))
    f0 = objective(eta_hat)
    h = HESS_STEP
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            if i == j:
                v = (objective(eta_hat + ei) - 2 * f0 + objective(eta_hat - ei)) / h**2
            else:
                v = (objective(eta_hat + ei + ej) - objective(eta_hat + ei - ej)
                     - objective(eta_hat - ei + ej) + objective(eta_hat - ei - ej)) / (4 * h * h)
            hess[i, j] = hess[j, i] = v
    # objective = -2 log posterior → covariance = (H/2)^-1
    cov = np.linalg.pinv(hess / 2.0)
    cov = 0.5 * (cov + cov.T)
    w, v = np.linalg.eigh(cov)
    cov = (v * np.clip(w, 0, None)) @ v.T
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    draws = rng.multivariate_normal(eta_hat, cov, size=N_DRAWS, method="eigh")
    tgt = parse_target(target, model.comp.name)
    trough_draws = sum(model.conc(draws, a, model.tau) for a in tgt["analytes"] if a in terms0)
    lo_q, hi_q = (1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2
    steady: dict[str, dict[str, float]] = {}
    for a in terms0:
        for label, t in (("trough", model.tau),):
            d = model.conc(draws, a, t)
            steady[a] = {f"{label}_ng_mL": float(model.conc(eta_hat, a, t)[0]),
                         f"{label}_low_ng_mL": float(np.quantile(d, lo_q)),
                         f"{label}_high_ng_mL": float(np.quantile(d, hi_q))}
    total_hat = float(sum(model.conc(eta_hat, a, model.tau)[0] for a in tgt["analytes"]
                          if a in terms0))
    steady["+".join(tgt["analytes"])] = {
        "trough_ng_mL": total_hat, "trough_low_ng_mL": float(np.quantile(trough_draws, lo_q)),
        "trough_high_ng_mL": float(np.quantile(trough_draws, hi_q))}
    daily_now = regimen.dose_g * 1e3 * 24.0 / model.tau
    mid = math.sqrt(tgt["low_ng_mL"] * tgt["high_ng_mL"])
    per_mg = total_hat / daily_now
    cands = candidate_doses_mg(model.comp.name)
    best = min(cands, key=lambda d: abs(math.log(per_mg * d / mid)))
    scale = best / daily_now
    at_best = {"trough_ng_mL": per_mg * best,
               "trough_low_ng_mL": float(np.quantile(trough_draws * scale, lo_q)),
               "trough_high_ng_mL": float(np.quantile(trough_draws * scale, hi_q)),
               "fraction_of_draws_in_range": float(np.mean(
                   (trough_draws * scale >= tgt["low_ng_mL"])
                   & (trough_draws * scale <= tgt["high_ng_mL"])))}
    _, ind = model.terms(eta_hat)
    _, pop = model.terms(np.zeros(k))
    notes = []
    if not res.success:
        notes.append(f"MAP optimiser: {res.message}")
    pred_meas = tuple(float(model.conc(eta_hat, m.analyte, m.time_h)[0]) for m in meas)
    return TDMResult(model.comp.name, regimen, patient, meas,
                     {f"{c}_{p}": float(x) for (c, p), x in zip(model.keys, eta_hat, strict=True)},
                     {kk: float(v[0]) for kk, v in ind.items()},
                     {kk: float(v[0]) for kk, v in pop.items()},
                     pred_meas, steady, tgt, best, at_best, tuple(notes))
