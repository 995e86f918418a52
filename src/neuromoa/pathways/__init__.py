"""Pathway diagrams generated from the knowledge base: drug → targets (affinity) → effects.

The source document's three figures were lost ("click to download"); this package regenerates
them as graphs — reuptake inhibition at SERT/NET; antagonism at muscarinic, H1/H2 and α1
receptors down their G-protein routes to the clinical consequences; TrkA/TrkB neurotrophic
signalling — laid out with grandalf's Sugiyama layout (no graphviz; labels on free spots) and
written as SVG, PNG and SBGN-ML (Activity Flow, libsbgnpy).

>>> from neuromoa.pathways import build_pathway, draw_pathway     # doctest: +SKIP
>>> fig = draw_pathway(build_pathway("reuptake", dose="150 mg"))  # doctest: +SKIP
"""

from neuromoa.pathways.build import (
    PATHWAYS,
    build_pathway,
    build_pathways,
    format_molar_range,
    occupancy_at,
    pathway_names,
)
from neuromoa.pathways.export import FORMATS, PathwayFiles, write_pathways
from neuromoa.pathways.graph import (
    Edge,
    Layout,
    Node,
    PathwayGraph,
    Sugiyama,
    layered_layout,
    sugiyama,
)
from neuromoa.pathways.layout import Box, Diagram, diagram_layout
from neuromoa.pathways.render import draw_pathway, figure_to_png, figure_to_svg, pathway_diagram

__all__ = [
    "FORMATS",
    "PATHWAYS",
    "Box",
    "Diagram",
    "Edge",
    "Layout",
    "Node",
    "PathwayFiles",
    "PathwayGraph",
    "Sugiyama",
    "build_pathway",
    "build_pathways",
    "diagram_layout",
    "draw_pathway",
    "figure_to_png",
    "figure_to_svg",
    "format_molar_range",
    "layered_layout",
    "occupancy_at",
    "pathway_diagram",
    "pathway_names",
    "sugiyama",
    "write_pathways",
]
