"""Trace analysis: peaks, % inhibition, Boltzmann fits, concentration–response, two-state affinities.

Pure array functions (SI units in and out); the ABF reader lives in :mod:`neuromoa.ephys.abf`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.ndimage import uniform_filter1d

from neuromoa.errors import InputError
from neuromoa.fitting.library import BOLTZMANN_SLOPE_GUESS_V, boltzmann
from neuromoa.fitting.results import CurveFit, ModelFit

__all__ = [
    "boltzmann",
    "boltzmann_fit",
    "fit_ic50",
    "peak_in_window",
    "percent_inhibition",
    "single_exponential_recovery",
    "smooth",
    "state_affinities_from_two_holdings",
]

#: Default moving-average width (samples) applied before taking a peak: averages out the
#: recording noise so the extreme of a noisy trace is not biased (assumption: 5 samples =
#: 0.25 ms at 20 kHz, short against a Na+ current's ~1 ms peak).
SMOOTH_SAMPLES = 5


def smooth(y: np.ndarray, width: int = SMOOTH_SAMPLES) -> np.ndarray:
    """Centred moving average along the last axis (edges repeat the end samples)."""
    y = np.asarray(y, dtype=float)
    if width <= 1 or y.shape[-1] < width:
        return y
    return uniform_filter1d(y, width, axis=-1, mode="nearest")


def peak_in_window(y: np.ndarray, direction: int, width: int = SMOOTH_SAMPLES) -> np.ndarray:
    """Peak along the last axis: the minimum (``direction=-1``, inward), maximum (``+1``) or,
    for ``0``, whichever of the two is larger in magnitude, of the smoothed trace."""
    ys = smooth(y, width)
    if direction < 0:
        return ys.min(axis=-1)
    if direction > 0:
        return ys.max(axis=-1)
    lo, hi = ys.min(axis=-1), ys.max(axis=-1)
    return np.where(np.abs(lo) >= np.abs(hi), lo, hi)


def percent_inhibition(peak: np.ndarray, control: np.ndarray) -> np.ndarray:
    """% inhibition = 100·(1 − |peak| / |control|)."""
    return 100.0 * (1.0 - np.abs(peak) / np.abs(control))


def boltzmann_fit(v: np.ndarray, y: np.ndarray, *, kind: str = "inactivation") -> ModelFit:
    """Least-squares Boltzmann fit ``y = A/(1 + exp((V − V½)/k))`` through the generic
    fitting engine (:func:`neuromoa.fitting.fit_model`, model ``"boltzmann"``).

    Parameters
    ----------
    v : array (V)
    y : array
        Availability (inactivation, falling) or conductance (activation, rising), any scale.
    kind : {"inactivation", "activation"}
        Sets the sign of the starting slope.

    Returns
    -------
    ModelFit
        ``fit.v_half_V``, ``fit.slope_V`` (k, V), ``fit.params["amplitude"]`` (A, unit of y),
        SEs and 95 % intervals. Status "failed" (NaN estimates) when the fit fails or there are
        fewer than 3 points; never raises for bad data.

    References
    ----------
    Hodgkin & Huxley, *J Physiol* 1952;116:497 (h∞ curves).
    """
    from neuromoa.fitting import fit_model

    v = np.asarray(v, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(v) & np.isfinite(y)
    v, y = v[ok], y[ok]
    p0 = None
    if v.size:
        amp0 = float(np.max(np.abs(y))) or 1.0
        idx = int(np.argmin(np.abs(y / amp0 - 0.5)))
        k0 = BOLTZMANN_SLOPE_GUESS_V if kind == "inactivation" else -BOLTZMANN_SLOPE_GUESS_V
        p0 = [float(v[idx]), k0, amp0]
    return fit_model("boltzmann", v, y, x_unit="V", p0=p0)


def fit_ic50(conc_M: np.ndarray, fraction_remaining: np.ndarray, *,
             fix_hill: float | None = None) -> CurveFit:
    """Fit ``y = 1/(1 + (C/IC50)^n)`` to the fraction of control current remaining.

    Top fixed at 1 and bottom at 0 (normalised data; block is complete at saturation), by
    :func:`neuromoa.fitting.fit_curve` (4PL, ``fix={"top": 1, "bottom": 0}``, concentrations
    in M; ``fix_hill``: the slope held at −|fix_hill|). Zero concentrations are allowed.
    Returns the engine's :class:`~neuromoa.fitting.CurveFit` (``fit.ic50_M``,
    ``fit.params["hill"]`` (negative: falling), status, message, SEs and intervals).
    """
    from neuromoa.fitting import fit_curve

    x = np.asarray(conc_M, dtype=float)
    y = np.asarray(fraction_remaining, dtype=float)
    if x.shape != y.shape:
        raise InputError(f"fit_ic50: {x.size} concentrations but {y.size} responses.")
    fix = {"top": 1.0, "bottom": 0.0}
    if fix_hill is not None:
        fix["hill"] = -abs(fix_hill)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_curve(x, y, model="4pl", fix=fix, unit="M")


def state_affinities_from_two_holdings(h1: float, kapp1: float, h2: float,
                                       kapp2: float) -> tuple[float, float]:
    """Resting and inactivated affinities from apparent IC50s at two holding potentials.

    Solves the pair of linear equations in (1/K_R, 1/K_I)

    .. math:: \\frac{1}{K_{app,j}} = \\frac{h_j}{K_R} + \\frac{1 - h_j}{K_I},\\quad j = 1, 2

    (Bean, Cohen & Tsien, *J Gen Physiol* 1983;81:613), where ``h_j`` is the drug-free
    availability at holding potential j. Returns ``(K_R, K_I)`` in the unit of the Kapps;
    NaN where the system is singular (h1 == h2) or gives a non-positive affinity.
    """
    m = np.array([[h1, 1.0 - h1], [h2, 1.0 - h2]], dtype=float)
    rhs = np.array([1.0 / kapp1, 1.0 / kapp2])
    if abs(np.linalg.det(m)) < 1e-9:
        return float("nan"), float("nan")
    inv_r, inv_i = np.linalg.solve(m, rhs)
    kr = 1.0 / inv_r if inv_r > 0 else float("nan")
    ki = 1.0 / inv_i if inv_i > 0 else float("nan")
    return float(kr), float(ki)


def single_exponential_recovery(t: np.ndarray, fraction: np.ndarray, *,
                                t_min: float = 0.0,
                                min_deficit: float = 0.02) -> tuple[float, float]:
    """Fit ``r(t) = 1 − a·exp(−t/τ)`` to recovered fraction for ``t ≥ t_min`` (s) through the
    generic fitting engine (model ``"recovery"``, τ fitted on a log scale).

    Returns ``(τ, a)``; ``(nan, 0)`` when the largest deficit ``1 − r`` is below
    ``min_deficit`` (nothing left to recover: no slow component) or the fit fails.
    """
    from neuromoa.fitting import fit_model

    t = np.asarray(t, dtype=float)
    r = np.asarray(fraction, dtype=float)
    sel = t >= t_min
    t, r = t[sel], r[sel]
    if t.size < 3 or np.max(1.0 - r) < min_deficit:
        return float("nan"), 0.0
    fit = fit_model("recovery", t, r, x_unit="s")
    if fit.status == "failed":
        return float("nan"), 0.0
    return float(fit.params["tau"]), float(fit.params["amplitude"])
