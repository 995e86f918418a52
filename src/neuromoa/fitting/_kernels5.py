"""Compiled (numba) kernel of the five-parameter logistic: the logistic engine's fast path for
models with more than four parameters.

Parameters (kernel space) ``p = (bottom, top, c = log10 IC50, h = hill, s = asym)``::

    Y(X) = bottom + (top − bottom) · f^s,   f = 1 / (1 + 10^((c − log10 X)·h))

i.e. GraphPad Prism's "asymmetric sigmoidal, 5PL" (``LogXb`` = c), which is the 4PL of
:mod:`neuromoa.fitting._kernels` for s = 1; X = 0 is the limit X → 0 (f = 0 or 1 as there).

Each curve is refined by Levenberg–Marquardt (Marquardt 1963; Nielsen's damping update,
Madsen, Nielsen & Tingleff 2004) with the analytic Jacobian, warm-started from the curve's 4PL
fit (s = 1), which the four-parameter kernel supplies. Covariance ``s² (JᵀWJ)⁻¹``.
References: Gottschalk PG, Dunn JR, Anal Biochem 2005;343:54 (the 5PL).
"""

from __future__ import annotations

import math

import numpy as np

from neuromoa.fitting._jit import njit
from neuromoa.fitting._kernels import (
    DIAG_FLOOR,
    EXACT_FIT,
    GRAD_COS_TOL,
    LAMBDA_MAX,
    LAMBDA_MIN,
    LAMBDA_START,
    LN10,
    NOT_CONVERGED,
    OK,
    RSS_RTOL,
    SINGULAR,
    STEP_RTOL,
    TRANSITION,
)

__all__ = ["NPAR5", "fit_batch5", "model_eval5"]

#: Parameters of the 5PL kernel; index of the asymmetry.
NPAR5 = 5
ASYM = 4


@njit(cache=True)
def _frac(lxi, c, h):
    """(f, ln f, 1 − f) of the 4PL fraction at log10 X = lxi (the X = 0 limit at -inf)."""
    if lxi == -np.inf:
        if h > 0.0:
            return 0.0, -np.inf, 1.0
        if h < 0.0:
            return 1.0, 0.0, 0.0
        return 0.5, -LN10 * 0.30102999566398120, 0.5
    z = LN10 * h * (lxi - c)
    if z >= 0.0:
        e = math.exp(-z)
        return 1.0 / (1.0 + e), -math.log1p(e), e / (1.0 + e)
    e = math.exp(z)
    return e / (1.0 + e), z - math.log1p(e), 1.0 / (1.0 + e)


@njit(cache=True)
def model_eval5(lx, p):
    """5PL values at log10 concentrations ``lx`` for kernel parameters ``p`` (5,)."""
    out = np.empty(lx.shape[0])
    for i in range(lx.shape[0]):
        f, lf, _ = _frac(lx[i], p[2], p[3])
        g = math.exp(p[ASYM] * lf) if f > 0.0 else 0.0
        out[i] = p[0] + (p[1] - p[0]) * g
    return out


@njit(cache=True)
def _normal(lx, y, w, s, e, p, free, A, gr, jrow):
    """RSS at p; A = JᵀWJ and gr = JᵀWr over the free parameters (others: identity row)."""
    b = p[0]
    d = p[1] - b
    c = p[2]
    h = p[3]
    sa = p[ASYM]
    for a in range(NPAR5):
        gr[a] = 0.0
        for m in range(NPAR5):
            A[a, m] = 0.0
    acc = 0.0
    for i in range(s, e):
        xi = lx[i]
        f, lf, omf = _frac(xi, c, h)
        g = math.exp(sa * lf) if f > 0.0 else 0.0
        r = y[i] - (b + d * g)
        wi = w[i]
        acc += wi * r * r
        jrow[0] = 1.0 - g
        jrow[1] = g
        if xi == -np.inf:
            jrow[2] = 0.0
            jrow[3] = 0.0
            jrow[4] = 0.0
        else:
            q = d * sa * g * omf * LN10
            jrow[2] = -q * h
            jrow[3] = q * (xi - c)
            jrow[4] = d * g * lf if g > 0.0 else 0.0
        for a in range(NPAR5):
            if free[a]:
                wa = wi * jrow[a]
                gr[a] += wa * r
                for m in range(a + 1):
                    if free[m]:
                        A[a, m] += wa * jrow[m]
    for a in range(NPAR5):
        for m in range(a):
            A[m, a] = A[a, m]
        if not free[a]:
            A[a, a] = 1.0
    return acc


@njit(cache=True)
def _chol_solve(M, rhs, x, L):
    n = M.shape[0]
    for i in range(n):
        for j in range(i + 1):
            sm = M[i, j]
            for k in range(j):
                sm -= L[i, k] * L[j, k]
            if i == j:
                if sm <= 0.0 or not math.isfinite(sm):
                    return False
                L[i, i] = math.sqrt(sm)
            else:
                L[i, j] = sm / L[j, j]
    for i in range(n):
        sm = rhs[i]
        for k in range(i):
            sm -= L[i, k] * x[k]
        x[i] = sm / L[i, i]
    for i in range(n - 1, -1, -1):
        sm = x[i]
        for k in range(i + 1, n):
            sm -= L[k, i] * x[k]
        x[i] = sm / L[i, i]
    return True


@njit(cache=True)
def _grad_cos(A, gr, rss, free):
    worst = 0.0
    for k in range(NPAR5):
        if free[k] and A[k, k] > 0.0 and rss > 0.0:
            v = abs(gr[k]) / math.sqrt(A[k, k] * rss)
            if v > worst:
                worst = v
    return worst


@njit(cache=True)
def _lm(lx, y, w, s, e, p, free, lo, hi, maxit, A, gr, M, L, dx, pt, At, gt, jrow):
    """Levenberg–Marquardt from p (in place). Returns (rss, converged); A, gr hold JᵀWJ and
    JᵀWr at p on return."""
    rss = _normal(lx, y, w, s, e, p, free, A, gr, jrow)
    if not math.isfinite(rss):
        return rss, False
    lam = LAMBDA_START
    nu = 2.0
    for _ in range(maxit):
        dmax = 0.0
        for k in range(NPAR5):
            dmax = max(dmax, A[k, k])
        for a in range(NPAR5):
            for m in range(NPAR5):
                M[a, m] = A[a, m]
            M[a, a] += lam * max(A[a, a], DIAG_FLOOR * dmax)
        if not _chol_solve(M, gr, dx, L):
            lam *= 10.0
            if lam > LAMBDA_MAX:
                break
            continue
        pred = 0.0
        for a in range(NPAR5):
            pred += dx[a] * (lam * max(A[a, a], DIAG_FLOOR * dmax) * dx[a] + gr[a])
        small = True
        for k in range(NPAR5):
            v = p[k] + (dx[k] if free[k] else 0.0)
            v = min(max(v, lo[k]), hi[k])
            pt[k] = v
            if abs(v - p[k]) > STEP_RTOL * (abs(p[k]) + STEP_RTOL):
                small = False
        rt = _normal(lx, y, w, s, e, pt, free, At, gt, jrow)
        if math.isfinite(rt) and rt <= rss:
            drop = rss - rt
            old = rss
            rss = rt
            for a in range(NPAR5):
                p[a] = pt[a]
                gr[a] = gt[a]
                for m in range(NPAR5):
                    A[a, m] = At[a, m]
            rho = drop / pred if pred > 0.0 else 0.0
            t3 = 2.0 * rho - 1.0
            lam = max(lam * max(1.0 / 3.0, 1.0 - t3 * t3 * t3), LAMBDA_MIN)
            nu = 2.0
            if small or (drop <= RSS_RTOL * old and _grad_cos(A, gr, rss, free) <= GRAD_COS_TOL):
                break
        else:
            lam *= nu
            nu *= 2.0
            if lam > LAMBDA_MAX or small:
                break
    conv = _grad_cos(A, gr, rss, free) <= GRAD_COS_TOL
    if not conv:
        yss = 0.0
        for i in range(s, e):
            yss += w[i] * y[i] * y[i]
        conv = rss <= EXACT_FIT * yss
    return rss, conv


@njit(cache=True)
def _covariance(A, free, cov, M, L, dx, rhs):
    """Unscaled (JᵀWJ)⁻¹ over the free parameters (0 rows/columns for the fixed ones);
    returns the condition number of the unit-diagonal scaled matrix (inf if singular)."""
    sc = np.empty(NPAR5)
    for k in range(NPAR5):
        sc[k] = math.sqrt(A[k, k]) if A[k, k] > 0.0 else 0.0
        if sc[k] == 0.0 or not math.isfinite(sc[k]):
            for a in range(NPAR5):
                for m in range(NPAR5):
                    cov[a, m] = np.nan
            return np.inf
    for a in range(NPAR5):
        for m in range(NPAR5):
            M[a, m] = A[a, m] / (sc[a] * sc[m])
    for k in range(NPAR5):
        for m in range(NPAR5):
            rhs[m] = 0.0
        rhs[k] = 1.0
        if not _chol_solve(M, rhs, dx, L):
            for a in range(NPAR5):
                for m in range(NPAR5):
                    cov[a, m] = np.nan
            return np.inf
        for m in range(NPAR5):
            cov[m, k] = dx[m] / (sc[m] * sc[k])
    pmin = np.inf
    pmax = 0.0
    for k in range(NPAR5):
        v = L[k, k] * L[k, k]
        pmin = min(pmin, v)
        pmax = max(pmax, v)
    for k in range(NPAR5):
        if not free[k]:
            for m in range(NPAR5):
                cov[k, m] = 0.0
                cov[m, k] = 0.0
    return pmax / pmin


@njit(cache=True)
def fit_batch5(lx, y, w, offsets, todo, p_start, free, lo, hi, maxit, out_p, out_cov, out_rss,
               out_code, out_cond, out_stats):
    """Fit the 5PL to every curve k with ``todo[k]`` from ``p_start[k]`` (5,); outputs as
    :func:`neuromoa.fitting._kernels.fit_batch` (``out_stats``: weighted total SS, min and max
    of the fitted fraction f^s over the data, points with f^s in the 10–90 % transition)."""
    A = np.empty((NPAR5, NPAR5))
    At = np.empty((NPAR5, NPAR5))
    M = np.empty((NPAR5, NPAR5))
    L = np.zeros((NPAR5, NPAR5))
    gr = np.empty(NPAR5)
    gt = np.empty(NPAR5)
    dx = np.empty(NPAR5)
    pt = np.empty(NPAR5)
    p = np.empty(NPAR5)
    jrow = np.empty(NPAR5)
    rhs = np.empty(NPAR5)
    cov = np.empty((NPAR5, NPAR5))
    for k in range(offsets.shape[0] - 1):
        if not todo[k]:
            continue
        s = offsets[k]
        e = offsets[k + 1]
        for m in range(NPAR5):
            p[m] = min(max(p_start[k, m], lo[m]), hi[m])
        rss, conv = _lm(lx, y, w, s, e, p, free, lo, hi, maxit, A, gr, M, L, dx, pt, At, gt,
                        jrow)
        cond = _covariance(A, free, cov, M, L, dx, rhs)
        sw = swy = 0.0
        for i in range(s, e):
            sw += w[i]
            swy += w[i] * y[i]
        ybar = swy / sw if sw > 0.0 else 0.0
        sst = 0.0
        fmin = np.inf
        fmax = -np.inf
        ntr = 0.0
        for i in range(s, e):
            sst += w[i] * (y[i] - ybar) ** 2
            f, lf, _ = _frac(lx[i], p[2], p[3])
            g = math.exp(p[ASYM] * lf) if f > 0.0 else 0.0
            fmin = min(fmin, g)
            fmax = max(fmax, g)
            if TRANSITION[0] < g < TRANSITION[1]:
                ntr += 1.0
        out_stats[k, 0] = sst
        out_stats[k, 1] = fmin
        out_stats[k, 2] = fmax
        out_stats[k, 3] = ntr
        for m in range(NPAR5):
            out_p[k, m] = p[m]
            for q in range(NPAR5):
                out_cov[k, m, q] = cov[m, q]
        out_rss[k] = rss
        out_cond[k] = cond
        if not math.isfinite(cond):
            out_code[k] = SINGULAR
        elif not conv:
            out_code[k] = NOT_CONVERGED
        else:
            out_code[k] = OK
