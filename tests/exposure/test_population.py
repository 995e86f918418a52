"""The virtual population: seeding, chunking, agreement with the single-patient model, frequencies."""

import math

import numpy as np
import pandas as pd
import pytest

from neuromoa.errors import ParameterError
from neuromoa.exposure import Patient, Regimen, expected_phenotype_frequencies, simulate_exposure
from neuromoa.exposure.population import (
    BLOCK,
    PopulationSpec,
    chunks,
    simulate_chunk,
    simulate_population,
    summarize_population,
)

SPEC = PopulationSpec("amitriptyline", Regimen.parse("75 mg", every="12 h"), 5000)


def test_same_seed_same_rows_and_chunking_does_not_matter():
    a = simulate_population(SPEC, 7)
    b = simulate_population(SPEC, 7, chunk_size=BLOCK)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_population(SPEC, 8)
    assert not np.allclose(a["amitriptyline_cavg_ng_mL"], c["amitriptyline_cavg_ng_mL"])


def test_simulate_chunk_is_the_seam():
    parts = chunks(SPEC, 2 * BLOCK)
    frames = [simulate_chunk(c, 3) for c in reversed(parts)]  # any order, any worker
    joined = pd.concat(frames).sort_values("patient").reset_index(drop=True)
    pd.testing.assert_frame_equal(joined, simulate_population(SPEC, 3))


def test_rows_match_the_single_patient_model():
    df = simulate_population(PopulationSpec("amitriptyline", Regimen.parse("75 mg", every="12 h"),
                                            3, variability=False), 1)
    for i in range(3):
        row = df.iloc[i]
        p = Patient.from_options(cyp2d6=row.cyp2d6_diplotype, cyp2c19=row.cyp2c19_diplotype,
                                 weight=float(row.weight_kg), age=float(row.age_y))
        r = simulate_exposure("amitriptyline", Regimen.parse("75 mg", every="12 h", days=80),
                              patient=p)
        for a in ("amitriptyline", "nortriptyline"):
            assert row[f"{a}_cavg_ng_mL"] == pytest.approx(r.metrics[a]["cavg_ng_mL"], rel=1e-4)
            assert row[f"{a}_cmin_ng_mL"] == pytest.approx(r.metrics[a]["cmin_ng_mL"], rel=1e-3)
            assert row[f"{a}_cmax_ng_mL"] == pytest.approx(r.metrics[a]["cmax_ng_mL"], rel=1e-3)


def test_phenotype_frequencies_within_sampling_error():
    n = 20000
    df = simulate_population(PopulationSpec("amitriptyline", Regimen.parse("75 mg", every="12 h"),
                                            n), 0)
    for gene in ("CYP2D6", "CYP2C19"):
        expected = expected_phenotype_frequencies(gene, "european")
        got = df[f"{gene.lower()}_phenotype"].value_counts(normalize=True)
        for ph, p in expected.items():
            se = math.sqrt(p * (1 - p) / n)
            assert abs(got.get(ph, 0.0) - p) <= 4 * se + 1e-12, (gene, ph)


def test_summary_fractions_and_direction_by_phenotype():
    df = simulate_population(SPEC, 0)
    s = summarize_population(df, SPEC)
    o = s["overall"]
    assert o["in_range"] + o["below_range"] <= 1.0 and 0 < o["in_range"] < 1
    by = s["by_phenotype"]["cyp2d6"]
    assert by["PM"]["median_trough_ng_mL"] > by["NM"]["median_trough_ng_mL"] > \
        by["UM"]["median_trough_ng_mL"]
    q = s["quantiles"]["amitriptyline_cmin_ng_mL"]
    assert q["p5"] < q["p25"] < q["p50"] < q["p75"] < q["p95"]


@pytest.mark.parametrize("n", [0, -3, 1.5, True])
def test_bad_population_size(n):
    with pytest.raises(ParameterError):
        PopulationSpec("amitriptyline", Regimen.parse("75 mg", every="12 h"), n)


def test_single_dose_population_is_refused():
    with pytest.raises(ParameterError, match="steady state"):
        PopulationSpec("amitriptyline", Regimen.parse("75 mg"), 10)


def test_population_panel_for_the_report():
    from neuromoa.exposure.population import population_panel

    t = population_panel("amitriptyline", ["75 mg", "150 mg"], n=2048)
    allrows = t[t["cyp2d6_phenotype"] == "all"].set_index("dose")
    assert allrows.loc["150 mg", "median_trough_ng_mL"] == pytest.approx(
        2 * allrows.loc["75 mg", "median_trough_ng_mL"], rel=1e-9)  # linear, same patients
    assert set(t["cyp2d6_phenotype"]) >= {"all", "NM", "IM", "PM"}
