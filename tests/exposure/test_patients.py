"""Genotype and covariate effects: directions from the model's routes, published magnitudes."""

import math

import pytest

from neuromoa.errors import ParameterError
from neuromoa.exposure import Patient, Regimen, resolve_dose, simulate_exposure

REG = Regimen.parse("75 mg", every="12 h", days=60)  # 60 days: steady state even in PMs


def cavg(**kw):
    r = simulate_exposure("amitriptyline", REG, patient=Patient.from_options(**kw))
    return {a: m["cavg_ng_mL"] for a, m in r.metrics.items()}


def ratio(**kw):
    ref, x = cavg(), cavg(**kw)
    return {a: x[a] / ref[a] for a in ref}


def test_cyp2d6_poor_metaboliser_raises_both_nortriptyline_most():
    r = ratio(cyp2d6="*4/*4")
    assert r["amitriptyline"] > 1.2           # E-10-hydroxylation of AMI lost
    assert r["nortriptyline"] > 2.5           # NT clearance mainly CYP2D6 (t1/2 25 -> ~80 h)
    assert r["nortriptyline"] > r["amitriptyline"]


def test_cyp2d6_activity_orders_levels():
    levels = [cavg(cyp2d6=d)["nortriptyline"] for d in ("*4/*4", "*1/*4", "*1/*41", "*1/*1",
                                                         "*1/*1x2")]
    assert levels == sorted(levels, reverse=True)


def test_cyp2c19_poor_metaboliser_raises_parent_lowers_metabolite():
    r = ratio(cyp2c19="*2/*2")
    assert r["amitriptyline"] > 1.3 and r["nortriptyline"] < 0.8
    r17 = ratio(cyp2c19="*1/*17")
    assert r17["amitriptyline"] < 1.0 and r17["nortriptyline"] > 1.0


def test_pm_nortriptyline_half_life_in_published_range():
    # 64-105 h in CYP2D6 poor metabolisers (FACTS.md; PMC8175851: 92 h at activity 0).
    r = simulate_exposure("amitriptyline", Regimen.parse("75 mg"),
                          patient=Patient.from_options(cyp2d6="PM"))
    assert 64 <= r.metrics["nortriptyline"]["t_half_h"] <= 105


def test_weight_lowers_clearance_but_not_in_proportion():
    light = cavg(weight="50 kg")["amitriptyline"] / cavg()["amitriptyline"]
    assert light == pytest.approx((70 / 50) ** 0.75, rel=1e-6)  # CL ∝ WT^0.75 (A)


def test_age_lengthens_half_life_only():
    # Schulz 1983: V up with age, CL unchanged -> Cavg unchanged, t1/2 longer.
    young = simulate_exposure("amitriptyline", Regimen.parse("75 mg"),
                              patient=Patient.from_options(age=22))
    old = simulate_exposure("amitriptyline", Regimen.parse("75 mg"),
                            patient=Patient.from_options(age=71))
    assert old.metrics["amitriptyline"]["auc_ng_h_mL"] == pytest.approx(
        young.metrics["amitriptyline"]["auc_ng_h_mL"], rel=1e-9)
    t_ratio = old.metrics["amitriptyline"]["t_half_h"] / young.metrics["amitriptyline"]["t_half_h"]
    assert t_ratio == pytest.approx(1 + 0.00434 * 49, rel=0.05)  # Schulz: 17.1/14.1 L/kg


def test_sex_has_no_effect_and_says_so():
    r = simulate_exposure("amitriptyline", REG, patient=Patient.from_options(sex="female"))
    assert r.metrics["amitriptyline"]["cavg_ng_mL"] == pytest.approx(cavg()["amitriptyline"])
    assert any("sex" in n for n in r.notes)


def test_mg_per_kg_dose():
    p = Patient.from_options(weight="55 kg")
    assert resolve_dose("1 mg/kg", p) == "55 mg"
    with pytest.raises(ParameterError, match="per kg"):
        resolve_dose("1 mg/kg", Patient())


@pytest.mark.parametrize("w", ["-5 kg", "0 kg", "5 parsecs", "1000 kg"])
def test_bad_weight(w):
    with pytest.raises(ParameterError):
        Patient.from_options(weight=w)


def test_json_patient_object():
    d = simulate_exposure("amitriptyline", Regimen.parse("75 mg", every="12 h"),
                          patient=Patient.from_options(cyp2d6="*1/*4", cyp2c19="*1/*17",
                                                       weight="55 kg", age=78,
                                                       sex="female")).to_dict()
    p = d["patient"]
    assert p["cyp2d6"] == {"diplotype": "*1/*4", "activity_score": 1.0, "phenotype": "IM"}
    assert p["cyp2c19"] == {"diplotype": "*1/*17", "phenotype": "RM"}
    assert (p["weight_kg"], p["age_y"], p["sex"]) == (55.0, 78.0, "female")
    assert p["assumed"] == []
    assert all(math.isfinite(m["t_half_h"]) for m in d["analytes"].values())
