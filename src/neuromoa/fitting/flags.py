"""Per-curve flags and statuses of the batch fitter (bits, names, explanations)."""

from __future__ import annotations

import numpy as np

__all__ = ["AMBIGUOUS_DEPENDENCY", "FAILED", "FAIL_FLAGS", "FLAGS", "FLAG_TEXT",
           "NO_EFFECT_FLAGS", "OK", "POOR_FIT_R2", "RUNS_ALPHA", "WARNING", "dependency",
           "flag_names", "runs_p", "runs_p_batch", "runs_test", "runs_test_4pl",
           "status_codes"]

#: R² below which a reported fit is flagged ``poor_fit``. Assumption (neuromoa's convention,
#: not a published cut-off: Prism prints R² without one); a well-behaved 4PL on replicate
#: concentration-response data has R² > 0.9, so 0.8 marks a curve worth a look.
POOR_FIT_R2 = 0.8
#: One-sided level of the runs test (Motulsky & Christopoulos 2004, "Fitting models to
#: biological data", ch. 8: P < 0.05 = the data deviate systematically from the curve).
RUNS_ALPHA = 0.05
#: Dependency above which a parameter (and the fit) is "ambiguous": GraphPad Prism's own
#: definition (Prism 8 curve-fitting guide, "Ambiguous" fits; the threshold is Prism's).
AMBIGUOUS_DEPENDENCY = 0.9999
#: Batches of at least this many curves run the checks compiled (numba, ~10x faster); smaller
#: ones in numpy, so that a small fit does not pay numba's start-up (~0.3 s) for them.
COMPILED_MIN_CURVES = 20_000

#: Per-curve warning flags: bit → (name, explanation). Thresholds are in :mod:`.engine`.
FLAGS: dict[str, int] = {
    "too_few_points": 1 << 0,
    "ic50_outside_range": 1 << 1,
    "hill_implausible": 1 << 2,
    "plateau_undefined": 1 << 3,
    "unstable": 1 << 4,
    "not_converged": 1 << 5,
    "missing_values": 1 << 6,
    "outliers": 1 << 7,
    "ci_open": 1 << 8,
    "no_effect": 1 << 9,
    "flat": 1 << 10,
    "hill_at_limit": 1 << 11,
    "at_bound": 1 << 12,
    "poor_fit": 1 << 13,
    "ambiguous": 1 << 14,
}

#: Flags that fail a fitted curve: no finite, well-determined optimum, so no estimates are
#: reported (the optimiser's stopping point stays available as ``raw``).
FAIL_FLAGS = FLAGS["unstable"] | FLAGS["not_converged"]
#: Flags of a curve with no concentration-dependent effect: status 'warning' (a result, not a
#: failure: it overrides FAIL_FLAGS, whose trouble is then expected), no estimates reported.
NO_EFFECT_FLAGS = FLAGS["no_effect"] | FLAGS["flat"]
#: Status codes (indices into :attr:`BatchFit.STATUS`).
OK, WARNING, FAILED = 0, 1, 2

FLAG_TEXT = {
    "too_few_points": "as many free parameters as points: no residual degrees of freedom, "
                      "so no standard errors or confidence intervals",
    "ic50_outside_range": "the IC50 lies outside the tested concentration range "
                          "(an extrapolation: test wider concentrations)",
    "hill_implausible": "the Hill slope is implausible for a one-site interaction "
                        "(check the curve shape, or fix hill)",
    "plateau_undefined": "a plateau is not reached by the data (fix it, e.g. bottom=0 / top=100 "
                         "for normalised data, or test wider concentrations)",
    "unstable": "no finite, well-determined optimum (parameters strongly correlated or running "
                "off; for a step between two tested concentrations the IC50 lies between them "
                "but its value is not determined), so no estimates are reported (the optimiser's "
                "stopping point is under 'raw'): test more concentrations across the transition "
                "or fix hill",
    "not_converged": "the optimiser stopped before reaching a stationary point, so no estimates "
                     "are reported (its last values are under 'raw')",
    "missing_values": "rows with a missing response were skipped",
    "outliers": "ROUT flagged outliers (listed in 'outliers'); they are kept in the fit unless "
                "outliers='exclude'",
    "ci_open": "the profile-likelihood interval of the location parameter is open on one side "
               "(the data do not bound it)",
    "no_effect": "IC50 > highest tested concentration (see 'ic50_gt'): the responses do not "
                 "differ from the vehicle (zero-concentration) level (extra-sum-of-squares F test "
                 "against a flat line, P >= 0.05), so no estimates are reported",
    "hill_at_limit": "the data jump between two tested concentrations with one point on the "
                     "transition: the least-squares slope is unbounded (|hill| -> inf), so hill "
                     "is held at the engine's slope limit (HILL_RUNAWAY, no SE) and bottom, "
                     "top and the "
                     "location are estimated given it; test more concentrations across the "
                     "transition",
    "at_bound": "a parameter ended at a bound given with --bound (Prism: 'at constraint'); the "
                "data would move it further: widen or drop the bound",
    "poor_fit": "poor fit: R² below POOR_FIT_R2 or the runs test says the residuals are not "
                "random about the curve (P < RUNS_ALPHA: fewer runs of same-sign residuals than "
                "chance; the curve shape misses the data)",
    "ambiguous": "ambiguous fit (Prism's term): a parameter's dependency exceeds 0.9999, so "
                 "other parameters compensate for it and its value is not determined by the "
                 "data; fix a parameter or test more concentrations",
    "flat": "no concentration-dependent effect (extra-sum-of-squares F test against a flat line, "
            "P >= 0.05) and no vehicle (zero-concentration) rows to tell an inactive compound "
            "from one fully active at every tested concentration, so no estimates are reported",
}


def status_codes(fitted: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Per-curve status code from whether the curve was fitted and its flags.

    Not fitted (bad input) → failed; ``no_effect``/``flat`` → warning (no estimates);
    ``unstable``/``not_converged`` → failed (no estimates); any other flag → warning; else ok.
    """
    bits = np.asarray(bits, dtype=np.int64)
    code = np.where(bits != 0, WARNING, OK)
    code = np.where(((bits & FAIL_FLAGS) != 0) & ((bits & NO_EFFECT_FLAGS) == 0), FAILED, code)
    return np.where(fitted, code, FAILED)


def flag_names(bits: int) -> list[str]:
    """Names of the flags set in ``bits``."""
    return [name for name, b in FLAGS.items() if bits & b]


def runs_p(n1: int, n2: int, runs: int) -> float:
    """One-sided exact P(R ≤ runs) of the Wald–Wolfowitz runs test for ``n1`` positive and
    ``n2`` negative signs in random order (Swed & Eisenhart 1943, Ann. Math. Stat. 14:66–87):
    P(R = 2k) = 2·C(n1−1, k−1)·C(n2−1, k−1)/C(n, n1);
    P(R = 2k+1) = [C(n1−1, k−1)·C(n2−1, k) + C(n1−1, k)·C(n2−1, k−1)]/C(n, n1).

    >>> round(runs_p(5, 5, 2), 4)   # two long runs of five: rare
    0.0079
    """
    from math import comb

    if n1 <= 0 or n2 <= 0:
        return 1.0
    total = comb(n1 + n2, n1)
    acc = 0
    for r in range(2, runs + 1):
        k = r // 2
        if r % 2 == 0:
            acc += 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
        else:
            acc += comb(n1 - 1, k - 1) * comb(n2 - 1, k) + comb(n1 - 1, k) * comb(n2 - 1, k - 1)
    return min(1.0, acc / total)


def runs_test(x: np.ndarray, resid: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per-curve one-sided runs-test P values of the residuals ``resid`` at ``x`` (flat arrays,
    curve ``i`` = ``[offsets[i], offsets[i+1])``). Replicates are averaged at each X first and
    the signs ordered by X (exact zeros dropped); NaN residuals are ignored. Identical
    (positives, negatives, runs) triples share one exact computation, so a screen of a million
    curves costs a few hundred :func:`runs_p` calls."""
    n = len(offsets) - 1
    out = np.ones(n)
    if n == 0 or x.size == 0:
        return out
    cid = np.repeat(np.arange(n), np.diff(offsets))
    ok = np.isfinite(resid) & np.isfinite(x)
    cid, xs, rs = cid[ok], x[ok], resid[ok]
    order = np.lexsort((xs, cid))
    cid, xs, rs = cid[order], xs[order], rs[order]
    if cid.size == 0:
        return out
    new = np.ones(cid.size, bool)
    new[1:] = (cid[1:] != cid[:-1]) | (xs[1:] != xs[:-1])
    starts = np.flatnonzero(new)
    mean = np.add.reduceat(rs, starts) / np.diff(np.append(starts, cid.size))
    gc = cid[starts]
    sign = np.sign(mean)
    keep = sign != 0
    gc, sign = gc[keep], sign[keep]
    if gc.size == 0:
        return out
    n1 = np.bincount(gc, weights=(sign > 0), minlength=n).astype(np.int64)
    n2 = np.bincount(gc, weights=(sign < 0), minlength=n).astype(np.int64)
    change = np.zeros(gc.size, bool)
    change[1:] = (gc[1:] == gc[:-1]) & (sign[1:] != sign[:-1])
    runs = np.bincount(gc, weights=change, minlength=n).astype(np.int64) + (n1 + n2 > 0)
    return runs_p_batch(n1, n2, runs)


def dependency(cov: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Per-curve maximum dependency of the free parameters, ``1 − 1/(C_ii·(C⁻¹)_ii)`` (Prism's
    definition: the fraction of a parameter's variance explained by the others), from the
    (N, k, k) covariance stack; 1 where the matrix is singular, NaN where it is not finite."""
    idx = np.flatnonzero(free).astype(np.int64)
    n = cov.shape[0]
    if idx.size < 2 or n == 0:
        return np.zeros(n)
    if n < COMPILED_MIN_CURVES:
        return _dependency_numpy(cov, idx)
    from neuromoa.fitting._checks import _max_dependency_native

    out = np.empty(n)
    _max_dependency_native(np.ascontiguousarray(cov, np.float64), idx, out)
    return out


def _dependency_numpy(cov: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """:func:`dependency` with numpy's batched inverse (small batches: no numba start-up)."""
    out = np.full(cov.shape[0], np.nan)
    sub = cov[:, idx][:, :, idx]
    d = np.diagonal(sub, axis1=1, axis2=2)
    fin = np.isfinite(sub).all(axis=(1, 2))
    pos = fin & (d > 0).all(axis=1)
    out[fin & ~pos] = 1.0
    for i in np.flatnonzero(pos):
        dd = np.sqrt(d[i])
        try:
            dg = np.diag(np.linalg.inv(sub[i] / np.outer(dd, dd)))
        except np.linalg.LinAlgError:
            out[i] = 1.0
            continue
        with np.errstate(divide="ignore"):
            out[i] = float(np.max(1.0 - 1.0 / dg)) if np.all(dg > 0) else 1.0
    return out


def runs_p_batch(n1: np.ndarray, n2: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """:func:`runs_p` of many (n1, n2, runs) triples, each distinct triple computed once."""
    n1, n2, runs = (np.asarray(a, np.int64) for a in (n1, n2, runs))
    if n1.size == 0:
        return np.ones(0)
    m = int(max(n1.max(), n2.max(), runs.max())) + 1
    key = (n1 * m + n2) * m + runs
    uniq, inv = np.unique(key, return_inverse=True)
    ps = np.array([runs_p(int(u // (m * m)), int((u // m) % m), int(u % m)) for u in uniq])
    return ps[inv.ravel()]


def runs_test_4pl(x: np.ndarray, y: np.ndarray, offsets: np.ndarray, params: np.ndarray,
                  rows: np.ndarray) -> np.ndarray:
    """Per-curve runs-test P of a 4PL batch (compiled from :data:`COMPILED_MIN_CURVES` curves
    on, numpy below; the data sorted by X within each curve, as the engine packs them); 1 for
    curves not in ``rows``. Same statistic as :func:`runs_test`."""
    n = offsets.size - 1
    if n < COMPILED_MIN_CURVES:  # small: numpy (no numba start-up)
        counts = np.diff(offsets)
        p = [np.repeat(params[:, k], counts) for k in range(4)]
        with np.errstate(all="ignore"):
            z = np.log(10.0) * p[3] * (np.log10(x) - p[2])
            f = np.where(x > 0, 0.5 * (1.0 + np.tanh(0.5 * z)),
                         np.where(p[3] > 0, 0.0, np.where(p[3] < 0, 1.0, 0.5)))
            resid = np.where(np.repeat(rows, counts), y - (p[0] + (p[1] - p[0]) * f), np.nan)
        return runs_test(x, resid, offsets)
    from neuromoa.fitting._checks import _runs_counts_4pl_native

    n1, n2, runs = (np.zeros(n, np.int64) for _ in range(3))
    _runs_counts_4pl_native(np.ascontiguousarray(x, np.float64), np.ascontiguousarray(y, np.float64),
                     np.ascontiguousarray(offsets, np.int64),
                     np.ascontiguousarray(params[:, :4], np.float64),
                     np.ascontiguousarray(rows, np.bool_), n1, n2, runs)
    return runs_p_batch(n1, n2, runs)
