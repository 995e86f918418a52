"""The shipped pharmacokinetic parameters (``data/exposure/*.csv``), loaded and validated.

Exposure sits in the same layer as the knowledge base and may not import it, so the few
compound facts it needs (molecular weights, salt) live in its own data files, each value with
a source and a confidence (see ``data/exposure/README.md``).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, UnknownCompoundError

__all__ = ["PKCompound", "PKParameter", "available_compounds", "pk_compound", "pk_references"]

_COMPOUND_COLUMNS = ("compound", "synonyms", "mw_base_g_mol", "mw_salt_g_mol", "salt", "source",
                     "confidence", "note")
_PARAM_COLUMNS = ("compound", "parameter", "value", "unit", "low", "high", "source", "confidence",
                  "note")
_REF_COLUMNS = ("id", "citation", "note")
_CONFIDENCE = {"H", "M", "U"}
# The unit each known parameter must be given in (the kernel works in L, h, mol).
_PARAM_UNITS = {"ka": "1/h", "cl_f": "L/h", "v_f": "L", "cl": "L/h", "t_half": "h", "f_oral": "1",
                "fu": "1", "fm_nortriptyline": "1", "max_daily_dose": "mg/day"}


@dataclass(frozen=True)
class PKParameter:
    """One sourced parameter value: ``value`` in ``unit``, optional range, source, confidence."""

    name: str
    value: float
    unit: str
    low: float | None
    high: float | None
    source: str
    confidence: str
    note: str


@dataclass(frozen=True)
class PKCompound:
    """A compound's molecular weights and pharmacokinetic parameters."""

    name: str
    synonyms: tuple[str, ...]
    mw_base: float
    mw_salt: float
    salt: str
    parameters: dict[str, PKParameter] = field(default_factory=dict)

    def value(self, name: str) -> float:
        """The value of parameter ``name`` (raises :class:`DataFileError` if it is missing)."""
        try:
            return self.parameters[name].value
        except KeyError as exc:
            raise DataFileError(f"no '{name}' parameter for {self.name}",
                                file="exposure/parameters.csv") from exc

    def has(self, name: str) -> bool:
        """Whether parameter ``name`` is given for this compound."""
        return name in self.parameters


def _read(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = f"exposure/{name}"
    frame = pd.read_csv(io.StringIO(read_text("exposure", name)), dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", file=path)
    return frame


def _float(text: str, *, file: str, row: int, fld: str, optional: bool = False) -> float | None:
    if text.strip() == "" and optional:
        return None
    try:
        x = float(text)
    except ValueError as exc:
        raise DataFileError(f"{text!r} is not a number", file=file, row=row, field=fld) from exc
    if not math.isfinite(x) or x <= 0:
        raise DataFileError(f"{text!r} must be a positive finite number", file=file, row=row,
                            field=fld)
    return x


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, PKCompound], pd.DataFrame]:
    refs = _read("references.csv", _REF_COLUMNS)
    ref_ids = set(refs["id"])
    comps = _read("compounds.csv", _COMPOUND_COLUMNS)
    params = _read("parameters.csv", _PARAM_COLUMNS)
    by_name: dict[str, dict] = {}
    for i, row in comps.iterrows():
        r = int(i) + 2  # header is line 1
        file = "exposure/compounds.csv"
        name = row["compound"].strip().lower()
        if name in by_name:
            raise DataFileError(f"duplicate compound {name!r}", file=file, row=r, field="compound")
        if row["source"] and row["confidence"] not in _CONFIDENCE:
            raise DataFileError(f"confidence must be one of H, M, U; got {row['confidence']!r}",
                                file=file, row=r, field="confidence")
        by_name[name] = {
            "name": name,
            "synonyms": tuple(s.strip() for s in row["synonyms"].split(";") if s.strip()),
            "mw_base": _float(row["mw_base_g_mol"], file=file, row=r, fld="mw_base_g_mol"),
            "mw_salt": _float(row["mw_salt_g_mol"], file=file, row=r, fld="mw_salt_g_mol"),
            "salt": row["salt"].strip(),
            "parameters": {},
        }
    for i, row in params.iterrows():
        r = int(i) + 2
        file = "exposure/parameters.csv"
        name = row["compound"].strip().lower()
        if name not in by_name:
            raise DataFileError(f"compound {name!r} is not in exposure/compounds.csv", file=file,
                                row=r, field="compound")
        pname = row["parameter"].strip()
        if pname not in _PARAM_UNITS:
            raise DataFileError(f"unknown parameter {pname!r} (known: {', '.join(_PARAM_UNITS)})",
                                file=file, row=r, field="parameter")
        if row["unit"].strip() != _PARAM_UNITS[pname]:
            raise DataFileError(f"unit of {pname} must be {_PARAM_UNITS[pname]!r}, got "
                                f"{row['unit']!r}", file=file, row=r, field="unit")
        if row["source"] not in ref_ids:
            raise DataFileError(f"source {row['source']!r} is not an id in exposure/references.csv",
                                file=file, row=r, field="source")
        if row["confidence"] not in _CONFIDENCE:
            raise DataFileError(f"confidence must be one of H, M, U; got {row['confidence']!r}",
                                file=file, row=r, field="confidence")
        if pname in by_name[name]["parameters"]:
            raise DataFileError(f"duplicate parameter {pname!r} for {name}", file=file, row=r,
                                field="parameter")
        by_name[name]["parameters"][pname] = PKParameter(
            name=pname,
            value=_float(row["value"], file=file, row=r, fld="value"),
            unit=row["unit"].strip(),
            low=_float(row["low"], file=file, row=r, fld="low", optional=True),
            high=_float(row["high"], file=file, row=r, fld="high", optional=True),
            source=row["source"],
            confidence=row["confidence"],
            note=row["note"],
        )
    compounds = {n: PKCompound(**d) for n, d in by_name.items()}
    return compounds, refs


def available_compounds() -> list[str]:
    """Names of the compounds exposure can simulate."""
    return sorted(_load()[0])


def pk_compound(name: str) -> PKCompound:
    """The :class:`PKCompound` for ``name`` or one of its synonyms (case-insensitive).

    Raises :class:`UnknownCompoundError` listing the compounds that have exposure data.
    """
    compounds = _load()[0]
    key = str(name).strip().lower()
    if key in compounds:
        return compounds[key]
    for comp in compounds.values():
        if key in (s.lower() for s in comp.synonyms):
            return comp
    raise UnknownCompoundError(
        f"No pharmacokinetic data for compound {name!r}; exposure knows "
        f"{', '.join(sorted(compounds))} (data/exposure/compounds.csv).")


def pk_references() -> pd.DataFrame:
    """The references the exposure parameters cite (``id citation note``)."""
    return _load()[1].copy()
