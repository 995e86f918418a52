"""CLI: population / dose / tdm / exposure patient options; bad input is one line and exit 2."""

import hashlib
import importlib.util
import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

runner = CliRunner()
_register_all([])

BAD = {
    "unknown allele": (["exposure", "--dose", "75 mg", "--every", "12h", "--cyp2d6", "*1/*99"],
                       "unknown allele '*99'; known alleles: *1, *2"),
    "malformed diplotype": (["exposure", "--dose", "75 mg", "--every", "12h", "--cyp2d6",
                             "*1-*4"], "malformed genotype"),
    "enzyme without route": (["exposure", "-c", "nortriptyline", "--dose", "50 mg", "--every",
                              "24h", "--cyp2c19", "*2/*2"], "no route for that enzyme"),
    "n zero": (["population", "--dose", "75 mg", "--every", "12h", "--n", "0"],
               "--n must be at least 1"),
    "negative weight": (["exposure", "--dose", "75 mg", "--every", "12h", "--weight", "-5 kg"],
                        "must be positive"),
    "level without time": (["tdm", "--dose", "75 mg", "--every", "12h", "--measured",
                            "amitriptyline 60 ng/mL"], "no sampling time"),
    "level without unit": (["tdm", "--dose", "75 mg", "--every", "12h", "--measured",
                            "amitriptyline 60 @ 12h"], "has no unit"),
    "mg/kg without weight": (["exposure", "--dose", "10 mg/kg", "--every", "12h"],
                             "give the patient's weight"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2(case):
    args, needle = BAD[case]
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert needle in lines[0]
    assert "Traceback" not in res.output


def test_population_same_seed_identical_file(tmp_path):
    digests = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        res = runner.invoke(app, ["population", "--dose", "75 mg", "--every", "12h", "--n", "3000",
                                  "--seed", "5", "--out", str(out), "--json"])
        assert res.exit_code == 0, res.output
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    summary = json.loads(res.stdout)
    assert set(summary["by_phenotype"]["cyp2d6"]) >= {"PM", "IM", "NM"}
    header = out.read_text().splitlines()[0].split(",")
    for col in ("cyp2d6_diplotype", "cyp2d6_activity_score", "cyp2d6_phenotype",
                "cyp2c19_diplotype", "cyp2c19_phenotype", "weight_kg", "age_y", "sex",
                "amitriptyline_cmin_ng_mL", "nortriptyline_cmax_ng_mL"):
        assert col in header


def test_population_refuses_to_overwrite(tmp_path):
    out = tmp_path / "p.csv"
    out.write_text("mine")
    res = runner.invoke(app, ["population", "--dose", "75 mg", "--every", "12h", "--n", "10",
                              "--out", str(out)])
    assert res.exit_code == 2 and out.read_text() == "mine"


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None,
                    reason="pyarrow not installed (pip install 'neuromoa[population]')")
def test_population_parquet(tmp_path):
    import pandas as pd

    out = tmp_path / "p.parquet"
    res = runner.invoke(app, ["population", "--dose", "75 mg", "--every", "12h", "--n", "100",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 100


def test_dose_prints_cpic_beside_model():
    res = runner.invoke(app, ["dose", "--target", "AMI+NT 80-200 ng/mL", "--cyp2d6", "PM",
                              "--n", "512", "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["rows"][0]
    assert row["cyp2d6"] == "PM" and "50% reduction" in row["cpic_recommendation"]


def test_tdm_cli_json():
    res = runner.invoke(app, ["tdm", "--dose", "75 mg", "--every", "12h", "--measured",
                              "amitriptyline 60 ng/mL @ 12h", "--measured",
                              "nortriptyline 150 ng/mL @ 12h", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["recommended_daily_dose_mg"] > 0
    assert out["individual_parameters"]["nortriptyline_cl_L_h"] < \
        out["population_parameters"]["nortriptyline_cl_L_h"]  # NT high -> slower NT clearance
