"""Trace analysis: peaks, % inhibition, Boltzmann fits, concentration–response, two-state affinities.

Pure array functions (SI units in and out); the ABF reader lives in :mod:`neuromoa.ephys.abf`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import least_squares

from neuromoa.errors import ConvergenceWarning, InputError

__all__ = [
    "BoltzmannFit",
    "IC50Fit",
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


def boltzmann(v: np.ndarray, v_half: float, slope: float, amplitude: float = 1.0) -> np.ndarray:
    """``A / (1 + exp((V − V½)/k))``: k > 0 for inactivation (falling), k < 0 for activation."""
    return amplitude / (1.0 + np.exp((np.asarray(v) - v_half) / slope))


@dataclass(frozen=True)
class BoltzmannFit:
    """Result of :func:`boltzmann_fit` (V½ and slope in V)."""

    v_half_V: float
    slope_V: float
    amplitude: float
    rss: float
    status: str
    message: str

    def predict(self, v: np.ndarray) -> np.ndarray:
        """The fitted curve (normalised to amplitude 1)."""
        return boltzmann(v, self.v_half_V, self.slope_V)

    def to_dict(self) -> dict:
        """JSON-safe fields."""
        return {"v_half_V": self.v_half_V, "slope_V": self.slope_V, "amplitude": self.amplitude,
                "rss": self.rss, "status": self.status, "message": self.message}


def boltzmann_fit(v: np.ndarray, y: np.ndarray, *, kind: str = "inactivation") -> BoltzmannFit:
    """Least-squares Boltzmann fit ``y = A/(1 + exp((V − V½)/k))``.

    Parameters
    ----------
    v : array (V)
    y : array
        Availability (inactivation, falling) or conductance (activation, rising), any scale.
    kind : {"inactivation", "activation"}
        Sets the sign of the starting slope.

    Returns
    -------
    BoltzmannFit
        ``v_half_V``, ``slope_V`` (k, V) and the amplitude A. Status "failed" (NaNs) if the
        optimiser fails; never raises for bad data.

    References
    ----------
    Hodgkin & Huxley, *J Physiol* 1952;116:497 (h∞ curves).
    """
    v = np.asarray(v, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(v) & np.isfinite(y)
    if ok.sum() < 3:
        return BoltzmannFit(np.nan, np.nan, np.nan, np.nan, "failed", "fewer than 3 points")
    v, y = v[ok], y[ok]
    amp0 = float(np.max(np.abs(y))) or 1.0
    yn = y / amp0
    k0 = 0.007 if kind == "inactivation" else -0.007
    target = 0.5
    idx = int(np.argmin(np.abs(yn - target)))
    p0 = np.array([v[idx], k0, 1.0])

    def resid(p):
        return boltzmann(v, p[0], p[1], p[2]) - yn

    try:
        res = least_squares(resid, p0, x_scale=[0.01, 0.005, 1.0], method="lm")
    except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - defensive
        return BoltzmannFit(np.nan, np.nan, np.nan, np.nan, "failed", str(exc))
    vh, k, a = res.x
    status, msg = ("ok", "") if res.success else ("failed", res.message)
    return BoltzmannFit(float(vh), float(k), float(a * amp0), float(2 * res.cost * amp0**2),
                        status, msg)


@dataclass(frozen=True)
class IC50Fit:
    """Concentration–response fit: IC50 (M), Hill coefficient and status."""

    ic50_M: float
    hill: float
    status: str
    message: str
    engine: str

    def to_dict(self) -> dict:
        """JSON-safe fields."""
        return {"ic50_M": self.ic50_M, "hill": self.hill, "status": self.status,
                "message": self.message, "engine": self.engine}


def fit_ic50(conc_M: np.ndarray, fraction_remaining: np.ndarray, *,
             fix_hill: float | None = None) -> IC50Fit:
    """Fit ``y = 1/(1 + (C/IC50)^n)`` to the fraction of control current remaining.

    Top fixed at 1 and bottom at 0 (normalised data; block is complete at saturation), via
    :func:`neuromoa.fitting.fit_curve` (4PL, ``fix={"top": 1, "bottom": 0}``) when it is
    available, else by least squares on log IC50 here. Zero concentrations are allowed.
    """
    x = np.asarray(conc_M, dtype=float)
    y = np.asarray(fraction_remaining, dtype=float)
    if x.shape != y.shape:
        raise InputError(f"fit_ic50: {x.size} concentrations but {y.size} responses.")
    return _fit_4pl(x, y, fix_hill)


def _fit_4pl(x: np.ndarray, y: np.ndarray, fix_hill: float | None) -> IC50Fit:
    try:
        from neuromoa.fitting import fit_curve
    except ImportError:
        fit_curve = None
    if fit_curve is not None:
        fix = {"top": 1.0, "bottom": 0.0}
        if fix_hill is not None:
            fix["hill"] = -abs(fix_hill)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit_curve(x, y, model="4pl", fix=fix)
        return IC50Fit(float(res.ic50), float(abs(res.params.get("hill", np.nan))),
                       str(res.status), str(res.message), "neuromoa.fitting")
    pos = x > 0
    if pos.sum() < 2:
        return IC50Fit(np.nan, np.nan, "failed", "fewer than 2 positive concentrations", "local")
    lx = np.log10(x[pos])
    yy = y[pos]
    guess = float(lx[np.argmin(np.abs(yy - 0.5))])

    def model(p):
        n = p[1] if fix_hill is None else abs(fix_hill)
        return 1.0 / (1.0 + 10.0 ** ((lx - p[0]) * n))

    res = least_squares(lambda p: model(p) - yy, [guess, 1.0], method="lm")
    n = res.x[1] if fix_hill is None else abs(fix_hill)
    status = "ok" if res.success else "failed"
    if res.success and not (lx.min() - 1 <= res.x[0] <= lx.max() + 1):
        status = "warning"
        warnings.warn("fit_ic50: IC50 outside the tested range", ConvergenceWarning, stacklevel=3)
    return IC50Fit(float(10 ** res.x[0]), float(n), status, "" if res.success else res.message,
                   "local least squares")


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
    """Fit ``r(t) = 1 − a·exp(−t/τ)`` to recovered fraction for ``t ≥ t_min``.

    Returns ``(τ, a)``; ``(nan, 0)`` when the largest deficit ``1 − r`` is below
    ``min_deficit`` (nothing left to recover: no slow component).
    """
    t = np.asarray(t, dtype=float)
    r = np.asarray(fraction, dtype=float)
    sel = t >= t_min
    t, r = t[sel], r[sel]
    if t.size < 3 or np.max(1.0 - r) < min_deficit:
        return float("nan"), 0.0
    a0 = float(np.max(1.0 - r))
    tau0 = float(t[np.argmin(np.abs((1 - r) - a0 / np.e))]) or float(np.median(t))

    def resid(p):
        return 1.0 - p[0] * np.exp(-t / np.exp(p[1])) - r

    res = least_squares(resid, [a0, np.log(tau0)], method="lm")
    return float(np.exp(res.x[1])), float(res.x[0])
