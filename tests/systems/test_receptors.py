"""Schild analysis of simulated data recovers the affinity it was given, for every GPCR target."""

import math
import warnings

import numpy as np
import pytest

from neuromoa.errors import InputError, UnknownTargetError  # noqa: E402
from neuromoa.systems import GPCR_TARGETS, agonist_table, schild_experiment  # noqa: E402


@pytest.mark.parametrize("model", ["gaddum", "operational"])
@pytest.mark.parametrize("target", GPCR_TARGETS)
def test_schild_recovers_pki_and_unit_slope(target, model):
    r = schild_experiment(target, model=model, seed=0)
    assert abs(r.pa2 - r.pki_kb) < 0.1
    assert abs(r.slope - 1.0) < 0.1
    lo, hi = r.slope_ci95
    assert lo < r.slope < hi


def test_dose_ratios_follow_schild_equation_without_noise():
    r = schild_experiment("M1", model="operational", noise=0.0, seed=0)
    assert np.allclose(r.dose_ratios["dose_ratio"], r.dose_ratios["expected_dose_ratio"],
                       rtol=1e-6)
    assert r.slope == pytest.approx(1.0, abs=1e-6)
    assert r.pa2 == pytest.approx(r.pki_kb, abs=1e-6)


def test_operational_reserve_shifts_ec50_below_ka():
    table = agonist_table()
    assert np.all(table["tau"] > 0)
    r = schild_experiment("alpha1", model="operational", noise=0.0)
    assert r.fit["ec50_M"] == pytest.approx(r.fit["ka_M"] / (1 + r.fit["tau"]), rel=1e-9)


def test_same_seed_same_bytes():
    a = schild_experiment("H2", seed=7).data
    b = schild_experiment("H2", seed=7).data
    c = schild_experiment("H2", seed=8).data
    assert a["response"].to_numpy().tobytes() == b["response"].to_numpy().tobytes()
    assert not np.array_equal(a["response"], c["response"])


def test_unknown_target():
    with pytest.raises(UnknownTargetError, match="unknown target 'H3'"):
        schild_experiment("H3")


def test_noisy_experiment_reports_a_failed_fit_not_an_array():
    # review finding 16: at noise 5 (SD five times Emax) no EC50 shift can be measured; the
    # result says so per curve, with NaN Schild numbers and no RuntimeWarning from overflow
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = schild_experiment("M1", noise=5.0, seed=0)
    assert [w for w in caught if issubclass(w.category, RuntimeWarning)] == []
    assert r.fit_status == "failed"
    assert r.message.startswith("schild M1: fit failed at noise 5: curve ")
    assert "array" not in r.message
    assert math.isnan(r.pa2) and math.isnan(r.slope) and math.isnan(r.pkb)
    table = r.dose_ratios
    assert set(table["status"]) <= {"ok", "warning", "failed"} and "failed" in set(table["status"])
    failed = table[table["status"] == "failed"]
    assert failed["message"].str.len().min() > 0
    d = r.to_dict()
    assert d["fit_status"] == "failed" and "fit failed at noise 5" in d["message"]
    r.plot()  # the data are still shown


def test_clean_experiment_has_status_ok_per_curve():
    r = schild_experiment("H1", noise=0.0)
    assert r.fit_status == "ok" and r.message == ""
    assert list(r.dose_ratios["status"]) == ["ok"] * 6


def test_design_parameters_shape_the_data():
    r = schild_experiment("M2", multiples=(3, 30, 300), replicates=2, noise=0.0, kb_M=1e-8)
    assert sorted(r.data["antagonist_M"].unique()) == pytest.approx([0, 3e-8, 3e-7, 3e-6])
    per_curve = r.data.groupby("curve").size()
    n_agonist = r.data[r.data["curve"] == 0]["agonist_M"].nunique()
    assert list(per_curve) == [2 * n_agonist] * 4
    for bad in ((3, 10), (3, 10, -1), (3, 3, 10), ("a", "b", "c")):
        with pytest.raises(InputError, match="multiples"):
            schild_experiment("M2", multiples=bad, kb_M=1e-8)
    with pytest.raises(InputError, match="replicates"):
        schild_experiment("M2", replicates=1.5, kb_M=1e-8)
