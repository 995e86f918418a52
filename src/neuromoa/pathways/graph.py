"""A small directed graph for pathway diagrams, and its layered layout.

networkx is not a dependency, and a pathway diagram needs little: nodes with a kind, edges
with a relation, a rank per node and an order inside each rank. The layout is the classic
layered ("Sugiyama") scheme without its refinements:

1. **rank** = length of the longest path from any source node (Kahn's topological order), so
   every edge points from a lower to a higher rank (the graph must be acyclic);
2. **order** inside each rank by the barycentre heuristic: a node moves to the mean position
   of its neighbours in the adjacent rank, alternately sweeping down and up the ranks
   (Sugiyama K, Tagawa S, Toda M, *IEEE Trans Syst Man Cybern* 1981;11:109). Ties keep
   insertion order, so the layout is deterministic;
3. **coordinates**: rank → x, position → y, each rank centred vertically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neuromoa.errors import InputError

__all__ = ["Edge", "Layout", "Node", "PathwayGraph", "layered_layout"]

# Barycentre sweeps (down + up counts as two). Four pairs settle the small graphs drawn here;
# assumption: more sweeps changed no ordering on the three shipped pathways.
_SWEEPS = 8


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
    """

    id: str
    label: str
    kind: str
    effect_class: str = ""
    reference: str = ""


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

    @classmethod
    def from_parts(cls, name: str, title: str, caption: str, nodes: Iterable[Node],
                   edges: Iterable[Edge]) -> PathwayGraph:
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
        graph = cls(name, title, caption, nodes, edges, index)
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


def layered_layout(graph: PathwayGraph, *, dx: float = 1.0, dy: float = 1.0) -> Layout:
    """Place ``graph`` in ranks (x) and orders (y) by longest path and barycentre sweeps.

    Parameters
    ----------
    graph : PathwayGraph
    dx, dy : float
        Distance between ranks and between neighbours inside a rank (layout units).

    Returns
    -------
    Layout
        ``xy[node] = (rank·dx, (position − (width−1)/2)·(−dy))``: rank 0 at the left, the
        first node of each rank at the top, each rank centred on y = 0.

    Examples
    --------
    >>> g = PathwayGraph.from_parts("g", "", "", [Node("a", "a", "drug"), Node("b", "b", "target")],
    ...                             [Edge("a", "b", "inhibits")])
    >>> layered_layout(g).xy["b"]
    (1.0, -0.0)
    """
    rank = graph.ranks()
    n_ranks = max(rank.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(n_ranks)]
    for node in graph.nodes:
        layers[rank[node.id]].append(node.id)
    position = {nid: float(i) for layer in layers for i, nid in enumerate(layer)}

    def sweep(order_ranks: Iterable[int], neighbours) -> None:
        for r in order_ranks:
            layer = layers[r]
            keyed = []
            for i, nid in enumerate(layer):
                adjacent = [position[m] for m in neighbours(nid)]
                key = sum(adjacent) / len(adjacent) if adjacent else position[nid]
                keyed.append((key, i, nid))
            keyed.sort(key=lambda t: (t[0], t[1]))
            layers[r] = [nid for _, _, nid in keyed]
            for i, nid in enumerate(layers[r]):
                position[nid] = float(i)

    for k in range(_SWEEPS):
        if k % 2 == 0:
            sweep(range(1, n_ranks), graph.predecessors)
        else:
            sweep(range(n_ranks - 2, -1, -1), graph.successors)

    xy: dict[str, tuple[float, float]] = {}
    order: dict[str, int] = {}
    for r, layer in enumerate(layers):
        centre = (len(layer) - 1) / 2.0
        for i, nid in enumerate(layer):
            order[nid] = i
            xy[nid] = (r * dx, -(i - centre) * dy)
    return Layout(rank=rank, order=order, xy=xy, n_ranks=n_ranks,
                  max_width=max((len(layer) for layer in layers), default=0))
