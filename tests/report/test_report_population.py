"""Occupancy across a virtual population by CYP2D6 phenotype (issue 10 / 16) in the report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.report.conftest import make_config
from tests.report.test_report_tables import table_problems

from neuromoa.report.computations import SIZES


def _population(result):
    return json.loads((Path(result.out_dir) / "report.json").read_text())


def test_population_table_figure_and_assumptions(quick_report):
    result, html, _ = quick_report
    data = _population(result)
    pop = data["results"]["population_engagement"]
    n_quick = SIZES["population_engagement"][0]
    assert pop["n"] == n_quick and pop["seed"] == make_config().seed
    # the page states the size, the seed, the quick-mode reduction and the assumption
    section = html[html.index('id="population-engagement"'):]
    section = section[:section.index("</table>")]
    text = re.sub(r"<[^>]+>", "", section)
    assert f"{n_quick} virtual patients" in text and "--quick" in text
    assert "unbound fractions and Kp,uu are the same in every patient" in text
    for words in ("Poor metabolisers (PM)", "Ultrarapid (UM)", "All patients"):
        assert words in text
    assert table_problems(section + "</table>") == []
    # the figure is measured with the others and clean
    assert data["figure_checks"]["population_engagement"] == []


def test_population_occupancy_follows_cyp2d6_activity_and_dose(quick_report):
    """Less CYP2D6 activity → more drug and metabolite → higher occupancy (every headline
    target at every regimen); a higher dose → higher median in every phenotype."""
    result, _, _ = quick_report
    rows = _population(result)["results"]["population_engagement"]["by_phenotype"]
    med = {(r["target"], r["dose"], r["cyp2d6_phenotype"]): r["p50"] for r in rows}
    doses = list(make_config().doses)
    targets = {r["target"] for r in rows}
    assert {"SERT", "NET", "H1"} <= targets
    for t in targets:
        for d in doses:
            assert med[(t, d, "PM")] > med[(t, d, "NM")] > med[(t, d, "UM")], (t, d)
            q = [r for r in rows if (r["target"], r["dose"], r["cyp2d6_phenotype"]) == (t, d, "all")]
            assert q[0]["p5"] <= q[0]["p50"] <= q[0]["p95"]
        for ph in ("PM", "IM", "NM", "UM"):
            assert med[(t, doses[0], ph)] < med[(t, doses[-1], ph)], (t, ph)
