"""The global (shared-parameter) fit of a batch: one least-squares problem over all curves
(MINPACK Levenberg–Marquardt through :func:`scipy.optimize.least_squares`, analytic
Jacobian), started from the separate fits, with the shared-versus-separate F test and AICc.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from neuromoa.errors import InputError
from neuromoa.fitting import _kernels as K
from neuromoa.fitting._quantiles import t_quantile
from neuromoa.fitting.models import logistic4_and_jacobian as _model_and_jac
from neuromoa.fitting.results import FLAGS, NO_EFFECT_FLAGS, BatchFit, status_codes
from neuromoa.fitting.stats import comparison

__all__ = ["global_fit"]

#: Largest number of curves in one global fit (dense Jacobian: assumption on memory/time).
MAX_GLOBAL_CURVES = 2000
#: Convergence tolerances of the global least-squares fit (MINPACK ftol/xtol/gtol).
GLOBAL_TOL = 1e-12
#: Confidence level of the intervals (95 %, as the batch fitter).
LEVEL = 0.95


def global_fit(sep: BatchFit, pk: dict, shared_k: list[int], fixed: dict[int, float],
               lo: np.ndarray, hi: np.ndarray, orig: dict) -> BatchFit:
    """Refit the curves of ``sep`` with parameters ``shared_k`` common to all of them."""
    # every curve the optimiser ran on, including those whose separate fit is withheld
    # (unstable, no effect): shared parameters may determine what a curve alone cannot
    fitted = np.flatnonzero(np.isfinite(sep.rss))
    if fitted.size < 2:
        raise InputError("a shared-parameter fit needs at least two curves that fit "
                         "separately.")
    if fitted.size > MAX_GLOBAL_CURVES:
        raise InputError(f"a shared-parameter fit is limited to {MAX_GLOBAL_CURVES} curves "
                         f"(dense Jacobian); got {fitted.size}. Split the table.")
    free = sep.free
    own = [k for k in range(K.NPAR) if free[k] and k not in shared_k]
    ns, no, nc = len(shared_k), len(own), fitted.size
    offs = pk["offsets"]
    segs = [(int(offs[i]), int(offs[i + 1])) for i in fitted]
    lx, y, w = pk["lx"], pk["y"], np.sqrt(pk["w"])
    p0 = np.concatenate([np.median(sep.params[fitted][:, shared_k], axis=0),
                         sep.params[fitted][:, own].ravel()])
    base = np.zeros(K.NPAR)
    for k, v in fixed.items():
        base[k] = v
    npts = sum(e - s for s, e in segs)

    def unpack(theta, j):
        p = base.copy()
        p[shared_k] = theta[:ns]
        p[own] = theta[ns + j * no: ns + (j + 1) * no]
        return p

    def resid(theta):
        out = np.empty(npts)
        pos = 0
        for j, (s, e) in enumerate(segs):
            mu, _ = _model_and_jac(lx[s:e], unpack(theta, j))
            out[pos:pos + e - s] = w[s:e] * (y[s:e] - mu)
            pos += e - s
        return out

    def jac(theta):
        J = np.zeros((npts, ns + nc * no))
        pos = 0
        for j, (s, e) in enumerate(segs):
            _, jj = _model_and_jac(lx[s:e], unpack(theta, j))
            jj = -jj * w[s:e, None]
            J[pos:pos + e - s, :ns] = jj[:, shared_k]
            J[pos:pos + e - s, ns + j * no: ns + (j + 1) * no] = jj[:, own]
            pos += e - s
        return J

    from scipy import optimize  # imported here: heavy, and only global fits need it

    bounded = np.isfinite(lo).any() or np.isfinite(hi).any()
    if bounded:
        lb = np.concatenate([lo[shared_k], np.tile(lo[own], nc)])
        ub = np.concatenate([hi[shared_k], np.tile(hi[own], nc)])
        sol = optimize.least_squares(resid, np.clip(p0, lb, ub), jac=jac, bounds=(lb, ub),
                                     method="trf", ftol=GLOBAL_TOL, xtol=GLOBAL_TOL,
                                     gtol=GLOBAL_TOL, max_nfev=2000)
    else:
        sol = optimize.least_squares(resid, p0, jac=jac, method="lm", ftol=GLOBAL_TOL,
                                     xtol=GLOBAL_TOL, gtol=GLOBAL_TOL, max_nfev=20000)
    theta = sol.x
    r = sol.fun
    rss_tot = float(r @ r)
    ntheta = theta.size
    df_tot = npts - ntheta
    J = sol.jac
    try:
        cov_u = np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        cov_u = np.full((ntheta, ntheta), np.nan)
    s2 = rss_tot / df_tot if df_tot > 0 else np.nan
    cov_t = cov_u * s2
    tq = float(t_quantile(df_tot, 0.5 + LEVEL / 2)) if df_tot > 0 else np.nan
    params = sep.params.copy()
    cov = sep.cov.copy()
    se = sep.se.copy()
    rss = sep.rss.copy()
    r2 = sep.r2.copy()
    df = sep.df.copy()
    bits = sep.flag_bits.copy()
    # flags about the data survive; so does the separate fit's verdict of no concentration-
    # dependent effect (a curve's own data decide that; it still informs the shared parameters
    # but reports no location of its own)
    keep_bits = (FLAGS["missing_values"] | FLAGS["outliers"] | FLAGS["too_few_points"]
                 | NO_EFFECT_FLAGS)
    pos = 0
    for j, i in enumerate(fitted):
        s, e = segs[j]
        p = unpack(theta, j)
        idx = list(range(ns)) + list(range(ns + j * no, ns + (j + 1) * no))
        kidx = list(shared_k) + own
        c4 = np.zeros((K.NPAR, K.NPAR))
        sub = cov_t[np.ix_(idx, idx)]
        for a, ka in enumerate(kidx):
            for b, kb in enumerate(kidx):
                c4[ka, kb] = sub[a, b]
        params[i] = p
        cov[i] = c4
        with np.errstate(invalid="ignore"):
            se[i] = np.where(free, np.sqrt(np.clip(np.diag(c4), 0, None)), np.nan)
        ri = r[pos:pos + e - s]
        rss[i] = float(ri @ ri)
        sst = sep.rss[i] / (1 - sep.r2[i]) if sep.r2[i] < 1 else np.nan
        r2[i] = 1 - rss[i] / sst
        df[i] = df_tot
        bits[i] &= keep_bits
        xr = sep.xrange[i]
        if free[K.LOGC] and not bits[i] & NO_EFFECT_FLAGS and not xr[0] <= p[K.LOGC] <= xr[1]:
            bits[i] |= FLAGS["ic50_outside_range"]
        if not sol.success:
            bits[i] |= FLAGS["not_converged"]
        pos += e - s
    ci_lo = params - tq * se
    ci_hi = params + tq * se
    status = status_codes(np.isfinite(sep.rss), bits)
    rss_sep = float(np.sum(sep.rss[fitted]))
    df_sep = int(np.sum(sep.df[fitted]))
    k_sep = int(free.sum()) * nc
    cmp = comparison("shared", "separate", rss_tot, df_tot, ntheta, rss_sep, df_sep, k_sep,
                      npts)
    aicc_curve = np.full(len(sep), np.nan)
    return dataclasses.replace(
        sep, params=params, cov=cov, se=se, ci_low=ci_lo, ci_high=ci_hi,
        ci_low_asym=ci_lo.copy(), ci_high_asym=ci_hi.copy(), rss=rss, r2=r2,
        aicc=aicc_curve, df=df, status_code=status, flag_bits=bits, ci_method="asymptotic",
        comparison=cmp)
