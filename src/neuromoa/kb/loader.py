"""Load the knowledge base: read and validate the shipped CSV files, merge the user's over them.

Compounds come from the one identity table (:mod:`neuromoa.data.compounds`); targets,
constants, references and activities from ``data/kb/`` (column dictionary in its README).
User files are activity CSVs, compound CSVs (recognised by a ``mw_base`` column) or user-data
TOML files (:func:`neuromoa.data.compounds.read_user_data`); those made active with
:func:`neuromoa.data.compounds.use_user_data` (``--user-data``) are always merged.
"""

from __future__ import annotations

import csv
import functools
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.data.compounds import (
    CompoundTable,
    identity_table,
    user_data,
    user_data_files,
)
from neuromoa.errors import DataFileError, UnknownCompoundError
from neuromoa.kb.knowledge_base import ACTIVITY_FRAME_COLUMNS, KnowledgeBase, _target_index
from neuromoa.kb.records import Constant, Target
from neuromoa.kb.schema import (
    ACTIVITY_COLUMNS,
    CONSTANT_COLUMNS,
    P_UNIT,
    REFERENCE_COLUMNS,
    TARGET_COLUMNS,
    Column,
    check_measure_unit,
    concentration_to_molar,
    constant_to_si,
    read_rows,
)

__all__ = ["load_kb"]

_SHIPPED = "neuromoa/data/kb/"
_UNSPECIFIED = "not specified"
# Columns a user's activity file may omit, with the value they take.
_USER_ACTIVITY_DEFAULTS = {"origin": "user", "is_default": "true", "confidence": "U"}
# A user file may leave ``unit`` empty for a p-measure (pKi ...): it then means pK.
_USER_EMPTY_OK = {"unit": ""}
# Extra columns a user activity file may carry: a citation for a reference id of its own.
_USER_ACTIVITY_COLUMNS = (*ACTIVITY_COLUMNS, Column("citation", False))


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _species_key(text: str) -> str:
    t = _norm(text)
    return t if t else _UNSPECIFIED


# --------------------------------------------------------------------- loading
def _read(file: str, text: str, columns: tuple[Column, ...],
          defaults: dict[str, str] | None = None) -> list[tuple[int, dict[str, object]]]:
    return list(read_rows(text, file, columns, defaults=defaults))


def _user_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    p = Path(path)
    if not p.is_file():
        raise DataFileError("file not found.", file=str(p))
    try:
        return str(p), p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text CSV file.", file=str(p)) from None


def _header(text: str) -> set[str]:
    lines = text.lstrip("\ufeff").splitlines()
    first = next(csv.reader(lines[:1]), []) if lines else []
    return {h.strip() for h in first}


def _build(user_files: Sequence[str | os.PathLike[str]]) -> KnowledgeBase:
    # references
    ref_file = _SHIPPED + "references.csv"
    ref_rows = _read(ref_file, read_text("kb", "references.csv"), REFERENCE_COLUMNS)
    references: dict[str, dict[str, object]] = {}
    for line, r in ref_rows:
        rid = str(r["id"])
        if rid in references:
            raise DataFileError(f"duplicate reference id {rid!r}.", file=ref_file, row=line,
                                field="id")
        references[rid] = r
    refs = set(references)

    def check_refs(file: str, line: int, field: str, ids: Iterable[str]) -> None:
        for ref in ids:
            if ref not in refs:
                raise DataFileError(f"reference {ref!r} is not in references.csv.", file=file,
                                    row=line, field=field)

    # compounds: the one identity table (data/identity), with the user's compounds over it
    files = user_data_files(user_files)
    table = identity_table(files)
    shipped_ids = set(identity_table(()).ids) if files else set()
    messages: list[str] = [f"{c.origin}: compound {c.id!r} replaces the shipped record."
                           for c in table if c.user and c.id in shipped_ids]

    # user files: sort into compounds and activities by their header (TOML: both)
    user_activity_texts: list[tuple[str, str]] = []
    for path in files:
        if str(path).lower().endswith(".toml"):
            text = user_data(str(path)).activities_csv()
            if text:
                user_activity_texts.append((str(path), text))
            continue
        file, text = _user_text(path)
        header = _header(text)
        if "mw_base" in header:
            continue  # a compounds CSV: read into the identity table above
        if "target" in header or "compound" in header:
            user_activity_texts.append((file, text))
        else:
            raise DataFileError("not a knowledge-base file: an activities file needs columns "
                                "compound, target, species, measure, low, high, unit, reference; "
                                "a compounds file needs id, name, mw_base.", file=file, row=1)

    # targets
    targ_file = _SHIPPED + "targets.csv"
    targets: dict[str, Target] = {}
    for line, r in _read(targ_file, read_text("kb", "targets.csv"), TARGET_COLUMNS):
        check_refs(targ_file, line, "reference", r["reference"])  # type: ignore[arg-type]
        tid = str(r["id"])
        if tid in targets:
            raise DataFileError(f"duplicate target id {tid!r}.", file=targ_file, row=line,
                                field="id")
        targets[tid] = Target(
            id=tid, name=str(r["name"]), genes=tuple(r["genes"]),  # type: ignore[arg-type]
            uniprot=tuple(r["uniprot"]), family=str(r["family"]),  # type: ignore[arg-type]
            consequence=str(r["consequence"]), effect_class=str(r["effect_class"]),
            reference=";".join(r["reference"]), confidence=str(r["confidence"]),  # type: ignore[arg-type]
            synonyms=tuple(r["synonyms"]), note=str(r["note"]))  # type: ignore[arg-type]
    targ_index = _target_index(targets)

    # constants
    const_file = _SHIPPED + "constants.csv"
    constants: dict[str, Constant] = {}
    for line, r in _read(const_file, read_text("kb", "constants.csv"), CONSTANT_COLUMNS):
        check_refs(const_file, line, "reference", r["reference"])  # type: ignore[arg-type]
        name = str(r["name"])
        if name in constants:
            raise DataFileError(f"duplicate constant {name!r}.", file=const_file, row=line,
                                field="name")
        unit = str(r["unit"])
        si = {f: (constant_to_si(float(r[f]), unit, file=const_file, row=line, field=f)  # type: ignore[arg-type]
                  if math.isfinite(float(r[f])) else math.nan)  # type: ignore[arg-type]
              for f in ("value", "low", "high")}
        if math.isfinite(si["low"]) and math.isfinite(si["high"]) and not (
                si["low"] <= si["value"] <= si["high"]):
            raise DataFileError("value must lie within [low, high].", file=const_file, row=line,
                                field="value")
        constants[name] = Constant(
            name=name, value=float(r["value"]), unit=unit, value_si=si["value"],  # type: ignore[arg-type]
            reference=";".join(r["reference"]), confidence=str(r["confidence"]),  # type: ignore[arg-type]
            note=str(r["note"]), low_si=si["low"], high_si=si["high"])

    # activities: shipped, then user overlays
    act_file = _SHIPPED + "activities.csv"
    records: list[dict[str, object]] = []
    by_key: dict[str, int] = {}

    def add_rows(file: str, text: str, user: bool) -> None:
        columns = _USER_ACTIVITY_COLUMNS if user else ACTIVITY_COLUMNS
        defaults = dict(_USER_ACTIVITY_DEFAULTS) if user else None
        if user:
            defaults = {**_USER_ACTIVITY_DEFAULTS, **_USER_EMPTY_OK, "key": "", "text": ""}
            for name in _USER_EMPTY_OK:  # may be empty, but the column must be there
                if name not in _header(text):
                    raise DataFileError("required column is missing from the header.",
                                        file=file, row=1, field=name)
        for line, r in _read(file, text, columns, defaults=defaults):
            rec = _activity_record(file, line, r, user, table, targ_index, targets,
                                   refs, references)
            key = str(rec["key"])
            if key in by_key:
                if not user:
                    raise DataFileError(f"duplicate key {key!r}.", file=file, row=line,
                                        field="key")
                old = records[by_key[key]]
                messages.append(f"{file} row {line}: replaces shipped row {key!r} "
                                f"({old['compound']} at {old['target']}).")
                rec["replaces"] = key
                records[by_key[key]] = rec
                continue
            if rec["is_default"]:
                slot = _slot(rec)
                for idx, other in enumerate(records):
                    if other["is_default"] and _slot(other) == slot:
                        if not user or other["user"]:
                            raise DataFileError(
                                f"a second default row for {slot[0]} at {slot[1]} "
                                f"(condition {rec['condition'] or 'unspecified'!r}, species "
                                f"{rec['effective_species']!r}; first: {other['key']!r}); set is_default "
                                "to false on one of them.", file=file, row=line,
                                field="is_default")
                        other["is_default"] = False
                        rec["replaces"] = other["key"]
                        messages.append(
                            f"{file} row {line}: replaces the shipped default {other['key']!r} "
                            f"for {slot[0]} at {slot[1]} (kept, selectable with "
                            f"source={other['key']!r}).")
                        records[idx] = other
            by_key[key] = len(records)
            records.append(rec)

    add_rows(act_file, read_text("kb", "activities.csv"), user=False)
    for file, text in user_activity_texts:
        add_rows(file, text, user=True)

    frame = pd.DataFrame.from_records(records, columns=ACTIVITY_FRAME_COLUMNS)
    frame = frame.astype({"low_M": float, "high_M": float, "value_M": float, "user": bool,
                          "is_default": bool, "doc_row": "Int64"})
    ref_frame = pd.DataFrame([{c.name: (";".join(v) if isinstance(v := r[c.name], tuple)
                                        else v) for c in REFERENCE_COLUMNS}
                              for r in references.values()])
    return KnowledgeBase(compounds=table, targets=targets, activities=frame,
                         constants=constants, references=ref_frame, overlay_messages=messages,
                         user_files=[str(p) for p in files])


def _slot(rec: dict[str, object]) -> tuple[str, str, str, str]:
    """Overlay key: compound, target, condition ('Not Specified' = empty), effective species."""
    cond = _norm(str(rec["condition"]))
    return (str(rec["compound"]), str(rec["target"]), "" if cond == _UNSPECIFIED else cond,
            _species_key(str(rec["effective_species"])))


def _activity_record(file: str, line: int, r: dict[str, object], user: bool,
                     table: CompoundTable, targ_index: dict[str, str],
                     targets: dict[str, Target], refs: set[str],
                     references: dict[str, dict[str, object]]) -> dict[str, object]:
    try:
        comp = table.resolve(str(r["compound"])).id
    except UnknownCompoundError as exc:
        raise DataFileError(f"{exc.args[0]}", file=file, row=line, field="compound") from None
    tid = targ_index.get(_norm(str(r["target"])))
    if tid is None:
        raise DataFileError(f"unknown target {r['target']!r}; known: "
                            f"{' '.join(targets)}.", file=file, row=line, field="target")
    ref_ids = tuple(r["reference"])  # type: ignore[arg-type]
    citation = str(r.get("citation", "") or "")
    for ref in ref_ids:
        if ref not in refs:
            if user and citation:
                references[ref] = {"id": ref, "citation": citation, "doi": "", "pmid": "",
                                   "url": "", "kind": "user", "note": f"from {file}"}
                refs.add(ref)
                continue
            hint = " or give a 'citation' column" if user else ""
            raise DataFileError(f"reference {ref!r} is not in references.csv; use a known "
                                f"id{hint}.", file=file, row=line, field="reference")
    for ref in r["corrected_reference"]:  # type: ignore[union-attr]
        if ref not in refs:
            raise DataFileError(f"reference {ref!r} is not in references.csv.", file=file,
                                row=line, field="corrected_reference")
    low, high = float(r["low"]), float(r["high"])  # type: ignore[arg-type]
    unit = check_measure_unit(str(r["measure"]), str(r["unit"]), file=file, row=line)
    if low > high:
        raise DataFileError(f"low ({low:g}) is greater than high ({high:g}).", file=file,
                            row=line, field="low")
    if unit == P_UNIT:
        low_m = concentration_to_molar(high, unit, file=file, row=line, field="high")
        high_m = concentration_to_molar(low, unit, file=file, row=line, field="low")
    else:
        low_m = concentration_to_molar(low, unit, file=file, row=line, field="low")
        high_m = concentration_to_molar(high, unit, file=file, row=line, field="high")
    if not (low_m > 0 and high_m > 0):
        raise DataFileError("values must be positive concentrations.", file=file, row=line,
                            field="low")
    target = targets[tid]
    genes = tuple(r["gene"]) or target.genes  # type: ignore[arg-type]
    species = str(r["species"])
    corrected_species = str(r["corrected_species"])
    key = str(r["key"]) or f"user:{Path(file).name}:{line}"
    text = str(r["text"]) or (f"{low:g}" if low == high else f"{low:g}-{high:g}")
    origin = "user" if user else str(r["origin"])
    cites = [str(references[i]["citation"]) for i in ref_ids]
    return {
        "compound": comp, "target": tid, "gene": ";".join(genes), "species": species,
        "measure": r["measure"], "condition": str(r["condition"]), "state": str(r["state"]),
        "low_M": low_m, "high_M": high_m, "value_M": low_m if low_m == high_m else math.sqrt(low_m * high_m), "text": text,
        "unit": unit, "mode": str(r["mode"]), "reference": ";".join(ref_ids),
        "citation": " | ".join(cites), "correction": str(r["correction"]),
        "confidence": str(r["confidence"]), "origin": origin, "user": user, "key": key,
        "family": target.family, "doc_target": str(r["doc_target"]),
        "doc_table": str(r["doc_table"]), "doc_row": (int(r["doc_row"]) or None),  # type: ignore[call-overload]
        "doc_reference": str(r["doc_reference"]), "corrected_species": corrected_species,
        "corrected_condition": str(r["corrected_condition"]),
        "corrected_reference": ";".join(r["corrected_reference"]),  # type: ignore[arg-type]
        "effective_species": corrected_species or species, "is_default": bool(r["is_default"]),
        "replaces": "", "note": str(r["note"]), "consequence": target.consequence,
        "effect_class": target.effect_class,
    }


@functools.lru_cache(maxsize=8)
def _cached_kb(stamped: tuple[tuple[str, float], ...]) -> KnowledgeBase:
    return _build(tuple(f for f, _ in stamped))


def load_kb(user_files: Iterable[str | os.PathLike[str]] = ()) -> KnowledgeBase:
    """Load the shipped knowledge base, validated, with optional user files merged over it.

    Parameters
    ----------
    user_files : iterable of path-like
        CSV files in the activities schema (see ``data/kb/README.md``; a user file may omit
        ``key``, ``text``, ``origin``, ``is_default`` (default true) and ``confidence``
        (default U), and may add a ``citation`` column for a reference id of its own) or in the
        compounds schema (recognised by its ``mw_base`` column). User activity rows are marked
        ``user=True``/``origin="user"``; a user row for an existing compound/target/condition/
        species replaces the shipped default (which stays selectable by its key) and the
        :attr:`KnowledgeBase.overlay_messages` say so.

    Returns
    -------
    KnowledgeBase
        Without user files, one cached instance.

    Raises
    ------
    DataFileError
        Naming file, row (line number, header = 1) and field.
    """
    files = user_data_files(tuple(user_files))
    return _cached_kb(tuple((f, Path(f).stat().st_mtime if Path(f).is_file() else -1.0)
                            for f in files))


