"""Issue #3 "Must show" checks at reduced size (NEUROMOA_FULL=1 runs the issue's sizes).

The full figures, with timing, come from ``benchmarks/fit_speed.py`` and
``benchmarks/fit_calibration.py``.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import OptimizeWarning, curve_fit

from neuromoa.fitting import fit_curves

from .conftest import DESIGN, FULL, prism4, simulate


def _frame(y):
    n, m = y.shape
    return pd.DataFrame({"curve": np.repeat(np.arange(n), m),
                         "concentration": np.tile(DESIGN, n), "response": y.ravel()})


@pytest.mark.slow
def test_at_the_optimum_against_curve_fit():
    n = 10_000 if FULL else 400
    rng = np.random.default_rng(31)
    truth, y = simulate(rng, n)
    res = fit_curves(_frame(y), unit="M")
    rss_ok = np.zeros(n, bool)
    par_ok = np.zeros(n, bool)
    both = np.zeros(n, bool)
    for k in range(n):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                p, _ = curve_fit(prism4, DESIGN, y[k], p0=truth[k], ftol=1e-14, xtol=1e-14,
                                 gtol=1e-14, maxfev=20000)
        except RuntimeError:
            continue
        if p[1] < p[0]:
            p = np.array([p[1], p[0], p[2], -p[3]])
        both[k] = res.status_code[k] != 2
        rss = np.sum((y[k] - prism4(DESIGN, *p)) ** 2)
        rss_ok[k] = res.rss[k] <= rss * (1 + 1e-9)
        span = abs(p[1] - p[0])
        scale = np.array([span, span, abs(p[2]), abs(p[3])])
        par_ok[k] = np.all(np.abs(res.params[k] - p) <= 1e-5 * scale)
    assert both.mean() > 0.99
    assert rss_ok[both].mean() >= 0.995
    # exceptions must be the curves flagged unstable (no finite optimum) or ours lower
    assert (rss_ok & par_ok)[both].mean() >= 0.99


@pytest.mark.slow
def test_profile_interval_calibration():
    n = 2000 if FULL else 600
    rng = np.random.default_rng(32)
    truth, y = simulate(rng, n)
    res = fit_curves(_frame(y), ci="profile", unit="M")
    ok = res.status_code != 2
    t = truth[ok, 2]
    cover = np.mean((res.ci_low[ok, 2] <= t) & (t <= res.ci_high[ok, 2]))
    asym = np.mean((res.ci_low_asym[ok, 2] <= t) & (t <= res.ci_high_asym[ok, 2]))
    # 93–97 % at n = 2000; the reduced size allows the binomial SD (0.9 % at n = 600) on top
    band = (0.93, 0.97) if FULL else (0.915, 0.985)
    assert band[0] <= cover <= band[1], cover
    assert 0.90 <= asym <= 0.99


@pytest.mark.slow
def test_many_curves_in_chunks_without_a_python_loop():
    n = 1_000_000 if FULL else 150_000
    rng = np.random.default_rng(33)
    lx = np.log10(DESIGN)
    c = rng.uniform(-8.5, -7, n)
    y = 100.0 / (1.0 + 10.0 ** ((c[:, None] - lx[None, :]) * -1.0)) + rng.normal(0, 5, (n, 10))
    res = fit_curves(_frame(y), unit="M")
    assert len(res) == n and res.summary()["failed"] == 0
    assert np.abs(res.params[:, 2] - c).mean() < 0.1
