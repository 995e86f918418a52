"""Batch behaviour: per-curve statuses, flags, invariances, result objects."""

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from neuromoa.errors import InputError
from neuromoa.fitting import fit_curve, fit_curves, plot_fit, rout_outliers
from neuromoa.fitting.jsonout import to_json

from .conftest import DESIGN, NAMES, params_of, prism4


def _close(a, b):
    """Equal structure; numbers equal to 16 significant digits (to_json's precision)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            _close(u, v)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=2e-15, abs=0)
    else:
        assert a == b


def _curve(name, x, y):
    return pd.DataFrame({"curve": name, "concentration": x, "response": y})


def test_bad_input_gets_a_status_per_curve_and_the_batch_goes_on(rng):
    good = prism4(DESIGN, 0, 100, -7.5, -1) + rng.normal(0, 2, DESIGN.size)
    xs = DESIGN.astype(object)
    text = xs.copy()
    text[3] = "abc"
    neg = DESIGN.copy()
    neg[2] = -1e-9
    nanx = DESIGN.copy()
    nanx[4] = np.nan
    nany = good.copy()
    nany[5] = np.nan
    df = pd.concat([
        _curve("good", DESIGN, good),
        _curve("text", text, good),
        _curve("negative", neg, good),
        _curve("nan_conc", nanx, good),
        _curve("few", DESIGN[:3], good[:3]),
        _curve("constant", DESIGN, np.full(DESIGN.size, 7.0)),
        _curve("nan_response", DESIGN, nany),
    ], ignore_index=True)
    res = fit_curves(df, unit="M")
    by = {f.curve: f for f in res.fits}
    assert by["good"].status == "ok"
    assert by["text"].status == "failed" and "'abc' is not a number" in by["text"].message
    assert "row 13" in by["text"].message  # the DataFrame index label of the offending row
    assert by["negative"].status == "failed" and "negative" in by["negative"].message
    assert by["nan_conc"].status == "failed" and "missing" in by["nan_conc"].message
    assert by["few"].status == "failed" and "3 usable point" in by["few"].message
    assert by["constant"].status == "failed" and "equal" in by["constant"].message
    assert by["nan_response"].status == "warning"
    assert by["nan_response"].flags == ["missing_values"] and by["nan_response"].n == 9
    assert all(np.isnan(list(by[c].params.values())).all() for c in ("text", "few"))


def test_batch_equals_single_fits_and_replicates(rng):
    frames = [_curve(i, np.repeat(DESIGN, 3), prism4(np.repeat(DESIGN, 3), 0, 100, c, -1)
                     + rng.normal(0, 4, 3 * DESIGN.size)) for i, c in enumerate((-8, -7, -6.5))]
    df = pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=1)  # shuffled rows
    res = fit_curves(df, unit="M")
    for f in frames:
        one = fit_curve(f["concentration"], f["response"])
        got = res[int(f["curve"].iloc[0])]
        np.testing.assert_allclose(params_of(got), params_of(one), rtol=1e-9, atol=1e-9)
        assert got.n == 3 * DESIGN.size


def test_unit_invariance(rng):
    y = prism4(DESIGN, 0, 100, -7.3, -1.2) + rng.normal(0, 3, DESIGN.size)
    molar = fit_curve(DESIGN, y)
    nano = fit_curve(DESIGN * 1e9, y)
    assert nano.params["log_ic50"] == pytest.approx(molar.params["log_ic50"] + 9, abs=1e-8)
    for k in ("bottom", "top", "hill"):
        assert nano.params[k] == pytest.approx(molar.params[k], rel=1e-8, abs=1e-8)
        assert nano.se[k] == pytest.approx(molar.se[k], rel=1e-6)


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_canonical_form_top_above_bottom(rng, sign):
    y = prism4(DESIGN, 5, 95, -7.3, sign * 1.1) + rng.normal(0, 2, DESIGN.size)
    fit = fit_curve(DESIGN, y)
    assert fit.params["top"] > fit.params["bottom"]
    assert np.sign(fit.params["hill"]) == sign
    assert fit.params["hill"] == pytest.approx(sign * 1.1, abs=0.3)


def test_flags(rng):
    cases = {
        # IC50 half a decade above the highest concentration, bottom known (fixed at 0)
        "ic50_outside_range": (DESIGN, prism4(DESIGN, 0, 100, -5.0, -1.0), {"bottom": 0}),
        # only the upper half of a curve: the bottom plateau is not reached
        "plateau_undefined": (DESIGN[:6], prism4(DESIGN[:6], 0, 100, -7.6, -1.0), None),
    }
    for flag, (x, y, fix) in cases.items():
        fit = fit_curve(x, y + rng.normal(0, 0.5, x.size), fix=fix)
        assert fit.status == "warning" and flag in fit.flags, (flag, fit.flags, fit.message)
        assert flag in fit.message
    # a step between two concentrations: no finite optimum for hill → failed, no estimates
    step = fit_curve(DESIGN, np.where(DESIGN < 2e-8, 100.0, 0.0) + rng.normal(0, 1, 10))
    assert step.status == "failed" and "unstable" in step.flags and "unstable" in step.message
    assert np.isnan(step.ic50) and np.isnan(step.params["log_ic50"]) and step.raw
    steep = fit_curve(DESIGN, prism4(DESIGN, 0, 100, -7.2, -7.0) + rng.normal(0, 0.5, 10))
    assert "hill_implausible" in steep.flags
    exact = fit_curve(DESIGN[:4], prism4(DESIGN[:4], 0, 100, -9.0, -1.0))
    assert "too_few_points" in exact.flags and exact.se["hill"] != exact.se["hill"]  # NaN


def test_rout_reports_outliers_and_only_excludes_on_request(rng):
    x = np.repeat(DESIGN, 2)
    y = prism4(x, 0, 100, -7.5, -1.0) + rng.normal(0, 2, x.size)
    y[7] += 45.0
    r = rout_outliers(x, y)
    assert r.outlier.tolist() == [i == 7 for i in range(x.size)]
    df = pd.DataFrame({"concentration": x, "response": y})
    flagged = fit_curves(df, outliers="flag", unit="M").fit(0)
    kept = fit_curve(x, y)
    assert flagged.outliers == [7] and "outliers" in flagged.flags and flagged.n == x.size
    np.testing.assert_allclose(params_of(flagged), params_of(kept), rtol=1e-12)
    excluded = fit_curves(df, outliers="exclude", unit="M").fit(0)
    clean = fit_curve(np.delete(x, 7), np.delete(y, 7))
    assert excluded.outliers == [7] and excluded.n == x.size - 1
    np.testing.assert_allclose(params_of(excluded), params_of(clean), rtol=1e-7, atol=1e-7)


def test_results_serialise_and_plot(rng):
    df = pd.concat([_curve(f"c{i}", DESIGN, prism4(DESIGN, 0, 100, -7.5, -1)
                           + rng.normal(0, 3, 10)) for i in range(3)], ignore_index=True)
    res = fit_curves(df, ci="profile", unit="M")
    d = res.to_dict()
    assert set(d["fits"][0]) >= {"curve", "status", "message", "bottom", "top", "log_ic50",
                                 "ic50", "hill", "se", "ci95", "rss", "r2", "aicc", "n", "df",
                                 "flags"}
    _close(json.loads(to_json(res)), json.loads(json.dumps(d)))
    frame = res.to_frame()
    assert list(frame["curve"]) == ["c0", "c1", "c2"] and "log_ic50_ci_low" in frame
    fit = res.fits[0]
    fig = plot_fit(fit)
    assert isinstance(fig, Figure) and fig.axes[0].get_xscale() == "log"
    lo, hi = fit.band(DESIGN)
    yhat = fit.predict(DESIGN)
    assert np.all(lo <= yhat) and np.all(yhat <= hi)
    assert isinstance(plot_fit(res), Figure)
    with pytest.raises(InputError, match="no curve"):
        res["nope"]


def test_band_is_the_delta_method(rng):
    y = prism4(DESIGN, 0, 100, -7.5, -1) + rng.normal(0, 3, 10)
    fit = fit_curve(DESIGN, y)
    p = params_of(fit)
    x0 = np.array([3e-8])
    eps = np.array([1e-6, 1e-6, 1e-8, 1e-8])
    grad = np.array([(prism4(x0, *(p + np.eye(4)[k] * eps[k]))
                      - prism4(x0, *(p - np.eye(4)[k] * eps[k])))[0] / (2 * eps[k])
                     for k in range(4)])
    se = np.array([fit.se[k] for k in NAMES])
    # covariance from SEs is not enough: rebuild it from the kernel covariance (same order)
    cov = fit.kernel_cov
    assert np.sqrt(np.diag(cov)) == pytest.approx(se, rel=1e-10)
    from scipy import stats

    half = stats.t.ppf(0.975, fit.df) * np.sqrt(grad @ cov @ grad)
    lo, hi = fit.band(x0)
    assert hi[0] - fit.predict(x0)[0] == pytest.approx(half, rel=1e-5)


#: Curve 269601 of the 10^6-curve test (seed 33; truth log IC50 −7.34, hill −1, noise SD 5):
#: a jump between 10^−7.5 and 10^−7 M with one point on the transition.
STEP_CURVE = [97.85335249172994, 98.88913080579732, 95.40807125505798, 86.64536491829459,
              83.90442098113792, 64.66989217938522, 8.946467961876383, 20.26957037193201,
              9.452810989709159, 8.749363536836348]


def test_a_step_with_one_point_on_the_transition_holds_the_slope_at_its_limit():
    from scipy.optimize import curve_fit

    from neuromoa.fitting.engine import HILL_RUNAWAY

    from .conftest import DESIGN, prism4

    y = np.array(STEP_CURVE)
    fit = fit_curve(DESIGN, y)
    assert fit.status == "warning" and "hill_at_limit" in fit.flags, fit.flags
    assert fit.params["hill"] == -HILL_RUNAWAY and np.isnan(fit.se["hill"])
    assert -7.5 < fit.params["log_ic50"] < -7.0 and np.isfinite(fit.se["log_ic50"])
    # the free slope runs off: RSS keeps falling with |hill| (profile by curve_fit, hill fixed)
    prof = []
    for h in (-5.0, -10.0, -20.0, -HILL_RUNAWAY):
        p, _ = curve_fit(lambda x, b, t, c, h=h: prism4(x, b, t, c, h), DESIGN, y,
                         p0=[10, 90, -7.49], maxfev=20000)
        prof.append(float(np.sum((y - prism4(DESIGN, *p, h)) ** 2)))
        if h == -HILL_RUNAWAY:
            np.testing.assert_allclose([fit.params[k] for k in ("bottom", "top", "log_ic50")], p,
                                       rtol=1e-6)
    assert all(a > b for a, b in zip(prof, prof[1:], strict=False))
    assert fit.rss == pytest.approx(prof[-1], rel=1e-9)
