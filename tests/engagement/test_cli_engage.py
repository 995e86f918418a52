"""The ``neuromoa engage`` command: JSON contract, tables and one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

runner = CliRunner()
_register_all([])


def run(*args):
    return runner.invoke(app, ["engage", *args])


def _occ(out, target):
    return next(t["occupancy"] for t in out["targets"] if t["target"] == target)


def test_must_show_json():
    res = run("--compound", "amitriptyline", "--conc", "3.45 nM", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["compound"] == "amitriptyline"
    assert out["unbound_M"] == {"amitriptyline": pytest.approx(3.45e-9)}
    assert abs(_occ(out, "SERT") - 0.5) <= 0.005
    assert _occ(out, "DAT") < 0.01
    assert _occ(out, "H1") > 0.75
    for t in out["targets"]:
        assert set(t) >= {"target", "condition", "species", "occupancy", "occupancy_low",
                          "occupancy_high", "consequence", "reference", "note"}


def test_dose_json_and_low_dose_ranking():
    low = json.loads(run("--dose", "10 mg", "--every", "24h", "--json").stdout)
    high = json.loads(run("--dose", "150 mg", "--every", "24h", "--json").stdout)
    assert low["targets"][0]["target"] == "H1"
    assert set(low["unbound_M"]) == {"amitriptyline", "nortriptyline"}
    assert "exposure" in low and "safety_margins" in low
    assert _occ(low, "SERT") < 0.5 * _occ(high, "SERT")


def test_plasma_source_species_kp_uu_options():
    res = run("--plasma", "80 ng/mL", "--kp-uu", "0.5", "--source", "tatsumi1997",
              "--species", "human", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    sert = next(t for t in out["targets"] if t["target"] == "SERT")
    assert "tatsumi1997" in sert["reference"]
    res = run("--dose", "150 mg", "--every", "24h", "--base", "--json")
    assert json.loads(res.stdout)["exposure"]["regimen"]["salt"] is False


def test_table_output():
    res = run("--dose", "150 mg", "--every", "24h")
    assert res.exit_code == 0, res.output
    assert "SERT" in res.stdout and "safety margins" in res.stdout


@pytest.mark.parametrize("args", [
    ("--compound", "imipramine", "--conc", "1 nM"),
    ("--conc", "1 nM", "--target", "XYZ1"),
    ("--conc", "3.45"),
    ("--conc", "-3 nM"),
    ("--dose", "10 mg"),
    ("--dose", "10 mg", "--every", "24h", "--days", "0"),
    ("--conc", "1 nM", "--plasma", "80 ng/mL"),
    ("--compound", "fluoxetine", "--plasma", "80 ng/mL"),
    ("--conc", "1 nM", "--source", "nosuchsource"),
])
def test_bad_input_one_line_exit_2(args):
    res = run(*args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
