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

import csv
import io
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


#: Columns that identify rows: read as text, never type-inferred ("01" ≠ "1"; "NA", "None",
#: "null", "nan" and "" are distinct ids).
ID_COLUMNS = ("curve", "plate", "well", "role", "id", "compound")
#: Cells read as missing in numeric columns (pandas' own list).
_NUMERIC_NA = sorted(pd._libs.parsers.STR_NA_VALUES) if hasattr(pd._libs, "parsers") else [""]
#: Admitted range of a given weight. Assumption: keeps w·r² and 1/w finite in double precision
#: for residuals up to 1e100, so a weight of 1e-308 cannot overflow the fit of its curve.
WEIGHT_RANGE = (1e-100, 1e100)
#: Most curves one file may hold. Assumption: 10 million curves (~40 M rows) fit in memory
#: on a laptop; more is split into several files.
MAX_CURVES = 10_000_000


def _decode(path: Path) -> tuple[str | None, str]:
    """Sniff the encoding: returns (text or None = let pandas read the file as UTF-8, encoding).

    UTF-8 (with or without BOM) is read by pandas directly; a UTF-16 BOM is decoded here;
    anything else raises :class:`DataFileError` naming the first undecodable byte.
    """
    name = str(path)
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return path.read_bytes().decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataFileError(f"a UTF-16 file with an undecodable byte at offset {exc.start}.",
                                file=name) from None
    return None, "utf-8"


def _check_row_lengths(data: bytes, name: str) -> tuple[int, list[int], bool]:
    """Count the fields of every line (vectorised when no field is quoted).

    Returns (header fields, 1-based numbers of blank lines, trailing comma on every data row).
    Raises DataFileError for a row whose field count differs from the header's, and for a
    carriage return inside a line (old Mac line ends or a pasted control character): this
    checker and the parser would split such a line differently, so it is refused, never guessed.
    """
    cr = data.find(b"\r")
    while cr != -1 and data[cr + 1:cr + 2] == b"\n":
        cr = data.find(b"\r", cr + 1)
    if cr != -1 and b'"' not in data:
        line = data.count(b"\n", 0, cr) + 1
        raise DataFileError("a carriage return (CR) inside the line, not before its line feed "
                            "(old Mac line ends or a pasted control character); save the file "
                            "with LF or CRLF line ends.", file=name, row=line)
    if b'"' in data:
        text = data.decode("utf-8-sig", errors="replace")
        counts, blank_lines, last_empty = [], [], []
        try:
            parsed = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise DataFileError(f"malformed CSV ({exc}).", file=name) from None
        for i, row in enumerate(parsed):
            counts.append(len(row))
            if not row or all(not c.strip() for c in row):
                blank_lines.append(i + 1)
            last_empty.append(bool(row) and row[-1].strip() == "")
        counts_a = np.array(counts)
        blank = np.zeros(len(counts), bool)
        blank[np.array(blank_lines, dtype=int) - 1] = True
        last_empty_a = np.array(last_empty)
    else:
        buf = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(buf == 10)
        ends = nl if (buf.size == 0 or buf[-1] == 10) else np.append(nl, buf.size)
        starts = np.concatenate(([0], ends[:-1] + 1))

        def per_line(mask: np.ndarray) -> np.ndarray:  # how many marked bytes each line holds
            pos = np.flatnonzero(mask)  # sorted; count those in [start_i, start_i+1)
            return np.diff(np.searchsorted(pos, np.append(starts, buf.size)))

        is_comma = buf == 44
        counts_a = per_line(is_comma) + 1
        # a line of only spaces, commas, tabs and \r is blank
        filler = per_line(is_comma | (buf == 32) | (buf == 9) | (buf == 13))
        blank = filler == (ends - starts)
        stripped_end = ends.copy()
        has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
        stripped_end[has_cr] -= 1
        last_empty_a = (stripped_end > starts) & (buf[np.maximum(stripped_end - 1, 0)] == 44)
        counts_a = np.where(ends == starts, 0, counts_a)
    if counts_a.size == 0:
        return 0, [], False
    header = int(counts_a[0])
    data_rows = ~blank
    data_rows[0] = False
    blank_lines = [int(i) + 1 for i in np.flatnonzero(blank[1:]) + 1]
    if not data_rows.any():
        return header, blank_lines, False
    wrong = data_rows & (counts_a != header)
    trailing = bool(np.all((counts_a[data_rows] == header + 1) & last_empty_a[data_rows]))
    if trailing:
        return header, blank_lines, True
    if wrong.any():
        line = int(np.flatnonzero(wrong)[0]) + 1
        got = int(counts_a[line - 1])
        n_wrong = int(wrong.sum())
        raise DataFileError(f"{got} fields where the header has {header} "
                            f"({'an extra field or a stray comma' if got > header else 'a missing field'}; "
                            f"{n_wrong} row(s) like this); every row needs the header's number of "
                            "fields.", file=name, row=line)
    return header, blank_lines, False


def read_curve_table(path: str | Path, unit: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a concentration–response CSV into a tidy table and its concentration unit.

    Returns ``(frame, unit)``; ``frame`` has columns ``curve`` (if present, as text: "01" and
    "1", "NA", "None", "null", "nan" and "" are distinct curves), ``concentration`` (numbers in
    ``unit``, non-numeric cells kept as they are so the fitter can report them per curve),
    ``response`` and ``weight``/``sd`` when present; its index is the file line number of each
    row. ``frame.attrs["dropped"]`` lists what was ignored (blank lines, a trailing comma on
    every row), one line each.

    Raises
    ------
    DataFileError
        Unreadable, non-UTF-8 or malformed file (a row with more or fewer fields than the
        header; names the line), missing columns, unknown unit in a row, a ``unit`` cell that
        disagrees with the header's unit.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", name)
    if path.is_dir():
        raise DataFileError("is a folder, not a CSV file.", file=name)
    text, encoding = _decode(path)
    raw = text.encode("utf-8") if text is not None else path.read_bytes()
    if text is None:
        if b"\x00" in raw[:8192]:
            raise DataFileError("not a text CSV file (it holds NUL bytes: a binary file?).",
                                file=name)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DataFileError(f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save "
                                "the file as UTF-8 (CSV UTF-8 in Excel).", file=name,
                                row=line) from None
    n_header, blank_lines, trailing = _check_row_lengths(raw, name)
    if n_header == 0:
        raise DataFileError("the file is empty; expected a header line such as "
                            "'curve,concentration_nM,response'.", file=name)
    first_line = raw.decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    try:
        header_cells = next(iter(csv.reader(io.StringIO(first_line, newline=""))), [])
    except csv.Error as exc:
        raise DataFileError(f"malformed header line ({exc}).", file=name, row=1) from None
    header_cells = [c.strip() for c in header_cells]
    str_cols = {c: str for c in header_cells if c.lower() in ID_COLUMNS or c.lower() == "unit"}
    na_cols = {c: _NUMERIC_NA for c in header_cells if c not in str_cols}
    try:
        frame = pd.read_csv(io.BytesIO(raw), skip_blank_lines=False,
                            dtype=str_cols, keep_default_na=False, na_values=na_cols,
                            index_col=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataFileError("the file is empty; expected a header line such as "
                            "'curve,concentration_nM,response'.", file=name) from None
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        row = int(m.group(1)) if m else None
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        detail = detail.splitlines()[0] if detail else type(exc).__name__
        raise DataFileError(f"malformed CSV ({detail}); every line needs the header's number "
                            "of fields.", file=name, row=row) from None
    dropped: list[str] = []
    if trailing:
        dropped.append("an empty field after the last column on every row (trailing comma) "
                       "was ignored")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    empty_unnamed = [c for c in frame.columns if c.startswith("Unnamed:")
                     and frame[c].replace("", np.nan).isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
        dropped.append(f"{len(empty_unnamed)} empty unnamed column(s) were ignored")
    # blank: every cell empty, or only spaces, tabs and commas on the line (byte-level check)
    blank = frame.replace("", np.nan).isna().all(axis=1) | frame.index.isin(blank_lines)
    if blank.any():
        lines = [int(i) for i in frame.index[blank.to_numpy()]]
        frame = frame[~blank.to_numpy()]
        shown = ", ".join(map(str, lines[:10])) + (", …" if len(lines) > 10 else "")
        dropped.append(f"{len(lines)} blank line(s) were skipped (line {shown})")
    if frame.empty:
        raise DataFileError("no data rows: the file has a header line but no rows to fit "
                            "(one row per point: curve, concentration, response).", file=name)
    cols = {c: c for c in frame.columns}
    lower = {c.lower(): c for c in cols}
    if len(lower) < len(cols):
        dup = [c for c in cols if list(map(str.lower, cols)).count(c.lower()) > 1]
        raise DataFileError(f"column names {dup} differ only in case; name each column once.",
                            file=name, row=1)
    if "response" not in lower:
        raise DataFileError(f"no 'response' column; the header has {list(cols)}.", file=name,
                            row=1)
    out: dict[str, Any] = {}
    if "curve" in lower:
        out["curve"] = frame[cols[lower["curve"]]].astype(object)
        n_curves = out["curve"].nunique()
        if n_curves > MAX_CURVES:
            raise DataFileError(f"{n_curves:,} curves in one file (limit {MAX_CURVES:,}); split "
                                "the file.", file=name)
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
    conc = _numeric_or_text(frame[cols[conc_col]])
    unit_col = cols[lower["unit"]] if "unit" in lower else None
    if header_unit is not None:
        try:
            used = _check_unit(header_unit, f"{name}, header '{conc_col}'")
        except UnitError as exc:
            raise DataFileError(str(exc), file=name, row=1, field=conc_col) from None
        if unit_col is not None:  # a unit column must agree with the header's unit
            ucells = frame[unit_col].astype(str).str.strip()
            norm = ucells.str.replace("\u00b5", "u").str.replace("\u03bc", "u")
            want = header_unit.replace("\u00b5", "u").replace("\u03bc", "u")
            bad = (norm != "") & (norm != want)
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataFileError(f"unit {ucells.iloc[pos]!r} disagrees with the header "
                                    f"'{conc_col}' ({header_unit}); {int(bad.sum())} row(s) "
                                    "differ. Drop the unit column or the unit in the header.",
                                    file=name, row=int(frame.index[pos]), field="unit")
        out["concentration"] = conc
    elif unit_col is not None:
        ucol = frame[unit_col].astype("string").str.strip()
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
        fac = (pd.Series(units, index=conc.index).map(factors).to_numpy(dtype=float)
               if len(factors) > 1 else factors[used])
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
        out["concentration"] = (num * f).where(num.notna() | conc.isna(), out["concentration"])
        used = unit
    out["response"] = _numeric_or_text(frame[cols[lower["response"]]])
    for extra in ("weight", "sd"):
        if extra in lower:
            col = _numeric_or_text(frame[cols[lower[extra]]])
            if extra == "weight":
                col = _guard_weights(col)
            out[extra] = col
    table = pd.DataFrame(out, index=frame.index)
    table.attrs["dropped"] = dropped
    table.attrs["encoding"] = encoding
    return table, str(used)


def _numeric_or_text(col: pd.Series) -> pd.Series:
    """Numbers where the cell is a number, NaN where it is missing, the text otherwise."""
    if col.dtype.kind in "fi":
        return col
    num = pd.to_numeric(col, errors="coerce")
    return num.where(num.notna() | col.isna(), col)


def _guard_weights(col: pd.Series) -> pd.Series:
    """Mark weights outside :data:`WEIGHT_RANGE` as not usable (their curve fails alone)."""
    num = pd.to_numeric(col, errors="coerce")
    low, high = WEIGHT_RANGE
    bad = num.notna() & (num > 0) & ((num < low) | (num > high))
    if not bad.any():
        return col
    text = col.astype(object).copy()
    text[bad] = [f"{v!r} (outside [{low:g}, {high:g}])" for v in num[bad]]
    return text
