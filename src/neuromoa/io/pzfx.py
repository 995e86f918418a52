"""GraphPad Prism ``.pzfx`` files (Prism 5 and later write XML): XY tables in, data and fits out.

Reading: an XY table's X column and its Y data sets (one curve per data set, one replicate per
subcolumn) become the tidy curve table of :func:`neuromoa.io.tables.read_curves`. Values struck
in Prism (``<d Excluded="1">``) are kept out and reported (``attrs["excluded"]`` and a note).
Column (one-way) and grouped tables have no X: a clear error names the file's tables. Decimal
commas (``3,5``, as Prism writes in European locales) are numbers.

Writing: :func:`write_pzfx` writes a Prism file with two tables, the data (XY, replicates as
subcolumns) and the fitted parameters (a column table with a row per parameter, a column per
curve), numbers at full precision, so a Prism user can open the analysis and the ``pzfx``
package (or :func:`read_pzfx`) reads the same numbers back.

The XML layout follows the files Prism itself saves (see ``data/pzfx`` of the shared folder,
from the MIT-licensed ``pzfx`` R package's test data) and the element names the ``pzfx``
package reads (``Table``/``HugeTable``, ``Title``, ``XColumn``, ``YColumn``, ``Subcolumn``,
``d``, ``RowTitlesColumn``).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from neuromoa.errors import DataFileError, OutputError, UnitError

__all__ = ["pzfx_tables", "read_pzfx", "write_pzfx"]

#: YFormat values whose subcolumns are replicates (every other format is mean-and-error: only
#: the first subcolumn, the mean, is a response).
_REPLICATE_FORMATS = ("replicates", "")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if _local(c.tag) == name]


def _text(elem: ET.Element | None) -> str:
    return "" if elem is None else "".join(elem.itertext()).strip()


def _parse(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise DataFileError(f"not a readable Prism .pzfx (XML error: {exc}); save it again from "
                            "Prism.", file=str(path)) from None


def _tables(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) in ("Table", "HugeTable")]


def _describe(tables: list[ET.Element]) -> str:
    return ", ".join(f"{_text(_child(t, 'Title'))!r} ({t.get('TableType', '?')})"
                     for t in tables) or "none"


def pzfx_tables(path: str | Path) -> list[tuple[str, str]]:
    """(title, table type) of every table in a ``.pzfx`` file (types: XY, OneWay, TwoWay…)."""
    return [(_text(_child(t, "Title")), t.get("TableType", ""))
            for t in _tables(_parse(Path(path)))]


def _cell(d: ET.Element) -> tuple[float | str | None, bool]:
    """(value, struck) of one ``<d>``: float, None for an empty cell, text otherwise."""
    s = _text(d)
    struck = d.get("Excluded") == "1"
    if not s:
        return None, struck
    t = s.replace(",", ".") if ("," in s and "." not in s) else s
    try:
        return float(t), struck
    except ValueError:
        return s, struck


def read_pzfx(path: str | Path, *, table: str | None = None, x_unit: str | None = None,
              x_log: bool = False):
    """The tidy curve table of one XY table of a Prism file (see
    :func:`neuromoa.io.tables.read_curves`); ``table`` is a title or a 1-based number (default:
    the first XY table). Index: the X row (1-based)."""
    import pandas as pd

    from neuromoa.io.tables import check_unit, x_header_unit

    p = Path(path)
    where = str(path)
    tables = _tables(_parse(p))
    if table is None:
        chosen = next((t for t in tables if t.get("TableType") == "XY"), None)
        if chosen is None:
            raise DataFileError(f"no XY table to fit (tables: {_describe(tables)}); a fit needs "
                                "an XY table (X = concentration, Y = responses).", file=where)
    else:
        titles = [_text(_child(t, "Title")) for t in tables]
        if table in titles:
            chosen = tables[titles.index(table)]
        elif str(table).isdigit() and 1 <= int(table) <= len(tables):
            chosen = tables[int(table) - 1]
        else:
            raise DataFileError(f"no table {table!r}; use --table NAME (tables: "
                                f"{_describe(tables)}).", file=where)
        if chosen.get("TableType") != "XY":
            raise DataFileError(f"table {_text(_child(chosen, 'Title'))!r} is a "
                                f"{chosen.get('TableType', '?')} table, not XY; a fit needs an XY "
                                f"table (tables: {_describe(tables)}).", file=where)
    title = _text(_child(chosen, "Title"))
    here = f"{where}, table {title!r}"
    xcol = _child(chosen, "XColumn")
    if xcol is None or _child(xcol, "Subcolumn") is None:
        raise DataFileError("the XY table has no X column.", file=here)
    xname = _text(_child(xcol, "Title")) or "X"
    xs = [_cell(d) for d in _children(_child(xcol, "Subcolumn"), "d")]
    unit, h_log = x_header_unit(xname)
    if x_unit is not None:
        try:
            given = check_unit(x_unit, "--x-unit")
        except UnitError as exc:
            raise DataFileError(str(exc), file=here) from None
        if unit is not None and unit != given:
            raise DataFileError(f"--x-unit {x_unit} disagrees with the X title {xname!r} "
                                f"({unit}); drop one of them.", file=here)
        unit = given
    elif unit is not None:
        unit = check_unit(unit, f"X title {xname!r}")
    is_log = x_log or h_log
    yformat = chosen.get("YFormat", "")
    notes: list[str] = [f"Prism table {title!r}"]
    if unit is None:
        notes.append(f"X ({xname!r}) states no unit: estimates are in X's own units; pass "
                     "--x-unit (e.g. uM) to state it")
    if yformat not in _REPLICATE_FORMATS:
        notes.append(f"Y format {yformat!r}: the mean subcolumn is fitted (error columns unused)")
    recs: list[tuple] = []
    index: list[int] = []
    excluded: list[dict[str, Any]] = []
    skipped: list[str] = []
    for k, yc in enumerate(_children(chosen, "YColumn"), start=1):
        name = _text(_child(yc, "Title")) or f"Y{k}"
        subs = _children(yc, "Subcolumn")
        if yformat not in _REPLICATE_FORMATS:
            subs = subs[:1]
        n_here = 0
        cells = [_children(sub, "d") for sub in subs]
        nrow = max((len(c) for c in cells), default=0)
        # row by row, replicates within a row: the order of a long table (X, then replicate)
        for row, rep, d in ((row, rep, c[row - 1]) for row in range(1, nrow + 1)
                            for rep, c in enumerate(cells, start=1) if row <= len(c)):
            v, struck = _cell(d)
            if v is None:
                continue
            if struck:
                excluded.append({"curve": name, "row": row, "replicate": rep, "value": v})
                continue
            if row > len(xs) or xs[row - 1][0] is None:
                raise DataFileError(f"a Y value ({v!r}, data set {name!r}) has no X value.",
                                    file=here, row=row)
            xv = xs[row - 1][0]
            if isinstance(xv, float) and is_log:
                xv = 10.0 ** xv
            recs.append((name, xv, v, str(rep)))
            index.append(row)
            n_here += 1
        if n_here == 0:
            skipped.append(name)
    if excluded:
        shown = ", ".join(f"{e['curve']} row {e['row']} rep {e['replicate']} ({e['value']:g})"
                          if isinstance(e["value"], float) else f"{e['curve']} row {e['row']}"
                          for e in excluded[:8])
        notes.append(f"{len(excluded)} struck (excluded) value(s) kept out of the fit: {shown}"
                     + (" …" if len(excluded) > 8 else ""))
    if skipped:
        notes.append(f"data set(s) with no usable value skipped: {', '.join(skipped)}")
    if not recs:
        why = (" (every value is struck/excluded in Prism)" if excluded else "")
        raise DataFileError(f"no Y values to fit{why}.", file=here)
    frame = pd.DataFrame(recs, columns=["curve", "concentration", "response", "replicate"],
                         index=pd.Index(index, name="row"))
    for col in ("concentration", "response"):
        if not frame[col].map(lambda v: isinstance(v, str)).any():
            frame[col] = frame[col].astype(float)
    if not any(isinstance(v, float) for v, _ in xs):
        raise DataFileError(f"no numeric X: the X column {xname!r} holds no numbers.", file=here)
    if is_log:
        notes.append(f"X values in {xname!r} are log10 values (converted: 10^x)")
    frame.attrs.update(unit=unit, notes=notes, source=here, x_column=xname,
                       excluded=excluded)
    return frame


# ----------------------------------------------------------------------------------------------
# writing


def _num(v: Any) -> str:
    """Full-precision text of a number ('' for NaN/None), as Prism stores it."""
    if v is None:
        return ""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return repr(f) if math.isfinite(f) else ""


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = text
    return e


def write_pzfx(path: str | Path, data, fits, *, unit: str | None = None,
               data_title: str = "Data", fits_title: str = "Fit results",
               force: bool = False) -> Path:
    """Write the curve data and the fitted parameters as a Prism ``.pzfx`` file.

    ``data``: tidy table (``curve``, ``concentration``, ``response``[, ``replicate``]);
    ``fits``: one row per curve with a ``curve`` column and numeric parameter columns (e.g.
    :meth:`BatchFit.to_frame`); its numeric columns become the rows of the results table, one
    column per curve. An existing file is never overwritten unless ``force``.
    """
    import pandas as pd

    p = Path(path)
    if p.exists() and not force:
        raise OutputError(f"{p} exists; pass --force (force=True) to overwrite it.")
    data = pd.DataFrame(data)
    root = ET.Element("GraphPadPrismFile", {"PrismXMLVersion": "5.00"})
    created = _sub(root, "Created")
    _sub(created, "OriginalVersion", CreatedByProgram="neuromoa", CreatedByVersion="1")
    seq = _sub(root, "TableSequence")
    _sub(seq, "Ref", ID="Table0", Selected="1")
    _sub(seq, "Ref", ID="Table1")
    # table 0: the data, XY with replicate subcolumns
    curves = list(dict.fromkeys(data["curve"].tolist()))
    xs = sorted({float(v) for v in pd.to_numeric(data["concentration"], errors="coerce")
                 .dropna()})
    slots: dict[tuple[Any, float], list[float]] = {}
    for c, xv, yv in zip(data["curve"], pd.to_numeric(data["concentration"], errors="coerce"),
                         pd.to_numeric(data["response"], errors="coerce"), strict=True):
        if xv == xv and yv == yv:
            slots.setdefault((c, float(xv)), []).append(float(yv))
    nrep = max((len(v) for v in slots.values()), default=1)
    t0 = _sub(root, "Table", ID="Table0", XFormat="numbers", YFormat="replicates",
              Replicates=str(nrep), TableType="XY", EVFormat="AsteriskAfterNumber")
    _sub(t0, "Title", data_title)
    xc = _sub(t0, "XColumn", Width="81", Decimals="6", Subcolumns="1")
    _sub(xc, "Title", f"concentration_{unit}" if unit else "X")
    xsub = _sub(xc, "Subcolumn")
    for xv in xs:
        _sub(xsub, "d", _num(xv))
    for c in curves:
        yc = _sub(t0, "YColumn", Width="81", Decimals="6", Subcolumns=str(nrep))
        _sub(yc, "Title", str(c))
        for k in range(nrep):
            s = _sub(yc, "Subcolumn")
            for xv in xs:
                vals = slots.get((c, xv), [])
                _sub(s, "d", _num(vals[k]) if k < len(vals) else "")
    # table 1: the fitted parameters, a column per curve, a row per quantity
    fits = pd.DataFrame(fits)
    numeric = [c for c in fits.columns if c != "curve" and
               pd.api.types.is_numeric_dtype(fits[c]) and not c.startswith("raw_")]
    t1 = _sub(root, "Table", ID="Table1", XFormat="none", TableType="OneWay",
              EVFormat="AsteriskAfterNumber")
    _sub(t1, "Title", fits_title)
    rt = _sub(t1, "RowTitlesColumn", Width="120")
    rs = _sub(rt, "Subcolumn")
    for name in numeric:
        _sub(rs, "d", name)
    for _, row in fits.iterrows():
        yc = _sub(t1, "YColumn", Width="81", Decimals="6", Subcolumns="1")
        _sub(yc, "Title", str(row["curve"]))
        s = _sub(yc, "Subcolumn")
        for name in numeric:
            _sub(s, "d", _num(row[name]))
    ET.indent(root)
    tmp = p.with_name(p.name + ".partial")
    try:
        with tmp.open("wb") as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=False)
        tmp.replace(p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p
