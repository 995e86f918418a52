"""Plate-reader grids and plate maps: the files instruments and lab spreadsheets write.

A **grid** is a header row of column numbers and one row per plate row letter::

    <>      1      2   …  12          (Tecan i-control: tab-separated, "<>" in the corner)
    A    1021    988   …  97
    …

Accepted around and inside it (sniffed, nothing to configure):

* separators: comma, tab or semicolon; with a tab or semicolon a **decimal comma** ("1234,5");
  Windows (CRLF) or Unix line endings; UTF-8 (with or without BOM), UTF-16 with a BOM, or
  Windows-1252 (a European instrument's "µ");
* **instrument header and footer lines** (MicroBeta/Tecan/BMG-style "Protocol: …", "Date: …",
  "End Time: …") anywhere outside the grids: kept as text in ``attrs["header"]``, never read as
  data; a corner cell that is blank, ``<>`` or a word ("CPM"); column numbers zero-padded or
  not ("01"); a trailing separator or a repeated row letter at the end of a row;
* **96- and 384-well** grids (rows A–P, columns 1–24; a partial grid holds only the wells it
  names) and **several plates per file**: each grid is a plate, named by the last ``Plate …``
  line before it ("Plate,P1", "Plate: 2", "Plate 3") or, without one, ``<file stem>`` (one grid)
  or ``<file stem>-1``, ``-2``, … (several).

A **plate map** is the same kind of file whose grids are labelled by the line before them:
``Role`` (total/nsb/test/empty and their synonyms: cells are returned as written),
``Compound``, and ``Concentration (nM)`` (the unit in the label, or in every cell: "10 uM").
An unlabelled grid of words is the role map. A map applies to every plate of a data file.

This module returns pandas DataFrames (layer of ``io``: it does not know assays): the analysis
in :mod:`neuromoa.assays.plates` turns them into wells with roles. Errors are
:class:`~neuromoa.errors.DataFileError` naming the file, line, plate and well and what was
expected; a bad *value* in a data grid does not raise but is reported in the ``error`` column so
that one bad well fails only its plate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from neuromoa.errors import DataFileError, UnitError
from neuromoa.units import as_molar

__all__ = ["GRID_STYLES", "GridBlock", "decode_text", "read_grid_blocks", "read_plate_grids",
           "read_plate_map", "sniff_plate_text", "write_plate_grids", "write_plate_map"]

#: Plate row letters (a 384-well plate has 16 rows, A–P) and the most columns (24).
ROW_LETTERS = "ABCDEFGHIJKLMNOP"
MAX_COLUMNS = 24
_DELIMITERS = ("\t", ";", ",")
_PLATE_LINE = re.compile(r"^\s*plate(?:\s*(?:name|number|no\.?|id|#))?\s*[:=#]?\s*(.*)$",
                         re.IGNORECASE)
_UNIT_IN_LABEL = re.compile(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]|[_\s]((?:[mupnf]|µ)?M)\s*$")
_MAP_KINDS = {
    "role": ("role", "roles", "type", "types", "well type", "layout", "plate map", "map"),
    "compound": ("compound", "compounds", "sample", "samples", "drug", "name", "inhibitor"),
    "concentration": ("concentration", "conc", "concentrations", "dose", "doses"),
}
_EUROPEAN_NUMBER = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")


@dataclass
class GridBlock:
    """One grid of a file: its plate name (as written, may be ""), label and cells.

    ``cells`` maps a well ("C5") to ``(text, line)``; ``line`` is 1-based in the file.
    """

    plate: str
    label: str
    header_line: int
    n_rows: int
    n_columns: int
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)


def decode_text(path: Path) -> str:
    """A text file's content: UTF-8 (BOM allowed), UTF-16 with a BOM, or Windows-1252."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise DataFileError("is a folder, not a plate file.", file=path.name) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataFileError("a UTF-16 file that cannot be decoded.", file=path.name) from None
    if b"\x00" in data[:8192]:
        raise DataFileError("not a text file (it holds NUL bytes): save the plate as text "
                            "(CSV, TSV or TXT) from the reader software.", file=path.name)
    if data[:4] == b"PK\x03\x04":
        raise DataFileError("an Excel (.xlsx) file: export the sheet as CSV or text from the "
                            "reader software.", file=path.name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise DataFileError("neither UTF-8 nor Windows-1252 text; save the file as UTF-8.",
                                file=path.name) from None


def _split(line: str, delim: str) -> list[str]:
    cells = [c.strip().strip('"').strip() for c in line.split(delim)]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _header_columns(cells: list[str]) -> list[int] | None:
    """Column numbers of a grid header row (corner cell, then 1, 2, …), else None."""
    if len(cells) < 2:
        return None
    corner = cells[0]
    if corner and (corner.upper() in ROW_LETTERS or _is_number(corner)):
        return None
    rest = cells[1:]
    if not all(c.isdigit() for c in rest):
        return None
    cols = [int(c) for c in rest]
    if cols != list(range(1, len(cols) + 1)) or len(cols) > MAX_COLUMNS:
        return None
    return cols


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def sniff_plate_text(text: str) -> str:
    """The separator of a plate file: the one under which most lines are grid headers."""
    lines = text.splitlines()
    best, best_n = ",", 0
    for delim in _DELIMITERS:
        n = sum(1 for ln in lines if delim in ln and _header_columns(_split(ln, delim)))
        if n > best_n:
            best, best_n = delim, n
    return best


def _plate_name(cells: list[str], line: str) -> str | None:
    """The plate name of a "Plate …" line ("" for a bare "Plate"), else None."""
    first = cells[0] if cells else ""
    m = _PLATE_LINE.match(first)
    if m is None:
        return None
    rest = m.group(1).strip()
    if not rest:
        rest = next((c for c in cells[1:] if c), "")
    if len(rest) > 60 or (rest and not re.match(r"^[\w.\- #/]+$", rest)):
        return None  # an instrument line that merely starts with "plate" (e.g. a plate type)
    return rest


def read_grid_blocks(path: str | Path) -> tuple[list[GridBlock], dict[str, object]]:
    """Every grid of a plate file, with the file's separator, decimal mark and header lines.

    Returns ``(blocks, info)``; ``info`` holds ``file``, ``delimiter``, ``decimal`` and
    ``header`` (the non-grid lines, numbered). Raises :class:`DataFileError` for a file with no
    grid or a malformed grid (a row letter out of order or repeated, more values than columns).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "No such file", str(p))
    fname = p.name
    text = decode_text(p)
    delim = sniff_plate_text(text)
    decimal = "," if delim != "," else "."
    lines = text.splitlines()
    blocks: list[GridBlock] = []
    header: list[tuple[int, str]] = []
    plate: str | None = None  # the last "Plate …" line since the previous grid
    label = ""
    i = 0
    while i < len(lines):
        raw = lines[i]
        cells = _split(raw, delim)
        cols = _header_columns(cells)
        if cols is None:
            if any(cells):
                header.append((i + 1, raw.strip()))
                name = _plate_name(cells, raw)
                if name is not None:
                    plate = name
                else:
                    label = " ".join(c for c in cells if c)
            i += 1
            continue
        corner = cells[0]
        block = GridBlock(plate or "", label if label else ("" if corner in ("", "<>")
                                                              else corner),
                          i + 1, 0, len(cols))
        i += 1
        last_row = -1
        while i < len(lines):
            cells = _split(lines[i], delim)
            letter = cells[0].upper() if cells else ""
            if len(letter) != 1 or letter not in ROW_LETTERS:
                values = cells[1:]
                if (cells and len(cells) == len(cols) + 1 and len(cells[0]) <= 2
                        and values and all(_is_number(v) for v in values if v)):
                    raise DataFileError(f"{cells[0]!r} is not a plate row letter: rows are "
                                        "A–H (96 wells) or A–P (384 wells).", file=fname,
                                        row=i + 1)
                break
            idx = ROW_LETTERS.index(letter)
            if idx <= last_row:
                raise DataFileError(f"row {letter} comes after row {ROW_LETTERS[last_row]} in "
                                    f"the grid starting on line {block.header_line}; each row "
                                    "letter once, in order A, B, C, …", file=fname, row=i + 1)
            last_row = idx
            values = cells[1:]
            if len(values) == len(cols) + 1 and values[-1].upper() == letter:
                values = values[:-1]  # the row letter repeated at the end of the row
            if len(values) > len(cols):
                raise DataFileError(f"row {letter} has {len(values)} values but the grid header "
                                    f"(line {block.header_line}) numbers {len(cols)} columns.",
                                    file=fname, row=i + 1)
            for col, value in zip(cols, values, strict=False):
                if value != "":
                    block.cells[f"{letter}{col}"] = (value, i + 1)
            block.n_rows = idx + 1
            i += 1
        if block.n_rows == 0:
            raise DataFileError(f"the grid header on line {block.header_line} is not followed by "
                                "rows A, B, …; expected a line such as 'A,1021,988,…'.",
                                file=fname, row=block.header_line + 1)
        blocks.append(block)
        plate, label = None, ""
    if not blocks:
        raise DataFileError("no plate grid found: expected a header of column numbers "
                            "(',1,2,…,12' or '<>\\t1\\t2…') followed by rows A–H (or A–P).",
                            file=fname)
    return blocks, {"file": fname, "delimiter": delim, "decimal": decimal,
                    "header": header}


def parse_count(text: str, decimal: str) -> float:
    """A count as written by a reader: "1234", "1234.5", with ``decimal=","`` "1234,5" and
    "1.234,5". Raises ValueError for anything else."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal == ",":
        if _EUROPEAN_NUMBER.match(t):
            t = t.replace(".", "")
        if t.count(",") == 1 and "." not in t:
            t = t.replace(",", ".")
    return float(t)


def read_plate_grids(path: str | Path) -> pd.DataFrame:
    """Counts of every plate of a reader's grid file as a long table.

    Returns
    -------
    DataFrame ``plate well row column value error line``: ``value`` is the count (NaN for a
    blank or bad cell), ``error`` is "" or one line naming file, line, plate and well and what
    was expected (a bad value fails its plate only). ``attrs`` holds ``file``, ``delimiter``,
    ``decimal``, ``header`` (instrument lines) and ``plates`` (names in file order).

    Raises
    ------
    DataFileError
        No grid, a malformed grid, or two grids with the same plate name.
    """
    blocks, info = read_grid_blocks(path)
    fname = str(info["file"])
    stem = Path(path).stem
    names: list[str] = []
    seen: dict[str, int] = {}
    for k, b in enumerate(blocks, start=1):
        name = b.plate or (stem if len(blocks) == 1 else f"{stem}-{k}")
        if name in seen:
            raise DataFileError(f"two grids are named plate {name!r} (lines {seen[name]} and "
                                f"{b.header_line}); give each plate its own 'Plate <name>' line.",
                                file=fname, row=b.header_line)
        seen[name] = b.header_line
        names.append(name)
    rows = []
    for name, b in zip(names, blocks, strict=True):
        for well, (text, line) in b.cells.items():
            err = ""
            try:
                value = parse_count(text, str(info["decimal"]))
            except ValueError:
                value = math.nan
                err = str(DataFileError(f"well {well} (plate {name}): {text!r} is not a number; "
                                        "expected counts per minute (≥ 0).", file=fname, row=line))
            if not err and (not math.isfinite(value) or value < 0):
                err = str(DataFileError(f"well {well} (plate {name}): {text!r} is negative or "
                                        "not finite; counts per minute must be ≥ 0.", file=fname,
                                        row=line))
                value = math.nan
            rows.append((name, well, well[0], int(well[1:]), value, err, line))
    out = pd.DataFrame(rows, columns=["plate", "well", "row", "column", "value", "error", "line"])
    out.attrs.update(info)
    out.attrs["plates"] = names
    return out


def _map_kind(label: str, values: list[str]) -> str | None:
    low = label.strip().lower()
    base = re.split(r"[\(\[_:]", low)[0].strip()
    base = re.sub(r"\s+(?:[mupnf]|µ)?m$", "", base)
    for kind, words in _MAP_KINDS.items():
        if base in words:
            return kind
    if not low and values and not any(_is_number(v) for v in values):
        return "role"
    return None


def _label_unit(label: str) -> str | None:
    m = _UNIT_IN_LABEL.search(label)
    if m is None:
        return None
    return (m.group(1) or m.group(2)).replace("µ", "u").replace("μ", "u")


def read_plate_map(*paths: str | Path) -> pd.DataFrame:
    """A plate map from one or more grid files (``Role``, ``Compound``, ``Concentration (unit)``).

    Returns
    -------
    DataFrame ``well row column role compound concentration_M line`` with one row per well
    that any map names; ``role`` is the text as written ("" where the role map is blank),
    ``concentration_M`` 0 where none is given. ``attrs["files"]`` lists the files.

    Raises
    ------
    DataFileError
        No role map, a grid with an unknown label, the same map twice, a concentration without a
        unit (in the label or the cell), or one that is not a number.
    """
    maps: dict[str, tuple[GridBlock, str]] = {}
    for path in paths:
        blocks, info = read_grid_blocks(path)
        fname = str(info["file"])
        for b in blocks:
            values = [t for t, _ in b.cells.values()]
            kind = _map_kind(b.label, values)
            if kind is None:
                raise DataFileError(f"the grid on line {b.header_line} is labelled "
                                    f"{b.label!r}; a plate map's grids are labelled 'Role', "
                                    "'Compound' or 'Concentration (nM)' on the line above.",
                                    file=fname, row=b.header_line)
            if kind in maps:
                raise DataFileError(f"a second {kind} map (line {b.header_line}); give each map "
                                    "once.", file=fname, row=b.header_line)
            maps[kind] = (b, fname)
    if "role" not in maps:
        where = ", ".join(Path(p).name for p in paths)
        raise DataFileError("no role map: label a grid 'Role' (cells total, nsb, test or empty).",
                            file=where)
    wells: dict[str, dict[str, object]] = {}
    for kind in ("role", "compound", "concentration"):
        if kind not in maps:
            continue
        b, fname = maps[kind]
        unit = _label_unit(b.label) if kind == "concentration" else None
        if kind == "role":  # every well the role grid spans is on the map (blank = empty)
            for r in ROW_LETTERS[:b.n_rows]:
                for c in range(1, b.n_columns + 1):
                    wells.setdefault(f"{r}{c}", {"well": f"{r}{c}", "row": r, "column": c,
                                                 "role": "", "compound": "",
                                                 "concentration_M": 0.0,
                                                 "line": b.header_line})
        for well, (text, line) in b.cells.items():
            rec = wells.setdefault(well, {"well": well, "row": well[0], "column": int(well[1:]),
                                          "role": "", "compound": "", "concentration_M": 0.0,
                                          "line": line})
            if kind == "concentration":
                rec["concentration_M"] = _map_conc(text, unit, well, fname, line, b.label)
            else:
                rec[kind] = text
                if kind == "role":
                    rec["line"] = line
    out = pd.DataFrame(list(wells.values()),
                       columns=["well", "row", "column", "role", "compound", "concentration_M",
                                "line"])
    out = out.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    out.attrs["files"] = [Path(p).name for p in paths]
    return out


def _map_conc(text: str, unit: str | None, well: str, fname: str, line: int, label: str) -> float:
    t = text.strip()
    if _is_number(t):
        if unit is None:
            raise DataFileError(f"well {well}: concentration {t!r} has no unit; label the map "
                                f"'Concentration (nM)' (it is {label!r}) or write '{t} nM'.",
                                file=fname, row=line)
        t = f"{t.replace(',', '.')} {unit}"
    try:
        return as_molar(t, what=f"well {well} concentration")
    except UnitError as exc:
        raise DataFileError(str(exc), file=fname, row=line) from None


# --------------------------------------------------------------------------- writing

#: Export styles :func:`write_plate_grids` writes, after the vendors' documented text exports:
#: separator, decimal mark, line ending, instrument header lines, corner cell, footer lines.
GRID_STYLES: dict[str, dict[str, object]] = {
    "csv": {"sep": ",", "decimal": ".", "eol": "\n", "head": [], "corner": "", "foot": []},
    "microbeta": {  # PerkinElmer MicroBeta2 workstation report: header lines, CPM matrix
        "sep": ",", "decimal": ".", "eol": "\n",
        "head": ["MicroBeta2 2450 Microplate Counter", "Report: CPM matrix",
                 "Protocol name: neuromoa {assay}", "Counting time: {count_time}",
                 "Detector: 6"],
        "corner": "CPM", "foot": ["", "End of report"]},
    "tecan": {  # Tecan i-control ASCII export: tab-separated, "<>" corner, End Time footer
        "sep": "\t", "decimal": ".", "eol": "\n",
        "head": ["Application: Tecan i-control", "Device: infinite M1000 PRO",
                 "Plate\tPerkinElmer 96 OptiPlate [PE96wOpti]"],
        "corner": "<>", "foot": ["", "End Time:\t(simulated)"]},
    "semicolon": {  # European instrument export (e.g. BMG MARS, German locale)
        "sep": ";", "decimal": ",", "eol": "\r\n",
        "head": ["User: USER", "Test name: neuromoa {assay}", "Test ID: 1",
                 "Counting time: {count_time}"],
        "corner": "", "foot": []},
}


def _fmt(value: float, decimal: str) -> str:
    if not math.isfinite(value):
        return ""
    text = f"{value:.10g}"
    return text.replace(".", ",") if decimal == "," else text


def write_plate_grids(counts: pd.DataFrame, path: str | Path, *, style: str = "csv",
                      fields: dict[str, str] | None = None) -> Path:
    """Write plates (``plate row column value``) as reader-style grids, one per plate.

    ``style`` is one of :data:`GRID_STYLES`; ``fields`` fills the header's ``{…}`` slots.
    A 384-well plate (rows past H or columns past 12) is written 16 × 24.
    """
    if style not in GRID_STYLES:
        raise DataFileError(f"unknown grid style {style!r}; use one of "
                            f"{', '.join(GRID_STYLES)}.")
    st = GRID_STYLES[style]
    sep, dec = str(st["sep"]), str(st["decimal"])
    slots = {"assay": "", "count_time": "", **(fields or {})}
    lines = [str(h).format(**slots) for h in st["head"]]  # type: ignore[attr-defined]
    for plate in dict.fromkeys(counts["plate"].tolist()):
        sub = counts[counts["plate"] == plate]
        big = sub["row"].map(ROW_LETTERS.index).max() >= 8 or sub["column"].max() > 12
        n_rows, n_cols = (16, 24) if big else (8, 12)
        grid = {(r, int(c)): float(v) for r, c, v in zip(sub["row"], sub["column"],
                                                          sub["value"], strict=True)}
        lines += ["", f"Plate: {plate}",
                  sep.join([str(st["corner"]), *(str(c) for c in range(1, n_cols + 1))])]
        for r in ROW_LETTERS[:n_rows]:
            lines.append(sep.join([r, *(_fmt(grid.get((r, c), math.nan), dec)
                                        for c in range(1, n_cols + 1))]))
    lines += [str(f) for f in st["foot"]]  # type: ignore[attr-defined]
    p = Path(path)
    p.write_bytes((str(st["eol"]).join(lines) + str(st["eol"])).encode("utf-8"))
    return p


def write_plate_map(layout: pd.DataFrame, path: str | Path) -> Path:
    """Write a layout (``well row column role compound concentration_M``) as plate-map grids
    labelled ``Role``, ``Compound`` and ``Concentration (nM)`` (comma-separated)."""
    big = layout["row"].map(ROW_LETTERS.index).max() >= 8 or layout["column"].max() > 12
    n_rows, n_cols = (16, 24) if big else (8, 12)
    cells = {(r, int(c)): rec for r, c, rec in zip(layout["row"], layout["column"],
                                                   layout.to_dict(orient="records"), strict=True)}
    lines: list[str] = []
    for label, get in (("Role", lambda rec: str(rec["role"]) if rec["role"] != "empty" else ""),
                       ("Compound", lambda rec: str(rec["compound"] or "")),
                       ("Concentration (nM)", lambda rec: (
                           f"{rec['concentration_M'] * 1e9:.6g}"
                           if rec["concentration_M"] and rec["concentration_M"] > 0 else ""))):
        lines += [label, "," + ",".join(str(c) for c in range(1, n_cols + 1))]
        for r in ROW_LETTERS[:n_rows]:
            lines.append(r + "," + ",".join(get(cells[(r, c)]) if (r, c) in cells else ""
                                            for c in range(1, n_cols + 1)))
        lines.append("")
    p = Path(path)
    p.write_text("\n".join(lines), encoding="utf-8")
    return p
