"""Pathway diagrams generated from the knowledge base: drug → targets (affinity) → effects.

The source document's three figures were lost ("click to download"); this package regenerates
them as graphs — reuptake inhibition at SERT/NET, antagonism at muscarinic/H1/α1 receptors,
TrkA/TrkB neurotrophic signalling — laid out by rank (no graphviz) and drawn with matplotlib to
SVG and PNG.

>>> from neuromoa.pathways import build_pathway, draw_pathway     # doctest: +SKIP
>>> fig = draw_pathway(build_pathway("reuptake"))                 # doctest: +SKIP
"""

from neuromoa.pathways.build import (
    PATHWAYS,
    build_pathway,
    build_pathways,
    format_molar_range,
    pathway_names,
)
from neuromoa.pathways.export import PathwayFiles, write_pathways
from neuromoa.pathways.graph import Edge, Layout, Node, PathwayGraph, layered_layout
from neuromoa.pathways.render import draw_pathway, figure_to_png, figure_to_svg

__all__ = [
    "PATHWAYS",
    "Edge",
    "Layout",
    "Node",
    "PathwayFiles",
    "PathwayGraph",
    "build_pathway",
    "build_pathways",
    "draw_pathway",
    "figure_to_png",
    "figure_to_svg",
    "format_molar_range",
    "layered_layout",
    "pathway_names",
    "write_pathways",
]
