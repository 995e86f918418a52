"""Layout: no edge label on a node box or another label, no edge through a box not its own.

The checks here are written independently of ``Diagram.problems()`` (they sample points along
every edge segment and intersect rectangles directly), then repeated on the drawn figure with
matplotlib's own text extents, for all three shipped diagrams, with and without occupancy.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg

from neuromoa.pathways import PATHWAYS, Edge, Node, PathwayGraph, build_pathway, draw_pathway
from neuromoa.pathways.layout import Box, diagram_layout
from neuromoa.pathways.render import RELATION_STYLES, _legend_items, pathway_diagram

_STEP_IN = 0.005  # sampling step along a segment (inches)


def _inside(x, y, b, eps=1e-6):
    return b.x0 + eps < x < b.x1 - eps and b.y0 + eps < y < b.y1 - eps


def _overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _independent_problems(graph, d):
    out = []
    labels = list(d.labels.items())
    for k, lb in labels:
        out += [f"label {k} on node {n}" for n, nb in d.nodes.items() if _overlap(lb, nb)]
    for i, (k1, b1) in enumerate(labels):
        out += [f"labels {k1} {k2}" for k2, b2 in labels[i + 1:] if _overlap(b1, b2)]
    for (s, t), pts in d.routes.items():
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            n = max(2, int((abs(x1 - x0) + abs(y1 - y0)) / _STEP_IN))
            for i in range(n + 1):
                x, y = x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n
                for nid, b in d.nodes.items():
                    if nid not in (s, t) and _inside(x, y, b):
                        out.append(f"edge {s}->{t} through {nid}")
    # every labelled edge got a label, every edge a route ending on its target's box border
    for e in graph.edges:
        assert (e.source, e.target) in d.routes
        assert bool(e.label) == ((e.source, e.target) in d.labels)
        x, y = d.routes[(e.source, e.target)][-1]
        b = d.nodes[e.target]
        assert (abs(x - b.x0) < 1e-6 or abs(x - b.x1) < 1e-6
                or abs(y - b.y0) < 1e-6 or abs(y - b.y1) < 1e-6), e
    return sorted(set(out))


@pytest.fixture(scope="module")
def graphs():
    out = {}
    for name in PATHWAYS:
        out[(name, False)] = build_pathway(name)
        # occupancy labels make the drug → target labels two lines (the harder case)
        occ = {n.id: 0.5 for n in build_pathway(name).nodes if n.kind == "target"}
        out[(name, True)] = build_pathway(name, occupancy=occ, occupancy_label="a regimen")
    return out


@pytest.mark.parametrize("name", PATHWAYS)
@pytest.mark.parametrize("weighted", [False, True])
def test_no_label_on_a_node_or_label_and_no_edge_through_a_box(graphs, name, weighted):
    graph = graphs[(name, weighted)]
    d = pathway_diagram(graph)
    assert _independent_problems(graph, d) == []
    assert d.problems() == []
    assert len(d.labels) == sum(1 for e in graph.edges if e.label) > 0


@pytest.mark.parametrize("name", PATHWAYS)
def test_the_drawn_figure_keeps_text_inside_boxes_and_labels_off_nodes(graphs, name):
    """What matplotlib actually drew: each node's text inside its box, labels off node boxes."""
    fig = draw_pathway(graphs[(name, True)])
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    boxes = {p.get_gid()[4:]: p.get_window_extent(renderer) for p in ax.patches
             if (p.get_gid() or "").startswith("box-")}
    texts = {t.get_gid(): t.get_window_extent(renderer) for t in ax.texts if t.get_gid()}
    assert set(boxes) == {n.id for n in graphs[(name, True)].nodes}
    for nid, box in boxes.items():
        t = texts[f"node-{nid}"]
        assert box.x0 <= t.x0 and t.x1 <= box.x1 and box.y0 <= t.y0 and t.y1 <= box.y1, nid
    labels = [b for gid, b in texts.items() if gid.startswith("label-")]
    assert labels
    for lb in labels:
        assert not any(lb.overlaps(b) for b in boxes.values())
    # nothing outside the canvas
    w, h = fig.canvas.get_width_height()
    for t in ax.texts:
        b = t.get_window_extent(renderer)
        assert b.x0 >= 0 and b.y0 >= 0 and b.x1 <= w and b.y1 <= h, t.get_text()


def test_a_long_edge_is_routed_around_the_boxes_of_the_ranks_it_crosses():
    # a → b → c → d and a → d: the long edge passes ranks 1 and 2 beside b and c
    nodes = [Node(i, f"step {i} with a long label", "process") for i in "abcd"]
    edges = [Edge("a", "b", "activates", "first"), Edge("b", "c", "leads to"),
             Edge("c", "d", "increases"), Edge("a", "d", "inhibits", "Ki 1 nM")]
    g = PathwayGraph.from_parts("long", "", "", nodes, edges)
    for direction in ("LR", "TB"):
        d = pathway_diagram(g, direction=direction)
        assert _independent_problems(g, d) == []
        assert len(d.routes[("a", "d")]) >= 6  # bends at the dummy vertices of ranks 1 and 2


def test_a_gap_widens_until_a_wide_label_finds_a_place():
    nodes = [Node("a", "a", "drug"), Node("b", "b", "target"), Node("c", "c", "target")]
    edges = [Edge("a", "b", "inhibits", "x"), Edge("a", "c", "inhibits", "y")]
    g = PathwayGraph.from_parts("g", "", "", nodes, edges)
    sizes = {n: (0.5, 0.3) for n in "abc"}
    narrow = diagram_layout(g, sizes, {("a", "b"): (0.2, 0.1), ("a", "c"): (0.2, 0.1)})
    wide = diagram_layout(g, sizes, {("a", "b"): (3.0, 0.1), ("a", "c"): (3.0, 0.1)})
    assert wide.width > narrow.width + 2.5
    assert wide.problems() == [] and narrow.problems() == []


def test_bad_sizes_and_direction_are_errors():
    from neuromoa.errors import InputError

    g = PathwayGraph.from_parts("g", "", "", [Node("a", "a", "drug")], [])
    with pytest.raises(InputError, match="no box size for node"):
        diagram_layout(g, {})
    with pytest.raises(InputError, match="direction"):
        diagram_layout(g, {"a": (1, 1)}, direction="RL")


@st.composite
def _dags(draw):
    n = draw(st.integers(2, 8))
    ids = [f"n{i}" for i in range(n)]
    edges = []
    for j in range(1, n):  # connected: every node after the first has a predecessor
        i = draw(st.integers(0, j - 1))
        edges.append((ids[i], ids[j]))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6))
    for i, j in extra:
        if i < j and (ids[i], ids[j]) not in edges:
            edges.append((ids[i], ids[j]))
    words = st.text(alphabet="abcdefghij ", min_size=1, max_size=30)
    nodes = [Node(i, draw(words).strip() or "x", "process") for i in ids]
    labelled = [Edge(s, t, draw(st.sampled_from(sorted(RELATION_STYLES))),
                     draw(st.sampled_from(["", "Ki 3.45 nM", "Ki 11–24 nM\nocc. 0.46"])))
                for s, t in edges]
    return PathwayGraph.from_parts("random", "", "", nodes, labelled)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_dags(), st.sampled_from(["LR", "TB"]))
def test_any_small_dag_lays_out_without_overlaps(graph, direction):
    d = pathway_diagram(graph, direction=direction)
    assert _independent_problems(graph, d) == []
    for a in d.nodes.values():  # boxes never overlap each other
        assert sum(_overlap(a, b) for b in d.nodes.values()) == 1


def test_legend_has_a_glyph_per_relation_and_says_what_width_means(graphs):
    # activates and increases look different: different heads
    assert RELATION_STYLES["activates"][0] != RELATION_STYLES["increases"][0]
    assert RELATION_STYLES["activates"][0] != RELATION_STYLES["inhibits"][0]
    assert RELATION_STYLES["leads to"][1] != RELATION_STYLES["loss leads to"][1]
    items = _legend_items(graphs[("antagonism", True)])
    texts = [t for _, _, t in items]
    assert "activates" in texts and "increases" in texts
    assert any("antagonises" in t and "inhibits" in t for t in texts)  # one glyph, one entry
    assert [k for k, _, _ in items].count("occupancy") == 3
    assert not any(k == "occupancy" for k, _, _ in _legend_items(graphs[("antagonism", False)]))
    fig = draw_pathway(graphs[("antagonism", True)])
    assert any("fractional occupancy at a regimen" in t.get_text() for t in fig.axes[0].texts)


def test_occupancy_sets_line_width_and_opacity():
    g = build_pathway("reuptake", occupancy={"SERT": 0.9, "NET": 0.1}, occupancy_label="x")
    fig = draw_pathway(g)
    lines = {line.get_gid(): line for line in fig.axes[0].lines if line.get_gid()}
    sert = [lines["edge-drug:amitriptyline-SERT"]]
    net = [lines["edge-drug:amitriptyline-NET"]]
    # downstream edges keep the plain look
    assert lines["edge-SERT-reuptake_5ht"].get_alpha() == 1.0
    assert max(x.get_linewidth() for x in sert) > max(x.get_linewidth() for x in net)
    assert max(x.get_alpha() for x in sert) > max(x.get_alpha() for x in net)


def test_box_helpers():
    b = Box(1.0, 1.0, 2.0, 2.0)
    assert (b.x0, b.x1, b.y0, b.y1) == (0.0, 2.0, 0.0, 2.0)
    assert b.overlaps(Box(2.5, 1.0, 2.0, 1.0)) and not b.overlaps(Box(3.0, 1.0, 2.0, 1.0))


def test_the_checks_catch_a_bad_diagram():
    """The overlap checks are not vacuous: a label on a node and an edge through a box fail."""
    from neuromoa.pathways.layout import Diagram

    nodes = [Node(i, i, "process") for i in "abc"]
    g = PathwayGraph.from_parts("bad", "", "", nodes, [Edge("a", "c", "leads to", "x")])
    boxes = {"a": Box(0.5, 0.5, 0.5, 0.5), "b": Box(2.0, 0.5, 0.5, 0.5), "c": Box(3.5, 0.5, 0.5, 0.5)}
    bad = Diagram("LR", 4.0, 1.0, boxes, {("a", "c"): [(0.75, 0.5), (3.25, 0.5)]},
                  {("a", "c"): Box(2.0, 0.6, 0.3, 0.1)})
    assert len(_independent_problems(g, bad)) == 2
    assert len(bad.problems()) == 2


@pytest.mark.parametrize("name", PATHWAYS)
def test_no_label_hides_another_edge_in_the_shipped_diagrams(graphs, name):
    """Stronger than required: a label's white box covers no other edge's line either."""
    for weighted in (False, True):
        d = pathway_diagram(graphs[(name, weighted)])
        for key, lb in d.labels.items():
            for other, pts in d.routes.items():
                if other == key:
                    continue
                for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
                    n = max(2, int((abs(x1 - x0) + abs(y1 - y0)) / _STEP_IN))
                    assert not any(_inside(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n, lb)
                                   for i in range(n + 1)), (key, other)
