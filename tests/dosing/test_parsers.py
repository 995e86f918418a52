"""Property tests of the user-text parsers: measured levels, weights, per-kg doses."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuromoa.dosing import parse_measurement
from neuromoa.errors import InputError, NeuromoaError
from neuromoa.exposure import Patient, resolve_dose

ANALYTES = ["amitriptyline", "nortriptyline", "AMI", "NT"]
UNITS = {"ng/mL": 1.0, "ug/L": 1.0, "µg/L": 1.0}


@given(st.sampled_from(ANALYTES), st.floats(0.01, 5000), st.sampled_from(sorted(UNITS)),
       st.floats(0, 24), st.sampled_from(["h", "", " h", "hr"]))
@settings(max_examples=200, deadline=None)
def test_measurement_round_trip(analyte, value, unit, time, hunit):
    text = f"{analyte} {value!r} {unit} @ {time!r}{hunit}"
    m = parse_measurement(text)
    assert m.conc_ng_mL == pytest.approx(value * UNITS[unit])
    assert m.time_h == pytest.approx(time)
    assert m.analyte in ("amitriptyline", "nortriptyline")


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_random_text_is_parsed_or_a_neuromoa_error(text):
    try:
        parse_measurement(text)
    except NeuromoaError:
        pass


@given(st.floats(20, 300))
@settings(max_examples=100, deadline=None)
def test_weight_round_trip_and_per_kg_dose(w):
    p = Patient.from_options(weight=f"{w!r} kg")
    assert p.weight_kg == pytest.approx(w)
    dose = resolve_dose("2 mg/kg", p)
    assert float(dose.split()[0]) == pytest.approx(2 * w)


@given(st.floats(-1e6, 0))
@settings(max_examples=50, deadline=None)
def test_non_positive_weight_is_an_error(w):
    with pytest.raises(InputError):
        Patient.from_options(weight=f"{w!r} kg")
