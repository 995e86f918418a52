"""Assay mechanisms against independently derived numbers (closed forms, brentq on mass balance)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from neuromoa.assays import (
    binding_signal,
    exact_ic50,
    simulate_binding,
    simulate_uptake,
    uptake_signal,
)
from neuromoa.assays.layout import dilution_series, series_top

KM, S, KI = 630e-9, 100e-9, 3.45e-9


def _uptake(i):
    return uptake_signal(i, KI, substrate_M=S, km_M=KM, vmax_mol_s=5e-15, ns_clearance_L_s=0.0,
                         time_s=600.0, specific_activity_Ci_mol=28e3, counting_efficiency=0.45)


def test_uptake_is_michaelis_menten_with_competitive_inhibition():
    # Hand-written MM with competitive inhibition, converted to CPM by hand.
    i = np.array([0.0, 1e-9, 1e-8, 1e-7])
    mol = 5e-15 * S / (KM * (1 + i / KI) + S) * 600.0
    cpm = mol * 28e3 * 2.22e12 * 0.45
    total, specific = _uptake(i)
    np.testing.assert_allclose(specific, cpm, rtol=1e-12)
    np.testing.assert_allclose(total, cpm, rtol=1e-12)


def test_uptake_ic50_is_cheng_prusoff_uptake():
    top = float(_uptake(0.0)[1])
    ic50 = 10 ** optimize.brentq(lambda li: float(_uptake(10**li)[1]) - top / 2, -12, -5,
                                 xtol=1e-14)
    assert ic50 == pytest.approx(KI * (1 + S / KM), rel=1e-9)


def _bound_by_brentq(r_t, l_t, kd, i_t, ki, k):
    """Exact equilibrium by bisection on free receptor r (independent of the cubic)."""

    def resid(r):
        l_f = l_t / (1 + k + r / kd)
        i_f = i_t / (1 + r / ki)
        return r + r * l_f / kd + r * i_f / ki - r_t

    r = optimize.brentq(resid, 0.0, r_t, xtol=1e-30, rtol=1e-15)
    l_f = l_t / (1 + k + r / kd)
    return r * l_f / kd, k * l_f


@pytest.mark.parametrize("r_t", [0.3e-9, 3e-9, 30e-9])
@pytest.mark.parametrize("i_t", [0.0, 1e-9, 2e-8, 1e-6])
def test_binding_mass_balance_exact(r_t, i_t):
    l_t, kd, ki, k, c = 5e-9, 14e-9, 16e-9, 0.002, 1e12
    total, specific, frac = binding_signal(np.array([i_t]), ki, receptor_M=r_t,
                                           radioligand_M=l_t, kd_M=kd, nsb_fraction=k,
                                           cpm_per_M=c)
    rl, ns = _bound_by_brentq(r_t, l_t, kd, i_t, ki, k)
    assert specific[0] == pytest.approx(rl * c, rel=1e-8)
    assert total[0] == pytest.approx((rl + ns) * c, rel=1e-8)
    assert frac[0] == pytest.approx((rl + ns) / l_t, rel=1e-8)


def test_exact_ic50_limits():
    l_t, kd, ki = 5e-9, 14e-9, 16e-9
    # Negligible receptor: the exact IC50 is the Cheng-Prusoff IC50.
    assert exact_ic50(ki, receptor_M=1e-15, radioligand_M=l_t, kd_M=kd, nsb_fraction=0.0) == (
        pytest.approx(ki * (1 + l_t / kd), rel=1e-5))
    # Large receptor: IC50 rises (depletion) and matches bisection on the mass balance.
    r_t = 3e-9
    ic50 = exact_ic50(ki, receptor_M=r_t, radioligand_M=l_t, kd_M=kd, nsb_fraction=0.0)
    rl0 = _bound_by_brentq(r_t, l_t, kd, 0.0, ki, 0.0)[0]
    assert _bound_by_brentq(r_t, l_t, kd, ic50, ki, 0.0)[0] == pytest.approx(rl0 / 2, rel=1e-7)
    assert ic50 > 1.1 * ki * (1 + l_t / kd)


def test_series_design():
    np.testing.assert_allclose(dilution_series(1e-6, 3, 0.5), [1e-6, 10**-6.5, 1e-7])
    # IC50 4 nM: log10 4e-9 + 2.25 = -6.148 → rounded up to the half-log grid: 10^-6.
    assert series_top(4e-9, 2.25, 0.5) == pytest.approx(1e-6)
    assert series_top(10**-8.25, 2.25, 0.5) == pytest.approx(1e-6)


def test_same_seed_same_plates_and_noise_statistics():
    a = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=7)
    b = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=7)
    c = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=8)
    assert a.wells.equals(b.wells)
    assert not a.wells["counts_cpm"].equals(c.wells["counts_cpm"])
    # 40 plates of 8 total wells: the CV of total wells matches sqrt(CV_well^2 + 1/mean).
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=1,
                         n_plates=40, well_cv=0.08)
    tot = ps.wells.loc[ps.wells["role"] == "total", "counts_cpm"].to_numpy()
    expected_cv = math.sqrt(0.08**2 + 1 / tot.mean())
    assert np.std(tot, ddof=1) / tot.mean() == pytest.approx(expected_cv, rel=0.15)


def test_binding_truth_and_depletion_fraction():
    ps = simulate_binding("M1", "amitriptyline", ki="16 nM", kd="14 nM", seed=1,
                          receptor_conc="3 nM")
    t = ps.truth("P1")
    rl, ns = _bound_by_brentq(3e-9, 5e-9, 14e-9, 0.0, 16e-9, t["nsb_fraction"])
    assert t["depletion_fraction"] == pytest.approx((rl + ns) / 5e-9, rel=1e-8)
    assert t["depletion_fraction"] > 0.10
