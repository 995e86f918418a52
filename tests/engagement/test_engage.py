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
HUMAN_BRAIN_ALPHA1 = 27e-9  # Richelson & Nelson 1984, human brain [3H]prazosin KD
DOC_H1_LOW, DOC_H1_HIGH = 0.5e-9, 1.1e-9
TATSUMI_AMI_SERT, TATSUMI_NOR_SERT, TATSUMI_NOR_NET = 4.3e-9, 18e-9, 4.37e-9
TATSUMI_AMI_NET = 35e-9
# Cusack 1994 (FACTS.md, U): nortriptyline muscarinic KD ~150 nM (human brain); document
# Table 2: amitriptyline muscarinic functional IC50 1.0 uM.
NOR_MUSC, DOC_MUSC_IC50 = 150e-9, 1.0e-6
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
    high = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False)
    assert low.top() == "H1"
    assert low.occupancy("SERT") < 0.5 * high.occupancy("SERT")
    assert low.occupancy("H1") > 2 * low.occupancy("SERT")


def test_dose_uses_parent_and_metabolite_gaddum():
    reg = Regimen.parse("150 mg", every="24 h")
    ss = steady_state_unbound_brain("amitriptyline", reg)
    ca, cn = ss["amitriptyline"], ss["nortriptyline"]
    r = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False)
    assert r.unbound_M == pytest.approx(ss)
    # SERT: parent and metabolite in one series (Tatsumi 1997: 4.3 and 18 nM), review 4
    s = ca / TATSUMI_AMI_SERT + cn / TATSUMI_NOR_SERT
    assert r.occupancy("SERT") == pytest.approx(s / (1 + s), rel=1e-9)
    sert = r.targets[r.targets["target"] == "SERT"].iloc[0]
    assert sert["series"] == {"amitriptyline": "tatsumi1997", "nortriptyline": "tatsumi1997"}
    assert not sert["mixed_series"] and "3.45 nM (doc8, doc-t1-01) set aside" in sert["note"]
    net = r.targets[r.targets["target"] == "NET"].iloc[0]
    by = net["occupancy_by_compound"]
    assert by["amitriptyline"] == pytest.approx((ca / TATSUMI_AMI_NET) / (
        1 + ca / TATSUMI_AMI_NET + cn / TATSUMI_NOR_NET))
    assert by["nortriptyline"] > by["amitriptyline"]  # nortriptyline is the NET blocker
    # targets without a nortriptyline value: parent alone, and the note says so
    h2 = r.targets[r.targets["target"] == "H2"].iloc[0]
    assert list(h2["occupancy_by_compound"]) == ["amitriptyline"]
    assert "nortriptyline: no value at H2" in h2["note"]
    assert r.exposure is not None and r.safety is not None


def test_mixed_series_flagged_and_default_series_mode():
    reg = Regimen.parse("150 mg", every="24 h")
    ss = steady_state_unbound_brain("amitriptyline", reg)
    ca, cn = ss["amitriptyline"], ss["nortriptyline"]
    r = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False)
    t = r.targets.set_index(["target", "condition"])
    # H1: document 0.5-1.1 nM (doc8) vs Cusack 1994 10 nM: no one reference holds both
    h1 = t.loc[("H1", "")]
    assert h1["mixed_series"] and h1["series"] == {"amitriptyline": "doc8",
                                                   "nortriptyline": "cusack1994"}
    assert "mixed series" in h1["note"]
    assert any("mixed series" in n and "H1" in n for n in r.notes)
    assert not any("SERT" in n for n in r.notes if "mixed series" in n)
    # series='default': each compound's default, the mix flagged at SERT too
    d = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False, series="default")
    s = ca / DOC_SERT + cn / TATSUMI_NOR_SERT
    assert d.occupancy("SERT") == pytest.approx(s / (1 + s), rel=1e-9)
    sert = d.targets[d.targets["target"] == "SERT"].iloc[0]
    assert sert["mixed_series"] and sert["series"]["amitriptyline"] == "doc8"
    # --source tatsumi1997 gives the same SERT as series='common'
    tat = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False, source="tatsumi1997")
    assert tat.occupancy("SERT") == pytest.approx(r.occupancy("SERT"), rel=1e-12)
    with pytest.raises(InputError, match="series"):
        engage("amitriptyline", dose="150 mg", every="24h", series="newest")


def test_single_compound_concentration_unchanged_by_series_mode():
    for mode in ("common", "default"):
        r = engage("amitriptyline", conc="3.45 nM", series=mode)
        assert r.occupancy("SERT") == pytest.approx(3.45e-9 / (3.45e-9 + DOC_SERT), rel=1e-12)
        assert not r.targets["mixed_series"].any()


def test_metabolite_muscarinic_subtypes_and_no_binding_functional_mix():
    # Review 8: nortriptyline's generic muscarinic KD 150 nM (Cusack 1994, U) now competes at
    # M1-M5 (with a note); at the unspecified 'muscarinic' row amitriptyline's value is a
    # functional IC50 (1 uM), so nortriptyline's binding KD is not combined with it.
    reg = Regimen.parse("150 mg", every="24 h")
    ss = steady_state_unbound_brain("amitriptyline", reg)
    ca, cn = ss["amitriptyline"], ss["nortriptyline"]
    r = engage("amitriptyline", dose="150 mg", every="24h", calibrate=False)
    t = r.targets.set_index("target")
    k_m = math.sqrt(11e-9 * 24e-9)
    s = ca / k_m + cn / NOR_MUSC
    assert t.loc["M1", "occupancy"] == pytest.approx(s / (1 + s), rel=1e-9)
    assert set(t.loc["M1", "occupancy_by_compound"]) == {"amitriptyline", "nortriptyline"}
    assert "not subtype-resolved" in t.loc["M3", "note"] and "cusack1994" in t.loc["M3", "note"]
    musc = t.loc["muscarinic"]
    assert list(musc["occupancy_by_compound"]) == ["amitriptyline"]
    assert musc["occupancy"] == pytest.approx(ca / (ca + DOC_MUSC_IC50), rel=1e-9)
    assert "not combined" in musc["note"]


def test_competition_properties():
    # A competitor raises total occupancy and lowers the parent's own share.
    ca = 5e-9
    alone = engage("amitriptyline", conc=f"{ca} M")
    both = engage("amitriptyline", dose="75 mg", every="24h", series="default")
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
    # the human default is the audited human-brain KD 27 nM (Richelson & Nelson 1984), not the
    # document's vendor 4.4 nM (kept, selectable by its key)
    assert human.occupancy("alpha1") == pytest.approx(10e-9 / (10e-9 + HUMAN_BRAIN_ALPHA1))
    vendor = engage("amitriptyline", conc="10 nM", source="doc-t1-10")
    assert vendor.occupancy("alpha1") == pytest.approx(10e-9 / (10e-9 + DOC_ALPHA1))


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
    ({"compound": "clomipramine", "conc": "1 nM"}, UnknownCompoundError),
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
    r = engage("nortriptyline", dose="75 mg", every="24h", calibrate=False)
    assert list(r.unbound_M) == ["nortriptyline"]
    assert r.top() == "NET"
    c = r.unbound_M["nortriptyline"]
    assert r.occupancy("NET") == pytest.approx(c / (c + TATSUMI_NOR_NET), rel=1e-9)


def test_plot_returns_a_figure():
    fig = engage("amitriptyline", conc="3.45 nM").plot()
    assert fig.axes and len(fig.axes[0].patches) > 0


def test_dose_above_label_warns_once_and_still_computes():
    from neuromoa.errors import NeuromoaWarning

    with pytest.warns(NeuromoaWarning, match="above the labelled maximum daily dose") as rec:
        r = engage("amitriptyline", dose="400 mg", every="24h")
    assert len([w for w in rec if issubclass(w.category, NeuromoaWarning)]) == 1
    assert any("400 mg/day" in n for n in r.notes)
    assert r.occupancy("SERT") > 0.5 and r.safety is not None and not r.safety.empty
