"""Compiled (numba) kernels: a per-curve Levenberg–Marquardt fit of the four-parameter logistic.

Parameter vector (kernel space, every model maps onto it)::

    p = (bottom, top, c = log10 IC50, h = hill)
    Y(X) = bottom + (top − bottom) · f,   f = 1 / (1 + 10^((c − log10 X)·h))

which is GraphPad Prism's "log(inhibitor) vs. response – variable slope" written with the
logistic function ``f = σ(ln10 · h · (log10 X − c))``. X = 0 is the limit X → 0 (``f = 0`` for
h > 0, ``f = 1`` for h < 0, ``f = ½`` for h = 0), as in R's drc; its derivatives with respect
to c and h are then 0. Data arrive as ``lx = log10 X`` with ``-inf`` for X = 0.

Algorithm (per curve, no Python in the loop):

1. **Starting values by variable projection**: for fixed (c, h) the model is linear in bottom
   and top, so a grid over c (spanning the tested range) and |h| is scanned, solving the 2×2
   weighted linear least-squares problem at each node; with both plateaus free the sign of h
   is redundant (σ(−z) = 1 − σ(z) swaps the plateaus), so only positive |h| is scanned.
2. **Levenberg–Marquardt** (Marquardt 1963, diagonal scaling, projected onto the bounds)
   with the analytic Jacobian, stopped at machine-precision stationarity.
3. **Covariance**: ``s² (JᵀWJ)⁻¹`` (Gauss–Newton, as Prism and ``curve_fit``) or
   ``s² H⁻¹`` with the observed Hessian ``H = JᵀWJ − Σ wᵢ rᵢ ∇²μᵢ`` (as R drc), s² = RSS/df.
4. **Profile likelihood** interval for c: the set where the profiled RSS stays below
   ``RSS_min · (1 + F(0.95; 1, df)/df)`` (Prism's F-based profile), located by bracketing and
   Illinois regula falsi on each side.

References: Marquardt DW, J Soc Ind Appl Math 1963;11:431. Motulsky H, Christopoulos A,
*Fitting models to biological data using linear and nonlinear regression*, OUP 2004 (ch. 4, 19,
34). Ritz C et al., PLoS One 2015;10:e0146021 (drc). Venzon DJ, Moolgavkar SH, Appl Stat
1988;37:87 (profile likelihood intervals).
"""

from __future__ import annotations

import math

import numpy as np

from neuromoa.fitting._jit import native, njit

# index of each kernel parameter in ``p`` (declared with the models)
from neuromoa.fitting.models import BOTTOM, HILL, LOGC, NPAR, TOP

#: ln(10): converts decadic exponents to natural ones (exact constant).
LN10 = math.log(10.0)

#: Levenberg–Marquardt controls (assumption: standard choices, Press et al., Numerical Recipes
#: 3rd ed. §15.5.2: start λ = 1e-3, divide by 10 on success, multiply by 10 on failure).
LAMBDA_START = 1e-3
LAMBDA_DOWN = 10.0
LAMBDA_UP = 10.0
LAMBDA_MAX = 1e16
LAMBDA_MIN = 1e-15
#: Switch from Gauss–Newton to full-Hessian (Newton) steps once an accepted step lowers RSS
#: by less than this fraction, i.e. near the optimum (assumption, tuned on 4PL benchmarks).
NEWTON_SWITCH = 0.1
#: Stop when an accepted step lowers RSS by less than this fraction (near float64 epsilon).
RSS_RTOL = 1e-11
#: Stop when every accepted step component is below this relative size.
STEP_RTOL = 1e-12
#: Converged when the cosine between residual vector and every Jacobian column is below this
#: (MINPACK's gtol criterion; assumption: 1e-6 is stationary to well below data noise).
GRAD_COS_TOL = 1e-6
#: Early stop needs this stationarity as well as a negligible RSS drop.
GRAD_COS_STOP = 1e-7
#: An RSS below this fraction of Σ w y² is an exact fit (float64 round-off level, squared).
EXACT_FIT = 1e-24
#: Relative floor for the Marquardt diagonal so that a zero column still gets damping.
DIAG_FLOOR = 1e-12

#: Slope multipliers tried at the best grid node (assumption: spans Hill 0.5–4 from 1).
START_HILL_FACTORS = (0.5, 2.0)
#: Whether to refine slope / location around the best grid node before LM (measured: the
#: extra evaluations cost more than the Levenberg–Marquardt iterations they save).
REFINE_H = False
REFINE_C = False

#: Fast-math flags for the inner loops: allow reassociation/contraction and approximate
#: functions, but keep IEEE inf/NaN semantics (X = 0 is encoded as log10 X = -inf).
_FM = {"nsz", "arcp", "contract", "afn", "reassoc"}

#: Kernel outcome codes.
OK, NOT_CONVERGED, SINGULAR = 0, 1, 2


@njit(cache=True, fastmath=_FM)
def _sig(lxi, c, h):
    """Logistic fraction f at log10 X = lxi; the X = 0 limit when lxi is -inf."""
    if lxi == -np.inf:
        if h > 0.0:
            return 0.0
        if h < 0.0:
            return 1.0
        return 0.5
    z = LN10 * h * (lxi - c)
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def model_eval(lx, p):
    """Model values at log10 concentrations ``lx`` (array) for kernel parameters ``p``."""
    out = np.empty(lx.shape[0])
    d = p[TOP] - p[BOTTOM]
    for i in range(lx.shape[0]):
        out[i] = p[BOTTOM] + d * _sig(lx[i], p[LOGC], p[HILL])
    return out


@njit(cache=True, fastmath=_FM)
def _rss(lx, y, w, s, e, p):
    b = p[BOTTOM]
    d = p[TOP] - b
    c = p[LOGC]
    h = p[HILL]
    acc = 0.0
    for i in range(s, e):
        r = y[i] - (b + d * _sig(lx[i], c, h))
        acc += w[i] * r * r
    return acc


@njit(cache=True, fastmath=_FM)
def _normal(lx, y, w, s, e, p, free, A, g):
    """RSS at p; fill A = JᵀWJ and g = JᵀWr (fixed parameters: identity row, zero gradient)."""
    b = p[BOTTOM]
    d = p[TOP] - b
    c = p[LOGC]
    h = p[HILL]
    a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
    g0 = g1 = g2 = g3 = 0.0
    acc = 0.0
    for i in range(s, e):
        xi = lx[i]
        f = _sig(xi, c, h)
        r = y[i] - (b + d * f)
        wi = w[i]
        acc += wi * r * r
        j0 = 1.0 - f
        j1 = f
        if xi == -np.inf:
            j2 = 0.0
            j3 = 0.0
        else:
            q = f * (1.0 - f) * LN10 * d
            j2 = -q * h
            j3 = q * (xi - c)
        wj0 = wi * j0
        wj1 = wi * j1
        wj2 = wi * j2
        wj3 = wi * j3
        a00 += wj0 * j0
        a01 += wj0 * j1
        a02 += wj0 * j2
        a03 += wj0 * j3
        a11 += wj1 * j1
        a12 += wj1 * j2
        a13 += wj1 * j3
        a22 += wj2 * j2
        a23 += wj2 * j3
        a33 += wj3 * j3
        g0 += wj0 * r
        g1 += wj1 * r
        g2 += wj2 * r
        g3 += wj3 * r
    A[0, 0] = a00
    A[0, 1] = A[1, 0] = a01
    A[0, 2] = A[2, 0] = a02
    A[0, 3] = A[3, 0] = a03
    A[1, 1] = a11
    A[1, 2] = A[2, 1] = a12
    A[1, 3] = A[3, 1] = a13
    A[2, 2] = a22
    A[2, 3] = A[3, 2] = a23
    A[3, 3] = a33
    g[0] = g0
    g[1] = g1
    g[2] = g2
    g[3] = g3
    for k in range(NPAR):
        if not free[k]:
            for m in range(NPAR):
                A[k, m] = 0.0
                A[m, k] = 0.0
            A[k, k] = 1.0
            g[k] = 0.0
    return acc


@njit(cache=True, fastmath=_FM)
def _normal2(lx, y, w, s, e, p, free, A, g, S):
    """As :func:`_normal` (same single pass), and S = Σ wᵢ rᵢ ∇²μᵢ, so that A − S is the
    Hessian of RSS/2."""
    b = p[BOTTOM]
    d = p[TOP] - b
    c = p[LOGC]
    h = p[HILL]
    a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
    g0 = g1 = g2 = g3 = 0.0
    s02 = s03 = s22 = s23 = s33 = 0.0
    acc = 0.0
    sc = -LN10 * h
    for i in range(s, e):
        xi = lx[i]
        f = _sig(xi, c, h)
        r = y[i] - (b + d * f)
        wi = w[i]
        acc += wi * r * r
        j0 = 1.0 - f
        j1 = f
        wj0 = wi * j0
        wj1 = wi * j1
        a00 += wj0 * j0
        a01 += wj0 * j1
        a11 += wj1 * j1
        g0 += wj0 * r
        g1 += wj1 * r
        if xi != -np.inf:
            f1 = f * (1.0 - f)
            sh = LN10 * (xi - c)
            q = f1 * d
            j2 = q * sc
            j3 = q * sh
            wj2 = wi * j2
            wj3 = wi * j3
            a02 += wj0 * j2
            a03 += wj0 * j3
            a12 += wj1 * j2
            a13 += wj1 * j3
            a22 += wj2 * j2
            a23 += wj2 * j3
            a33 += wj3 * j3
            g2 += wj2 * r
            g3 += wj3 * r
            wr = wi * r
            f2 = f1 * (1.0 - 2.0 * f)
            s02 += wr * f1 * sc
            s03 += wr * f1 * sh
            wrd2 = wr * d * f2
            s22 += wrd2 * sc * sc
            s23 += wrd2 * sc * sh - wr * d * f1 * LN10
            s33 += wrd2 * sh * sh
    A[0, 0] = a00
    A[0, 1] = A[1, 0] = a01
    A[0, 2] = A[2, 0] = a02
    A[0, 3] = A[3, 0] = a03
    A[1, 1] = a11
    A[1, 2] = A[2, 1] = a12
    A[1, 3] = A[3, 1] = a13
    A[2, 2] = a22
    A[2, 3] = A[3, 2] = a23
    A[3, 3] = a33
    g[0] = g0
    g[1] = g1
    g[2] = g2
    g[3] = g3
    # d2mu/dB dc = -f1*sc, d2mu/dT dc = +f1*sc (same for h): S[0,k] = -S[1,k]
    for a in range(NPAR):
        for m in range(NPAR):
            S[a, m] = 0.0
    S[0, 2] = S[2, 0] = -s02
    S[0, 3] = S[3, 0] = -s03
    S[1, 2] = S[2, 1] = s02
    S[1, 3] = S[3, 1] = s03
    S[2, 2] = s22
    S[2, 3] = S[3, 2] = s23
    S[3, 3] = s33
    for k in range(NPAR):
        if not free[k]:
            for m in range(NPAR):
                A[k, m] = 0.0
                A[m, k] = 0.0
                S[k, m] = 0.0
                S[m, k] = 0.0
            A[k, k] = 1.0
            g[k] = 0.0
    return acc


@njit(cache=True)
def _second(lx, y, w, s, e, p, free, H):
    """Subtract Σ wᵢ rᵢ ∇²μᵢ from H (turning JᵀWJ into the observed Hessian of RSS/2)."""
    b = p[BOTTOM]
    d = p[TOP] - b
    c = p[LOGC]
    h = p[HILL]
    for i in range(s, e):
        xi = lx[i]
        if xi == -np.inf:
            continue  # all second derivatives vanish in the X -> 0 limit
        f = _sig(xi, c, h)
        wr = w[i] * (y[i] - (b + d * f))
        f1 = f * (1.0 - f)
        f2 = f1 * (1.0 - 2.0 * f)
        sc = -LN10 * h
        sh = LN10 * (xi - c)
        # d2mu: (B,c) (B,h) (T,c) (T,h) (c,c) (c,h) (h,h); (B,B) (B,T) (T,T) are zero
        bc = -f1 * sc
        bh = -f1 * sh
        tc = f1 * sc
        th = f1 * sh
        cc = d * f2 * sc * sc
        ch = d * (f2 * sc * sh - f1 * LN10)
        hh = d * f2 * sh * sh
        H[0, 2] -= wr * bc
        H[0, 3] -= wr * bh
        H[1, 2] -= wr * tc
        H[1, 3] -= wr * th
        H[2, 2] -= wr * cc
        H[2, 3] -= wr * ch
        H[3, 3] -= wr * hh
    H[2, 0] = H[0, 2]
    H[3, 0] = H[0, 3]
    H[2, 1] = H[1, 2]
    H[3, 1] = H[1, 3]
    H[3, 2] = H[2, 3]
    for k in range(NPAR):
        if not free[k]:
            for m in range(NPAR):
                H[k, m] = 0.0
                H[m, k] = 0.0
            H[k, k] = 1.0


@njit(cache=True)
def _chol_solve(M, g, x, L):
    """Solve M x = g for 4×4 symmetric positive-definite M by Cholesky; False if not SPD."""
    for i in range(NPAR):
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
    for i in range(NPAR):
        sm = g[i]
        for k in range(i):
            sm -= L[i, k] * x[k]
        x[i] = sm / L[i, i]
    for i in range(NPAR - 1, -1, -1):
        sm = x[i]
        for k in range(i + 1, NPAR):
            sm -= L[k, i] * x[k]
        x[i] = sm / L[i, i]
    return True


@njit(cache=True)
def _grad_cos(A, g, rss, free):
    """max_k |g_k| / sqrt(A_kk · RSS): MINPACK's scale-free stationarity measure."""
    worst = 0.0
    for k in range(NPAR):
        if free[k] and A[k, k] > 0.0 and rss > 0.0:
            v = abs(g[k]) / math.sqrt(A[k, k] * rss)
            if v > worst:
                worst = v
    return worst


@njit(cache=True)
def _hold(M, act):
    """Remove held parameters from the step equations (identity rows/columns)."""
    for k in range(NPAR):
        if act[k]:
            for m in range(NPAR):
                M[k, m] = 0.0
                M[m, k] = 0.0
            M[k, k] = 1.0


@njit(cache=True)
def _lm(lx, y, w, s, e, p, free, lo, hi, maxit, A, g, M, L, dx, pt, At, gt, S, St):
    """Levenberg–Marquardt from p (updated in place). Returns (rss, iterations, converged).

    The damped step solves ``(H + λ·diag(JᵀWJ)) δ = JᵀWr`` with H the full Hessian of RSS/2
    (Newton: quadratic convergence near the optimum, where Gauss–Newton is only linear when
    residuals are not small) whenever that matrix is positive definite, and with H = JᵀWJ
    (Gauss–Newton) otherwise. On return A and g hold JᵀWJ and JᵀWr at p."""
    rss = _normal2(lx, y, w, s, e, p, free, A, g, S)
    if not math.isfinite(rss):
        return rss, 0, False
    act = np.zeros(NPAR, np.bool_)
    gw = np.empty(NPAR)
    nu = 2.0
    lam = LAMBDA_START
    newton = False
    it = 0
    while it < maxit:
        it += 1
        dmax = 0.0
        for k in range(NPAR):
            if A[k, k] > dmax:
                dmax = A[k, k]
        # active set: a parameter at a bound whose gradient points outward is held there
        nact = 0
        for k in range(NPAR):
            act[k] = free[k] and ((p[k] <= lo[k] and g[k] < 0.0)
                                  or (p[k] >= hi[k] and g[k] > 0.0))
            gw[k] = 0.0 if act[k] else g[k]
            if act[k]:
                nact += 1
        ok = False
        if newton:
            for a in range(NPAR):
                for b in range(NPAR):
                    M[a, b] = A[a, b] - S[a, b]
                M[a, a] += lam * max(A[a, a], DIAG_FLOOR * dmax)
            if nact:
                _hold(M, act)
            ok = _chol_solve(M, gw, dx, L)
        if not ok:
            for a in range(NPAR):
                for b in range(NPAR):
                    M[a, b] = A[a, b]
                M[a, a] += lam * max(A[a, a], DIAG_FLOOR * dmax)
            if nact:
                _hold(M, act)
            if not _chol_solve(M, gw, dx, L):
                lam *= LAMBDA_UP
                if lam > LAMBDA_MAX:
                    break
                continue
        # predicted drop of the local quadratic model: δᵀ(g + λDδ)
        pred = 0.0
        for a in range(NPAR):
            pred += dx[a] * (lam * max(A[a, a], DIAG_FLOOR * dmax) * dx[a] + gw[a])
        # converged without evaluating: negligible predicted drop at a stationary p
        if pred <= RSS_RTOL * rss and _grad_cos(A, gw, rss, free) <= GRAD_COS_STOP:
            break
        small = True
        for k in range(NPAR):
            v = p[k] + dx[k]
            if v < lo[k]:
                v = lo[k]
            elif v > hi[k]:
                v = hi[k]
            pt[k] = v
            if abs(v - p[k]) > STEP_RTOL * (abs(p[k]) + STEP_RTOL):
                small = False
        rt = _normal2(lx, y, w, s, e, pt, free, At, gt, St)
        if math.isfinite(rt) and rt <= rss:
            drop = rss - rt
            old = rss
            rss = rt
            for a in range(NPAR):
                p[a] = pt[a]
                g[a] = gt[a]
                for b in range(NPAR):
                    A[a, b] = At[a, b]
                    S[a, b] = St[a, b]
            # Nielsen's gain-ratio update (Madsen, Nielsen & Tingleff 2004, eq. 3.16)
            rho = drop / pred if pred > 0.0 else 0.0
            t3 = 2.0 * rho - 1.0
            lam *= max(1.0 / 3.0, 1.0 - t3 * t3 * t3)
            lam = max(lam, LAMBDA_MIN)
            nu = 2.0
            newton = drop <= NEWTON_SWITCH * old
            if small or (drop <= RSS_RTOL * old and _grad_cos(A, g, rss, free) <= GRAD_COS_STOP):
                break
            if drop <= RSS_RTOL * old and nact:
                break
        else:
            lam *= nu
            nu *= 2.0
            if lam > LAMBDA_MAX or small:
                break
    for k in range(NPAR):  # stationarity counts only the parameters not held at a bound
        held = free[k] and ((p[k] <= lo[k] and g[k] < 0.0) or (p[k] >= hi[k] and g[k] > 0.0))
        gw[k] = 0.0 if held else g[k]
    conv = _grad_cos(A, gw, rss, free) <= GRAD_COS_TOL
    if not conv:
        yss = 0.0
        for i in range(s, e):
            yss += w[i] * y[i] * y[i]
        conv = rss <= EXACT_FIT * yss
    return rss, it, conv


@njit(cache=True, fastmath=_FM)
def _linear_plateaus(lx, y, w, s, e, c, h, free, p, fb, buf, cfac):
    """Best bottom/top for fixed (c, h) by weighted linear least squares; returns RSS.

    ``p`` supplies fixed plateaus; the (bottom, top) used go to ``fb``. The RSS comes from the
    accumulated moments (one pass). With ``cfac > 0`` the fractions come without an
    exponential from ``buf[i − s] = 10^(−h·log10 Xᵢ)`` as ``f = 1/(1 + cfac·buf)``,
    ``cfac = 10^(h·c)`` (the grid reuses ``buf`` across locations)."""
    suu = suv = svv = suy = svy = syy = 0.0
    b = p[BOTTOM]
    t = p[TOP]
    fixb = not free[BOTTOM]
    fixt = not free[TOP]
    for i in range(s, e):
        if cfac > 0.0:
            f = 1.0 / (1.0 + cfac * buf[i - s])
        else:
            f = _sig(lx[i], c, h)
        u = 1.0 - f
        wi = w[i]
        yi = y[i]
        if fixb:
            yi -= b * u
        if fixt:
            yi -= t * f
        suu += wi * u * u
        suv += wi * u * f
        svv += wi * f * f
        suy += wi * u * yi
        svy += wi * f * yi
        syy += wi * yi * yi
    bb = 0.0  # coefficients of the free plateaus (fixed ones were moved to the left side)
    tt = 0.0
    if free[BOTTOM] and free[TOP]:
        det = suu * svv - suv * suv
        if det <= 1e-12 * (suu * svv) or det <= 0.0:
            return np.inf
        bb = (suy * svv - svy * suv) / det
        tt = (svy * suu - suy * suv) / det
        b = bb
        t = tt
    elif free[BOTTOM]:
        if suu <= 0.0:
            return np.inf
        bb = suy / suu
        b = bb
    elif free[TOP]:
        if svv <= 0.0:
            return np.inf
        tt = svy / svv
        t = tt
    fb[0] = b
    fb[1] = t
    rss = syy - 2.0 * (bb * suy + tt * svy) + bb * bb * suu + 2.0 * bb * tt * suv + tt * tt * svv
    return max(rss, 0.0)


@njit(cache=True)
def _start(lx, y, w, s, e, p, free, lo, hi, cgrid_n, hgrid, fb, buf, rg):
    """Fill p with starting values from a variable-projection grid over (c, h)."""
    xmin = np.inf
    xmax = -np.inf
    for i in range(s, e):
        if lx[i] != -np.inf:
            if lx[i] < xmin:
                xmin = lx[i]
            if lx[i] > xmax:
                xmax = lx[i]
    if not math.isfinite(xmin):  # only zero-dose rows: c is not identifiable
        xmin = 0.0
        xmax = 0.0
    best = np.inf
    bc = p[LOGC]
    bh = p[HILL]
    bb = p[BOTTOM]
    bt = p[TOP]
    nc = cgrid_n if free[LOGC] else 1
    both = free[BOTTOM] and free[TOP]
    nh = hgrid.shape[0] if free[HILL] else 1
    nsign = 1 if (both or not free[HILL]) else 2
    jb = 0
    row_best = False
    rm = np.inf
    rp = np.inf
    for ih in range(nh):
        for sg in range(nsign):
            if free[HILL]:
                h = hgrid[ih] if sg == 0 else -hgrid[ih]
                h = min(max(h, lo[HILL]), hi[HILL])
                if h == 0.0:  # a flat start carries no information (bounds clipped it)
                    continue
            else:
                h = p[HILL]
            for i in range(s, e):  # one exponential per point and slope
                buf[i - s] = math.exp(-LN10 * h * lx[i])
            for ic in range(nc):
                if free[LOGC]:
                    if nc == 1 or xmax == xmin:
                        c = xmin
                    else:
                        c = xmin + (xmax - xmin) * ic / (nc - 1)
                    c = min(max(c, lo[LOGC]), hi[LOGC])
                else:
                    c = p[LOGC]
                cf = math.exp(LN10 * h * c)
                if not (cf > 0.0 and math.isfinite(cf)):
                    continue
                r = _linear_plateaus(lx, y, w, s, e, c, h, free, p, fb, buf, cf)
                rg[ic] = r
                if r < best:
                    best = r
                    bc = c
                    bh = h
                    bb = fb[0]
                    bt = fb[1]
                    jb = ic
                    row_best = True
            if row_best:  # keep the neighbours of the best node for the parabola below
                rm = rg[jb - 1] if jb > 0 else np.inf
                rp = rg[jb + 1] if jb < nc - 1 else np.inf
                row_best = False
    if (math.isfinite(best) and free[LOGC] and nc > 2 and xmax > xmin and math.isfinite(rm)
            and math.isfinite(rp)):
        # parabolic interpolation of the profile RSS(c) through the best node and neighbours
        den = rm - 2.0 * best + rp
        if den > 0.0:
            frac = min(max(0.5 * (rm - rp) / den, -0.5), 0.5)
            c = min(max(bc + frac * (xmax - xmin) / (nc - 1), lo[LOGC]), hi[LOGC])
            r = _linear_plateaus(lx, y, w, s, e, c, bh, free, p, fb, buf, 0.0)
            if r < best:
                best = r
                bc = c
                bb = fb[0]
                bt = fb[1]
    if REFINE_H and math.isfinite(best) and free[HILL]:  # refine the slope at the best location
        h0 = bh
        for fac in START_HILL_FACTORS:
            h = min(max(h0 * fac, lo[HILL]), hi[HILL])
            r = _linear_plateaus(lx, y, w, s, e, bc, h, free, p, fb, buf, 0.0)
            if r < best:
                best = r
                bh = h
                bb = fb[0]
                bt = fb[1]
    if REFINE_C and math.isfinite(best) and free[LOGC] and nc > 1 and xmax > xmin:
        step = 0.5 * (xmax - xmin) / (nc - 1)  # half a grid spacing either side
        c0 = bc
        for sgn in (-1.0, 1.0):
            c = min(max(c0 + sgn * step, lo[LOGC]), hi[LOGC])
            r = _linear_plateaus(lx, y, w, s, e, c, bh, free, p, fb, buf, 0.0)
            if r < best:
                best = r
                bc = c
                bb = fb[0]
                bt = fb[1]
    if not math.isfinite(best):  # degenerate design: plateaus from the data range
        ymin = np.inf
        ymax = -np.inf
        for i in range(s, e):
            ymin = min(ymin, y[i])
            ymax = max(ymax, y[i])
        if free[BOTTOM]:
            bb = ymin
        if free[TOP]:
            bt = ymax
        if free[LOGC]:
            bc = 0.5 * (xmin + xmax)
        if free[HILL]:
            bh = 1.0
    p[BOTTOM] = min(max(bb, lo[BOTTOM]), hi[BOTTOM])
    p[TOP] = min(max(bt, lo[TOP]), hi[TOP])
    p[LOGC] = bc
    p[HILL] = bh


@njit(cache=True)
def _covariance(lx, y, w, s, e, p, free, observed, A, g, M, L, dx, cov, sc, e_k):
    """Unscaled covariance (JᵀWJ)⁻¹ or H⁻¹ over free parameters; returns the scaled
    condition number (inf when singular). ``A`` must hold JᵀWJ at ``p`` (as _lm leaves it)."""
    if observed:
        _second(lx, y, w, s, e, p, free, A)
    # scale to unit diagonal so that the condition number is about correlation, not units
    for k in range(NPAR):
        sc[k] = math.sqrt(A[k, k]) if A[k, k] > 0.0 else 0.0
    for k in range(NPAR):
        if sc[k] == 0.0 or not math.isfinite(sc[k]):
            for a in range(NPAR):
                for b in range(NPAR):
                    cov[a, b] = np.nan
            return np.inf
    for a in range(NPAR):
        for b in range(NPAR):
            M[a, b] = A[a, b] / (sc[a] * sc[b])
    # inverse column by column; pivots give a cheap condition estimate
    for k in range(NPAR):
        for m in range(NPAR):
            e_k[m] = 0.0
        e_k[k] = 1.0
        if not _chol_solve(M, e_k, dx, L):
            for a in range(NPAR):
                for b in range(NPAR):
                    cov[a, b] = np.nan
            return np.inf
        for m in range(NPAR):
            cov[m, k] = dx[m] / (sc[m] * sc[k])
    pmin = np.inf
    pmax = 0.0
    for k in range(NPAR):
        v = L[k, k] * L[k, k]
        pmin = min(pmin, v)
        pmax = max(pmax, v)
    for k in range(NPAR):
        if not free[k]:
            for m in range(NPAR):
                cov[k, m] = 0.0
                cov[m, k] = 0.0
    return pmax / pmin


#: Bounds of the "transition" of a sigmoid: a point with 0.1 < f < 0.9 informs the slope.
TRANSITION = (0.1, 0.9)


@njit(cache=True, fastmath=_FM)
def _summary(lx, y, w, s, e, p, out):
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
        d = y[i] - ybar
        sst += w[i] * d * d
        f = _sig(lx[i], p[LOGC], p[HILL])
        fmin = min(fmin, f)
        fmax = max(fmax, f)
        if TRANSITION[0] < f < TRANSITION[1]:
            ntr += 1.0
    out[0] = sst
    out[1] = fmin
    out[2] = fmax
    out[3] = ntr


@njit(cache=True)
def _swap_plateaus(p, cov):
    """Same curve, top ≥ bottom: swap the plateaus, negate hill; permute/negate cov alike."""
    t = p[BOTTOM]
    p[BOTTOM] = p[TOP]
    p[TOP] = t
    p[HILL] = -p[HILL]
    for m in range(NPAR):  # swap rows 0 and 1, then columns 0 and 1
        t = cov[BOTTOM, m]
        cov[BOTTOM, m] = cov[TOP, m]
        cov[TOP, m] = t
    for m in range(NPAR):
        t = cov[m, BOTTOM]
        cov[m, BOTTOM] = cov[m, TOP]
        cov[m, TOP] = t
    for m in range(NPAR):  # hill -> -hill flips the sign of its covariances
        if m != HILL:
            cov[HILL, m] = -cov[HILL, m]
            cov[m, HILL] = -cov[m, HILL]


@njit(cache=True, nogil=True)
def fit_batch(lx, y, w, offsets, todo, p_init, free, lo, hi, maxit, cgrid_n, hgrid, observed,
              canonical, out_p, out_cov, out_rss, out_it, out_code, out_cond, out_stats,
              warm=False):
    """Fit every curve ``k`` with ``todo[k]``; data of curve k are ``[offsets[k], offsets[k+1])``.

    ``p_init[k]`` holds values of fixed parameters (free entries are overwritten by the
    grid start, unless ``warm``: then ``p_init[k]`` is the start of every parameter). With ``canonical`` a fit with top < bottom is rewritten as the same curve with
    the plateaus swapped and hill negated (covariance transformed alike). Results are written
    into the ``out_*`` arrays (cov unscaled: multiply by s²;
    ``out_stats[k]`` = weighted total SS about the weighted mean, min and max of the fitted
    fraction f over the data, number of points with f in the 10–90 % transition).
    """
    A = np.empty((NPAR, NPAR))
    M = np.empty((NPAR, NPAR))
    L = np.zeros((NPAR, NPAR))
    g = np.empty(NPAR)
    dx = np.empty(NPAR)
    pt = np.empty(NPAR)
    p = np.empty(NPAR)
    cov = np.empty((NPAR, NPAR))
    At = np.empty((NPAR, NPAR))
    S = np.empty((NPAR, NPAR))
    St = np.empty((NPAR, NPAR))
    v1 = np.empty(NPAR)
    v2 = np.empty(NPAR)
    v3 = np.empty(NPAR)
    mlen = 1
    for k in range(offsets.shape[0] - 1):
        mlen = max(mlen, offsets[k + 1] - offsets[k])
    buf = np.empty(mlen)
    rg = np.empty(max(cgrid_n, 1))
    for k in range(offsets.shape[0] - 1):
        if not todo[k]:
            continue
        s = offsets[k]
        e = offsets[k + 1]
        for m in range(NPAR):
            p[m] = p_init[k, m]
        if not warm:
            _start(lx, y, w, s, e, p, free, lo, hi, cgrid_n, hgrid, v1, buf, rg)
        rss, it, conv = _lm(lx, y, w, s, e, p, free, lo, hi, maxit, A, g, M, L, dx, pt, At, v1,
                            S, St)
        cond = _covariance(lx, y, w, s, e, p, free, observed, A, g, M, L, dx, cov, v2, v3)
        if canonical and p[TOP] < p[BOTTOM]:
            _swap_plateaus(p, cov)
        _summary(lx, y, w, s, e, p, out_stats[k])
        for m in range(NPAR):
            out_p[k, m] = p[m]
            for q in range(NPAR):
                out_cov[k, m, q] = cov[m, q]
        out_rss[k] = rss
        out_it[k] = it
        out_cond[k] = cond
        if not math.isfinite(cond):
            out_code[k] = SINGULAR
        elif not conv:
            out_code[k] = NOT_CONVERGED
        else:
            out_code[k] = OK


#: :func:`fit_batch` through its native entry point (no numba start-up; see ``_jit``).
fit_batch_native = native(__name__, "fit_batch",
                          "f8[:] f8[:] f8[:] i8[:] b1[:] f8[:,:] b1[:] f8[:] f8[:] i8 i8 f8[:] b1 b1 "
                          "f8[:,:] f8[:,:,:] f8[:] i8[:] i8[:] f8[:] f8[:,:] b1")


@njit(cache=True)
def _profile_rss(lx, y, w, s, e, p, free_c, lo, hi, maxit, A, g, M, L, dx, pt, At, gt, S, St):
    rss, _, _ = _lm(lx, y, w, s, e, p, free_c, lo, hi, maxit, A, g, M, L, dx, pt, At, gt, S,
                    St)
    return rss


@njit(cache=True)
def profile_batch(lx, y, w, offsets, todo, p_best, rss_best, thresh, se_c, free, lo, hi, maxit,
                  max_span, out_lo, out_hi):
    """Profile-likelihood limits of c = log10 IC50 for every curve with ``todo[k]``.

    The limit on each side is where min over the other free parameters of RSS(c) reaches
    ``thresh[k]``; ``±inf`` when RSS stays below it within ``max_span`` decades of the estimate.
    """
    A = np.empty((NPAR, NPAR))
    M = np.empty((NPAR, NPAR))
    L = np.zeros((NPAR, NPAR))
    g = np.empty(NPAR)
    dx = np.empty(NPAR)
    pt = np.empty(NPAR)
    pin = np.empty(NPAR)
    pw = np.empty(NPAR)
    At = np.empty((NPAR, NPAR))
    gt = np.empty(NPAR)
    S = np.empty((NPAR, NPAR))
    St = np.empty((NPAR, NPAR))
    free_c = free.copy()
    free_c[LOGC] = False
    for k in range(offsets.shape[0] - 1):
        if not todo[k]:
            continue
        s = offsets[k]
        e = offsets[k + 1]
        chat = p_best[k, LOGC]
        thr = thresh[k]
        for side in range(2):
            sgn = -1.0 if side == 0 else 1.0
            step = se_c[k] if (math.isfinite(se_c[k]) and se_c[k] > 0.0) else 0.25
            step = min(max(step, 1e-3), 1.0)
            for m in range(NPAR):
                pin[m] = p_best[k, m]
            c_in = chat
            g_in = rss_best[k] - thr
            found = False
            c_out = chat
            g_out = g_in
            while True:
                c_out = chat + sgn * step
                if abs(c_out - chat) > max_span:
                    break
                for m in range(NPAR):
                    pw[m] = pin[m]
                pw[LOGC] = c_out
                r = _profile_rss(lx, y, w, s, e, pw, free_c, lo, hi, maxit, A, g, M, L, dx, pt,
                                 At, gt, S, St)
                g_out = r - thr
                if g_out > 0.0:
                    found = True
                    break
                c_in = c_out
                g_in = g_out
                for m in range(NPAR):
                    pin[m] = pw[m]
                step *= 2.0
            if not found:
                if side == 0:
                    out_lo[k] = -np.inf
                else:
                    out_hi[k] = np.inf
                continue
            # Illinois regula falsi between c_in (g<0) and c_out (g>0)
            a_c = c_in
            a_g = g_in
            b_c = c_out
            b_g = g_out
            last = 0
            root = 0.5 * (a_c + b_c)
            for _ in range(60):
                root = b_c - b_g * (b_c - a_c) / (b_g - a_g)
                if not (min(a_c, b_c) < root < max(a_c, b_c)):
                    root = 0.5 * (a_c + b_c)
                for m in range(NPAR):
                    pw[m] = pin[m]
                pw[LOGC] = root
                r = _profile_rss(lx, y, w, s, e, pw, free_c, lo, hi, maxit, A, g, M, L, dx, pt,
                                 At, gt, S, St)
                gr = r - thr
                if gr > 0.0:
                    b_c = root
                    b_g = gr
                    if last == 1:
                        a_g *= 0.5
                    last = 1
                else:
                    a_c = root
                    a_g = gr
                    for m in range(NPAR):
                        pin[m] = pw[m]
                    if last == -1:
                        b_g *= 0.5
                    last = -1
                if abs(b_c - a_c) < 1e-9 or abs(gr) <= 1e-12 * thr:
                    break
            if side == 0:
                out_lo[k] = root
            else:
                out_hi[k] = root
