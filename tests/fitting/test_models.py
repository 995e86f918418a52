"""Model formulas against hand-derived values; the registry drives a recovery test."""

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
        get_model("5pl")
    with pytest.raises(ParameterError, match="needs 'radioligand'"):
        fit_curve(DESIGN, prism4(DESIGN, 0, 100, -7, -1), "one_site_ki", kd="1 nM")
    with pytest.raises(ParameterError, match="no parameter 'slope'"):
        fit_curve(DESIGN, prism4(DESIGN, 0, 100, -7, -1), fix={"slope": -1})
