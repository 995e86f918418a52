"""The report's one figure style and the checks every report figure passes.

:data:`REPORT_STYLE` is applied (``matplotlib.rc_context``) while the report draws its figures,
so every module's ``plot()`` draws with the same fonts and the colour-blind-safe Okabe–Ito
palette. :func:`finalise_figure` then makes a drawn figure publishable without changing what it
shows: repeated legend entries are merged, and a figure whose labels run off its canvas is grown
so that every text fits (the axes keep their size). :func:`layout_problems` measures, with the
renderer's window extents of every text actually drawn, what is still wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

__all__ = ["MAX_LEGEND_ENTRIES", "OKABE_ITO", "REPORT_STYLE", "finalise_figure",
           "layout_problems", "report_style"]

#: Okabe & Ito (2008), "Color universal design": eight colours distinguishable with every common
#: colour-vision deficiency (black, orange, sky blue, bluish green, yellow, blue, vermillion,
#: reddish purple); yellow is moved last because it is faint on white.
OKABE_ITO: tuple[str, ...] = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2",
                              "#D55E00", "#CC79A7", "#F0E442")

#: The shared matplotlib style of every report figure (font sizes in points; assumption: 8–10 pt
#: at the report's ~6–11 inch figure widths reads like a journal figure at column width).
REPORT_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "figure.titlesize": 10.0,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "lines.linewidth": 1.4,
    "lines.markersize": 4.5,
    "image.cmap": "viridis",
    "svg.fonttype": "none",  # text stays text: a tenth of the size of glyph outlines
}

#: A legend with more entries than this does not summarise (issue 16).
MAX_LEGEND_ENTRIES = 8
# Margin kept between every text and the canvas edge (pixels at the figure's dpi).
_PAD_PX = 3.0
# Growth rounds of finalise_figure (each redraws the figure once; two settle every report figure).
_FIT_ROUNDS = 3
# A figure is never grown past this factor per side: text that far off is a bug to see, not hide.
_MAX_GROWTH = 2.0


@contextmanager
def report_style() -> Iterator[None]:
    """Draw with :data:`REPORT_STYLE` inside the block."""
    with matplotlib.rc_context(REPORT_STYLE):
        yield


def _legends(fig: Figure) -> list[Legend]:
    out = list(fig.legends)
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            out.append(leg)
    return out


def _legend_size(leg: Legend) -> int:
    return sum(1 for t in leg.get_texts() if t.get_text().strip())


def merge_legend_duplicates(fig: Figure) -> None:
    """Rebuild every axes legend that repeats a label with one entry per label (first kept)."""
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        labels = [t.get_text() for t in leg.get_texts()]
        if len(set(labels)) == len(labels):
            continue
        seen: dict[str, Any] = {}
        for handle, label in zip(leg.legend_handles, labels, strict=False):
            if label not in seen:
                seen[label] = handle
        kwargs: dict[str, Any] = {"loc": leg._loc, "ncols": leg._ncols,  # noqa: SLF001
                                  "frameon": leg.get_frame_on(),
                                  "fontsize": leg.get_texts()[0].get_fontsize()}
        title = leg.get_title().get_text()
        if title:
            kwargs["title"] = title
        anchor = leg.get_bbox_to_anchor()
        if anchor is not None and anchor != ax.bbox:
            kwargs["bbox_to_anchor"] = anchor
        ax.legend(list(seen.values()), list(seen), **kwargs)


# Renderer methods that paint pixels: replaced by no-ops while texts are measured (a layout check
# needs the text positions, not the raster; dense figures draw ten times faster).
_PAINTERS = ("draw_path", "draw_markers", "draw_path_collection", "draw_quad_mesh",
             "draw_gouraud_triangles", "draw_image", "draw_tex")


def _drawn_texts(fig: Figure) -> list[Bbox]:
    """Lay out ``fig`` as Agg would draw it; the window extent (pixels, clipped as drawn) of
    every text shown. Nothing is painted: only where each text lands is recorded."""
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    boxes: list[Bbox] = []

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001, ANN202
        if mtext is not None and str(s).strip():
            # The box of this drawn line from the renderer's own text metrics at the anchor the
            # draw gives (baseline x, y; rotated by angle): no second layout of the Text.
            w, h, d = renderer.get_text_width_height_descent(s, prop, ismath=ismath)
            corners = np.array([(0.0, -d), (w, -d), (w, h - d), (0.0, h - d)])
            if angle:
                a = np.deg2rad(angle)
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                corners = corners @ rot.T
            if renderer.flipy():  # Agg's text anchors count y from the top
                y = renderer.get_canvas_width_height()[1] - y
            corners += (x, y)
            box = Bbox([corners.min(axis=0), corners.max(axis=0)])
            clip = gc.get_clip_rectangle()
            if clip is not None:
                box = Bbox.intersection(box, clip)
            if box is not None:
                boxes.append(box)

    def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    for name in _PAINTERS:
        setattr(renderer, name, nothing)
    renderer.draw_text = record
    try:
        fig.draw(renderer)
    finally:
        for name in (*_PAINTERS, "draw_text"):
            delattr(renderer, name)
    return boxes


def _overflow(fig: Figure, boxes: list[Bbox]) -> tuple[float, float, float, float]:
    """How far (pixels) texts run off the left, bottom, right and top edges."""
    if not boxes:
        return 0.0, 0.0, 0.0, 0.0
    union = Bbox.union(boxes)
    w, h = fig.bbox.width, fig.bbox.height
    return (max(0.0, -union.x0), max(0.0, -union.y0), max(0.0, union.x1 - w),
            max(0.0, union.y1 - h))


def _grow(fig: Figure, left: float, bottom: float, right: float, top: float) -> None:
    """Add margins (pixels) around the figure; every axes keeps its size in pixels."""
    w, h = fig.bbox.width, fig.bbox.height
    new_w = min(w + left + right, _MAX_GROWTH * w)
    new_h = min(h + bottom + top, _MAX_GROWTH * h)
    left = left * (new_w - w) / max(left + right, 1e-9)
    bottom = bottom * (new_h - h) / max(bottom + top, 1e-9)
    positions = [(ax, ax.get_position(original=False)) for ax in fig.axes]
    fig.set_layout_engine("none")
    fig.set_size_inches(new_w / fig.dpi, new_h / fig.dpi)
    for ax, pos in positions:
        x0, y0 = pos.x0 * w + left, pos.y0 * h + bottom
        ax.set_position([x0 / new_w, y0 / new_h, pos.width * w / new_w, pos.height * h / new_h])


def finalise_figure(fig: Figure) -> list[str]:
    """Merge repeated legend entries and grow the canvas until every text fits (in place).

    Returns what is still wrong (:func:`layout_problems` of the final drawing, measured on the
    same draw: usually one Agg draw per figure).
    """
    merge_legend_duplicates(fig)
    boxes = _drawn_texts(fig)
    for _ in range(_FIT_ROUNDS):
        left, bottom, right, top = _overflow(fig, boxes)
        if max(left, bottom, right, top) <= 0.0:
            break
        _grow(fig, *(side + _PAD_PX if side else 0.0 for side in (left, bottom, right, top)))
        boxes = _drawn_texts(fig)
    return _problems(fig, boxes)


def layout_problems(fig: Figure) -> list[str]:
    """What is wrong with the drawn ``fig``: texts outside the canvas, legends over the limit.

    Measured with the Agg renderer's window extents of every text it draws (clipped as drawn).
    """
    return _problems(fig, _drawn_texts(fig))


def _problems(fig: Figure, boxes: list[Bbox]) -> list[str]:
    problems = []
    w, h = fig.bbox.width, fig.bbox.height
    tol = 0.5  # pixels: sub-pixel rounding of extents is not clipping
    for box in boxes:
        if box.x0 < -tol or box.y0 < -tol or box.x1 > w + tol or box.y1 > h + tol:
            problems.append(f"text outside the canvas at x {box.x0:.0f}–{box.x1:.0f}, "
                            f"y {box.y0:.0f}–{box.y1:.0f} of {w:.0f}×{h:.0f} px")
    for leg in _legends(fig):
        n = _legend_size(leg)
        if n > MAX_LEGEND_ENTRIES:
            problems.append(f"legend with {n} entries (at most {MAX_LEGEND_ENTRIES})")
    return problems
