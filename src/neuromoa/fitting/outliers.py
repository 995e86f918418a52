"""ROUT outlier detection on one curve (Motulsky & Brown 2006): a least-squares fit with the
batch engine, then the robust fit and false-discovery-rate test of :mod:`neuromoa.fitting.qc`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuromoa.errors import InputError, ParameterError
from neuromoa.fitting.engine import _resolve_fixed, fit_curve
from neuromoa.fitting.models import get_model
from neuromoa.fitting.qc import ROUT_Q, RoutResult, _rout_core

__all__ = ["rout_outliers"]


def rout_outliers(x, y, model: str = "4pl", *, q: float = ROUT_Q, fix=None, weights=None,
                  **model_kwargs: Any) -> RoutResult:
    """ROUT outlier detection for one curve (Motulsky & Brown 2006).

    1. Least-squares fit for starting values, then a robust fit minimising
       ``Σ ln(1 + (rᵢ/RSDR)²)`` (Lorentzian = Cauchy loss), RSDR = the 68.27th percentile of
       |residuals| × n/(n − k), re-estimated until stable;
    2. each residual's two-sided P on a t distribution (n − k df) of ``|rᵢ|/RSDR``;
    3. outliers are the points rejected by the Benjamini–Hochberg false-discovery-rate
       procedure at ``q`` (default 1 %).

    Reference: Motulsky HJ, Brown RE. BMC Bioinformatics 2006;7:123.

    Returns a :class:`RoutResult`; points are reported, never removed.
    """
    q = float(q)
    if not 0 < q < 1:
        raise ParameterError(f"The 'q' parameter of rout_outliers must be a float in (0, 1). "
                             f"Got {q!r}.")
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    wa = np.ones_like(ya) if weights is None else np.asarray(weights, float).ravel()
    fit = fit_curve(xa, ya, model, fix=fix, **model_kwargs)
    if fit.status == "failed":
        raise InputError(f"ROUT needs a least-squares fit first; it failed: {fit.message}")
    free = np.array([True, True, True, True])
    mdl = get_model(model)
    kw = mdl.check_kwargs(model_kwargs)
    for kidx in _resolve_fixed(mdl, fix, mdl.shift(**kw)):
        free[kidx] = False
    with np.errstate(divide="ignore"):
        lx = np.log10(xa)
    lo = np.full(4, -np.inf)
    hi = np.full(4, np.inf)
    out, pv, scale, params = _rout_core(lx, ya, wa, np.asarray(fit.kernel_params, float),
                                        free, lo, hi, q)
    return RoutResult(outlier=out, p=pv, rsdr=scale, robust_params=params, q=q)


