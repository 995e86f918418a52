"""Pure pharmacology against closed forms and independent numerical solutions (scipy brentq)."""

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

import neuromoa.pharmacology as ph
from neuromoa.errors import ParameterError

conc = st.floats(min_value=1e-13, max_value=1e-3)


@pytest.mark.parametrize("name", ["binding", "occupancy", "receptor", "safety", "transport"])
def test_docstring_examples(name):
    module = importlib.import_module(f"neuromoa.pharmacology.{name}")
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_occupancy_limits():
    assert ph.occupancy(0.0, 1e-9) == 0.0
    assert ph.occupancy(1e-9, 1e-9) == pytest.approx(0.5)
    assert ph.occupancy(np.inf, 1e-9) == 1.0
    # 9 × K gives 90 % for hill 1, 99 % for hill 2 (since 81/82 ≈ 0.9878)
    assert ph.occupancy(9e-9, 1e-9) == pytest.approx(0.9)
    assert ph.occupancy(9e-9, 1e-9, hill=2) == pytest.approx(81 / 82)


@given(conc, conc, conc, conc)
def test_gaddum_reduces_and_sums(c1, c2, k1, k2):
    theta = ph.competitive_occupancy([c1, c2], [k1, k2])
    assert 0 <= theta.sum() < 1
    # with the second ligand absent, the first obeys Hill–Langmuir
    alone = ph.competitive_occupancy([c1, 0.0], [k1, k2])[0]
    assert alone == pytest.approx(ph.occupancy(c1, k1), rel=1e-12)
    # a competitor can only lower a ligand's occupancy
    assert theta[0] <= alone * (1 + 1e-12)


def test_gaddum_time_course_broadcasts():
    c = np.array([[1e-9, 0.0], [1e-9, 1e-9]])
    th = ph.competitive_occupancy(c, [1e-9, 1e-9])
    assert th.shape == (2, 2)
    np.testing.assert_allclose(th[1], [1 / 3, 1 / 3])


def test_cheng_prusoff_matches_numerical_ic50():
    """IC50 of specific binding found by root-finding the competition equation, no depletion."""
    ki, lig, kd = 16e-9, 2e-9, 14e-9

    def bound(i):
        return (lig / kd) / (1 + lig / kd + i / ki)

    half = bound(0.0) / 2
    ic50 = brentq(lambda i: bound(i) - half, 1e-15, 1e-3, xtol=1e-22, rtol=1e-14)
    assert ph.cheng_prusoff_binding(ic50, lig, kd) == pytest.approx(ki, rel=1e-10)
    assert ph.ic50_from_ki_binding(ki, lig, kd) == pytest.approx(ic50, rel=1e-10)


def test_cheng_prusoff_uptake_matches_mm():
    ki, s, km = 3.45e-9, 20e-9, 463e-9
    ic50 = brentq(lambda i: ph.michaelis_menten_rate(s, 1.0, km, [i], [ki])
                  - ph.michaelis_menten_rate(s, 1.0, km) / 2, 1e-15, 1e-3, xtol=1e-22, rtol=1e-14)
    assert ph.cheng_prusoff_uptake(ic50, s, km) == pytest.approx(ki, rel=1e-10)
    assert ph.ic50_from_ki_uptake(ki, s, km) == pytest.approx(ic50, rel=1e-10)


def _bound_by_brentq(rt, lt, kl, it, ki):
    def f(r):
        return rt - r - lt * r / (kl + r) - it * r / (ki + r)

    r = brentq(f, 0.0, rt, xtol=1e-30, rtol=1e-15)
    return lt * r / (kl + r)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-12, 1e-7), st.floats(1e-12, 1e-7), st.floats(1e-11, 1e-6),
       st.floats(0, 1e-4), st.floats(1e-11, 1e-4))
def test_depletion_matches_root_finding(rt, lt, kl, it, ki):
    exact = _bound_by_brentq(rt, lt, kl, it, ki)
    got = ph.ligand_depletion_bound(rt, lt, kl, it, ki)
    assert got == pytest.approx(exact, rel=1e-9, abs=1e-30)


def test_depletion_limits():
    # receptor far below Kd and ligand: bound = R·L/(Kd + L) (no depletion)
    rt, lt, kl = 1e-14, 1e-9, 1e-9
    assert ph.ligand_depletion_bound(rt, lt, kl) == pytest.approx(rt * lt / (kl + lt), rel=1e-4)
    # a huge competitor concentration displaces everything
    assert ph.ligand_depletion_bound(1e-10, 1e-9, 1e-9, 1.0, 1e-9) < 1e-17
    # vectorised over competitor concentrations, monotone decreasing
    b = ph.ligand_depletion_bound(1e-9, 1e-9, 1e-9, np.logspace(-12, -4, 9), 1e-8)
    assert np.all(np.diff(b) < 0)


def test_operational_model_properties():
    ka, tau = 1e-6, 9.0
    # EC50 = KA/(1+tau) for n = 1 (Black & Leff 1983)
    ec50 = ka / (1 + tau)
    emax_obs = tau / (1 + tau)
    assert ph.operational_response(ec50, ka, tau) == pytest.approx(emax_obs / 2)
    # a competitive antagonist gives a parallel shift of exactly 1 + B/KB
    b, kb = 1e-7, 1e-8
    dr = ph.dose_ratio(b, kb)
    a = np.logspace(-10, -4, 7)
    np.testing.assert_allclose(ph.operational_response(a * dr, ka, tau, antagonist=b, kb=kb),
                               ph.operational_response(a, ka, tau), rtol=1e-12)
    np.testing.assert_allclose(ph.gaddum_response(a * dr, ka, b, kb), ph.gaddum_response(a, ka),
                               rtol=1e-12)


def test_schild_fit_exact_and_errors():
    kb = 2e-9
    b = np.array([1e-9, 1e-8, 1e-7, 1e-6])
    fit = ph.schild_fit(b, ph.dose_ratio(b, kb))
    assert fit.slope == pytest.approx(1.0, abs=1e-12)
    assert fit.pa2 == pytest.approx(-np.log10(kb), abs=1e-10)
    assert fit.pkb == pytest.approx(-np.log10(kb), abs=1e-10)
    with pytest.raises(ParameterError, match="at least 3"):
        ph.schild_fit(b[:2], ph.dose_ratio(b[:2], kb))
    with pytest.raises(ParameterError, match="> 1"):
        ph.schild_fit(b, [1.0, 2.0, 3.0, 4.0])


def test_two_state_affinity_limits():
    assert ph.apparent_k_two_state(0.0, 33e-6, 0.51e-6) == pytest.approx(0.51e-6)
    # half available: harmonic combination
    assert ph.apparent_k_two_state(0.5, 1e-6, 1e-6) == pytest.approx(1e-6)
    with pytest.raises(ParameterError):
        ph.apparent_k_two_state(1.5, 1e-6, 1e-6)


def test_margins_and_combined_block():
    assert ph.safety_margin(4.78e-6, 0.0) == np.inf
    # one blocker: combined block equals Hill–Langmuir occupancy
    assert ph.combined_fractional_block([1e-6], [4.78e-6]) == pytest.approx(ph.occupancy(1e-6, 4.78e-6))


@pytest.mark.parametrize("bad", [-1e-9, np.nan])
def test_negative_or_nan_concentration_rejected(bad):
    with pytest.raises(ParameterError, match="'conc' parameter of occupancy"):
        ph.occupancy(bad, 1e-9)
    with pytest.raises(ParameterError):
        ph.michaelis_menten_rate(bad, 1.0, 1e-6)


@pytest.mark.parametrize(("call", "what"), [
    (lambda: ph.michaelis_menten_rate(1e-7, -5.0, 1e-6), "'vmax'"),
    (lambda: ph.michaelis_menten_rate(1e-7, np.nan, 1e-6), "'vmax'"),
    (lambda: ph.gaddum_response(1e-6, 1e-6, emax=np.nan), "'emax'"),
    (lambda: ph.operational_response(1e-6, 1e-6, 3.0, emax=-1.0), "'emax'"),
    (lambda: ph.one_site_competition(1e-8, np.nan, 1e-9, 1e-9, 0.0, 100.0), "'log_ki'"),
    (lambda: ph.combined_fractional_block([1e-6], [1e-6, 2e-6]), "one value of each"),
    (lambda: ph.competitive_occupancy([np.inf, 1e-9], [1e-9, 1e-9]), "'concs'"),
    (lambda: ph.competitive_occupancy([1e-9, 1e-9, 1e-9], [1e-9, 1e-9]), "one value of each"),
])
def test_no_silent_nan_negative_or_misshaped_result(call, what):
    with pytest.raises(ParameterError, match=what):
        call()
