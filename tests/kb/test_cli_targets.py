"""The ``neuromoa targets`` command: JSON contract and one-line errors."""

import json

import pytest
import typer
from typer.testing import CliRunner

from neuromoa.cli import targets as targets_cli


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    targets_cli.register(app)
    return app


def run(app, *args):
    return CliRunner().invoke(app, ["targets", *args])


def test_json_shape(app):
    res = run(app, "--compound", "amitriptyline", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["compound"] == "amitriptyline"
    keys = {"target", "gene", "species", "measure", "condition", "low_M", "high_M", "text",
            "reference"}
    assert out["activities"] and all(keys <= set(a) for a in out["activities"])
    sert = [a for a in out["activities"] if a["target"] == "SERT" and a["is_default"]]
    assert sert[0]["low_M"] == pytest.approx(3.45e-9) and sert[0]["text"] == "3.45"
    assert sert[0]["gene"] == "SLC6A4"


def test_filter_by_gene_symbol(app):
    out = json.loads(run(app, "-c", "Elavil", "--target", "KCNH2", "--json").stdout)
    assert {a["target"] for a in out["activities"]} == {"hERG"}


def test_table_renders(app):
    res = run(app, "--compound", "nortriptyline")
    assert res.exit_code == 0 and "SERT" in res.stdout


@pytest.mark.parametrize("args", [
    ("--compound", "aspirinol"),
    ("--target", "XYZ"),
    ("--family", "enzyme"),
    ("--user-data", "/nonexistent.csv"),
])
def test_bad_input_one_line(app, args):
    res = run(app, *args)
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


def test_bad_user_file_names_file_row_field(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,SERT,Human,Ki,4,4,parsecs,tatsumi1997\n", encoding="utf-8")
    res = run(app, "--user-data", str(path), "--json")
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "bad.csv" in res.output and "row 2" in res.output and "field 'low'" in res.output


def test_user_data_json_marks_user_rows(app, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("compound,target,species,measure,low,high,unit,reference\n"
                    "amitriptyline,SERT,Human,Ki,2,2,nM,tatsumi1997\n", encoding="utf-8")
    out = json.loads(run(app, "-c", "amitriptyline", "-t", "SERT", "--user-data", str(path),
                         "--json").stdout)
    assert any(a["user"] and a["is_default"] for a in out["activities"])
    assert out["overlay"] and "doc-t1-01" in out["overlay"][0]


def test_import_activities_command(app, tmp_path):
    from pathlib import Path

    src = Path(__file__).parent / "fixtures" / "chembl_activities.csv"
    out = tmp_path / "mine.csv"
    res = CliRunner().invoke(app, ["import-activities", str(src), "--format", "chembl",
                                   "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["written"] == 2 and len(got["skipped"]) == 3 and out.is_file()
    res = CliRunner().invoke(app, ["import-activities", str(src), "--format", "nope",
                                   "--out", str(out)])
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_list_targets(app):
    out = json.loads(run(app, "--list-targets", "--json").stdout)
    ids = {t["id"] for t in out["targets"]}
    assert {"SERT", "hERG", "Kv7.2/7.3", "TrkB", "muscarinic"} <= ids
    h1 = next(t for t in out["targets"] if t["id"] == "H1")
    assert "sedation" in h1["consequence"] and h1["genes"] == "HRH1"
    res = run(app, "--list-targets", "--family", "GPCR")
    assert res.exit_code == 0 and "HRH1" in res.stdout


def test_list_compounds_shows_the_identity_table(app, tmp_path):
    from pathlib import Path

    res = run(app, "--list-compounds", "--json")
    assert res.exit_code == 0, res.output
    rows = {c["id"]: c for c in json.loads(res.output)["compounds"]}
    assert rows["desipramine"]["parent"] == "imipramine"
    assert rows["amitriptyline"]["cas"] == "50-48-6" and rows["amitriptyline"]["fu"] > 0
    example = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"
    res = run(app, "--list-compounds", "--json", "--user-data", str(example))
    rows = {c["id"]: c for c in json.loads(res.output)["compounds"]}
    assert rows["examplamine"]["user"] is True
