"""The assembled report: self-contained, traceable, deterministic, and robust to missing modules."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest

from neuromoa.report import TIMESTAMP_PREFIX, Step, build_report, source_anchor
from neuromoa.report.computations import STEPS
from neuromoa.report.sections import SECTIONS

# Modules built by the other parts of neuromoa; the report must run without any of them.
OTHER_MODULES = ("neuromoa.kb", "neuromoa.exposure", "neuromoa.engagement", "neuromoa.fitting",
                 "neuromoa.kinetics", "neuromoa.assays", "neuromoa.ephys", "neuromoa.systems")


def _without_timestamp(html: str) -> str:
    lines = [ln for ln in html.splitlines() if TIMESTAMP_PREFIX not in ln]
    return "\n".join(lines)


def test_index_and_figures_are_written(quick_report):
    result, html, _ = quick_report
    assert result.path.endswith("index.html")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count(TIMESTAMP_PREFIX) == 1
    for name in result.figures:
        assert f'id="fig-{name}"' in html
    assert all(status == "ok" for status in result.sections.values()), result.sections
    assert not result.problems, [o.message for o in result.problems]
    assert 'class="note failed"' not in html  # no figure or table of a card failed either


def test_self_contained(quick_report):
    _, html, _ = quick_report
    assert "<script" not in html
    assert not re.search(r"<link\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    # figures are inline SVG or PNG data URIs: nothing is fetched
    images = re.findall(r"<img\b[^>]*>", html)
    assert all(re.search(r'src="data:image/png;base64,', img) for img in images), images[:1]


def test_every_number_in_sections_1_and_2_is_traceable(quick_report, html_parse):
    result, html, _ = quick_report
    parsed = html_parse(html)
    assert parsed.unsourced == []
    assert parsed.bad_labels == []
    for sources in parsed.sources:
        for source in sources.split():
            assert source_anchor(source) in parsed.ids, f"{source} resolves to nothing"
    # Not vacuous: when the steps behind them ran, the sections print sourced numbers.
    if result.outcomes["engagement"].ok:
        assert parsed.sourced_numbers.get("1", 0) >= 20
    if result.outcomes["kb"].ok:
        assert parsed.sourced_numbers.get("2", 0) >= 50


def test_traceability_check_can_fail(html_parse):
    bad = ('<section data-section="1"><div class="section-body"><p>SERT occupancy 0.50 '
           '<span class="num" data-source="calc:nowhere">0.7</span></p></div></section>')
    parsed = html_parse(bad)
    assert parsed.unsourced == [("1", "SERT occupancy 0.50")]
    assert source_anchor(parsed.sources[0]) not in parsed.ids


def test_runs_with_every_other_module_missing(tmp_path, monkeypatch, report_config, html_parse):
    for name in OTHER_MODULES:
        monkeypatch.setitem(sys.modules, name, None)
    result = build_report(tmp_path, report_config)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(status == "ok" for status in result.sections.values()), result.sections
    assert not result.problems
    assert {name for name, o in result.outcomes.items() if o.ok} <= {"parameters"}
    assert "not available: neuromoa.kb is not installed/built yet" in html
    assert "not available: neuromoa.engagement is not installed/built yet" in html
    parsed = html_parse(html)
    assert parsed.unsourced == []


def test_a_failing_step_becomes_a_note(tmp_path, report_config):
    def boom(config, outcomes):
        raise RuntimeError("solver exploded")

    steps = [Step("kb", s.title, (), s.method, boom) if s.name == "kb" else s
             for s in STEPS if s.name in ("kb", "pathways")]
    result = build_report(tmp_path, report_config, steps=steps, sections=SECTIONS)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert result.outcomes["kb"].status == "failed"
    assert "RuntimeError: solver exploded" in html
    assert 'class="note failed"' in html
    assert result.outcomes["pathways"].message.startswith("not available: needs kb (failed")
    assert "step engagement was not run" in html


@pytest.mark.parametrize("section", [s.key for s in SECTIONS])
def test_every_section_is_in_the_page(quick_report, section):
    _, html, _ = quick_report
    assert f'id="sec-{section}"' in html


def test_tables_1_and_2_are_the_documents_rows_from_the_kb(quick_report):
    """Each row of sections 2's tables names its kb row; the printed value is that row's text.

    Row counts are the source document's: Table 1 has 14 rows, Table 2 has 11
    (seed/000_5dc639da3ad7329d.txt).
    """
    import neuromoa.kb as kb_module
    result, html, _ = quick_report
    if not result.outcomes["kb"].ok:
        pytest.skip("knowledge base step not available")
    acts = kb_module.load_kb().activities()
    by_key = {str(k): (str(t), str(u)) for k, t, u in zip(acts["key"], acts["text"], acts["unit"],
                                                         strict=True)}
    counts = {}
    for label, body in re.findall(r'<table class="kb" data-doc-table="([^"]+)">(.*?)</table>',
                                  html, re.S):
        rows = re.findall(r'<tr data-kb-row="([^"]+)">.*?<td class="n printed">'
                          r'<span class="num" data-source="[^"]+">(.*?)</span>', body, re.S)
        counts[label] = len(rows)
        for key, printed in rows:
            text, unit = by_key[key]
            assert printed.replace("&#34;", '"') == (f"{text} {unit}" if unit else text), key
    assert counts["Table 1"] == 14
    assert counts["Table 2"] == 11


def test_an_earlier_output_is_replaced_whole_and_a_users_folder_refused(tmp_path, report_config):
    """Issue 17: an earlier neuromoa output is replaced whole (no stale figure survives); a
    folder holding a user's files is refused without force (and nothing in it changes)."""
    from neuromoa.errors import OutputError
    from neuromoa.report.sections import SECTIONS

    steps = [s for s in STEPS if s.name in ("kb",)]
    out = tmp_path / "report"
    build_report(out, report_config, steps=steps, sections=SECTIONS)
    (out / "figures").mkdir(exist_ok=True)
    (out / "figures" / "old_figure.svg").write_text("<svg/>")
    build_report(out, report_config, steps=steps, sections=SECTIONS)
    assert not (out / "figures" / "old_figure.svg").exists()

    mine = tmp_path / "mine"
    (mine / "figures").mkdir(parents=True)
    (mine / "figures" / "notes.svg").write_text("mine")
    (mine / "index.html").write_text("my page")
    with pytest.raises(OutputError, match="not a neuromoa output"):
        build_report(mine, report_config, steps=steps, sections=SECTIONS)
    assert (mine / "index.html").read_text() == "my page"
    assert (mine / "figures" / "notes.svg").read_text() == "mine"


def test_same_seed_same_bytes(quick_report):
    """A second run — a fresh interpreter with another hash seed, so set order and caches differ
    too — writes the same page apart from the timestamp line, and the same figure files."""
    result, first, (second_run, second_out) = quick_report
    _, stderr = second_run.communicate(timeout=180)
    assert second_run.returncode == 0, stderr[-2000:]
    second = (second_out / "index.html").read_text(encoding="utf-8")
    assert second != first  # the timestamp differs...
    assert _without_timestamp(second) == _without_timestamp(first)  # ...and nothing else
    files = sorted(p.name for p in (second_out / "figures").iterdir())
    result_dir = pathlib.Path(result.out_dir) / "figures"
    assert files == sorted(p.name for p in result_dir.iterdir())
    assert {f.rsplit(".", 1)[0] for f in files} == set(result.figures)  # one file or two each
    for name in files:
        assert (second_out / "figures" / name).read_bytes() == (result_dir / name).read_bytes(), name
