"""Reading concentration–response tables from CSV, with the concentration unit made explicit.

Accepted layouts (one row per point):

* ``curve`` (optional; absent = one curve), ``concentration`` and a ``unit`` column
  (``nM``, ``uM``, ``M``… per row; mixed units are converted to the first row's unit);
* ``curve``, ``concentration_nM`` (the unit in the header), ``response``;
* bare ``concentration`` numbers with ``unit=`` given by the caller (CLI ``--unit``).

Optional ``weight`` (or ``sd``) column. Row numbers in messages are the file's line numbers
(header = line 1).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, UnitError
from neuromoa.fitting._units import molar_factor

__all__ = ["read_curve_table"]

_HEADER_UNIT = re.compile(r"^concentration[_\s\[(]+([^\])]+)[\])]?$", re.IGNORECASE)


def _unit_factor(unit: str, target: str, what: str) -> float:
    """Multiplier taking a value in ``unit`` to ``target`` (both concentration units)."""
    return molar_factor(unit, target, what)


def _check_unit(unit: str, what: str) -> str:
    molar_factor(unit, unit, what)  # UnitError unless a molar concentration unit
    return unit


def read_curve_table(path: str | Path, unit: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a concentration–response CSV into a tidy table and its concentration unit.

    Returns ``(frame, unit)``; ``frame`` has columns ``curve`` (if present), ``concentration``
    (numbers in ``unit``, non-numeric cells kept as they are so the fitter can report them
    per curve), ``response`` and ``weight``/``sd`` when present; its index is the file line
    number of each row.

    Raises
    ------
    DataFileError
        Unreadable or malformed file (names the line), missing columns, unknown unit in a row.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", name)
    try:
        frame = pd.read_csv(path, skip_blank_lines=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataFileError("the file is empty; expected a header line such as "
                            "'curve,concentration_nM,response'.", file=name) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        row = int(m.group(1)) if m else None
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        raise DataFileError(f"malformed CSV ({detail}); every line needs the header's number "
                            "of fields.", file=name, row=row) from None
    except UnicodeDecodeError:
        raise DataFileError("not a text CSV file (cannot decode it as UTF-8).",
                            file=name) from None
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    blank = frame.isna().all(axis=1)
    if blank.any():
        frame = frame[~blank.to_numpy()]
    if frame.empty:
        raise DataFileError("no data rows: the file has a header line but no rows to fit "
                            "(one row per point: curve, concentration, response).", file=name)
    cols = {c.strip(): c for c in frame.columns.astype(str)}
    lower = {c.lower(): c for c in cols}
    if "response" not in lower:
        raise DataFileError(f"no 'response' column; the header has {list(cols)}.", file=name,
                            row=1)
    out: dict[str, Any] = {}
    if "curve" in lower:
        out["curve"] = frame[cols[lower["curve"]]]
    conc_col = None
    header_unit = None
    for c in cols:
        m = _HEADER_UNIT.match(c)
        if m:
            conc_col, header_unit = c, m.group(1).strip()
            break
    if conc_col is None and "concentration" in lower:
        conc_col = lower["concentration"]
    if conc_col is None:
        raise DataFileError("no concentration column; name it 'concentration' (with a 'unit' "
                            f"column or --unit) or 'concentration_nM'. The header has "
                            f"{list(cols)}.", file=name, row=1)
    conc = frame[cols[conc_col]]
    if header_unit is not None:
        try:
            used = _check_unit(header_unit, f"{name}, header '{conc_col}'")
        except UnitError as exc:
            raise DataFileError(str(exc), file=name, row=1, field=conc_col) from None
        out["concentration"] = conc
    elif "unit" in lower:
        ucol = frame[cols[lower["unit"]]].astype("string").str.strip()
        units = ucol.fillna("").to_numpy(dtype=object)
        uniq = pd.unique(units)
        first = next((u for u in units if u), None)
        if first is None:
            raise DataFileError("the 'unit' column is empty; give a unit such as nM.", file=name,
                                field="unit")
        used = first
        factors = {}
        for u in uniq:
            pos = int(np.flatnonzero(units == u)[0])
            if not u:
                raise DataFileError("missing unit.", file=name, row=int(frame.index[pos]),
                                    field="unit")
            try:
                _check_unit(u, f"unit {u!r}")
                factors[u] = _unit_factor(u, used, f"unit {u!r}")
            except UnitError as exc:
                raise DataFileError(str(exc), file=name, row=int(frame.index[pos]),
                                    field="unit") from None
        numeric = pd.to_numeric(conc, errors="coerce")
        fac = np.array([factors[u] for u in units]) if len(factors) > 1 else factors[used]
        scaled = numeric * fac
        # keep non-numeric cells as text so the fitter names them per curve
        out["concentration"] = scaled.where(numeric.notna() | conc.isna(), conc)
    else:
        if unit is None:
            raise DataFileError("concentrations have no unit: add a 'unit' column, name the "
                                "column like 'concentration_nM', or pass --unit nM.", file=name,
                                row=1, field=conc_col)
        try:
            used = _check_unit(unit, "--unit")
        except UnitError as exc:
            raise DataFileError(str(exc), file=name) from None
        out["concentration"] = conc
    if unit is not None and unit != used:  # the caller asked for another unit: convert
        try:
            f = _unit_factor(used, _check_unit(unit, "--unit"), "--unit")
        except UnitError as exc:
            raise DataFileError(str(exc), file=name) from None
        num = pd.to_numeric(out["concentration"], errors="coerce")
        out["concentration"] = (num * f).where(num.notna() | conc.isna(), conc)
        used = unit
    out["response"] = frame[cols[lower["response"]]]
    for extra in ("weight", "sd"):
        if extra in lower:
            out[extra] = frame[cols[lower[extra]]]
    return pd.DataFrame(out, index=frame.index), str(used)
