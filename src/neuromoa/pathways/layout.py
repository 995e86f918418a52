"""Geometry of a pathway diagram: node boxes, routed edges and edge-label boxes, in inches.

Pure geometry (no matplotlib): the caller gives each node's box size and each edge label's
size (:mod:`neuromoa.pathways.render` measures them with matplotlib's text engine), and
:func:`diagram_layout` returns where everything goes:

- **ranks and order** from grandalf's Sugiyama layout (:func:`neuromoa.pathways.graph.sugiyama`),
  with each box's real extent along its rank, so boxes of one rank never overlap;
- **columns**: each rank is a band as deep as its deepest box; bands are separated by gaps,
  and only edges run through the gaps;
- **edges** are polylines: out of the source box's side facing the next rank, straight along the
  band to its border, across the gap, and into the target box's facing side; an edge longer than
  one rank passes each rank it crosses at its grandalf dummy vertex, which holds a free slot in
  that rank. So no edge passes through a box other than its own two;
- **labels** are placed on free spots: candidate points along the edge's gap crossings (and
  beside the line), rejected if the label box touches any node box, any arrowhead or a label
  already placed, and ranked by how many other edges it would cover and how far it sits from
  the middle of its segment. A gap too narrow for its labels is widened and the edges re-routed
  until every label has a place.

``direction="LR"`` puts ranks left to right, ``"TB"`` top to bottom; coordinates are inches with
y up, the diagram's lower-left corner at (0, 0).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from neuromoa.errors import InputError
from neuromoa.pathways.graph import PathwayGraph, sugiyama

__all__ = ["Box", "Diagram", "diagram_layout", "segment_hits_box"]

# Geometry constants, inches (assumptions chosen for legibility at 8.5-pt node text and 7-pt
# edge labels; the overlap test checks the result, not these numbers).
NODE_GAP_IN = 0.22  # free space between neighbouring boxes of one rank
GAP_MIN_IN = 0.55  # minimum gap between two ranks (room for an arrowhead and a bend)
LABEL_PAD_IN = 0.06  # clearance kept around a label
NODE_CLEAR_IN = 0.04  # clearance kept between a label and a node box
ARROW_ZONE_IN = 0.16  # square kept free around each arrowhead
GAP_STEP_IN = 0.3  # a gap widens by this much when a label finds no place
MAX_WIDENINGS = 30  # give up (an error) after this many widenings
# Where a label may sit along a gap crossing, preferred first (fraction of the segment).
_T_CANDIDATES = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85)
# An edge out of a node with at least _FAN_MIN out-edges (the drug's fan to its targets): its
# lines are close together near the source, so the edge ends in a straight "landing" in front
# of its target, as long as its label, and the label sits on the landing: plainly on its own
# line, at its target's height.
_FAN_MIN = 3
_LANDING_T = (0.5, 0.4, 0.6)
_COVER_PENALTY = 4.0  # score per other edge a label would cover
_BESIDE_PENALTY = 0.6  # score for a label beside (not on) its line


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle: centre (x, y), width w, height h (inches)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def x0(self) -> float:
        return self.x - self.w / 2.0

    @property
    def x1(self) -> float:
        return self.x + self.w / 2.0

    @property
    def y0(self) -> float:
        return self.y - self.h / 2.0

    @property
    def y1(self) -> float:
        return self.y + self.h / 2.0

    def grown(self, d: float) -> Box:
        return Box(self.x, self.y, self.w + 2 * d, self.h + 2 * d)

    def overlaps(self, other: Box) -> bool:
        """True if the interiors intersect (touching edges do not count)."""
        return (self.x0 < other.x1 and other.x0 < self.x1
                and self.y0 < other.y1 and other.y0 < self.y1)


def segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """True if the segment p–q passes through the interior of ``box`` (Liang–Barsky clipping).

    >>> segment_hits_box((0, 0), (2, 0), Box(1, 0, 0.5, 0.5))
    True
    >>> segment_hits_box((0, 1), (2, 1), Box(1, 0, 0.5, 0.5))
    False
    """
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for pk, qk in ((-dx, x0 - box.x0), (dx, box.x1 - x0), (-dy, y0 - box.y0), (dy, box.y1 - y0)):
        if pk == 0.0:
            if qk <= 0.0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo >= hi:
            return False
    return hi - lo > 1e-9


@dataclass(frozen=True)
class Diagram:
    """Where every part of a pathway diagram goes (inches, y up, origin lower left).

    Attributes
    ----------
    direction : "LR" or "TB"
    width, height : size of the diagram area
    nodes : node id → its box
    routes : (source, target) → the edge's polyline, source side first, ending at the arrowhead
    labels : (source, target) → the box of the edge's label (labelled edges only)
    """

    direction: str
    width: float
    height: float
    nodes: dict[str, Box]
    routes: dict[tuple[str, str], list[tuple[float, float]]]
    labels: dict[tuple[str, str], Box]

    def problems(self) -> list[str]:
        """Every overlap the layout promises to avoid, in words (empty when the diagram is clean).

        Checks: a label box overlapping a node box or another label, and an edge passing
        through a box other than its own two ends.
        """
        out = []
        labels = list(self.labels.items())
        for key, box in labels:
            for nid, node in self.nodes.items():
                if box.overlaps(node):
                    out.append(f"label of {key[0]} → {key[1]} overlaps node {nid}")
        for i, (k1, b1) in enumerate(labels):
            for k2, b2 in labels[i + 1:]:
                if b1.overlaps(b2):
                    out.append(f"labels of {k1[0]} → {k1[1]} and {k2[0]} → {k2[1]} overlap")
        for (s, t), pts in self.routes.items():
            for nid, node in self.nodes.items():
                if nid in (s, t):
                    continue
                if any(segment_hits_box(a, b, node) for a, b in zip(pts, pts[1:], strict=False)):
                    out.append(f"edge {s} → {t} passes through node {nid}")
        return out


def _to_xy(direction: str, u: float, v: float) -> tuple[float, float]:
    """Rank axis u (grows downstream) and order axis v → page x, y (y up)."""
    return (u, -v) if direction == "LR" else (v, -u)


def diagram_layout(graph: PathwayGraph, node_sizes: Mapping[str, tuple[float, float]],
                   label_sizes: Mapping[tuple[str, str], tuple[float, float]] | None = None, *,
                   direction: str = "LR") -> Diagram:
    """Lay out ``graph``: boxes of ``node_sizes`` (w, h inches), labels of ``label_sizes``.

    Raises :class:`InputError` for an unknown direction, a missing node size, or labels that
    find no free place after :data:`MAX_WIDENINGS` widenings.
    """
    if direction not in ("LR", "TB"):
        raise InputError(f"direction must be 'LR' or 'TB'; got {direction!r}")
    missing = [n.id for n in graph.nodes if n.id not in node_sizes]
    if missing:
        raise InputError(f"no box size for node(s) {', '.join(missing)}")
    label_sizes = dict(label_sizes or {})

    def extent(w: float, h: float) -> tuple[float, float]:
        """(along the rank axis u, along the order axis v)."""
        return (w, h) if direction == "LR" else (h, w)

    ext = {nid: extent(*node_sizes[nid]) for nid in node_sizes}
    lay = sugiyama(graph, {nid: e[1] for nid, e in ext.items()}, gap=NODE_GAP_IN)
    n_ranks = len(lay.layers)
    depth = [max((ext[k][0] for k in layer if isinstance(k, str)), default=0.0)
             for layer in lay.layers]
    # Initial gaps: wide enough for the widest label whose edge leaves that rank.
    gaps = [GAP_MIN_IN] * max(n_ranks - 1, 0)
    for (s, _t), (w, h) in label_sizes.items():
        r = lay.rank[s]
        if r < len(gaps):
            need = extent(w, h)[0] + 2 * LABEL_PAD_IN + 2 * ARROW_ZONE_IN
            if len(graph.successors(s)) >= _FAN_MIN:  # landing plus room for the fan to spread
                need += GAP_MIN_IN
            gaps[r] = max(gaps[r], need)

    for _ in range(MAX_WIDENINGS + 1):
        result = _attempt(graph, lay, ext, depth, gaps, label_sizes, direction, extent)
        if isinstance(result, Diagram):
            return result
        gaps[result] += GAP_STEP_IN  # the gap where a label found no place
    raise InputError(f"pathway {graph.name!r}: edge labels found no free place after "
                     f"{MAX_WIDENINGS} widenings; shorten the labels")


def _attempt(graph: PathwayGraph, lay: Any, ext: dict[str, tuple[float, float]],
             depth: list[float], gaps: list[float],
             label_sizes: Mapping[tuple[str, str], tuple[float, float]], direction: str,
             extent: Callable[[float, float], tuple[float, float]]) -> Diagram | int:
    """One layout with the given gaps; the index of a gap too narrow for a label otherwise."""
    centre_u = []
    u = 0.0
    for r, d in enumerate(depth):
        centre_u.append(u + d / 2.0)
        u += d + (gaps[r] if r < len(gaps) else 0.0)
    left = [c - d / 2.0 for c, d in zip(centre_u, depth, strict=True)]
    right = [c + d / 2.0 for c, d in zip(centre_u, depth, strict=True)]

    # Routes in (u, v); every gap crossing remembered as (segment index, gap index).
    routes_uv: dict[tuple[str, str], list[tuple[float, float]]] = {}
    crossings: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for e in graph.edges:
        chain = lay.chains[(e.source, e.target)]
        s, t = e.source, e.target
        rs, rt = lay.rank[s], lay.rank[t]
        pts = [(centre_u[rs] + ext[s][0] / 2.0, lay.along[s]), (right[rs], lay.along[s])]
        for k in chain[1:-1]:
            r = k[3]
            pts += [(left[r], lay.along[k]), (right[r], lay.along[k])]
        landing_pt = None
        if (s, t) in label_sizes and len(graph.successors(s)) >= _FAN_MIN and rt == rs + 1:
            landing = extent(*label_sizes[(s, t)])[0] + 2 * LABEL_PAD_IN + ARROW_ZONE_IN
            landing_pt = (max(left[rt] - landing, right[rs]), lay.along[t])
            pts.append(landing_pt)
        pts += [(left[rt], lay.along[t]), (centre_u[rt] - ext[t][0] / 2.0, lay.along[t])]
        clean = [pts[0]]
        for p in pts[1:]:
            if abs(p[0] - clean[-1][0]) > 1e-9 or abs(p[1] - clean[-1][1]) > 1e-9:
                clean.append(p)
        routes_uv[(s, t)] = clean
        crossings[(s, t)] = [(i, g) for i in range(len(clean) - 1)
                             if (g := _gap_index(clean[i], clean[i + 1], right, left)) is not None]
        if landing_pt is not None and landing_pt in clean[:-1]:
            # the landing first (flagged by a negative index), the other gap pieces as fallbacks
            i = clean.index(landing_pt)
            crossings[(s, t)] = [(-1 - i, rs), *crossings[(s, t)]]

    # Everything in page coordinates from here on.
    def page(uu: float, vv: float) -> tuple[float, float]:
        return _to_xy(direction, uu, vv)

    nodes: dict[str, Box] = {}
    for n in graph.nodes:
        x, y = page(centre_u[lay.rank[n.id]], lay.along[n.id])
        w, h = (ext[n.id] if direction == "LR" else (ext[n.id][1], ext[n.id][0]))
        nodes[n.id] = Box(x, y, w, h)
    routes = {k: [page(*p) for p in pts] for k, pts in routes_uv.items()}
    arrow_zones = [Box(*pts[-1], ARROW_ZONE_IN, ARROW_ZONE_IN) for pts in routes.values()]
    node_obstacles = [b.grown(NODE_CLEAR_IN) for b in nodes.values()]

    labels: dict[tuple[str, str], Box] = {}
    # Placed rank by rank (upstream first), in edge order inside a rank: deterministic.
    order = sorted((e for e in graph.edges if (e.source, e.target) in label_sizes),
                   key=lambda e: lay.rank[e.source])
    for e in order:
        key = (e.source, e.target)
        w, h = label_sizes[key]
        pts = routes[key]
        best: tuple[float, Box] | None = None
        for seg, _gap in crossings[key]:
            if seg < 0:  # the landing of a fan edge
                a, b = pts[-1 - seg], pts[-seg]
                t_list, t_centre, bonus = _LANDING_T, 0.5, -1.0
            else:
                a, b = pts[seg], pts[seg + 1]
                t_list, t_centre, bonus = _T_CANDIDATES, 0.5, 0.0
            for t in t_list:
                cx, cy = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
                for (ox, oy), extra in _offsets(direction, w, h, a, b):
                    box = Box(cx + ox, cy + oy, w, h)
                    grown = box.grown(LABEL_PAD_IN)
                    if any(grown.overlaps(o) for o in node_obstacles):
                        continue
                    if any(box.overlaps(z) for z in arrow_zones):
                        continue
                    if any(grown.overlaps(lb) for lb in labels.values()):
                        continue
                    covered = sum(1 for other, opts in routes.items() if other != key and any(
                        segment_hits_box(p, q, box) for p, q in zip(opts, opts[1:], strict=False)))
                    score = _COVER_PENALTY * covered + abs(t - t_centre) + extra + bonus
                    if best is None or score < best[0]:
                        best = (score, box)
        if best is None:
            gap_index = crossings[key][0][1] if crossings[key] else lay.rank[e.source]
            return min(gap_index, len(gaps) - 1) if gaps else 0
        labels[key] = best[1]

    # Shift so the lower-left corner of everything is (0, 0).
    xs = [b.x0 for b in nodes.values()] + [b.x0 for b in labels.values()]
    xe = [b.x1 for b in nodes.values()] + [b.x1 for b in labels.values()]
    ys = [b.y0 for b in nodes.values()] + [b.y0 for b in labels.values()]
    ye = [b.y1 for b in nodes.values()] + [b.y1 for b in labels.values()]
    x0, y0 = min(xs), min(ys)

    def shift(b: Box) -> Box:
        return Box(b.x - x0, b.y - y0, b.w, b.h)

    return Diagram(
        direction=direction, width=max(xe) - x0, height=max(ye) - y0,
        nodes={k: shift(b) for k, b in nodes.items()},
        routes={k: [(x - x0, y - y0) for x, y in pts] for k, pts in routes.items()},
        labels={k: shift(b) for k, b in labels.items()},
    )


def _gap_index(a: tuple[float, float], b: tuple[float, float], right: list[float],
               left: list[float]) -> int | None:
    """Gap r if segment a–b (u, v) runs inside the gap between band r and band r + 1."""
    for r, (rgt, lft) in enumerate(zip(right, left[1:], strict=False)):
        if (rgt - 1e-9 <= a[0] <= lft + 1e-9 and rgt - 1e-9 <= b[0] <= lft + 1e-9
                and abs(b[0] - a[0]) > 1e-9):
            return r
    return None


def _offsets(direction: str, w: float, h: float, a: tuple[float, float],
             b: tuple[float, float]) -> list[tuple[tuple[float, float], float]]:
    """Label centre offsets from a point on the line: on it, then beside it on either side."""
    if direction == "LR":
        d = h / 2.0 + 0.03
        return [((0.0, 0.0), 0.0), ((0.0, d), _BESIDE_PENALTY), ((0.0, -d), _BESIDE_PENALTY)]
    d = w / 2.0 + 0.03
    return [((0.0, 0.0), 0.0), ((d, 0.0), _BESIDE_PENALTY), ((-d, 0.0), _BESIDE_PENALTY)]
