"""Every engagement prediction states how sure it is: a seeded Monte Carlo interval per target,
and the PET calibration says to which compound it was transferred."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.engagement import engage
from neuromoa.engagement.sensitivity import engagement_intervals
from neuromoa.errors import InputError

_register_all([])
RUN = CliRunner()


@pytest.fixture(scope="module")
def result():
    return engage("amitriptyline", dose="150 mg", every="24h")


def test_interval_per_target_is_ordered_and_seeded(result):
    a = engagement_intervals(result, n_draws=400, seed=3).targets
    b = engagement_intervals(result, n_draws=400, seed=3).targets
    c = engagement_intervals(result, n_draws=400, seed=4).targets
    lo, mid, hi = (a[k].to_numpy() for k in ("occupancy_p2_5", "occupancy_p50",
                                             "occupancy_p97_5"))
    assert np.all((0 <= lo) & (lo <= mid) & (mid <= hi) & (hi <= 1))
    assert np.array_equal(hi, b["occupancy_p97_5"].to_numpy())
    assert not np.array_equal(hi, c["occupancy_p97_5"].to_numpy())


def test_inputs_follow_calibration_and_compartment(result):
    t = engagement_intervals(result, n_draws=200).targets.set_index(["target", "condition"])
    net = t.loc[("NET", ""), "uncertainty"]["inputs"]
    h1 = t.loc[("H1", ""), "uncertainty"]["inputs"]
    # NET is calibrated (nortriptyline PET): its factor CI is varied, not Kp,uu, and the
    # nortriptyline K it was fitted with is not varied on its own.
    assert "calibration factor" in net and "Kp,uu" not in net and "K nortriptyline" not in net
    assert "Kp,uu" in h1 and "calibration factor" not in h1


def test_uncalibrated_brain_interval_reflects_kp_uu_below_one(result):
    # Kp,uu is drawn from 0.3-1 while the point value uses 1: at H1 the median must lie at
    # or below the point occupancy (nothing else is biased in one direction).
    t = engagement_intervals(result, n_draws=2000).targets.set_index(["target", "condition"])
    assert t.loc[("H1", ""), "occupancy_p50"] < t.loc[("H1", ""), "occupancy"]


def test_concentration_form_has_no_interval():
    r = engage("amitriptyline", conc="10 nM")
    with pytest.raises(InputError, match="needs a dose-form result"):
        engagement_intervals(r)


def test_calibration_says_where_it_was_transferred(result):
    net = result.targets.set_index("target").loc["NET", "calibration"]
    assert net["fitted_to"] == ["nortriptyline"]
    assert net["transferred_to"] == ["amitriptyline"]
    nt = engage("nortriptyline", dose="75 mg", every="24h").targets.set_index("target")
    assert nt.loc["NET", "calibration"]["transferred_to"] == []
    assert "calibration transferred from nortriptyline to amitriptyline" in \
        result.targets.set_index("target").loc["NET", "note"]


def test_cli_json_has_interval_by_default_and_zero_turns_it_off():
    args = ["engage", "--dose", "150 mg", "--every", "24h", "--json", "-t", "NET"]
    d = json.loads(RUN.invoke(app, args).stdout)
    net = d["targets"][0]
    assert net["occupancy_p2_5"] < net["occupancy"] < net["occupancy_p97_5"]
    assert net["uncertainty"]["n_draws"] == 1000 and net["uncertainty"]["seed"] == 0
    off = json.loads(RUN.invoke(app, [*args, "--uncertainty", "0"]).stdout)
    assert "occupancy_p2_5" not in off["targets"][0]


def test_cli_uncertainty_outside_dose_form_is_one_line_exit_2():
    res = RUN.invoke(app, ["engage", "--conc", "3 nM", "--uncertainty", "500"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")


def test_cli_interval_for_a_users_own_compound():
    from pathlib import Path

    toml = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"
    res = RUN.invoke(app, ["engage", "--compound", "examplamine", "--dose", "100 mg",
                           "--every", "24h", "--user-data", str(toml), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert all(t["occupancy_p2_5"] <= t["occupancy_p97_5"] for t in d["targets"])
    assert not any(n.startswith("no interval") for n in d.get("notes", []))
