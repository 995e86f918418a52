"""Pathways built from the knowledge base: the document's values and references on the edges."""

import pytest

import neuromoa.kb as kb_module
from neuromoa.errors import DataFileError, InputError, UnknownCompoundError  # noqa: E402
from neuromoa.pathways import (  # noqa: E402
    PATHWAYS,
    build_pathway,
    build_pathways,
    pathway_names,
    write_pathways,
)
from neuromoa.pathways import build as build_module  # noqa: E402


@pytest.fixture(scope="module")
def kb():
    return kb_module.load_kb()


def _edge(graph, source, target):
    [edge] = [e for e in graph.edges if e.source == source and e.target == target]
    return edge


def test_three_pathways_in_the_documents_order():
    assert pathway_names() == list(PATHWAYS) == ["reuptake", "antagonism", "neurotrophic"]


# Values as printed in the source document's Table 1 (seed/000_5dc639da3ad7329d.txt), reference [8]
# for transporters and receptors, [12] for Trk.
@pytest.mark.parametrize(("pathway", "target", "label", "relation"), [
    ("reuptake", "SERT", "Ki 3.45 nM", "inhibits"),
    ("reuptake", "NET", "Ki 13.3 nM", "inhibits"),
    ("antagonism", "M1", "Ki 11–24 nM", "antagonises"),
    ("antagonism", "M5", "Ki 11–24 nM", "antagonises"),
    ("antagonism", "H1", "Ki 0.5–1.1 nM", "antagonises"),
    ("antagonism", "alpha1", "KD 27 nM", "antagonises"),  # audited default (issue 11)
    ("neurotrophic", "TrkA", "Ki 3 µM", "activates"),
    ("neurotrophic", "TrkB", "Ki 14 µM", "activates"),
])
def test_drug_target_edges_carry_the_kb_affinity(kb, pathway, target, label, relation):
    graph = build_pathway(pathway, kb=kb)
    edge = _edge(graph, "drug:amitriptyline", target)
    assert edge.label == label
    assert edge.relation == relation
    assert edge.reference == kb.affinity("amitriptyline", target).reference


def test_consequences_come_from_the_targets_table(kb):
    graph = build_pathway("antagonism", kb=kb)
    h1 = kb.target("H1").consequence
    # H1 → Gq/11 → PLCβ → IP3/DAG → histaminergic arousal ⇢ consequence (sedation)
    path = ["H1", "gq", "plc", "ip3_dag", "cell_arousal"]
    for a, b in zip(path, path[1:], strict=False):
        assert b in graph.successors(a), (a, b)
    [cons] = [graph.node(e.target) for e in graph.edges if e.source == "cell_arousal"]
    assert cons.kind == "consequence"
    assert cons.label in h1 and len(cons.label) >= len(h1) - len("Antagonism: ")
    assert cons.effect_class == kb.target("H1").effect_class


# The G-protein route of each receptor (Caulfield & Birdsall 1998; Panula et al. 2015;
# Hieble et al. 1995): receptor → G protein → effector → second messenger.
@pytest.mark.parametrize(("receptor", "chain"), [
    *[(r, ["gq", "plc", "ip3_dag"]) for r in ("M1", "M3", "M5", "H1", "alpha1")],
    *[(r, ["gi", "ac_gi", "camp_down"]) for r in ("M2", "M4")],
    ("H2", ["gs", "ac_gs", "camp_up"]),
])
def test_antagonism_goes_receptor_g_protein_second_messenger_effect_consequence(kb, receptor,
                                                                               chain):
    graph = build_pathway("antagonism", kb=kb)
    assert graph.successors(receptor) == [chain[0]]
    for a, b in zip([receptor, *chain], chain, strict=False):
        assert b in graph.successors(a)
        assert _edge(graph, a, b).reference  # every signalling step is sourced
    # the second messenger leads to a cellular effect whose loss leads to a consequence
    effects = [e for e in graph.edges if e.source == chain[-1]]
    mine = [e for e in effects if (kb.target(receptor).id if receptor != "alpha1" else "α1")
            in e.label.replace(" ", "").split(",")]
    assert len(mine) == 1 and mine[0].reference
    own = kb.target(receptor).consequence.partition(": ")[2]
    [cons] = [c for c in graph.successors(mine[0].target) if graph.node(c).label == own]
    assert graph.node(cons).kind == "consequence"  # the receptor's own, from the kb
    assert _edge(graph, mine[0].target, cons).relation == "loss leads to"


def test_h2_is_in_the_antagonism_figure_with_its_kb_affinity(kb):
    graph = build_pathway("antagonism", kb=kb)
    edge = _edge(graph, "drug:amitriptyline", "H2")
    assert edge.relation == "antagonises"
    # audited default (issue 11): apparent KB 2.2 µM from the source document's reference 9
    assert edge.label == "KB 2.22 µM"
    assert edge.reference == kb.affinity("amitriptyline", "H2").reference


def test_every_reference_resolves_and_the_graph_is_connected(kb):
    known = set(kb.references["id"])
    for name in PATHWAYS:
        graph = build_pathway(name, kb=kb)
        for item in list(graph.nodes) + list(graph.edges):
            for ref in filter(None, (r.strip() for r in item.reference.split(";"))):
                assert ref in known, (name, item)
        ranks = graph.ranks()
        assert [n for n, r in ranks.items() if r == 0] == ["drug:amitriptyline"]
        sinks = [n.id for n in graph.nodes if not graph.successors(n.id)]
        assert sinks and all(graph.node(s).kind == "consequence" for s in sinks)


def test_occupancy_sets_edge_width_and_label(kb):
    graph = build_pathway("reuptake", kb=kb, occupancy={"SERT": 0.8, "NET": 0.25},
                          occupancy_label="150 mg/day")
    assert _edge(graph, "drug:amitriptyline", "SERT").weight == 0.8
    assert _edge(graph, "drug:amitriptyline", "NET").label.endswith("occ. 0.25")
    assert "150 mg/day" in graph.caption and graph.weight_label == "150 mg/day"
    assert build_pathway("reuptake", kb=kb).weight_label == ""


def test_a_regimen_gives_occupancy_from_engagement(kb):
    from neuromoa.engagement import engage

    low = build_pathways(kb=kb, dose="10 mg")
    high = build_pathways(kb=kb, dose="150 mg")
    ref = engage("amitriptyline", dose="150 mg", every="24 h").targets
    h1 = float(ref.loc[ref["target"] == "H1", "occupancy"].max())
    assert _edge(high["antagonism"], "drug:amitriptyline", "H1").weight == pytest.approx(h1)
    for name in ("reuptake", "antagonism"):
        for e in high[name].edges:
            if e.source == "drug:amitriptyline":
                lo = _edge(low[name], e.source, e.target).weight
                assert 0.0 <= lo < e.weight <= 1.0, (name, e.target)  # concentration-dependent
    assert high["antagonism"].weight_label == "150 mg every 24 h (steady state)"


def test_other_compound_and_bad_names(kb):
    graph = build_pathway("reuptake", "nortriptyline", kb=kb)
    assert graph.node("drug:nortriptyline").label == kb.compound("nortriptyline").name
    with pytest.raises(InputError, match="unknown pathway 'nope'"):
        build_pathway("nope", kb=kb)
    with pytest.raises(UnknownCompoundError):
        build_pathway("reuptake", "no-such-drug", kb=kb)


def test_a_bad_reference_in_the_data_names_file_and_field(kb, monkeypatch):
    original = build_module.read_text

    def patched(*parts):
        text = original(*parts)
        return text.replace(",doc7\n", ",nosuchref\n") if parts[-1] == "steps.csv" else text

    monkeypatch.setattr(build_module, "read_text", patched)
    with pytest.raises(DataFileError, match=r"pathways/steps.csv.*'nosuchref'"):
        build_pathway("neurotrophic", kb=kb)


def test_write_pathways_svg_and_png_reproducibly(kb, tmp_path):
    first = write_pathways(tmp_path / "a", kb=kb)
    second = write_pathways(tmp_path / "b", kb=kb, formats=("svg",))
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        f"pathway_{n}.{ext}" for n in PATHWAYS for ext in ("svg", "png"))
    for name in PATHWAYS:
        [svg] = second.files[name]
        assert open(first.files[name][0], "rb").read() == open(svg, "rb").read()
    assert set(first.to_dict()["pathways"]) == set(PATHWAYS)
    assert len(first.to_frame()) == 6


def test_model_notes_are_added_to_process_nodes(kb):
    graph = build_pathway("reuptake", kb=kb, notes={"synaptic_5ht": "synapse model: ×2.7",
                                                    "not_a_node": "ignored"})
    assert graph.node("synaptic_5ht").label.endswith("\n[synapse model: ×2.7]")
    assert "[" not in graph.node("synaptic_ne").label


class _WithoutM1:
    """The real knowledge base with nortriptyline's M1 row hidden (a target without a value)."""

    def __init__(self, kb):
        self._kb = kb

    def __getattr__(self, name):
        return getattr(self._kb, name)

    def activities(self, compound=None, target=None, **kw):
        frame = self._kb.activities(compound=compound, target=target, **kw)
        hide = (frame["compound"] == "nortriptyline") & (frame["target"] == "M1")
        return frame[~hide]


def test_targets_without_a_value_are_left_out_and_said(kb):
    graph = build_pathway("antagonism", "nortriptyline", kb=_WithoutM1(kb))
    targets = {n.id for n in graph.nodes if n.kind == "target"}
    assert "M1" not in targets and {"M2", "H1", "alpha1"} <= targets
    assert "No value of Nortriptyline" in graph.caption and "M1" in graph.caption
    assert all(graph.predecessors(n.id) for n in graph.nodes if n.kind != "drug")
    # nortriptyline has no Trk value at all: that pathway is left out of the set
    graphs = build_pathways("nortriptyline", kb=kb)
    assert "neurotrophic" not in graphs and "reuptake" in graphs
