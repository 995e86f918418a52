"""Every row of the source document's Tables 1 and 2, as printed, is in the knowledge base.

The expected rows below were typed by hand from the source document
(``shared/seed/000_5dc639da3ad7329d.txt``, "Quantitative Data Summary"), independently of
``data/kb/activities.csv``: target as printed, species, value text, unit, condition, reference.
"""

import pytest

from neuromoa.kb import load_kb

# Table 1: Amitriptyline Binding Affinities (Ki) — target, species, Ki (nM) as printed, ref.
# (printed target, our target id, species, text, low nM, high nM, reference as printed)
TABLE_1 = [
    ("Serotonin Transporter (SERT)", "SERT", "Human", "3.45", 3.45, 3.45, "[8]"),
    ("Norepinephrine Transporter (NET)", "NET", "Human", "13.3", 13.3, 13.3, "[8]"),
    ("Muscarinic M1 Receptor", "M1", "Human", "11-24", 11, 24, "[8]"),
    ("Muscarinic M2 Receptor", "M2", "Human", "11-24", 11, 24, "[8]"),
    ("Muscarinic M3 Receptor", "M3", "Human", "11-24", 11, 24, "[8]"),
    ("Muscarinic M4 Receptor", "M4", "Human", "11-24", 11, 24, "[8]"),
    ("Muscarinic M5 Receptor", "M5", "Human", "11-24", 11, 24, "[8]"),
    ("Histamine H1 Receptor", "H1", "Human", "0.5-1.1", 0.5, 1.1, "[8]"),
    ("Histamine H2 Receptor", "H2", "Human", "~66.1 (pKi 7.18)", 66.1, 66.1, "[9][10]"),
    ("α1-Adrenergic Receptor", "alpha1", "Human", "4.4", 4.4, 4.4, "[8]"),
    ("α1-Adrenergic Receptor", "alpha1", "Rat", "182", 182, 182, "[11]"),
    ("Dopamine Transporter (DAT)", "DAT", "Human", "2580", 2580, 2580, "[8]"),
    ("TrkA Receptor", "TrkA", "Not Specified", "3000", 3000, 3000, "[12]"),
    ("TrkB Receptor", "TrkB", "Not Specified", "14000", 14000, 14000, "[12]"),
]

# Table 2: Amitriptyline Functional Inhibition (IC50) — target, state/condition, IC50 (µM), ref.
TABLE_2 = [
    ("Voltage-gated Na+ Channel", "Nav", "Open", "0.26", 0.26, "[13]"),
    ("Voltage-gated Na+ Channel", "Nav", "Inactivated", "0.51", 0.51, "[13]"),
    ("Voltage-gated Na+ Channel", "Nav", "Resting", "33", 33, "[13]"),
    ("Human Heart hH1 Na+ Channel", "Nav1.5", "Resting", "24.8", 24.8, "[2][14]"),
    ("Human Heart hH1 Na+ Channel", "Nav1.5", "Inactivated", "0.58", 0.58, "[2][14]"),
    ("NMDA Receptor", "NMDA", "4 mM external Ca2+", "0.72", 0.72, "[15][16]"),
    ("NMDA Receptor", "NMDA", "0.25 mM external Ca2+", "220 (trapping open- channel block)",
     220, "[15][16]"),
    ("Muscarinic Receptor", "muscarinic", "Not Specified", "1.0", 1.0, "[5]"),
    ("hERG Potassium Channel", "hERG", "Not Specified", "4.78", 4.78, "[8]"),
    ("Kv1.1 Potassium Channel", "Kv1.1", "Not Specified", "22", 22, "[17]"),
    ("Kv7.2/7.3 Potassium Channel", "Kv7.2/7.3", "Not Specified", "10", 10, "[17]"),
]


@pytest.fixture(scope="module")
def doc_rows():
    return load_kb().activities(compound="amitriptyline", origin="document")


def test_row_counts(doc_rows):
    assert (doc_rows["doc_table"] == "Table 1").sum() == len(TABLE_1) == 14
    assert (doc_rows["doc_table"] == "Table 2").sum() == len(TABLE_2) == 11


@pytest.mark.parametrize("row", TABLE_1, ids=[f"T1-{i + 1}" for i in range(len(TABLE_1))])
def test_table_1_row(doc_rows, row):
    printed, tid, species, text, low_nM, high_nM, ref = row
    hit = doc_rows[(doc_rows["doc_table"] == "Table 1") & (doc_rows["target"] == tid)
                   & (doc_rows["species"] == species)]
    assert len(hit) == 1, (tid, species)
    r = hit.iloc[0]
    assert r["doc_target"] == printed
    assert r["text"] == text
    assert r["unit"] == "nM"
    assert r["measure"] == "Ki"
    assert r["doc_reference"] == ref
    assert r["low_M"] == pytest.approx(low_nM * 1e-9, rel=1e-12)
    assert r["high_M"] == pytest.approx(high_nM * 1e-9, rel=1e-12)
    # a document row is the default unless the affinity audit (issue 11) corrected it
    assert r["is_default"] or r["correction"].startswith("Audit (issue 11)")
    assert r["citation"]  # every document row carries its reference's citation text


@pytest.mark.parametrize("row", TABLE_2, ids=[f"T2-{i + 1}" for i in range(len(TABLE_2))])
def test_table_2_row(doc_rows, row):
    printed, tid, condition, text, ic50_uM, ref = row
    hit = doc_rows[(doc_rows["doc_table"] == "Table 2") & (doc_rows["target"] == tid)
                   & (doc_rows["condition"] == condition)]
    assert len(hit) == 1, (tid, condition)
    r = hit.iloc[0]
    assert r["doc_target"] == printed
    assert r["text"] == text
    assert r["unit"] == "uM"
    assert r["measure"] == "IC50"
    assert r["doc_reference"] == ref
    assert r["low_M"] == pytest.approx(ic50_uM * 1e-6, rel=1e-12)
    assert r["high_M"] == pytest.approx(ic50_uM * 1e-6, rel=1e-12)
    # Table 2 prints no species column; only the hH1 rows name one ("Human Heart").
    assert r["species"] == ("Human" if tid == "Nav1.5" else "Not Specified")


def test_h2_keeps_both_printed_forms(doc_rows):
    r = doc_rows[doc_rows["target"] == "H2"].iloc[0]
    assert "66.1" in r["text"] and "pKi 7.18" in r["text"]
    # 10**-7.18 M = 66.07 nM: the printed Ki and pKi agree to 0.1 %
    assert r["value_M"] == pytest.approx(10 ** -7.18, rel=1e-3)


def test_ranges_stay_ranges(doc_rows):
    m1 = doc_rows[doc_rows["target"] == "M1"].iloc[0]
    assert m1["low_M"] < m1["high_M"]
    assert m1["value_M"] == pytest.approx((11e-9 * 24e-9) ** 0.5)


# FACTS.md corrections stored beside the document's text (not instead of it).
def test_sodium_channel_correction(doc_rows):
    nav = doc_rows[doc_rows["target"] == "Nav"]
    assert set(nav["corrected_reference"]) == {"wang2004"}
    assert set(nav["corrected_species"]) == {"Rat"}
    assert all("Nav1.4" in c for c in nav["correction"])
    assert set(nav["doc_reference"]) == {"[13]"}
    conf = dict(zip(nav["condition"], nav["confidence"], strict=True))
    assert conf == {"Open": "H", "Inactivated": "H", "Resting": "U"}


def test_nmda_trapping_block_correction(doc_rows):
    r = doc_rows[(doc_rows["target"] == "NMDA") & (doc_rows["low_M"] > 1e-4)].iloc[0]
    assert r["condition"] == "0.25 mM external Ca2+"  # as printed
    assert "0 mV" in r["corrected_condition"] and "0.25 mM" in r["corrected_condition"]
    assert "trapping" in r["correction"] and r["corrected_reference"] == "stepanenko2019"


def test_herg_and_hh1_sources(doc_rows):
    herg = doc_rows[doc_rows["target"] == "hERG"].iloc[0]
    assert herg["corrected_reference"] == "jo2000" and herg["doc_reference"] == "[8]"
    hh1 = doc_rows[doc_rows["target"] == "Nav1.5"]
    assert set(hh1["corrected_reference"]) == {"nau2000"}
    assert set(hh1["confidence"]) == {"H"}
