"""Build the document's three pathway diagrams from the knowledge base.

A pathway is declared as data in ``neuromoa/data/pathways/``: which targets it shows
(``pathways.csv``), the intermediate process nodes (``nodes.csv``) and the edges between them
(``steps.csv``). Everything quantitative comes from the knowledge base at build time:

- the drug node is ``kb.compound(compound)``;
- each target node is ``kb.target(id)`` (name, family, effect class, reference);
- each drug → target edge carries ``kb.affinity(compound, target)`` (measure, value or range,
  reference) and the mode of action from ``kb.activities`` (inhibitor → "inhibits",
  antagonist → "antagonises", agonist → "activates", blocker → "blocks");
- ``consequence:<target>`` in ``steps.csv`` is the consequence text in the kb's targets table,
  one node per distinct text.

Optionally the engagement of each target at a regimen (fractional occupancy, from
:func:`neuromoa.engagement.engage` when ``dose=`` is given, or a mapping the caller computed)
sets the drug → target edge weight (drawn as line width and opacity) and is added to the edge
label.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError
from neuromoa.pathways.graph import Edge, Node, PathwayGraph
from neuromoa.units import format_molar, si_factor

__all__ = ["PATHWAYS", "NoTargetValueError", "build_pathway", "build_pathways", "format_molar_range",
           "occupancy_at", "pathway_names"]

# Mode of action in kb.activities → relation drawn on the drug → target edge.
_MODE_RELATION = {
    "inhibitor": "inhibits",
    "antagonist": "antagonises",
    "blocker": "blocks",
    "agonist": "activates",
}
# SBGN entity of the drug and of the kb targets (receptors, transporters, channels: proteins).
_DRUG_ENTITY = "simple chemical"
_TARGET_ENTITY = "macromolecule"
_DRUG = "{drug}"
_CONSEQUENCE = "consequence:"


def _read_csv(name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    text = read_text("pathways", name)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", file=f"pathways/{name}")
    rows = []
    for i, row in enumerate(reader, start=2):
        for col in required:
            if row.get(col) is None:
                raise DataFileError("row is short", file=f"pathways/{name}", row=i, field=col)
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _definitions() -> dict[str, dict[str, Any]]:
    defs: dict[str, dict[str, Any]] = {}
    for row in _read_csv("pathways.csv", ("pathway", "title", "targets", "caption")):
        defs[row["pathway"]] = {"title": row["title"], "targets": row["targets"].split(),
                                "caption": row["caption"], "nodes": [], "steps": []}
    for i, row in enumerate(_read_csv("nodes.csv", ("pathway", "id", "label", "kind", "reference",
                                                    "entity")), start=2):
        if row["pathway"] not in defs:
            raise DataFileError(f"unknown pathway {row['pathway']!r}", file="pathways/nodes.csv",
                                row=i, field="pathway")
        defs[row["pathway"]]["nodes"].append(row)
    for i, row in enumerate(_read_csv("steps.csv", ("pathway", "source", "target", "relation",
                                                    "label", "reference")), start=2):
        if row["pathway"] not in defs:
            raise DataFileError(f"unknown pathway {row['pathway']!r}", file="pathways/steps.csv",
                                row=i, field="pathway")
        defs[row["pathway"]]["steps"].append(row)
    return defs


def occupancy_at(compound: str, dose: str, every: str = "24 h") -> tuple[dict[str, float], str]:
    """Fractional occupancy of every target of ``compound`` at a regimen, and a label saying so.

    Steady-state average unbound brain concentrations of parent and metabolite
    (:func:`neuromoa.engagement.engage` with ``dose`` and ``every``; its defaults: human-PET
    calibration where a target has PET data, Kp,uu 1). Where a target has several rows
    (states, conditions) the highest occupancy is kept.

    Returns
    -------
    (dict target id → occupancy in [0, 1], "150 mg every 24 h (steady state)")
    """
    from neuromoa.engagement import engage

    result = engage(compound, dose=dose, every=every)
    occupancy: dict[str, float] = {}
    frame = result.targets
    for target, occ in zip(frame["target"], frame["occupancy"], strict=True):
        value = float(occ)
        if value == value:  # not NaN
            occupancy[str(target)] = max(occupancy.get(str(target), 0.0), value)
    return occupancy, f"{dose} every {every} (steady state)"


class NoTargetValueError(InputError):
    """The compound has no value at any target of a pathway (the pathway cannot be drawn)."""


#: The shipped pathway names, in the document's order.
PATHWAYS: tuple[str, ...] = ("reuptake", "antagonism", "neurotrophic")


def pathway_names() -> list[str]:
    """Names of the pathways declared in ``data/pathways/pathways.csv``, in file order."""
    return list(_definitions())


# A range shares the high end's unit unless the low end would print below this (assumption:
# "0.0005–33 µM" reads worse than "500 pM–33 µM").
_RANGE_SHARED_UNIT_MIN = 0.01


def format_molar_range(low: float, high: float) -> str:
    """Format a molar range: (11e-9, 24e-9) → "11–24 nM"; one value when low == high.

    >>> format_molar_range(0.5e-9, 1.1e-9)
    '0.5–1.1 nM'
    >>> format_molar_range(0.5e-9, 33e-6)
    '500 pM–33 µM'
    """
    if low == high:
        return format_molar(high)
    value, unit = format_molar(high).split(" ")
    scaled = low / si_factor(unit, "concentration")
    if scaled >= _RANGE_SHARED_UNIT_MIN:
        return f"{scaled:.3g}–{value} {unit}"
    return f"{format_molar(low)}–{value} {unit}"


def _affinity_label(aff: Any) -> str:
    return f"{aff.measure} {format_molar_range(float(aff.low_M), float(aff.high_M))}"


def _reachable(start: str, nodes: list[Node], edges: list[Edge]) -> tuple[list[Node], list[Edge]]:
    """Keep the nodes reachable from ``start`` (a left-out target leaves orphans behind)."""
    seen = {start}
    frontier = [start]
    while frontier:
        current = frontier.pop()
        for e in edges:
            if e.source == current and e.target not in seen:
                seen.add(e.target)
                frontier.append(e.target)
    return ([n for n in nodes if n.id in seen],
            [e for e in edges if e.source in seen and e.target in seen])


def _consequence_text(text: str) -> str:
    """The consequence after its mode prefix: "Antagonism: sedation" → "sedation"."""
    head, sep, tail = text.partition(": ")
    return tail.strip() if sep and tail.strip() else text


def _check_refs(refs: str, known: set[str], file: str, pathway: str, where: str) -> None:
    for ref in (r.strip() for r in refs.split(";")):
        if ref and ref not in known:
            raise DataFileError(
                f"reference {ref!r} of {where!r} (pathway {pathway!r}) is not in the knowledge "
                "base's references.csv; add it there or correct the id",
                file=f"pathways/{file}", field="reference")


def _mode(kb: Any, compound: str, target: str) -> str:
    frame = kb.activities(compound=compound, target=target)
    modes = [m for m in frame["mode"].astype(str).tolist() if m] if len(frame) else []
    for mode in modes:
        if mode in _MODE_RELATION:
            return _MODE_RELATION[mode]
    return "inhibits"


def build_pathway(name: str, compound: str | None = None, *, kb: Any = None,
                  occupancy: Mapping[str, float] | None = None,
                  occupancy_label: str = "",
                  notes: Mapping[str, str] | None = None,
                  dose: str | None = None, every: str = "24 h") -> PathwayGraph:
    """Build pathway ``name`` ("reuptake", "antagonism", "neurotrophic") for ``compound``.

    Parameters
    ----------
    name : str
        A pathway declared in ``data/pathways/pathways.csv``.
    compound : str
        Compound name or synonym known to the knowledge base.
    kb : KnowledgeBase, optional
        Defaults to :func:`neuromoa.kb.load_kb` ().
    occupancy : mapping target id → fraction in [0, 1], optional
        Engagement at a regimen; sets edge widths and appends "occ. 0.95" to the labels.
    occupancy_label : str
        Says where the occupancy comes from (e.g. "150 mg/day"), appended to the caption.
    notes : mapping node id → text, optional
        A line added to a process node's label, e.g. a model's answer
        ("synapse model: steady state ×2.7 at 150 mg/day"); unknown ids are ignored, so one
        mapping can serve all pathways.
    dose, every : str, optional
        A regimen ("150 mg", "24 h"): the occupancy at it comes from
        :func:`occupancy_at` (ignored when ``occupancy`` is given).

    Returns
    -------
    PathwayGraph
        Drug → targets (affinity labels, kb references) → processes → consequences.
    """
    defs = _definitions()
    if name not in defs:
        raise InputError(f"unknown pathway {name!r}; choose one of {', '.join(defs)}")
    if kb is None:
        from neuromoa.kb import load_kb

        kb = load_kb()
    spec = defs[name]
    from neuromoa.data.compounds import flagship_compound

    comp = kb.compound(compound or flagship_compound())
    if occupancy is None and dose is not None:
        occupancy, occupancy_label = occupancy_at(comp.id, dose, every)
    drug_id = f"drug:{comp.id}"
    nodes: list[Node] = [Node(drug_id, comp.name, "drug", entity=_DRUG_ENTITY)]
    edges: list[Edge] = []
    consequence_ids: dict[str, str] = {}  # consequence text → node id

    def consequence_node(target_id: str) -> str:
        target = kb.target(target_id)
        text = _consequence_text(str(target.consequence))
        if text not in consequence_ids:
            node_id = f"consequence:{len(consequence_ids)}"
            consequence_ids[text] = node_id
            nodes.append(Node(node_id, text, "consequence", str(target.effect_class),
                              str(target.reference), "phenotype"))
        return consequence_ids[text]

    missing: list[str] = []
    for target_id in spec["targets"]:
        target = kb.target(target_id)
        if not len(kb.activities(compound=comp.id, target=target.id)):
            missing.append(target.id)  # no value: the target is left out, and the caption says so
            continue
        plain = str(target.name).lower().replace("-", "")
        label = str(target.name) if target.id.lower() in plain else f"{target.id}\n{target.name}"
        nodes.append(Node(target.id, label, "target",
                          str(target.effect_class), str(target.reference), _TARGET_ENTITY))
        aff = kb.affinity(comp.id, target.id)
        label = _affinity_label(aff)
        weight = 1.0
        if occupancy is not None and target.id in occupancy:
            weight = float(occupancy[target.id])
            label += f"\nocc. {weight:.2f}"
        edges.append(Edge(drug_id, target.id, _mode(kb, comp.id, target.id), label,
                          str(aff.reference), weight))
    if len(missing) == len(spec["targets"]):
        raise NoTargetValueError(f"{comp.id} has no value in the knowledge base at any target of pathway "
                         f"{name!r} ({', '.join(missing)})")

    known_refs = set(kb.references["id"].astype(str))
    for row in spec["nodes"]:
        _check_refs(row["reference"], known_refs, "nodes.csv", name, row["id"])
        label = row["label"]
        if notes and row["id"] in notes:
            label += f"\n[{notes[row['id']]}]"
        nodes.append(Node(row["id"], label, row["kind"], "", row["reference"], row["entity"]))

    for row in spec["steps"]:
        _check_refs(row["reference"], known_refs, "steps.csv", name,
                    f"{row['source']} → {row['target']}")
        if row["source"] in missing or row["target"] in missing or any(
                end.startswith(_CONSEQUENCE) and end[len(_CONSEQUENCE):] in missing
                for end in (row["source"], row["target"])):
            continue
        ends = []
        for end in (row["source"], row["target"]):
            if end == _DRUG:
                ends.append(drug_id)
            elif end.startswith(_CONSEQUENCE):
                ends.append(consequence_node(end[len(_CONSEQUENCE):]))
            else:
                ends.append(end)
        edges.append(Edge(ends[0], ends[1], row["relation"], row["label"], row["reference"]))
    nodes, edges = _reachable(drug_id, nodes, edges)

    caption = spec["caption"]
    if missing:
        caption += (f" No value of {comp.name} in the knowledge base at {', '.join(missing)}: "
                    "left out.")
    weight_label = ""
    if occupancy is not None:
        weight_label = occupancy_label or "the given concentrations"
        caption += (f" Drug → target line width and opacity: fractional occupancy at "
                    f"{weight_label}.")
    return PathwayGraph.from_parts(name, f"{comp.name}: {spec['title']}", caption, nodes, edges,
                                   weight_label=weight_label)


def build_pathways(compound: str | None = None, *, kb: Any = None,
                   occupancy: Mapping[str, float] | None = None,
                   occupancy_label: str = "",
                   notes: Mapping[str, str] | None = None,
                   dose: str | None = None, every: str = "24 h") -> dict[str, PathwayGraph]:
    """All shipped pathways for ``compound`` (see :func:`build_pathway`), keyed by name.

    A pathway at none of whose targets the compound has a value (nortriptyline has no Trk
    value) is left out; if that leaves nothing, :class:`InputError`.
    """
    graphs: dict[str, PathwayGraph] = {}
    reasons = []
    if occupancy is None and dose is not None:  # one engagement run for all pathways
        if kb is None:
            from neuromoa.kb import load_kb

            kb = load_kb()
        from neuromoa.data.compounds import flagship_compound

        occupancy, occupancy_label = occupancy_at(kb.compound(compound or flagship_compound()).id,
                                                  dose, every)
    for name in pathway_names():
        try:
            graphs[name] = build_pathway(name, compound, kb=kb, occupancy=occupancy,
                                         occupancy_label=occupancy_label, notes=notes)
        except NoTargetValueError as exc:
            reasons.append(str(exc))
    if not graphs:
        raise InputError("; ".join(reasons))
    return graphs
