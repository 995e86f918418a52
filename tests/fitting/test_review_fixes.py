"""Review findings 3, 12, 13: no IC50 without an estimate; pasteable docs; plain messages."""

import contextlib
import csv
import io
import json
import os
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.errors import InputError
from neuromoa.fitting import FLAGS, fit_curve, fit_curves
from neuromoa.fitting._text import plain
from neuromoa.fitting.jsonout import to_json
from neuromoa.fitting.results import status_codes

from .conftest import DESIGN, prism4, scipy_fit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "src" / "neuromoa" / "data" / "fitting" / "example_curves.csv"
runner = CliRunner()
_register_all([])

#: A step between the 4th and 5th concentrations: RSS falls forever as |hill| grows.
STEP_AT = 2e-8


def _run(*args):
    return runner.invoke(app, ["fit", *map(str, args)])


# ---------------------------------------------------------------- finding 3: statuses

def test_status_rule_truth_table():
    f = FLAGS
    fitted = np.array([True] * 7 + [False])
    bits = np.array([0, f["ic50_outside_range"], f["unstable"], f["not_converged"],
                     f["no_effect"], f["flat"] | f["missing_values"],
                     f["unstable"] | f["no_effect"], 0])
    assert status_codes(fitted, bits).tolist() == [0, 1, 2, 2, 1, 1, 1, 2]


def test_step_curve_fails_without_numbers(rng):
    y = np.where(DESIGN < STEP_AT, 100.0, 0.0) + rng.normal(0, 1, DESIGN.size)
    res = fit_curves(pd.DataFrame({"concentration": DESIGN, "response": y}), unit="M")
    fit = res.fit(0)
    assert fit.status == "failed" and "unstable" in fit.flags
    assert all(np.isnan(v) for v in fit.params.values()) and np.isnan(fit.ic50)
    assert all(np.isnan(v) for v in fit.se.values())
    assert all(np.isnan(lo) and np.isnan(hi) for lo, hi in fit.ci95.values())
    # the optimiser's stopping point is kept, clearly named, with its runaway slope
    assert set(fit.raw) == {"bottom", "top", "log_ic50", "hill"}
    assert abs(fit.raw["hill"]) > 5
    d = res.to_dict()["fits"][0]
    for key in ("bottom", "top", "log_ic50", "hill", "ic50", "ic50_gt"):
        assert d[key] is None, key
    assert d["ci95"]["log_ic50"] == [None, None] and d["raw"]["hill"] == fit.raw["hill"]
    fast, slow = json.loads(to_json(res))["fits"][0], res.to_dict()["fits"][0]
    assert set(fast) == set(slow) and fast["raw"] == pytest.approx(slow["raw"], rel=1e-14)
    assert all(fast[k] == slow[k] for k in ("bottom", "ic50", "ic50_gt", "se", "ci95", "flags"))
    row = res.to_frame().iloc[0]
    assert np.isnan(row["ic50"]) and np.isnan(row["log_ic50"]) and np.isfinite(row["raw_hill"])
    # the column store keeps the optimiser's values; `withheld` marks them
    assert res.withheld[0] and np.isfinite(res.params[0]).all()


def test_inactive_example_curve_reports_no_ic50():
    table = pd.read_csv(EXAMPLE)
    top_conc = table.loc[table["curve"] == "cmpd-06-inactive", "concentration_nM"].max()
    res = _run("--example", "--json")
    assert res.exit_code == 0, res.output
    fits = {f["curve"]: f for f in json.loads(res.stdout)["fits"]}
    f = fits["cmpd-06-inactive"]
    assert f["status"] == "warning" and f["flags"] == ["no_effect"]
    assert "IC50 > highest tested concentration" in f["message"]
    for key in ("ic50", "log_ic50", "hill", "bottom", "top"):
        assert f[key] is None, key
    assert f["ic50_gt"] == pytest.approx(top_conc) and f["raw"]["hill"] is not None
    # active curves keep their numbers and have no raw/ic50_gt
    assert fits["cmpd-01"]["ic50"] > 0 and fits["cmpd-01"]["raw"] is None
    assert fits["cmpd-01"]["ic50_gt"] is None
    table_out = _run("--example")
    line = next(s for s in table_out.stdout.splitlines() if "cmpd-06" in s)
    assert f"> {top_conc:g}" in line and "nan" not in line and "83.6" not in line


def test_csv_output_is_blank_where_no_estimate(tmp_path):
    out = tmp_path / "fits.csv"
    assert _run("--example", "--out", out).exit_code == 0
    text = out.read_text().splitlines()
    header = text[0].split(",")
    row = next(r for r in text if r.startswith("cmpd-06-inactive"))
    cells = dict(zip(header, next(csv.reader([row])), strict=True))
    assert cells["ic50"] == "" and cells["log_ic50"] == "" and cells["hill"] == ""
    assert float(cells["ic50_gt"]) == 10000.0 and cells["raw_hill"] != ""


def _f_test_p(x, y, rss_fit, k):
    """P of the extra-sum-of-squares F test of a k-parameter fit against a flat line."""
    sst = np.sum((y - y.mean()) ** 2)
    df = y.size - k
    f = max(sst - rss_fit, 0.0) / (k - 1) / (rss_fit / df)
    return stats.f.sf(f, k - 1, df)


@pytest.mark.parametrize("case", ["flat", "partial", "clear"])
def test_no_effect_decision_matches_an_independent_f_test(case, rng):
    x = np.concatenate([[0.0], DESIGN])
    truth = {"flat": (100, 100, -7, -1), "partial": (40, 100, -6.0, -1.0),
             "clear": (0, 100, -7.5, -1)}[case]
    y = prism4(np.where(x > 0, x, 1e-30), *truth) + rng.normal(0, 3, x.size)
    fit = fit_curve(x, y)

    def f4(xx, b, t, c, h):
        return prism4(np.where(xx > 0, xx, 1e-30), b, t, c, h)

    p0 = [truth[0] - 5, truth[1], truth[2], truth[3]]
    p_ref, _ = scipy_fit(f4, x, y, p0=p0)
    p = _f_test_p(x, y, np.sum((y - f4(x, *p_ref)) ** 2), 4)
    if case == "flat":
        assert p > 0.05 and fit.flags == ["no_effect"] and np.isnan(fit.ic50)
        assert fit.ic50_gt == pytest.approx(DESIGN.max())
        # the same data without the vehicle row: 'flat', no IC50 bound claimed
        nov = fit_curve(x[1:], y[1:])
        assert "flat" in nov.flags and "no_effect" not in nov.flags and np.isnan(nov.ic50_gt)
        assert nov.status == "warning" and np.isnan(nov.ic50)
        return
    assert p < 0.05
    assert "no_effect" not in fit.flags and np.isfinite(fit.ic50)


def test_global_fit_still_uses_curves_withheld_alone(rng):
    frames = []
    for i, c in enumerate((-8.0, -7.5)):
        y = prism4(DESIGN, 0, 100, c, -1.0) + rng.normal(0, 1, DESIGN.size)
        frames.append(pd.DataFrame({"curve": f"c{i}", "concentration": DESIGN, "response": y}))
    flat = 100 + rng.normal(0, 3, DESIGN.size)
    step = np.where(DESIGN < STEP_AT, 100.0, 0.0) + rng.normal(0, 1, DESIGN.size)
    for name, y in (("flat", flat), ("step", step)):
        frames.append(pd.DataFrame({"curve": name, "concentration": DESIGN, "response": y}))
    table = pd.concat(frames, ignore_index=True)
    alone = fit_curves(table, unit="M")
    assert alone["step"].status == "failed" and "flat" in alone["flat"].flags
    shared = fit_curves(table, share=("bottom", "top", "hill"), unit="M")
    # all four curves are in the global fit: 40 points, 3 shared + 4 own parameters
    assert shared.df.tolist() == [40 - 7] * 4
    s, f = shared["step"], shared["flat"]
    assert s.status != "failed" and np.isfinite(s.params["log_ic50"])
    lo, hi = np.log10(DESIGN[DESIGN < STEP_AT].max()), np.log10(DESIGN[DESIGN > STEP_AT].min())
    assert lo < s.params["log_ic50"] < hi
    # a curve without an effect of its own keeps that verdict: no location reported
    assert f.flags == ["flat"] and np.isnan(f.params["log_ic50"]) and f.status == "warning"
    assert np.isfinite(f.raw["log_ic50"]) and f.raw["hill"] == s.params["hill"]


# ---------------------------------------------------------------- finding 13: messages

def test_header_only_csv_is_one_line_error(tmp_path):
    for name, text in (("head.csv", "curve,concentration_nM,response\n"),
                       ("blank.csv", "curve,concentration_nM,response\n,,\n\n")):
        path = tmp_path / name
        path.write_text(text)
        res = _run(path)
        assert res.exit_code == 2, res.output
        out = res.output.strip()
        assert len(out.splitlines()) == 1 and "Traceback" not in res.output
        assert "no data rows" in out and name in out


def test_empty_table_raises_in_the_library():
    with pytest.raises(InputError, match="no data rows"):
        fit_curves(pd.DataFrame({"concentration": [], "response": []}), unit="M")


def test_row_errors_show_plain_numbers(tmp_path):
    rows = [("1", c, 100 / (1 + c / 10)) for c in (0, 1, 3, 10, 30, 100)]
    rows += [("2", c, r) for c, r in ((0, 100), (1, 95), (-1, 90), (10, 50), (100, 5))]
    rows += [("3", 1, 90), ("3", 10, 50)]
    path = tmp_path / "ints.csv"
    pd.DataFrame(rows, columns=["curve", "concentration_nM", "response"]).to_csv(path,
                                                                              index=False)
    res = _run(path, "--json")
    assert res.exit_code == 1, res.output  # some curves failed (issue 17: exit 1, listed)
    msgs = {f["curve"]: f["message"] for f in json.loads(res.stdout)["fits"]}
    assert "concentration -1 is negative" in msgs["2"]  # curve ids are read as text
    assert "curve '3' has 2 usable point(s)" in msgs["3"]
    assert not any("np." in m for m in msgs.values()), msgs
    with pytest.raises(InputError) as exc:
        fit_curve(DESIGN, DESIGN, bounds={"hill": (np.float64(1), np.float64(0))})
    assert "np." not in str(exc.value) and "(1.0, 0.0)" in str(exc.value)


def test_plain():
    assert plain(np.int64(-1)) == "-1" and plain(np.float64(0.5)) == "0.5"
    assert plain("abc") == "'abc'" and plain([np.int64(2), "x"]) == "[2, 'x']"


# ---------------------------------------------------------------- finding 12: docs

def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _run_sh_block(block: str) -> None:
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        m = re.match(r"cat > (\S+) <<'(\w+)'$", line)
        if m:
            end = lines.index(m.group(2), i)
            Path(m.group(1)).write_text("\n".join(lines[i:end]) + "\n")
            i = end + 1
            continue
        if line.startswith(("PYTHONPATH=", "NEUROMOA_FULL=")):
            # benchmark / slow-suite commands: check that the script and options exist
            args = shlex.split(line, comments=True)
            script = next((a for a in args if a.endswith(".py")), None)
            if script is not None:
                src = (ROOT / script).read_text()
                for opt in (a for a in args if a.startswith("--")):
                    assert f'"{opt}"' in src, (line, opt)
            continue
        args = shlex.split(line, comments=True)
        assert args[0] == "neuromoa", line
        target = None
        if ">" in args:
            k = args.index(">")
            target, args = args[k + 1], args[:k]
        res = runner.invoke(app, args[1:])
        assert res.exit_code == 0, (line, res.output)
        if target:
            Path(target).write_text(res.stdout)


def test_every_docs_command_works_from_the_repository_root(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Fitting concentration")
    doc = readme[start:readme.index("\n## ", start + 1)]
    (tmp_path / "src").symlink_to(ROOT / "src")
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks")
    monkeypatch.chdir(tmp_path)
    sh = _blocks(doc, "sh")
    assert sh and any("plate.csv" in b for b in sh)
    for block in sh:
        _run_sh_block(block)
    assert Path("plate.csv").exists() and json.loads(Path("fits.json").read_text())["fits"]
    for block in _blocks(doc, "python"):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, "README.md (fitting)", "exec"), {})  # noqa: S102
    assert os.getcwd() == str(tmp_path)
