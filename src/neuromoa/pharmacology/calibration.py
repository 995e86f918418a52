r"""In-vivo calibration of occupancy: one potency factor per target, fitted to human PET.

Free-drug theory predicts occupancy from the unbound plasma concentration and the in-vitro
affinity, :math:`\theta = C_u/(C_u + K)` (Smith, Di & Kerns 2010). PET occupancy of the
monoamine transporters by antidepressants is often several-fold weaker (or stronger) than that;
the calibration absorbs the difference in one factor :math:`f` per target,

.. math::

    \theta = \frac{C_u}{C_u + f\,K}, \qquad K_{\mathrm{in\,vivo}} = f\,K ,

so that :math:`f = 1` is free-drug theory with Kp,uu = 1. :math:`f` lumps the blood–brain
barrier (Kp,uu), the in-vitro/in-vivo affinity difference (temperature, membrane potential,
endogenous transmitter) and the tracer's own biases; it is a description, not a mechanism.

The fit is weighted least squares on the occupancy scale with each observation's standard error
(:math:`\sigma_i`), over :math:`\log f`; the confidence interval is the profile-likelihood
interval (:math:`\Delta\chi^2 \le \chi^2_{1,1-\alpha}`, Venzon & Moolgavkar 1988), which for one
parameter is exact up to the normal approximation of the residuals. Pure functions: floats and
numpy arrays in, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from neuromoa.errors import ParameterError
from neuromoa.pharmacology._checks import finite, nonneg, positive, scalar_or_array

__all__ = ["PotencyFit", "calibrated_occupancy", "fit_potency_factor"]

#: Search bounds on log10 f (a 10^6-fold error either way is outside any plausible calibration).
_LOG10_F_BOUNDS = (-6.0, 6.0)


def calibrated_occupancy(c_u: float | np.ndarray, k: float | np.ndarray,
                         factor: float | np.ndarray = 1.0) -> float | np.ndarray:
    r"""Occupancy :math:`C_u/(C_u + f K)` at unbound concentration ``c_u`` (mol/L).

    Parameters
    ----------
    c_u : float or array
        Unbound concentration (mol/L, ≥ 0).
    k : float or array
        In-vitro affinity (Ki/KD, mol/L, > 0).
    factor : float or array
        In-vivo potency factor :math:`f` (> 0); 1 = free-drug theory.
    """
    owner = "calibrated_occupancy"
    c = finite(c_u, "c_u", owner, low=0.0)
    kk = positive(k, "k", owner)
    f = positive(factor, "factor", owner)
    return scalar_or_array(c / (c + f * kk))


class PotencyFit(tuple):
    """``(factor, ci_low, ci_high, chi2_min, n)`` of :func:`fit_potency_factor` (a named tuple)."""

    __slots__ = ()

    def __new__(cls, factor: float, ci_low: float, ci_high: float, chi2_min: float,
                n: int) -> PotencyFit:
        return super().__new__(cls, (factor, ci_low, ci_high, chi2_min, n))

    factor = property(lambda self: self[0])
    ci_low = property(lambda self: self[1])
    ci_high = property(lambda self: self[2])
    chi2_min = property(lambda self: self[3])
    n = property(lambda self: self[4])


def fit_potency_factor(c_u: Sequence[float] | np.ndarray, occupancy: Sequence[float] | np.ndarray,
                       k: Sequence[float] | np.ndarray, se: Sequence[float] | np.ndarray, *,
                       level: float = 0.95) -> PotencyFit:
    r"""Fit the in-vivo factor :math:`f` to observed occupancies; profile-likelihood CI.

    Minimises :math:`\chi^2(f) = \sum_i \big(\theta_i - C_{u,i}/(C_{u,i} + f K_i)\big)^2/\sigma_i^2`
    over :math:`\log f`; the interval is :math:`\{f: \chi^2(f) - \chi^2_{min} \le
    \chi^2_{1,\mathrm{level}}\}`. Each observation may come from a different drug (its own
    :math:`K_i`): the factor is then assumed to be a property of the target.

    Parameters
    ----------
    c_u : array
        Unbound plasma concentration of each observation (mol/L, > 0).
    occupancy : array
        Observed fractional occupancy (0 < θ < 1).
    k : array
        In-vitro affinity of the drug of each observation (mol/L, > 0).
    se : array
        Standard error of each observed occupancy (fraction, > 0).
    level : float
        Confidence level of the interval (0 < level < 1).

    Returns
    -------
    PotencyFit
        ``factor, ci_low, ci_high, chi2_min, n``; a bound is ``inf``/0 when the data do not
        bound it within 10^±6.
    """
    # scipy.optimize/stats load lazily: importing them costs more than engage() itself.
    from scipy.optimize import brentq, minimize_scalar
    from scipy.stats import chi2

    owner = "fit_potency_factor"
    c = positive(c_u, "c_u", owner)
    th = positive(nonneg(occupancy, "occupancy", owner), "occupancy", owner)
    kk = positive(k, "k", owner)
    s = positive(se, "se", owner)
    if np.any(th >= 1.0):
        raise ParameterError("fit_potency_factor: every occupancy must be < 1 (a fraction).")
    if not (c.shape == th.shape == kk.shape == s.shape) or c.ndim != 1 or c.size == 0:
        raise ParameterError("fit_potency_factor: c_u, occupancy, k and se must be 1-D arrays "
                         "of one length (≥ 1).")
    if not 0.0 < level < 1.0:
        raise ParameterError(f"fit_potency_factor: level must be in (0, 1); got {level!r}.")

    def chi2_of(log10_f: float) -> float:
        pred = c / (c + 10.0 ** log10_f * kk)
        return float(np.sum(((th - pred) / s) ** 2))

    # Each observation alone gives f_i = C_u,i (1 - θ_i)/(θ_i K_i); start between them.
    f_i = c * (1.0 - th) / (th * kk)
    lo_b, hi_b = _LOG10_F_BOUNDS
    a = max(lo_b, float(np.log10(f_i.min())) - 1.0)
    b = min(hi_b, float(np.log10(f_i.max())) + 1.0)
    best = minimize_scalar(chi2_of, bounds=(a, b), method="bounded",
                           options={"xatol": 1e-10})
    x0 = float(best.x)
    c_min = chi2_of(x0)
    crit = float(chi2.ppf(level, df=1))

    def excess(x: float) -> float:
        return chi2_of(x) - c_min - crit

    lower = 10.0 ** brentq(excess, lo_b, x0) if excess(lo_b) > 0 else 0.0
    upper = 10.0 ** brentq(excess, x0, hi_b) if excess(hi_b) > 0 else math.inf
    return PotencyFit(10.0 ** x0, lower, upper, c_min, int(c.size))
