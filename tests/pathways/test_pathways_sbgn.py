"""SBGN-ML (Activity Flow) export: the three files validate against the SBGN-ML schema
(libsbgnpy: XSD, specification rules, AF schematron) and re-load with the same content."""

from __future__ import annotations

from pathlib import Path

import libsbgnpy
import pytest

from neuromoa.pathways import PATHWAYS, build_pathways, write_pathways
from neuromoa.pathways.sbgn import RELATION_ARCS, sbgn_problems, sbgn_to_string


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("sbgn")
    result = write_pathways(out, formats=("sbgn",), dose="150 mg")
    return out, result


@pytest.mark.parametrize("name", PATHWAYS)
def test_sbgn_file_validates_against_the_schema_and_af_rules(written, name):
    out, _ = written
    path = out / f"pathway_{name}.sbgn"
    assert libsbgnpy.validate_xsd(path) == []
    assert libsbgnpy.validate(path) == []  # XSD + the specification's rules
    assert libsbgnpy.validate_schematron(path) == []  # Activity Flow rules
    assert sbgn_problems(path) == []


@pytest.mark.parametrize("name", PATHWAYS)
def test_sbgn_file_reloads_with_every_node_and_edge(written, name):
    out, result = written
    graph = result.graphs[name]
    doc = libsbgnpy.read_sbgn_from_file(out / f"pathway_{name}.sbgn")
    [m] = doc.map
    assert m.version.value.endswith("sbgn.af.level-1.version-1.2")
    assert len(m.glyph) == len(graph.nodes)
    assert sorted(g.label.text for g in m.glyph) == sorted(n.label.replace("\n", " ")
                                                           for n in graph.nodes)
    assert len(m.arc) == len(graph.edges)
    by_id = {g.id: g.label.text for g in m.glyph}
    arcs = {(by_id[a.source], by_id[a.target]): a.class_value.value for a in m.arc}
    for e in graph.edges:
        key = (graph.node(e.source).label.replace("\n", " "),
               graph.node(e.target).label.replace("\n", " "))
        assert arcs[key] == RELATION_ARCS[e.relation]
    # consequences (sinks) are phenotypes; the drug carries the "perturbation" unit of information
    sinks = {n.label.replace("\n", " ") for n in graph.nodes if not graph.successors(n.id)}
    assert {g.label.text for g in m.glyph if g.class_value.value == "phenotype"} == sinks
    [drug] = [g for g in m.glyph if g.label.text == "Amitriptyline"]
    assert drug.glyph[0].entity.name.value == "perturbation"


def test_antagonism_sbgn_carries_the_affinity_and_occupancy_notes(written):
    out, _ = written
    text = (out / "pathway_antagonism.sbgn").read_text(encoding="utf-8")
    assert "antagonises — KB 2.22 µM; occ." in text  # H2, with its kb value
    assert 'class="negative influence"' in text and 'class="positive influence"' in text


def test_sbgn_is_reproducible():
    g = build_pathways()["reuptake"]
    assert sbgn_to_string(g) == sbgn_to_string(g)


def test_the_validator_is_not_vacuous(written, tmp_path):
    out, _ = written
    text = (out / "pathway_reuptake.sbgn").read_text(encoding="utf-8")
    broken = tmp_path / "broken.sbgn"
    broken.write_text(text.replace('class="positive influence"', 'class="production"', 1),
                      encoding="utf-8")
    assert sbgn_problems(broken)  # a PD arc in an AF map
    missing = tmp_path / "missing.sbgn"
    missing.write_text(text.replace("<bbox ", "<box ", 1), encoding="utf-8")
    assert libsbgnpy.validate_xsd(Path(missing))
