"""Pathway graph structure and layered layout: properties, errors, determinism."""

import itertools

import pytest

from neuromoa.errors import InputError
from neuromoa.pathways import Edge, Node, PathwayGraph, layered_layout


def _graph(edges, extra_nodes=()):
    ids = []
    for s, t in edges:
        for n in (s, t):
            if n not in ids:
                ids.append(n)
    ids += [n for n in extra_nodes if n not in ids]
    return PathwayGraph.from_parts("g", "G", "", [Node(i, i, "process") for i in ids],
                                   [Edge(s, t, "leads to") for s, t in edges])


def test_rank_is_longest_path():
    # a → b → c and a → c: c must sit two ranks after a, not one.
    g = _graph([("a", "b"), ("b", "c"), ("a", "c")])
    assert g.ranks() == {"a": 0, "b": 1, "c": 2}


def test_every_edge_points_to_a_higher_rank():
    edges = [("d", "t1"), ("d", "t2"), ("t1", "p"), ("t2", "p"), ("p", "c"), ("d", "q"), ("q", "c")]
    g = _graph(edges)
    layout = layered_layout(g)
    for s, t in edges:
        assert layout.rank[t] > layout.rank[s]
        assert layout.xy[t][0] > layout.xy[s][0]


def test_cycle_is_an_error_naming_the_nodes():
    with pytest.raises(InputError, match="cycle through a, b"):
        _graph([("a", "b"), ("b", "a")])


def test_unknown_node_and_duplicates_are_errors():
    with pytest.raises(InputError, match="unknown node 'z'"):
        PathwayGraph.from_parts("g", "", "", [Node("a", "a", "drug")], [Edge("a", "z", "inhibits")])
    with pytest.raises(InputError, match="appears twice"):
        PathwayGraph.from_parts("g", "", "", [Node("a", "a", "drug"), Node("a", "b", "drug")], [])
    with pytest.raises(InputError, match="appears twice"):
        _graph([("a", "b"), ("a", "b")])


def _crossings(g, layout):
    n = 0
    for e, f in itertools.combinations(g.edges, 2):
        if layout.rank[e.source] != layout.rank[f.source] or layout.rank[e.target] != layout.rank[f.target]:
            continue
        a = layout.order[e.source] - layout.order[f.source]
        b = layout.order[e.target] - layout.order[f.target]
        n += a * b < 0
    return n


def test_barycentre_removes_avoidable_crossings():
    # Declared in an order that crosses every edge: x1→y2, x2→y1 (and y1 declared first).
    nodes = [Node(i, i, "process") for i in ("r", "x1", "x2", "y1", "y2", "z2", "z1")]
    edges = [Edge("r", "x1", "leads to"), Edge("r", "x2", "leads to"), Edge("x1", "y2", "leads to"),
             Edge("x2", "y1", "leads to"), Edge("y1", "z1", "leads to"), Edge("y2", "z2", "leads to")]
    g = PathwayGraph.from_parts("g", "", "", nodes, edges)
    layout = layered_layout(g)
    assert _crossings(g, layout) == 0


def test_ranks_are_centred_and_spaced():
    g = _graph([("a", "b"), ("a", "c"), ("a", "d")])
    layout = layered_layout(g, dx=2.0, dy=0.5)
    ys = sorted(layout.xy[n][1] for n in "bcd")
    assert ys == pytest.approx([-0.5, 0.0, 0.5])
    assert {layout.xy[n][0] for n in "bcd"} == {2.0}
    assert layout.xy["a"] == (0.0, -0.0)
    assert layout.max_width == 3 and layout.n_ranks == 2


def test_layout_is_deterministic_and_to_dict_round_trips():
    g = _graph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    assert layered_layout(g) == layered_layout(g)
    d = g.to_dict()
    again = PathwayGraph.from_parts(d["name"], d["title"], d["caption"],
                                    [Node(**n) for n in d["nodes"]], [Edge(**e) for e in d["edges"]])
    assert again == g
    assert list(g.to_frame().columns) == ["source", "target", "relation", "label", "reference", "weight"]
