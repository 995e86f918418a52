"""Held-out: the model's steady state against published patient means (never fitted to them).

Sources and numbers: src/neuromoa/data/exposure/published_steady_state.csv (Ziegler et al.
1977 Arch Gen Psychiatry 34:607; Clin Pharmacol Ther 1976;20:458). The abstracts give no SD:
the tolerance is two standard errors with an assumed between-patient CV of 50 %.
"""

import math

import pytest

from neuromoa.errors import DataFileError
from neuromoa.exposure import published_steady_state

# Ziegler 1977 (abstract): amitriptyline 119 mg/day, n = 22, AMI + NT 120 ng/mL.
ZIEGLER_AMI_DOSE, ZIEGLER_AMI_N, ZIEGLER_AMI_MEAN = 119.0, 22, 120.0
ASSUMED_CV = 0.5  # assumption_tdm_cv


@pytest.fixture(scope="module")
def table():
    return published_steady_state().set_index("study")


def test_amitriptyline_plus_nortriptyline_within_two_sem_of_ziegler_1977(table):
    row = table.loc["ziegler1977_amitriptyline"]
    tol = 2.0 * ASSUMED_CV * ZIEGLER_AMI_MEAN / math.sqrt(ZIEGLER_AMI_N)  # 25.6 ng/mL
    assert row["dose_mg_day"] == ZIEGLER_AMI_DOSE
    assert row["tolerance_ng_mL"] == pytest.approx(tol)
    assert abs(row["model_cavg_ng_mL"] - ZIEGLER_AMI_MEAN) <= tol
    # the trough is below the average: the comparison is not hiding a peak-vs-mean mix-up
    assert row["model_cmin_ng_mL"] < row["model_cavg_ng_mL"]


def test_dose_normalised_level_at_75_and_150_mg_per_day(table):
    # Linear kinetics (Dawling 1982: no dose-dependent kinetics over the therapeutic range):
    # Ziegler's level per mg/day, scaled to 75 and 150 mg/day, against the model there.
    from neuromoa.exposure import Regimen, simulate_exposure

    per_mg = ZIEGLER_AMI_MEAN / ZIEGLER_AMI_DOSE
    tol = 2.0 * ASSUMED_CV / math.sqrt(ZIEGLER_AMI_N)  # relative
    for dose in (75.0, 150.0):
        m = simulate_exposure("amitriptyline", Regimen(dose_g=dose / 1000, interval_h=24.0,
                                                       duration_h=24.0 * 28)).metrics
        model = m["amitriptyline"]["cavg_ng_mL"] + m["nortriptyline"]["cavg_ng_mL"]
        assert abs(model / (per_mg * dose) - 1.0) <= tol


@pytest.mark.xfail(strict=True, reason=(
    "known discrepancy (README, Exposure): nortriptyline dosed itself comes out at about half "
    "the published patient means (71 vs 141 ng/mL at 117 mg/day) with the SmPC clearance "
    "30.6 L/h taken as systemic; not refitted to held-out data"))
@pytest.mark.parametrize("study", ["ziegler1977_nortriptyline", "ziegler1976_nortriptyline"])
def test_nortriptyline_dosed_itself_within_two_sem(table, study):
    assert bool(table.loc[study, "within"])


def test_nortriptyline_bias_is_the_documented_factor_of_two(table):
    # The README states "about half"; this fails if the model moves away from that statement.
    for study in ("ziegler1977_nortriptyline", "ziegler1976_nortriptyline"):
        assert 0.4 < table.loc[study, "ratio"] < 0.65


def test_malformed_row_names_file_row_and_field(monkeypatch):
    import neuromoa.exposure.published as pub

    bad = ("study,dosed,analytes,dose_mg_day,n,mean_ng_mL,sd_ng_mL,sampling,population,source,"
           "confidence,note\nx,amitriptyline,amitriptyline,-5,10,100,,,,s,M,\n")
    monkeypatch.setattr(pub, "read_text", lambda *a: bad)
    with pytest.raises(DataFileError, match=r"published_steady_state.csv row 2 \(x\): dose_mg_day"):
        pub.published_steady_state()
