"""Plate layouts as data: which well holds what.

A layout is a tidy table with one row per well: ``well row column role`` plus either
``dose_index`` (a position in a dilution series, 0 = highest concentration) or
``compound`` and ``concentration_M``. The shipped default (``data/assays/layout_default.csv``)
is a 96-well plate with

* column 1 (A1–H1): **total** (vehicle) wells, 8;
* column 12 (A12–H12): **nsb** wells (reference inhibitor at a saturating concentration), 8;
* rows B–D, columns 2–11: the **test** compound, 10 points, half-log, in triplicate
  (column 2 = highest concentration);
* every other well **empty** (counted, ignored by the analysis).

Roles and their accepted spellings are in :data:`ROLE_SYNONYMS`.
"""

from __future__ import annotations

import io
import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import ParameterError, ProtocolError, check_number

__all__ = [
    "ROLES",
    "ROLE_SYNONYMS",
    "default_layout",
    "design_plate",
    "dilution_series",
    "layout_384",
    "normalise_role",
    "parse_well",
    "series_top",
]

#: The roles a well can have.
ROLES: tuple[str, ...] = ("total", "nsb", "test", "empty")

#: Accepted spellings (lower case) of each role.
ROLE_SYNONYMS: dict[str, str] = {
    "total": "total", "vehicle": "total", "control": "total", "max": "total", "b0": "total",
    "total binding": "total", "total uptake": "total",
    "nsb": "nsb", "ns": "nsb", "nonspecific": "nsb", "non-specific": "nsb",
    "non specific": "nsb", "min": "nsb", "reference": "nsb",
    "test": "test", "sample": "test", "compound": "test", "unknown": "test",
    "empty": "empty", "": "empty", "none": "empty", "unused": "empty",
}

_ROWS = "ABCDEFGHIJKLMNOP"
_WELL = re.compile(r"^\s*([A-Pa-p])\s*0*([1-9]|1\d|2[0-4])\s*$")


def normalise_role(text: object) -> str | None:
    """Return the canonical role of ``text`` or ``None`` if it is not a known spelling."""
    key = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return ROLE_SYNONYMS.get(key.strip().lower())


def parse_well(text: object) -> tuple[str, int] | None:
    """Parse a well id such as "C5" or "c05" into (row letter, column number), or ``None``."""
    m = _WELL.match(str(text))
    if m is None:
        return None
    return m.group(1).upper(), int(m.group(2))


@lru_cache(maxsize=1)
def _default_layout() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(read_text("assays", "layout_default.csv")),
                        dtype={"well": str, "row": str, "column": int, "role": str})
    frame["dose_index"] = frame["dose_index"].astype("Int64")
    return frame


def default_layout() -> pd.DataFrame:
    """The shipped 96-well layout (a copy): ``well row column role dose_index``."""
    return _default_layout().copy()


def layout_384() -> pd.DataFrame:
    """A 384-well layout: the shipped 96-well design in each quadrant (rows A–H / I–P, columns
    1–12 / 13–24), so 32 total, 32 non-specific and 120 test wells (each of the 10
    concentrations 12 times)."""
    base = default_layout()
    parts = []
    for dr in (0, 8):
        for dc in (0, 12):
            q = base.copy()
            q["row"] = [_ROWS[_ROWS.index(r) + dr] for r in q["row"]]
            q["column"] = q["column"] + dc
            q["well"] = q["row"] + q["column"].astype(str)
            parts.append(q)
    return pd.concat(parts, ignore_index=True)


def dilution_series(top_M: float, points: int, step_log10: float) -> np.ndarray:
    """Concentrations ``top · 10^(−k·step)``, k = 0 … points−1 (mol/L, highest first)."""
    top = check_number(top_M, "top_M", "dilution_series", low=0, low_open=True)
    n = int(check_number(points, "points", "dilution_series", low=1))
    step = check_number(step_log10, "step_log10", "dilution_series", low=0, low_open=True)
    return top * 10.0 ** (-step * np.arange(n))


def series_top(expected_ic50_M: float, above_log10: float, step_log10: float) -> float:
    """Top of a series centred on an expected IC50, rounded up to the ``step`` grid.

    ``top = 10^(ceil((log10 IC50 + above)/step)·step)``: with 10 half-log points and
    ``above = 2.25`` the expected IC50 falls between the 5th and 6th concentrations.
    """
    ic50 = check_number(expected_ic50_M, "expected_ic50_M", "series_top", low=0, low_open=True)
    step = check_number(step_log10, "step_log10", "series_top", low=0, low_open=True)
    # A tiny tolerance stops values already on the grid from being pushed up a step.
    grid_tolerance = 1e-9
    k = math.ceil((math.log10(ic50) + above_log10) / step - grid_tolerance)
    return 10.0 ** (k * step)


def design_plate(compound: str, top_M: float, *, reference_inhibitor: str,
                 reference_conc_M: float, step_log10: float = 0.5,
                 layout: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fill a layout with compounds and concentrations.

    Parameters
    ----------
    compound : the test compound (placed in ``test`` wells at ``top_M·10^(−dose_index·step)``).
    top_M : highest test concentration, mol/L.
    reference_inhibitor, reference_conc_M : the ``nsb`` wells' compound and concentration.
    step_log10 : dilution step, log10 units (0.5 = half-log).
    layout : a layout with ``dose_index`` (default: :func:`default_layout`).

    Returns
    -------
    DataFrame ``well row column role compound concentration_M`` (total and empty wells have
    no compound and concentration 0).
    """
    lay = default_layout() if layout is None else layout.copy()
    missing = {"well", "row", "column", "role", "dose_index"} - set(lay.columns)
    if missing:
        raise ProtocolError(f"layout lacks column(s) {sorted(missing)}; a design layout needs "
                            "well, row, column, role, dose_index.")
    top = check_number(top_M, "top_M", "design_plate", low=0, low_open=True)
    ref = check_number(reference_conc_M, "reference_conc_M", "design_plate", low=0, low_open=True)
    roles = lay["role"].map(normalise_role)
    if roles.isna().any():
        bad = lay.loc[roles.isna(), "well"].iloc[0]
        raise ProtocolError(f"layout well {bad}: unknown role {lay.loc[roles.isna(), 'role'].iloc[0]!r}; "
                            f"expected one of {', '.join(ROLES)}.")
    conc = np.zeros(len(lay))
    names = np.array([""] * len(lay), dtype=object)
    is_test = (roles == "test").to_numpy()
    if is_test.any():
        idx = lay.loc[is_test, "dose_index"]
        if idx.isna().any():
            bad = lay.loc[is_test & lay["dose_index"].isna().to_numpy(), "well"].iloc[0]
            raise ProtocolError(f"layout well {bad}: a test well needs a dose_index.")
        conc[is_test] = top * 10.0 ** (-step_log10 * idx.to_numpy(dtype=float))
        names[is_test] = compound
    is_nsb = (roles == "nsb").to_numpy()
    conc[is_nsb] = ref
    names[is_nsb] = reference_inhibitor
    if not is_nsb.any() or not (roles == "total").any():
        raise ProtocolError("layout needs both 'total' and 'nsb' control wells.")
    if not is_test.any():
        raise ParameterError("layout has no 'test' wells.")
    return pd.DataFrame({
        "well": lay["well"].to_numpy(), "row": lay["row"].to_numpy(),
        "column": lay["column"].to_numpy(dtype=int), "role": roles.to_numpy(),
        "compound": names, "concentration_M": conc,
    })
