"""The ``neuromoa exposure`` command: JSON contract, tables, one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

runner = CliRunner()
_register_all([])


def run(*args):
    return runner.invoke(app, ["exposure", *args])


def test_json_contract_repeated():
    res = run("--compound", "amitriptyline", "--dose", "50 mg", "--every", "24h", "--days", "14",
              "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for analyte in ("amitriptyline", "nortriptyline"):
        assert set(out["analytes"][analyte]) >= {"cmax_ng_mL", "tmax_h", "cmin_ng_mL",
                                                 "cavg_ng_mL", "auc_ng_h_mL", "unbound_cavg_M"}
        assert len(out["total_ng_mL"][analyte]) == len(out["times_h"])
    assert out["times_h"][-1] == pytest.approx(14 * 24)


def test_json_single_and_nortriptyline():
    res = run("--compound", "nortriptyline", "--dose", "50 mg", "--single", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out["analytes"]) == ["nortriptyline"]
    assert out["analytes"]["nortriptyline"]["auc_interval"] == "0-inf"


def test_table_output():
    res = run("--dose", "150 mg", "--every", "24h")
    assert res.exit_code == 0
    assert "nortriptyline" in res.stdout and "Cmax" in res.stdout


@pytest.mark.parametrize("args", [
    ("--dose", "150", "--every", "24h"),
    ("--dose", "-150 mg", "--single"),
    ("--dose", "150 mg", "--every", "24h", "--days", "0"),
    ("--dose", "150 mg"),
    ("--dose", "150 mg", "--single", "--every", "24h"),
    ("--compound", "clomipramine", "--dose", "150 mg", "--single"),
    ("--dose", "150 mg", "--single", "--kp-uu", "-1"),
])
def test_bad_input_one_line_exit_2(args):
    res = run(*args)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert "Traceback" not in res.output
