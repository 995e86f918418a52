"""Compiled kernels of the result checks of :mod:`neuromoa.fitting.flags` (runs test counts
and parameter dependency), kept apart so that importing the flags does not start numba. Like the
fit kernels they run through :func:`neuromoa.fitting._jit.native` entry points (no numba start-up
once compiled)."""

from __future__ import annotations

import numpy as np

from neuromoa.fitting._jit import native, njit

__all__ = ["_max_dependency", "_max_dependency_native", "_runs_counts_4pl",
           "_runs_counts_4pl_native"]


@njit(cache=True)
def _runs_counts_4pl(x, y, offsets, params, rows, n1, n2, runs):  # pragma: no cover - numba
    """Per curve (``rows``): signs of the mean residual at each distinct X (data sorted by X
    within a curve), counted as positives ``n1``, negatives ``n2`` and ``runs``. The model is
    the kernel's 4PL (f = logistic(ln10·hill·(log10 X − c)), X = 0 its limit)."""
    ln10 = np.log(10.0)
    for i in range(offsets.size - 1):
        if not rows[i]:
            continue
        b, t, c, h = params[i, 0], params[i, 1], params[i, 2], params[i, 3]
        s, e = offsets[i], offsets[i + 1]
        last = 0.0
        j = s
        while j < e:
            xv = x[j]
            acc = 0.0
            m = 0
            while j < e and x[j] == xv:
                if xv > 0.0:
                    z = ln10 * h * (np.log10(xv) - c)
                    f = 1.0 / (1.0 + np.exp(-z)) if z >= 0.0 else np.exp(z) / (1.0 + np.exp(z))
                else:
                    f = 0.0 if h > 0.0 else (1.0 if h < 0.0 else 0.5)
                r = y[j] - (b + (t - b) * f)
                if r == r:
                    acc += r
                    m += 1
                j += 1
            if m == 0 or acc == 0.0:
                continue
            sg = 1.0 if acc > 0.0 else -1.0
            if sg > 0.0:
                n1[i] += 1
            else:
                n2[i] += 1
            if sg != last:
                runs[i] += 1
            last = sg


@njit(cache=True)
def _max_dependency(cov, free_idx, out):  # pragma: no cover - numba
    """Per curve: max over free parameters of 1 − 1/(R⁻¹)_ii (R the correlation matrix of
    the free parameters), by Gauss–Jordan elimination; 1 when singular, NaN when not finite."""
    k = free_idx.size
    a = np.empty((k, 2 * k))
    for i in range(cov.shape[0]):
        ok = True
        for p in range(k):
            for q in range(k):
                v = cov[i, free_idx[p], free_idx[q]]
                if not np.isfinite(v):
                    ok = False
                a[p, q] = v
        if not ok:
            out[i] = np.nan
            continue
        sing = False
        for p in range(k):
            if a[p, p] <= 0.0:
                sing = True
        if sing:
            out[i] = 1.0
            continue
        for p in range(k):
            for q in range(k):
                if p != q:
                    a[p, q] = a[p, q] / np.sqrt(a[p, p] * a[q, q])
        for p in range(k):
            a[p, p] = 1.0
            for q in range(k):
                a[p, k + q] = 1.0 if p == q else 0.0
        for col in range(k):  # partial pivoting
            piv = col
            for r in range(col + 1, k):
                if abs(a[r, col]) > abs(a[piv, col]):
                    piv = r
            if abs(a[piv, col]) < 1e-300:
                sing = True
                break
            if piv != col:
                for q in range(2 * k):
                    tmp = a[col, q]
                    a[col, q] = a[piv, q]
                    a[piv, q] = tmp
            d = a[col, col]
            for q in range(2 * k):
                a[col, q] /= d
            for r in range(k):
                if r != col:
                    fac = a[r, col]
                    if fac != 0.0:
                        for q in range(2 * k):
                            a[r, q] -= fac * a[col, q]
        if sing:
            out[i] = 1.0
            continue
        best = 0.0
        for p in range(k):
            dg = a[p, k + p]
            dep = 1.0 - 1.0 / dg if dg > 0.0 else 1.0
            if dep > best:
                best = dep
        out[i] = best


#: C entry points (machine code kept on disk; see :mod:`neuromoa.fitting._jit`)
_runs_counts_4pl_native = native(__name__, "_runs_counts_4pl",
                                 "f8[:] f8[:] i8[:] f8[:,:] b1[:] i8[:] i8[:] i8[:]")
_max_dependency_native = native(__name__, "_max_dependency", "f8[:,:,:] i8[:] f8[:]")
