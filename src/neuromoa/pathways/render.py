"""Draw a :class:`PathwayGraph` with matplotlib, and serialise figures to reproducible SVG/PNG.

No graphviz: :func:`pathway_diagram` measures every node and edge label with matplotlib's text
engine and hands the sizes to :func:`neuromoa.pathways.layout.diagram_layout` (grandalf's
Sugiyama layout, edges routed through the gaps between ranks, labels on free spots);
:func:`draw_pathway` draws exactly that geometry. Relations are drawn the way pathway diagrams
usually are, one glyph each: *activates* a solid line with a filled head, *increases* a solid
line with an open head, *inhibits/antagonises/blocks* a flat bar ⊣, *leads to* a dashed line,
*loss leads to* (the consequence of losing a signal) a dotted line. The legend draws the same
glyphs. Where the graph carries occupancy at a regimen, the drug → target lines' width and
opacity encode it, and the legend says so with three sample lines.

Reproducible bytes: matplotlib's SVG writer derives element ids from a hash salted by
``svg.hashsalt`` (random by default) and stamps a creation date; :func:`figure_to_svg` fixes the
salt, drops the date, and prefixes every id so that several figures can be inlined in one HTML
page without id clashes.
"""

from __future__ import annotations

import io
import re
import textwrap
import warnings

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from neuromoa.errors import InputError
from neuromoa.pathways.graph import PathwayGraph, layered_layout
from neuromoa.pathways.layout import Diagram, diagram_layout

__all__ = ["NODE_COLOURS", "RELATION_STYLES", "draw_pathway", "figure_to_png", "figure_to_svg",
           "pathway_diagram"]

# Colours (fill, text) per node kind and effect class. Assumption: a colour-blind-safe palette
# (Okabe & Ito 2008, "Color Universal Design") — green/vermillion/orange/blue.
NODE_COLOURS: dict[tuple[str, str], tuple[str, str]] = {
    ("drug", ""): ("#0b3c5d", "white"),
    ("target", "therapeutic"): ("#009e73", "white"),
    ("target", "adverse"): ("#d55e00", "white"),
    ("target", "mixed"): ("#e69f00", "black"),
    ("target", ""): ("#56b4e9", "black"),
    ("process", ""): ("#eef2f5", "black"),
    ("agonist", ""): ("#f2dcea", "black"),
    ("consequence", "therapeutic"): ("#c9eee2", "black"),
    ("consequence", "adverse"): ("#f7d6c2", "black"),
    ("consequence", "mixed"): ("#fbe8b8", "black"),
    ("consequence", ""): ("#eef2f5", "black"),
}

# Relation → (head style, line style, legend text). Relations sharing head and line share one
# legend entry (their texts are joined).
RELATION_STYLES: dict[str, tuple[str, str, str]] = {
    "activates": ("-|>,head_length=0.45,head_width=0.22", "-", "activates"),
    "increases": ("->,head_length=0.45,head_width=0.22", "-", "increases"),
    "inhibits": ("|-|,widthA=0.0,widthB=0.3", "-", "inhibits"),
    "antagonises": ("|-|,widthA=0.0,widthB=0.3", "-", "antagonises"),
    "blocks": ("|-|,widthA=0.0,widthB=0.3", "-", "blocks"),
    "leads to": ("-|>,head_length=0.45,head_width=0.22", (0, (4.0, 2.0)), "leads to"),
    "loss leads to": ("-|>,head_length=0.45,head_width=0.22", (0, (1.0, 1.6)),
                      "loss leads to (consequence of the block)"),
}
_EDGE_INK = "#333333"

# Sizes in inches and points (assumption: chosen for legibility at page width).
_MARGIN_IN = 0.25
_NODE_PAD_IN = 0.08  # text to box border
_LABEL_PAD_PT = 1.2  # edge-label text to its white box
_LINE_SPACING = 1.15
_TITLE_IN = 0.42
_LEGEND_ROW_IN = 0.26
_LEGEND_GLYPH_IN = 0.42
_LEGEND_SEP_IN = 0.22
_HEAD_IN = 0.13  # length of the drawn arrowhead segment
_LABEL_WRAP = 22  # characters per line inside a box
_FONT_PT = 8.5
_EDGE_FONT_PT = 7.0
_LEGEND_FONT_PT = 7.0
_TITLE_PT = 11.0
_TB_RATIO = 2.0  # "auto" draws top to bottom when ranks > this × the widest rank
_MEASURE_DPI = 150.0
# Text is measured at _MEASURE_DPI; at a coarser raster, glyph advances snap to whole pixels and
# a line grows a little. Assumption: 4 % covers rasters down to 72 dpi (checked by eye on the
# shipped diagrams at 72, 100 and 150 dpi).
_TEXT_SLACK = 1.04
# Occupancy → line width (points) and opacity: 0 → thin and faint, 1 → thick and opaque.
_WIDTH_MIN_PT, _WIDTH_SPAN_PT = 0.5, 2.6
_ALPHA_MIN, _ALPHA_SPAN = 0.3, 0.7
_OCCUPANCY_SAMPLES = (0.1, 0.5, 0.9)

# Fixed salt so matplotlib's SVG ids are the same on every run.
_SVG_SALT = "neuromoa"
_ID_RE = re.compile(r'\bid="([^"]+)"')
_SLOW_LEGEND_WARNING = r"Creating legend with loc=.best. can be slow"


def _wrap(label: str) -> str:
    lines = []
    for part in label.split("\n"):
        lines.extend(textwrap.wrap(part, _LABEL_WRAP) or [""])
    return "\n".join(lines)


def _node_style(node) -> tuple[str, str, str]:  # noqa: ANN001
    fill, ink = NODE_COLOURS.get((node.kind, node.effect_class),
                                 NODE_COLOURS.get((node.kind, ""), ("#ffffff", "black")))
    weight = "bold" if node.kind in ("drug", "target") else "normal"
    return fill, ink, weight


class _Ruler:
    """Text extents in inches, from matplotlib's own text layout (the sizes drawn later)."""

    def __init__(self) -> None:
        self.fig = Figure(dpi=_MEASURE_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.renderer = self.canvas.get_renderer()

    def size(self, text: str, fontsize: float, weight: str = "normal") -> tuple[float, float]:
        artist = self.fig.text(0, 0, text, fontsize=fontsize, fontweight=weight,
                               linespacing=_LINE_SPACING)
        box = artist.get_window_extent(self.renderer)
        artist.remove()
        return float(box.width) / _MEASURE_DPI * _TEXT_SLACK, float(box.height) / _MEASURE_DPI


def _label_pad_in() -> float:
    return _LABEL_PAD_PT / 72.0


def pathway_diagram(graph: PathwayGraph, *, direction: str = "auto") -> Diagram:
    """The geometry :func:`draw_pathway` draws: node boxes, edge routes, label boxes (inches).

    ``diagram.problems()`` lists any label on a node or another label and any edge through a
    box other than its own ends (empty for every shipped pathway; tested).
    """
    if direction not in ("auto", "LR", "TB"):
        raise InputError(f"direction must be 'auto', 'LR' or 'TB'; got {direction!r}")
    if direction == "auto":
        probe = layered_layout(graph)
        direction = "TB" if probe.n_ranks > _TB_RATIO * max(probe.max_width, 1) else "LR"
    ruler = _Ruler()
    sizes = {}
    for node in graph.nodes:
        w, h = ruler.size(_wrap(node.label), _FONT_PT, _node_style(node)[2])
        sizes[node.id] = (w + 2 * _NODE_PAD_IN, h + 2 * _NODE_PAD_IN)
    labels = {}
    for edge in graph.edges:
        if edge.label:
            w, h = ruler.size(edge.label, _EDGE_FONT_PT)
            labels[(edge.source, edge.target)] = (w + 2 * _label_pad_in(), h + 2 * _label_pad_in())
    return diagram_layout(graph, sizes, labels, direction=direction)


def _edge_look(graph: PathwayGraph, edge) -> tuple[float, float]:  # noqa: ANN001
    """(line width in points, opacity) of ``edge``: occupancy-weighted when the graph has it."""
    if graph.weight_label and graph.node(edge.source).kind == "drug" and \
            graph.node(edge.target).kind == "target":
        w = max(0.0, min(edge.weight, 1.0))
        return _WIDTH_MIN_PT + _WIDTH_SPAN_PT * w, _ALPHA_MIN + _ALPHA_SPAN * w
    return 1.1, 1.0


def _draw_edge(ax, pts, relation: str, lw: float, alpha: float,  # noqa: ANN001
               gid: str | None = None) -> None:
    head, line, _ = RELATION_STYLES.get(relation, RELATION_STYLES["leads to"])
    xs, ys = zip(*pts, strict=True)
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    f = min(1.0, _HEAD_IN / length) if length > 0 else 1.0
    hx, hy = x1 - f * (x1 - x0), y1 - f * (y1 - y0)
    ax.add_line(Line2D(list(xs[:-1]) + [hx], list(ys[:-1]) + [hy], lw=lw, color=_EDGE_INK,
                       alpha=alpha, linestyle=line, solid_capstyle="butt", zorder=2, gid=gid))
    ax.add_patch(FancyArrowPatch((hx, hy), (x1, y1), arrowstyle=head, mutation_scale=10,
                                 lw=max(lw, 0.9), color=_EDGE_INK, alpha=alpha, shrinkA=0,
                                 shrinkB=0, zorder=4))


def _legend_items(graph: PathwayGraph) -> list[tuple[str, object, str]]:
    """(kind, payload, text) per legend entry: relation glyphs, node colours, occupancy."""
    items: list[tuple[str, object, str]] = []
    seen: dict[tuple[str, object], int] = {}
    for edge in graph.edges:
        head, line, text = RELATION_STYLES.get(edge.relation, RELATION_STYLES["leads to"])
        key = (head, str(line))
        if key in seen:
            kind, payload, old = items[seen[key]]
            if text not in old.split(" / "):
                items[seen[key]] = (kind, payload, f"{old} / {text}")
            continue
        seen[key] = len(items)
        items.append(("relation", edge.relation, text))
    classes = []
    for node in graph.nodes:
        if node.kind == "target" and node.effect_class and node.effect_class not in classes:
            classes.append(node.effect_class)
    items += [("colour", NODE_COLOURS[("target", c)][0], f"{c} target") for c in classes]
    if graph.weight_label:
        for w in _OCCUPANCY_SAMPLES:
            items.append(("occupancy", w, f"{w:.1f}"))
    return items


def draw_pathway(graph: PathwayGraph, *, title: bool = True, direction: str = "auto",
                 diagram: Diagram | None = None) -> Figure:
    """Draw ``graph`` and return a matplotlib :class:`Figure` (pure: no pyplot state, no files).

    Node colour encodes kind (drug, target, process, consequence) and effect class
    (therapeutic green, adverse vermillion, mixed orange); each relation has its own glyph;
    edge labels carry affinities (e.g. "Ki 3.45 nM") and sit on free spots
    (:func:`pathway_diagram`). With occupancy at a regimen (``graph.weight_label``), the drug →
    target line width and opacity encode fractional occupancy, and the legend says so.

    Parameters
    ----------
    title : bool
        Draw the graph's title above the diagram.
    direction : {"auto", "LR", "TB"}
        Ranks left to right, or top to bottom; "auto" picks top to bottom for long chains
        (more than ``_TB_RATIO`` ranks per node of the widest rank).
    diagram : Diagram, optional
        The geometry from :func:`pathway_diagram` when the caller has it already.
    """
    if diagram is None:
        diagram = pathway_diagram(graph, direction=direction)
    ruler = _Ruler()
    items = _legend_items(graph)
    width = diagram.width + 2 * _MARGIN_IN
    # Legend rows: entries flow left to right and wrap at the figure width.
    rows: list[list[tuple[tuple[str, object, str], float]]] = [[]]
    header = ""
    if graph.weight_label:
        header = f"drug → target line width and opacity: fractional occupancy at {graph.weight_label}"
        width = max(width, ruler.size(header, _LEGEND_FONT_PT)[0] + 2 * _MARGIN_IN)
    used = 0.0
    for item in items:
        w = _LEGEND_GLYPH_IN + 0.06 + ruler.size(item[2], _LEGEND_FONT_PT)[0] + _LEGEND_SEP_IN
        if rows[-1] and used + w > width - 2 * _MARGIN_IN:
            rows.append([])
            used = 0.0
        rows[-1].append((item, w))
        used += w
    n_rows = len(rows) + (1 if header else 0)
    legend_h = _LEGEND_ROW_IN * n_rows + 0.1
    title_h = _TITLE_IN if title else 0.0
    height = diagram.height + 2 * _MARGIN_IN + legend_h + title_h

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0.0, width)
    ax.set_ylim(0.0, height)
    ax.set_axis_off()
    dx = (width - diagram.width) / 2.0
    dy = _MARGIN_IN + legend_h

    by_key = {(e.source, e.target): e for e in graph.edges}
    for key, pts in diagram.routes.items():
        edge = by_key[key]
        lw, alpha = _edge_look(graph, edge)
        _draw_edge(ax, [(x + dx, y + dy) for x, y in pts], edge.relation, lw, alpha,
                   gid=f"edge-{key[0]}-{key[1]}")
    for node in graph.nodes:
        box = diagram.nodes[node.id]
        fill, ink, weight = _node_style(node)
        style = "round,pad=0,rounding_size=0.07" if node.kind != "drug" else "round4,pad=0,rounding_size=0.12"
        ax.add_patch(FancyBboxPatch((box.x0 + dx, box.y0 + dy), box.w, box.h, boxstyle=style,
                                    fc=fill, ec="#333333", lw=0.8, zorder=3,
                                    gid=f"box-{node.id}"))
        ax.text(box.x + dx, box.y + dy, _wrap(node.label), ha="center", va="center",
                fontsize=_FONT_PT, color=ink, zorder=5, fontweight=weight,
                linespacing=_LINE_SPACING, gid=f"node-{node.id}")
    for key, box in diagram.labels.items():
        ax.add_patch(FancyBboxPatch((box.x0 + dx, box.y0 + dy), box.w, box.h,
                                    boxstyle="round,pad=0,rounding_size=0.03", fc="white",
                                    ec="none", alpha=0.92, zorder=6))
        ax.text(box.x + dx, box.y + dy, by_key[key].label, ha="center", va="center",
                fontsize=_EDGE_FONT_PT, color="#222222", zorder=7, linespacing=_LINE_SPACING,
                gid=f"label-{key[0]}-{key[1]}")

    # Legend: the same glyphs as the diagram.
    y = _MARGIN_IN + legend_h - _LEGEND_ROW_IN / 2.0 - 0.05
    if header:
        ax.text(_MARGIN_IN, y, header, ha="left", va="center", fontsize=_LEGEND_FONT_PT)
        y -= _LEGEND_ROW_IN
    for row in rows:
        x = _MARGIN_IN
        for (kind, payload, text), w in row:
            if kind == "relation":
                _draw_edge(ax, [(x, y), (x + _LEGEND_GLYPH_IN, y)], str(payload), 1.1, 1.0)
            elif kind == "colour":
                ax.add_patch(FancyBboxPatch((x + 0.06, y - 0.07), _LEGEND_GLYPH_IN - 0.12, 0.14,
                                            boxstyle="round,pad=0,rounding_size=0.03",
                                            fc=str(payload), ec="#333333", lw=0.6))
            else:
                occ = float(payload)  # type: ignore[arg-type]
                ax.add_line(Line2D([x, x + _LEGEND_GLYPH_IN], [y, y], color=_EDGE_INK,
                                   lw=_WIDTH_MIN_PT + _WIDTH_SPAN_PT * occ,
                                   alpha=_ALPHA_MIN + _ALPHA_SPAN * occ, solid_capstyle="butt"))
            ax.text(x + _LEGEND_GLYPH_IN + 0.06, y, text, ha="left", va="center",
                    fontsize=_LEGEND_FONT_PT)
            x += w
        y -= _LEGEND_ROW_IN
    if title:
        ax.text(width / 2.0, height - 0.12, graph.title, ha="center", va="top", fontsize=_TITLE_PT)
    return fig


def figure_to_svg(fig: Figure, id_prefix: str, *, fonttype: str = "path",
                  salt: str = _SVG_SALT) -> str:
    """Serialise ``fig`` to SVG text that is byte-identical across runs and safe to inline.

    The XML prologue and DOCTYPE are dropped, the date metadata is removed, the hash salt is
    fixed (``salt``) and every ``id`` (and each ``#id`` reference) gets ``id_prefix``.
    ``fonttype``: matplotlib's ``svg.fonttype`` ("path": glyphs as paths; "none": text as text).
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": fonttype}), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SLOW_LEGEND_WARNING)
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    ids = sorted(set(_ID_RE.findall(text)), key=len, reverse=True)
    if ids:
        pattern = re.compile(r'(\bid="|#)(' + "|".join(re.escape(i) for i in ids) + r')(?=["\)])')
        text = pattern.sub(lambda m: f"{m.group(1)}{id_prefix}-{m.group(2)}", text)
    return text


def figure_to_png(fig: Figure, *, dpi: int = 150) -> bytes:
    """Serialise ``fig`` to PNG bytes (Agg; no timestamp, so reproducible)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SLOW_LEGEND_WARNING)
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
