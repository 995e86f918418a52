"""Sobol sensitivity (SALib) and the Monte Carlo interval of one occupancy."""

import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.engagement.sensitivity import occupancy_sensitivity
from neuromoa.errors import NeuromoaError

_register_all([])


@pytest.fixture(scope="module")
def net():
    return occupancy_sensitivity("amitriptyline", dose="150 mg", every="24h", target="NET",
                                 n_base=256, seed=1)


def test_seeded_and_reproducible(net):
    again = occupancy_sensitivity("amitriptyline", dose="150 mg", every="24h", target="NET",
                                  n_base=256, seed=1)
    assert again.indices.equals(net.indices) and again.interval == net.interval


def test_indices_are_consistent(net):
    idx = net.indices
    assert (idx["ST"] >= idx["S1"] - 3 * (idx["ST_conf"] + idx["S1_conf"])).all()
    assert 0.8 < idx["S1"].sum() < 1.2  # nearly additive on the log inputs
    # The calibrated target varies its PET factor, not Kp,uu, and not the K it was fitted with.
    assert {"calibration factor", "fm nortriptyline", "CL nortriptyline"} <= set(idx["input"])
    assert "Kp,uu" not in set(idx["input"]) and "K nortriptyline" not in set(idx["input"])
    # Inputs without range in the model (CL/F is known to ±6 %) matter little.
    assert idx.set_index("input").loc["CL/F amitriptyline", "ST"] < 0.05


def test_interval_contains_the_point_value(net):
    lo, mid, hi = net.interval
    assert lo < net.occupancy < hi


def test_uncalibrated_brain_target_varies_kp_uu():
    r = occupancy_sensitivity("amitriptyline", dose="150 mg", every="24h", target="M1",
                              n_base=128, seed=0)
    assert not r.calibrated and "Kp,uu" in r.top(3)


def test_unknown_target_is_an_error_and_cli_exits_2():
    with pytest.raises(NeuromoaError, match="Unknown target 'XYZ'"):
        occupancy_sensitivity("amitriptyline", dose="150 mg", every="24h", target="XYZ")
    res = CliRunner().invoke(app, ["sensitivity", "--dose", "150 mg", "--target", "XYZ"])
    assert res.exit_code == 2
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


def test_cli_json():
    res = CliRunner().invoke(app, ["sensitivity", "--compound", "amitriptyline", "--dose",
                                   "150 mg", "--every", "24h", "--target", "NET", "--n", "128",
                                   "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert len(d["top3"]) == 3 and d["calibrated"] is True
