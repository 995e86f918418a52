"""The generic engine: units checked, one result type with the same statistics, profile
intervals, F test, and DataFrames that work exactly as the CSV files of the CLI."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sstats
from scipy.optimize import curve_fit

from neuromoa.errors import InputError, ParameterError, UnitError
from neuromoa.fitting import (
    FIT_MODELS,
    CurveFit,
    FitModel,
    FitParam,
    ModelFit,
    compare_fits,
    fit_csv,
    fit_curve,
    fit_curves,
    fit_frame,
    fit_model,
    get_fit_model,
)

from .conftest import DESIGN, prism4

T = np.linspace(0.0, 0.05, 15)
NOISE = np.random.default_rng(5).normal(0.0, 0.02, T.size)
Y = 2.0 * np.exp(-T / 0.01) + 0.5 + NOISE


def _ref_decay():
    p, cov = curve_fit(lambda t, a, tau, c: a * np.exp(-t / tau) + c, T, Y, p0=[1.5, 0.02, 0.4],
                       ftol=1e-15, xtol=1e-15, gtol=1e-15)
    return p, np.sqrt(np.diag(cov))


def test_estimates_ses_and_intervals_match_curve_fit():
    fit = fit_model("exp_decay", T, Y, x_unit="s")
    p, se = _ref_decay()
    assert isinstance(fit, ModelFit) and fit.status == "ok"
    got = [fit.params[k] for k in ("amplitude", "tau", "offset")]
    np.testing.assert_allclose(got, p, rtol=1e-7)
    np.testing.assert_allclose([fit.se[k] for k in ("amplitude", "tau", "offset")], se, rtol=1e-5)
    t = sstats.t.ppf(0.975, T.size - 3)
    assert fit.ci95["tau"] == pytest.approx((p[1] - t * se[1], p[1] + t * se[1]), rel=1e-5)
    assert fit.df == T.size - 3 and fit.units["tau"] == "s" and fit.tau_s == fit.params["tau"]
    rss = float(np.sum((Y - (p[0] * np.exp(-T / p[1]) + p[2])) ** 2))
    assert fit.rss == pytest.approx(rss, rel=1e-9)
    k = 4  # three parameters + the variance
    aicc = T.size * np.log(rss / T.size) + 2 * k + 2 * k * (k + 1) / (T.size - k - 1)
    assert fit.aicc == pytest.approx(aicc, rel=1e-9)


def test_units_are_converted_never_guessed():
    ms = fit_model("exp_decay", T * 1e3, Y, x_unit="ms")
    assert ms.params["tau"] == pytest.approx(fit_model("exp_decay", T, Y, x_unit="s")
                                             .params["tau"], rel=1e-7)
    with pytest.raises(UnitError, match="x_unit"):
        fit_model("exp_decay", T, Y)
    with pytest.raises(UnitError):
        fit_model("exp_decay", T, Y, x_unit="nM")
    with pytest.raises(UnitError, match="'t0'"):
        fit_model("exp_approach", T, Y, x_unit="day", t0=0.0)  # a bare float: no unit
    fit = fit_model("exp_approach", T, Y, x_unit="day", t0="0 h", p0={"tau": 0.02})
    assert fit.status == "ok"
    with pytest.raises(ParameterError, match="needs the constant 't0'"):
        fit_model("exp_approach", T, Y, x_unit="day")


def test_profile_interval_brackets_the_estimate_and_matches_a_direct_profile():
    fit = fit_model("exp_decay", T, Y, x_unit="s", ci="profile")
    lo, hi = fit.ci95["tau"]
    tau = fit.params["tau"]
    assert lo < tau < hi and fit.ci_method == "profile"
    # at the limit, the RSS re-minimised over amplitude and offset is the F threshold
    thr = fit.rss * (1 + sstats.f.ppf(0.95, 1, fit.df) / fit.df)
    for v in (lo, hi):
        p, _ = curve_fit(lambda t, a, c, v=v: a * np.exp(-t / v) + c, T, Y, p0=[2.0, 0.5])
        r = float(np.sum((Y - (p[0] * np.exp(-T / v) + p[1])) ** 2))
        assert r == pytest.approx(thr, rel=1e-6)


def test_f_test_and_aicc_between_4pl_and_5pl():
    from neuromoa.fitting.library import logistic5

    x = 10.0 ** np.linspace(-10, -5, 14)
    y = logistic5(x, 0.0, 100.0, -7.5, -1.0, 0.4) + np.random.default_rng(1).normal(0, 1, 14)
    five = fit_model("logistic5", x, y, x_unit="M")
    four = fit_curve(x, y)
    assert isinstance(four, CurveFit) and isinstance(four, ModelFit)
    c = compare_fits(four, five)
    assert c.df_num == 1 and c.preferred == "complex" and c.p < 0.01
    assert five.params["asym"] == pytest.approx(0.4, rel=0.2)


def test_failures_and_bad_input_are_named():
    fit = fit_model("boltzmann", [0.0, 0.01], [1.0, 0.5], x_unit="V")
    assert fit.status == "failed" and "2 usable points" in fit.message
    with pytest.raises(ParameterError, match="unknown fit model"):
        get_fit_model("nope")
    with pytest.raises(ParameterError, match="no argument"):
        fit_model("exp_decay", T, Y, x_unit="s", kd="1 nM")
    with pytest.raises(InputError, match="same length"):
        fit_model("exp_decay", T, Y[:-1], x_unit="s")
    # a flat response cannot determine a decay: no estimates, the optimiser's values in raw
    flat = fit_model("exp_decay", T, np.ones_like(T), x_unit="s")
    assert flat.status == "failed" and flat.raw and np.isnan(flat.params["tau"])


def test_a_model_declared_by_the_user():
    def line(x, a, b):
        """y = a + b·x"""
        return a + b * np.asarray(x)

    m = FitModel(name="test_line", title="line", x_unit="s", formula=line,
                 params=(FitParam("a", "<y>"), FitParam("b", "1/s")),
                 guess=lambda x, y: [0.0, 1.0])
    fit = fit_model(m, [0, 1, 2, 3], [1.0, 3.1, 4.9, 7.0], x_unit="s")
    b, a = np.polyfit([0, 1, 2, 3], [1.0, 3.1, 4.9, 7.0], 1)
    assert fit.params["a"] == pytest.approx(a, rel=1e-8) and fit.params["b"] == pytest.approx(b)
    assert "test_line" not in FIT_MODELS


def _table():
    rng = np.random.default_rng(3)
    rows = []
    for cid, c in (("A", -7.2), ("B", -8.0), ("C", -6.9)):
        for xv in DESIGN:
            rows.append((cid, xv * 1e9, prism4(xv, 0, 100, c, -1.0) + rng.normal(0, 3)))
    return pd.DataFrame(rows, columns=["curve", "concentration_nM", "response"])


def test_data_frames_work_exactly_as_the_csv_files(tmp_path):
    df = _table()
    path = tmp_path / "plate.csv"
    df.to_csv(path, index=False)
    a, b = fit_frame(df), fit_csv(path)
    assert a.unit == b.unit == "nM"
    fa, fb = a.to_frame(), b.to_frame()
    assert list(fa["curve"].astype(str)) == list(fb["curve"].astype(str))
    np.testing.assert_array_equal(fa["log_ic50"].to_numpy(), fb["log_ic50"].to_numpy())
    # the same table with the unit in a column, and with bare numbers plus unit=
    alt = df.rename(columns={"concentration_nM": "concentration"}).assign(unit="nM")
    np.testing.assert_array_equal(fit_frame(alt).params, a.params)
    bare = df.rename(columns={"concentration_nM": "concentration"})
    np.testing.assert_array_equal(fit_frame(bare, unit="nM").params, a.params)
    with pytest.raises(UnitError, match="no unit"):
        fit_frame(bare)
    with pytest.raises(UnitError, match="no unit"):
        fit_curves(bare)
    in_m = fit_frame(df, unit="M")
    np.testing.assert_allclose(in_m.params[:, 2], a.params[:, 2] - 9.0, atol=1e-9)


def test_binding_constants_need_units():
    x = np.concatenate([[0.0], DESIGN])
    y = prism4(np.where(x > 0, x, 1e-30), 0, 100, -7.0, -1.0)
    with pytest.raises(UnitError, match="kd=1e-09 has no unit"):
        fit_curve(x, y, "one_site_ki", radioligand="1 nM", kd=1e-9)
    a = fit_curve(x, y, "one_site_ki", radioligand="1 nM", kd="1 nM")
    b = fit_curve(x, y, "one_site_ki", radioligand_nM=1.0, kd_M=1e-9)
    assert a.params["log_ki"] == pytest.approx(-7.0 - np.log10(2.0), abs=1e-9)
    assert b.params["log_ki"] == a.params["log_ki"]


@pytest.mark.parametrize("unit", ["M", "mM", "uM", "\u00b5M", "\u03bcM", "nM", "pM", "fM"])
@pytest.mark.parametrize("target", ["M", "nM", "uM"])
def test_molar_fast_path_agrees_with_pint(unit, target):
    from neuromoa.fitting._units import molar_factor
    from neuromoa.units import parse_quantity

    want = float(parse_quantity(f"1 {unit}").to(target).magnitude)
    assert molar_factor(unit, target) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("unit", ["mg/L", "nm", "s", "mol"])
def test_non_molar_units_are_refused(unit):
    from neuromoa.fitting._units import molar_factor

    with pytest.raises(UnitError):
        molar_factor(unit, "M")
