"""Draw a :class:`PathwayGraph` with matplotlib, and serialise figures to reproducible SVG/PNG.

No graphviz: the layout is :func:`neuromoa.pathways.graph.layered_layout`, the drawing is
matplotlib boxes (``Axes.text`` with a bounding box) joined by ``annotate`` arrows clipped at the
boxes. Relations are drawn the way pathway diagrams usually are: activation ``→``, inhibition
and antagonism a flat bar ``⊣``.

Reproducible bytes: matplotlib's SVG writer derives element ids from a hash salted by
``svg.hashsalt`` (random by default) and stamps a creation date; :func:`figure_to_svg` fixes the
salt, drops the date, and prefixes every id so that several figures can be inlined in one HTML
page without id clashes.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import warnings

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from neuromoa.errors import InputError
from neuromoa.pathways.graph import PathwayGraph, layered_layout

__all__ = ["draw_pathway", "figure_to_png", "figure_to_svg", "NODE_COLOURS", "RELATION_STYLES"]

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

# Relation → (matplotlib arrowstyle, line style, legend text).
RELATION_STYLES: dict[str, tuple[str, str, str]] = {
    "inhibits": ("-[, widthB=0.5, lengthB=0.0", "-", "inhibits (⊣)"),
    "antagonises": ("-[, widthB=0.5, lengthB=0.0", "-", "antagonises (⊣)"),
    "blocks": ("-[, widthB=0.5, lengthB=0.0", "-", "blocks (⊣)"),
    "activates": ("-|>", "-", "activates (→)"),
    "increases": ("-|>", "-", "increases (→)"),
    "leads to": ("-|>", "--", "leads to (⇢)"),
}

# Layout geometry in inches (assumption: chosen for legibility at 9-pt labels).
_RANK_WIDTH_IN = 2.45
_ROW_HEIGHT_IN = 0.78
_MARGIN_IN = 0.9
_LINE_IN = 0.145  # height of one 8.5-pt text line
_BOX_PAD_IN = 0.3  # box padding plus the gap between neighbouring boxes
_TITLE_IN = 0.45
_TB_RATIO = 2.0  # "auto" draws top to bottom when ranks > this × the widest rank
_TB_GAP_IN = 0.2  # extra vertical gap between ranks when drawn top to bottom
_LEGEND_IN = 0.3  # height of one legend row
_LEGEND_ITEM_IN = 1.55  # width of one legend entry
_LABEL_WRAP = 22  # characters per line inside a box
_FONT_PT = 8.5
_EDGE_FONT_PT = 7.0
_EDGE_LABEL_AT = 0.52  # fraction of the way from source to target where an edge label sits

# Fixed salt so matplotlib's SVG ids are the same on every run.
_SVG_SALT = "neuromoa"
_ID_RE = re.compile(r'\bid="([^"]+)"')
# matplotlib's performance hint for legends placed with loc="best" on many points: a speed
# note about someone else's figure, not a problem with the figure, so serialising ignores it.
_SLOW_LEGEND_WARNING = r"Creating legend with loc=.best. can be slow"


def _wrap(label: str) -> str:
    lines = []
    for part in label.split("\n"):
        lines.extend(textwrap.wrap(part, _LABEL_WRAP) or [""])
    return "\n".join(lines)


def draw_pathway(graph: PathwayGraph, *, title: bool = True, direction: str = "auto") -> Figure:
    """Draw ``graph`` by rank and return a matplotlib :class:`Figure`.

    Node colour encodes kind (drug, target, process, consequence) and effect class
    (therapeutic green, adverse vermillion, mixed orange); edge style encodes the relation;
    edge labels carry affinities (e.g. "Ki 3.45 nM"). Pure: no pyplot state, no files.

    Parameters
    ----------
    title : bool
        Draw the graph's title above the diagram.
    direction : {"auto", "LR", "TB"}
        Ranks left to right, or top to bottom; "auto" picks top to bottom for long chains
        (more than ``_TB_RATIO`` ranks per node of the widest rank), so the figure stays legible
        at page width.
    """
    if direction not in ("auto", "LR", "TB"):
        raise InputError(f"direction must be 'auto', 'LR' or 'TB'; got {direction!r}")
    lines = max((_wrap(n.label).count("\n") + 1 for n in graph.nodes), default=1)
    row_height = max(_ROW_HEIGHT_IN, _LINE_IN * lines + _BOX_PAD_IN)
    probe = layered_layout(graph)
    if direction == "auto":
        direction = "TB" if probe.n_ranks > _TB_RATIO * max(probe.max_width, 1) else "LR"
    if direction == "LR":
        layout = layered_layout(graph, dx=_RANK_WIDTH_IN, dy=row_height)
        xy = layout.xy
        span_x = max(layout.n_ranks - 1, 0) * _RANK_WIDTH_IN
        span_y = max(layout.max_width - 1, 0) * row_height
    else:
        rank_height = row_height + _TB_GAP_IN
        layout = layered_layout(graph, dx=rank_height, dy=_RANK_WIDTH_IN)
        # Transpose: rank runs down the page, order runs left to right.
        xy = {k: (-y, -x) for k, (x, y) in layout.xy.items()}
        span_x = max(layout.max_width - 1, 0) * _RANK_WIDTH_IN
        span_y = max(layout.n_ranks - 1, 0) * rank_height
        xy = {k: (x + span_x / 2.0, y + span_y / 2.0) for k, (x, y) in xy.items()}
    n_legend = len({e.relation for e in graph.edges}) + len(
        {n.effect_class for n in graph.nodes if n.kind == "target" and n.effect_class})
    legend_columns = max(1, min(n_legend, int((span_x + 2 * _MARGIN_IN) / _LEGEND_ITEM_IN)))
    legend_rows = -(-n_legend // legend_columns)
    bottom = -span_y / 2.0 - _MARGIN_IN + 0.1 - _LEGEND_IN * legend_rows
    top = span_y / 2.0 + _MARGIN_IN - 0.1 + (_TITLE_IN if title else 0.0)
    # The axes fill the figure and one data unit is one inch, so text and arrows keep their size.
    fig = Figure(figsize=(span_x + 2 * _MARGIN_IN, top - bottom))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(-_MARGIN_IN, span_x + _MARGIN_IN)
    ax.set_ylim(bottom, top)
    ax.set_axis_off()

    boxes = {}
    for node in graph.nodes:
        fill, ink = NODE_COLOURS.get((node.kind, node.effect_class),
                                     NODE_COLOURS.get((node.kind, ""), ("#ffffff", "black")))
        x, y = xy[node.id]
        style = "round,pad=0.45" if node.kind != "drug" else "round4,pad=0.55"
        text = ax.text(x, y, _wrap(node.label), ha="center", va="center", fontsize=_FONT_PT,
                       color=ink, zorder=3, gid=f"node-{node.id}",
                       fontweight="bold" if node.kind in ("drug", "target") else "normal",
                       bbox={"boxstyle": style, "fc": fill, "ec": "#333333", "lw": 0.8})
        boxes[node.id] = text

    # Arrows are drawn after the boxes (higher zorder): a box's patch gets its size when its
    # text is drawn, and the arrow is clipped at that patch in the same rendering pass.
    for edge in graph.edges:
        arrowstyle, linestyle, _ = RELATION_STYLES.get(edge.relation, RELATION_STYLES["leads to"])
        (x0, y0), (x1, y1) = xy[edge.source], xy[edge.target]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=4,
                    arrowprops={"arrowstyle": arrowstyle, "linestyle": linestyle,
                                "lw": 0.6 + 1.6 * max(0.0, min(edge.weight, 1.0)),
                                "color": "#333333", "shrinkA": 2, "shrinkB": 2,
                                "patchA": boxes[edge.source].get_bbox_patch(),
                                "patchB": boxes[edge.target].get_bbox_patch(),
                                "connectionstyle": "arc3,rad=0.0"})
        if edge.label:
            # One data unit is one inch on both axes, so the edge's angle on paper is atan2.
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            if angle > 90.0:  # keep labels readable (never upside down)
                angle -= 180.0
            elif angle <= -90.0:
                angle += 180.0
            ax.text(x0 + _EDGE_LABEL_AT * (x1 - x0), y0 + _EDGE_LABEL_AT * (y1 - y0), edge.label,
                    ha="center", va="bottom", fontsize=_EDGE_FONT_PT, color="#222222", zorder=5,
                    rotation=angle, rotation_mode="anchor",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})

    relations = []
    for edge in graph.edges:
        if edge.relation not in relations:
            relations.append(edge.relation)
    handles = [Line2D([0], [0], color="#333333",
                      linestyle=RELATION_STYLES.get(r, RELATION_STYLES["leads to"])[1],
                      label=RELATION_STYLES.get(r, RELATION_STYLES["leads to"])[2])
               for r in relations]
    classes = []
    for node in graph.nodes:
        if node.kind == "target" and node.effect_class and node.effect_class not in classes:
            classes.append(node.effect_class)
    handles += [Patch(fc=NODE_COLOURS[("target", c)][0], ec="#333333", label=f"{c} target")
                for c in classes]
    if handles:
        ax.legend(handles=handles, loc="lower center", ncol=legend_columns, fontsize=7,
                  frameon=False, bbox_to_anchor=(0.5, 0.0), borderaxespad=0.2)
    if title:
        ax.text(span_x / 2.0, top - 0.12, graph.title, ha="center", va="top", fontsize=11)
    return fig


def figure_to_svg(fig: Figure, id_prefix: str) -> str:
    """Serialise ``fig`` to SVG text that is byte-identical across runs and safe to inline.

    The XML prologue and DOCTYPE are dropped, the date metadata is removed, the hash salt is
    fixed and every ``id`` (and each ``#id`` reference) gets ``id_prefix``.
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path"}), \
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
