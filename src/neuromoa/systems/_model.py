"""Models declared once, in Antimony: loading, the parameter table, SBML export and validation.

Each model is one shipped Antimony file under ``neuromoa/data/systems/``. Every parameter is
declared on one line in a fixed format that this module reads::

    name = value; name has unit; // what it is | source | confidence

(confidence: H primary source, M secondary, U unverified, A assumption, C calibrated to the
cited number). The same file is what libRoadRunner simulates (through Antimony's SBML), what
:func:`model_parameters` tabulates and what :func:`export_sbml` writes, so the three cannot drift.

References
----------
Smith LP et al. Antimony: a modular model definition language. *Bioinformatics* 2009;25:2452.
Welsh C et al. libRoadRunner 2.0. *Bioinformatics* 2023;39:btac770.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError, SolverError, require_extra

__all__ = [
    "MODELS",
    "annotated_sbml",
    "antimony_source",
    "export_sbml",
    "model_parameters",
    "new_runner",
    "register_printed",
    "runtime_overrides",
    "sbml_string",
    "validate_sbml",
]

#: Registry: model name -> Antimony file (in ``neuromoa/data/systems``) and its model id.
MODELS: dict[str, str] = {"synapse": "synapse.ant", "nmda": "nmda.toml", "trk": "trk.ant"}
#: Models declared as a kinetic scheme (not Antimony): name -> the function printing them as
#: Antimony (registered by the model's module, e.g. :func:`neuromoa.systems.nmda.nmda_antimony`).
_PRINTED: dict[str, Callable[[], str]] = {}


def register_printed(model: str, printer: Callable[[], str]) -> None:
    """Declare that ``model``'s Antimony text is printed by ``printer`` from its scheme."""
    _PRINTED[model] = printer

_PARAM_LINE = re.compile(
    r"^\s*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*;"
    r"\s*(?P=name)\s+has\s+(?P<unit>\w+)\s*;\s*//\s*(?P<desc>[^|]*)\|(?P<source>[^|]*)"
    r"(?:\|\s*(?P<conf>[HMUAC]))?\s*$"
)
#: Readable forms of the unit ids the model files declare.
_UNIT_TEXT = {"M": "M", "per_s": "1/s", "per_M_per_s": "1/(M·s)", "M_per_s": "M/s", "s": "s",
              "V": "V", "dimensionless_": "1"}
_CONFIDENCE = {"H": "primary source", "M": "secondary source", "U": "unverified",
               "A": "assumption", "C": "calibrated to the cited number"}


def _check_name(model: str) -> str:
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    return model


def antimony_source(model: str) -> str:
    """Return the Antimony text of a shipped model (``"synapse"``, ``"nmda"``, ``"trk"``)."""
    if _check_name(model) in _PRINTED:
        return _PRINTED[model]()
    return read_text("systems", MODELS[model])


@functools.cache
def sbml_string(model: str) -> str:
    """Translate the model's Antimony declaration to SBML Level 3 (string)."""
    antimony = require_extra("antimony")
    text = antimony_source(model)
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise DataFileError(antimony.getLastError().strip(), file=f"systems/{MODELS[model]}")
    sbml = antimony.getSBMLString(model)
    if not sbml:
        raise DataFileError(f"Antimony produced no SBML for model {model!r}",
                            file=f"systems/{MODELS[model]}")
    return sbml


@functools.cache
def _declared(model: str) -> pd.DataFrame:
    file = f"systems/{MODELS[_check_name(model)]}"
    rows = []
    for lineno, line in enumerate(antimony_source(model).splitlines(), start=1):
        m = _PARAM_LINE.match(line)
        if m is None:
            continue
        source = m["source"].strip()
        if not source:
            raise DataFileError("parameter has no source", file=file, row=lineno, field=m["name"])
        conf = m["conf"] or "U"
        if m["unit"] not in _UNIT_TEXT:
            raise DataFileError(f"unknown unit id {m['unit']!r}; use one of {sorted(_UNIT_TEXT)}",
                                file=file, row=lineno, field=m["name"])
        rows.append({"parameter": m["name"], "value": float(m["value"]),
                     "unit": _UNIT_TEXT[m["unit"]],
                     "description": m["desc"].strip(), "source": source,
                     "confidence": conf, "confidence_text": _CONFIDENCE[conf], "line": lineno})
    return pd.DataFrame(rows)


_SOURCE_CONFIDENCE = re.compile(r"confidence ([HMUAC])\b")


def runtime_overrides(model: str) -> dict[str, tuple[float, str]]:
    """The values the simulations set at run time from :mod:`neuromoa.kb` (name -> (value, source))."""
    if _check_name(model) == "synapse":
        from neuromoa.systems.synapse import synapse_parameters

        return synapse_parameters()
    if model == "trk":
        from neuromoa.systems.trk import trk_parameters

        return trk_parameters()
    return {}


def model_parameters(model: str, overrides: Mapping[str, tuple[float, str]] | None = None,
                     *, runtime: bool = True) -> pd.DataFrame:
    """Parameter table of a model, read from its declaration.

    Parameters
    ----------
    model : {"synapse", "nmda", "trk"}
    overrides : mapping name -> (value, source), optional
        Further values (e.g. a user's); they replace the declared value and source.
    runtime : bool
        Show the values the simulations use: the knowledge base's Ki, Km and Trk affinities
        replace the declared defaults (default True; False gives the file as declared).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter value unit description source confidence confidence_text line``.
    """
    table = _declared(_check_name(model)).copy()
    merged = dict(runtime_overrides(model)) if runtime else {}
    merged.update(overrides or {})
    for name, (value, source) in merged.items():
        hit = table["parameter"] == name
        if not hit.any():
            raise InputError(f"model {model!r} has no parameter {name!r}.")
        table.loc[hit, "value"] = float(value)
        table.loc[hit, "source"] = source
        # a value from the knowledge base carries the kb row's confidence: the table says the
        # same as the kb (e.g. U for the untraced Trk affinities), not the placeholder's A
        conf = _SOURCE_CONFIDENCE.search(str(source))
        if conf is not None:
            table.loc[hit, "confidence"] = conf.group(1)
            table.loc[hit, "confidence_text"] = _CONFIDENCE[conf.group(1)]
    return table.reset_index(drop=True)


def new_runner(model: str, values: Mapping[str, float] | None = None):
    """A fresh :class:`roadrunner.RoadRunner` for ``model`` with ``values`` set (SI floats)."""
    roadrunner = require_extra("roadrunner")
    rr = roadrunner.RoadRunner(sbml_string(_check_name(model)))
    for name, value in (values or {}).items():
        try:
            rr.setValue(name, float(value))
        except RuntimeError as exc:
            raise InputError(f"model {model!r} has no settable quantity {name!r}.") from exc
    return rr


def validate_sbml(sbml: str, *, warnings: bool = False) -> list[str]:
    """Check an SBML string with libsbml (all consistency categories, units included).

    Returns the messages of severity error or fatal (empty when valid); with ``warnings=True``
    the warnings too (e.g. a unit that cannot be checked), each prefixed with its severity.
    """
    libsbml = require_extra("libsbml")
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    floor = libsbml.LIBSBML_SEV_WARNING if warnings else libsbml.LIBSBML_SEV_ERROR
    errors = []
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= floor:
            prefix = f"{err.getSeverityAsString().lower()} " if warnings else ""
            errors.append(f"{prefix}line {err.getLine()}: {err.getMessage().strip()}")
    return errors


#: MIRIAM biology qualifiers used in ``data/systems/annotations.csv``.
_QUALIFIERS = ("is", "isVersionOf", "hasPart")
#: identifiers.org collections of the identifier prefixes.
_COLLECTIONS = {"chebi": "chebi/CHEBI:", "uniprot": "uniprot/"}


def _walk(node):
    yield node
    for i in range(node.getNumChildren()):
        yield from _walk(node.getChild(i))


def _unit_id(model_sbml, libsbml, unit_def) -> str:
    """The id of a unit definition in the model equal to ``unit_def`` (added if none is)."""
    if all(unit_def.getUnit(i).isDimensionless() for i in range(unit_def.getNumUnits())):
        return "dimensionless"
    for ud in model_sbml.getListOfUnitDefinitions():
        if libsbml.UnitDefinition.areEquivalent(ud, unit_def):
            return ud.getId()
    new = unit_def.clone()
    k = 0
    while model_sbml.getUnitDefinition(f"derived_unit_{k}") is not None:
        k += 1
    new.setId(f"derived_unit_{k}")
    model_sbml.addUnitDefinition(new)
    return new.getId()


def _identifiers(model: str, compound: str | None) -> list[tuple[str, str, str, str]]:
    """(element, qualifier, identifiers.org URI, source) of the model, resolved from
    ``annotations.csv``: ``kb:TARGET`` -> the kb's UniProt ids, ``compound:parent`` /
    ``compound:metabolite`` -> ChEBI of the compound run (default the flagship) / its metabolite."""
    import csv
    import io as _io

    from neuromoa.data.compounds import flagship_compound, metabolites_of, resolve_compound
    from neuromoa.kb import load_kb

    rows = list(csv.DictReader(_io.StringIO(read_text("systems", "annotations.csv"))))
    parent = resolve_compound(compound or flagship_compound())
    metabolite = metabolites_of(parent.id)
    targets = load_kb().targets().set_index("id")
    out = []
    for lineno, r in enumerate(rows, start=2):
        if r["model"] != model:
            continue
        where = {"file": "systems/annotations.csv", "row": lineno}
        if r["qualifier"] not in _QUALIFIERS:
            raise DataFileError(f"qualifier {r['qualifier']!r} is not one of {_QUALIFIERS}",
                                field="qualifier", **where)
        kind, _, ident = r["identifier"].partition(":")
        if kind == "kb":
            if ident not in targets.index:
                raise DataFileError(f"target {ident!r} is not in the kb", field="identifier", **where)
            ids = [u.strip() for u in str(targets.loc[ident, "uniprot"]).split(";") if u.strip()]
            uris = [f"https://identifiers.org/uniprot/{u}" for u in ids]
            source = f"{r['source']}: {ident} = UniProt {', '.join(ids)}"
        elif kind == "compound":
            cid = parent.id if ident == "parent" else (metabolite[0] if metabolite else None)
            if cid is None:
                continue
            comp = resolve_compound(cid)
            if not comp.chebi:
                continue
            uris = [f"https://identifiers.org/chebi/CHEBI:{comp.chebi}"]
            source = f"{r['source']}: {comp.id} = ChEBI {comp.chebi}"
        elif kind in _COLLECTIONS:
            uris = [f"https://identifiers.org/{_COLLECTIONS[kind]}{ident}"]
            source = r["source"]
        else:
            raise DataFileError(f"identifier {r['identifier']!r}: use kb:, compound:, chebi: or "
                                "uniprot:", field="identifier", **where)
        for uri in uris:
            out.append((r["element"], r["qualifier"], uri, source))
    return out


def annotated_sbml(model: str, compound: str | None = None) -> str:
    """The model's SBML with its science kept: units checked, notes and identifiers.

    * units: extent in mole; literal numbers in the equations dimensionless (they are
      pure numbers in every shipped model: 1 + C/K, fractions); assignment-rule variables
      without a declared unit take the unit libsbml derives from their equation (their uses
      are then checked). libsbml's unit consistency check reports no warnings (a test).
    * notes: each parameter's description, value with unit, source and confidence (from the
      model declaration, :func:`model_parameters` with ``runtime=False``); the knowledge-base
      values the simulations set at run time are named in the note.
    * annotations: MIRIAM ``bqbiol`` terms (identifiers.org URIs) from
      ``data/systems/annotations.csv``: UniProt of the kb targets, ChEBI of the compound run
      (default the flagship, from ``data/identity/compounds.csv``) and of endogenous species.
    """
    libsbml = require_extra("libsbml")
    doc = libsbml.readSBMLFromString(sbml_string(_check_name(model)))
    m = doc.getModel()
    m.setExtentUnits("mole")
    maths = [r.getKineticLaw().getMath() for r in m.getListOfReactions() if r.getKineticLaw()]
    maths += [r.getMath() for r in m.getListOfRules()]
    maths += [a.getMath() for a in m.getListOfInitialAssignments()]
    for math in maths:
        for node in _walk(math):
            if node.isNumber() and not node.hasUnits():
                node.setUnits("dimensionless")
    for _ in range(len(m.getListOfRules())):  # derived rules may use earlier derived ones
        m.populateListFormulaUnitsData()  # libsbml caches derived units: recompute
        changed = False
        for rule in m.getListOfRules():
            par = m.getParameter(rule.getVariable())
            if par is None or par.isSetUnits() or not rule.isAssignment():
                continue
            ud = rule.getDerivedUnitDefinition()
            if ud is None or rule.containsUndeclaredUnits() or ud.getNumUnits() == 0:
                continue
            par.setUnits(_unit_id(m, libsbml, ud))
            changed = True
        if not changed:
            break
    runtime = runtime_overrides(model)
    table = model_parameters(model, runtime=False).set_index("parameter")
    for name, row in table.iterrows():
        par = m.getParameter(name)
        if par is None:
            continue
        at_run = (f" At run time: {runtime[name][0]:.4g} {row['unit']} ({runtime[name][1]})."
                  if name in runtime else "")
        text = (f"{row['description']}. Value {row['value']:.6g} {row['unit']}. Source: "
                f"{row['source']}. Confidence {row['confidence']} ({row['confidence_text']}).{at_run}")
        par.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{_xml_escape(text)}</p></body>')
    qualifier = {"is": libsbml.BQB_IS, "isVersionOf": libsbml.BQB_IS_VERSION_OF,
                 "hasPart": libsbml.BQB_HAS_PART}
    notes: dict[str, list[str]] = {}
    for element, qual, uri, source in _identifiers(model, compound):
        target = m if element == m.getId() else m.getElementBySId(element)
        if target is None:
            raise DataFileError(f"model {model!r} has no element {element!r}",
                                file="systems/annotations.csv")
        if not target.isSetMetaId():
            target.setMetaId(f"meta_{element}")
        term = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
        term.setBiologicalQualifierType(qualifier[qual])
        term.addResource(uri)
        if target.addCVTerm(term) != libsbml.LIBSBML_OPERATION_SUCCESS:
            raise SolverError(f"libsbml refused the annotation {uri} on {element!r}")
        notes.setdefault(element, []).append(f"{qual} {uri} ({source})")
    for element, lines in notes.items():
        target = m if element == m.getId() else m.getElementBySId(element)
        body = "".join(f"<p>{_xml_escape(x)}</p>" for x in lines)
        if target.isSetNotes():
            target.appendNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>')
        else:
            target.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>')
    return libsbml.writeSBMLToString(doc)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def export_sbml(model: str, path: str | Path, *, compound: str | None = None) -> Path:
    """Write the model as SBML Level 3 to ``path`` after validating it with libsbml.

    The file is :func:`annotated_sbml`: units that pass libsbml's unit consistency check with no
    warning, each parameter's source and confidence in its notes, UniProt and ChEBI annotations.
    Raises :class:`~neuromoa.errors.SolverError` if libsbml reports an error or a warning.
    """
    sbml = annotated_sbml(_check_name(model), compound)
    errors = validate_sbml(sbml, warnings=True)
    if errors:
        raise SolverError(f"SBML of model {model!r} does not validate: {errors[0]}")
    out = Path(path)
    if out.parent and not out.parent.exists():
        raise InputError(f"export-sbml: folder {str(out.parent)!r} does not exist; create it first.")
    out.write_text(sbml, encoding="utf-8")
    return out
