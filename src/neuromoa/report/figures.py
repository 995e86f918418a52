"""Figures of the report: matplotlib figures → reproducible inline SVG, also written as files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from neuromoa.pathways.render import figure_to_png, figure_to_svg

__all__ = ["FigureStore", "ReportFigure", "figure_from_plot"]


@dataclass(frozen=True)
class ReportFigure:
    """One figure: ``name`` (file stem and HTML id), its SVG text, caption and source."""

    name: str
    svg: str
    caption: str
    source: str
    png: bytes | None = None


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
        """Serialise ``fig`` (SVG, ids prefixed ``fig-<name>``) and return its ``<figure>`` HTML."""
        if name in self._figures:
            raise ValueError(f"figure name {name!r} is used twice in the report")
        svg = figure_to_svg(fig, f"fig-{name}")
        self._figures[name] = ReportFigure(name, svg, caption, source,
                                           figure_to_png(fig) if png else None)
        return self.html(name)

    def html(self, name: str) -> Markup:
        """The ``<figure>`` element of figure ``name`` (inline SVG, caption, data-source)."""
        f = self._figures[name]
        return Markup(
            '<figure id="fig-{name}" class="figure" data-source="{source}">\n{svg}\n'
            '<figcaption>{caption} <a class="file" href="figures/{name}.svg">SVG file</a>'
            '</figcaption>\n</figure>').format(name=f.name, source=f.source, svg=Markup(f.svg),
                                                caption=escape(f.caption))

    def write(self, folder: Path) -> list[Path]:
        """Write every figure as ``folder/<name>.svg`` (and ``.png`` when kept); return the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        # Figures of an earlier run that this run does not produce would be stale: remove them
        # (only .svg/.png files in the report's own figures folder).
        keep = {f"{f.name}.svg" for f in self} | {f"{f.name}.png" for f in self if f.png}
        for old in folder.iterdir():
            if old.is_file() and old.suffix in (".svg", ".png") and old.name not in keep:
                old.unlink()
        written = []
        for f in self._figures.values():
            path = folder / f"{f.name}.svg"
            path.write_text(f.svg, encoding="utf-8")
            written.append(path)
            if f.png is not None:
                png_path = folder / f"{f.name}.png"
                png_path.write_bytes(f.png)
                written.append(png_path)
        return written
