"""``neuromoa fit``: the CSV contract, JSON keys, errors as one line."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

from .conftest import DESIGN, prism4

runner = CliRunner()
_register_all([])


def _csv(tmp_path, rng, header="concentration_nM", unit_col=None, n_curves=3, name="c.csv"):
    rng = np.random.default_rng(7)  # same noise in every file of a test
    rows = []
    for i in range(n_curves):
        y = prism4(DESIGN, 0, 100, -7.5 + 0.4 * i, -1.0) + rng.normal(0, 2, DESIGN.size)
        for x, r in zip(np.concatenate([[0.0], DESIGN]), np.concatenate([[100.0], y]),
                        strict=True):
            row = {"curve": f"c{i}", header: x * 1e9, "response": r}
            if unit_col:
                row["unit"] = unit_col
            rows.append(row)
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _run(*args):
    return runner.invoke(app, ["fit", *map(str, args)])


def test_json_contract(tmp_path, rng):
    path = _csv(tmp_path, rng)
    res = _run(path, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["model"] == "4pl" and d["unit"] == "nM" and d["comparison"] is None
    f = d["fits"][0]
    for key in ("curve", "status", "message", "bottom", "top", "log_ic50", "ic50", "hill", "se",
                "ci95", "rss", "r2", "aicc", "n", "df", "flags"):
        assert key in f
    assert f["n"] == DESIGN.size + 1  # the zero-dose row is used
    assert set(f["ci95"]["log_ic50"]) and len(f["ci95"]["log_ic50"]) == 2
    # log_ic50 and ic50 in the file's unit (nM)
    assert f["log_ic50"] == pytest.approx(9 - 7.5, abs=0.1)
    assert f["ic50"] == pytest.approx(10 ** f["log_ic50"], rel=1e-12)


def test_share_fix_and_comparison(tmp_path, rng):
    path = _csv(tmp_path, rng)
    res = _run(path, "--json", "--share", "bottom,top", "--fix", "hill=-1")
    d = json.loads(res.stdout)
    c = d["comparison"]
    assert set(c) >= {"f", "df_num", "df_den", "p", "aicc_delta"}
    assert d["fits"][0]["bottom"] == d["fits"][1]["bottom"]
    assert d["fits"][0]["hill"] == -1.0 and "hill" not in d["fits"][0]["se"]


def test_unit_column_and_bare_numbers(tmp_path, rng):
    path = _csv(tmp_path, rng, header="concentration", unit_col="nM")
    d = json.loads(_run(path, "--json").stdout)
    assert d["unit"] == "nM"
    bare = _csv(tmp_path, rng, header="concentration", name="bare.csv")
    res = _run(bare, "--json")
    assert res.exit_code == 2 and "--unit" in res.output and "Traceback" not in res.output
    d2 = json.loads(_run(bare, "--json", "--unit", "nM").stdout)
    assert d2["fits"][0]["log_ic50"] == pytest.approx(d["fits"][0]["log_ic50"], abs=1e-9)
    # converting to another unit shifts log IC50 by exactly 3
    d3 = json.loads(_run(path, "--json", "--unit", "uM").stdout)
    assert d3["fits"][0]["log_ic50"] == pytest.approx(d["fits"][0]["log_ic50"] - 3, abs=1e-9)


def test_malformed_file_is_one_line_naming_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("curve,concentration_nM,response\na,1,50\na,10,40,99\n")
    res = _run(path)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "row 3" in lines[0]
    unit = tmp_path / "unit.csv"
    unit.write_text("concentration,unit,response\n1,nM,50\n10,furlong,40\n")
    res = _run(unit)
    assert res.exit_code == 2 and "row 3" in res.output and "furlong" in res.output


def test_bad_rows_do_not_stop_the_batch(tmp_path):
    path = tmp_path / "mixed.csv"
    lines = ["curve,concentration_nM,response"]
    lines += [f"good,{x * 1e9},{y}" for x, y in zip(DESIGN, prism4(DESIGN, 0, 100, -7.5, -1),
                                                     strict=True)]
    lines += ["bad,1,10", "bad,abc,20", "bad,100,30", "bad,1000,40", "bad,1e4,50"]
    path.write_text("\n".join(lines) + "\n")
    d = json.loads(_run(path, "--json").stdout)
    st = {f["curve"]: f for f in d["fits"]}
    assert st["good"]["status"] == "ok"
    assert st["bad"]["status"] == "failed" and "row 13" in st["bad"]["message"]


def test_csv_out_and_table(tmp_path, rng):
    path = _csv(tmp_path, rng)
    out = tmp_path / "fits.csv"
    res = _run(path, "--out", out, "--ci", "profile")
    assert res.exit_code == 0 and "3 curves" in res.output
    frame = pd.read_csv(out)
    assert len(frame) == 3 and "log_ic50_ci_low" in frame


def test_one_site_ki_with_units(tmp_path, rng):
    path = _csv(tmp_path, rng)
    d = json.loads(_run(path, "--json", "--model", "one_site_ki", "--radioligand", "1 nM",
                        "--kd", "0.001 uM").stdout)
    f = d["fits"][0]
    # [L] = Kd: log Ki = log IC50 - log10(2)
    assert f["log_ki"] == pytest.approx(f["log_ic50"] - np.log10(2.0), abs=1e-12)


def test_fit_command_loads_no_heavy_optional_library(tmp_path):
    """`neuromoa fit` on a concentration_nM table needs no pint, matplotlib or libRoadRunner
    (start-up of the fit path; the unit is read by the molar fast path)."""
    import subprocess
    import sys

    path = tmp_path / "c.csv"
    path.write_text("curve,concentration_nM,response\n" + "".join(
        f"a,{c},{100 / (1 + c / 30):.3f}\n" for c in (0.1, 1, 3, 10, 30, 100, 300, 1000)))
    code = ("import sys\nsys.argv = ['neuromoa', 'fit', sys.argv[1], '--json']\n"
            "from neuromoa.cli.main import run\ntry:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pint', 'matplotlib', 'roadrunner', 'libsbml') "
            "if m in sys.modules), file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       check=True)
    assert '"ic50"' in r.stdout
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr


def test_help_choices_match_the_registries():
    from neuromoa.cli import fit as cli_fit
    from neuromoa.fitting import MODELS, WEIGHTS

    assert set(cli_fit.MODEL_NAMES) == set(MODELS)
    assert set(cli_fit.WEIGHT_NAMES) == set(WEIGHTS)
    for name in (*MODELS, *WEIGHTS):
        assert name in cli_fit._MODEL_HELP + cli_fit._WEIGHTS_HELP
