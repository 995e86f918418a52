"""GtoPdb and ChEMBL export importers, on tiny hand-written fixtures (tests/kb/fixtures)."""

from pathlib import Path

import pytest

from neuromoa.errors import DataFileError
from neuromoa.kb import load_kb
from neuromoa.kb.importers import import_chembl, import_gtopdb, write_activities

FIX = Path(__file__).parent / "fixtures"


def test_gtopdb_rows_and_statuses():
    frame = import_gtopdb(FIX / "gtopdb_interactions.csv")
    assert len(frame) == 5  # one per data row; the version comment line is skipped
    by_target = {r["target"]: r for r in frame.to_dict(orient="records")}
    sert = by_target["SERT"]
    assert (sert["status"], sert["unit"], sert["low"], sert["measure"]) == ("ok", "nM", 4.0, "Ki")
    assert sert["reference"] == "pmid11111111" and sert["mode"] == "inhibitor"
    m1 = by_target["M1"]  # no nM values: the pKi range is kept as p-values
    assert (m1["status"], m1["unit"], m1["low"], m1["high"]) == ("ok", "pK", 8.5, 9.6)
    assert by_target["H1"]["status"] == "skipped"          # no numbers
    assert "censored" in by_target["DAT"]["message"]       # '>' relation
    assert "not in the knowledge base" in by_target["GPR999"]["message"]


def test_gtopdb_compound_filter():
    frame = import_gtopdb(FIX / "gtopdb_interactions.csv", compound="atropine")
    assert list(frame["compound"]) == ["atropine"]


def test_chembl_rows_and_statuses():
    frame = import_chembl(FIX / "chembl_activities.csv")
    assert len(frame) == 5
    ok = frame[frame["status"] == "ok"]
    assert set(ok["target"]) == {"SERT", "hERG"}
    herg = ok[ok["target"] == "hERG"].iloc[0]
    assert (herg["unit"], herg["low"], herg["species"]) == ("uM", 4.78, "Human")
    skipped = frame[frame["status"] == "skipped"]["message"].tolist()
    assert any("not an affinity" in m for m in skipped)
    assert any("censored" in m for m in skipped)
    assert any("NOTADRUG" in m for m in skipped)


def test_round_trip_into_kb(tmp_path):
    out = tmp_path / "imported.csv"
    n = write_activities(import_chembl(FIX / "chembl_activities.csv"), out)
    n += write_activities(import_gtopdb(FIX / "gtopdb_interactions.csv"), tmp_path / "g.csv")
    assert n == 4
    kb = load_kb(user_files=[out, tmp_path / "g.csv"])
    user = kb.activities(origin="user")
    assert len(user) == 4 and user["user"].all()
    # imported rows add sources, they do not replace the document's defaults
    assert kb.affinity("amitriptyline", "SERT").origin == "document"
    got = kb.affinity("amitriptyline", "hERG", source="chembl1000002")
    assert got.value_M == pytest.approx(4.78e-6) and got.user
    atr = kb.affinity("atropine", "M1", source="pmid22222222")
    assert atr.low_M == pytest.approx(10 ** -9.6)


def test_missing_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Ligand,Target Species\nx,Human\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        import_gtopdb(bad)
    assert info.value.field == "Target Gene Symbol" and info.value.row == 1
