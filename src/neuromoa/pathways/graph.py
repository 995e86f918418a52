"""A small directed graph for pathway diagrams, and its layered (Sugiyama) layout.

A pathway diagram needs little graph machinery: nodes with a kind, edges with a relation, a
rank per node and an order inside each rank. The layered scheme (Sugiyama K, Tagawa S, Toda M,
*IEEE Trans Syst Man Cybern* 1981;11:109) is done by **grandalf** (pip, pure Python; no
graphviz):

1. **rank** = length of the longest path from any source node (Kahn's topological order), so
   every edge points from a lower to a higher rank (the graph must be acyclic); edges longer
   than one rank get a dummy vertex in every rank they cross, so they are routed around boxes;
2. **order** inside each rank: grandalf's barycentre sweeps with bilayer crossing counting
   (Barth & Mutzel) and adjacent-swap crossing reduction;
3. **coordinates** along each rank: grandalf's four-way alignment (Brandes & Köpf 2001),
   averaged, with each box's own size and a minimum gap, so boxes never overlap.

:func:`sugiyama` returns all three (with the dummy vertices of long edges);
:func:`layered_layout` is its unit-grid summary (rank → x, order → y).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neuromoa.errors import InputError

__all__ = ["Edge", "Layout", "Node", "PathwayGraph", "Sugiyama", "layered_layout", "sugiyama"]

# Ordering rounds passed to grandalf's SugiyamaLayout.draw (each round sweeps down and up).
# Assumption: more rounds changed no ordering on the three shipped pathways.
_ORDER_ROUNDS = 4
# Size of a dummy vertex (a long edge passing a rank) along the rank, in the caller's units
# relative to the gap (assumption: a line needs far less room than a box).
_DUMMY_FRACTION = 0.5


@dataclass(frozen=True)
class Node:
    """One box in a pathway diagram.

    Attributes
    ----------
    id : str
        Unique key inside the graph.
    label : str
        Text shown in the box (may contain newlines).
    kind : str
        ``"drug"``, ``"target"``, ``"process"`` or ``"consequence"``; drives colour and shape.
    effect_class : str
        ``"therapeutic"``, ``"adverse"``, ``"mixed"`` or ``""``; drives colour of targets and consequences.
    reference : str
        Knowledge-base reference id(s) behind the node (comma separated), ``""`` if none.
    entity : str
        What the node is, for SBGN export: ``"macromolecule"``, ``"simple chemical"``,
        ``"complex"``, ``"phenotype"`` or ``""`` (an activity of unspecified entity).
    """

    id: str
    label: str
    kind: str
    effect_class: str = ""
    reference: str = ""
    entity: str = ""


@dataclass(frozen=True)
class Edge:
    """One arrow: ``source`` acts on ``target`` by ``relation`` (inhibits, antagonises, activates, leads to)."""

    source: str
    target: str
    relation: str
    label: str = ""
    reference: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class Layout:
    """Positions from :func:`layered_layout`: ``rank`` and ``order`` per node, ``xy`` in layout units."""

    rank: dict[str, int]
    order: dict[str, int]
    xy: dict[str, tuple[float, float]]
    n_ranks: int
    max_width: int


@dataclass(frozen=True)
class PathwayGraph:
    """A directed acyclic graph of :class:`Node` and :class:`Edge`, with a title and caption.

    Build it with :meth:`from_parts` (which validates); ``to_dict()`` is JSON-safe.
    """

    name: str
    title: str
    caption: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: Where the drug → target edge weights come from (e.g. "150 mg every 24 h (steady
    #: state)"); "" when the weights are not occupancies. Drawn as line width and opacity.
    weight_label: str = ""

    @classmethod
    def from_parts(cls, name: str, title: str, caption: str, nodes: Iterable[Node],
                   edges: Iterable[Edge], *, weight_label: str = "") -> PathwayGraph:
        """Validate and build: unique node ids, edges between known nodes, no cycles."""
        nodes = tuple(nodes)
        edges = tuple(edges)
        index: dict[str, int] = {}
        for i, node in enumerate(nodes):
            if node.id in index:
                raise InputError(f"pathway {name!r}: node id {node.id!r} appears twice")
            index[node.id] = i
        seen: set[tuple[str, str]] = set()
        for edge in edges:
            for end in (edge.source, edge.target):
                if end not in index:
                    raise InputError(
                        f"pathway {name!r}: edge {edge.source!r} → {edge.target!r} names unknown "
                        f"node {end!r}; add the node first")
            if (edge.source, edge.target) in seen:
                raise InputError(
                    f"pathway {name!r}: edge {edge.source!r} → {edge.target!r} appears twice")
            seen.add((edge.source, edge.target))
        graph = cls(name, title, caption, nodes, edges, index, weight_label)
        graph.ranks()  # raises on a cycle
        return graph

    def node(self, node_id: str) -> Node:
        """Return the node ``node_id`` (KeyError-compatible InputError if absent)."""
        if node_id not in self._index:
            raise InputError(f"pathway {self.name!r} has no node {node_id!r}")
        return self.nodes[self._index[node_id]]

    def successors(self, node_id: str) -> list[str]:
        """Ids of the nodes ``node_id`` points to, in edge order."""
        return [e.target for e in self.edges if e.source == node_id]

    def predecessors(self, node_id: str) -> list[str]:
        """Ids of the nodes pointing to ``node_id``, in edge order."""
        return [e.source for e in self.edges if e.target == node_id]

    def ranks(self) -> dict[str, int]:
        """Longest-path rank of every node (sources have rank 0); raises on a cycle."""
        indegree = {n.id: 0 for n in self.nodes}
        for e in self.edges:
            indegree[e.target] += 1
        rank = {n.id: 0 for n in self.nodes}
        queue = [n.id for n in self.nodes if indegree[n.id] == 0]
        done = 0
        while queue:
            current = queue.pop(0)
            done += 1
            for nxt in self.successors(current):
                rank[nxt] = max(rank[nxt], rank[current] + 1)
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    queue.append(nxt)
        if done != len(self.nodes):
            cyclic = sorted(k for k, v in indegree.items() if v > 0)
            raise InputError(f"pathway {self.name!r} has a cycle through {', '.join(cyclic)}; "
                             "a pathway diagram must be acyclic")
        return rank

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: name, title, caption, nodes and edges as lists of dicts."""
        return {
            "name": self.name,
            "title": self.title,
            "caption": self.caption,
            "weight_label": self.weight_label,
            "nodes": [vars(n).copy() for n in self.nodes],
            "edges": [vars(e).copy() for e in self.edges],
        }

    def plot(self, **kwargs: Any):  # noqa: ANN201 - matplotlib imported lazily
        """The diagram as a matplotlib Figure (:func:`neuromoa.pathways.draw_pathway`)."""
        from neuromoa.pathways.render import draw_pathway

        return draw_pathway(self, **kwargs)

    def _repr_html_(self) -> str:
        from neuromoa.pathways.render import figure_to_svg

        return figure_to_svg(self.plot(), f"pathway-{self.name}")

    def to_frame(self):  # noqa: ANN201 - pandas imported lazily
        """Edges as a DataFrame (source, target, relation, label, reference, weight)."""
        import pandas as pd

        return pd.DataFrame([vars(e).copy() for e in self.edges],
                            columns=["source", "target", "relation", "label", "reference", "weight"])


@dataclass(frozen=True)
class Sugiyama:
    """grandalf's layered layout of a :class:`PathwayGraph`.

    Attributes
    ----------
    rank : dict node id → rank (0 = sources)
    layers : list of lists of vertex keys per rank, in order; a key is a node id, or
        ``("dummy", source, target, rank)`` for a long edge passing that rank
    along : dict vertex key → coordinate along its rank (centre; boxes never overlap)
    chains : dict (source, target) → the vertex keys the edge passes, source to target
    """

    rank: dict[str, int]
    layers: list[list[Any]]
    along: dict[Any, float]
    chains: dict[tuple[str, str], list[Any]]


def sugiyama(graph: PathwayGraph, sizes: Mapping[str, float] | None = None, *,
             gap: float = 1.0) -> Sugiyama:
    """Rank, order and place ``graph`` with grandalf's Sugiyama layout.

    Parameters
    ----------
    sizes : mapping node id → extent of its box along the rank (default 1 for every node)
    gap : float
        Minimum free space between neighbouring boxes of one rank (same units).
    """
    from grandalf.graphs import Edge as GEdge
    from grandalf.graphs import Graph as GGraph
    from grandalf.graphs import Vertex
    from grandalf.layouts import SugiyamaLayout

    rank = graph.ranks()
    sizes = sizes or {}

    class _View:
        def __init__(self, w: float) -> None:
            self.w, self.h, self.xy = w, 1.0, None

    vertices = {n.id: Vertex(n.id) for n in graph.nodes}
    for nid, v in vertices.items():
        v.view = _View(float(sizes.get(nid, 1.0)))
    gedges = {(e.source, e.target): GEdge(vertices[e.source], vertices[e.target])
              for e in graph.edges}
    ggraph = GGraph(list(vertices.values()), list(gedges.values()))
    along: dict[Any, float] = {}
    layers: dict[int, list[Any]] = {}
    chains: dict[tuple[str, str], list[Any]] = {}
    offset = 0.0
    for component in ggraph.C:  # each connected component side by side
        lay = SugiyamaLayout(component)
        lay.xspace = gap
        lay.yspace = 1.0
        lay.dw = gap * _DUMMY_FRACTION  # dummy vertices (long edges) are thin
        lay.dh = 1.0
        roots = [vertices[n.id] for n in graph.nodes
                 if n.id in {v.data for v in component.sV} and not graph.predecessors(n.id)]
        lay.init_all(roots=roots, optimize=False)
        lay.draw(_ORDER_ROUNDS)
        keys: dict[Any, Any] = {}
        for (s, t), ge in gedges.items():
            if ge not in lay.ctrls:
                continue
            for r, d in lay.ctrls[ge].items():  # {rank: vertex}, both ends included
                if d is not vertices[s] and d is not vertices[t]:
                    keys[d] = ("dummy", s, t, r)
        low = min(v.view.xy[0] - v.view.w / 2.0 for layer in lay.layers for v in layer)
        high = max(v.view.xy[0] + v.view.w / 2.0 for layer in lay.layers for v in layer)
        for layer in lay.layers:
            for v in layer:
                key = keys[v] if v in keys else v.data
                rr = rank[key] if isinstance(key, str) else key[3]
                layers.setdefault(rr, []).append(key)
                along[key] = v.view.xy[0] - low + offset
        offset += high - low + gap
    for e in graph.edges:
        middle = sorted((k for k in along if not isinstance(k, str)
                         and k[1] == e.source and k[2] == e.target), key=lambda k: k[3])
        chains[(e.source, e.target)] = [e.source, *middle, e.target]
    ordered = [sorted(layers.get(r, []), key=lambda k: along[k])
               for r in range(max(rank.values(), default=-1) + 1)]
    return Sugiyama(rank=rank, layers=ordered, along=along, chains=chains)


def layered_layout(graph: PathwayGraph, *, dx: float = 1.0, dy: float = 1.0) -> Layout:
    """Place ``graph`` in ranks (x) and orders (y) on a unit grid (see :func:`sugiyama`).

    Parameters
    ----------
    graph : PathwayGraph
    dx, dy : float
        Distance between ranks and between neighbours inside a rank (layout units).

    Returns
    -------
    Layout
        ``xy[node] = (rank·dx, (position − (width−1)/2)·(−dy))``: rank 0 at the left, the
        first node of each rank at the top, each rank centred on y = 0 (dummy vertices of
        long edges are not counted).

    Examples
    --------
    >>> g = PathwayGraph.from_parts("g", "", "", [Node("a", "a", "drug"), Node("b", "b", "target")],
    ...                             [Edge("a", "b", "inhibits")])
    >>> layered_layout(g).xy["b"]
    (1.0, -0.0)
    """
    lay = sugiyama(graph)
    layers = [[k for k in layer if isinstance(k, str)] for layer in lay.layers]
    xy: dict[str, tuple[float, float]] = {}
    order: dict[str, int] = {}
    for r, layer in enumerate(layers):
        centre = (len(layer) - 1) / 2.0
        for i, nid in enumerate(layer):
            order[nid] = i
            xy[nid] = (r * dx, -(i - centre) * dy)
    return Layout(rank=lay.rank, order=order, xy=xy, n_ranks=len(layers),
                  max_width=max((len(layer) for layer in layers), default=0))
