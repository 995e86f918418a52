"""Property: a user row's value in any molar unit or as a p-value converts to the same molar
float as the closed-form factor (1 nM = 1e-9 M, pK x = 10^-x M)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromoa.kb import load_kb

FACTORS = {"pM": 1e-12, "nM": 1e-9, "uM": 1e-6, "µM": 1e-6, "mM": 1e-3, "M": 1.0}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.sampled_from(sorted(FACTORS)),  # ≤ 99 in any unit: the parser refuses > 100 M
       a=st.floats(min_value=1e-3, max_value=99, allow_nan=False),
       b=st.floats(min_value=1e-3, max_value=99, allow_nan=False))
def test_molar_units(tmp_path, unit, a, b):
    low, high = min(a, b), max(a, b)
    path = tmp_path / "p.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    f"amitriptyline,SERT,Human,Ki,{low!r},{high!r},{unit},tatsumi1997\n",
                    encoding="utf-8")
    row = load_kb(user_files=[path]).activities(origin="user").iloc[0]
    assert row["low_M"] == pytest.approx(low * FACTORS[unit], rel=1e-9)
    assert row["high_M"] == pytest.approx(high * FACTORS[unit], rel=1e-9)
    assert row["low_M"] <= row["value_M"] <= row["high_M"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.floats(min_value=3, max_value=12), b=st.floats(min_value=3, max_value=12))
def test_p_units(tmp_path, a, b):
    low, high = min(a, b), max(a, b)
    path = tmp_path / "p.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    f"atropine,M1,Human,pKi,{low!r},{high!r},pK,gtopdb\n", encoding="utf-8")
    row = load_kb(user_files=[path]).activities(origin="user").iloc[0]
    # the higher p-value is the lower concentration
    assert row["low_M"] == pytest.approx(10 ** -high, rel=1e-9)
    assert row["high_M"] == pytest.approx(10 ** -low, rel=1e-9)


def test_bom_and_blank_lines(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffcompound,target,species,measure,low,high,unit,reference\n\n"
                    "amitriptyline,NET,Human,Ki,10,10,nM,tatsumi1997\n,,,,,,,\n", encoding="utf-8")
    kb = load_kb(user_files=[path])
    assert len(kb.activities(origin="user")) == 1
    assert "1 user" in repr(kb)
