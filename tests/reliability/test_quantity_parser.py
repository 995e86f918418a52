"""The one quantity parser: every defect of issue 17 as a named regression test, plus the
contract as a property (a clean UnitError or the oracle's value, never another exception)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_strategies import oracle, quantity_texts

from neuromoa.errors import NeuromoaError, UnitError
from neuromoa.exposure import Regimen
from neuromoa.units import (
    KINDS,
    as_grams,
    as_hours,
    as_molar,
    kind_of_unit,
    parse_quantity,
    si_factor,
    to_canonical,
)

# ------------------------------------------------------------------ silent wrong numbers

@pytest.mark.parametrize(("text", "hours"), [("24 hrs", 24.0), ("8 hrs", 8.0), ("24 hr", 24.0),
                                             ("24 h", 24.0), ("24hrs", 24.0), ("1 day", 24.0),
                                             ("2 Hours", 2.0), ("90 min", 1.5)])
def test_defect_hrs_read_as_hectoseconds(text, hours):
    assert as_hours(text) == pytest.approx(hours, rel=1e-12)


def test_defect_hrs_read_as_hectoseconds_in_a_regimen():
    reg = Regimen.parse("150 mg", every="24 hrs", days=14)
    assert reg.interval_h == 24.0 and reg.n_doses == 14


@pytest.mark.parametrize("text", ["1 nM!", "24 h<", "3 nM)", "1 nM extra", "1 nM 2"])
def test_defect_trailing_junk_accepted(text):
    kind = "time" if "h" in text.split()[1] else "concentration"
    with pytest.raises(UnitError):
        to_canonical(text, kind, "field")


def test_defect_150_Mg_is_tonnes():
    with pytest.raises(UnitError, match=r"did you mean 'mg'.*case-sensitive"):
        as_grams("150 Mg", what="--dose")


def test_defect_150_gr_is_grains():
    with pytest.raises(UnitError, match="did you mean 'g'"):
        as_grams("150 gr", what="--dose")


def test_defect_MM_is_megamolar():
    with pytest.raises(UnitError, match="did you mean 'mM'"):
        as_molar("1 MM", what="--conc")


# ------------------------------------------------------------------ tracebacks (16 classes)

@pytest.mark.parametrize("text", [
    "3 nM/0",                # ZeroDivisionError
    "3 nM)",                 # TokenError
    "3 (nM",                 # TokenError
    "1 nM**0.",              # pint expression
    "1 nM**0.5",
    "1 nM*10**999999999",    # ran > 30 s
    "1 nM^2",
    "pKi -400",              # OverflowError
    "pKi 1e400",
    "1e999 nM",              # inf
    "nan nM",
    "-inf nM",
    "1 nM\x00",
    "1 n M",
    "1 [nM]",
    "1 nM" + "!" * 10_000,   # very long input
])
def test_defect_unit_string_tracebacks(text):
    with pytest.raises(UnitError) as exc:
        as_molar(text, what="--conc")
    msg = str(exc.value)
    assert msg.startswith("--conc:") and "\n" not in msg


@pytest.mark.parametrize("value", [None, [], {}, object(), b"1 nM", 3.0, True])
def test_non_strings_are_clean_errors(value):
    with pytest.raises(UnitError):
        parse_quantity(value, "x")


def test_every_message_names_the_field():
    for text in ("", "nM", "3", "3 furlongs", "3 mV", "1 nM!"):
        with pytest.raises(UnitError, match=r"^my field: "):
            to_canonical(text, "concentration", "my field")


def test_declared_ranges():
    with pytest.raises(UnitError, match="above 100 M"):
        as_molar("1000 M")
    with pytest.raises(UnitError, match="positive"):
        as_grams("0 mg")
    with pytest.raises(UnitError, match="outside the accepted range"):
        to_canonical("2 V", "voltage", "--voltage")
    with pytest.raises(UnitError, match="outside the accepted range"):
        to_canonical("1e9 days", "time", "--days")


def test_factors_come_from_pint():
    assert si_factor("uM") == 1e-6 and si_factor("hrs", "time") == 3600.0
    assert si_factor("MOhm") == 1e6 and si_factor("1/(uM*s)") == 1e6
    assert kind_of_unit("mg/kg") == "dose_per_weight"
    assert to_canonical("10 mg/kg", "dose_per_weight") == 10.0


# ------------------------------------------------------------------ properties

@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_parser_contract_property(kind, data):
    """Any text: a UnitError (one line, naming the field), or exactly the oracle's value."""
    text = data.draw(quantity_texts(kind))
    want = oracle(text, kind)
    try:
        got = to_canonical(text, kind, "field")
    except UnitError as exc:
        assert str(exc).startswith("field: ") and "\n" not in str(exc)
        assert want is None, f"{text!r} rejected but the oracle reads {want!r}: {exc}"
        return
    assert want is not None, f"{text!r} accepted as {got!r}; the oracle rejects it"
    assert math.isfinite(got) and got == pytest.approx(want, rel=1e-12, abs=0.0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_as_molar_never_raises_anything_else(text):
    try:
        x = as_molar(text, mw=300.0)
    except NeuromoaError:
        return
    assert math.isfinite(x) and 0 <= x <= 100
