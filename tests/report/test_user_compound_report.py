"""A compound the package has never seen, from one user-data file: a full report, every step ok."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from neuromoa.report import ReportConfig
from neuromoa.report.computations import STEPS, NoData
from neuromoa.report.steps import run_steps

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user_compound.toml"


def test_cli_report_for_a_user_compound_has_every_step_ok(tmp_path):
    out = tmp_path / "rep"
    res = subprocess.run([sys.executable, "-m", "neuromoa.cli.main", "report", "--compound",
                          "examplamine", "--user-data", str(EXAMPLE), "--out", str(out),
                          "--quick", "--json"], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    doc = json.loads(res.stdout)
    steps = {s["name"]: s for s in doc["steps"]}
    assert set(steps) == {s.name for s in STEPS}
    assert {n: s["status"] for n, s in steps.items() if s["status"] != "ok"} == {}
    assert set(doc["sections"].values()) == {"ok"}
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Examplamine" in html or "examplamine" in html
    assert "figure not available" not in html


def test_steps_say_no_data_rather_than_fail():
    """Imipramine has no Na+ channel, NMDA or Trk value: those steps are ok with a no-data card."""
    wanted = {"kb", "patch", "fi", "nmda", "trk"}
    outcomes = run_steps([s for s in STEPS if s.name in wanted],
                         ReportConfig(compound="imipramine", quick=True))
    assert {n: o.status for n, o in outcomes.items()} == dict.fromkeys(wanted, "ok")
    for name in wanted - {"kb"}:
        cards = outcomes[name].value
        assert len(cards) == 1 and isinstance(cards[0].result, NoData), name
        assert "no data" in cards[0].title and "imipramine" in cards[0].result.message
