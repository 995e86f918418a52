"""Smoke tests of the public fitting API against closed forms and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from neuromoa.fitting import fit_curve, fit_curves, logistic4


def _prism(x, b, t, c, h):
    return b + (t - b) / (1 + 10 ** ((c - np.log10(x)) * h))


def test_exact_curve_recovered():
    x = np.array([1e-9, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 1e-5])
    y = _prism(x, 2.0, 98.0, -7.0, -1.2)
    fit = fit_curve(x, y)
    assert fit.status == "ok"
    assert fit.params["log_ic50"] == pytest.approx(-7.0, abs=1e-8)
    assert fit.params["hill"] == pytest.approx(-1.2, abs=1e-8)
    assert fit.params["top"] == pytest.approx(98.0, abs=1e-7)


def test_matches_curve_fit_and_its_standard_errors():
    rng = np.random.default_rng(11)
    x = np.repeat([1e-9, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 1e-5], 2)
    y = _prism(x, 2.0, 98.0, -7.0, -1.0) + rng.normal(0, 4, x.size)
    p, cov = curve_fit(_prism, x, y, p0=[0, 100, -7, -1], ftol=1e-14, xtol=1e-14, gtol=1e-14)
    fit = fit_curve(x, y)
    ours = [fit.params[k] for k in ("bottom", "top", "log_ic50", "hill")]
    np.testing.assert_allclose(ours, p, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose([fit.se[k] for k in ("bottom", "top", "log_ic50", "hill")],
                               np.sqrt(np.diag(cov)), rtol=1e-5)


def test_zero_dose_rows_are_used():
    x = np.array([0.0, 0.0, 1e-8, 1e-7, 1e-6, 1e-5])
    y = np.array([100.0, 100.0, *logistic4(x[2:], 0.0, 100.0, -7.0, -1.0)])
    fit = fit_curve(x, y, fix={"bottom": 0.0})
    assert fit.n == 6
    assert fit.params["top"] == pytest.approx(100.0, abs=1e-8)


def test_bad_curve_does_not_stop_batch():
    df = pd.DataFrame({"curve": ["a"] * 5 + ["b"] * 5,
                       "concentration": [1, 10, 100, 1000, 1e4, 1, 10, "x", 1000, 1e4],
                       "response": [100, 90, 50, 10, 0, 1, 2, 3, 4, 5]})
    res = fit_curves(df, unit="M")
    assert res.fit(0).status in ("ok", "warning")
    assert res.fit(1).status == "failed"
    assert "row 7" in res.fit(1).message
