"""Estimates, SEs and intervals against independent computations (scipy, closed forms)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from neuromoa.fitting import (
    aicc,
    compare_fits,
    f_test,
    fit_curve,
    fit_curves,
    signal_window,
    z_prime,
)

from .conftest import DESIGN, NAMES, params_of, prism4, scipy_fit

X = np.repeat(DESIGN, 2)


def _data(rng, truth=(2.0, 98.0, -7.3, -1.1), noise=4.0):
    return prism4(X, *truth) + rng.normal(0, noise, X.size)


@pytest.mark.parametrize("weights", ["none", "1/y2", "poisson", "sd"])
def test_estimates_and_ses_match_curve_fit(rng, weights):
    y = _data(rng, truth=(10.0, 110.0, -7.3, -1.1))
    sd = 1.0 + 0.05 * np.abs(y)
    sigma = {"none": None, "1/y2": np.abs(y), "poisson": np.sqrt(np.abs(y)), "sd": sd}[weights]
    ref, ref_se = scipy_fit(prism4, X, y, [10, 110, -7.3, -1.1], sigma=sigma)
    fit = fit_curve(X, y, weights=weights, weight=sd if weights == "sd" else None)
    assert fit.status == "ok", fit.message
    np.testing.assert_allclose(params_of(fit), ref, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose([fit.se[k] for k in NAMES], ref_se, rtol=1e-5)
    # asymptotic 95 % CI = estimate ± t(0.975, n - 4) SE
    t = stats.t.ppf(0.975, X.size - 4)
    lo, hi = fit.ci95["log_ic50"]
    assert lo == pytest.approx(ref[2] - t * ref_se[2], abs=1e-6)
    assert hi == pytest.approx(ref[2] + t * ref_se[2], abs=1e-6)


def test_fixed_parameters_match_reduced_curve_fit(rng):
    y = _data(rng)

    def three(x, top, log_ic50):
        return prism4(x, 0.0, top, log_ic50, -1.0)

    ref, ref_se = scipy_fit(three, X, y, [100, -7])
    fit = fit_curve(X, y, fix={"hill": -1, "bottom": 0})
    assert set(fit.se) == {"top", "log_ic50"}
    np.testing.assert_allclose([fit.params["top"], fit.params["log_ic50"]], ref, rtol=1e-8)
    np.testing.assert_allclose([fit.se["top"], fit.se["log_ic50"]], ref_se, rtol=1e-5)
    assert fit.df == X.size - 2


def test_linear_subproblem_closed_form(rng):
    """With log IC50 and hill fixed the model is linear in the plateaus: ordinary least
    squares, s² (AᵀA)⁻¹ (Draper & Smith, Applied Regression Analysis, ch. 5)."""
    y = _data(rng)
    f = 1.0 / (1.0 + 10.0 ** ((-7.2 - np.log10(X)) * -1.0))
    A = np.column_stack([1 - f, f])
    beta, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    s2 = res[0] / (X.size - 2)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(A.T @ A)))
    fit = fit_curve(X, y, fix={"log_ic50": -7.2, "hill": -1.0})
    np.testing.assert_allclose([fit.params["bottom"], fit.params["top"]], beta, rtol=1e-10)
    np.testing.assert_allclose([fit.se["bottom"], fit.se["top"]], se, rtol=1e-8)
    assert fit.rss == pytest.approx(res[0], rel=1e-10)


def test_hessian_ses_match_finite_difference_hessian(rng):
    y = _data(rng, noise=8.0)
    fit = fit_curve(X, y, se="hessian")
    p = params_of(fit)

    def half_rss(q):
        return 0.5 * np.sum((y - prism4(X, *q)) ** 2)

    h = np.array([1e-3, 1e-3, 1e-5, 1e-5])
    H = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            ei, ej = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            H[i, j] = (half_rss(p + ei + ej) - half_rss(p + ei - ej) - half_rss(p - ei + ej)
                       + half_rss(p - ei - ej)) / (4 * h[i] * h[j])
    s2 = fit.rss / fit.df
    se = np.sqrt(np.diag(s2 * np.linalg.inv(H)))
    np.testing.assert_allclose([fit.se[k] for k in NAMES], se, rtol=2e-4)
    gn = fit_curve(X, y)
    assert not np.allclose([gn.se[k] for k in NAMES], se, rtol=1e-3)  # the two differ


def test_profile_interval_matches_scipy_profile(rng):
    y = _data(rng, noise=6.0)
    fit = fit_curve(X, y, ci="profile")
    best = fit.rss
    df = fit.df
    thr = best * (1 + stats.f.ppf(0.95, 1, df) / df)
    p_hat = params_of(fit)

    def prof(c):
        def three(x, b, t, h):
            return prism4(x, b, t, c, h)

        q, _ = scipy_fit(three, X, y, [p_hat[0], p_hat[1], p_hat[3]])
        return np.sum((y - three(X, *q)) ** 2) - thr

    lo = optimize.brentq(prof, p_hat[2] - 1.5, p_hat[2], xtol=1e-12)
    hi = optimize.brentq(prof, p_hat[2], p_hat[2] + 1.5, xtol=1e-12)
    got = fit.ci95["log_ic50"]
    assert got[0] == pytest.approx(lo, abs=1e-6)
    assert got[1] == pytest.approx(hi, abs=1e-6)
    # the asymptotic interval is kept alongside
    assert fit.ci95_asymptotic["log_ic50"] != got


def test_bounds_match_bounded_curve_fit(rng):
    y = prism4(X, 0, 100, -7.0, -1.8) + rng.normal(0, 3, X.size)
    lb, ub = [-np.inf, -np.inf, -np.inf, -1.2], [np.inf, np.inf, np.inf, 0.0]
    ref, _ = scipy_fit(prism4, X, y, [0, 100, -7, -1.0], bounds=(lb, ub))
    fit = fit_curve(X, y, bounds={"hill": (-1.2, 0.0)})
    assert fit.params["hill"] == pytest.approx(-1.2, abs=1e-9)
    np.testing.assert_allclose(params_of(fit), ref, rtol=1e-6, atol=1e-6)


def test_one_site_ki_matches_curve_fit_and_cheng_prusoff(rng):
    lig, kd = 3e-9, 1.5e-9

    def one_site(x, b, t, log_ki):
        return prism4(x, b, t, math.log10(10.0**log_ki * (1 + lig / kd)), -1.0)

    y = one_site(X, 5, 95, -8.0) + rng.normal(0, 3, X.size)
    ref, ref_se = scipy_fit(one_site, X, y, [5.0, 95.0, -8.0])
    fit = fit_curve(X, y, "one_site_ki", radioligand_M=lig, kd_M=kd)
    assert fit.params["log_ki"] == pytest.approx(ref[2], abs=1e-8)
    assert fit.se["log_ki"] == pytest.approx(ref_se[2], rel=1e-5)
    # Ki = IC50 / (1 + [L]/Kd)
    assert fit.to_dict()["ki"] == pytest.approx(fit.ic50 / (1 + lig / kd), rel=1e-12)


def test_zero_dose_rows_used_as_the_limit(rng):
    x = np.concatenate([[0, 0, 0], DESIGN])
    y = prism4(np.where(x == 0, 1e-300, x), 1, 99, -7.5, -0.9) + rng.normal(0, 3, x.size)
    fit = fit_curve(x, y)
    assert fit.n == x.size  # the vehicle rows count
    # curve_fit on the same data with X = 0 replaced by 1e-300 (the limit to double precision)
    ref, _ = scipy_fit(prism4, np.where(x == 0, 1e-300, x), y, [1, 99, -7.5, -0.9])
    np.testing.assert_allclose(params_of(fit), ref, rtol=1e-7, atol=1e-7)
    without = fit_curve(x[3:], y[3:])
    assert without.params["top"] != pytest.approx(fit.params["top"], abs=1e-6)


def test_global_fit_matches_independent_least_squares(rng):
    ics = (-7.5, -7.0, -6.6)
    frames = []
    for i, c in enumerate(ics):
        frames.append(pd.DataFrame({"curve": f"c{i}", "concentration": X,
                                    "response": prism4(X, 2, 98, c, -1.0)
                                    + rng.normal(0, 4, X.size)}))
    df = pd.concat(frames, ignore_index=True)
    res = fit_curves(df, share=("bottom", "top"), unit="M")
    ys = [f["response"].to_numpy() for f in frames]

    def resid(th):
        b, t = th[:2]
        return np.concatenate([ys[i] - prism4(X, b, t, th[2 + 2 * i], th[3 + 2 * i])
                               for i in range(3)])

    sol = optimize.least_squares(resid, [0, 100, -7.5, -1, -7, -1, -6.6, -1], method="lm",
                                 ftol=1e-15, xtol=1e-15, gtol=1e-15)
    got = res.to_frame()
    np.testing.assert_allclose(got["bottom"], sol.x[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got["log_ic50"], sol.x[2::2], atol=1e-7)
    rss_shared = float(sol.fun @ sol.fun)
    sep = fit_curves(df, unit="M")
    f, dn, dd, p = f_test(rss_shared, 3 * X.size - 8, float(sep.rss.sum()), 3 * X.size - 12)
    cmp = res.comparison
    assert (cmp.df_num, cmp.df_den) == (4, 3 * X.size - 12)
    assert cmp.f == pytest.approx(f, rel=1e-5)
    assert cmp.p == pytest.approx(p, rel=1e-4)
    assert cmp.f == pytest.approx(((rss_shared - sep.rss.sum()) / 4)
                                  / (sep.rss.sum() / (3 * X.size - 12)), rel=1e-5)


def test_aicc_and_f_test_hand_values():
    # AICc = n ln(RSS/n) + 2K + 2K(K+1)/(n-K-1), K = k + 1 (Motulsky & Christopoulos 2004)
    n, k, rss = 20, 4, 50.0
    K = k + 1
    assert aicc(rss, n, k) == pytest.approx(n * math.log(rss / n) + 2 * K
                                            + 2 * K * (K + 1) / (n - K - 1))
    f, dn, dd, p = f_test(120.0, 18, 100.0, 16)
    assert (f, dn, dd) == (pytest.approx(1.6), 2, 16)
    assert p == pytest.approx(stats.f.sf(1.6, 2, 16))


def test_nested_comparison_prefers_true_slope(rng):
    y = prism4(X, 0, 100, -7, -2.5) + rng.normal(0, 2, X.size)
    c = compare_fits(fit_curve(X, y, fix={"hill": -1}), fit_curve(X, y))
    assert c.p < 1e-3 and c.preferred == "complex" and c.aicc_delta > 0


def test_z_prime_and_signal_window_hand_values():
    pos, neg = [100, 102, 98], [0, 2, -2]  # means 100 and 0, SDs 2 and 2
    assert z_prime(pos, neg) == pytest.approx(1 - 3 * (2 + 2) / 100)
    assert signal_window(pos, neg) == pytest.approx((100 - 3 * (2 + 2)) / 2)
    assert signal_window(pos, neg, replicates=4) == pytest.approx((100 - 3 * 4 / 2) / (2 / 2))
