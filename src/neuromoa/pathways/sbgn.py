"""SBGN-ML (Activity Flow) for a pathway diagram, with libsbgnpy: build, write, read, validate.

SBGN Activity Flow (Mi H et al., *Nat Biotechnol* 2009;27:735; AF Level 1 version 1.2) is the
field's notation for "what influences what" diagrams, and SBGN-ML the file format that SBGN tools
(Newt, SBGN-ED, CellDesigner's converters, PathVisio) open. The mapping:

=====================================  ===========================================
pathway graph                          SBGN AF
=====================================  ===========================================
drug node                              *biological activity* with the unit of
                                       information *perturbation* (AF has no
                                       perturbing-agent glyph; a drug is a
                                       perturbation)
target / process node                  *biological activity*, with a unit of
                                       information for its entity (macromolecule,
                                       simple chemical, complex) where known
node with no outgoing edge             *phenotype* (AF allows a phenotype only as
(the consequences)                     an arc's target)
activates, increases, leads to         *positive influence*
inhibits, antagonises, blocks,         *negative influence* (the loss of the
loss leads to                          cellular effect produces the consequence)
edge label (affinity, occupancy)       the arc's notes (XHTML)
=====================================  ===========================================

Positions and sizes are those of the drawn diagram (:func:`neuromoa.pathways.pathway_diagram`),
in points (1/72 inch), y down, so the SBGN file opens with the same layout as the SVG.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from neuromoa.errors import require_extra
from neuromoa.pathways.graph import PathwayGraph

__all__ = ["RELATION_ARCS", "sbgn_problems", "to_sbgn", "sbgn_to_string", "read_sbgn"]

#: Relation → SBGN AF arc class.
RELATION_ARCS: dict[str, str] = {
    "activates": "positive influence",
    "increases": "positive influence",
    "leads to": "positive influence",
    "inhibits": "negative influence",
    "antagonises": "negative influence",
    "blocks": "negative influence",
    "loss leads to": "negative influence",
}
_ENTITIES = {"macromolecule", "simple chemical", "complex", "nucleic acid feature",
             "unspecified entity", "perturbation"}
_PT_PER_IN = 72.0
_UOI_W, _UOI_H = 30.0, 10.0  # unit-of-information glyph, points
_XHTML = "http://www.w3.org/1999/xhtml"
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]")


def _sbgn_id(prefix: str, key: str) -> str:
    """An xsd:ID (NCName) from a node id such as ``drug:amitriptyline``."""
    return f"{prefix}_{_NOT_ID.sub('_', key)}"


def _glyph_class(graph: PathwayGraph, node: Any) -> tuple[str, str]:
    """(glyph class, entity of its unit of information or "")."""
    if node.kind == "drug":
        return "biological activity", "perturbation"
    if not graph.successors(node.id):
        return "phenotype", ""
    return "biological activity", node.entity if node.entity in _ENTITIES else ""


def to_sbgn(graph: PathwayGraph, *, diagram: Any = None) -> Any:
    """The SBGN-ML document (a :class:`libsbgnpy.Sbgn`) of ``graph``, laid out as drawn.

    Parameters
    ----------
    diagram : Diagram, optional
        The geometry to use; default :func:`neuromoa.pathways.pathway_diagram` (graph).
    """
    lib = require_extra("libsbgnpy")
    from libsbgnpy.io import element_from_string

    if diagram is None:
        from neuromoa.pathways.render import pathway_diagram

        diagram = pathway_diagram(graph)
    height = diagram.height * _PT_PER_IN

    def bbox(box: Any) -> Any:
        return lib.Bbox(x=round(box.x0 * _PT_PER_IN, 2),
                        y=round(height - box.y1 * _PT_PER_IN, 2),
                        w=round(box.w * _PT_PER_IN, 2), h=round(box.h * _PT_PER_IN, 2))

    def notes(text: str) -> Any:
        body = f'<body xmlns="{_XHTML}">{escape(text)}</body>'
        return lib.Sbgnbase.Notes(w3_org_1999_xhtml_element=[element_from_string(body)])

    ids: dict[str, str] = {}
    glyphs = []
    for node in graph.nodes:
        gid = _sbgn_id("g", node.id)
        ids[node.id] = gid
        cls, entity = _glyph_class(graph, node)
        b = bbox(diagram.nodes[node.id])
        children = []
        if entity:
            children.append(lib.Glyph(
                class_value=lib.GlyphClass.UNIT_OF_INFORMATION, id=f"{gid}_uoi",
                entity=lib.Glyph.Entity(name=lib.EntityName(entity)),
                bbox=lib.Bbox(x=b.x + 4.0, y=b.y - _UOI_H / 2.0, w=_UOI_W, h=_UOI_H)))
        text = node.label.replace("\n", " ")
        if node.reference:
            text_notes = f"{text} (references: {node.reference})"
        else:
            text_notes = text
        glyphs.append(lib.Glyph(class_value=lib.GlyphClass(cls), id=gid,
                                label=lib.Label(text=text), bbox=b, glyph=children,
                                notes=notes(text_notes)))
    arcs = []
    for i, edge in enumerate(graph.edges):
        pts = [(x * _PT_PER_IN, height - y * _PT_PER_IN)
               for x, y in diagram.routes[(edge.source, edge.target)]]
        parts = [edge.relation]
        if edge.label:
            parts.append(edge.label.replace("\n", "; "))
        if edge.reference:
            parts.append(f"references: {edge.reference}")
        arcs.append(lib.Arc(
            class_value=lib.ArcClass(RELATION_ARCS.get(edge.relation, "unknown influence")),
            id=f"a{i}_{_NOT_ID.sub('_', edge.source)}_{_NOT_ID.sub('_', edge.target)}",
            source=ids[edge.source], target=ids[edge.target],
            start=lib.Arc.Start(x=round(pts[0][0], 2), y=round(pts[0][1], 2)),
            next=[lib.Arc.Next(x=round(x, 2), y=round(y, 2)) for x, y in pts[1:-1]],
            end=lib.Arc.End(x=round(pts[-1][0], 2), y=round(pts[-1][1], 2)),
            notes=notes(" — ".join(parts))))
    version = lib.MapVersion.HTTP_IDENTIFIERS_ORG_COMBINE_SPECIFICATIONS_SBGN_AF_LEVEL_1_VERSION_1_2
    sbgn_map = lib.Map(id=_sbgn_id("map", graph.name), version=version,
                       bbox=lib.Bbox(x=0.0, y=0.0, w=round(diagram.width * _PT_PER_IN, 2),
                                     h=round(height, 2)),
                       glyph=glyphs, arc=arcs, notes=notes(f"{graph.title}. {graph.caption}"))
    return lib.Sbgn(map=[sbgn_map])


def sbgn_to_string(graph: PathwayGraph, *, diagram: Any = None) -> str:
    """SBGN-ML text of ``graph`` (see :func:`to_sbgn`); the same bytes on every run."""
    lib = require_extra("libsbgnpy")
    return lib.write_sbgn_to_string(to_sbgn(graph, diagram=diagram))


def read_sbgn(path: str | Path) -> Any:
    """Read an SBGN-ML file back (libsbgnpy), e.g. to check a written diagram re-loads."""
    lib = require_extra("libsbgnpy")
    return lib.read_sbgn_from_file(Path(path))


def sbgn_problems(path: str | Path) -> list[str]:
    """Every problem libsbgnpy finds in an SBGN-ML file: the SBGN-ML XSD schema, the
    specification's rules the schema cannot express, and the AF schematron rules (empty when
    the file is valid)."""
    lib = require_extra("libsbgnpy")
    path = Path(path)
    problems = list(lib.validate(path))
    problems += [f"{i.rule_id}: {i.message} ({i.element_id})" for i in lib.validate_schematron(path)]
    return problems
