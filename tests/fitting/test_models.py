"""Model formulas against hand-derived values; the registry drives a recovery test."""

import json
import math

import numpy as np
import pytest

from neuromoa.errors import ParameterError
from neuromoa.fitting import MODELS, fit_curve, get_model, logistic4, one_site_ki_curve
from neuromoa.fitting.models import ki_from_ic50_binding

from .conftest import DESIGN, prism4


def test_logistic4_hand_values():
    # at X = IC50 the response is halfway; one decade above with hill -1: bottom + span/11
    assert logistic4(1e-7, 0.0, 100.0, -7.0, -1.0) == pytest.approx(50.0, abs=1e-12)
    assert logistic4(1e-6, 0.0, 100.0, -7.0, -1.0) == pytest.approx(100.0 / 11.0, rel=1e-14)
    # hill -2, one decade below IC50: 1/(1 + 10^(-2)) of the span above bottom
    assert logistic4(1e-8, 10.0, 110.0, -7.0, -2.0) == pytest.approx(10 + 100 / 1.01, rel=1e-14)


def test_logistic4_zero_dose_is_the_limit():
    for hill in (-1.3, 0.8):
        lim = prism4(1e-300, 5.0, 95.0, -7.0, hill)
        assert logistic4(0.0, 5.0, 95.0, -7.0, hill) == pytest.approx(lim, abs=1e-9)
    assert logistic4(0.0, 5.0, 95.0, -7.0, -1.0) == 95.0
    assert logistic4(0.0, 5.0, 95.0, -7.0, 1.0) == 5.0


def test_logistic4_matches_prism_formula():
    x = DESIGN
    np.testing.assert_allclose(logistic4(x, 3.0, 97.0, -7.4, -1.7), prism4(x, 3.0, 97.0, -7.4,
                                                                            -1.7), rtol=1e-13)


def test_cheng_prusoff_shift_hand_value():
    # [L] = Kd doubles the IC50 over Ki (Cheng & Prusoff 1973): log Ki = log IC50 - log10(2)
    assert ki_from_ic50_binding(-7.0, 1.0, 1.0) == pytest.approx(-7.0 - math.log10(2.0))
    x = np.array([1e-9, 1e-8, 1e-7])
    np.testing.assert_allclose(one_site_ki_curve(x, 0, 100, -7.0, 2.0, 1.0),
                               prism4(x, 0, 100, -7.0 + math.log10(3.0), -1.0), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_recovers_noise_free_truth(name):
    mdl = MODELS[name]
    kw = {"radioligand": "2 nM", "kd_M": 1.0e-9} if mdl.requires else {}
    x = np.concatenate([[0.0], DESIGN])
    hill = mdl.fixed.get("hill", -1.3)
    loc = -7.6
    shift = mdl.shift(radioligand=2e-9, kd=1e-9) if mdl.requires else 0.0
    y = logistic4(x, 4.0, 96.0, loc + shift, hill)
    fit = fit_curve(x, y, name, **kw)
    assert fit.status == "ok", fit.message
    assert fit.params[mdl.location] == pytest.approx(loc, abs=1e-7)
    assert fit.params["hill"] == pytest.approx(hill, abs=1e-6)
    assert fit.params["top"] == pytest.approx(96.0, abs=1e-6)


def test_registry_errors_name_the_problem():
    with pytest.raises(ParameterError, match="unknown model"):
        get_model("6pl")
    with pytest.raises(ParameterError, match="needs 'radioligand'"):
        fit_curve(DESIGN, prism4(DESIGN, 0, 100, -7, -1), "one_site_ki", kd="1 nM")
    with pytest.raises(ParameterError, match="no parameter 'slope'"):
        fit_curve(DESIGN, prism4(DESIGN, 0, 100, -7, -1), fix={"slope": -1})


def _five(x, b, t, c, h, s):
    """Prism's 5PL written out (independent of neuromoa)."""
    return b + (t - b) / (1.0 + 10.0 ** ((c - np.log10(x)) * h)) ** s


def test_5pl_batch_matches_curve_fit_and_the_generic_engine():
    import warnings

    import pandas as pd
    from scipy.optimize import curve_fit

    from neuromoa.fitting import fit_curves, fit_model

    x = 10.0 ** np.linspace(-10, -5, 14)
    rng = np.random.default_rng(11)
    truth = [(2.0, 100.0, -7.5, -1.0, 0.4), (0.0, 95.0, -8.0, -1.4, 2.5),
             (5.0, 98.0, -7.0, -0.8, 0.7), (-2.0, 101.0, -6.8, -1.2, 1.6)]
    ys = [_five(x, *t) + rng.normal(0, 1.0, x.size) for t in truth]
    df = pd.DataFrame({"curve": np.repeat(np.arange(len(ys)), x.size),
                       "concentration_M": np.tile(x, len(ys)), "response": np.concatenate(ys)})
    res = fit_curves(df, "5pl")
    assert res.params.shape == (len(ys), 5) and list(res.status) == ["ok"] * len(ys)
    for i, y in enumerate(ys):
        # the 5PL has two orientations of the same sigmoid (plateaus swapped, hill negated:
        # different asymmetry); curve_fit from both, keep the lower RSS (least squares)
        best = None
        b, t, c, h, a = truth[i]
        for p0 in ((b, t, c, h, a), (t, b, c, -h, 1.0 / a)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p, cov = curve_fit(_five, x, y, p0=p0, ftol=1e-15, xtol=1e-15, gtol=1e-15,
                                   maxfev=100000)
            r = float(np.sum((y - _five(x, *p)) ** 2))
            if best is None or r < best[0]:
                best = (r, p, cov, p0)
        rss_cf, p, cov, p_start = best
        assert res.rss[i] <= rss_cf * (1 + 1e-9)
        span = abs(p[1] - p[0])
        scale = np.array([span, span, abs(p[2]), abs(p[3]), abs(p[4])])
        assert np.all(np.abs(res.params[i] - p) <= 1e-5 * scale), (res.params[i], p)
        se = np.sqrt(np.diag(cov))
        np.testing.assert_allclose(res.se[i], se, rtol=1e-3)
        g = fit_model("logistic5", x, y, x_unit="M", p0=list(p_start))
        np.testing.assert_allclose([g.params[k] for k in res.model.names], p,
                                   rtol=1e-5, atol=1e-5 * span)
    fit = res.fit(0)
    assert set(fit.params) >= {"asym", "log_xb", "log_ic50"} and np.isfinite(fit.band(x)[0]).all()
    # log_ic50 of the 5PL is the half-maximal concentration, not LogXb
    half = 0.5 * (fit.params["bottom"] + fit.params["top"])
    assert float(fit.predict(np.array([fit.ic50]))[0]) == pytest.approx(half, rel=1e-9)
    assert abs(fit.params["log_ic50"] - fit.params["log_xb"]) > 0.05
    from neuromoa.fitting.jsonout import to_json

    row = json.loads(to_json(res))["fits"][0]
    assert row["xb"] == pytest.approx(10 ** fit.params["log_xb"]) and row["ic50"] == \
        pytest.approx(fit.ic50)
    assert fit.predict(x) == pytest.approx(_five(x, *res.params[0]), rel=1e-12)


def test_5pl_options_it_does_not_have_are_refused():
    import pandas as pd

    from neuromoa.fitting import fit_curves

    df = pd.DataFrame({"concentration_M": DESIGN, "response": prism4(DESIGN, 0, 100, -7, -1)})
    with pytest.raises(ParameterError, match="asymptotic intervals only"):
        fit_curves(df, "5pl", ci="profile")
    fixed = fit_curves(df, "5pl", fix={"asym": 1.0}).fit(0)
    assert fixed.params["asym"] == 1.0 and "asym" not in fixed.se
    assert fixed.params["log_ic50"] == pytest.approx(-7.0, abs=1e-7)
