"""Resource guards before allocation, escaping of every user string, user overlays read
through the one parser, and a drawn seed that is recorded (issue 17, items 1, 5 and 6)."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_strategies import NASTY
from typer.testing import CliRunner

from neuromoa.assays import simulate_uptake
from neuromoa.cli.main import _register_all, app
from neuromoa.errors import NeuromoaError, ResourceError
from neuromoa.exposure import Regimen
from neuromoa.kb import load_kb

runner = CliRunner()
_register_all([])


# ------------------------------------------------------------------ resources

def test_defect_every_1_s_allocates_12_gib():
    with pytest.raises(ResourceError, match=r"1\.21e\+06 doses .* would need \d+(\.\d+)? GiB"):
        Regimen.parse("150 mg", every="1 s", days=14)


def test_defect_every_1_s_cli_one_line():
    res = runner.invoke(app, ["exposure", "--dose", "150 mg", "--every", "1 s", "--days", "14"])
    assert res.exit_code == 2 and "GiB of memory" in res.output and "Traceback" not in res.output


def test_defect_days_1e6_asks_for_44_tib():
    with pytest.raises(ResourceError, match="longer than 36525 days"):
        Regimen.parse("150 mg", every="24 h", days="1e6")
    with pytest.raises(ResourceError):
        Regimen.parse("150 mg", every="24 h", days=1e6)


def test_defect_every_1_ms_runs_over_a_minute():
    with pytest.raises(ResourceError, match="TiB"):
        Regimen.parse("150 mg", every="1 ms")


def test_defect_every_ms_in_the_report_config(tmp_path):
    res = runner.invoke(app, ["report", "--every", "1 ms", "--out", str(tmp_path / "r")])
    assert res.exit_code == 2 and "doses" in res.output
    assert not (tmp_path / "r").exists()


def test_defect_curves_per_file(tmp_path, monkeypatch):
    from neuromoa.errors import DataFileError
    from neuromoa.fitting import io as fio

    monkeypatch.setattr(fio, "MAX_CURVES", 3)
    path = tmp_path / "many.csv"
    path.write_text("curve,concentration_nM,response\n"
                    + "".join(f"c{i},1,{i}\n" for i in range(5)), encoding="utf-8")
    with pytest.raises(DataFileError, match="5 curves in one file"):
        fio.read_curve_table(path)


# ------------------------------------------------------------------ escaping

NAMES = ["[red]x", "[/bold]", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
         "a&b", "[link=http://x]y[/link]"]


def test_defect_markup_in_plate_and_compound_names(tmp_path):
    ps = simulate_uptake("SERT", "amitriptyline", seed=5, n_plates=2)
    p = tmp_path / "plates.csv"
    ps.write(p)
    text = p.read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    meta = json.loads(header.split("neuromoa:", 1)[1])
    meta["plates"] = {NAMES[1]: meta["plates"]["P1-1"], NAMES[2]: meta["plates"]["P1-2"]}
    body = body.replace("P1-1,", f'"{NAMES[1]}",').replace("P1-2,", f'"{NAMES[2]}",')
    body = body.replace("amitriptyline", NAMES[0])
    p.write_text("# neuromoa: " + json.dumps(meta) + "\n" + body, encoding="utf-8")
    res = runner.invoke(app, ["assay", "analyze", "uptake", str(p)])
    assert res.exit_code in (0, 1), res.output
    for name in NAMES[:3]:
        assert name in res.output


@pytest.mark.parametrize("name", NAMES)
def test_defect_markup_in_an_unknown_compound(name):
    res = runner.invoke(app, ["engage", "--compound", name, "--conc", "1 uM"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert name in res.output


def test_report_result_html_escapes():
    from neuromoa.report import ReportResult
    from neuromoa.report.steps import StepOutcome

    out = StepOutcome(name=NAMES[2], status="failed", message=NAMES[3], seconds=0.0)
    html = ReportResult("<b>", "d", {"x": out}, {}, (), 0.0)._repr_html_()
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_defect_simulate_without_seed_records_null(tmp_path):
    p = tmp_path / "s.csv"
    res = runner.invoke(app, ["assay", "simulate", "uptake", "--out", str(p)])
    assert res.exit_code == 0, res.output
    meta = json.loads(p.read_text(encoding="utf-8").split("\n", 1)[0].split("neuromoa:", 1)[1])
    seed = meta["plates"]["P1"]["truth"]["seed"]
    assert isinstance(seed, int) and f"--seed {seed}" in res.output
    again = tmp_path / "again.csv"
    runner.invoke(app, ["assay", "simulate", "uptake", "--out", str(again), "--seed", str(seed)])
    assert again.read_text(encoding="utf-8").split("\n", 1)[1] == \
        p.read_text(encoding="utf-8").split("\n", 1)[1]


# ------------------------------------------------------------------ user overlays

_HEAD = "compound,target,species,measure,low,high,unit,reference\n"


@pytest.mark.parametrize("unit", ["nM/0", "nM)", "nM**0.", "Mm", "nM!", "mV", ""])
def test_defect_overlay_unit_column_tracebacks(tmp_path, unit):
    path = tmp_path / "o.csv"
    path.write_text(_HEAD + f"amitriptyline,SERT,Human,Ki,3,4,{unit},tatsumi1997\n",
                    encoding="utf-8")
    with pytest.raises(NeuromoaError) as exc:
        load_kb(user_files=[path])
    assert "\n" not in str(exc.value)


@settings(max_examples=40, deadline=None)
@given(unit=st.one_of(st.sampled_from(["nM", "uM", "µM", "mM", "M", "pM"]),
                      st.sampled_from(NASTY), st.text(max_size=8)),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just("abc")))
def test_overlay_property(tmp_path_factory, unit, value):
    """Any unit cell and value: a clean NeuromoaError, or a finite positive value in M."""
    path = tmp_path_factory.mktemp("ov") / "o.csv"
    unit_cell = '"' + str(unit).replace('"', '""') + '"'
    path.write_text(_HEAD + f"amitriptyline,SERT,Human,Ki,{value},{value},{unit_cell},"
                            "tatsumi1997\n", encoding="utf-8")
    try:
        kb = load_kb(user_files=[path])
    except (NeuromoaError, FileNotFoundError):
        return
    rows = kb.activities(origin="user")
    for v in rows["value_M"]:
        assert math.isfinite(v) and 0 < v <= 100
