"""Closed-form limits of the exposure model, checked against independent formulas and scipy."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neuromoa.exposure import PolyExp, Regimen, pk_compound, simulate_exposure

AT = pk_compound("amitriptyline")
NT = pk_compound("nortriptyline")
KA, CLF, VF = AT.value("ka"), AT.value("cl_f"), AT.value("v_f")
K = CLF / VF
F_AT, FM = AT.value("f_oral"), AT.value("fm")
KA_NT, F_NT, CL_NT = NT.value("ka"), NT.value("f_oral"), NT.value("cl")
K_NT = math.log(2) / NT.value("t_half")
V_NT = CL_NT / K_NT
MW_AT_SALT, MW_AT, MW_NT, MW_NT_SALT = AT.mw_salt, AT.mw_base, NT.mw_base, NT.mw_salt


def bateman(t, dose_mol, ka, k, v):
    """Textbook one-compartment oral concentration (Gibaldi & Perrier), written independently."""
    t = np.asarray(t, float)
    return np.where(t >= 0, dose_mol / v * ka / (ka - k) * (np.exp(-k * t) - np.exp(-ka * t)), 0)


def test_parent_single_dose_is_bateman():
    t = np.linspace(0, 96, 385)
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"), times_h=t)
    expected = bateman(t, 0.05 / MW_AT_SALT, KA, K, VF)
    np.testing.assert_allclose(r.total_M["amitriptyline"], expected, rtol=1e-10, atol=1e-18)


def test_tmax_matches_closed_form():
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    tmax = math.log(KA / K) / (KA - K)
    assert r.metrics["amitriptyline"]["tmax_h"] == pytest.approx(tmax, abs=1e-4)
    cmax = float(bateman(tmax, 0.05 / MW_AT_SALT, KA, K, VF)) * MW_AT * 1e6
    assert r.metrics["amitriptyline"]["cmax_ng_mL"] == pytest.approx(cmax, rel=1e-8)


def test_superposition_equals_sum_of_shifted_single_doses():
    t = np.linspace(0, 120, 481)
    rep = simulate_exposure("amitriptyline", Regimen.parse("25 mg", every="12 h", days=5),
                            times_h=t)
    single = simulate_exposure("amitriptyline", Regimen.parse("25 mg", days=10), times_h=t)
    for analyte in ("amitriptyline", "nortriptyline"):
        h = single.total_M[analyte]
        expected = sum(np.interp(t - 12 * n, t, h, left=0.0) for n in range(10))
        np.testing.assert_allclose(rep.total_M[analyte], expected, rtol=1e-9, atol=1e-16)


def test_accumulation_ratio_at_trough():
    # Late in the interval the absorption exponential is gone (e^-ka*24 ~ 2.5e-7), so the
    # trough after n doses over the single-dose value at 24 h is (1-e^{-nk tau})/(1-e^{-k tau}).
    tau, n = 24.0, 14
    rep = simulate_exposure("amitriptyline", Regimen.parse("75 mg", every="24 h", days=n))
    c_single_24 = float(bateman(24.0, 0.075 / MW_AT_SALT, KA, K, VF))
    ratio = rep.metrics["amitriptyline"]["cmin_M"] / c_single_24
    expected = (1 - math.exp(-n * K * tau)) / (1 - math.exp(-K * tau))
    assert ratio == pytest.approx(expected, rel=1e-5)
    assert expected == pytest.approx(1 / (1 - math.exp(-K * tau)), rel=1e-6)


def test_auc_is_f_dose_over_cl():
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    dose_base_g = 0.05 * MW_AT / MW_AT_SALT
    assert r.metrics["amitriptyline"]["auc_ng_h_mL"] == pytest.approx(dose_base_g / CLF * 1e6,
                                                                     rel=1e-10)
    # nortriptyline formed: fm * dose (mol) / CL_NT
    auc_nt = FM * 0.05 / MW_AT_SALT / CL_NT * MW_NT * 1e6
    assert r.metrics["nortriptyline"]["auc_ng_h_mL"] == pytest.approx(auc_nt, rel=1e-9)
    n = simulate_exposure("nortriptyline", Regimen.parse("50 mg"))
    assert n.metrics["nortriptyline"]["auc_ng_h_mL"] == pytest.approx(
        F_NT * 0.05 / MW_NT_SALT / CL_NT * MW_NT * 1e6, rel=1e-9)


def test_steady_state_auc_tau_equals_single_dose_auc_inf():
    rep = simulate_exposure("amitriptyline", Regimen.parse("100 mg", every="24 h", days=30))
    single = simulate_exposure("amitriptyline", Regimen.parse("100 mg"))
    for a in ("amitriptyline", "nortriptyline"):
        assert rep.metrics[a]["auc_ng_h_mL"] == pytest.approx(single.metrics[a]["auc_ng_h_mL"],
                                                              rel=1e-6)
        assert rep.metrics[a]["ss_fraction"] == pytest.approx(1.0, abs=1e-6)


def test_polyexp_steady_state_matches_long_superposition():
    h = PolyExp((1.0, -1.0), (0.05, 0.6))
    t = np.linspace(0, 23.9, 50)
    long = h.superpose(t + 200 * 24.0, [24.0 * i for i in range(201)])
    np.testing.assert_allclose(h.steady_state(t, 24.0), long, rtol=1e-9)


def test_polyexp_equal_rates_convolution_limit():
    # e^{-at} * e^{-at} = t e^{-at}
    a = 0.3
    h = PolyExp.exponential(1.0, a).convolve(PolyExp.exponential(1.0, a))
    t = np.linspace(0, 30, 61)
    np.testing.assert_allclose(h(t), t * np.exp(-a * t), rtol=1e-6, atol=1e-9)


def _ode(t, y):
    gut, at, nt = y  # gut (mol, apparent), amitriptyline apparent amount (mol), NT amount (mol)
    return [-KA * gut,
            KA * gut - K * at,
            FM * (1 - F_AT) * KA * gut + FM * F_AT * K * at - K_NT * nt]


def test_against_solve_ivp_repeated_dosing():
    dose = 0.15 / MW_AT_SALT
    tau, n = 24.0, 5
    t_eval_all, at_all, nt_all = [], [], []
    y = np.zeros(3)
    for i in range(n):
        y = y + np.array([dose, 0, 0])
        te = np.linspace(i * tau, (i + 1) * tau, 49)
        sol = solve_ivp(_ode, (i * tau, (i + 1) * tau), y, method="BDF", t_eval=te, rtol=1e-10,
                        atol=1e-16)
        y = sol.y[:, -1]
        t_eval_all.append(te[:-1])
        at_all.append(sol.y[1, :-1] / VF)
        nt_all.append(sol.y[2, :-1] / V_NT)
    t = np.concatenate(t_eval_all)
    r = simulate_exposure("amitriptyline", Regimen.parse("150 mg", every="24 h", days=n),
                          times_h=t)
    np.testing.assert_allclose(r.total_M["amitriptyline"], np.concatenate(at_all), rtol=1e-6,
                               atol=1e-14)
    np.testing.assert_allclose(r.total_M["nortriptyline"], np.concatenate(nt_all), rtol=1e-6,
                               atol=1e-14)


def test_nortriptyline_dosed_against_solve_ivp():
    dose = 0.05 / MW_NT_SALT

    def ode(t, y):
        return [-KA_NT * y[0], F_NT * KA_NT * y[0] - K_NT * y[1]]

    t = np.linspace(0, 96, 97)
    sol = solve_ivp(ode, (0, 96), [dose, 0.0], method="BDF", t_eval=t, rtol=1e-10, atol=1e-16)
    r = simulate_exposure("nortriptyline", Regimen.parse("50 mg"), times_h=t)
    assert list(r.total_M) == ["nortriptyline"]
    np.testing.assert_allclose(r.total_M["nortriptyline"], sol.y[1] / V_NT, rtol=1e-6, atol=1e-14)
