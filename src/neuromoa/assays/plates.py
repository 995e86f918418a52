"""Plate files: the tidy table and the 8 × 12 grid plate readers export (with a layout file).

Tidy CSV (one row per well)::

    # neuromoa: {"plates": {"P1": {"conditions": {...}, "truth": {...}}}}
    plate,well,row,column,role,compound,concentration,counts
    P1,A1,A,1,total,,,10234
    P1,B2,B,2,test,amitriptyline,1000 nM,612

* ``role``: total | nsb | test | empty (spellings in :data:`~neuromoa.assays.layout.ROLE_SYNONYMS`);
* ``concentration``: a number **with its unit** ("1000 nM", "1 uM"), or a numeric column whose
  name carries the unit (``concentration_nM``, ``concentration_M``); required for test and
  nsb wells;
* ``counts``: counts per minute (also accepted: ``cpm``, ``counts_cpm``), numbers ≥ 0;
* ``plate`` is optional (default: the file name); ``row``/``column`` are derived from ``well``.

Plate-reader grids (read by :mod:`neuromoa.io.plates`): MicroBeta-, Tecan- (tab, ``<>``) or
European-style (semicolon, decimal comma, CRLF) exports with instrument header/footer lines,
96 or 384 wells, several plates per file (``Plate <name>`` lines), plus a plate map given
separately: a list (``well role compound concentration`` and optionally ``plate``) or grids
labelled ``Role``, ``Compound``, ``Concentration (nM)`` (:func:`load_layout`). A tidy file
without ``role`` can also take its roles from a layout file. Assay constants may sit in
``# key: value`` lines at the top of the file or a ``<stem>.constants.toml`` sidecar
(:mod:`neuromoa.assays.constants`).

Simulated files carry their true parameters in the ``# neuromoa:`` header line and in a JSON
sidecar (``plate.csv.json``).

Bad input, two levels:

* a **bad well** (counts not a number or negative, unknown role, concentration without a unit,
  a well named twice, a layout well without counts) fails **its plate only**: the plate is
  left out of ``PlateSet.wells`` and :attr:`PlateSet.errors` holds one line naming the file,
  line, well and plate; the other plates are read (never raises:
  :func:`~neuromoa.assays.analyze_plate` reports such a plate as failed, and raises for a
  single-plate file);
* a **malformed file** (no ``well``/``counts`` column, no grid header, not a plate row letter,
  unreadable) raises :class:`~neuromoa.errors.DataFileError` naming the file (and line).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from neuromoa.assays.layout import ROLES, normalise_role, parse_well
from neuromoa.errors import DataFileError, ProtocolError, UnitError
from neuromoa.io.plates import (
    GRID_STYLES,
    decode_text,
    read_plate_grids,
    read_plate_map,
    sniff_plate_text,
    write_plate_grids,
    write_plate_map,
)
from neuromoa.units import as_molar

__all__ = ["PlateConditions", "PlateMeta", "PlateSet", "read_layout", "read_plates", "write_plates"]

_HEADER_KEY = "neuromoa:"
_COUNT_COLUMNS = ("counts", "cpm", "counts_cpm", "count")
_CONC_UNIT_COLUMN = re.compile(r"^concentration_(\w+)$")
_WELL_COLUMNS = ["plate", "well", "row", "column", "role", "compound", "concentration_M",
                 "counts_cpm"]
_ROW_LETTERS = "ABCDEFGHIJKLMNOP"


@dataclass(frozen=True, eq=False)
class PlateSet:
    """One or more plates: a tidy well table plus per-plate conditions and (simulated) truth.

    Attributes
    ----------
    wells : DataFrame ``plate well row column role compound concentration_M counts_cpm``.
    meta : ``{plate: {"conditions": {...}, "truth": {...}}}`` (JSON-safe; may be empty).
    source : where the plates came from (file name or "simulated").
    errors : ``{plate: message}`` for plates of the file that could not be read (a bad well);
        their wells are not in ``wells``.
    order : every plate name of the file in file order (readable or not; empty = ``plates``).
    constants : the assay constants the file gives (``# key: value`` header lines, a
        ``<file>.constants.toml`` sidecar) as ``((origin, {key: SI value}), ...)``; see
        :mod:`neuromoa.assays.constants`.
    """

    wells: pd.DataFrame
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    constants: tuple[tuple[str, dict[str, Any]], ...] = ()

    @property
    def plates(self) -> list[str]:
        """Names of the readable plates (those with wells), in file order."""
        return list(dict.fromkeys(self.wells["plate"].tolist()))

    @property
    def all_plates(self) -> list[str]:
        """Every plate of the file in file order, including those in :attr:`errors`."""
        names = list(self.order) or [*self.plates, *self.errors]
        return list(dict.fromkeys(names))

    def plate(self, name: str) -> PlateSet:
        """The sub-set holding plate ``name`` only (with its error, if it has one)."""
        if name not in self.all_plates:
            raise ProtocolError(f"{self.source or 'plates'}: no plate {name!r}; "
                                f"plates are {', '.join(self.all_plates)}.")
        errors = {name: self.errors[name]} if name in self.errors else {}
        return PlateSet(self.wells[self.wells["plate"] == name].reset_index(drop=True),
                        {name: self.meta.get(name, {})}, self.source, errors, (name,),
                        self.constants)

    def conditions(self, name: str) -> dict[str, Any]:
        """Assay conditions stored with plate ``name`` (empty dict for a user's own file)."""
        return dict(self.meta.get(name, {}).get("conditions", {}))

    def truth(self, name: str) -> dict[str, Any]:
        """True parameters of simulated plate ``name`` (empty dict for a user's own file)."""
        return dict(self.meta.get(name, {}).get("truth", {}))

    def to_frame(self) -> pd.DataFrame:
        """The tidy well table (a copy)."""
        return self.wells.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``{"source", "meta", "wells": [records]}``."""
        return {"source": self.source, "meta": self.meta, "errors": dict(self.errors),
                "wells": json.loads(self.wells.to_json(orient="records"))}

    def write(self, path: str | Path, *, format: str = "tidy",
              layout_path: str | Path | None = None) -> list[Path]:
        """Write to ``path`` (see :func:`write_plates`)."""
        return write_plates(self, path, format=format, layout_path=layout_path)

    def plot(self, name: str | None = None, ax=None):
        """Heat map of one plate's counts (see :func:`neuromoa.assays.plots.plate_heatmap`)."""
        from neuromoa.assays.plots import plate_heatmap

        return plate_heatmap(self, name or self.plates[0], ax=ax)


# --------------------------------------------------------------------------- header schema

#: Suffixes of header values that are physical quantities (finite numbers ≥ 0).
_QUANTITY_SUFFIXES = ("_M", "_s", "_L", "_cpm", "_C", "_Ci_per_mol", "_fraction", "_cv")


def _finite_number(key: str, v: Any, *, positive: bool) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{key} must be a number, got {v!r}")
    x = float(v)
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        raise ValueError(f"{key} must be a finite number {'> 0' if positive else '≥ 0'}, "
                         f"got {v!r}")
    return x


class PlateConditions(BaseModel):
    """The assay conditions stored with a plate (header line or sidecar), validated at load.

    Named values are checked by type and range (a key may be absent, never null); any other key
    ending in a quantity suffix (``_M``, ``_s``, ``_L``, ``_cpm``, …) must be a finite number ≥ 0.
    """

    model_config = ConfigDict(extra="allow", validate_assignment=True, strict=True)

    assay: str = None  # type: ignore[assignment] - may be absent, never null
    target: str = None  # type: ignore[assignment] - may be absent, never null
    compound: str = None  # type: ignore[assignment] - may be absent, never null
    count_time_s: float = Field(default=None, gt=0, allow_inf_nan=False)
    volume_L: float = Field(default=None, gt=0, allow_inf_nan=False)
    counting_efficiency: float = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    filter_recovery: float = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    specific_activity_Ci_per_mol: float = Field(default=None, gt=0, allow_inf_nan=False)
    temperature_C: float = Field(default=None, ge=-50, le=100, allow_inf_nan=False)
    km_M: float = Field(default=None, gt=0, allow_inf_nan=False)
    kd_M: float = Field(default=None, gt=0, allow_inf_nan=False)
    substrate_M: float = Field(default=None, gt=0, allow_inf_nan=False)
    radioligand_M: float = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("assay")
    @classmethod
    def _assay(cls, v: str) -> str:
        if v not in ("uptake", "binding"):
            raise ValueError(f"must be 'uptake' or 'binding', got {v!r}")
        return v

    def model_post_init(self, __context: Any) -> None:
        for key, v in (self.model_extra or {}).items():
            if key.endswith(_QUANTITY_SUFFIXES):
                _finite_number(key, v, positive=False)


class PlateMeta(BaseModel):
    """One plate's entry in the header: conditions and (simulated) truth."""

    model_config = ConfigDict(extra="allow")

    conditions: PlateConditions = Field(default_factory=PlateConditions)
    truth: dict[str, Any] = Field(default_factory=dict)

    @field_validator("truth")
    @classmethod
    def _truth(cls, v: dict[str, Any]) -> dict[str, Any]:
        for key, x in v.items():
            if key.endswith("_M") and x is not None:
                _finite_number(key, x, positive=False)
        return v


def _validate_meta(meta: Any, fname: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Validate the header/sidecar: ``({plate: meta}, {plate: error})``; a bad plate entry fails
    that plate only, a malformed header (``plates`` not an object) fails the file."""
    if meta in (None, {}):
        return {}, {}
    if not isinstance(meta, dict):
        raise DataFileError(f"the '# neuromoa:' header must be a JSON object, got "
                            f"{type(meta).__name__}.", file=fname, field="neuromoa")
    plates = meta.get("plates", {})
    if plates is None:
        plates = {}
    if not isinstance(plates, dict):
        raise DataFileError(f"header 'plates' must be an object {{plate: {{conditions, truth}}}}, "
                            f"got {type(plates).__name__}.", file=fname, field="plates")
    good: dict[str, dict[str, Any]] = {}
    bad: dict[str, str] = {}
    for name, entry in plates.items():
        try:
            PlateMeta.model_validate(entry if entry is not None else {})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            bad[str(name)] = str(DataFileError(f"plate {name}: header value {loc}: {msg}.",
                                               file=fname, field=loc))
            continue
        good[str(name)] = entry if entry is not None else {}  # validated; kept as written
    return good, bad


# --------------------------------------------------------------------------- reading


def _split_header(text: str, fname: str = "") -> tuple[dict[str, Any], list[str], int]:
    """Return (meta from '# neuromoa:' lines, body lines, number of comment lines skipped)."""
    meta: dict[str, Any] = {}
    body: list[str] = []
    skipped = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not body and (stripped.startswith("#") or not stripped):
            skipped += 1
            content = stripped.lstrip("#").strip()
            if content.startswith(_HEADER_KEY):
                try:
                    meta = json.loads(content[len(_HEADER_KEY):])
                except (json.JSONDecodeError, RecursionError) as exc:
                    detail = getattr(exc, "msg", type(exc).__name__)
                    raise DataFileError(f"the '# neuromoa:' header is not valid JSON ({detail}); "
                                        "fix it or delete the line.", file=fname,
                                        row=skipped) from None
            continue
        body.append(line)
    return meta, body, skipped


def _read_text(path: Path) -> str:
    """The file's text (see :func:`neuromoa.io.plates.decode_text`)."""
    return decode_text(path)


def _read_table(body: list[str], fname: str, first_line: int) -> pd.DataFrame:
    """A tidy body as a table of strings (no type inference), row lengths checked."""
    rows = list(csv.reader(body))
    width = len(rows[0]) if rows else 0
    for i, r in enumerate(rows[1:], start=1):
        if r and any(c.strip() for c in r) and len(r) != width:
            if len(r) == width + 1 and r[-1].strip() == "":
                continue  # an empty trailing field (trailing comma): read below
            raise DataFileError(f"{len(r)} fields where the header has {width}; every row needs "
                                "the header's number of fields.", file=fname,
                                row=first_line + i - 1)
    try:
        frame = pd.read_csv(io.StringIO("\n".join(body)), dtype=str, keep_default_na=False,
                            index_col=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFileError(f"malformed CSV ({detail}).", file=fname) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _sidecar_meta(path: Path) -> dict[str, Any]:
    side = path.with_name(path.name + ".json")
    if side.is_file():
        try:
            return json.loads(side.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            detail = getattr(exc, "msg", type(exc).__name__)
            raise DataFileError(f"sidecar is not valid JSON ({detail}).",
                                file=str(side)) from None
    return {}


def _parse_counts(value: str, where: str, fname: str, line: int) -> float:
    text = str(value).strip()
    if text == "":
        raise DataFileError(f"well {where}: counts are missing; give counts per minute (≥ 0).",
                            file=fname, row=line)
    try:
        x = float(text)
    except ValueError:
        raise DataFileError(f"well {where}: counts {text!r} are not a number; give counts per "
                            "minute (≥ 0).", file=fname, row=line) from None
    if not math.isfinite(x) or x < 0:
        raise DataFileError(f"well {where}: counts {text!r} are negative or not finite; counts "
                            "per minute must be ≥ 0.", file=fname, row=line)
    return x


def _parse_conc(value: str, unit: str | None, role: str, where: str, fname: str,
                line: int) -> float:
    text = "" if value is None else str(value).strip()
    if text == "" or text.lower() == "nan":
        if role in ("test", "nsb"):
            raise DataFileError(f"well {where}: a {role} well needs a concentration with a unit "
                                "(e.g. '10 nM').", file=fname, row=line)
        return 0.0
    if unit is not None:
        text = f"{text} {unit}"
    try:
        return as_molar(text, what=f"well {where} concentration")
    except UnitError as exc:
        raise DataFileError(str(exc), file=fname, row=line) from None


class _PlateErrors:
    """First error of each plate, and every plate name in file order.

    ``per_plate=False`` (layout files) re-raises at once: a bad layout row is a malformed file.
    """

    def __init__(self, per_plate: bool) -> None:
        self.per_plate = per_plate
        self.errors: dict[str, str] = {}
        self.order: list[str] = []

    def seen(self, plate: str) -> None:
        if plate not in self.order:
            self.order.append(plate)

    def add(self, plate: str, exc: DataFileError) -> None:
        if not self.per_plate:
            raise exc
        self.seen(plate)
        self.errors.setdefault(plate, str(exc))

    def add_message(self, plate: str, message: str) -> None:
        self.seen(plate)
        self.errors.setdefault(plate, message)

    def drop_failed(self, table: pd.DataFrame) -> pd.DataFrame:
        return table[~table["plate"].isin(list(self.errors))].reset_index(drop=True)


def _well_table(frame: pd.DataFrame, fname: str, first_line: int, *, need_counts: bool,
                default_plate: str, errs: _PlateErrors | None = None) -> pd.DataFrame:
    """Validate and convert a tidy table (strings) into the canonical well table.

    A bad row raises :class:`DataFileError`, or with ``errs`` (per-plate collection) fails its
    plate: the plate's wells are left out and ``errs`` holds the message.
    """
    errs = errs if errs is not None else _PlateErrors(per_plate=False)
    cols = {c.strip().lower(): c for c in frame.columns}
    if "well" not in cols and not {"row", "column"} <= set(cols):
        raise DataFileError("no 'well' column (or 'row' and 'column'); each row must name its "
                            "well, e.g. 'C5'.", file=fname)
    conc_col, conc_unit = None, None
    if "concentration" in cols:
        conc_col = cols["concentration"]
    else:
        for low, orig in cols.items():
            m = _CONC_UNIT_COLUMN.match(low)
            if m:
                conc_col, conc_unit = orig, orig.split("_", 1)[1]
                break
    count_col = next((cols[c] for c in _COUNT_COLUMNS if c in cols), None)
    if need_counts and count_col is None:
        raise DataFileError("no 'counts' column (counts per minute).", file=fname)
    records = []
    for i, rec in enumerate(frame.to_dict(orient="records")):
        line = first_line + i
        plate = str(rec[cols["plate"]]).strip() if "plate" in cols else default_plate
        plate = plate or default_plate
        errs.seen(plate)
        try:
            records.append(_well_record(rec, cols, plate, conc_col, conc_unit, count_col,
                                        fname, line))
        except DataFileError as exc:
            errs.add(plate, exc)
    out = pd.DataFrame(records, columns=[*_WELL_COLUMNS, "line"])
    for _, r in out[out.duplicated(["plate", "well"], keep="first")].iterrows():
        errs.add(r["plate"], DataFileError(f"well {r['well']} appears twice in plate "
                                           f"{r['plate']}.", file=fname, row=int(r["line"])))
    return errs.drop_failed(out)


def _well_record(rec: dict[str, Any], cols: dict[str, str], plate: str, conc_col: str | None,
                 conc_unit: str | None, count_col: str | None, fname: str,
                 line: int) -> tuple:
    """One row of a tidy table as a well record; raises :class:`DataFileError` naming it."""
    if "well" in cols:
        parsed = parse_well(rec[cols["well"]])
        label = str(rec[cols["well"]]).strip()
    else:
        label = f"{str(rec[cols['row']]).strip()}{str(rec[cols['column']]).strip()}"
        parsed = parse_well(label)
    if parsed is None:
        where = f" (plate {plate})" if "plate" in cols else ""
        raise DataFileError(f"well {label!r}{where} is not a plate well such as 'C5'.",
                            file=fname, row=line)
    well = f"{parsed[0]}{parsed[1]}"
    where = f"{well} (plate {plate})" if "plate" in cols else well
    role_raw = rec[cols["role"]] if "role" in cols else None
    role = normalise_role(role_raw) if "role" in cols else None
    if role == "empty" and str(role_raw).strip() == "":
        filled = [c for c in ("compound", "concentration")
                  if c in cols and str(rec[cols[c]]).strip()]
        if conc_col is not None and conc_col != cols.get("concentration") \
                and str(rec[conc_col]).strip():
            filled.append(conc_col)
        if filled:
            raise DataFileError(f"well {where}: the role is blank but the well has a "
                                f"{' and a '.join(filled)}; give its role (total, nsb, test or "
                                "empty).", file=fname, row=line)
    if "role" in cols and role is None:
        raise DataFileError(f"well {where}: unknown role {str(role_raw)!r}; expected one of "
                            f"{', '.join(ROLES)}.", file=fname, row=line)
    compound = str(rec[cols["compound"]]).strip() if "compound" in cols else ""
    conc = (_parse_conc(rec[conc_col], conc_unit, role or "", where, fname, line)
            if conc_col is not None else 0.0)
    if conc_col is None and role in ("test", "nsb"):
        raise DataFileError(f"well {where}: a {role} well needs a concentration with a unit; "
                            "add a 'concentration' column (e.g. '10 nM').", file=fname, row=line)
    counts = np.nan
    if count_col is not None:
        blank = str(rec[count_col]).strip() == ""
        if not (blank and role == "empty"):
            counts = _parse_counts(rec[count_col], where, fname, line)
    return (plate, well, parsed[0], parsed[1], role, compound, conc, counts, line)


def read_layout(path: str | Path) -> pd.DataFrame:
    """Read a layout file (tidy CSV: ``well role compound concentration`` [+ ``plate``]).

    Returns the canonical table ``plate well row column role compound concentration_M``
    (``plate`` is "" when the layout applies to every plate).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "No such file", str(p))
    _, body, skipped = _split_header(_read_text(p), p.name)
    if not body:
        raise DataFileError("the layout file has no rows.", file=p.name)
    frame = _read_table(body, p.name, skipped + 1)
    if "role" not in {c.strip().lower() for c in frame.columns}:
        raise DataFileError("a layout needs a 'role' column (total, nsb, test, empty).", file=p.name)
    table = _well_table(frame, p.name, skipped + 2, need_counts=False, default_plate="")
    return table.drop(columns=["counts_cpm", "line"])


def _read_grid(path: Path, errs: _PlateErrors) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Counts of a reader's grid file (any style :mod:`neuromoa.io.plates` reads); a bad value
    fails its plate. Returns the counts and the file's non-grid (instrument/comment) lines."""
    grid = read_plate_grids(path)
    for name in grid.attrs["plates"]:
        errs.seen(name)
    for r in grid[grid["error"] != ""].itertuples(index=False):
        errs.add_message(r.plate, r.error)
    out = grid[grid["error"] == ""].rename(columns={"value": "counts_cpm"})
    out = out[["plate", "row", "well", "column", "counts_cpm", "line"]]
    return errs.drop_failed(out), list(grid.attrs["header"])


def _looks_like_grid(path: Path) -> bool:
    """True when the file holds a grid header (a row of column numbers 1, 2, …)."""
    text = _read_text(path)
    delim = sniff_plate_text(text)
    return any(_grid_header(ln, delim) for ln in text.splitlines())


def _grid_header(line: str, delim: str) -> bool:
    cells = [c.strip().strip('"') for c in line.split(delim)]
    while cells and cells[-1] == "":
        cells.pop()
    rest = cells[1:]
    return (len(cells) >= 2 and all(c.isdigit() for c in rest)
            and [int(c) for c in rest] == list(range(1, len(rest) + 1))
            and not (len(cells[0]) == 1 and cells[0].upper() in _ROW_LETTERS))


def _grid_map_layout(paths: list[Path]) -> pd.DataFrame:
    """A plate map of grids (Role / Compound / Concentration) as the canonical layout table."""
    m = read_plate_map(*paths)
    fname = ", ".join(m.attrs["files"])
    roles = []
    for r in m.itertuples(index=False):
        role = normalise_role(r.role)
        if role is None:
            raise DataFileError(f"well {r.well}: unknown role {r.role!r} in the role map; expected "
                                f"one of {', '.join(ROLES)} (or vehicle, sample, "
                                "non-specific, …).", file=fname, row=int(r.line))
        if role == "empty" and (r.compound or r.concentration_M > 0):
            raise DataFileError(f"well {r.well}: the role map leaves it blank (empty) but the "
                                "compound or concentration map fills it; give its role.",
                                file=fname, row=int(r.line))
        if role in ("test", "nsb") and not r.concentration_M > 0:
            raise DataFileError(f"well {r.well}: a {role} well needs a concentration; add it to "
                                "the 'Concentration (nM)' map.", file=fname, row=int(r.line))
        roles.append(role)
    out = pd.DataFrame({"plate": "", "well": m["well"], "row": m["row"],
                        "column": m["column"].astype(int), "role": roles,
                        "compound": m["compound"].astype(str),
                        "concentration_M": m["concentration_M"].astype(float)})
    out.attrs["grid_map"] = True
    return out


def load_layout(layout: str | Path | pd.DataFrame | list | tuple | None) -> pd.DataFrame | None:
    """A layout from a list file (:func:`read_layout`), plate-map grid file(s) or a table."""
    if layout is None or isinstance(layout, pd.DataFrame):
        return layout
    paths = [Path(x) for x in (layout if isinstance(layout, list | tuple) else [layout])]
    for x in paths:
        if not x.exists():
            raise FileNotFoundError(2, "No such file", str(x))
    grids = [x for x in paths if _looks_like_grid(x)]
    if grids and len(grids) != len(paths):
        raise DataFileError("give either plate-map grids or one layout list, not both.",
                            file=", ".join(x.name for x in paths))
    if grids:
        return _grid_map_layout(grids)
    if len(paths) != 1:
        raise DataFileError("several layout lists: give one list (well, role, compound, "
                            "concentration) or plate-map grids.",
                            file=", ".join(x.name for x in paths))
    return read_layout(paths[0])


def _merge_layout(counts: pd.DataFrame, layout: pd.DataFrame, fname: str,
                  errs: _PlateErrors) -> pd.DataFrame:
    out = []
    for plate, grid in counts.groupby("plate", sort=False):
        lay = layout[layout["plate"] == plate]
        if lay.empty:
            lay = layout[layout["plate"] == ""]
        if lay.empty and layout["plate"].nunique() == 1:
            lay = layout  # a one-plate layout applies to a file whose plates are not named alike
        if lay.empty:
            errs.add(plate, DataFileError(f"the layout has no wells for plate {plate!r}.",
                                          file=fname))
            continue
        if layout.attrs.get("grid_map"):
            outside = sorted(set(grid["well"]) - set(lay["well"]), key=parse_well)
            if outside:
                errs.add(plate, DataFileError(
                    f"plate {plate} has counts in well {outside[0]} (and {len(outside) - 1} more) "
                    f"which the plate map does not cover ({len(lay)} wells); give a map of the "
                    "plate's size (96 or 384 wells).", file=fname))
                continue
        merged = lay.drop(columns=["plate"]).merge(grid[["well", "counts_cpm", "line"]],
                                                   on="well", how="left")
        lacking = merged[merged["counts_cpm"].isna() & (merged["role"] != "empty")]
        if not lacking.empty:
            errs.add(plate, DataFileError(f"well {lacking['well'].iloc[0]} (plate {plate}) is in "
                                          "the layout but has no counts in the plate file.",
                                          file=fname))
            continue
        merged.insert(0, "plate", plate)
        out.append(merged)
    if not out:
        return pd.DataFrame(columns=[*_WELL_COLUMNS, "line"])
    return pd.concat(out, ignore_index=True)


def read_plates(path: str | Path, layout: str | Path | pd.DataFrame | None = None) -> PlateSet:
    """Read a plate file (tidy CSV or 8 × 12 grid; see the module docstring).

    Parameters
    ----------
    path : the plate file.
    layout : a layout file (or table from :func:`read_layout`) giving each well's role,
        compound and concentration; required for a grid file or a tidy file without roles.

    Returns
    -------
    PlateSet — a plate with a bad well is left out and its one-line message kept in
    ``PlateSet.errors``; the other plates are read.

    Raises
    ------
    DataFileError
        The file is malformed (missing columns, no grid, no wells, unreadable). A bad well
        does not raise: see ``PlateSet.errors``.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "No such file", str(p))
    text = _read_text(p)
    meta, body, skipped = _split_header(text, p.name)
    if not meta:
        meta = _sidecar_meta(p)
    plate_meta, meta_errors = _validate_meta(meta, p.name)
    if not body:
        raise DataFileError("the file has no data rows.", file=p.name)
    lay = load_layout(layout)
    comments = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1)
                if ln.strip().startswith("#")]
    first = next(csv.reader([body[0]]))
    first_lower = [c.strip().lower() for c in first]
    default_plate = p.stem
    errs = _PlateErrors(per_plate=True)
    if ("well" in first_lower or {"row", "column"} <= set(first_lower)) \
            and not _looks_like_grid(p):
        frame = _read_table(body, p.name, skipped + 1)
        has_role = "role" in first_lower
        if not has_role and lay is None:
            raise DataFileError("the table has no 'role' column; give a layout file "
                                "(--layout) with each well's role.", file=p.name)
        wells = _well_table(frame, p.name, skipped + 2, need_counts=True,
                            default_plate=default_plate, errs=errs)
        if not has_role:
            wells = _merge_layout(wells[["plate", "well", "counts_cpm", "line"]].assign(
                row=wells["row"], column=wells["column"]), lay, p.name, errs)
    else:
        if "well" not in first_lower and not _looks_like_grid(p):
            raise DataFileError("neither a plate table (no 'well' column) nor a plate reader's "
                                "grid (no row of column numbers 1, 2, … followed by rows A–H); "
                                "a concentration–response table goes to `neuromoa fit`.",
                                file=p.name)
        if lay is None:
            raise DataFileError("this looks like a plate-reader grid export; give the plate map "
                                "(--layout: a list well,role,compound,concentration or grids "
                                "labelled Role and Concentration (nM)).", file=p.name)
        grid, _ = _read_grid(p, errs)
        wells = _merge_layout(grid, lay, p.name, errs)
    if wells.empty and not errs.errors:
        raise DataFileError("the file has no wells (only a header).", file=p.name)
    for name, message in meta_errors.items():  # a bad header value fails its plate only
        if name in errs.order:
            errs.errors.setdefault(name, message)
    if plate_meta:  # a plate the header does not list is a typo in the plate column
        known = ", ".join(plate_meta)
        for name in errs.order:
            if name not in plate_meta and name not in meta_errors:
                lines = wells.loc[wells["plate"] == name, "line"].tolist()
                at = f", line {lines[0]}" if lines else ""
                errs.errors.setdefault(name, f"{p.name}{at}: plate {name!r} is not one of the "
                                             f"header's plates ({known}); a typo in the plate "
                                             "column?")
    wells = errs.drop_failed(wells)
    wells = wells[_WELL_COLUMNS].reset_index(drop=True)
    wells["column"] = wells["column"].astype(int)
    return PlateSet(wells, {k: v for k, v in plate_meta.items() if k in set(errs.order)},
                    p.name, dict(errs.errors), tuple(errs.order), _file_constants(p, comments))


def _file_constants(p: Path, comments: list[tuple[int, str]]
                    ) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Constants from a ``<file>.constants.toml`` sidecar and ``# key: value`` header lines."""
    from neuromoa.assays.constants import header_constants, read_constants_file

    out: list[tuple[str, dict[str, Any]]] = []
    side = p.with_name(p.name + ".constants.toml")
    if not side.is_file():
        side = p.with_name(p.stem + ".constants.toml")
    if side.is_file():
        out.append((f"file: {side.name}", read_constants_file(side)))
    head = header_constants(comments, p.name)
    if head:
        out.append((f"file: {p.name} (header)", head))
    return tuple(out)


# --------------------------------------------------------------------------- writing


def _fmt_conc(x: float) -> str:
    return "" if x == 0 or not math.isfinite(x) else f"{x * 1e9:.6g} nM"


def _fmt_counts(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.10g}"


def _header(ps: PlateSet) -> str:
    return f"# {_HEADER_KEY} " + json.dumps({"plates": ps.meta}, sort_keys=True,
                                             separators=(",", ":")) + "\n"


def _write_reader_style(ps: PlateSet, p: Path, style: str,
                        layout_path: str | Path | None) -> list[Path]:
    """A plate-reader style export (no neuromoa header: a lab's file), a plate-map grid file
    and the truth in ``<file>.truth.json`` (which the analysis does not read)."""
    w = ps.wells
    cond = ps.conditions(ps.plates[0]) if ps.plates else {}
    minutes = cond.get("count_time_s")
    fields = {"assay": str(cond.get("assay", "")),
              "count_time": f"{minutes / 60:g} min" if minutes else ""}
    write_plate_grids(w.rename(columns={"counts_cpm": "value"}), p, style=style, fields=fields)
    lp = Path(layout_path) if layout_path is not None else p.with_name(p.stem + "_map.csv")
    first = w[w["plate"] == ps.plates[0]]
    write_plate_map(first, lp)
    side = p.with_name(p.name + ".truth.json")
    side.write_text(json.dumps({"plates": ps.meta}, sort_keys=True, indent=2) + "\n",
                    encoding="utf-8")
    return [p, lp, side]


def write_plates(ps: PlateSet, path: str | Path, *, format: str = "tidy",
                 layout_path: str | Path | None = None) -> list[Path]:
    """Write plates as a tidy CSV (default), as 8 × 12 grids plus a layout file (``grid``), or
    as a plate reader exports them (``microbeta``, ``tecan``, ``semicolon``, ``csv``: see
    :data:`neuromoa.io.plates.GRID_STYLES`) plus a plate-map grid file (``<stem>_map.csv``);
    reader styles keep the truth in ``<path>.truth.json`` only, like a lab's own file.

    The true parameters go into the ``# neuromoa:`` header line and a JSON sidecar
    ``<path>.json``. Returns the paths written. Same PlateSet → same bytes.
    """
    p = Path(path)
    fmt = format.strip().lower()
    if fmt in GRID_STYLES:
        return _write_reader_style(ps, p, fmt, layout_path)
    if fmt not in ("tidy", "grid"):
        raise ProtocolError(f"unknown plate file format {format!r}; use tidy, grid or a "
                            f"reader style ({', '.join(GRID_STYLES)}).")
    w = ps.wells
    written = [p]
    if fmt == "tidy":
        out = pd.DataFrame({
            "plate": w["plate"], "well": w["well"], "row": w["row"], "column": w["column"],
            "role": w["role"], "compound": w["compound"],
            "concentration": [_fmt_conc(x) for x in w["concentration_M"]],
            "counts": [_fmt_counts(x) for x in w["counts_cpm"]],
        })
        p.write_text(_header(ps) + out.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    else:
        lines = [_header(ps).rstrip("\n")]
        for plate in ps.plates:
            sub = w[w["plate"] == plate]
            n_rows = _ROW_LETTERS.index(sub["row"].max()) + 1
            n_cols = int(sub["column"].max())
            grid = np.full((n_rows, n_cols), np.nan)
            for r, c, v in zip(sub["row"], sub["column"], sub["counts_cpm"], strict=True):
                grid[_ROW_LETTERS.index(r), c - 1] = v
            lines.append(f"Plate,{plate}")
            lines.append("," + ",".join(str(c) for c in range(1, n_cols + 1)))
            for i in range(n_rows):
                lines.append(_ROW_LETTERS[i] + "," + ",".join(_fmt_counts(v) for v in grid[i]))
            lines.append("")
        p.write_text("\n".join(lines), encoding="utf-8")
        lp = Path(layout_path) if layout_path is not None else p.with_name(p.stem + "_layout.csv")
        lay = pd.DataFrame({
            "plate": w["plate"], "well": w["well"], "role": w["role"], "compound": w["compound"],
            "concentration": [_fmt_conc(x) for x in w["concentration_M"]],
        })
        lp.write_text(lay.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        written.append(lp)
    side = p.with_name(p.name + ".json")
    side.write_text(json.dumps({"plates": ps.meta}, sort_keys=True, indent=2) + "\n",
                    encoding="utf-8")
    written.append(side)
    return written
