"""Lookups, queries, defaults and sources of the shipped knowledge base."""

import csv
import math

import pytest

from neuromoa.data import read_text
from neuromoa.errors import InputError, UnknownCompoundError, UnknownTargetError
from neuromoa.kb import load_kb

CONTRACT_TARGETS = ("SERT NET DAT M1 M2 M3 M4 M5 H1 H2 alpha1 Nav Nav1.5 NMDA hERG Kv1.1 "
                    "Kv7.2/7.3 TrkA TrkB").split()


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_default_instance_is_cached(kb):
    assert load_kb() is kb


def test_every_contract_target(kb):
    for tid in CONTRACT_TARGETS:
        t = kb.target(tid)
        assert t.id == tid and t.genes and t.consequence and t.reference
        assert t.family in ("transporter", "GPCR", "ion channel", "receptor tyrosine kinase")
        assert t.effect_class in ("therapeutic", "adverse", "mixed")


@pytest.mark.parametrize(("name", "tid"), [
    ("slc6a4", "SERT"), ("HRH1", "H1"), ("CHRM1", "M1"), ("KCNH2", "hERG"), ("SCN5A", "Nav1.5"),
    ("kcnq2", "Kv7.2/7.3"), ("NTRK2", "TrkB"), ("ADRA1A", "alpha1"), ("sert", "SERT"),
    ("hH1", "Nav1.5"), ("GRIN1", "NMDA"),
])
def test_target_by_symbol(kb, name, tid):
    assert kb.target(name).id == tid


@pytest.mark.parametrize(("name", "cid"), [
    ("Amitriptyline", "amitriptyline"), ("ELAVIL", "amitriptyline"), ("Pamelor", "nortriptyline"),
    ("prozac", "fluoxetine"), ("2995", "desipramine"), ("KRMDCWKBEZIMAB-UHFFFAOYSA-N",
                                                         "amitriptyline"),
])
def test_compound_by_synonym(kb, name, cid):
    assert kb.compound(name).id == cid


def test_unknown_names_list_choices(kb):
    with pytest.raises(UnknownCompoundError) as info:
        kb.compound("aspirinol")
    assert "amitriptyline" in str(info.value) and "aspirinol" in str(info.value)
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownTargetError) as info:
        kb.target("SERTX")
    assert "SERT" in str(info.value) and "Kv7.2/7.3" in str(info.value)
    with pytest.raises(UnknownTargetError):
        kb.activities(target="nope")
    with pytest.raises(InputError, match="km_5ht_sert"):
        kb.constant("km_nope")


def test_compounds_metabolite_and_salt(kb):
    nor = kb.compound("nortriptyline")
    assert nor.role == "metabolite" and nor.parent == "amitriptyline"
    ami = kb.compound("amitriptyline")
    # FACTS.md: MW base 277.40, HCl 313.87 → base fraction of an HCl dose
    assert ami.salt_factor == pytest.approx(277.40 / 313.87)
    assert kb.compound("atropine").mw(salt=True) == pytest.approx(289.37)
    for cid in ("amitriptyline", "nortriptyline", "fluoxetine", "desipramine", "atropine",
                "pirenzepine"):
        assert len(kb.compound(cid).inchikey) == 27


def test_tatsumi_series_selectable(kb):
    doc = kb.affinity("amitriptyline", "SERT")
    assert doc.value_M == pytest.approx(3.45e-9) and doc.origin == "document"
    tat = kb.affinity("amitriptyline", "SERT", source="tatsumi1997")
    assert tat.value_M == pytest.approx(4.3e-9) and tat.measure == "KD"
    assert kb.affinity("nortriptyline", "NET").value_M == pytest.approx(4.37e-9)
    with pytest.raises(InputError, match="tatsumi1997"):
        kb.affinity("amitriptyline", "SERT", source="nobody")


def test_channel_conditions(kb):
    assert kb.affinity("amitriptyline", "Nav", condition="open").value_M == pytest.approx(0.26e-6)
    assert kb.affinity("amitriptyline", "Nav1.5", condition="Inactivated").value_M == \
        pytest.approx(0.58e-6)
    with pytest.raises(InputError, match="Inactivated"):
        kb.affinity("amitriptyline", "Nav")  # three states, none unspecified
    with pytest.raises(InputError, match="conditions available"):
        kb.affinity("amitriptyline", "Nav", condition="slow-inactivated")
    # hERG: the document's row is the default; Jo 2000 voltage rows are selectable
    assert kb.affinity("amitriptyline", "hERG").value_M == pytest.approx(4.78e-6)
    v = kb.affinity("amitriptyline", "hERG", source="jo2000", condition="-30 mV")
    assert v.value_M == pytest.approx(23.0e-6)
    nmda = kb.affinity("amitriptyline", "NMDA", condition="0 mV")
    assert nmda.value_M == pytest.approx(220e-6) and nmda.source == "stepanenko2019"


def test_species_preference_and_fallback(kb):
    # human default: the audited human-brain KD 27 nM (issue 11), not the vendor 4.4 nM
    assert kb.affinity("amitriptyline", "alpha1").value_M == pytest.approx(27e-9)
    assert kb.affinity("amitriptyline", "alpha1", species="rat").value_M == pytest.approx(182e-9)
    nav = kb.affinity("amitriptyline", "Nav", condition="inactivated")
    assert nav.species == "Rat"  # measured on rat Nav1.4 (Wang 2004), said in the result
    assert kb.affinity("amitriptyline", "TrkA").species == "Not Specified"


def test_p_units_convert(kb):
    atr = kb.affinity("atropine", "M1")
    # pKi 8.5–9.6 → 10^-9.6 .. 10^-8.5 M
    assert atr.low_M == pytest.approx(10 ** -9.6) and atr.high_M == pytest.approx(10 ** -8.5)
    assert atr.value_M == pytest.approx(10 ** -9.05)


def test_queries(kb):
    gpcr = kb.activities(compound="amitriptyline", family="GPCR")
    assert set(gpcr["family"]) == {"GPCR"} and {"M1", "H1", "alpha1", "H2"} <= set(gpcr["target"])
    ic50 = kb.activities(measure="ic50", compound="amitriptyline", origin="document")
    assert len(ic50) == 11
    rat = kb.activities(species="rat")
    assert {"alpha1", "Nav"} <= set(rat["target"])
    defaults = kb.activities(compound="amitriptyline", default_only=True)
    assert not (defaults.groupby(["target", "condition", "species"]).size() > 1).any()
    cols = ("compound target gene species measure condition state low_M high_M value_M text unit "
            "mode reference citation correction confidence origin user").split()
    assert list(kb.activities().columns[:len(cols)]) == cols
    assert (kb.activities()["low_M"] <= kb.activities()["high_M"]).all()
    with pytest.raises(InputError):
        kb.activities(family="enzyme")


def test_constants(kb):
    assert kb.constant("km_5ht_sert").value_si == pytest.approx(463e-9)
    assert kb.constant("km_ne_net").value_si == pytest.approx(0.28e-6)
    assert kb.constant("kd_pirenzepine_m1").value_si == pytest.approx(14e-9)
    assert kb.constant("ki_pirenzepine_m1").value_si == pytest.approx(math.sqrt(8 * 15) * 1e-9,
                                                                      rel=1e-3)
    assert kb.constant("ki_atropine_m1").value_si == pytest.approx(10 ** -9.05, rel=1e-3)
    assert kb.constant("tau_recovery_inactivated_nav15").value_si == pytest.approx(8.0)
    for name in ("ki_fluoxetine_sert", "ki_desipramine_net", "km_5ht_sert_agnel"):
        c = kb.constant(name)
        assert c.value_si > 0 and c.reference and c.confidence in "HMU"


def test_every_reference_resolves_independently():
    """Re-read the CSVs with the csv module and check each reference id exists."""
    ids = {r["id"] for r in csv.DictReader(read_text("kb", "references.csv").splitlines())}
    for name, fields in (("activities.csv", ("reference", "corrected_reference")),
                         ("targets.csv", ("reference",)), ("constants.csv", ("reference",))):
        for row in csv.DictReader(read_text("kb", name).splitlines()):
            for f in fields:
                for ref in filter(None, (x.strip() for x in row[f].split(";"))):
                    assert ref in ids, (name, row, f, ref)


def test_to_dict_json_safe(kb):
    import json

    json.dumps(kb.affinity("amitriptyline", "H1").to_dict())
    json.dumps(kb.compound("atropine").to_dict())  # mw_salt NaN → None
    json.dumps(kb.target("NMDA").to_dict())
    json.dumps(kb.constant("km_5ht_sert").to_dict())


def test_affinities_for_engagement(kb):
    affs = kb.affinities("amitriptyline")
    by = {(a.target, a.condition): a for a in affs}
    # one per target × condition of the document: 13 Table-1 targets (alpha1 once, human)
    # + 11 Table-2 rows
    assert len(affs) == 13 + 11
    assert by[("alpha1", "")].value_M == pytest.approx(27e-9)  # audited default (issue 11)
    assert by[("SERT", "")].origin == "document"
    assert by[("Nav", "Open")].species == "Rat"
    assert not any(a.condition == "-30 mV" for a in affs)  # non-default series stay out
    tat = {a.target: a for a in kb.affinities("amitriptyline", source="tatsumi1997")}
    assert tat["SERT"].value_M == pytest.approx(4.3e-9)
    assert tat["DAT"].value_M == pytest.approx(3250e-9)
    assert tat["H1"].origin == "document"  # no Tatsumi H1 value: the default stays
    nor = {a.target for a in kb.affinities("nortriptyline")}
    assert nor == {"SERT", "NET", "DAT", "hERG", "H1", "muscarinic", "alpha1",
                   "M1", "M2", "M3", "M4", "M5"}


def test_nortriptyline_generic_muscarinic_value_is_mapped_to_each_subtype(kb):
    # Cusack 1994 (FACTS.md, U): nortriptyline muscarinic KD ~150 nM, human brain, not
    # subtype-resolved: one row per subtype, measured genes CHRM1-5, with a note (review 8).
    for n in range(1, 6):
        aff = kb.affinity("nortriptyline", f"M{n}")
        assert aff.value_M == pytest.approx(150e-9)
        assert aff.measure == "KD" and aff.source == "cusack1994" and aff.confidence == "U"
        row = kb.activities(compound="nortriptyline", target=f"M{n}").iloc[0]
        assert row["gene"] == "CHRM1;CHRM2;CHRM3;CHRM4;CHRM5"
        assert "not subtype-resolved" in row["note"]
