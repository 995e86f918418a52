"""In-vivo calibration to human PET: the fit, its held-out checks, and engage()'s two values."""

import json
import math

import numpy as np
import pytest

from neuromoa.engagement import engage
from neuromoa.engagement.calibration import calibration, calibration_points, calibrations
from neuromoa.errors import InputError, ParameterError
from neuromoa.pharmacology import calibrated_occupancy, fit_potency_factor

# Sekine et al. 2010 (Psychopharmacology 210:331): nortriptyline single doses, plasma ng/mL and
# NET occupancy; Tatsumi 1997 nortriptyline hNET KD 4.37 nM; fu 0.062; MW base 263.38.
NT_MW, NT_FU, NT_K = 263.38, 0.062, 4.37e-9
SEKINE = {25: (23.7, 0.332), 75: (50.5, 0.411)}
SEKINE_10MG = 0.164
TAKANO_EC50_NG_ML = 79.8  # Takano et al. 2014, patients at steady state (held out)


def _cu(ng_ml):
    return NT_FU * ng_ml * 1e-6 / NT_MW


def test_single_observation_factor_is_the_closed_form():
    cu, th, k = 5e-9, 0.3, 2e-9
    fit = fit_potency_factor([cu], [th], [k], [0.05])
    assert fit.factor == pytest.approx(cu * (1 - th) / (th * k), rel=1e-6)
    assert fit.ci_low < fit.factor < fit.ci_high


def test_fit_recovers_a_known_factor_and_the_ci_covers_it():
    rng = np.random.default_rng(7)
    k, f_true, se = 10e-9, 4.0, 0.03
    cu = np.array([5e-9, 20e-9, 60e-9, 200e-9])
    hits = 0
    for _ in range(200):
        obs = cu / (cu + f_true * k) + rng.normal(0, se, cu.size)
        fit = fit_potency_factor(cu, np.clip(obs, 0.01, 0.99), np.full(4, k), np.full(4, se))
        hits += fit.ci_low <= f_true <= fit.ci_high
    assert 0.88 <= hits / 200 <= 0.99  # nominal 95 %


def test_bad_fit_inputs_are_parameter_errors():
    with pytest.raises(ParameterError):
        fit_potency_factor([1e-9], [1.2], [1e-9], [0.1])
    with pytest.raises(ParameterError):
        calibrated_occupancy(1e-9, 1e-9, factor=0.0)


def test_net_in_vitro_prediction_is_the_issue_figure_and_too_potent():
    """Free-drug theory with the in-vitro KD predicts ~56 % and ~73 % at 25 and 75 mg."""
    pts = calibration_points().set_index("study")
    assert pts.loc["sekine2010_25mg", "predicted_in_vitro"] == pytest.approx(0.56, abs=0.01)
    assert pts.loc["sekine2010_75mg", "predicted_in_vitro"] == pytest.approx(0.73, abs=0.01)


def test_net_factor_by_hand_and_held_out_doses():
    cal = calibration("NET")
    # Hand check: each fitted dose alone gives f = Cu (1 - θ) / (θ K); the fit lies between.
    f_each = [_cu(c) * (1 - th) / (th * NT_K) for c, th in SEKINE.values()]
    assert min(f_each) < cal.factor < max(f_each)
    assert cal.ci[0] < cal.factor < cal.ci[1]
    assert cal.source == "sekine2010"
    # Held out 1: the 10 mg dose (plasma by dose proportionality from 25 mg).
    c10 = SEKINE[25][0] * 10 / 25
    pred10 = _cu(c10) / (_cu(c10) + cal.factor * NT_K)
    in_vitro10 = _cu(c10) / (_cu(c10) + NT_K)
    assert abs(pred10 - SEKINE_10MG) < 0.05 < abs(in_vitro10 - SEKINE_10MG)
    # Held out 2: patients' plasma EC50 (Takano 2014) within 1.5-fold of the calibrated EC50.
    ec50_pred = cal.factor * NT_K / NT_FU * NT_MW * 1e6  # ng/mL
    assert 1 / 1.5 < ec50_pred / TAKANO_EC50_NG_ML < 1.5
    assert (NT_K / NT_FU * NT_MW * 1e6) / TAKANO_EC50_NG_ML < 1 / 2.5  # in vitro: >2.5x off


def test_sert_pools_two_drugs_and_reports_leave_one_drug_out():
    cal = calibration("SERT")
    assert set(cal.drugs) == {"clomipramine", "fluvoxamine"}
    pts = calibration_points().set_index("study")
    lodo = pts.loc[["suhara2003_clomipramine_ec50", "suhara2003_fluvoxamine_ec50"],
                   "predicted_leave_one_drug_out"]
    assert lodo.notna().all()
    # The two drugs disagree (the factor is drug-dependent): the pooled CI spans both.
    assert cal.ci[1] / cal.ci[0] > 10


def test_h1_has_no_calibration_and_asking_for_it_is_an_error():
    assert "H1" not in calibrations()
    with pytest.raises(InputError, match="No in-vivo calibration for target 'H1'"):
        engage("amitriptyline", dose="150 mg", every="24h", calibrate=["H1"])


def test_engage_json_has_both_values_per_target():
    r = engage("amitriptyline", dose="150 mg", every="24h")
    d = json.loads(json.dumps(r.to_dict()))
    rows = {(t["target"], t["condition"]): t for t in d["targets"]}
    net, h1 = rows[("NET", "")], rows[("H1", "")]
    assert net["calibration"]["source"] == "sekine2010"
    assert len(net["calibration"]["ci"]) == 2
    assert net["occupancy"] < net["occupancy_in_vitro"]  # PET: NET weaker in vivo
    assert h1["calibration"] is None and h1["occupancy"] == h1["occupancy_in_vitro"]
    off = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False)
    assert off.occupancy("NET") == pytest.approx(net["occupancy_in_vitro"], rel=1e-12)


def test_concentration_mode_is_not_calibrated():
    r = engage("amitriptyline", conc="10 nM")
    t = r.targets
    assert np.allclose(t["occupancy"], t["occupancy_in_vitro"])
    assert t["calibration"].isna().all()
    assert any("no in-vivo calibration" in n for n in r.notes)


def test_calibrated_range_comes_from_factor_ci():
    r = engage("nortriptyline", dose="75 mg", every="24h")
    row = r.targets[r.targets["target"] == "NET"].iloc[0]
    assert row["occupancy_low"] < row["occupancy"] < row["occupancy_high"]
    assert not math.isnan(row["occupancy_low"])
