"""Genotype tables and parsing (CPIC/PharmVar), with property tests of the parser."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuromoa.exposure import (
    GenotypeError,
    Patient,
    Regimen,
    allele_table,
    expected_phenotype_frequencies,
    genotype_references,
    parse_genotype,
    simulate_exposure,
)

# CPIC/DPWG consensus (Caudle 2020): activity values and phenotype bands, written here from the
# paper (not read from the shipped table).
CPIC_CYP2D6 = {"*1/*1": (2.0, "NM"), "*1/*2": (2.0, "NM"), "*1/*4": (1.0, "IM"),
               "*1/*10": (1.25, "NM"), "*1/*41": (1.5, "NM"), "*4/*4": (0.0, "PM"),
               "*1/*1x2": (3.0, "UM"), "*4/*10": (0.25, "IM"), "*5/*41": (0.5, "IM"),
               "*2x2/*4": (2.0, "NM")}
CPIC_CYP2C19 = {"*1/*1": "NM", "*1/*2": "IM", "*2/*2": "PM", "*1/*17": "RM", "*17/*17": "UM",
                "*2/*17": "IM", "*2/*3": "PM"}


@pytest.mark.parametrize("dip", sorted(CPIC_CYP2D6))
def test_cyp2d6_activity_and_phenotype_follow_cpic(dip):
    g = parse_genotype("CYP2D6", dip)
    assert (g.activity, g.phenotype) == CPIC_CYP2D6[dip]


@pytest.mark.parametrize("dip", sorted(CPIC_CYP2C19))
def test_cyp2c19_phenotype_follows_cpic(dip):
    assert parse_genotype("CYP2C19", dip).phenotype == CPIC_CYP2C19[dip]


@pytest.mark.parametrize("text,phen", [("AS=1.5", "NM"), ("AS=0", "PM"), ("AS=0.75", "IM"),
                                       ("AS=3", "UM"), ("pm", "PM"), ("UM", "UM")])
def test_activity_score_and_phenotype_inputs(text, phen):
    assert parse_genotype("CYP2D6", text).phenotype == phen


def test_unknown_allele_lists_known_ones():
    with pytest.raises(GenotypeError, match=r"unknown allele '\*99'.*\*1, \*2"):
        parse_genotype("CYP2D6", "*1/*99")


@pytest.mark.parametrize("bad", ["*1*4", "*1/", "1/4", "*1/*4/*2", "AS=1.1", "AS=x"])
def test_malformed_diplotypes_raise(bad):
    with pytest.raises(GenotypeError):
        parse_genotype("CYP2D6", bad)


def test_activity_score_is_cyp2d6_only():
    with pytest.raises(GenotypeError, match="CYP2D6 only"):
        parse_genotype("CYP2C19", "AS=2")


ALLELES = list(allele_table("CYP2D6")["allele"])


@given(st.sampled_from(ALLELES), st.sampled_from(ALLELES), st.integers(1, 3))
@settings(max_examples=150, deadline=None)
def test_diplotype_activity_is_sum_of_alleles_and_order_free(a, b, copies):
    b2 = b if copies == 1 else f"{b}x{copies}"
    g1, g2 = parse_genotype("CYP2D6", f"{a}/{b2}"), parse_genotype("CYP2D6", f"{b2}/{a}")
    assert g1.activity == g2.activity and g1.phenotype == g2.phenotype
    table = dict(zip(allele_table("CYP2D6")["allele"], allele_table("CYP2D6")["activity_value"],
                     strict=True))
    assert g1.activity == pytest.approx(table[a] + copies * table[b])


@given(st.text(max_size=12))
@settings(max_examples=200, deadline=None)
def test_random_text_parses_or_raises_genotype_error(text):
    try:
        g = parse_genotype("CYP2D6", text)
    except GenotypeError:
        return
    assert g.phenotype in {"PM", "IM", "NM", "UM"}


def test_expected_phenotype_frequencies_sum_to_one_and_european_pm_plausible():
    f = expected_phenotype_frequencies("CYP2D6", "european")
    assert sum(f.values()) == pytest.approx(1.0)
    # CPIC: 5-10 % of Europeans are CYP2D6 poor metabolisers.
    assert 0.03 <= f["PM"] <= 0.10


def test_references_have_versions():
    refs = genotype_references()
    assert refs["version"].str.len().min() > 0


@pytest.mark.parametrize("gene,text", [("cyp2d6", "*1/*4"), ("cyp2c19", "*2/*2")])
def test_genotype_for_enzyme_without_route_raises(gene, text):
    # nortriptyline has a CYP2D6 route but no CYP2C19 route
    if gene == "cyp2c19":
        with pytest.raises(GenotypeError, match="no route for that enzyme for compound nortriptyline"):
            simulate_exposure("nortriptyline", Regimen.parse("50 mg"),
                              patient=Patient.from_options(cyp2c19=text))
    else:
        simulate_exposure("nortriptyline", Regimen.parse("50 mg"),
                          patient=Patient.from_options(cyp2d6=text))


def test_reference_patient_is_described():
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    p = r.to_dict()["patient"]
    assert "average adult extensive (normal) metaboliser" in p["description"]
    assert p["assumed"] == ["cyp2d6", "cyp2c19", "weight_kg", "age_y"]
    assert p["cyp2d6"] == {"diplotype": "*1/*1", "activity_score": 2.0, "phenotype": "NM"}
