"""Import GtoPdb and ChEMBL activity exports into the knowledge base's activities schema.

The result is a user activities table (see ``data/kb/README.md``) that
:func:`neuromoa.kb.load_kb` merges with ``user_files=[...]`` once written with
:func:`write_activities`. A batch never aborts for one bad row: each row carries ``status``
(``ok`` or ``skipped``) and a ``message`` saying why (censored value such as ``>10000``, a
target not in the knowledge base, no numeric value).

Supported inputs
----------------
- GtoPdb ``interactions.csv`` (comma- or tab-separated; an optional first line
  ``# GtoPdb Version: ...``): columns ``Target Gene Symbol``, ``Target Species``, ``Ligand``,
  ``Type``, ``Original Affinity Units``, ``Original Affinity Low nm``/``Median nm``/``High nm``,
  ``Original Affinity Relation``, ``Affinity Units``, ``Affinity Low``/``Median``/``High``,
  ``Assay Description``, ``PubMed ID``.
- ChEMBL activity exports: the web interface's CSV (``;``-separated, ``"Molecule Name"``,
  ``"Standard Type"``, ``"Standard Relation"``, ``"Standard Value"``, ``"Standard Units"``,
  ``"Target Name"``, ``"Target Organism"``, ``"Document ChEMBL ID"`` ...) or the API's field
  names (``molecule_pref_name``, ``standard_type``, ``target_pref_name``, ...).
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import pandas as pd

from neuromoa.errors import DataFileError, NeuromoaError
from neuromoa.kb.knowledge_base import KnowledgeBase
from neuromoa.kb.loader import load_kb
from neuromoa.kb.schema import MEASURES

__all__ = ["IMPORT_COLUMNS", "import_chembl", "import_gtopdb", "write_activities"]

#: Columns of an imported table: the user activities schema plus ``status`` and ``message``.
IMPORT_COLUMNS = ["key", "compound", "target", "gene", "species", "measure", "text", "low",
                  "high", "unit", "condition", "mode", "reference", "citation", "confidence",
                  "is_default", "note", "status", "message"]

_MODE_WORDS = (("antagonist", "antagonist"), ("blocker", "blocker"), ("agonist", "agonist"),
               ("inhibitor", "inhibitor"), ("modulator", "modulator"))
_SPECIES = {"homo sapiens": "Human", "rattus norvegicus": "Rat", "mus musculus": "Mouse"}
_CHEMBL_UNITS = {"nm": "nM", "um": "uM", "µm": "uM", "mm": "mM", "pm": "pM", "m": "M"}


def _read_table(path: str | os.PathLike[str]) -> tuple[str, list[dict[str, str]]]:
    p = Path(path)
    if not p.is_file():
        raise DataFileError("file not found.", file=str(p))
    text = p.read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip('"').startswith("#")]
    if not lines:
        raise DataFileError("the file is empty.", file=str(p), row=1)
    delimiter = max(("\t", ";", ","), key=lines[0].count)
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    return str(p), rows


def _require(file: str, rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    have = set(rows[0]) if rows else set()
    for col in columns:
        if col not in have:
            raise DataFileError("required column is missing from the header.", file=file,
                                row=1, field=col)


def _num(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        return math.nan
    return x if math.isfinite(x) else math.nan


def _mode(text: str) -> str:
    low = text.lower()
    for word, mode in _MODE_WORDS:
        if word in low:
            return mode
    return ""


def _measure(text: str) -> str:
    for m in MEASURES:
        if text.strip().lower() == m.lower():
            return m
    return ""


def _resolve(kb: KnowledgeBase, compound: str, target_names: tuple[str, ...]
             ) -> tuple[str, str, str]:
    """Return (compound id, target id, message) — ids empty when not resolvable."""
    try:
        cid = kb.compound(compound).id
    except NeuromoaError:
        return "", "", (f"compound {compound!r} is not in the knowledge base (add it with a "
                        "compounds CSV)")
    for name in target_names:
        if not name:
            continue
        try:
            return cid, kb.target(name).id, ""
        except NeuromoaError:
            continue
    shown = " / ".join(n for n in target_names if n) or "(none)"
    return cid, "", f"target {shown} is not in the knowledge base"


def _row(**fields: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(IMPORT_COLUMNS, "")
    row.update(fields)
    return row


def import_gtopdb(path: str | os.PathLike[str], *, compound: str | None = None,
                  kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Convert a GtoPdb interactions export into the activities schema.

    Parameters
    ----------
    path : path-like
        The GtoPdb ``interactions.csv`` (or a subset of its rows).
    compound : str, optional
        Keep only rows whose ``Ligand`` resolves to this compound.
    kb : KnowledgeBase, optional
        Used to resolve ligand names and gene symbols (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IMPORT_COLUMNS`. Values in nM where GtoPdb gives the original value in
        nM, else as p-values (``unit`` ``pK``). Only ``=`` relations are ``ok``.
    """
    kb = kb or load_kb()
    file, rows = _read_table(path)
    _require(file, rows, ("Ligand", "Target Gene Symbol", "Target Species"))
    want = kb.compound(compound).id if compound is not None else None
    out = []
    for line, r in enumerate(rows, start=2):
        genes = tuple(g.strip() for g in r.get("Target Gene Symbol", "").split("|"))
        cid, tid, message = _resolve(kb, r["Ligand"], (*genes, r.get("Target", "")))
        if want is not None and cid != want:
            continue
        pmid = r.get("PubMed ID", "").split("|")[0].strip()
        ref = f"pmid{pmid}" if pmid else "gtopdb"
        citation = (f"PubMed {pmid} (via IUPHAR/BPS Guide to PHARMACOLOGY)" if pmid
                    else "IUPHAR/BPS Guide to PHARMACOLOGY (no PubMed id in the export)")
        relation = r.get("Original Affinity Relation", "") or "="
        orig_units = r.get("Original Affinity Units", "")
        nm = [_num(r.get(f"Original Affinity {k} nm", "")) for k in ("Low", "Median", "High")]
        nm = [x for x in nm if not math.isnan(x)]
        pk = [_num(r.get(f"Affinity {k}", "")) for k in ("Low", "Median", "High")]
        pk = [x for x in pk if not math.isnan(x)]
        if nm and _measure(orig_units):
            measure, low, high, unit = _measure(orig_units), min(nm), max(nm), "nM"
        elif pk and _measure(r.get("Affinity Units", "")):
            measure, low, high, unit = _measure(r["Affinity Units"]), min(pk), max(pk), "pK"
        else:
            measure, low, high, unit = orig_units or r.get("Affinity Units", ""), math.nan, \
                math.nan, ""
            message = message or "no numeric affinity with a known measure"
        if not message and relation != "=":
            message = f"censored value (relation {relation!r}); not a point estimate"
        text = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        out.append(_row(
            key=f"gtopdb:{Path(file).name}:{line}", compound=cid or r["Ligand"],
            target=tid or "|".join(genes), gene=";".join(g for g in genes if g),
            species=r.get("Target Species", ""), measure=measure, text=text, low=low, high=high,
            unit=unit, condition=r.get("Assay Description", ""), mode=_mode(r.get("Type", "")),
            reference=ref, citation=citation, confidence="M", is_default="false",
            note=f"imported from GtoPdb ({Path(file).name} line {line})",
            status="skipped" if message else "ok", message=message))
    return pd.DataFrame(out, columns=IMPORT_COLUMNS)


def _chembl_field(r: dict[str, str], *names: str) -> str:
    norm = {k.lower().replace(" ", "_"): v for k, v in r.items()}
    for name in names:
        if norm.get(name):
            return norm[name]
    return ""


def import_chembl(path: str | os.PathLike[str], *, compound: str | None = None,
                  kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Convert a ChEMBL activity export (web CSV or API field names) into the activities schema.

    Parameters
    ----------
    path : path-like
        The export; ``;``-, tab- or comma-separated.
    compound : str, optional
        Keep only rows whose molecule resolves to this compound.
    kb : KnowledgeBase, optional
        Used to resolve molecule names and target names (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IMPORT_COLUMNS`; ``status`` ``ok`` only for ``=`` relations with a
        concentration unit and a known measure, a resolvable molecule and target.
    """
    kb = kb or load_kb()
    file, rows = _read_table(path)
    if rows:
        keys = {k.lower().replace(" ", "_") for k in rows[0]}
        for need in (("molecule_name", "molecule_pref_name"), ("standard_type",),
                     ("standard_value",), ("standard_units",),
                     ("target_name", "target_pref_name")):
            if not keys & set(need):
                raise DataFileError("required column is missing from the header.", file=file,
                                    row=1, field=need[0])
    want = kb.compound(compound).id if compound is not None else None
    out = []
    for line, r in enumerate(rows, start=2):
        mol = _chembl_field(r, "molecule_name", "molecule_pref_name")
        tname = _chembl_field(r, "target_name", "target_pref_name")
        cid, tid, message = _resolve(kb, mol, (tname,))
        if want is not None and cid != want:
            continue
        measure = _measure(_chembl_field(r, "standard_type"))
        value = _num(_chembl_field(r, "standard_value"))
        unit = _CHEMBL_UNITS.get(_chembl_field(r, "standard_units").lower(), "")
        relation = _chembl_field(r, "standard_relation").strip("'\"") or "="
        if not message and not measure:
            message = f"measure {_chembl_field(r, 'standard_type')!r} is not an affinity"
        if not message and (math.isnan(value) or not unit):
            message = "no numeric value with a concentration unit"
        if not message and relation != "=":
            message = f"censored value (relation {relation!r}); not a point estimate"
        doc = _chembl_field(r, "document_chembl_id")
        organism = _chembl_field(r, "target_organism")
        out.append(_row(
            key=f"chembl:{_chembl_field(r, 'activity_id') or Path(file).name + ':' + str(line)}",
            compound=cid or mol, target=tid or tname, gene="",
            species=_SPECIES.get(organism.lower(), organism), measure=measure,
            text=f"{value:g}" if not math.isnan(value) else "", low=value, high=value,
            unit=unit, condition=_chembl_field(r, "assay_description"), mode="",
            reference=doc.lower() if doc else "chembl",
            citation=(f"ChEMBL document {doc}" + (f", {_chembl_field(r, 'document_journal')} "
                                                  f"{_chembl_field(r, 'document_year')}"
                                                  if _chembl_field(r, 'document_journal') else ""))
            if doc else "ChEMBL (no document id in the export)",
            confidence="M", is_default="false",
            note=f"imported from ChEMBL ({Path(file).name} line {line})",
            status="skipped" if message else "ok", message=message))
    return pd.DataFrame(out, columns=IMPORT_COLUMNS)


def write_activities(frame: pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write the ``ok`` rows of an imported table as a user activities CSV; return their number.

    The file loads with ``load_kb(user_files=[path])``. Imported rows are written with
    ``is_default=false`` so they add sources rather than replace the shipped defaults.
    """
    ok = frame[frame["status"] == "ok"]
    cols = [c for c in IMPORT_COLUMNS if c not in ("status", "message")]
    ok[cols].to_csv(path, index=False)
    return len(ok)
