"""Models take the compound's values from the knowledge base at run time (DESIGN.md).

The model files name no compound (synapse, Trk) or carry only a default that must equal the
knowledge base (the Na+ channel's no-compound default); a run for another compound uses that
compound's kb values, and a compound without a value there gets "no data".
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from neuromoa.data import read_text
from neuromoa.kb import load_kb


def test_synapse_and_trk_files_name_no_compound():
    from neuromoa.data.compounds import compound_names

    names = [n.lower() for n in compound_names(shipped_only=True) if len(n) > 4]
    for model in ("synapse.ant", "trk.ant"):
        code = "\n".join(line.split("//")[0] for line in
                         read_text("systems", model).splitlines()).lower()
        assert not [n for n in names if n in code], model


def test_synapse_ki_follow_the_compound_and_its_metabolite():
    pytest.importorskip("roadrunner")
    from neuromoa.systems import synapse_parameters

    kb = load_kb()
    for parent, metab in (("amitriptyline", "nortriptyline"), ("Tofranil", "desipramine")):
        p = synapse_parameters(compound=parent)
        pid = kb.compound(parent).id
        assert p["Ki_parent_sert"][0] == pytest.approx(
            kb.affinity(pid, "SERT", source="tatsumi1997").value_M)
        assert p["Ki_metab_net"][0] == pytest.approx(
            kb.affinity(metab, "NET", source="tatsumi1997").value_M)
    # a compound with no metabolite and no NET value: infinite Ki, "no data"
    p = synapse_parameters(compound="fluoxetine")
    assert math.isinf(p["Ki_metab_sert"][0]) and p["Ki_metab_sert"][1].startswith("no data")


def test_amitriptyline_synapse_unchanged():
    """The generic model reproduces the numbers the amitriptyline-specific one gave."""
    pytest.importorskip("roadrunner")
    from neuromoa.systems import synapse_single_release

    ev = synapse_single_release("5HT", "20 nM", metabolite="10 nM")
    # 1 - 1/(1 + 20/4.3 + 10/18) (Tatsumi 1997 KD, competitive)
    assert ev.transporter_occupancy == pytest.approx(1 - 1 / (1 + 20 / 4.3 + 10 / 18), rel=1e-12)
    assert ev.compound == "amitriptyline" and ev.metabolite == "nortriptyline"


def test_trk_affinities_from_kb_and_no_data():
    pytest.importorskip("roadrunner")
    from neuromoa.errors import InputError
    from neuromoa.systems import trk_parameters, trk_response

    p = trk_parameters()
    assert p["Kd_A"][0] == pytest.approx(load_kb().affinity("amitriptyline", "TrkA").value_M)
    with pytest.raises(InputError, match="no data"):
        trk_response("1 uM", compound="imipramine", duration="1 h", n_points=3)


def test_nav_channel_default_equals_kb_and_compound_values_replace_it():
    from neuromoa.channels import load_channel
    from neuromoa.ephys.compound import NoChannelData, channel_for_compound

    kb = load_kb()
    default = load_channel("nav-drg").affinities_M
    for state, k in default.items():
        assert k == pytest.approx(kb.affinity("amitriptyline", "Nav", condition=state).value_M,
                                  rel=1e-12)
    with pytest.raises(NoChannelData, match="no data"):
        channel_for_compound("nav-drg", "imipramine")


def test_user_compound_channel_values(tmp_path):
    from neuromoa.data.compounds import use_user_data
    from neuromoa.ephys.compound import channel_for_compound, neuron_for_compound

    example = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"
    with use_user_data([example]):
        ch = channel_for_compound("nav-drg", "examplamine")
        assert ch.affinities_M == pytest.approx({"resting": 40e-6, "open": 0.5e-6,
                                                 "inactivated": 0.8e-6})
        # the inactivation-deficient mutant keeps the compound's open-state value
        assert ch.inactivation_deficient().affinities_M["open"] == pytest.approx(0.5e-6)
        nm = neuron_for_compound("EXA-101")
        assert {g.name: g.block_K_M for g in nm.potassium}["kv1.1"] == pytest.approx(30e-6)


def test_flagship_channel_and_neuron_byte_identical_to_the_declared():
    """Taking the flagship's values from the kb changes no amitriptyline output, not even a bit."""
    from neuromoa.channels import load_channel
    from neuromoa.ephys import NeuronModel
    from neuromoa.ephys.compound import channel_for_compound, neuron_for_compound

    assert channel_for_compound("nav-drg").affinities_M == load_channel("nav-drg").affinities_M
    nm, default = neuron_for_compound(), NeuronModel.default()
    assert [g.block_K_M for g in nm.potassium] == [g.block_K_M for g in default.potassium]
    assert nm.na_model.affinities_M == load_channel(default.na_channel).affinities_M
