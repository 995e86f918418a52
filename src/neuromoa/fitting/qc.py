"""Plate quality control: Z′-factor, signal window and ROUT outlier detection.

Outliers are always reported (rows listed per curve); they are removed from a fit only when
the caller asks (``outliers="exclude"``), never silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from neuromoa.errors import InputError

__all__ = ["ROUT_Q", "RoutResult", "signal_window", "z_prime"]

#: ROUT's false discovery rate Q (Motulsky & Brown 2006 recommend 1 %).
ROUT_Q = 0.01
#: Percentile of |residuals| that estimates the SD of Gaussian scatter: 68.27 % of a normal
#: distribution lies within ±1 SD (Motulsky & Brown 2006, "RSDR").
RSDR_PERCENTILE = 68.27
#: Re-estimations of the robust scale inside the robust fit (assumption: converges in 2–4).
ROUT_ITER = 5
#: The Z′ and signal-window formulas use 3 SD separation bands (Zhang et al. 1999).
SD_BAND = 3.0


def _controls(v, name: str) -> np.ndarray:
    a = np.asarray(v, dtype=float).ravel()
    a = a[np.isfinite(a)]
    if a.size < 2:
        raise InputError(f"{name} controls need at least two finite values; got {a.size}.")
    return a


def z_prime(pos, neg) -> float:
    """Z′-factor of an assay from positive- and negative-control wells.

    ``Z′ = 1 − 3(σ₊ + σ₋)/|μ₊ − μ₋|`` (sample SDs, ddof = 1). Z′ ≥ 0.5: an excellent assay.
    Reference: Zhang JH, Chung TDY, Oldenburg KR. J Biomol Screen 1999;4:67–73.

    Examples
    --------
    >>> round(z_prime([100, 102, 98], [0, 2, -2]), 3)
    0.88
    """
    p, n = _controls(pos, "positive"), _controls(neg, "negative")
    gap = abs(p.mean() - n.mean())
    if gap == 0:
        return float("-inf")
    return float(1.0 - SD_BAND * (p.std(ddof=1) + n.std(ddof=1)) / gap)


def signal_window(pos, neg, replicates: int = 1) -> float:
    """Signal window of an assay (Sittampalam et al. 1997; Iversen et al. 2006).

    ``SW = (|μ_max − μ_min| − 3(σ_max + σ_min)/√n) / (σ_max/√n)``, with ``max`` the control
    with the higher mean and n the replicates per test measurement. SW ≥ 2 is acceptable.
    References: Sittampalam GS et al. Curr Opin Chem Biol 1997;1:384; Iversen PW et al.,
    J Biomol Screen 2006;11:247 (Assay Guidance Manual, "HTS Assay Validation").

    Examples
    --------
    >>> round(signal_window([100, 102, 98], [0, 2, -2]), 3)
    44.0
    """
    p, n = _controls(pos, "positive"), _controls(neg, "negative")
    hi, lo = (p, n) if p.mean() >= n.mean() else (n, p)
    m = math.sqrt(max(int(replicates), 1))
    s_hi = hi.std(ddof=1)
    if s_hi == 0:
        return float("inf")
    return float((abs(hi.mean() - lo.mean()) - SD_BAND * (s_hi + lo.std(ddof=1)) / m)
                 / (s_hi / m))


@dataclass(frozen=True)
class RoutResult:
    """ROUT outlier detection on one curve.

    ``outlier`` (bool per point, input order), ``p`` (two-sided P of each residual on the
    robust scale), ``rsdr`` (robust SD of the residuals), ``robust_params`` (kernel order:
    bottom, top, log_ic50, hill)."""

    outlier: np.ndarray
    p: np.ndarray
    rsdr: float
    robust_params: np.ndarray
    q: float

    def to_dict(self) -> dict[str, Any]:
        return {"outlier": self.outlier.tolist(), "p": self.p.tolist(), "rsdr": self.rsdr,
                "robust_params": self.robust_params.tolist(), "q": self.q}


def _rsdr(r: np.ndarray, k: int) -> float:
    n = r.size
    return float(np.percentile(np.abs(r), RSDR_PERCENTILE) * n / max(n - k, 1))


def _robust(lx, y, sw, p0, free, lo, hi):
    """Robust (Lorentzian / Cauchy-loss) fit with the scale re-estimated as RSDR."""
    from scipy import optimize  # imported here: heavy, and only ROUT needs it

    from neuromoa.fitting.models import logistic4_and_jacobian as _model_and_jac

    k_idx = np.flatnonzero(free)
    base = p0.copy()

    def full(th):
        p = base.copy()
        p[k_idx] = th
        return p

    def res(th):
        mu, _ = _model_and_jac(lx, full(th))
        return sw * (y - mu)

    def jac(th):
        _, j = _model_and_jac(lx, full(th))
        return -(j * sw[:, None])[:, k_idx]

    th = p0[k_idx].copy()
    lb, ub = lo[k_idx], hi[k_idx]
    th = np.clip(th, np.where(np.isfinite(lb), lb, -np.inf), ub)
    scale = _rsdr(res(th), k_idx.size)
    for _ in range(ROUT_ITER):
        if not scale > 0:
            break
        sol = optimize.least_squares(res, th, jac=jac, loss="cauchy", f_scale=scale,
                                     bounds=(lb, ub), method="trf")
        th = sol.x
        new = _rsdr(res(th), k_idx.size)
        if abs(new - scale) <= 1e-6 * scale:
            scale = new
            break
        scale = new
    return full(th), res(th), scale


def _rout_core(lx, y, w, p0, free, lo, hi, q):
    sw = np.sqrt(w)
    k = int(free.sum())
    params, r, scale = _robust(lx, y, sw, p0, free, lo, hi)
    n = r.size
    dof = max(n - k, 1)
    if scale > 0:
        pv = 2.0 * special.stdtr(dof, -np.abs(r) / scale)
    else:
        pv = np.where(np.abs(r) > 0, 0.0, 1.0)
    # Benjamini–Hochberg step-up on the P values (Motulsky & Brown 2006)
    order = np.argsort(pv)
    crit = q * np.arange(1, n + 1) / n
    below = pv[order] <= crit
    out = np.zeros(n, bool)
    if below.any():
        last = int(np.flatnonzero(below)[-1])
        out[order[: last + 1]] = True
    return out, pv, scale, params


def _rout_batch(pk: dict, todo: np.ndarray, out: dict, free, lo, hi, exclude: bool,
                refit) -> dict[int, list]:
    """ROUT on every fitted curve of a batch (a per-curve loop: the slow, optional path).

    Returns {curve position: [row labels of outliers]}; with ``exclude`` the outliers get
    weight 0 and those curves are refitted."""
    offs = pk["offsets"]
    found: dict[int, list] = {}
    w_new = pk["w"].copy()
    redo = np.zeros(len(offs) - 1, bool)
    for i in np.flatnonzero(todo & np.isfinite(out["rss"])):
        s, e = int(offs[i]), int(offs[i + 1])
        if e - s <= int(free.sum()) + 1:
            continue
        mask, _, _, _ = _rout_core(pk["lx"][s:e], pk["y"][s:e], pk["w"][s:e], out["p"][i],
                                   free, lo, hi, ROUT_Q)
        if mask.any():
            found[int(i)] = [_label(v) for v in pk["rows"][s:e][mask]]
            if exclude and (e - s - mask.sum()) >= int(free.sum()):
                w_new[s:e][mask] = 0.0
                redo[i] = True
    if redo.any():
        refit(redo, w_new)
    return found


def _label(v):
    return v.item() if isinstance(v, np.generic) else v
