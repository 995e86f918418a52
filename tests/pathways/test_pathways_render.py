"""Rendering: SVG bytes are reproducible, ids are prefixed, PNG is a PNG."""

import re

from neuromoa.pathways import Edge, Node, PathwayGraph, draw_pathway, figure_to_png, figure_to_svg


def _graph():
    nodes = [Node("d", "amitriptyline", "drug"), Node("SERT", "SERT", "target", "therapeutic"),
             Node("H1", "H1", "target", "adverse"), Node("p", "synaptic 5-HT ↑", "process"),
             Node("c", "sedation", "consequence", "adverse")]
    edges = [Edge("d", "SERT", "inhibits", "Ki 3.45 nM"), Edge("d", "H1", "antagonises", "Ki 1 nM"),
             Edge("SERT", "p", "leads to"), Edge("H1", "c", "leads to")]
    return PathwayGraph.from_parts("t", "test", "", nodes, edges)


def test_svg_is_byte_identical_across_draws():
    a = figure_to_svg(draw_pathway(_graph()), "x")
    b = figure_to_svg(draw_pathway(_graph()), "x")
    assert a == b
    assert a.startswith("<svg") and "<dc:date>" not in a


def test_svg_ids_are_prefixed_and_references_follow():
    svg = figure_to_svg(draw_pathway(_graph()), "fig-one")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("fig-one-") for i in ids)
    refs = re.findall(r'(?:xlink:href|href)="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)
    assert refs and set(refs) <= set(ids)


def test_two_figures_share_no_ids():
    a = set(re.findall(r'\bid="([^"]+)"', figure_to_svg(draw_pathway(_graph()), "a")))
    b = set(re.findall(r'\bid="([^"]+)"', figure_to_svg(draw_pathway(_graph()), "b")))
    assert not a & b


def test_png_bytes():
    png = figure_to_png(draw_pathway(_graph()), dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == figure_to_png(draw_pathway(_graph()), dpi=50)


def test_every_label_is_drawn():
    svg = figure_to_svg(draw_pathway(_graph()), "x")
    for node in _graph().nodes:
        assert f'id="x-node-{node.id}"' in svg


def test_direction_auto_draws_long_chains_top_to_bottom():
    chain = [Node(f"n{i}", f"step {i}", "process") for i in range(6)]
    edges = [Edge(f"n{i}", f"n{i + 1}", "leads to") for i in range(5)]
    g = PathwayGraph.from_parts("chain", "chain", "", chain, edges)
    tall = draw_pathway(g)
    wide = draw_pathway(g, direction="LR")
    w, h = tall.get_size_inches()
    assert h > w
    w, h = wide.get_size_inches()
    assert w > h
    # the short, wide test graph stays left to right under "auto"
    w, h = draw_pathway(_graph()).get_size_inches()
    assert w > h


def test_bad_direction():
    import pytest

    from neuromoa.errors import InputError

    with pytest.raises(InputError, match="direction"):
        draw_pathway(_graph(), direction="up")


def test_graph_plot_and_notebook_html():
    g = _graph()
    assert g.plot().get_size_inches()[0] > 0
    html = g._repr_html_()
    assert html.startswith("<svg") and 'id="pathway-t-node-SERT"' in html


def test_same_bytes_under_any_hash_seed(tmp_path):
    """grandalf's layout, the SVG and the SBGN-ML do not depend on Python's hash seed."""
    import subprocess
    import sys

    code = ("from neuromoa.pathways import build_pathway, draw_pathway, figure_to_svg\n"
            "from neuromoa.pathways.sbgn import sbgn_to_string\n"
            "g = build_pathway('neurotrophic', occupancy={'TrkA': 0.3}, occupancy_label='x')\n"
            "import sys; sys.stdout.write(figure_to_svg(draw_pathway(g), 'p') + sbgn_to_string(g))\n")
    outs = []
    for seed in ("1", "2"):
        env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
        outs.append(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                                   env=env).stdout)
    assert outs[0] == outs[1] and len(outs[0]) > 10_000
