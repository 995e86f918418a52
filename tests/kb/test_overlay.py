"""User files merge over the shipped rows, are marked as user rows and say what they replace."""

import pytest

from neuromoa.kb import load_kb


def test_user_row_replaces_default_and_says_so(tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,SLC6A4,human,Ki,2,2,nM,tatsumi1997\n", encoding="utf-8")
    kb = load_kb(user_files=[path])
    aff = kb.affinity("amitriptyline", "SERT")
    assert aff.value_M == pytest.approx(2e-9) and aff.user and aff.origin == "user"
    # the shipped document row is still there, no longer default, selectable by its key
    shipped = kb.affinity("amitriptyline", "SERT", source="doc-t1-01")
    assert shipped.value_M == pytest.approx(3.45e-9) and not shipped.user
    assert any("doc-t1-01" in m and str(path) in m for m in kb.overlay_messages)
    rows = kb.activities(compound="amitriptyline", target="SERT")
    assert rows["user"].sum() == 1 and rows.loc[rows["user"], "replaces"].item() == "doc-t1-01"
    # the cached default knowledge base is untouched
    assert load_kb().affinity("amitriptyline", "SERT").value_M == pytest.approx(3.45e-9)


def test_user_row_with_existing_key_replaces_that_row(tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text("key,compound,target,species,measure,low,high,unit,reference\n"
                    "facts-tat-nor-net,nortriptyline,NET,Human,KD,5,5,nM,tatsumi1997\n",
                    encoding="utf-8")
    kb = load_kb(user_files=[path])
    rows = kb.activities(compound="nortriptyline", target="NET")
    assert len(rows) == 1 and rows["user"].item()
    assert rows["value_M"].item() == pytest.approx(5e-9)


def test_user_compound_and_its_activities(tmp_path):
    comp = tmp_path / "compounds.csv"
    comp.write_text("id,name,mw_base,synonyms,source\n"
                    "examplamine,Examplamine,280.41,Exampril,my lab notebook p. 12\n",
                    encoding="utf-8")
    act = tmp_path / "acts.csv"
    act.write_text("compound,target,species,measure,low,high,unit,reference,condition\n"
                   "Exampril,SERT,Human,KD,1.4,1.4,nM,tatsumi1997,\n"
                   "examplamine,hERG,Human,IC50,3.4,3.4,uM,tatsumi1997,CHO\n", encoding="utf-8")
    kb = load_kb(user_files=[comp, act])
    assert kb.compound("exampril").user and kb.compound("examplamine").mw_base == 280.41
    frame = kb.activities(compound="examplamine")
    assert set(frame["target"]) == {"SERT", "hERG"} and frame["user"].all()
    assert set(frame["origin"]) == {"user"}
    assert kb.affinity("examplamine", "KCNH2").high_M == pytest.approx(3.4e-6)


def test_new_condition_adds_rather_than_replaces(tmp_path):
    path = tmp_path / "herg.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference,condition\n"
                    "amitriptyline,hERG,Human,IC50,10,10,uM,jo2000,37 C\n", encoding="utf-8")
    kb = load_kb(user_files=[path])
    assert kb.affinity("amitriptyline", "hERG").value_M == pytest.approx(4.78e-6)
    assert kb.affinity("amitriptyline", "hERG", condition="37 C").user
    assert not kb.overlay_messages


def test_unspecified_condition_matches_empty(tmp_path):
    # Table 2 prints 'Not Specified' for hERG; a user row without a condition is the same slot
    path = tmp_path / "herg2.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,KCNH2,human,IC50,3,3,uM,jo2000\n", encoding="utf-8")
    kb = load_kb(user_files=[path])
    aff = kb.affinity("amitriptyline", "hERG")
    assert aff.user and aff.value_M == pytest.approx(3e-6)
    assert any("doc-t2-09" in m for m in kb.overlay_messages)


def test_slot_uses_effective_species(tmp_path):
    # shipped hERG row: printed 'Not Specified', corrected 'Human' (Jo 2000 used human ERG)
    path = tmp_path / "herg3.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,hERG,Human,IC50,3,3,uM,jo2000\n", encoding="utf-8")
    kb = load_kb(user_files=[path])
    assert kb.affinity("amitriptyline", "hERG").value_M == pytest.approx(3e-6)
    assert len(kb.activities(compound="amitriptyline", target="hERG", default_only=True)) == 1


def test_quoted_header(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('"compound","target","species","measure","low","high","unit","reference"\n'
                    '"amitriptyline","NET","Human","Ki","9","9","nM","tatsumi1997"\n',
                    encoding="utf-8")
    assert load_kb(user_files=[path]).affinity("amitriptyline", "NET").value_M == \
        pytest.approx(9e-9)
