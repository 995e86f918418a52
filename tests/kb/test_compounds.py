"""Compound identity: one table, every layer resolves names through it, user data adds to it."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromoa.data import read_text
from neuromoa.data.compounds import (
    identity_table,
    metabolites_of,
    read_user_data,
    resolve_compound,
    use_user_data,
)
from neuromoa.errors import DataFileError, UnknownCompoundError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"
ROWS = list(csv.DictReader(read_text("identity", "compounds.csv").splitlines()))


@pytest.mark.parametrize("name,cid", [
    ("Endep", "amitriptyline"), ("Elavil", "amitriptyline"), ("AMI", "amitriptyline"),
    ("AT", "amitriptyline"), ("NT", "nortriptyline"), ("NOR", "nortriptyline"),
    ("Tofranil", "imipramine"), ("DMI", "desipramine"), ("desmethylimipramine", "desipramine"),
    ("50-48-6", "amitriptyline"), ("CHEBI:47499", "imipramine"), ("2995", "desipramine"),
    ("KRMDCWKBEZIMAB-UHFFFAOYSA-N", "amitriptyline"), ("  amitriptyline HYDROCHLORIDE ", "amitriptyline"),
])
def test_every_name_resolves(name, cid):
    assert resolve_compound(name).id == cid


def test_kb_and_exposure_use_the_same_names():
    """The two former lists disagreed: Endep failed in exposure, AT in the kb."""
    from neuromoa.exposure import Regimen, simulate_exposure
    from neuromoa.kb import load_kb

    res = simulate_exposure("Endep", Regimen.parse("50 mg"))
    assert res.compound == "amitriptyline" and "nortriptyline" in res.metrics
    assert load_kb().compound("AT").id == "amitriptyline"
    assert load_kb().compound("NOR").id == "nortriptyline"


def test_misspelling_suggests():
    with pytest.raises(UnknownCompoundError) as info:
        resolve_compound("amitriptilyne")
    assert "Did you mean 'Amitriptyline'" in str(info.value)
    with pytest.raises(UnknownCompoundError, match="Did you mean 'Tofranil"):
        resolve_compound("Tofranyl")


def test_table_values_are_sourced_and_consistent():
    for r in ROWS:
        assert float(r["mw_base"]) > 0 and r["mw_source"], r["id"]
        if r["mw_salt"]:
            assert float(r["mw_salt"]) > float(r["mw_base"])
        for value, source in (("logp", "logp_source"), ("pka", "pka_source"), ("fu", "fu_source")):
            assert not r[value] or r[source], (r["id"], value)
        if r["fu"]:
            assert float(r["fu_low"]) <= float(r["fu"]) <= float(r["fu_high"]) <= 1
        assert len(r["inchikey"]) == 27 and r["pubchem_cid"].isdigit()
    # HCl salt weights: base + HCl (36.46 g/mol) within rounding
    for r in ROWS:
        if r["salt"] == "HCl":
            assert float(r["mw_salt"]) - float(r["mw_base"]) == pytest.approx(36.46, abs=0.02)


def test_metabolite_links():
    assert metabolites_of("amitriptyline") == ("nortriptyline",)
    assert metabolites_of("Tofranil") == ("desipramine",)
    assert metabolites_of("fluoxetine") == ()
    assert resolve_compound("desipramine").parent == "imipramine"


def test_names_are_unique_across_compounds():
    owner: dict[str, str] = {}
    for c in identity_table():
        for n in c.names:
            key = " ".join(n.lower().split())
            assert owner.setdefault(key, c.id) == c.id, (n, owner[key], c.id)


def test_user_data_adds_a_compound_everywhere():
    from neuromoa.exposure import Regimen, simulate_exposure
    from neuromoa.kb import load_kb

    with pytest.raises(UnknownCompoundError):
        resolve_compound("examplamine")
    with use_user_data([EXAMPLE]):
        c = resolve_compound("EXA-101")
        assert c.id == "examplamine" and c.user and c.fu == pytest.approx(0.08)
        res = simulate_exposure("Exampril", Regimen.parse("100 mg", every="24 h", days=14))
        # one compartment, apparent oral: Cavg = dose rate (base) / (CL/F)
        base_mg_per_h = 100 * 290.4 / 326.9 / 24
        assert res.metrics["examplamine"]["cavg_ng_mL"] == pytest.approx(
            base_mg_per_h / 60.0 * 1000, rel=2e-3)
        assert load_kb().affinity("examplamine", "Nav", condition="open").value_M == \
            pytest.approx(0.5e-6)
    with pytest.raises(UnknownCompoundError):  # gone again outside the block
        resolve_compound("examplamine")


def test_user_data_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEUROMOA_USER_DATA", str(EXAMPLE))
    assert resolve_compound("examplamine").name == "Examplamine"


def _toml(tmp_path, text):
    p = tmp_path / "mine.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = '''
[[compound]]
id = "x1"
name = "X1"
mw_base = 300
source = "my notebook"
[compound.pk]
ka = { value = 1.0, unit = "1/h" }
[[affinity]]
target = "SERT"
measure = "Ki"
value = 3
unit = "nM"
reference = "me2026"
citation = "My assay"
'''


@pytest.mark.parametrize("edit,field", [
    (("mw_base = 300", "mw_base = -3"), "mw_base"),
    (("mw_base = 300", 'mw_base = "heavy"'), "mw_base"),
    (('source = "my notebook"', ""), "mw_source"),
    (('unit = "1/h"', 'unit = "1/min"'), "ka"),
    (("ka = {", "kq = {"), "kq"),
    (('id = "x1"', 'id = "x1"\nflavour = "lemon"'), "flavour"),
    (('value = 3\n', 'value = 3\nlow = 2\n'), "value"),
])
def test_bad_user_data_names_file_and_field(tmp_path, edit, field):
    path = _toml(tmp_path, GOOD.replace(*edit))
    with pytest.raises(DataFileError) as info:
        read_user_data(path)
    assert info.value.file == str(path) and field in str(info.value)


def test_bad_toml_is_one_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="not valid TOML"):
        read_user_data(_toml(tmp_path, "[[compound]\nid ="))
    with pytest.raises(DataFileError, match="file not found"):
        read_user_data(tmp_path / "nope.toml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_reader_never_crashes_on_arbitrary_text(tmp_path, text):
    """Any file either reads or raises DataFileError naming the file (never another error)."""
    path = _toml(tmp_path, text)
    try:
        data = read_user_data(path)
    except DataFileError as exc:
        assert exc.file == str(path)
    else:
        assert data.compounds or data.activities


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mw=st.floats(allow_nan=True, allow_infinity=True), fu=st.floats(-1, 2))
def test_reader_checks_numbers(tmp_path, mw, fu):
    text = GOOD.replace("mw_base = 300", f"mw_base = {mw!r}\nfu = {fu!r}".replace("nan", "nan")
                        .replace("inf", "inf"))
    path = _toml(tmp_path, text)
    ok = math.isfinite(mw) and mw > 0 and 0 < fu <= 1
    if ok:
        c = read_user_data(path).compounds[0]
        assert c.mw_base == mw and c.fu == fu
    else:
        with pytest.raises(DataFileError):
            read_user_data(path)
