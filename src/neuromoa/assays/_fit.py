"""The one place the assays call the fitting engine (:mod:`neuromoa.fitting`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CurveSummary", "confidence_band", "fit_4pl", "fit_one_site_ki", "outlier_mask", "plate_z_prime"]


@dataclass(frozen=True)
class CurveSummary:
    """What the assay analysis needs from one curve fit (log10 values of concentrations in M)."""

    status: str
    message: str
    log_center: float  # log10 IC50 (4pl) or log10 Ki (one_site_ki)
    log_center_ci95: tuple[float, float]
    hill: float
    top: float
    bottom: float
    flags: tuple[str, ...] = ()
    hill_ci95: tuple[float, float] = (math.nan, math.nan)
    fit: Any = field(default=None, repr=False, compare=False)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Fitted curve at concentrations ``x`` (mol/L)."""
        if self.fit is None:
            return np.full(np.shape(x), math.nan)
        return np.asarray(self.fit.predict(np.asarray(x, float)), float)


def _failed(message: str) -> CurveSummary:
    nan = math.nan
    return CurveSummary("failed", message, nan, (nan, nan), nan, nan, nan)


def _summary(fit, key: str) -> CurveSummary:
    params = dict(fit.params)
    ci = dict(getattr(fit, "ci95", {}) or {})
    status = str(getattr(fit, "status", "ok"))
    message = str(getattr(fit, "message", "") or "")
    flags = tuple(str(f) for f in (getattr(fit, "flags", ()) or ()))
    center = float(params.get(key, math.nan))
    low, high = ci.get(key, (math.nan, math.nan))
    hill_low, hill_high = ci.get("hill", (math.nan, math.nan))
    if status != "failed" and not (math.isfinite(center) and math.isfinite(low)
                                   and math.isfinite(high)):
        status, message = "failed", message or f"no finite estimate/interval for {key}"
    return CurveSummary(status, message, center, (float(low), float(high)),
                        float(params.get("hill", math.nan)), float(params.get("top", math.nan)),
                        float(params.get("bottom", math.nan)), flags,
                        (float(hill_low), float(hill_high)), fit)


def fit_4pl(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None,
            ci: str = "profile") -> CurveSummary:
    """Four-parameter logistic (all parameters free) of y against concentration x (mol/L)."""
    from neuromoa.fitting import fit_curve

    kwargs: dict[str, Any] = {"ci": ci}
    if weights is not None:
        kwargs.update(weight=np.asarray(weights, float), weights="given")
    try:
        fit = fit_curve(np.asarray(x, float), np.asarray(y, float), model="4pl", **kwargs)
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        return _failed(f"4PL fit failed: {exc}")
    return _summary(fit, "log_ic50")


def fit_one_site_ki(x: np.ndarray, y: np.ndarray, radioligand_M: float, kd_M: float,
                    weights: np.ndarray | None = None, ci: str = "profile") -> CurveSummary:
    """GraphPad's "one site – fit Ki" (Hill slope 1, no depletion): fits log10 Ki directly."""
    from neuromoa.fitting import fit_curve

    kwargs: dict[str, Any] = {"ci": ci, "radioligand_M": radioligand_M, "kd_M": kd_M}
    if weights is not None:
        kwargs.update(weight=np.asarray(weights, float), weights="given")
    try:
        fit = fit_curve(np.asarray(x, float), np.asarray(y, float), model="one_site_ki", **kwargs)
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        return _failed(f"one-site Ki fit failed: {exc}")
    return _summary(fit, "log_ki")


def plate_z_prime(total: np.ndarray, nsb: np.ndarray) -> float:
    """Z′ of the plate's controls (Zhang, Chung & Oldenburg 1999)."""
    from neuromoa.fitting import z_prime

    return float(z_prime(np.asarray(total, float), np.asarray(nsb, float)))


def outlier_mask(x: np.ndarray, y: np.ndarray, summary: CurveSummary,
                 weights: np.ndarray | None = None) -> np.ndarray:
    """Wells the fitting engine's ROUT test (Q = 1 %) calls outliers (all False if it cannot)."""
    from neuromoa.fitting import rout_outliers

    if summary.fit is None:
        return np.zeros(np.shape(y), bool)
    try:
        res = rout_outliers(np.asarray(x, float), np.asarray(y, float), "4pl", weights=weights)
    except (ValueError, RuntimeError, np.linalg.LinAlgError):
        return np.zeros(np.shape(y), bool)
    return np.asarray(res.outlier, bool)


def confidence_band(summary: CurveSummary, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % confidence band of the fitted curve (the engine's delta method)."""
    if summary.fit is None:
        nan = np.full(np.shape(x), math.nan)
        return nan, nan
    low, high = summary.fit.band(np.asarray(x, float))
    return np.asarray(low, float), np.asarray(high, float)
