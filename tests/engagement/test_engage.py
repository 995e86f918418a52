"""Engagement: Must-show figures, Gaddum competition, source selection, units, errors."""

import math

import numpy as np
import pytest

from neuromoa.engagement import engage, engagement_curves
from neuromoa.errors import InputError, UnitError, UnknownCompoundError, UnknownTargetError
from neuromoa.exposure import Regimen, pk_compound, steady_state_unbound_brain

# Source document Table 1 (human): SERT Ki 3.45 nM, H1 0.5-1.1 nM, DAT 2580 nM;
# Tatsumi 1997 (FACTS.md): amitriptyline SERT KD 4.3 nM, nortriptyline SERT 18 nM, NET 4.37 nM.
DOC_SERT, DOC_NET, DOC_DAT, DOC_ALPHA1 = 3.45e-9, 13.3e-9, 2580e-9, 4.4e-9
DOC_H1_LOW, DOC_H1_HIGH = 0.5e-9, 1.1e-9
TATSUMI_AMI_SERT, TATSUMI_NOR_SERT, TATSUMI_NOR_NET = 4.3e-9, 18e-9, 4.37e-9
RAT_ALPHA1 = 182e-9
MW_AMI_BASE = 277.40


def test_must_show_at_sert_ki():
    r = engage("amitriptyline", conc="3.45 nM")
    assert abs(r.occupancy("SERT") - 0.50) <= 0.005
    assert r.occupancy("DAT") < 0.01
    assert r.occupancy("H1") > 0.75


def test_single_ligand_is_hill_langmuir_with_ranges():
    c = 3.45e-9
    r = engage("amitriptyline", conc="3.45 nM")
    k_h1 = math.sqrt(DOC_H1_LOW * DOC_H1_HIGH)
    assert r.occupancy("H1") == pytest.approx(c / (c + k_h1), rel=1e-9)
    h1 = r.targets[r.targets["target"] == "H1"].iloc[0]
    assert h1["occupancy_low"] == pytest.approx(c / (c + DOC_H1_HIGH), rel=1e-9)
    assert h1["occupancy_high"] == pytest.approx(c / (c + DOC_H1_LOW), rel=1e-9)
    assert r.occupancy("DAT") == pytest.approx(c / (c + DOC_DAT), rel=1e-9)
    assert (r.targets["occupancy_low"] <= r.targets["occupancy"] + 1e-15).all()
    assert (r.targets["occupancy"] <= r.targets["occupancy_high"] + 1e-15).all()


def test_sorted_and_one_row_per_channel_state():
    r = engage("amitriptyline", conc="100 nM")
    occ = r.targets["occupancy"].to_numpy()
    assert np.all(np.diff(occ) <= 0)
    nav15 = r.targets[r.targets["target"] == "Nav1.5"]
    assert sorted(nav15["condition"].str.lower()) == ["inactivated", "resting"]
    assert set(r.targets[r.targets["target"] == "Nav"]["condition"].str.lower()) == {
        "open", "inactivated", "resting"}
    ic50_rows = r.targets[r.targets["measure"] == "IC50"]
    assert ic50_rows["note"].str.contains("IC50 used as the affinity").all()
    assert r.targets["consequence"].str.len().min() > 0


def test_low_dose_is_mostly_antihistamine():
    low = engage("amitriptyline", dose="10 mg", every="24h")
    high = engage("amitriptyline", dose="150 mg", every="24h")
    assert low.top() == "H1"
    assert low.occupancy("SERT") < 0.5 * high.occupancy("SERT")
    assert low.occupancy("H1") > 2 * low.occupancy("SERT")


def test_dose_uses_parent_and_metabolite_gaddum():
    reg = Regimen.parse("150 mg", every="24 h")
    ss = steady_state_unbound_brain("amitriptyline", reg)
    ca, cn = ss["amitriptyline"], ss["nortriptyline"]
    r = engage("amitriptyline", dose="150 mg", every="24h")
    assert r.unbound_M == pytest.approx(ss)
    # SERT: document's 3.45 nM for the parent, Tatsumi's 18 nM for nortriptyline (its only value)
    s = ca / DOC_SERT + cn / TATSUMI_NOR_SERT
    assert r.occupancy("SERT") == pytest.approx(s / (1 + s), rel=1e-9)
    net = r.targets[r.targets["target"] == "NET"].iloc[0]
    by = net["occupancy_by_compound"]
    assert by["amitriptyline"] == pytest.approx((ca / DOC_NET) / (1 + ca / DOC_NET
                                                                  + cn / TATSUMI_NOR_NET))
    assert by["nortriptyline"] > by["amitriptyline"]  # nortriptyline is the NET blocker
    # targets without a nortriptyline value: parent alone, and the note says so
    m1 = r.targets[r.targets["target"] == "M1"].iloc[0]
    assert list(m1["occupancy_by_compound"]) == ["amitriptyline"]
    assert "nortriptyline: no value at M1" in m1["note"]
    assert r.exposure is not None and r.safety is not None


def test_competition_properties():
    # A competitor raises total occupancy and lowers the parent's own share.
    ca = 5e-9
    alone = engage("amitriptyline", conc=f"{ca} M")
    both = engage("amitriptyline", dose="75 mg", every="24h")
    c_par = both.unbound_M["amitriptyline"]
    solo = engage("amitriptyline", conc=f"{c_par} M")
    row_b = both.targets[both.targets["target"] == "SERT"].iloc[0]
    assert row_b["occupancy"] > solo.occupancy("SERT")
    assert row_b["occupancy_by_compound"]["amitriptyline"] < solo.occupancy("SERT")
    assert alone.occupancy("SERT") == pytest.approx(ca / (ca + DOC_SERT))


def test_source_selection_and_reference_column():
    default = engage("amitriptyline", conc="3.45 nM")
    tat = engage("amitriptyline", conc="3.45 nM", source="tatsumi1997")
    row_d = default.targets[default.targets["target"] == "SERT"].iloc[0]
    row_t = tat.targets[tat.targets["target"] == "SERT"].iloc[0]
    assert "doc8" in row_d["reference"]
    assert "tatsumi1997" in row_t["reference"]
    assert row_t["occupancy"] == pytest.approx(3.45e-9 / (3.45e-9 + TATSUMI_AMI_SERT))
    h1 = tat.targets[tat.targets["target"] == "H1"].iloc[0]
    assert "default used" in h1["note"]


def test_species_selection():
    rat = engage("amitriptyline", conc="10 nM", species="rat")
    assert rat.occupancy("alpha1") == pytest.approx(10e-9 / (10e-9 + RAT_ALPHA1))
    human = engage("amitriptyline", conc="10 nM")
    assert human.occupancy("alpha1") == pytest.approx(10e-9 / (10e-9 + DOC_ALPHA1))


@pytest.mark.parametrize("text", ["3.45 nM", "0.00345 uM", "0.00345 µM", "3.45e-9 M",
                                  f"{3.45e-9 * MW_AMI_BASE * 1e6!r} ng/mL"])
def test_unit_invariance(text):
    assert engage("amitriptyline", conc=text).occupancy("SERT") == pytest.approx(0.5, rel=1e-9)


def test_plasma_conversion_with_fu_and_kp_uu():
    fu = pk_compound("amitriptyline").value("fu")
    total = 80e-9 * 1e3 / MW_AMI_BASE  # 80 ng/mL → mol/L
    r = engage("amitriptyline", plasma="80 ng/mL")
    assert r.unbound_M["amitriptyline"] == pytest.approx(fu * total, rel=1e-9)
    half = engage("amitriptyline", plasma="80 ng/mL", kp_uu=0.5)
    assert half.unbound_M["amitriptyline"] == pytest.approx(0.5 * fu * total, rel=1e-9)


def test_target_filter_and_in_vivo_scaling():
    r = engage("amitriptyline", conc="3.45 nM", targets=["SLC6A4", "H1"])
    assert set(r.targets["target"]) == {"SERT", "H1"}
    s = engage("amitriptyline", conc="3.45 nM", in_vivo_scaling={"SERT": 3.0})
    assert s.occupancy("SERT") == pytest.approx(3.45 / (3.45 + 3 * 3.45))


@pytest.mark.parametrize("kwargs, err", [
    ({"compound": "imipramine", "conc": "1 nM"}, UnknownCompoundError),
    ({"compound": "amitriptyline", "conc": "1 nM", "targets": ["XYZ1"]}, UnknownTargetError),
    ({"compound": "amitriptyline", "conc": "3.45"}, UnitError),
    ({"compound": "amitriptyline", "conc": "-3 nM"}, UnitError),
    ({"compound": "amitriptyline", "conc": "3 mg"}, UnitError),
    ({"compound": "amitriptyline"}, InputError),
    ({"compound": "amitriptyline", "conc": "1 nM", "dose": "10 mg"}, InputError),
    ({"compound": "amitriptyline", "dose": "10 mg"}, InputError),
    ({"compound": "fluoxetine", "plasma": "100 ng/mL"}, InputError),
    ({"compound": "amitriptyline", "dose": "10 mg", "every": "24h", "days": "0"}, InputError),
])
def test_bad_input(kwargs, err):
    compound = kwargs.pop("compound")
    with pytest.raises(err):
        engage(compound, **kwargs)


def test_engagement_curves():
    c = np.logspace(-11, -4, 29)
    df = engagement_curves("amitriptyline", c)
    sert = df[df["target"] == "SERT"]
    assert np.all(np.diff(sert["occupancy"].to_numpy()) > 0)
    np.testing.assert_allclose(sert["occupancy"], c / (c + DOC_SERT))
    assert len(df) == len(c) * df.groupby(["target", "condition"]).ngroups


def test_to_dict_is_json_contract():
    import json

    d = engage("amitriptyline", dose="150 mg", every="24h").to_dict()
    json.dumps(d, allow_nan=False)
    assert set(d) >= {"compound", "unbound_M", "exposure", "targets"}
    assert set(d["targets"][0]) >= {"target", "condition", "species", "occupancy",
                                    "occupancy_low", "occupancy_high", "consequence"}


def test_nortriptyline_dosed_itself_engages_net_first():
    r = engage("nortriptyline", dose="75 mg", every="24h")
    assert list(r.unbound_M) == ["nortriptyline"]
    assert r.top() == "NET"
    c = r.unbound_M["nortriptyline"]
    assert r.occupancy("NET") == pytest.approx(c / (c + TATSUMI_NOR_NET), rel=1e-9)


def test_plot_returns_a_figure():
    fig = engage("amitriptyline", conc="3.45 nM").plot()
    assert fig.axes and len(fig.axes[0].patches) > 0
