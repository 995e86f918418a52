"""CLI: engage shows both values; bad calibration / compartment inputs are one line, exit 2."""

import json

from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

_register_all([])
RUN = CliRunner()


def test_engage_json_has_both_values_and_brain_to_plasma_total():
    res = RUN.invoke(app, ["engage", "--compound", "amitriptyline", "--dose", "150 mg",
                           "--every", "24h", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    net = next(t for t in d["targets"] if t["target"] == "NET")
    assert set(net) >= {"occupancy", "occupancy_in_vitro", "calibration", "compartment"}
    assert net["calibration"]["factor"] > 1
    assert d["exposure"]["analytes"]["nortriptyline"]["brain_to_plasma_total"] > 1


def _one_line_exit_2(args):
    res = RUN.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.output
    return lines[0]


def test_calibration_for_a_target_without_pet_is_one_line_exit_2():
    line = _one_line_exit_2(["engage", "--dose", "150 mg", "--every", "24h",
                             "--calibrate", "H1"])
    assert "No in-vivo calibration for target 'H1'" in line


def test_unknown_compartment_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "c.csv"
    bad.write_text("target,compartment\nM1,liver\n")
    line = _one_line_exit_2(["engage", "--dose", "150 mg", "--every", "24h",
                             "--compartments", str(bad)])
    assert "row 2" in line and "'liver'" in line


def test_calibration_figure_is_written_and_not_overwritten(tmp_path):
    out = tmp_path / "cal.svg"
    res = RUN.invoke(app, ["calibration", "--figure", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().lstrip().startswith("<?xml") and "NET" in out.read_text()
    again = RUN.invoke(app, ["calibration", "--figure", str(out)])
    assert again.exit_code == 2 and "not overwritten" in again.output


def test_calibration_json_lists_points_before_and_after():
    res = RUN.invoke(app, ["calibration", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d["calibrations"]) == {"NET", "SERT"}
    held = [p for p in d["points"] if p["role"] == "holdout"]
    assert held and all(p["predicted_calibrated"] is not None for p in held)
