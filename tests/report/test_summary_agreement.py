"""Every class and threshold sentence of the summary agrees with the table it sits on.

The summary's claims carry their dose and the targets they name (``data-claim``,
``data-targets``); the occupancy table carries each row's class and each cell's occupancy. The
check recomputes every claim from the table with the summary's own thresholds and compares,
both the data attributes and the visible text. It is run on the real report and, to show it
can fail, on a copy where one claim is altered.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from neuromoa.report.sections import (
    NEGLIGIBLE_OCCUPANCY,
    SIDE_EFFECT_CLASSES,
    SUBSTANTIAL_OCCUPANCY,
    THERAPEUTIC_CLASSES,
)


class _Summary(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.claims: list[dict] = []
        self._row: dict | None = None
        self._claim: dict | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "tr" and "data-class" in a:
            self._row = {"target": a["data-target"], "class": a["data-class"], "occ": {}}
            self.rows.append(self._row)
        if tag == "td" and self._row is not None and "data-dose" in a and a["data-occupancy"]:
            self._row["occ"][a["data-dose"]] = float(a["data-occupancy"])
        if tag == "p" and "data-claim" in a:
            self._claim = {**a, "text": ""}
            self.claims.append(self._claim)
        elif tag == "p":
            self._claim = None

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        if tag == "p":
            self._claim = None

    def handle_data(self, data):
        if self._claim is not None:
            self._claim["text"] += data


def check_summary(html: str) -> list[str]:
    """Every disagreement between a summary claim and the occupancy table (empty = agrees)."""
    start = html.index('id="sec-summary"') if 'id="sec-summary"' in html else 0
    end = html.index('id="sec-data"') if 'id="sec-data"' in html else None
    parsed = _Summary()
    parsed.feed(html[start:end])
    problems = []
    assert parsed.rows and parsed.claims, "no table or no claims found"
    for claim in parsed.claims:
        kind, dose = claim["data-claim"], claim.get("data-dose", "")
        if kind == "analgesia":
            continue
        at = [(r["target"], r["class"], r["occ"][dose]) for r in parsed.rows if dose in r["occ"]]
        text = " ".join(claim["text"].split())
        if kind in ("side-effect", "takehome-side-effect"):
            want = {t for t, c, o in at if c in SIDE_EFFECT_CLASSES and o >= SUBSTANTIAL_OCCUPANCY}
        elif kind == "therapeutic":
            want = {t for t, c, o in at if c in THERAPEUTIC_CLASSES and o >= NEGLIGIBLE_OCCUPANCY}
        elif kind == "negligible":
            n = sum(o < NEGLIGIBLE_OCCUPANCY for _, _, o in at)
            if int(claim["data-count"]) != n or not text.startswith(f"{n} "):
                problems.append(f"{dose}: negligible count {claim['data-count']!r} / text "
                                f"{text[:20]!r}, table has {n}")
            continue
        else:
            problems.append(f"unknown claim {kind!r}")
            continue
        said = {t for t in claim["data-targets"].split("|") if t}
        if said != want:
            problems.append(f"{dose} {kind}: says {sorted(said)}, table gives {sorted(want)}")
        for t in want:
            if t not in text:
                problems.append(f"{dose} {kind}: {t} not named in the text")
        threshold = SUBSTANTIAL_OCCUPANCY if "side-effect" in kind else NEGLIGIBLE_OCCUPANCY
        if f"{threshold:.2f}" not in text:
            problems.append(f"{dose} {kind}: threshold {threshold:.2f} not in the text")
        if kind == "side-effect" and not want and "none." not in text:
            problems.append(f"{dose} {kind}: no target, but the text does not say none")
    return problems


def test_summary_agrees_with_its_table(quick_report):
    _, html, _ = quick_report
    assert check_summary(html) == []
    # Not vacuous: the claims exist for every regimen, and H1 (class "mixed", the case)
    # is counted as a side-effect target where it is above the threshold.
    assert html.count('data-claim="side-effect"') >= 2
    assert 'data-claim="side-effect" data-dose="10 mg" data-targets="H1' in html


def test_the_check_can_fail(quick_report):
    _, html, _ = quick_report
    tampered = html.replace('data-claim="side-effect" data-dose="10 mg" data-targets="H1',
                            'data-claim="side-effect" data-dose="10 mg" data-targets="', 1)
    assert tampered != html
    assert any("10 mg side-effect" in p for p in check_summary(tampered))
    with pytest.raises(AssertionError):
        check_summary("<p>no table</p>")
