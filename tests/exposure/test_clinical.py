"""Clinical plausibility against published observations (sources: tests/reference/README.md)."""

import math

import pytest

from neuromoa.exposure import Regimen, pk_compound, simulate_exposure

# Amitriptyline SmPC 5.2 (Brown & Burk UK, emc 10850): single oral 50 mg dose.
SMPC_50MG_CMAX_NG_ML, SMPC_50MG_CMAX_SD = 30.95, 9.61
SMPC_50MG_TMAX_H, SMPC_50MG_TMAX_SD = 3.89, 1.87
SMPC_IV_VOLUME_L = 1221.0
# Hiemke et al. 2018 (AGNP consensus): amitriptyline + nortriptyline therapeutic range.
THERAPEUTIC_AT_NT_NG_ML = (80.0, 200.0)
# Nortriptyline SmPC: optimum therapeutic plasma range at the usual doses (75-100 mg/day).
THERAPEUTIC_NT_NG_ML = (50.0, 150.0)
# Garland, Min & Birkett 1978: AUC(NT)/AUC(AT) after a single 75 mg dose, 0.88 +/- 0.34.
GARLAND_NT_AT_AUC_RATIO, GARLAND_SD = 0.88, 0.34


def test_single_50mg_peak_within_one_sd_of_observed():
    m = simulate_exposure("amitriptyline", Regimen.parse("50 mg")).metrics["amitriptyline"]
    assert abs(m["cmax_ng_mL"] - SMPC_50MG_CMAX_NG_ML) < SMPC_50MG_CMAX_SD
    assert abs(m["tmax_h"] - SMPC_50MG_TMAX_H) < SMPC_50MG_TMAX_SD


def test_terminal_half_lives_match_single_dose_studies():
    # Garland 1978 (75 mg): amitriptyline 22.4 +/- 4.3 h; nortriptyline 26.0 +/- 7.4 h.
    # Schulz 1983: 16.2 +/- 6.1 h (young), 21.7 +/- 2.9 h (elderly). The model was fitted to
    # 20 h (SmPC "about 20 h"); the others are held out.
    r = simulate_exposure("amitriptyline", Regimen.parse("75 mg"))
    assert abs(r.metrics["amitriptyline"]["t_half_h"] - 22.4) <= 4.3
    assert abs(r.metrics["amitriptyline"]["t_half_h"] - 16.2) <= 6.1
    assert abs(r.metrics["nortriptyline"]["t_half_h"] - 26.0) <= 7.4


def test_iv_terminal_volume_within_one_sd_of_label():
    # CL / lambda_z of the two-compartment model against the SmPC IV Vbeta 1221 +/- 280 L.
    at = pk_compound("amitriptyline")
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    v_beta = at.value("cl_f") * at.value("f_oral") * r.metrics["amitriptyline"]["t_half_h"] / math.log(2)
    assert abs(v_beta - SMPC_IV_VOLUME_L) <= 280.0


@pytest.mark.parametrize("dose_mg", [25, 50])
def test_low_single_doses_peak_in_label_range(dose_mg):
    # SmPC: 50 mg Cmax 10.85-45.70 ng/mL (range), tmax 3.89 +/- 1.87 h; dose-proportional at 25 mg.
    m = simulate_exposure("amitriptyline", Regimen.parse(f"{dose_mg} mg")).metrics["amitriptyline"]
    scale = dose_mg / 50
    assert 10.85 * scale <= m["cmax_ng_mL"] <= 45.70 * scale
    assert abs(m["tmax_h"] - SMPC_50MG_TMAX_H) <= SMPC_50MG_TMAX_SD


def test_150mg_per_day_in_therapeutic_range():
    r = simulate_exposure("amitriptyline", Regimen.parse("150 mg", every="24 h", days=14))
    total = r.metrics["amitriptyline"]["cavg_ng_mL"] + r.metrics["nortriptyline"]["cavg_ng_mL"]
    low, high = THERAPEUTIC_AT_NT_NG_ML
    assert low <= total <= high
    # and a 10 mg/day (pain/sleep) dose stays far below it
    r10 = simulate_exposure("amitriptyline", Regimen.parse("10 mg", every="24 h", days=14))
    t10 = r10.metrics["amitriptyline"]["cavg_ng_mL"] + r10.metrics["nortriptyline"]["cavg_ng_mL"]
    assert t10 < low / 5


def test_nortriptyline_100mg_per_day_in_its_range():
    r = simulate_exposure("nortriptyline", Regimen.parse("100 mg", every="24 h", days=14))
    low, high = THERAPEUTIC_NT_NG_ML
    assert low <= r.metrics["nortriptyline"]["cavg_ng_mL"] <= high


def test_metabolite_to_parent_auc_ratio_within_one_sd():
    r = simulate_exposure("amitriptyline", Regimen.parse("75 mg"))
    ratio = r.metrics["nortriptyline"]["auc_ng_h_mL"] / r.metrics["amitriptyline"]["auc_ng_h_mL"]
    assert abs(ratio - GARLAND_NT_AT_AUC_RATIO) <= GARLAND_SD


@pytest.mark.parametrize("analyte", ["amitriptyline", "nortriptyline"])
def test_unbound_is_fu_times_total_and_brain_scales_with_kp_uu(analyte):
    reg = Regimen.parse("75 mg", every="24 h", days=7)
    r1 = simulate_exposure("amitriptyline", reg)
    r2 = simulate_exposure("amitriptyline", reg, kp_uu=0.3)
    fu = pk_compound(analyte).value("fu")
    assert (r1.unbound_plasma_M[analyte] == pytest.approx(fu * r1.total_M[analyte]))
    assert (r2.unbound_brain_M[analyte] == pytest.approx(0.3 * r1.unbound_brain_M[analyte]))
    assert r2.metrics[analyte]["unbound_brain_cavg_M"] == pytest.approx(
        0.3 * r1.metrics[analyte]["unbound_cavg_M"])
