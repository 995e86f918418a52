"""Tables for people (issue 16): no raw result keys in a cell, and every number has a unit.

Raw keys (``plates[0].ic50_M``, ``summary[0].coverage_ci95_low``) stay in report.json; a cell
shows words. A number in a cell carries its unit, or its column or row header gives the unit in
parentheses or says the quantity is dimensionless. Code (``<code>``: function, constant and
parameter names in Methods) and citation links are not table values and are not checked.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from neuromoa.report.humanize import format_value, humanize_key, humanize_rows

# A raw key: a snake_case/identifier part followed by ".part" or "[n]" (a dotted/bracketed path).
RAW_KEY = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\](?:\.\w+)?|\.[a-z_][a-z0-9_]*_[A-Za-z0-9_]*)")
# A number as a reader sees it (with the typographic minus), not part of an identifier
# ("M1", "5-HT", "Ca2+", "ΔAPD90").
NUMBER = re.compile(r"(?<![\w./+-])[−-]?\d+(?:[.,]\d+)*(?![\w/+-]|\.\d)")
# Units a value may carry in its cell.
UNITS = re.compile(r"(?:\d|\]|\))\s*(?:[fpnµum]?M|ng/mL|mg|µg|g|kg|[mµ]?s|ms|min|h|days?|mV|V|"
                   r"[pnµ]?A|Hz|%|-fold|L/h|L|mL|uC/uF|bpm|years?)\b|%|-fold")
# A header that gives the unit, or says the quantity has none.
HEADER_UNIT = re.compile(r"\([^)]*\)|\b(fraction|ratio|fold|count|coefficient|factor|log units|"
                         r"dimensionless|version|integer|seed|slope|dose ratio|confidence|"
                         r"in the next column|share)\b", re.I)
# Columns of prose (consequences, corrections, notes, sources, citations, conditions, verbatim
# document text): their numbers are years, page numbers and names, not values.
PROSE = re.compile(r"^(consequence|correction|note|source|reference|condition|measure|species|"
                   r"target|mechanism|observable|model|value as printed|description|"
                   r"safety-margin flags)", re.I)
# Dotted names of the package's own functions and modules are code, not result keys.
CODE_NAME = re.compile(r"^neuromoa\.")


class _Tables(HTMLParser):
    """Cells of every table: (table index, header texts, row header, cell text, has unit col)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._skip = 0
        self._row: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "code" or (tag == "a" and "ref" in (a.get("class") or "")) or tag == "small":
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self.tables:
            key = "headers" if self._in_head else "rows"
            if self._in_head:
                self.tables[-1]["headers"] = self._row
            else:
                self.tables[-1][key].append(self._row)
        elif tag == "thead":
            self._in_head = False
        elif tag == "code" or tag == "a" or tag == "small":
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def table_problems(html: str) -> list[str]:
    """Every cell with a raw key or a number without a unit (empty: the tables are for people)."""
    parser = _Tables()
    parser.feed(html)
    problems = []
    for t in parser.tables:
        headers = t["headers"]
        unit_col = next((i for i, h in enumerate(headers) if h.lower() == "unit"), None)
        for row in t["rows"]:
            for i, cell in enumerate(row):
                if any(not CODE_NAME.match(m.group(0)) for m in RAW_KEY.finditer(cell)):
                    problems.append(f"raw key in a cell: {cell[:80]!r}")
                header = headers[i] if i < len(headers) else ""
                if i == 0 or PROSE.match(header) or not NUMBER.search(cell) or UNITS.search(cell):
                    continue
                if HEADER_UNIT.search(header) or HEADER_UNIT.search(row[0]):
                    continue
                if unit_col is not None and unit_col < len(row) and row[unit_col].strip():
                    continue
                problems.append(f"number without a unit: {cell[:60]!r} (column {header!r}, "
                                f"row {row[0][:40]!r})")
    return problems


def test_no_raw_key_and_every_number_has_a_unit(quick_report):
    result, html, _ = quick_report
    assert table_problems(html) == []
    assert html.count("<table") >= 10  # not vacuous: the report's tables were checked
    # the raw keys stay in report.json, with the values the tables show in words
    results = json.loads((Path(result.out_dir) / "report.json").read_text())["results"]
    assert "plates[0].ic50_M" in results["uptake_1"]
    assert 'data-key="plates[0].ic50_M"' in html


@pytest.mark.parametrize("cell", [
    '<table><thead><tr><th>Result</th><th>Value</th></tr></thead>'
    '<tbody><tr><td>plates[0].ic50_M</td><td>3 nM</td></tr></tbody></table>',
    '<table><thead><tr><th>Result</th><th>Value</th></tr></thead>'
    '<tbody><tr><td>IC50</td><td>3.1</td></tr></tbody></table>',
    '<table><thead><tr><th>Result</th><th>Value</th></tr></thead>'
    '<tbody><tr><td>x</td><td>summary[0].coverage_ci95_low</td></tr></tbody></table>',
])
def test_the_table_check_can_fail(cell):
    assert table_problems(cell)


def test_keys_become_words_and_values_engineering_units():
    rows = {r.key: r for r in humanize_rows([
        ("plates[0].plate", "P1"), ("plates[0].ic50_M", 3.1e-9),
        ("plates[0].ic50_ci95_M", [2.7e-9, 3.6e-9]), ("summary[0].method", "cheng_prusoff"),
        ("summary[0].coverage", 0.95), ("summary[0].coverage_ci95_low", 0.91),
        ("summary[0].coverage_ci95_high", 0.98), ("rheobase_A", 5.078e-11),
        ("v_half_V", -0.07198), ("half_time_s", 0.341), ("hill_ci95", [-1.222, -0.9216])])}
    assert rows["plates[0].ic50_M"].shown == "3.1 [2.7, 3.6] nM"
    assert rows["plates[0].ic50_M"].label == "Plate P1: IC50"
    assert rows["summary[0].coverage"].shown == "0.95 [0.91, 0.98]"
    assert rows["summary[0].coverage"].label.startswith("Cheng–Prusoff")
    assert rows["rheobase_A"].shown == "50.8 pA"
    assert rows["v_half_V"].shown == "−72 mV"
    assert rows["half_time_s"].shown == "341 ms"
    assert rows["hill_ci95"].shown == "−1.22 to −0.922"  # never "-1.222--0.9216"
    assert "plates[0].ic50_ci95_M" not in rows and "summary[0].coverage_ci95_low" not in rows
    assert format_value([0.5e-9, 1.1e-9], "M", "range") == "0.5–1.1 nM"
    assert format_value(1620e-9, "M") == "1.62 µM"  # not "1.62e+03 nM"
    assert "e" not in format_value(2.37e-5)
    assert humanize_key("measurement.block") == "block (fraction)"
