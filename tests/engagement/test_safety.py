"""Cardiac safety margins: IC50 / unbound Cmax, combined parent + metabolite block, flags."""

import numpy as np
import pytest

from neuromoa.engagement import HERG_MARGIN_THRESHOLD, safety_margins
from neuromoa.errors import ParameterError
from neuromoa.exposure import Regimen, simulate_exposure

# Source document Table 2: hERG 4.78 uM (Jo 2000); hH1 inactivated 0.58 uM, resting 24.8 uM
# (Nau 2000). Nortriptyline hERG 2.20 uM (Jaekal 2011, FACTS.md).
HERG_AMI, HERG_NOR = 4.78e-6, 2.20e-6
NAV15_INACT, NAV15_REST = 0.58e-6, 24.8e-6


def _cmax_u(regimen):
    m = simulate_exposure("amitriptyline", regimen).metrics
    return m["amitriptyline"]["unbound_cmax_M"], m["nortriptyline"]["unbound_cmax_M"]


def test_margins_at_150mg_per_day():
    reg = Regimen.parse("150 mg", every="24 h")
    ca, cn = _cmax_u(reg)
    df = safety_margins("amitriptyline", reg)
    herg = df[df["target"] == "hERG"].iloc[0]
    assert herg["margin"] == pytest.approx(HERG_AMI / ca, rel=1e-9)
    assert herg["metabolite_margin"] == pytest.approx(HERG_NOR / cn, rel=1e-9)
    s = ca / HERG_AMI + cn / HERG_NOR
    assert herg["combined_block"] == pytest.approx(s / (1 + s), rel=1e-9)
    assert herg["combined_margin"] == pytest.approx(1 / s, rel=1e-9)
    assert herg["combined_margin"] < min(herg["margin"], herg["metabolite_margin"])
    nav = df[df["target"] == "Nav1.5"].set_index("condition")
    assert nav.loc["Inactivated", "margin"] == pytest.approx(NAV15_INACT / ca, rel=1e-9)
    assert nav.loc["Resting", "margin"] == pytest.approx(NAV15_REST / ca, rel=1e-9)
    assert "no value at Nav1.5" in nav.loc["Inactivated", "note"]
    assert "Harmer 2011" in nav.loc["Inactivated", "note"]
    assert (df["flag"] == "above 30-fold threshold").all()


def test_flags_when_exposure_is_high():
    # An overdose-like 1500 mg/day brings the inactivated Nav1.5 margin below 30 and 15.
    reg = Regimen.parse("1500 mg", every="24 h")
    df = safety_margins("amitriptyline", reg).set_index(["target", "condition"])
    row = df.loc[("Nav1.5", "Inactivated")]
    assert row["combined_margin"] < HERG_MARGIN_THRESHOLD
    assert row["flag"] == "below 30-fold threshold"
    assert "QRS widening expected" in row["note"]


def test_margins_scale_inversely_with_dose():
    a = safety_margins("amitriptyline", Regimen.parse("50 mg", every="24 h"))
    b = safety_margins("amitriptyline", Regimen.parse("100 mg", every="24 h"))
    np.testing.assert_allclose(a["margin"] / b["margin"], 2.0, rtol=1e-9)


def test_regimen_type_checked():
    with pytest.raises(ParameterError):
        safety_margins("amitriptyline", "150 mg")
