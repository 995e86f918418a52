"""Assay protocols and parameters as data: ``data/assays/protocols.csv`` and ``parameters.csv``.

Every number the simulators and analyses use by default comes from those two files, each with
its source or marked as an assumption (see ``data/assays/README.md``). Values are converted once,
here, to SI floats (mol/L, mol/s, L/s, L, s, g, Ci/mol); rates of counting stay in counts per
minute (CPM), the unit counters report.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import ParameterError, UnknownTargetError
from neuromoa.units import Q_, as_molar

__all__ = [
    "ASSAYS",
    "Protocol",
    "assay_parameters",
    "parameter_table",
    "protocol",
    "protocols",
]

#: The two assay kinds (the registry the CLI choices and tests read).
ASSAYS: tuple[str, ...] = ("uptake", "binding")

#: How each unit in ``parameters.csv`` becomes the canonical float (pint target unit, or None
#: for units that are already canonical: dimensionless fractions, CPM, degC, log10 units).
_CANONICAL: dict[str, str | None] = {
    "nM": "M",
    "uM": "M",
    "Ci/mmol": "Ci/mol",
    "pmol/min": "mol/s",
    "uL/min": "L/s",
    "uL": "L",
    "min": "s",
    "ug": "g",
    "pmol/mg": "mol/g",
    "cpm": None,
    "dimensionless": None,
    "degC": None,
    "log10 units": None,
}


@dataclass(frozen=True)
class Protocol:
    """One assay protocol: the biological system, the label and the reference inhibitor.

    Attributes
    ----------
    assay : "uptake" or "binding".
    target : target id (SERT, NET, M1).
    system : cells or membranes used.
    label : the radiolabelled substrate or radioligand.
    label_constant : knowledge-base constant with its Km (uptake) or Kd (binding).
    reference_inhibitor : compound that defines non-specific signal at saturating concentration.
    reference_inhibitor_conc_M : its concentration in the non-specific wells, mol/L.
    reference_inhibitor_ki_constant : knowledge-base constant with its Ki.
    reference : where the protocol comes from.
    """

    assay: str
    target: str
    system: str
    label: str
    label_constant: str
    reference_inhibitor: str
    reference_inhibitor_conc_M: float
    reference_inhibitor_ki_constant: str
    reference: str


@lru_cache(maxsize=1)
def _protocols() -> tuple[Protocol, ...]:
    frame = pd.read_csv(io.StringIO(read_text("assays", "protocols.csv")), dtype=str)
    out = []
    for row in frame.itertuples(index=False):
        out.append(Protocol(
            assay=row.assay, target=row.target, system=row.system, label=row.label,
            label_constant=row.label_constant, reference_inhibitor=row.reference_inhibitor,
            reference_inhibitor_conc_M=as_molar(row.reference_inhibitor_conc,
                                                what="protocols.csv reference_inhibitor_conc"),
            reference_inhibitor_ki_constant=row.reference_inhibitor_ki_constant,
            reference=row.reference))
    return tuple(out)


def protocols(assay: str | None = None) -> tuple[Protocol, ...]:
    """All shipped protocols, optionally of one assay kind."""
    return tuple(p for p in _protocols() if assay is None or p.assay == assay)


def _check_assay(assay: str) -> str:
    a = str(assay).strip().lower()
    if a not in ASSAYS:
        raise ParameterError(f"Unknown assay {assay!r}; expected one of {', '.join(ASSAYS)}.")
    return a


def protocol(assay: str, target: str) -> Protocol:
    """The protocol of ``assay`` ("uptake"/"binding") at ``target`` (case-insensitive id)."""
    a = _check_assay(assay)
    for p in protocols(a):
        if p.target.lower() == str(target).strip().lower():
            return p
    known = ", ".join(p.target for p in protocols(a))
    raise UnknownTargetError(f"No {a} protocol for target {target!r}; shipped: {known}.")


@lru_cache(maxsize=1)
def parameter_table() -> pd.DataFrame:
    """The shipped parameter table with an added ``value_si`` column (canonical float)."""
    frame = pd.read_csv(io.StringIO(read_text("assays", "parameters.csv")))
    si = []
    for row in frame.itertuples(index=False):
        if row.unit not in _CANONICAL:
            raise ParameterError(f"data/assays/parameters.csv: parameter {row.parameter!r} has "
                                 f"unit {row.unit!r}, which the assays module does not know.")
        target_unit = _CANONICAL[row.unit]
        value = float(row.value)
        si.append(value if target_unit is None
                  else float(Q_(value, row.unit).to(target_unit).magnitude))
    frame["value_si"] = si
    return frame


def assay_parameters(assay: str, target: str | None = None) -> dict[str, float]:
    """Default parameters of ``assay`` at ``target`` as canonical floats (a fresh dict).

    Rows for the specific target override rows for all targets (``*``); rows for all assays
    (``*``) are included.
    """
    return dict(_assay_parameters(_check_assay(assay), None if target is None else str(target)))


@lru_cache(maxsize=32)
def _assay_parameters(a: str, target: str | None) -> dict[str, float]:
    table = parameter_table()
    out: dict[str, float] = {}
    for level in ("*", a):
        rows = table[table["assay"] == level]
        for tgt in ("*", target):
            if tgt is None:
                continue
            sel = rows[rows["target"].str.lower() == str(tgt).lower()]
            for row in sel.itertuples(index=False):
                out[row.parameter] = float(row.value_si)
    if not all(math.isfinite(v) for v in out.values()):
        raise ParameterError(f"data/assays/parameters.csv: a {a} parameter is not finite.")
    return out
