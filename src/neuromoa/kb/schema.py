"""Column dictionary of the knowledge-base files and the row-level validation.

Each file is a CSV with a header row. A :class:`Column` says whether a field is required,
its kind (text, number, integer, boolean, enumeration, unit) and its allowed values; the
reader checks every row and raises :class:`~neuromoa.errors.DataFileError` naming the file,
the row (the line number in the file, header = line 1, as a spreadsheet shows it) and the
field. The same rules apply to shipped files and to the user's.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from neuromoa.errors import DataFileError, UnitError
from neuromoa.units import as_molar, as_seconds, as_volts

__all__ = [
    "ACTIVITY_COLUMNS",
    "P_MEASURES",
    "COMPOUND_COLUMNS",
    "CONFIDENCE",
    "CONSTANT_COLUMNS",
    "EFFECT_CLASSES",
    "FAMILIES",
    "P_UNIT",
    "REFERENCE_COLUMNS",
    "TARGET_COLUMNS",
    "Column",
    "check_measure_unit",
    "concentration_to_molar",
    "constant_to_si",
    "read_rows",
    "split_list",
]

#: Allowed target families (data/kb/README.md).
FAMILIES = ("transporter", "GPCR", "ion channel", "receptor tyrosine kinase")
#: Allowed effect classes of a target's consequence (data/kb/README.md).
EFFECT_CLASSES = ("therapeutic", "adverse", "mixed")
#: Confidence grades (FACTS.md): primary/label, abstract/agreeing secondary, unverified.
CONFIDENCE = ("H", "M", "U")
#: Compound roles (data/kb/README.md).
ROLES = ("drug", "metabolite", "reference")
#: Row origins: the source document's tables, FACTS.md, a user file.
ORIGINS = ("document", "facts", "user")
#: Measures an activity row may state.
MEASURES = ("Ki", "KD", "Kd", "IC50", "EC50", "KB", "pKi", "pKd", "pIC50", "pKB", "pA2")
#: Measures stated as negative decadic logarithms of a molar value; their unit must be ``pK``.
P_MEASURES = ("pKi", "pKd", "pIC50", "pKB", "pA2")
#: Modes of action.
MODES = ("inhibitor", "antagonist", "blocker", "agonist", "modulator", "substrate", "")
#: The unit of negative decadic logarithms of molar values (pKi 7.18 → 10^-7.18 M).
P_UNIT = "pK"
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0", "")


@dataclass(frozen=True)
class Column:
    """One column of a knowledge-base file: name, required, kind and allowed values."""

    name: str
    required: bool
    kind: str = "text"  # text | float | int | bool | enum | list
    choices: tuple[str, ...] = ()
    doc: str = ""


COMPOUND_COLUMNS = (
    Column("id", True, doc="lower-case identifier"),
    Column("name", True, doc="display name"),
    Column("role", True, "enum", ROLES),
    Column("parent", False, doc="parent compound id for a metabolite"),
    Column("mw_base", True, "float", doc="molecular weight of the free base, g/mol"),
    Column("mw_salt", False, "float", doc="molecular weight of the salt, g/mol"),
    Column("salt", False, doc="salt form of mw_salt, e.g. HCl"),
    Column("pubchem_cid", False, "int"),
    Column("inchikey", False),
    Column("inchikey_confidence", False, "enum", CONFIDENCE),
    Column("inchikey_source", False),
    Column("synonyms", False, "list", doc="';'-separated"),
    Column("reference", False, "list", doc="reference ids, ';'-separated"),
    Column("note", False),
)

TARGET_COLUMNS = (
    Column("id", True),
    Column("name", True),
    Column("genes", True, "list", doc="HGNC symbols, ';'-separated"),
    Column("uniprot", False, "list", doc="UniProt accessions, ';'-separated"),
    Column("family", True, "enum", FAMILIES),
    Column("consequence", True),
    Column("effect_class", True, "enum", EFFECT_CLASSES),
    Column("reference", True, "list"),
    Column("confidence", True, "enum", CONFIDENCE),
    Column("synonyms", False, "list"),
    Column("note", False),
)

ACTIVITY_COLUMNS = (
    Column("key", True, doc="unique row id"),
    Column("compound", True),
    Column("target", True, doc="target id or HGNC symbol"),
    Column("doc_target", False, doc="target name as printed in the source document"),
    Column("gene", False, "list", doc="measured gene(s); empty = the target's genes"),
    Column("species", True, doc="as printed: Human / Rat / Not Specified"),
    Column("corrected_species", False),
    Column("measure", True, "enum", MEASURES),
    Column("text", True, doc="value text exactly as printed"),
    Column("low", True, "float"),
    Column("high", True, "float"),
    Column("unit", True, doc="nM, uM, mM, M for Ki/KD/IC50/EC50/KB; pK (= -log10 M) for "
                             "pKi/pKd/pIC50/pKB/pA2"),
    Column("condition", False, doc="state/condition as printed"),
    Column("corrected_condition", False),
    Column("state", False, "enum", ("open", "inactivated", "resting", "")),
    Column("mode", False, "enum", MODES),
    Column("doc_table", False),
    Column("doc_row", False, "int"),
    Column("doc_reference", False, doc="reference number(s) as printed, e.g. [9][10]"),
    Column("reference", True, "list"),
    Column("corrected_reference", False, "list"),
    Column("correction", False),
    Column("confidence", True, "enum", CONFIDENCE),
    Column("origin", True, "enum", ORIGINS),
    Column("is_default", True, "bool"),
    Column("note", False),
)

CONSTANT_COLUMNS = (
    Column("name", True),
    Column("value", True, "float"),
    Column("unit", True),
    Column("low", False, "float"),
    Column("high", False, "float"),
    Column("reference", True, "list"),
    Column("confidence", True, "enum", CONFIDENCE),
    Column("note", False),
)

REFERENCE_COLUMNS = (
    Column("id", True),
    Column("citation", True),
    Column("doi", False),
    Column("pmid", False),
    Column("url", False),
    Column("kind", False),
    Column("note", False),
)


def split_list(text: str) -> tuple[str, ...]:
    """Split a ``;``-separated field into stripped, non-empty items."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _parse(value: str, col: Column, file: str, row: int) -> object:
    text = value.strip()
    if col.kind == "text":
        return text
    if col.kind == "list":
        return split_list(text)
    if col.kind == "float":
        if not text:
            return math.nan
        try:
            x = float(text)
        except ValueError:
            raise DataFileError(f"{text!r} is not a number.", file=file, row=row,
                                field=col.name) from None
        if not math.isfinite(x):
            raise DataFileError(f"{text!r} is not a finite number.", file=file, row=row,
                                field=col.name)
        return x
    if col.kind == "int":
        if not text:
            return 0
        try:
            return int(text)
        except ValueError:
            raise DataFileError(f"{text!r} is not an integer.", file=file, row=row,
                                field=col.name) from None
    if col.kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise DataFileError(f"{text!r} is not true/false.", file=file, row=row, field=col.name)
    if col.kind == "enum":
        if not text and not col.required:
            return ""
        for choice in col.choices:
            if text.lower() == choice.lower():
                return choice
        allowed = ", ".join(repr(c) for c in col.choices if c)
        raise DataFileError(f"{text!r} is not allowed; use one of {allowed}.", file=file,
                            row=row, field=col.name)
    raise ValueError(f"unknown column kind {col.kind!r}")  # pragma: no cover - programming error


def read_rows(text: str, file: str, columns: tuple[Column, ...], *,
              defaults: Mapping[str, str] | None = None) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield ``(line, row)`` for each data row of the CSV ``text``, parsed and checked.

    ``defaults`` fills optional or required columns absent from the header (used for user
    files, where e.g. ``origin`` is always ``user``). Unknown columns, missing required
    columns and empty required fields raise :class:`DataFileError`.
    """
    defaults = dict(defaults or {})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise DataFileError("the file is empty; it needs a header row.", file=file, row=1)
    known = {c.name for c in columns}
    for name in header:
        if name not in known:
            raise DataFileError(f"unknown column; allowed columns: {', '.join(sorted(known))}.",
                                file=file, row=1, field=name)
    for col in columns:
        if col.required and col.name not in header and col.name not in defaults:
            raise DataFileError("required column is missing from the header.", file=file,
                                row=1, field=col.name)
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            raise DataFileError("the row has more fields than the header.", file=file, row=line)
        cells = {(k or "").strip(): (v if v is not None else "") for k, v in raw.items()}
        if not any(str(v).strip() for v in cells.values()):
            continue
        row: dict[str, object] = {}
        for col in columns:
            value = cells.get(col.name)
            if value is None or (not value.strip() and col.name in defaults):
                value = defaults.get(col.name, "")
            if (col.required and not value.strip() and col.kind != "bool"
                    and col.name not in defaults):
                raise DataFileError("required field is empty.", file=file, row=line,
                                    field=col.name)
            row[col.name] = _parse(value, col, file, line)
        yield line, row


def check_measure_unit(measure: str, unit: str, *, file: str, row: int) -> str:
    """Return the unit to use for ``measure``, or raise if measure and unit disagree.

    A p-measure (:data:`P_MEASURES`: pKi 8.4 = 10^-8.4 M) takes the unit ``pK`` (an empty unit
    means ``pK``); any other measure (Ki, KD, IC50 ...) needs a concentration unit (nM, uM,
    mM, M). ``pKi 8.4 nM`` or ``Ki 2.9 pK`` would otherwise be stored silently as a value a
    million-fold off, so both raise :class:`DataFileError` naming the row and field ``unit``.
    """
    unit = unit.strip()
    if measure in P_MEASURES:
        if unit in ("", P_UNIT):
            return P_UNIT
        raise DataFileError(f"measure {measure!r} is a -log10 molar value and needs unit "
                            f"{P_UNIT!r} (or an empty unit), not {unit!r}; for a value in "
                            f"{unit} use measure {measure[1:]!r}.", file=file, row=row,
                            field="unit")
    if unit == P_UNIT or not unit:
        raise DataFileError(f"measure {measure!r} needs a concentration unit (nM, uM, mM, M), "
                            f"not {unit or 'an empty unit'!r}; for a -log10 value use measure "
                            f"'p{measure}'.", file=file, row=row, field="unit")
    return unit


def concentration_to_molar(value: float, unit: str, *, file: str, row: int,
                           field: str) -> float:
    """Convert ``value`` in ``unit`` (nM, uM, µM, mM, M, or ``pK`` = -log10 M) to mol/L."""
    if unit.strip() == P_UNIT:
        return _tidy(10.0 ** (-value))
    try:
        return _tidy(as_molar(f"{value!r} {unit}", what=field))
    except UnitError as exc:
        raise DataFileError(f"unit {unit!r}: {exc}", file=file, row=row, field=field) from None


def _tidy(x: float) -> float:
    """Drop binary noise from a unit conversion (3.4500000000000003e-09 → 3.45e-09).

    Stored values have at most 4 significant digits, so rounding to 12 loses nothing.
    """
    return float(f"{x:.12g}")


def constant_to_si(value: float, unit: str, *, file: str, row: int, field: str) -> float:
    """Convert a constant to its canonical SI unit: concentration → M, time → s, voltage → V.

    ``dimensionless`` (or ``1``) keeps the number. Any other dimension is an error.
    """
    if unit.strip() in ("dimensionless", "1", ""):
        return value
    text = f"{value!r} {unit}"
    for convert in (lambda t: as_molar(t, what=field), lambda t: as_seconds(t, what=field),
                    lambda t: as_volts(t, what=field)):
        try:
            return convert(text)
        except UnitError:
            continue
    raise DataFileError(f"unit {unit!r} is not a concentration, time, voltage or "
                        "'dimensionless'.", file=file, row=row, field=field)
