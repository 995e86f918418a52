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
    ("--compound", "clomipramine", "--conc", "1 nM"),
    ("--conc", "1 nM", "--target", "XYZ1"),
    ("--conc", "3.45"),
    ("--conc", "-3 nM"),
    ("--dose", "10 mg"),
    ("--dose", "10 mg", "--every", "24h", "--days", "0"),
    ("--conc", "1 nM", "--plasma", "80 ng/mL"),
    ("--compound", "fluoxetine", "--plasma", "80 ng/mL"),
    ("--conc", "1 nM", "--source", "nosuchsource"),
    ("--conc", "1 nM", "--in-vivo-scaling", "SERT"),
    ("--conc", "1 nM", "--in-vivo-scaling", "SERT=three"),
    ("--conc", "1 nM", "--in-vivo-scaling", "SERT=0"),
    ("--conc", "1 nM", "--in-vivo-scaling", "XYZ1=2"),
    ("--conc", "1 nM", "--user-data", "/nonexistent/ours.csv"),
    ("--dose", "10 mg", "--every", "24h", "--series", "newest"),
])
def test_bad_input_one_line_exit_2(args):
    res = run(*args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output


def test_in_vivo_scaling_option_repeatable():
    # Review 9: K x factor per target; SERT 3.45 nM x 3 at 3.45 nM unbound -> 1/(1+3) = 0.25.
    res = run("--conc", "3.45 nM", "--in-vivo-scaling", "SERT=3", "--in-vivo-scaling",
              "HRH1=2", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert _occ(out, "SERT") == pytest.approx(0.25, rel=1e-9)
    k_h1 = 2 * (0.5e-9 * 1.1e-9) ** 0.5
    assert _occ(out, "H1") == pytest.approx(3.45e-9 / (3.45e-9 + k_h1), rel=1e-9)
    assert out["in_vivo_scaling"] == {"SERT": 3.0, "H1": 2.0}
    assert _occ(out, "NET") == pytest.approx(3.45e-9 / (3.45e-9 + 13.3e-9), rel=1e-9)


def test_user_data_option_reaches_the_knowledge_base(tmp_path):
    ours = tmp_path / "ours.csv"
    ours.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,SLC6A4,Human,Ki,1.15,1.15,nM,tatsumi1997\n", encoding="utf-8")
    res = run("--conc", "3.45 nM", "--user-data", str(ours), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert _occ(out, "SERT") == pytest.approx(3.45 / (3.45 + 1.15), rel=1e-9)  # 0.75
    assert out["user_files"] == [str(ours)]
    assert any("replaces the shipped default" in n for n in out["notes"])
    # a bad user file is one line, exit 2, naming file/row/field (review 1 via engage)
    bad = tmp_path / "bad.csv"
    bad.write_text("compound,target,species,measure,low,high,unit,reference,citation\n"
                   "amitriptyline,SLC6A4,Human,pKi,8.4,8.4,nM,mylab2026,x\n", encoding="utf-8")
    res = run("--conc", "3.45 nM", "--user-data", str(bad))
    assert res.exit_code == 2 and "row 2, field 'unit'" in res.output


def test_dose_above_label_is_a_note_not_an_error():
    res = run("--dose", "400 mg", "--every", "24h")
    assert res.exit_code == 0, res.output
    assert "note: amitriptyline: 400 mg/day" in res.stdout
    res = run("--dose", "400 mg", "--every", "24h", "--json")
    assert res.exit_code == 0
    assert any("labelled maximum" in n for n in json.loads(res.stdout)["notes"])


def test_series_column_in_table():
    res = run("--dose", "150 mg", "--every", "24h")
    assert "series" in res.stdout and "(mixed)" in res.stdout and "tatsumi1997" in res.stdout
    assert "Harmer 2011" in res.stdout and "Redfern 2003" in res.stdout


def test_user_row_is_not_swapped_for_a_common_series(tmp_path):
    ours = tmp_path / "ours.csv"
    ours.write_text("compound,target,species,measure,low,high,unit,reference,citation\n"
                    "amitriptyline,SLC6A4,Human,Ki,1.15,1.15,nM,mylab,My lab 2026\n",
                    encoding="utf-8")
    out = json.loads(run("--dose", "150 mg", "--every", "24h", "--user-data", str(ours),
                         "--json").stdout)
    sert = next(t for t in out["targets"] if t["target"] == "SERT")
    assert sert["series"] == {"amitriptyline": "mylab", "nortriptyline": "tatsumi1997"}
    assert sert["mixed_series"] and sert["k_M"] == pytest.approx(1.15e-9)
