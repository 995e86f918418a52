"""`--store` on the analysis commands and `neuromoa runs list|show|export|rerun`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.store import Store


@pytest.fixture
def cli(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROMOA_DB_URL", store_url)
    monkeypatch.setenv("NEUROMOA_BLOB_DIR", str(tmp_path / "blobs"))
    _register_all(["fit"])
    _register_all(["runs"])
    _register_all(["assay"])
    _register_all(["ephys"])

    def invoke(*args: str):
        return CliRunner().invoke(app, list(args))

    return invoke


def test_fit_store_then_rerun_is_bit_for_bit(cli, tmp_path, store_url):
    res = cli("fit", "--example", "--store", "--fix", "hill=-1", "--json")
    assert res.exit_code == 0, res.output
    shown = json.loads(cli("runs", "show", "1", "--json").stdout)
    assert shown["kind"] == "fit" and shown["parameters"]["fix"] == {"hill": -1.0}
    assert shown["inputs"][0]["filename"] == "example_curves.csv"
    rr = cli("runs", "rerun", "1", "--json")
    assert rr.exit_code == 0, rr.output
    out = json.loads(rr.stdout)
    assert out["identical"] and out["new"] == 2 and out["n_rows"] == 8
    store = Store(store_url, blob_dir=tmp_path / "blobs")
    pd.testing.assert_frame_equal(store.results(1), store.results(2), check_exact=True)
    assert store.get_run(2).rerun_of == 1
    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [2, 1]
    exp = cli("runs", "export", "1", "--out", str(tmp_path / "exp"))
    assert exp.exit_code == 0, exp.output
    from neuromoa.data import data_file

    assert (tmp_path / "exp" / "inputs" / "example_curves.csv").read_bytes() == \
        Path(str(data_file("fitting", "example_curves.csv"))).read_bytes()
    again = cli("runs", "export", "1", "--out", str(tmp_path / "exp"))
    assert again.exit_code == 2 and "exists" in again.output


def test_rerun_detects_a_changed_result(cli, tmp_path, store_url):
    """A stored result table that no longer matches what the inputs give is reported (exit 1)."""
    store = Store(store_url, blob_dir=tmp_path / "blobs")
    from neuromoa.cli.runs import fit_parameters
    from neuromoa.data import data_file

    src = Path(str(data_file("fitting", "example_curves.csv")))
    wrong = pd.DataFrame({"curve": ["x"], "status": ["ok"]})
    store.record_run("fit", parameters=fit_parameters(), inputs={"curves": src}, results=wrong)
    res = cli("runs", "rerun", "1")
    assert res.exit_code == 1 and "differs" in res.output


def test_unknown_run_is_one_line(cli):
    for cmd in (["runs", "show", "42"], ["runs", "rerun", "42"], ["runs", "export", "42",
                                                                  "--out", "/nonexistent"]):
        res = cli(*cmd)
        assert res.exit_code == 2 and "no run 42" in res.output
        assert len(res.output.strip().splitlines()) == 1


def test_bad_fit_input_stores_nothing(cli, tmp_path, store_url):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01garbage")
    res = cli("fit", str(bad), "--store")
    assert res.exit_code == 2
    assert Store(store_url, blob_dir=tmp_path / "blobs").count_runs() == 0


def test_assay_and_ephys_store_and_rerun(cli, tmp_path, store_url, write_step_abf):
    plate = tmp_path / "plate.csv"
    assert cli("assay", "simulate", "uptake", "--target", "SERT", "--seed", "3", "--out",
               str(plate)).exit_code == 0
    res = cli("assay", "analyze", "uptake", str(plate), "--store")
    assert res.exit_code == 0, res.output
    abf = write_step_abf(tmp_path / "rec.abf")
    res = cli("ephys", "analyze", str(abf), "--baseline", "0,0.04", "--window", "0.05,0.15",
              "--store")
    assert res.exit_code == 0, res.output
    runs = {r["kind"]: r for r in json.loads(cli("runs", "list", "--json").stdout)}
    assert set(runs) == {"assay", "ephys"}
    assert "amitriptyline" in runs["assay"]["compound"]
    for r in runs.values():
        out = json.loads(cli("runs", "rerun", str(r["id"]), "--json").stdout)
        assert out["identical"], r["kind"]
