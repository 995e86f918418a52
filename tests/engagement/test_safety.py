"""Cardiac safety margins: IC50 / unbound Cmax, combined parent + metabolite block, flags."""

import numpy as np
import pytest

from neuromoa.engagement import safety_margins
from neuromoa.errors import NeuromoaWarning, ParameterError
from neuromoa.exposure import Regimen, simulate_exposure

# Source document Table 2: hERG 4.78 uM (Jo 2000); hH1 inactivated 0.58 uM, resting 24.8 uM
# (Nau 2000). Nortriptyline hERG 2.20 uM (Jaekal 2011, FACTS.md).
HERG_AMI, HERG_NOR = 4.78e-6, 2.20e-6
NAV15_INACT, NAV15_REST = 0.58e-6, 24.8e-6
# Levels (FACTS.md): hERG provisional threshold 30-fold (Redfern 2003); QRS widening on
# average at unbound Cmax ~15-fold below the Nav1.5 IC50 (Harmer 2011).
REDFERN, HARMER = 30.0, 15.0


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
    assert df.loc[df["target"] == "hERG", "flag"].tolist() == ["above 30-fold threshold "
                                                                "(Redfern 2003)"]
    assert (df.loc[df["target"] == "Nav1.5", "flag"]
            == "above 15-fold QRS level (Harmer 2011)").all()


def test_flags_when_exposure_is_high():
    # An overdose-like 1500 mg/day (above the label: warns) brings the inactivated Nav1.5
    # margin below 15 (Harmer level) and hERG's below 30 (Redfern threshold).
    reg = Regimen.parse("1500 mg", every="24 h")
    with pytest.warns(NeuromoaWarning, match="labelled maximum daily dose"):
        df = safety_margins("amitriptyline", reg).set_index(["target", "condition"])
    row = df.loc[("Nav1.5", "Inactivated")]
    assert row["combined_margin"] < HARMER
    assert row["flag"] == "below 15-fold QRS level (Harmer 2011)"
    assert "QRS widening expected" in row["note"]


def _margins_at(target_margin, target, condition):
    """safety_margins at the daily dose (scaled from 100 mg, margins ∝ 1/dose) giving
    ``target_margin`` for the combined margin of (target, condition)."""
    base = safety_margins("amitriptyline", Regimen.parse("100 mg", every="24 h"))
    row = base[(base["target"] == target) & (base["condition"] == condition)].iloc[0]
    dose_mg = float(100 * row["combined_margin"] / target_margin)
    with pytest.warns(NeuromoaWarning) if dose_mg > 300 else _nothing():
        df = safety_margins("amitriptyline", Regimen.parse(f"{dose_mg!r} mg", every="24 h"))
    return df[(df["target"] == target) & (df["condition"] == condition)].iloc[0]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_nav15_flagged_against_15_fold_not_30_fold():
    # Between 15 and 30 fold: Nav1.5 is above the Harmer QRS level (no flag under 30 -- the
    # hERG threshold does not apply to Nav1.5), and at 10-fold it is below it (review 11).
    row = _margins_at(20.0, "Nav1.5", "Inactivated")
    assert row["combined_margin"] == pytest.approx(20.0, rel=1e-6)
    assert row["level"] == HARMER and row["flag"].startswith("above 15-fold")
    row = _margins_at(10.0, "Nav1.5", "Inactivated")
    assert row["level"] == HARMER and row["flag"].startswith("below 15-fold")


def test_herg_flagged_against_30_fold():
    row = _margins_at(20.0, "hERG", "Not Specified")
    assert row["level"] == REDFERN and row["flag"] == "below 30-fold threshold (Redfern 2003)"
    row = _margins_at(40.0, "hERG", "Not Specified")
    assert row["flag"] == "above 30-fold threshold (Redfern 2003)"
    assert "harmer2011" in _margins_at(20.0, "Nav1.5", "Resting")["level_source"]


def test_margins_scale_inversely_with_dose():
    a = safety_margins("amitriptyline", Regimen.parse("50 mg", every="24 h"))
    b = safety_margins("amitriptyline", Regimen.parse("100 mg", every="24 h"))
    np.testing.assert_allclose(a["margin"] / b["margin"], 2.0, rtol=1e-9)


def test_regimen_type_checked():
    with pytest.raises(ParameterError):
        safety_margins("amitriptyline", "150 mg")
