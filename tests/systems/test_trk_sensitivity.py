"""Trk: traced/untraced affinities marked consistently; what the pAkt EC50 depends on (issue 18)."""

import pytest

from neuromoa.errors import InputError
from neuromoa.kb import load_kb
from neuromoa.systems import model_parameters
from neuromoa.systems.trk_sensitivity import trk_sensitivity


def test_trk_affinities_carry_the_kb_confidence_in_the_model_table():
    table = model_parameters("trk").set_index("parameter")
    kb = load_kb()
    for par, target in (("Kd_A", "TrkA"), ("Kd_B", "TrkB")):
        aff = kb.affinity("amitriptyline", target)
        assert table.loc[par, "confidence"] == aff.confidence
        assert table.loc[par, "value"] == pytest.approx(aff.value_M)


def test_affinity_drives_the_headline_and_total_akt_does_not():
    res = trk_sensitivity(("Kd_A", "Akt_tot"), factor=3.0).set_index("parameter")
    # a weaker TrkA affinity must raise the EC50, a stronger one lower it
    assert res.loc["Kd_A", "fold_up"] > 1.2 and res.loc["Kd_A", "fold_down"] < 0.8
    assert res.loc["Kd_A", "log10_span"] > res.loc["Akt_tot", "log10_span"]


def test_unknown_parameter_is_refused():
    with pytest.raises(InputError, match="no parameter"):
        trk_sensitivity(("nope",))
