"""Every report figure to publication standard (issue 16): no text off the canvas, legends that
summarise, one shared style, dense figures inlined as PNG.

The report measures each figure as it renders it (:func:`neuromoa.report.style.finalise_figure`:
the Agg renderer's window extent of every text it draws) and records what is wrong in
report.json; the real report must record nothing. The measurement itself is tested on figures
made to fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from neuromoa.report.figures import RASTER_ABOVE_POINTS, FigureStore
from neuromoa.report.style import (
    MAX_LEGEND_ENTRIES,
    OKABE_ITO,
    finalise_figure,
    layout_problems,
    report_style,
)


def test_every_report_figure_is_clean(quick_report):
    result, html, _ = quick_report
    checks = json.loads((Path(result.out_dir) / "report.json").read_text())["figure_checks"]
    assert set(checks) == set(result.figures) and len(checks) >= 20  # every figure was measured
    assert {name: p for name, p in checks.items() if p} == {}


def _clipped() -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))  # no room for tick labels or the axis label
    ax.plot([0, 1], [0, 1000])
    ax.set_ylabel("current (pA)")
    return fig


def test_a_clipped_label_is_found_and_fixed():
    fig = _clipped()
    problems = layout_problems(fig)
    assert any("outside the canvas" in p for p in problems)
    width = fig.get_size_inches()[0]
    assert finalise_figure(fig) == []
    assert layout_problems(fig) == []
    assert fig.get_size_inches()[0] > width  # grown, not shrunk: the axes keep their size


def test_a_repeating_legend_is_merged_and_a_long_one_found():
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    for i in range(30):  # the inactivation figure: one "0 µM" entry per sweep
        ax.plot([0, 1], [i, i], color="k", label="0 µM")
    ax.plot([0, 1], [0, 2], label="1 µM")
    ax.legend()
    assert finalise_figure(fig) == []
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0 µM", "1 µM"]
    fig2 = Figure(figsize=(6, 4))
    ax2 = fig2.subplots()
    for i in range(MAX_LEGEND_ENTRIES + 1):
        ax2.plot([0, 1], [i, i], label=f"target {i}")
    ax2.legend()
    assert any("legend with" in p for p in layout_problems(fig2))


def test_shared_style_and_dense_figures_become_png():
    with report_style():
        fig = Figure(figsize=(4, 3))
        ax = fig.subplots()
        line, = ax.plot(np.arange(RASTER_ABOVE_POINTS + 1.0))
        sparse = Figure(figsize=(4, 3))
        sparse.subplots().plot([0, 1], [0, 1])
    assert line.get_color().lower() == OKABE_ITO[0].lower()
    store = FigureStore()
    dense_html = store.add("dense", fig, "a dense figure", "calc:x")
    sparse_html = store.add("sparse", sparse, "a sparse figure", "calc:x")
    assert 'src="data:image/png;base64,' in dense_html and "<svg" not in dense_html
    assert "<svg" in sparse_html and "<img" not in sparse_html
    assert store.checks() == {"dense": [], "sparse": []}
