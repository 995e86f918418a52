"""Closed forms of the exposure model against an independently written ODE (scipy BDF) and limits.

The ODE below is written from the model's description (well-stirred liver, two-compartment
amitriptyline, one-compartment nortriptyline, sequential first pass), not from its code.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neuromoa.exposure import Patient, PolyExp, Regimen, pk_compound, simulate_exposure

AT = pk_compound("amitriptyline")
NT = pk_compound("nortriptyline")
MW_AT_SALT, MW_AT, MW_NT, MW_NT_SALT = AT.mw_salt, AT.mw_base, NT.mw_base, NT.mw_salt


def _hep(comp, rel):
    """Well-stirred liver quantities for a compound at relative enzyme activities ``rel``."""
    q = comp.value("q_h")
    cl = comp.value("cl") if comp.has("cl") else comp.value("cl_f") * comp.value("f_oral")
    fh = 1 - cl / q
    fa = comp.value("f_oral") / fh
    clint_ref = cl / fh
    parts = {r.route + r.enzyme: r.fraction * rel.get(r.enzyme, 1.0) for r in comp.routes}
    clint = clint_ref * sum(parts.values())
    to_nt = sum(r.fraction * rel.get(r.enzyme, 1.0) for r in comp.routes
                if r.product == "nortriptyline") / sum(parts.values())
    return {"clint": clint, "fh": q / (q + clint), "cl": q * clint / (q + clint), "fa": fa,
            "to_nt": to_nt}


def _ode_at(rel):
    a, n, n_ref = _hep(AT, rel), _hep(NT, rel), _hep(NT, {})
    ka, vc, vp, q = AT.value("ka"), AT.value("vc"), AT.value("vp"), AT.value("q")
    v_nt = NT.value("cl") * NT.value("t_half") / math.log(2)

    def f(t, y):
        gut, c_amt, p_amt, nt_amt = y
        absorbed = a["fa"] * ka * gut  # to the liver
        to_sys = absorbed * a["fh"]
        first_pass = absorbed * (1 - a["fh"])
        elim = a["cl"] * c_amt / vc
        formed = a["to_nt"] * (first_pass + elim) * n_ref["fh"]  # reference escape (A)
        return [-ka * gut,
                to_sys - elim - q * c_amt / vc + q * p_amt / vp,
                q * c_amt / vc - q * p_amt / vp,
                formed - n["cl"] * nt_amt / v_nt]
    return f, vc, v_nt


@pytest.mark.parametrize("rel", [{}, {"CYP2D6": 0.0}, {"CYP2C19": 0.0, "CYP2D6": 1.5}])
def test_against_solve_ivp_repeated_dosing(rel):
    f, vc, v_nt = _ode_at(rel)
    dose = 0.075 / MW_AT_SALT
    tau, n = 12.0, 6
    ts, at_all, nt_all = [], [], []
    y = np.zeros(4)
    for i in range(n):
        y = y + np.array([dose, 0, 0, 0])
        te = np.linspace(i * tau, (i + 1) * tau, 25)
        sol = solve_ivp(f, (i * tau, (i + 1) * tau), y, method="BDF", t_eval=te, rtol=1e-10,
                        atol=1e-16)
        y = sol.y[:, -1]
        ts.append(te[:-1])
        at_all.append(sol.y[1, :-1] / vc)
        nt_all.append(sol.y[3, :-1] / v_nt)
    t = np.concatenate(ts)
    genes = {"CYP2D6": {0.0: "*4/*4", 1.5: "*1/*1x2"}, "CYP2C19": {0.0: "*2/*2"}}
    patient = Patient.from_options(**{g.lower(): genes[g][v] for g, v in rel.items()})
    r = simulate_exposure("amitriptyline", Regimen.parse("75 mg", every="12 h", days=3),
                          times_h=t, patient=patient)
    np.testing.assert_allclose(r.total_M["amitriptyline"], np.concatenate(at_all), rtol=1e-6,
                               atol=1e-15)
    np.testing.assert_allclose(r.total_M["nortriptyline"], np.concatenate(nt_all), rtol=1e-6,
                               atol=1e-15)


def test_nortriptyline_dosed_against_solve_ivp():
    n = _hep(NT, {})
    ka = NT.value("ka")
    v = NT.value("cl") * NT.value("t_half") / math.log(2)
    dose = 0.05 / MW_NT_SALT

    def ode(t, y):
        return [-ka * y[0], n["fa"] * n["fh"] * ka * y[0] - n["cl"] * y[1] / v]

    t = np.linspace(0, 96, 97)
    sol = solve_ivp(ode, (0, 96), [dose, 0.0], method="BDF", t_eval=t, rtol=1e-10, atol=1e-16)
    r = simulate_exposure("nortriptyline", Regimen.parse("50 mg"), times_h=t)
    assert list(r.total_M) == ["nortriptyline"]
    np.testing.assert_allclose(r.total_M["nortriptyline"], sol.y[1] / v, rtol=1e-6, atol=1e-15)


def test_reference_patient_reproduces_sourced_clearance_and_bioavailability():
    # AUC = F D / CL with the sourced CL/F (Jovanovic 2015) for amitriptyline, and F/CL from the
    # Nortrilen SmPC for nortriptyline dosed itself.
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    dose_base_g = 0.05 * MW_AT / MW_AT_SALT
    assert r.metrics["amitriptyline"]["auc_ng_h_mL"] == pytest.approx(
        dose_base_g / AT.value("cl_f") * 1e6, rel=1e-6)
    n = simulate_exposure("nortriptyline", Regimen.parse("50 mg"))
    assert n.metrics["nortriptyline"]["auc_ng_h_mL"] == pytest.approx(
        NT.value("f_oral") * 0.05 / MW_NT_SALT / NT.value("cl") * MW_NT * 1e6, rel=1e-6)
    assert n.metrics["nortriptyline"]["t_half_h"] == pytest.approx(NT.value("t_half"), rel=1e-9)


def test_superposition_equals_sum_of_shifted_single_doses():
    t = np.linspace(0, 120, 481)
    rep = simulate_exposure("amitriptyline", Regimen.parse("25 mg", every="12 h", days=5),
                            times_h=t)
    single = simulate_exposure("amitriptyline", Regimen.parse("25 mg", days=10), times_h=t)
    for analyte in ("amitriptyline", "nortriptyline"):
        h = single.total_M[analyte]
        expected = sum(np.interp(t - 12 * n, t, h, left=0.0) for n in range(10))
        np.testing.assert_allclose(rep.total_M[analyte], expected, rtol=1e-9, atol=1e-16)


def test_steady_state_auc_tau_equals_single_dose_auc_inf():
    rep = simulate_exposure("amitriptyline", Regimen.parse("100 mg", every="24 h", days=40))
    single = simulate_exposure("amitriptyline", Regimen.parse("100 mg"))
    for a in ("amitriptyline", "nortriptyline"):
        assert rep.metrics[a]["auc_ng_h_mL"] == pytest.approx(single.metrics[a]["auc_ng_h_mL"],
                                                              rel=1e-5)
        assert rep.metrics[a]["ss_fraction"] == pytest.approx(1.0, abs=1e-5)


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
