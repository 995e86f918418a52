"""Property tests: linearity in dose and superposition invariances (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuromoa.exposure import PolyExp, Regimen, simulate_exposure

doses_mg = st.floats(min_value=1.0, max_value=300.0)
intervals_h = st.sampled_from([6.0, 8.0, 12.0, 24.0, 48.0])


# Linearity is a property of the model at any dose; doses x factor go beyond the label's
# 300 mg/day, which warns (tests/exposure/test_max_daily_dose.py checks that warning).
@pytest.mark.filterwarnings("ignore:.*labelled maximum daily dose:neuromoa.errors.NeuromoaWarning")
@settings(max_examples=25, deadline=None)
@given(dose=doses_mg, tau=intervals_h, factor=st.floats(min_value=0.1, max_value=10.0))
def test_concentrations_are_linear_in_dose(dose, tau, factor):
    t = np.linspace(0, 120, 61)
    a = simulate_exposure("amitriptyline", Regimen.parse(f"{dose} mg", every=f"{tau} h", days=5),
                          times_h=t)
    b = simulate_exposure("amitriptyline",
                          Regimen.parse(f"{dose * factor} mg", every=f"{tau} h", days=5),
                          times_h=t)
    for analyte in a.metrics:
        np.testing.assert_allclose(b.total_M[analyte], factor * a.total_M[analyte], rtol=1e-9,
                                   atol=1e-20)
        assert np.isclose(b.metrics[analyte]["cavg_M"], factor * a.metrics[analyte]["cavg_M"],
                          rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(rates=st.lists(st.floats(min_value=0.01, max_value=3.0), min_size=1, max_size=4),
       n=st.integers(min_value=1, max_value=20), tau=st.floats(min_value=1.0, max_value=48.0))
def test_after_doses_matches_superposition(rates, n, tau):
    h = PolyExp(tuple(1.0 + i for i in range(len(rates))), tuple(rates))
    times = [tau * i for i in range(n)]
    t = np.linspace(times[-1], times[-1] + tau, 17)
    reduced = h.after_doses(times)
    np.testing.assert_allclose(reduced(t - times[-1]), h.superpose(t, times), rtol=1e-10,
                               atol=1e-12)
    assert np.isclose(reduced.integral(0.0, tau), h.integral(times[-1], times[-1] + tau, times),
                      rtol=1e-10)


@settings(max_examples=20, deadline=None)
@given(dose=doses_mg)
def test_concentrations_nonnegative_and_zero_before_dose(dose):
    r = simulate_exposure("amitriptyline", Regimen.parse(f"{dose} mg"),
                          times_h=np.linspace(0, 96, 97))
    for analyte in r.metrics:
        assert r.total_M[analyte][0] == 0.0
        assert np.all(r.total_M[analyte] >= 0.0)
