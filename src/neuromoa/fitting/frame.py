"""DataFrames and CSV files in, fits out: the same column rules in Python as in the CLI.

A concentration column carries its unit, as in a CSV file read by ``neuromoa fit``:

* in its name: ``concentration_M``, ``conc_nM``, ``concentration (uM)``, ``concentration[nM]``;
* or in a ``unit`` column (one unit per row; mixed units are converted to the first row's);
* or bare ``concentration`` numbers with ``unit=`` given by the caller (CLI ``--unit``).

Numbers without any of these are an error, never a guess. ``radioligand``/``kd`` of the
one-site Fit-Ki model are quantities or strings with units ("1 nM"), converted to the
table's unit (or floats under ``radioligand_<unit>``/``kd_<unit>`` in the table's unit).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from neuromoa.errors import InputError, UnitError
from neuromoa.fitting._units import UNIT_COLUMN, molar_factor
from neuromoa.fitting.engine import fit_curves
from neuromoa.fitting.results import BatchFit

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["curve_table", "fit_canonical_csv", "fit_csv", "fit_frame", "fit_read_table"]

def curve_table(data: pd.DataFrame, *, x: str | None = None, unit: str | None = None
                ) -> tuple[pd.DataFrame, str]:
    """The tidy table of ``data`` with a ``concentration`` column in one unit, and that unit.

    ``x`` names the concentration column (default: the first column named like
    ``concentration_<unit>``/``conc_<unit>``, else ``concentration``). ``unit`` gives the unit
    of bare numbers, or the unit to convert to when the column carries its own.
    """
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"fit_frame needs a pandas DataFrame; got {type(data).__name__}.")
    cols = [str(c) for c in data.columns]
    lower = {c.strip().lower(): c for c in cols}
    col, col_unit = None, None
    candidates = [x] if x is not None else cols
    if x is not None and x not in cols:
        raise InputError(f"no column {x!r}; the table has {cols}.")
    for c in candidates:
        m = UNIT_COLUMN.match(c.strip())
        if m:
            col, col_unit = c, m.group(1).strip()
            break
    if col is None:
        col = x if x is not None else lower.get("concentration")
    if col is None:
        raise InputError("no concentration column; name it like 'concentration_nM' (the unit in "
                         f"the name), or 'concentration' with a 'unit' column or unit=. The "
                         f"table has {cols}.")
    out = data.drop(columns=[c for c in ("concentration",) if c in cols and c != col])
    conc = data[col]
    if col_unit is not None:
        if "unit" in lower:
            units = data[lower["unit"]].astype("string").str.strip().dropna().unique()
            for u in units:
                if molar_factor(u, col_unit, f"column 'unit' ({u!r})") != 1.0:
                    raise UnitError(f"the 'unit' column says {u!r} but the column {col!r} says "
                                    f"{col_unit!r}; drop one of them.")
        used = col_unit
        molar_factor(col_unit, col_unit, f"column {col!r}")
        values = conc
    elif "unit" in lower:
        ucol = data[lower["unit"]].astype("string").str.strip()
        if ucol.isna().any() or (ucol == "").any():
            pos = int(np.flatnonzero((ucol.isna() | (ucol == "")).to_numpy())[0])
            raise UnitError(f"missing unit in the 'unit' column at row {data.index[pos]}.")
        used = str(ucol.iloc[0])
        fac = {u: molar_factor(u, used, f"unit {u!r}") for u in ucol.unique()}
        numeric = pd.to_numeric(conc, errors="coerce")
        values = (numeric * ucol.map(fac).astype(float)).where(numeric.notna() | conc.isna(), conc)
    elif unit is not None:
        used = unit
        molar_factor(unit, unit, "unit")
        values = conc
    else:
        raise UnitError(f"the concentrations in {col!r} have no unit: name the column like "
                        f"'{col}_nM', add a 'unit' column, or pass unit='nM'.")
    if unit is not None and unit != used:
        f = molar_factor(used, unit, "unit")
        numeric = pd.to_numeric(values, errors="coerce")
        values = (numeric * f).where(numeric.notna() | conc.isna(), conc)
        used = unit
    out = out.drop(columns=[col]).assign(concentration=values)
    return out, used


def fit_frame(data: pd.DataFrame, model: str = "4pl", *, x: str | None = None,
              unit: str | None = None, **kwargs: Any) -> BatchFit:
    """Fit every curve of a DataFrame whose concentration column carries its unit.

    The column rules of ``neuromoa fit`` (see the module): ``concentration_nM``/``conc_M``…,
    a ``unit`` column, or bare numbers with ``unit=``. Other options as
    :func:`~neuromoa.fitting.fit_curves`; the result's ``unit`` is the table's.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"conc_nM": [0.1, 1, 10, 100, 1000], "response": [99, 91, 50, 9, 1]})
    >>> res = fit_frame(df)
    >>> res.unit, round(float(res.params[0, 2]), 2)
    ('nM', 1.0)
    """
    table, used = curve_table(data, x=x, unit=unit)
    return fit_curves(table, model, unit=used, **kwargs)


def fit_canonical_csv(path: str | Path, model: str = "4pl", *, unit: str | None = None,
                      **kwargs: Any) -> BatchFit | None:
    """:func:`fit_csv` of a file in the canonical long layout (``curve,concentration_<unit>,
    response``, plain numbers; read by the fast reader of :mod:`neuromoa.fitting._fastcsv`, no
    pandas), or None when the file is not in that layout (use :func:`fit_csv`)."""
    from neuromoa.fitting._fastcsv import read_canonical

    cols = read_canonical(path, unit)
    if cols is None:
        return None
    result = fit_curves(cols, model, unit=cols.unit, **kwargs).with_checks(kwargs.get("bounds"))
    object.__setattr__(result, "read_notes", ())
    return result


def fit_csv(path: str | Path, model: str = "4pl", *, unit: str | None = None,
            **kwargs: Any) -> BatchFit:
    """Read a CSV with :func:`neuromoa.fitting.io.read_curve_table` and fit every curve
    (what ``neuromoa fit FILE`` does); ``radioligand``/``kd`` as in :func:`fit_frame`.
    ``result.read_notes`` lists what the reader ignored (blank lines, a trailing comma).

    The canonical long layout (``curve,concentration_<unit>,response``, plain numbers) is
    read by the fast reader of :mod:`neuromoa.fitting._fastcsv` (no pandas; the same numbers,
    ids and line numbers; it ignores nothing, so ``read_notes`` is empty); every other file by
    the full reader. The result carries Prism's result checks
    (:meth:`~neuromoa.fitting.results.BatchFit.with_checks`: ``at_bound``, ``poor_fit``,
    ``ambiguous``), as the command shows them."""
    result = fit_canonical_csv(path, model, unit=unit, **kwargs)
    if result is not None:
        return result
    from neuromoa.fitting.io import read_curve_table

    table, used = read_curve_table(path, unit)
    result = fit_curves(table, model, unit=used, **kwargs).with_checks(kwargs.get("bounds"))
    # what the reader ignored travels with the result (BatchFit is frozen: set it once here)
    object.__setattr__(result, "read_notes", tuple(table.attrs.get("dropped", ())))
    return result


def fit_read_table(data: pd.DataFrame, model: str = "4pl", *, unit: str | None = None,
                   **kwargs: Any) -> BatchFit:
    """Fit a table read by :func:`neuromoa.io.read_curves` (its ``attrs["unit"]`` is the unit of
    ``concentration``, or None for a Prism table whose X states no unit).

    ``unit`` converts the concentrations to that unit, or states the unit when the table has
    none. A table without a unit is fitted on its X numbers as they are and the result's
    ``unit`` is None (estimates in X's own units); the Fit-Ki model then needs a unit. The
    result carries Prism's result checks, as :func:`fit_csv`'s.
    """
    import dataclasses

    have = data.attrs.get("unit")
    if have is None and unit is not None:
        molar_factor(unit, unit, "--unit")
        have = unit
    if have is None:
        if kwargs.get("radioligand") is not None or kwargs.get("kd") is not None:
            raise UnitError("X has no unit in this file, so the radioligand and Kd cannot be "
                            "put on its scale: pass --x-unit (e.g. nM).")
        # the engine needs a molar unit to check the numbers: X's own numbers are fitted
        # unchanged (factor 1) and the result says that it has no unit
        res = fit_curves(data, model, unit="M", **kwargs)
        return dataclasses.replace(res, unit=None).with_checks(kwargs.get("bounds"))
    return fit_frame(data.rename(columns={"concentration": f"concentration_{have}"}), model,
                     x=f"concentration_{have}", unit=unit, **kwargs).with_checks(
        kwargs.get("bounds"))
