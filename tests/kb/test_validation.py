"""Bad knowledge-base files fail with a DataFileError naming file, row and field."""

import pytest

import neuromoa.kb.loader as kb_base
from neuromoa.data import read_text
from neuromoa.errors import DataFileError
from neuromoa.kb import load_kb

HEADER = "compound,target,species,measure,low,high,unit,reference,condition"


def write(tmp_path, text, name="mine.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fails(path):
    with pytest.raises(DataFileError) as info:
        load_kb(user_files=[path])
    return info.value


def test_good_user_file_loads(tmp_path):
    path = write(tmp_path, HEADER + "\namitriptyline,SERT,Human,Ki,4,4,nM,tatsumi1997,\n")
    kb = load_kb(user_files=[path])
    assert kb.activities(origin="user").shape[0] == 1


def test_missing_column(tmp_path):
    path = write(tmp_path, "compound,target,species,measure,low,high,reference\n"
                 "amitriptyline,SERT,Human,Ki,4,4,tatsumi1997\n")
    err = fails(path)
    assert err.file == str(path) and err.row == 1 and err.field == "unit"
    assert str(path) in str(err) and "'unit'" in str(err)


@pytest.mark.parametrize(("line", "field"), [
    ("amitriptyline,SERT,Human,Ki,4,4,furlongs,tatsumi1997,", "low"),      # bad unit
    ("amitriptyline,SERT,Human,Ki,4,4,ng/mL,tatsumi1997,", "low"),         # mass conc: no MW
    ("amitriptyline,SERT,Human,Ki,4,4,s,tatsumi1997,", "low"),             # wrong dimension
    ("amitriptyline,SERT,Human,Ki,9,4,nM,tatsumi1997,", "low"),            # low > high
    ("amitriptyline,SERT,Human,Ki,-4,-4,nM,tatsumi1997,", "low"),          # negative
    ("amitriptyline,SERT,Human,Ki,four,4,nM,tatsumi1997,", "low"),         # not a number
    ("amitriptyline,SERT,Human,Kfoo,4,4,nM,tatsumi1997,", "measure"),      # unknown measure
    ("aspirinol,SERT,Human,Ki,4,4,nM,tatsumi1997,", "compound"),           # unknown compound
    ("amitriptyline,XYZ1,Human,Ki,4,4,nM,tatsumi1997,", "target"),         # unknown target
    ("amitriptyline,SERT,Human,Ki,4,4,nM,nobody2024,", "reference"),       # unresolvable ref
    ("amitriptyline,SERT,,Ki,4,4,nM,tatsumi1997,", "species"),             # empty required
])
def test_bad_rows_name_file_row_field(tmp_path, line, field):
    path = write(tmp_path, HEADER + "\namitriptyline,NET,Human,Ki,5,5,nM,tatsumi1997,\n"
                 + line + "\n")
    err = fails(path)
    assert (err.file, err.row, err.field) == (str(path), 3, field)
    assert f"row 3, field '{field}'" in str(err)


def test_unknown_column_named(tmp_path):
    path = write(tmp_path, HEADER + ",condtion\namitriptyline,SERT,Human,Ki,4,4,nM,tatsumi1997,,x\n")
    err = fails(path)
    assert err.field == "condtion" and err.row == 1


def test_two_user_defaults_for_one_slot(tmp_path):
    path = write(tmp_path, HEADER + "\namitriptyline,SERT,Human,Ki,4,4,nM,tatsumi1997,\n"
                 "amitriptyline,SERT,Human,Ki,5,5,nM,tatsumi1997,\n")
    err = fails(path)
    assert (err.row, err.field) == (3, "is_default")


def test_user_reference_with_citation_is_accepted(tmp_path):
    path = write(tmp_path, HEADER + ",citation\n"
                 "amitriptyline,SERT,Human,Ki,4,4,nM,mylab2026,,My lab notebook p. 12\n")
    kb = load_kb(user_files=[path])
    assert "mylab2026" in set(kb.references["id"])
    assert kb.affinity("amitriptyline", "SERT").citation == "My lab notebook p. 12"


def test_missing_user_file():
    with pytest.raises(DataFileError, match="not found"):
        load_kb(user_files=["/nonexistent/file.csv"])


def test_not_a_kb_file(tmp_path):
    err = fails(write(tmp_path, "well,signal\nA1,3\n"))
    assert err.row == 1


def _tamper(monkeypatch, name, edit):
    original = read_text

    def fake(*parts):
        text = original(*parts)
        return edit(text) if parts[-1] == name else text

    monkeypatch.setattr(kb_base, "read_text", fake)


def test_shipped_duplicate_key_is_caught(monkeypatch):
    def dup(text):
        lines = text.splitlines()
        return "\n".join([*lines, lines[1].replace("true", "false")]) + "\n"
    _tamper(monkeypatch, "activities.csv", dup)
    with pytest.raises(DataFileError) as info:
        kb_base._build(())
    assert info.value.field == "key" and info.value.file.endswith("activities.csv")


def test_shipped_unresolvable_reference_is_caught(monkeypatch):
    _tamper(monkeypatch, "targets.csv", lambda t: t.replace("nau2000;harmer2011", "nau2001"))
    with pytest.raises(DataFileError) as info:
        kb_base._build(())
    assert info.value.field == "reference" and "nau2001" in str(info.value)


def test_shipped_constant_bad_unit_is_caught(monkeypatch):
    _tamper(monkeypatch, "constants.csv", lambda t: t.replace("463,nM", "463,parsecs"))
    with pytest.raises(DataFileError) as info:
        kb_base._build(())
    assert info.value.field == "value" and info.value.row == 2
