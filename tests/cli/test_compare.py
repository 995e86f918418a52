"""``neuromoa compare``: engagement of several compounds side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.engagement import COMPARE_COLUMNS, compare_engagement, engage

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"
runner = CliRunner()


def run(*args):
    _register_all(["compare"])
    return runner.invoke(app, ["compare", *args])


def test_library_matches_engage_for_each_compound():
    frame = compare_engagement(["amitriptyline", "NT", "Tofranil"], dose="75 mg", every="24 h")
    assert list(frame.columns) == COMPARE_COLUMNS
    assert list(dict.fromkeys(frame["compound"])) == ["amitriptyline", "nortriptyline",
                                                      "imipramine"]
    for cid in ("amitriptyline", "imipramine"):
        alone = engage(cid, dose="75 mg", every="24 h").targets
        mine = frame[(frame["compound"] == cid) & frame["has_data"]]
        merged = mine.merge(alone, on=["target", "condition"], suffixes=("", "_alone"))
        assert len(merged) == len(alone)
        assert (merged["occupancy"] - merged["occupancy_alone"]).abs().max() < 1e-12
    # imipramine (with desipramine, 0.8 nM at NET) engages NET more than amitriptyline does
    net = frame[frame["target"] == "NET"].set_index("compound")["occupancy"]
    assert net["imipramine"] > net["amitriptyline"]
    # no data is said, not zero
    nav = frame[(frame["target"] == "Nav") & (frame["compound"] == "imipramine")]
    assert not nav.empty and not nav["has_data"].any() and nav["occupancy"].isna().all()
    assert set(nav["note"]) == {"no data"}


def test_cli_table_json_and_out(tmp_path):
    res = run("amitriptyline", "nortriptyline", "imipramine", "--dose", "75 mg", "--every", "24h")
    assert res.exit_code == 0, res.output
    assert "imipramine" in res.output and "no data" in res.output
    res = run("amitriptyline", "imipramine", "--dose", "75 mg", "--every", "24h", "--json")
    doc = json.loads(res.output)
    assert doc["compounds"] == ["amitriptyline", "imipramine"] and doc["rows"]
    out = tmp_path / "cmp.csv"
    res = run("AT", "DMI", "--conc", "10 nM", "--out", str(out))
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out)
    sert = frame[(frame["target"] == "SERT")].set_index("compound")["occupancy"]
    # 10 nM unbound at SERT, default kb rows: amitriptyline 3.45 nM, desipramine 17.6 nM
    assert sert["amitriptyline"] == pytest.approx(10 / (10 + 3.45), rel=1e-9)
    assert sert["desipramine"] == pytest.approx(10 / (10 + 17.6), rel=1e-9)
    res = run("AT", "DMI", "--conc", "10 nM", "--out", str(out))  # never overwrites
    assert res.exit_code == 2 and "exists" in res.output
    out_json = tmp_path / "cmp.json"
    res = run("AT", "DMI", "--conc", "10 nM", "--out", str(out_json))
    assert res.exit_code == 0, res.output
    assert json.loads(out_json.read_text())["compounds"] == ["amitriptyline", "desipramine"]


def test_cli_user_compound():
    res = run("amitriptyline", "examplamine", "--dose", "100 mg", "--every", "24h",
              "--user-data", str(EXAMPLE), "--json")
    assert res.exit_code == 0, res.output
    assert "examplamine" in json.loads(res.output)["compounds"]


@pytest.mark.parametrize("args,what", [
    (("amitriptilyne", "imipramine", "--conc", "1 nM"), "Did you mean"),
    (("amitriptyline", "imipramine"), "--dose"),
    (("amitriptyline", "AT", "--conc", "1 nM"), "named twice"),
])
def test_bad_input_one_line_exit_2(args, what):
    res = run(*args)
    assert res.exit_code == 2 and what in res.output
    assert "Traceback" not in res.output
