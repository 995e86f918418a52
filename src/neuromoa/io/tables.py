"""Concentration–response tables as a lab has them: one reader for CSV, TSV, semicolon files with
decimal commas, Excel ``.xlsx`` sheets and GraphPad Prism ``.pzfx`` XY tables, in a long or a
wide layout, into the tidy table the fitter takes.

:func:`read_curves` returns a DataFrame with columns ``curve``, ``concentration``,
``response`` (and ``replicate`` when the file has replicates); its index is the source row
(file line for text, sheet row for Excel, X row for Prism, header = row 1 of the table) and its
``attrs`` hold ``unit`` (the molar unit of ``concentration``, or None for a Prism table whose X
states no unit), ``notes`` (what was ignored, converted or excluded, one line each) and
``source`` (file, sheet or table).

Layouts:

* **long**: one row per point, a response column (``response`` or ``--y NAME``), a
  concentration column, optionally a curve column (``curve``/``compound`` or ``--curve``) and a
  replicate column (``replicate`` or ``--replicate``);
* **wide** (Prism-like): an X column then one column per curve; columns with the same title, or
  titled ``NAME rep1``/``NAME_rep2``/``NAME (3)``, are replicates of curve ``NAME``.

The concentration unit comes from the X header (``conc_uM``, ``concentration (nM)``,
``Drug [µM]``; ``log[M]``/``log(M)`` = log10 molar values) or from ``x_unit``; ``x_log=True``
says the X numbers are log10 concentrations. Numbers without a unit are an error, never a guess
(Prism ``.pzfx`` excepted: its XY tables have no unit field, so X stays in the file's own units
and the result says so).

Text files: UTF-8 with or without BOM (or UTF-16 with BOM), LF or CRLF; the delimiter (comma,
semicolon, tab) and the decimal separator are sniffed; a file mixing decimal points and decimal
commas is an error naming both cells.
"""

from __future__ import annotations

import csv
import io as _io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuromoa.errors import DataFileError, MissingExtraError, UnitError
from neuromoa.io._sniff import sniff_kind

__all__ = ["Grid", "curves_from_grid", "read_curves", "read_grid", "write_xlsx", "x_header_unit"]

#: Header names taken as the curve id column of a long table (case-insensitive).
CURVE_NAMES = ("curve", "compound", "drug", "sample", "name", "ligand")
#: Header names taken as the replicate column of a long table.
REPLICATE_NAMES = ("replicate", "rep", "repeat")
#: Header names taken as the concentration column when none carries a unit.
X_NAMES = ("concentration", "conc", "x", "dose")
#: Header names of the response column of a long table.
Y_NAMES = ("response",)

_MOLAR = re.compile("^([mun\u00b5\u03bcpf]?)M$")
_UNIT_TAIL = re.compile(r"[_\s\[(,]+([mun\u00b5\u03bcpf]?M|mol/L|[mun\u00b5\u03bcp]mol/L)\s*[\])]?\s*$")
_LOG_HEAD = re.compile(r"^\s*log(?:10)?\b|^\s*log(?:10)?[\[(_]", re.IGNORECASE)
_REP_SUFFIX = re.compile(r"^(.*?)(?:[\s_\-]*(?:rep(?:licate)?)[\s_\-]*(\d+)|\s*\((\d+)\)|\.(\d+))$",
                         re.IGNORECASE)
_COMMA_NUM = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_DOT_NUM = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass
class Grid:
    """The cells of one table as read: header names, rows of cells (str, float or None) and each
    row's source row number; ``where`` names the file (and sheet) for messages."""

    header: list[str]
    rows: list[list[Any]]
    lines: list[int]
    where: str
    header_line: int = 1
    notes: list[str] = field(default_factory=list)
    decimal: str = "."


def _err(grid_or_where: Grid | str, message: str, row: int | None = None,
         column: str | None = None) -> DataFileError:
    where = grid_or_where.where if isinstance(grid_or_where, Grid) else grid_or_where
    return DataFileError(message, file=where, row=row, field=column)


def _normal_unit(unit: str) -> str:
    return unit.strip().replace("\u00b5", "u").replace("\u03bc", "u")


def check_unit(unit: str, what: str) -> str:
    """``unit`` in the fitter's spelling (``uM`` for µM) if it is a molar concentration unit,
    else :class:`UnitError` naming ``what``."""
    u = _normal_unit(unit)
    if _MOLAR.match(u):
        return u
    from neuromoa.units import parse_quantity

    q = parse_quantity(f"1 {u}", what)
    if not q.check("[substance]/[length]**3"):
        raise UnitError(f"{what}: {unit!r} is not a molar concentration unit (e.g. nM, uM, M).")
    return u


def x_header_unit(name: str) -> tuple[str | None, bool]:
    """(unit or None, log10 values?) stated by an X column's header.

    >>> x_header_unit("conc_uM"), x_header_unit("log[M]"), x_header_unit("Dose")
    (('uM', False), ('M', True), (None, False))
    """
    s = str(name).strip()
    is_log = bool(_LOG_HEAD.match(s))
    m = _UNIT_TAIL.search(s)
    if m is None and is_log:
        m = re.search(r"[\[(]\s*([mun\u00b5\u03bcpf]?M)\s*[\])]", s)
    unit = _normal_unit(m.group(1)) if m else None
    return unit, is_log


# ----------------------------------------------------------------------------------------------
# grids: text and Excel


def _decode(raw: bytes, where: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _err(where, f"a UTF-16 file with an undecodable byte at offset {exc.start}."
                       ) from None
    if b"\x00" in raw[:8192]:
        raise _err(where, "not a text table (it holds NUL bytes: a binary file?); expected CSV, "
                          "TSV, .xlsx or .pzfx.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _err(where, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save the "
                          "file as UTF-8 (CSV UTF-8 in Excel) or give the .xlsx.", row=line
                   ) from None


def _sniff_delimiter(lines: list[str]) -> str:
    """Tab, semicolon or comma: the one whose count is the same non-zero number on the most
    of the first non-blank lines (ties: tab, then semicolon, then comma)."""
    sample = [ln for ln in lines if ln.strip()][:30]
    best, score = ",", -1
    for d in ("\t", ";", ","):
        counts = [ln.count(d) for ln in sample]
        if not counts or max(counts) == 0:
            continue
        mode = max(set(counts), key=counts.count)
        s = counts.count(mode) if mode > 0 else 0
        if s > score:
            best, score = d, s
    return best


def _text_grid(path: Path, where: str) -> Grid:
    text = _decode(path.read_bytes(), where)
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise _err(where, "the file is empty; expected a header line such as "
                          "'curve,concentration_nM,response'.")
    delim = _sniff_delimiter(lines)
    try:
        parsed = list(csv.reader(_io.StringIO("\n".join(lines)), delimiter=delim))
    except csv.Error as exc:
        raise _err(where, f"malformed delimited text ({exc}).") from None
    rows, nums = [], []
    for i, r in enumerate(parsed, start=1):
        cells = [c.strip() for c in r]
        if any(cells):
            rows.append(cells)
            nums.append(i)
    grid = _make_grid(rows, nums, where)
    names = {"\t": "tab", ";": "semicolon", ",": "comma"}
    if delim != ",":
        grid.notes.append(f"{names[delim]}-separated")
    grid.decimal = _sniff_decimal(grid)
    if grid.decimal == ",":
        grid.notes.append("decimal commas read as decimal points")
    return grid


#: Column labels of a plate grid's header row (96-well: 1-12; a 384-well grid starts the same).
_PLATE_COLUMNS = [str(i) for i in range(1, 13)]


def _plate_row(rows: list[list[Any]], nums: list[int]) -> int | None:
    """Row number of a plate grid's column header (cells 1..12 after a corner cell, row A
    next) among the first rows, else None: instrument exports put a few header lines before it."""
    for k, (r, n) in enumerate(zip(rows[:80], nums[:80], strict=False)):
        cells = [_id_text(c).strip() for c in r[1:13]]
        if cells == _PLATE_COLUMNS and k + 1 < len(rows) and rows[k + 1] and \
                _id_text(rows[k + 1][0]).strip().upper() == "A":
            return n  # and the next row is plate row A (a wide table of curves 1-12 is not)
    return None


def _make_grid(rows: list[list[Any]], nums: list[int], where: str) -> Grid:
    plate = _plate_row(rows, nums)
    if plate is not None:
        raise _err(where, "looks like a plate grid (columns 1-12 under an instrument header), "
                          "not a curve table: use `neuromoa assay analyze` for plate-reader "
                          "files.", row=plate)
    if not rows:
        raise _err(where, "no rows; expected a header line such as "
                          "'curve,concentration_nM,response'.")
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    width = max(len(r) for r in rows)
    while header and not header[-1] and all(len(r) < len(header) or r[len(header) - 1] in
                                            (None, "") for r in rows[1:]):
        header.pop()  # trailing empty columns (a trailing delimiter on every line)
    width = len(header)
    body = []
    for r, n in zip(rows[1:], nums[1:], strict=True):
        extra = [c for c in r[width:] if c not in (None, "")]
        if extra:
            raise _err(where, f"{len(r)} fields where the header has {width}: an extra value "
                              f"{extra[0]!r} beyond the last named column.", row=n)
        body.append(list(r[:width]) + [None] * (width - len(r)))
    return Grid(header=header, rows=body, lines=nums[1:], where=where, header_line=nums[0])


def _sniff_decimal(grid: Grid) -> str:
    comma = dot = None
    for r, n in zip(grid.rows, grid.lines, strict=True):
        for j, c in enumerate(r):
            if not isinstance(c, str):
                continue
            if comma is None and _COMMA_NUM.match(c):
                comma = (n, grid.header[j], c)
            elif dot is None and _DOT_NUM.match(c):
                dot = (n, grid.header[j], c)
        if comma and dot:
            raise _err(grid, f"mixed decimal conventions: {comma[2]!r} (row {comma[0]}, column "
                             f"'{comma[1]}') has a decimal comma but {dot[2]!r} (row {dot[0]}, "
                             f"column '{dot[1]}') a decimal point; use one convention in the "
                             "whole file.")
    return "," if comma else "."


def _xlsx_grid(path: Path, sheet: str | None, where: str) -> Grid:
    try:
        import openpyxl
    except ImportError:
        raise MissingExtraError("reading .xlsx needs openpyxl (optional extra); run: pip install "
                                "'neuromoa[readers]'") from None
    import warnings

    fh = path.open("rb")  # a file object: openpyxl would judge a path by its suffix
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles/extensions it skips
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl's own errors: one message
        fh.close()
        raise _err(where, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc}); save it "
                          "again from Excel as .xlsx.") from None
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            if len(names) != 1:
                raise _err(where, f"this .xlsx has {len(names)} sheets; use --sheet NAME "
                                  f"(sheets: {', '.join(repr(s) for s in names)}).")
            sheet = names[0]
        if sheet not in names:
            if sheet.isdigit() and 1 <= int(sheet) <= len(names):
                sheet = names[int(sheet) - 1]
            else:
                raise _err(where, f"no sheet {sheet!r}; use --sheet NAME (sheets: "
                                  f"{', '.join(repr(s) for s in names)}).")
        ws = wb[sheet]
        rows, nums = [], []
        for i, r in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [c.strip() if isinstance(c, str) else c for c in r]
            if any(c not in (None, "") for c in cells):
                rows.append(cells)
                nums.append(i)
    finally:
        wb.close()
        fh.close()
    return _make_grid(rows, nums, f"{where}, sheet {sheet!r}") if rows else _raise_empty_sheet(
        where, sheet)


def _raise_empty_sheet(where: str, sheet: str) -> Grid:
    raise _err(f"{where}, sheet {sheet!r}", "the sheet is empty; use --sheet NAME for the sheet "
                                            "with the data.")


def read_grid(path: str | Path, *, sheet: str | None = None) -> Grid:
    """The cells of a text table or an ``.xlsx`` sheet (see :class:`Grid`)."""
    p = Path(path)
    where = str(path)
    if not p.exists():
        raise FileNotFoundError(2, "No such file", where)
    kind = sniff_kind(p)
    if kind == "folder":
        raise _err(where, "is a folder, not a table file.")
    if kind == "empty":
        raise _err(where, "the file is empty; expected a header line such as "
                          "'curve,concentration_nM,response'.")
    if kind == "xls":
        raise _err(where, "a legacy binary .xls workbook; save it as .xlsx (or CSV UTF-8) and "
                          "read that.")
    if kind == "binary":
        raise _err(where, "not a text table (it holds NUL bytes: a binary file?); expected CSV, "
                          "TSV, .xlsx or .pzfx.")
    if kind == "pzfx":
        raise _err(where, "a GraphPad Prism file: read it with read_curves (or neuromoa fit), "
                          "which reads its XY tables.")
    if kind == "xlsx":
        return _xlsx_grid(p, sheet, where)
    if sheet is not None:
        raise _err(where, "--sheet is for .xlsx workbooks; this is a text table.")
    return _text_grid(p, where)


# ----------------------------------------------------------------------------------------------
# grid -> tidy curves


def _number(cell: Any, decimal: str) -> Any:
    """float for a number, NaN for an empty cell, the text otherwise."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, (int, float)):
        return float(cell)
    s = str(cell).strip()
    if not s:
        return math.nan
    if decimal == "," and _COMMA_NUM.match(s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return s


def _looks_like_plate(grid: Grid) -> bool:
    heads = [str(h).strip() for h in grid.header[1:]]
    numeric_heads = heads[:12] == [str(i) for i in range(1, 13)]
    rows = [str(r[0]).strip().upper() for r in grid.rows if r and r[0] is not None]
    return numeric_heads and rows[:8] == list("ABCDEFGH")


def _find(header: list[str], want: str, grid: Grid, option: str) -> int:
    for j, h in enumerate(header):
        if h == want:
            return j
    for j, h in enumerate(header):
        if h.lower() == want.lower():
            return j
    raise _err(grid, f"no column {want!r} for {option}; the header has {header}.",
               row=grid.header_line)


def _auto(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def curves_from_grid(grid: Grid, *, x: str | None = None, y: str | None = None,
                     curve: str | None = None, replicate: str | None = None,
                     x_unit: str | None = None, x_log: bool = False, layout: str = "auto",
                     unitless: bool = False):
    """The tidy curve table of a :class:`Grid` (see :func:`read_curves`)."""
    import pandas as pd

    header = [h if h else f"column {j + 1}" for j, h in enumerate(grid.header)]
    if _looks_like_plate(grid):
        raise _err(grid, "looks like a plate grid (rows A-H, columns 1-12), not a curve table: "
                         "use `neuromoa assay analyze` for plate-reader files.",
                   row=grid.header_line)
    if not grid.rows:
        raise _err(grid, "no data rows: the file has a header line but no rows to fit "
                         "(long: a row per point; wide: a row per concentration).",
                   row=grid.header_line)
    if layout not in ("auto", "long", "wide"):
        raise _err(grid, f"layout must be auto, long or wide; got {layout!r}.")
    # X column and its unit
    if x is not None:
        jx = _find(header, x, grid, "--x")
    else:
        jx = next((j for j, h in enumerate(header) if x_header_unit(h)[0] is not None), None)
        if jx is None:
            jx = _auto(header, X_NAMES)
    jy = _find(header, y, grid, "--y") if y is not None else _auto(header, Y_NAMES)
    jc = _find(header, curve, grid, "--curve") if curve is not None else None
    jr = _find(header, replicate, grid, "--replicate") if replicate is not None else None
    if layout == "auto":
        ids = jc is not None or jr is not None or _auto(header, CURVE_NAMES) is not None
        layout = "long" if (jy is not None or ids) else "wide"
    if layout == "wide" and jx is None:
        jx = 0
    if jx is None:
        raise _err(grid, f"no concentration column: name it like 'conc_uM' or 'log[M]', or use "
                         f"--x NAME (columns: {', '.join(header)}).", row=grid.header_line)
    xname = header[jx]
    h_unit, h_log = x_header_unit(xname)
    unit = h_unit
    if x_unit is not None:
        try:
            given = check_unit(x_unit, "--x-unit")
        except UnitError as exc:
            raise _err(grid, str(exc)) from None
        if h_unit is not None and given != h_unit:
            raise _err(grid, f"--x-unit {x_unit} disagrees with the header {xname!r} "
                             f"({h_unit}); drop one of them.", row=grid.header_line,
                       column=xname)
        unit = given
    elif h_unit is not None:
        try:
            unit = check_unit(h_unit, f"header {xname!r}")
        except UnitError as exc:
            raise _err(grid, str(exc), row=grid.header_line, column=xname) from None
    ju = _auto(header, ("unit",))
    if unit is None and ju is not None:  # a unit column, one unit for the whole table
        found = {_id_text(r[ju]).strip() for r in grid.rows} - {""}
        if len(found) == 1:
            u = found.pop()
            try:
                unit = check_unit(u, f"column {header[ju]!r}")
            except UnitError as exc:
                raise _err(grid, str(exc), column=header[ju]) from None
        elif len(found) > 1:
            raise _err(grid, f"the {header[ju]!r} column mixes units {sorted(found)}; give one "
                             "unit (or use the canonical CSV: curve,concentration,unit,response, "
                             "which converts them).", column=header[ju])
    if unit is None and not unitless:
        raise _err(grid, f"the concentrations in {xname!r} have no unit: name the column like "
                         "'conc_uM' (or 'log[M]'), or pass --x-unit uM.", row=grid.header_line,
                   column=xname)
    is_log = x_log or h_log
    dec = grid.decimal
    xs_all = [_number(r[jx], dec) for r in grid.rows]
    if not any(isinstance(v, float) and not math.isnan(v) for v in xs_all):
        first = next((v for v in xs_all if isinstance(v, str)), None)
        raise _err(grid, f"no numeric X: column {xname!r} holds "
                         f"{'text such as ' + repr(first) if first else 'no values'}; expected "
                         "concentrations (numbers), or choose the column with --x NAME.",
                   column=xname)
    notes = list(grid.notes)

    def conc(v: Any, line: int) -> Any:
        if not isinstance(v, float) or math.isnan(v):
            return v
        if is_log:
            return 10.0 ** v
        return v

    recs: list[tuple] = []
    index: list[int] = []
    if layout == "long":
        if jc is None:
            jc = _auto(header, CURVE_NAMES)
        if jr is None:
            jr = _auto(header, REPLICATE_NAMES)
        if jy is None:  # the one numeric column that is not X, curve or replicate
            cand = [j for j in range(len(header)) if j not in (jx, jc, jr) and
                    sum(isinstance(_number(r[j], dec), float) for r in grid.rows)
                    > len(grid.rows) / 2]
            if len(cand) == 1:
                jy = cand[0]
                notes.append(f"response column: {header[jy]!r} (the only other numeric column; "
                             "--y NAME to choose)")
        if jy is None:
            raise _err(grid, f"no response column: name it 'response' or use --y NAME (columns: "
                             f"{', '.join(header)}).", row=grid.header_line)
        low = [h.lower() for h in header]
        dups = sorted({h for h in header if header.count(h) > 1} |
                      {h for h in header if low.count(h.lower()) > 1})
        if dups:
            raise _err(grid, f"duplicated column name(s) {dups} in the header; name each column "
                             "once (or use --x/--y to choose).", row=grid.header_line)
        for r, n, xv in zip(grid.rows, grid.lines, xs_all, strict=True):
            cid = "" if jc is None else ("" if r[jc] is None else _id_text(r[jc]))
            rep = None if jr is None else _id_text(r[jr])
            recs.append((cid, conc(xv, n), _number(r[jy], dec), rep))
            index.append(n)
        has_rep = jr is not None
        if jc is None:
            notes.append("no curve column: one curve")
    else:
        groups: dict[str, list[int]] = {}
        for j, h in enumerate(header):
            if j == jx:
                continue
            m = _REP_SUFFIX.match(h)
            base = m.group(1).strip() if m and m.group(1).strip() else h
            groups.setdefault(base, []).append(j)
        if not groups:
            raise _err(grid, "no response columns after the X column (wide layout: X, then one "
                             "column per curve or replicate).", row=grid.header_line)
        for base, cols in groups.items():  # two columns may not claim one replicate of a curve
            seen: dict[str, str] = {}
            for j in cols:
                m = _REP_SUFFIX.match(header[j])
                num = next((g for g in m.groups()[1:] if g), None) if m else None
                if num is None:
                    continue
                if num in seen:
                    raise _err(grid, f"columns {seen[num]!r} and {header[j]!r} are both "
                                     f"replicate {num} of curve {base!r} (the separator before "
                                     "the replicate number is not part of the name); rename "
                                     "one.", row=grid.header_line)
                seen[num] = header[j]
        missing = 0
        for base, cols in groups.items():
            for r, n, xv in zip(grid.rows, grid.lines, xs_all, strict=True):
                for k, j in enumerate(cols, start=1):
                    yv = _number(r[j], dec)
                    if isinstance(yv, float) and math.isnan(yv):
                        missing += 1
                        continue
                    recs.append((base, conc(xv, n), yv, str(k)))
                    index.append(n)
        has_rep = any(len(c) > 1 for c in groups.values())
        if missing:
            notes.append(f"{missing} empty response cell(s) skipped")
        notes.append(f"wide layout: {len(groups)} curve(s) from {len(header) - 1} column(s)")
    if not recs:
        raise _err(grid, "no data rows under the header.")
    frame = pd.DataFrame(recs, columns=["curve", "concentration", "response", "replicate"],
                         index=pd.Index(index, name="row"))
    if not has_rep:
        frame = frame.drop(columns="replicate")
    for col in ("concentration", "response"):
        frame[col] = _numeric_or_text(frame[col])
    if is_log:
        notes.append(f"X values in {xname!r} are log10 concentrations (converted: 10^x {unit})"
                     if unit else f"X values in {xname!r} are log10 values (converted: 10^x)")
    frame.attrs.update(unit=unit, notes=notes, source=grid.where, x_column=xname)
    return frame


def _id_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _numeric_or_text(col):
    """A float column when every cell is a number or empty, else object (text kept)."""
    if not col.map(lambda v: isinstance(v, str)).any():
        return col.astype(float)
    return col.astype(object)


def read_curves(path: str | Path, *, sheet: str | None = None, table: str | None = None,
                x: str | None = None, y: str | None = None, curve: str | None = None,
                replicate: str | None = None, x_unit: str | None = None, x_log: bool = False,
                layout: str = "auto"):
    """Read a concentration–response file of any accepted format into a tidy DataFrame.

    Parameters
    ----------
    path : file
        CSV/TSV/semicolon text, ``.xlsx`` workbook or GraphPad Prism ``.pzfx``.
    sheet : str, optional
        The ``.xlsx`` sheet (name, or 1-based number); required when there are several.
    table : str, optional
        The ``.pzfx`` table (title, or 1-based number); default the first XY table.
    x, y, curve, replicate : str, optional
        Column names (long layout: ``y`` is the response column; wide: ``x`` only).
    x_unit : str, optional
        Molar unit of X when the header does not state one (``uM``, ``nM``, ``M``).
    x_log : bool
        X numbers are log10 concentrations (``log[M]``/``log(M)`` headers say so themselves).
    layout : {"auto", "long", "wide"}
        Long: one row per point; wide: X then a column per curve or replicate.

    Returns
    -------
    pandas.DataFrame
        ``curve``, ``concentration``, ``response`` (+ ``replicate``); ``attrs``: ``unit``,
        ``notes``, ``source``; index = source row. Non-numeric cells stay text so that the
        fitter names the row of each.

    Raises
    ------
    DataFileError
        With the file, sheet, row and column, what was expected and how to fix it.
    """
    p = Path(path)
    if p.exists() and not p.is_dir() and sniff_kind(p) == "pzfx":
        from neuromoa.io.pzfx import read_pzfx

        if sheet is not None:
            raise _err(str(path), "--sheet is for .xlsx workbooks; this is a Prism .pzfx: use "
                                  "--table NAME.")
        return read_pzfx(p, table=table, x_unit=x_unit, x_log=x_log)
    if table is not None:
        raise _err(str(path), "--table is for Prism .pzfx files; for an .xlsx use --sheet.")
    grid = read_grid(p, sheet=sheet)
    return curves_from_grid(grid, x=x, y=y, curve=curve, replicate=replicate, x_unit=x_unit,
                            x_log=x_log, layout=layout)


def write_xlsx(path: str | Path, sheets: dict, *, force: bool = False) -> Path:
    """Write DataFrames as the sheets of an ``.xlsx`` workbook (openpyxl); an existing file is
    never overwritten unless ``force``."""
    from neuromoa.errors import OutputError

    p = Path(path)
    if p.exists() and not force:
        raise OutputError(f"{p} exists; pass --force (force=True) to overwrite it.")
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise MissingExtraError("writing .xlsx needs openpyxl (optional extra); run: pip install "
                                "'neuromoa[readers]'") from None
    import pandas as pd

    tmp = p.with_name(p.name + ".partial.xlsx")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in sheets.items():
                frame.to_excel(xw, sheet_name=name, index=False)
        tmp.replace(p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p
