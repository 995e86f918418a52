"""Measure and unit must agree: p-measures in pK, Ki/KD/IC50 in a concentration unit (review 1)."""

import pytest

from neuromoa.errors import DataFileError
from neuromoa.kb import load_kb

HEADER = "compound,target,species,measure,low,high,unit,reference,citation\n"


def _write(tmp_path, body, name="u.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("measure,value,unit", [
    ("pKi", 8.4, "nM"), ("pIC50", 6.0, "uM"), ("pKd", 7.9, "M"), ("pA2", 8.0, "nM"),
    ("Ki", 2.9, "pK"), ("KD", 8.0, "pK"), ("IC50", 5.0, "pK"), ("Ki", 3.0, ""),
])
def test_mismatched_measure_and_unit_is_an_error(tmp_path, measure, value, unit):
    path = _write(tmp_path, f"amitriptyline,SLC6A4,Human,{measure},{value},{value},{unit},"
                            'mylab2026,"x"\n')
    with pytest.raises(DataFileError) as info:
        load_kb(user_files=[path])
    msg = str(info.value)
    assert "row 2" in msg and "'unit'" in msg and measure in msg


def test_p_measure_in_pk_or_empty_unit_is_converted(tmp_path):
    # pKi 8.4 -> 10^-8.4 M = 3.981 nM (closed form); an empty unit means pK for a p-measure.
    for unit in ("pK", ""):
        path = _write(tmp_path, f"amitriptyline,SLC6A4,Human,pKi,8.4,8.4,{unit},mylab2026,\"x\"\n",
                      name=f"u{unit}.csv")
        aff = load_kb(user_files=[path]).affinity("amitriptyline", "SERT")
        assert aff.value_M == pytest.approx(10 ** -8.4, rel=1e-9)
        assert aff.unit == "pK" and aff.user


def test_concentration_measure_in_nm_still_loads(tmp_path):
    path = _write(tmp_path, 'amitriptyline,SLC6A4,Human,Ki,2.9,2.9,nM,mylab2026,"x"\n')
    assert load_kb(user_files=[path]).affinity("amitriptyline", "SERT").value_M == \
        pytest.approx(2.9e-9)


def test_shipped_rows_all_agree():
    frame = load_kb().activities()
    p = frame["measure"].str.startswith("p")
    assert (frame.loc[p, "unit"] == "pK").all()
    assert (frame.loc[~p, "unit"] != "pK").all()
