"""Figures of the report: matplotlib figures → reproducible inline SVG or PNG, also as files.

Every figure passes :func:`neuromoa.report.style.finalise_figure` (legends merged, canvas grown
until no label is clipped) and is checked with :func:`~neuromoa.report.style.layout_problems`
(recorded in ``report.json``). A figure whose SVG is large (dense traces, many points) is inlined
as a PNG instead: the vector file is still written beside it.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from neuromoa.report.style import finalise_figure

__all__ = ["FigureStore", "RASTER_ABOVE_BYTES", "RASTER_ABOVE_POINTS", "RASTER_DPI", "ReportFigure", "canvas_png",
           "data_points", "figure_from_plot", "figure_to_png", "figure_to_svg"]

#: A figure with more data points than this (line vertices, markers, patch vertices) is
#: inlined as PNG, its vector adding nothing but bytes (assumption: ~2000 points is where an
#: SVG passes ~60 kB, more than a raster at RASTER_DPI; keeps the report under issue 16's 2 MB).
RASTER_ABOVE_POINTS = 2000
#: A figure whose SVG is larger than this (many markers, patches) is inlined as PNG as well.
RASTER_ABOVE_BYTES = 60_000
#: Resolution of the inlined PNGs (dots per inch; assumption: sharp on a laptop screen at the
#: report's 1000 px column, a third of the bytes of a 200 dpi print raster).
RASTER_DPI = 110
#: Colours of the inlined PNGs' palette (assumption: 128 keep anti-aliased text and the
#: eight-colour palette smooth; a third of the bytes of full colour).
PNG_COLOURS = 128
#: Resolution of the PNG files written beside the SVGs of the pathway figures.
FILE_PNG_DPI = 150
# The SVG hash salt (fixed: the same figure gives the same bytes) and matplotlib's warning about
# slow "best" legend placement, which says nothing to a report reader.
_SVG_SALT = "neuromoa-report"
_SLOW_LEGEND_WARNING = "Creating legend with loc=\"best\" can be slow"
# CSS pixels per inch (the browser's reference pixel).
_CSS_PX_PER_INCH = 96


def figure_to_svg(fig: Figure, id_prefix: str) -> str:
    """SVG text of ``fig``, byte-identical across runs and safe to inline (ids prefixed), with
    text kept as text (:func:`neuromoa.pathways.render.figure_to_svg` does the work)."""
    from neuromoa.pathways.render import figure_to_svg as _to_svg

    return _to_svg(fig, id_prefix, fonttype="none", salt=_SVG_SALT)


def data_points(fig: Figure) -> int:
    """How many data points ``fig`` draws: line vertices, collection offsets and path vertices."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    n = 0
    for ax in fig.axes:
        for artist in ax.get_children():
            if isinstance(artist, Line2D):
                n += len(artist.get_xydata())
            elif isinstance(artist, Collection):
                n += len(artist.get_offsets()) + sum(len(p.vertices) for p in artist.get_paths())
    return n


def _quantized_png(image: Any, colours: int | None) -> bytes:
    from PIL import Image

    if colours is not None:
        image = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE,
                                              dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def canvas_png(fig: Figure, colours: int | None = PNG_COLOURS) -> bytes:
    """PNG of ``fig`` drawn by Agg at its own dpi, reduced to a palette of ``colours``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    buf = canvas.buffer_rgba()
    height, width = buf.shape[:2]
    return _quantized_png(Image.frombuffer("RGBA", (width, height), bytes(buf), "raw", "RGBA",
                                           0, 1), colours)


def figure_to_png(fig: Figure, *, dpi: int = RASTER_DPI, colours: int | None = PNG_COLOURS) -> bytes:
    """PNG bytes of ``fig`` (Agg, no timestamp: reproducible), reduced to a palette of
    ``colours`` (None: full colour)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SLOW_LEGEND_WARNING)
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    if colours is None:
        return buf.getvalue()
    from PIL import Image

    buf.seek(0)
    with Image.open(buf) as img:
        return _quantized_png(img, colours)


@dataclass(frozen=True)
class ReportFigure:
    """One figure: ``name`` (file stem and HTML id), its SVG text, caption and source."""

    name: str
    svg: str
    caption: str
    source: str
    png: bytes | None = None
    inline_png: bool = False
    size_px: tuple[int, int] = (0, 0)
    problems: tuple[str, ...] = ()


def figure_from_plot(obj: Any, *, figsize: tuple[float, float] = (6.4, 4.2), **kwargs: Any) -> Figure:
    """Call ``obj.plot(...)`` (the result objects' contract) and return the Figure it drew.

    ``plot()`` is called without axes first, so the result chooses its own figure size; it may
    return a Figure, an Axes or an array of Axes. Only if it returns none of these is it
    called again with fresh axes (``ax=``) to draw on.
    """
    out = obj.plot(**kwargs)  # the result picks its own figure size
    found = _find_figure(out)
    if found is not None:
        return found
    # A plot() that only draws on axes it is given.
    fig = Figure(figsize=figsize)
    out = obj.plot(ax=fig.add_subplot(1, 1, 1), **kwargs)
    found = _find_figure(out)
    return found if found is not None else fig


def _find_figure(out: Any) -> Figure | None:
    if isinstance(out, Figure):
        return out
    if isinstance(out, Axes):
        return out.figure  # type: ignore[return-value]
    if hasattr(out, "flat"):
        out = list(out.flat)
    if isinstance(out, tuple | list):
        for item in out:
            found = _find_figure(item)
            if found is not None:
                return found
    return None


class FigureStore:
    """Collects the report's figures in order; renders them inline and writes them as files."""

    def __init__(self) -> None:
        self._figures: dict[str, ReportFigure] = {}

    def __len__(self) -> int:
        return len(self._figures)

    def __iter__(self):
        return iter(self._figures.values())

    def add(self, name: str, fig: Figure, caption: str, source: str, *, png: bool = False) -> Markup:
        """Finalise and serialise ``fig``; return its ``<figure>`` HTML.

        Inline SVG (ids prefixed ``fig-<name>``), or a PNG data URI when it draws more than
        :data:`RASTER_ABOVE_POINTS` points or its SVG is larger than :data:`RASTER_ABOVE_BYTES`
        (then only the PNG file is written). ``png=True``
        also writes a PNG file beside the SVG.
        """
        if name in self._figures:
            raise ValueError(f"figure name {name!r} is used twice in the report")
        fig.set_dpi(RASTER_DPI)  # the resolution of the PNG, if one is inlined
        problems = tuple(finalise_figure(fig))
        svg = ""
        if png or data_points(fig) <= RASTER_ABOVE_POINTS:
            svg = figure_to_svg(fig, f"fig-{name}")
        inline_png = not png and (not svg or len(svg) > RASTER_ABOVE_BYTES)
        if inline_png:
            svg, png_bytes = "", canvas_png(fig)
        else:
            png_bytes = figure_to_png(fig, dpi=FILE_PNG_DPI, colours=None) if png else None
        width, height = fig.get_size_inches()
        size = (round(width * _CSS_PX_PER_INCH), round(height * _CSS_PX_PER_INCH))
        self._figures[name] = ReportFigure(name, svg, caption, source, png_bytes, inline_png,
                                           size, problems)
        return self.html(name)

    def checks(self) -> dict[str, list[str]]:
        """Layout problems of each figure (empty lists when clean): for report.json."""
        return {f.name: list(f.problems) for f in self}

    def html(self, name: str) -> Markup:
        """The ``<figure>`` element of figure ``name`` (inline SVG, caption, data-source)."""
        f = self._figures[name]
        if f.inline_png and f.png is not None:
            data = base64.b64encode(f.png).decode("ascii")
            body = Markup('<img src="data:image/png;base64,{}" width="{}" height="{}" alt="{}">'
                          ).format(data, f.size_px[0], f.size_px[1], f.caption)
            files = Markup('<a class="file" href="figures/{}.png">PNG file</a>').format(f.name)
        else:
            body = Markup(f.svg)
            files = Markup('<a class="file" href="figures/{}.svg">SVG file</a>').format(f.name)
        return Markup(
            '<figure id="fig-{name}" class="figure" data-source="{source}">\n{body}\n'
            '<figcaption>{caption} {files}</figcaption>\n</figure>').format(
                name=f.name, source=f.source, body=body, caption=escape(f.caption), files=files)

    def write(self, folder: Path) -> list[Path]:
        """Write every figure as ``folder/<name>.svg`` (and ``.png`` when kept); return the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        # Figures of an earlier run that this run does not produce would be stale: remove them
        # (only .svg/.png files in the report's own figures folder).
        keep = {f"{f.name}.svg" for f in self if f.svg} | {f"{f.name}.png" for f in self if f.png}
        for old in folder.iterdir():
            if old.is_file() and old.suffix in (".svg", ".png") and old.name not in keep:
                old.unlink()
        written = []
        for f in self._figures.values():
            if f.svg:
                path = folder / f"{f.name}.svg"
                path.write_text(f.svg, encoding="utf-8")
                written.append(path)
            if f.png is not None:
                png_path = folder / f"{f.name}.png"
                png_path.write_bytes(f.png)
                written.append(png_path)
        return written
