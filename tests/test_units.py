"""Units at the edge: parse once, SI floats inside, errors never guesses."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuromoa.errors import ParameterError, UnitError, check_number
from neuromoa.units import as_grams, as_hours, as_molar, as_seconds, as_volts, format_molar


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.45 nM", 3.45e-9), ("0.26 uM", 0.26e-6), ("0.26 µM", 0.26e-6), ("0.26 μM", 0.26e-6),
     ("1 mM", 1e-3), ("2e-9 M", 2e-9), ("pKi 7.18", 10 ** -7.18), ("0 nM", 0.0)],
)
def test_as_molar(text, expected):
    assert as_molar(text) == pytest.approx(expected, rel=1e-12)


def test_mass_concentration_needs_mw():
    with pytest.raises(UnitError, match="molecular weight"):
        as_molar("150 ng/mL")
    # 277.40 g/mol (amitriptyline base): 277.40 ng/mL is exactly 1 uM
    assert as_molar("277.40 ng/mL", mw=277.40) == pytest.approx(1e-6, rel=1e-12)


@pytest.mark.parametrize("bad", ["3.45", 3.45, "-1 nM", "3 furlongs", "3 mV", "", "nM"])
def test_bad_concentrations_raise(bad):
    with pytest.raises(UnitError):
        as_molar(bad)


def test_other_dimensions():
    assert as_seconds("200 ms") == pytest.approx(0.2)
    assert as_hours("24h") == pytest.approx(24.0)
    assert as_hours("1 day") == pytest.approx(24.0)
    assert as_volts("-80 mV") == pytest.approx(-0.08)
    assert as_grams("150 mg") == pytest.approx(0.15)
    with pytest.raises(UnitError):
        as_grams("-5 mg")
    with pytest.raises(UnitError):
        as_volts("5 nM")


@given(st.floats(min_value=1e-15, max_value=1.0, allow_nan=False))
def test_rescaling_units_changes_nothing(x):
    assert as_molar(f"{x * 1e9!r} nM") == pytest.approx(as_molar(f"{x!r} M"), rel=1e-12)


def test_format_molar():
    assert format_molar(3.45e-9) == "3.45 nM"
    assert format_molar(2.2e-4) == "220 µM"
    assert format_molar(9.9996e-10) == "1 nM"
    assert format_molar(999.4e-12) == "999 pM"


def test_check_number_message():
    with pytest.raises(ParameterError, match=r"The 'kd' parameter of f must be a float in \(0, inf\)\. Got -1\."):
        check_number(-1, "kd", "f", low=0, low_open=True)
    assert check_number(0.5, "x", "f", low=0, high=1) == 0.5
    with pytest.raises(ParameterError):
        check_number(math.nan, "x", "f")
