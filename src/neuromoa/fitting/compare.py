"""Model comparison: extra-sum-of-squares F test and AICc, for nested models and for
shared (global) versus separate parameters; and the global fit itself.

The global fit is the slower path: one least-squares problem over all curves (MINPACK
Levenberg–Marquardt through :func:`scipy.optimize.least_squares`, analytic Jacobian), started
from the separate fits.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from scipy import special

from neuromoa.errors import InputError, ParameterError
from neuromoa.fitting import _kernels as K
from neuromoa.fitting.results import (
    FLAGS,
    NO_EFFECT_FLAGS,
    BatchFit,
    Comparison,
    CurveFit,
    status_codes,
)

__all__ = ["aicc", "compare_fits", "compare_models", "f_test"]

#: Largest number of curves in one global fit (dense Jacobian: assumption on memory/time).
MAX_GLOBAL_CURVES = 2000
#: Convergence tolerances of the global least-squares fit (MINPACK ftol/xtol/gtol).
GLOBAL_TOL = 1e-12
LN10 = math.log(10.0)


def aicc(rss: float, n: int, k: int) -> float:
    """Corrected Akaike information criterion of a least-squares fit.

    ``AICc = n·ln(RSS/n) + 2K + 2K(K+1)/(n−K−1)`` with K = k + 1 (the fitted parameters plus
    the residual variance), as Prism (Motulsky & Christopoulos 2004, ch. 22; Burnham &
    Anderson 2002). NaN when n ≤ K + 1.
    """
    kk = k + 1
    if n - kk - 1 <= 0 or rss <= 0:
        return float("nan")
    return n * math.log(rss / n) + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1)


def f_test(rss_simple: float, df_simple: int, rss_complex: float, df_complex: int
           ) -> tuple[float, int, int, float]:
    """Extra-sum-of-squares F test of nested least-squares fits.

    ``F = ((RSS_s − RSS_c)/(df_s − df_c)) / (RSS_c/df_c)``; returns (F, df_num, df_den, p).
    Reference: Motulsky & Christopoulos 2004, ch. 22.
    """
    dn = int(df_simple - df_complex)
    dd = int(df_complex)
    if dn <= 0 or dd <= 0:
        raise ParameterError(f"F test needs df_simple > df_complex > 0; got {df_simple} and "
                             f"{df_complex}.")
    if rss_complex <= 0:
        return float("inf"), dn, dd, 0.0
    f = ((rss_simple - rss_complex) / dn) / (rss_complex / dd)
    return float(f), dn, dd, float(special.fdtrc(dn, dd, max(f, 0.0)))


def _comparison(name_s: str, name_c: str, rss_s, df_s, k_s, rss_c, df_c, k_c, n) -> Comparison:
    f, dn, dd, p = f_test(rss_s, df_s, rss_c, df_c)
    a_s, a_c = aicc(rss_s, n, k_s), aicc(rss_c, n, k_c)
    delta = a_s - a_c
    prob = 1.0 / (1.0 + math.exp(-0.5 * delta)) if math.isfinite(delta) else float("nan")
    pref = name_c if p < 0.05 else name_s
    return Comparison(simple=name_s, complex=name_c, f=f, df_num=dn, df_den=dd, p=p,
                      aicc_simple=a_s, aicc_complex=a_c, aicc_delta=delta,
                      prob_simple=1.0 - prob if math.isfinite(prob) else prob, preferred=pref)


def compare_fits(simple: CurveFit, complex: CurveFit) -> Comparison:
    """Compare two fits of the same data: the simpler has fewer free parameters (e.g. hill
    fixed at −1 versus free). ``preferred`` follows the F test at P < 0.05.

    Examples
    --------
    >>> from neuromoa.fitting import fit_curve
    >>> x = [1e-9, 3e-9, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6]
    >>> y = [99, 97, 88, 70, 45, 22, 8, 3]
    >>> c = compare_fits(fit_curve(x, y, fix={"hill": -1}), fit_curve(x, y))
    >>> c.df_num
    1
    """
    if simple.n != complex.n:
        raise InputError("compare_fits needs two fits of the same data points.")
    if "failed" in (simple.status, complex.status):
        raise InputError("compare_fits needs two fits that did not fail.")
    ks, kc = len(simple.se), len(complex.se)
    return _comparison("simple", "complex", simple.rss, simple.df, ks, complex.rss, complex.df,
                       kc, simple.n)


def compare_models(data, simple: dict[str, Any], complex: dict[str, Any],
                   **common: Any) -> list[Comparison | None]:
    """Fit every curve of ``data`` with two nested settings and compare per curve.

    ``simple``/``complex`` are keyword dicts for :func:`fit_curves` (e.g. ``{"fix": {"hill":
    -1}}`` and ``{}``); returns one :class:`Comparison` per curve (None where a fit failed).
    """
    from neuromoa.fitting.engine import fit_curves

    a = fit_curves(data, **common, **simple)
    b = fit_curves(data, **common, **complex)
    out: list[Comparison | None] = []
    for i in range(len(a)):
        fa, fb = a.fit(i), b.fit(i)
        try:
            out.append(compare_fits(fa, fb))
        except (InputError, ParameterError):
            out.append(None)
    return out


def _model_and_jac(lx, p):
    b, t, c, h = p
    with np.errstate(over="ignore", invalid="ignore"):
        z = LN10 * h * (lx - c)
        f = 0.5 * (1.0 + np.tanh(0.5 * z))
    zero = lx == -np.inf
    f = np.where(zero, 0.0 if h > 0 else (1.0 if h < 0 else 0.5), f)
    q = f * (1 - f) * LN10 * (t - b)
    jc = np.where(zero, 0.0, -q * h)
    jh = np.where(zero, 0.0, q * np.where(zero, 0.0, lx - c))
    return b + (t - b) * f, np.stack([1 - f, f, jc, jh], axis=1)


def global_fit(sep: BatchFit, pk: dict, shared_k: list[int], fixed: dict[int, float],
               lo: np.ndarray, hi: np.ndarray, orig: dict) -> BatchFit:
    """Refit the curves of ``sep`` with parameters ``shared_k`` common to all of them."""
    from neuromoa.fitting.engine import LEVEL

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
    tq = special.stdtrit(df_tot, 0.5 + LEVEL / 2) if df_tot > 0 else np.nan
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
    cmp = _comparison("shared", "separate", rss_tot, df_tot, ntheta, rss_sep, df_sep, k_sep,
                      npts)
    aicc_curve = np.full(len(sep), np.nan)
    return dataclasses.replace(
        sep, params=params, cov=cov, se=se, ci_low=ci_lo, ci_high=ci_hi,
        ci_low_asym=ci_lo.copy(), ci_high_asym=ci_hi.copy(), rss=rss, r2=r2,
        aicc=aicc_curve, df=df, status_code=status, flag_bits=bits, ci_method="asymptotic",
        comparison=cmp)
