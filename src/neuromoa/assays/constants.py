"""Your assay's constants: every number an analysis uses, where it came from, and how to give it.

An uptake analysis uses the substrate concentration [S] and its Km (Cheng–Prusoff) and the
counting time (Poisson weights); a binding analysis uses the radioligand concentration [L] and
its Kd (Cheng–Prusoff), and to convert counts into moles bound (depletion check, exact-depletion
fit) the specific activity, the assay volume, the counting efficiency and the filter recovery;
the membrane protein per well, when given, turns the fitted receptor concentration into Bmax.

Each constant is taken from, in order:

1. ``user`` — an argument of :func:`~neuromoa.assays.analyze_plate` / a CLI option
   (``--specific-activity "60 Ci/mmol"``);
2. ``file: <name>`` — a constants file (``--constants lab.toml``: ``key = "value unit"`` lines,
   TOML, ``key: value`` or ``key,value``), an automatic sidecar ``<plate file>.constants.toml``,
   ``# key: value`` comment lines at the top of the plate file, or the conditions a simulated
   plate carries (``# neuromoa:`` header / JSON sidecar);
3. ``default: <source>`` — only for a target with a shipped protocol (``data/assays/
   protocols.csv``): ``data/assays/parameters.csv`` (with its source) and the knowledge base
   (Km, Kd); values shared by every target of the assay (``*`` rows: volume, efficiency,
   recovery, counting time) also for a target of your own, printed as defaults.

A constant the analysis needs that none of these gives is a :class:`MissingConstantError`
naming the constant and how to give it — never another target's value.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuromoa.assays._conditions import assay_parameters, parameter_table, protocol, protocols
from neuromoa.assays._kb import kb_constant
from neuromoa.errors import DataFileError, ParameterError, UnitError
from neuromoa.units import as_molar, as_seconds, format_molar, split_quantity, to_canonical

__all__ = ["CONSTANTS", "Constant", "MissingConstantError", "read_constants_file",
           "resolve_constants", "simulation_overrides"]

#: Becquerel per curie (definition: 1 Ci = 3.7e10 Bq).
_BQ_PER_CI = 3.7e10
_ACTIVITY = {"Ci": 1.0, "mCi": 1e-3, "uCi": 1e-6, "Bq": 1 / _BQ_PER_CI, "kBq": 1e3 / _BQ_PER_CI,
             "MBq": 1e6 / _BQ_PER_CI, "GBq": 1e9 / _BQ_PER_CI, "TBq": 1e12 / _BQ_PER_CI}
_AMOUNT = {"mol": 1.0, "mmol": 1e-3, "umol": 1e-6, "nmol": 1e-9}


class MissingConstantError(ParameterError):
    """A constant the analysis needs has no value for this target (names how to give it)."""


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    kind: str            # concentration | specific_activity | volume | mass | time | fraction | cpm
    option: str
    example: str
    assays: tuple[str, ...]
    cond_key: str        # key in a simulated plate's conditions (SI)
    par_key: str | None  # row of parameters.csv
    required: bool = True


#: Every constant an analysis uses (order = print order).
CONSTANTS: tuple[_Spec, ...] = (
    _Spec("substrate", "substrate concentration [S]", "concentration", "--substrate", "100 nM",
          ("uptake",), "substrate_M", "substrate_conc"),
    _Spec("km", "Km of the substrate", "concentration", "--km", "463 nM", ("uptake",), "km_M",
          None),
    _Spec("radioligand", "radioligand concentration [L]", "concentration", "--radioligand",
          "5 nM", ("binding",), "radioligand_M", "radioligand_conc"),
    _Spec("kd", "Kd of the radioligand", "concentration", "--kd", "14 nM", ("binding",), "kd_M",
          None),
    _Spec("specific_activity", "specific activity", "specific_activity", "--specific-activity",
          "80 Ci/mmol", ("binding",), "specific_activity_Ci_per_mol", "specific_activity"),
    _Spec("volume", "assay volume", "volume", "--volume", "250 uL", ("binding",), "volume_L",
          "volume"),
    _Spec("counting_efficiency", "counting efficiency", "fraction", "--efficiency", "0.45",
          ("binding",), "counting_efficiency", "counting_efficiency"),
    _Spec("filter_recovery", "filter recovery", "fraction", "--recovery", "0.9", ("binding",),
          "filter_recovery", "filter_recovery"),
    _Spec("protein", "membrane protein per well", "mass", "--protein", "5 ug", ("binding",),
          "protein_g", "protein", required=False),
    _Spec("count_time", "counting time", "time", "--count-time", "1 min", ("uptake", "binding"),
          "count_time_s", "count_time"),
    _Spec("background", "counter background", "cpm", "--background", "25", ("uptake", "binding"),
          "background_cpm", None, required=False),
)
_BY_KEY = {s.key: s for s in CONSTANTS}
#: The CLI option of each constant (for messages).
OPTION_OF = {"target": "--target", **{s.key: s.option for s in CONSTANTS}}
_ALIASES = {
    "target": "target", "efficiency": "counting_efficiency", "recovery": "filter_recovery",
    "sa": "specific_activity", "substrate_conc": "substrate", "s": "substrate",
    "radioligand_conc": "radioligand", "ligand": "radioligand", "l": "radioligand",
    "km_m": "km", "kd_m": "kd", "counting_time": "count_time", "background_cpm": "background",
    "protein_per_well": "protein", "assay_volume": "volume",
}
_UNITS = {"concentration": "M", "specific_activity": "Ci/mol", "volume": "L", "mass": "g",
          "time": "s", "fraction": "1", "cpm": "cpm", "text": ""}


def constant_key(text: str) -> str | None:
    """The canonical key of a constant's name as a user writes it, or None."""
    k = re.sub(r"[\s\-]+", "_", str(text).strip().lower()).strip("[]")
    k = _ALIASES.get(k, k)
    return k if k in _BY_KEY or k == "target" else None


@dataclass(frozen=True)
class Constant:
    """One constant used by an analysis: SI value, unit, where it came from."""

    key: str
    label: str
    value: Any
    unit: str
    origin: str

    def display(self) -> str:
        """The value in the unit a lab writes it in ("60 Ci/mmol", "200 µL", "2 nM")."""
        v, kind = self.value, _BY_KEY[self.key].kind if self.key in _BY_KEY else "text"
        if kind == "concentration":
            return format_molar(float(v))
        if kind == "specific_activity":
            return f"{float(v) / 1000:.4g} Ci/mmol"
        if kind == "volume":
            return f"{float(v) * 1e6:.4g} µL"
        if kind == "mass":
            return f"{float(v) * 1e6:.4g} µg"
        if kind == "time":
            return f"{float(v) / 60:.4g} min"
        if kind == "cpm":
            return f"{float(v):.4g} CPM"
        if kind == "fraction":
            return f"{float(v):.4g}"
        return str(v)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "unit": self.unit,
                "display": self.display(), "origin": self.origin}


def parse_constant(key: str, value: object, where: str) -> Any:
    """A user-written value of constant ``key`` → its SI value (raises naming ``where``)."""
    if key == "target":
        text = str(value).strip()
        if not text:
            raise ParameterError(f"{where}: the target is empty.")
        return text
    spec = _BY_KEY[key]
    what = f"{where}: {spec.label}"
    try:
        if spec.kind == "concentration":
            return as_molar(value, what=what, allow_zero=False)
        if spec.kind == "volume":
            return to_canonical(value, "volume", what, low=0.0, low_open=True)
        if spec.kind == "mass":
            return to_canonical(value, "mass", what, low=0.0, low_open=True)
        if spec.kind == "time":
            x = as_seconds(value, what)
            if x <= 0:
                raise UnitError(f"{what}: must be positive.")
            return x
        if spec.kind == "specific_activity":
            return _specific_activity(value, what)
        return _plain_number(value, spec, what)
    except UnitError as exc:
        raise ParameterError(str(exc)) from None


def _specific_activity(value: object, what: str) -> float:
    x, unit = split_quantity(value, what, "Ci/mmol")
    act, _, amount = unit.replace(" ", "").partition("/")
    if act not in _ACTIVITY or amount not in _AMOUNT:
        raise UnitError(f"{what}: unit {unit!r} is not a specific activity; write e.g. "
                        "'80 Ci/mmol', '2.96 TBq/mmol' or '80 mCi/umol'.")
    sa = x * _ACTIVITY[act] / _AMOUNT[amount]
    if not (math.isfinite(sa) and sa > 0):
        raise UnitError(f"{what}: {value!r} must be positive.")
    return sa


def _plain_number(value: object, spec: _Spec, what: str) -> float:
    text = str(value).strip()
    percent = text.endswith("%")
    if spec.kind == "cpm" and text.lower().endswith("cpm"):
        text = text[:-3].strip()
    try:
        x = float(text.rstrip("%").strip().replace(",", ".")) if isinstance(value, str) \
            else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UnitError(f"{what}: {value!r} is not a number (e.g. {spec.example}).") from None
    x = x / 100 if percent else x
    if spec.kind == "fraction" and not (0 < x <= 1):
        raise UnitError(f"{what}: {value!r} must be a fraction in (0, 1], e.g. {spec.example}.")
    if not math.isfinite(x) or x < 0:
        raise UnitError(f"{what}: {value!r} must be a finite number ≥ 0.")
    return x


def read_constants_file(path: str | Path) -> dict[str, Any]:
    """A constants file → ``{key: SI value}``.

    TOML (``specific_activity = "60 Ci/mmol"``), or lines ``key: value`` / ``key = value`` /
    ``key,value`` (``#`` starts a comment). Unknown names are an error naming the line.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such constants file.", file=str(p))
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError("the constants file is not UTF-8 text.", file=p.name) from None
    items: list[tuple[str, object, int]] = []
    try:
        data = tomllib.loads(text)
        items = [(k, v, _line_of(text, k)) for k, v in data.items()]
    except tomllib.TOMLDecodeError:
        for i, line in enumerate(text.splitlines(), start=1):
            body = line.split("#", 1)[0].strip()
            if not body:
                continue
            m = re.match(r"^([^:=,]+?)\s*[:=,]\s*(.+)$", body)
            if m is None:
                raise DataFileError(f"cannot read {body!r}; write 'key: value', e.g. "
                                    "'specific_activity: 80 Ci/mmol'.", file=p.name, row=i) from None
            items.append((m.group(1), m.group(2).strip().strip('"').strip("'"), i))
    return _parse_items(items, p.name)


def _line_of(text: str, key: str) -> int | None:
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return i
    return None


def _parse_items(items: list[tuple[str, object, int | None]], fname: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    known = ", ".join(["target", *_BY_KEY])
    for name, value, line in items:
        key = constant_key(name)
        if key is None:
            raise DataFileError(f"unknown constant {name!r}; known: {known}.", file=fname,
                                row=line)
        try:
            out[key] = parse_constant(key, value, f"{fname}" + (f", row {line}" if line else ""))
        except ParameterError as exc:
            raise DataFileError(str(exc).removeprefix(f"{fname}: ")
                                if line is None else str(exc).split(": ", 1)[1],
                                file=fname, row=line) from None
    return out


def header_constants(lines: list[tuple[int, str]], fname: str) -> dict[str, Any]:
    """``# key: value`` comment lines of a plate file whose key is a constant's name."""
    items: list[tuple[str, object, int | None]] = []
    for line_no, text in lines:
        t = text.strip()
        if not t.startswith("#"):
            continue
        body = t.lstrip("#").strip()
        m = re.match(r"^([A-Za-z\[\]][\w \-\[\]]*?)\s*[:=]\s*(.+)$", body)
        if m is None or body.startswith("neuromoa:") or constant_key(m.group(1)) is None:
            continue
        items.append((m.group(1), m.group(2).strip().strip(",;\t").strip('"'), line_no))
    return _parse_items(items, fname)


def _shipped(kind: str, target: str | None) -> bool:
    return target is not None and any(p.target.lower() == target.lower()
                                      for p in protocols(kind))


def _par_source(kind: str, target: str | None, par_key: str) -> str:
    table = parameter_table()
    rows = table[(table["assay"] == kind) & (table["parameter"] == par_key)]
    rows = rows[rows["target"].str.lower().isin([str(target).lower(), "*"])]
    if rows.empty:
        return "data/assays/parameters.csv"
    row = rows.sort_values("target", key=lambda s: s == "*").iloc[0]
    who = f"{kind}/{row['target']}"
    return f"data/assays/parameters.csv {who} {par_key} ({row['reference']})"


def resolve_constants(kind: str, *, user: dict[str, Any], files: list[tuple[str, dict[str, Any]]],
                      ) -> dict[str, Constant]:
    """The constants of one analysis: user > files (in order) > shipped defaults.

    ``user`` holds raw values (strings with units, as typed) keyed by constant; ``files`` holds
    ``(origin, {key: SI value})`` pairs, first wins. Raises :class:`MissingConstantError` for a
    required constant with no value for the target.
    """
    out: dict[str, Constant] = {}
    parsed_user = {k: parse_constant(k, v, OPTION_OF[k])
                   for k, v in user.items() if v is not None}

    def pick(key: str) -> tuple[Any, str] | None:
        if key in parsed_user:
            return parsed_user[key], "user"
        for origin, values in files:
            if key in values and values[key] is not None:
                return values[key], origin
        return None

    t = pick("target")
    target = None if t is None else str(t[0])
    out["target"] = Constant("target", "target", target or "", "",
                             t[1] if t else "not given")
    shipped = _shipped(kind, target)
    par = assay_parameters(kind, target) if shipped else assay_parameters(kind)
    for spec in CONSTANTS:
        if kind not in spec.assays:
            continue
        got = pick(spec.key)
        if got is None and shipped and spec.key in ("km", "kd"):
            name = protocol(kind, target).label_constant  # type: ignore[arg-type]
            value, source = kb_constant(name)
            got = (value, f"default: {source}")
        if got is None and spec.par_key is not None and spec.par_key in par:
            got = (par[spec.par_key], f"default: {_par_source(kind, target, spec.par_key)}")
        if got is None:
            if not spec.required:
                continue
            raise MissingConstantError(_missing(kind, target, spec))
        out[spec.key] = Constant(spec.key, spec.label, got[0], _UNITS[spec.kind], got[1])
    return out


def _missing(kind: str, target: str | None, spec: _Spec) -> str:
    shipped = ", ".join(p.target for p in protocols(kind))
    at = (f"for target {target!r} (no shipped {kind} protocol; shipped: {shipped})" if target
          else f"(no --target; shipped {kind} targets: {shipped})")
    return (f"{kind} analysis needs the {spec.label} {at}: give {spec.option} "
            f"'{spec.example}' or '{spec.key} = \"{spec.example}\"' in a --constants file.")


#: Constants a simulator takes from the user (key → row of parameters.csv it replaces).
_SIMULATION_KEYS = ("specific_activity", "volume", "counting_efficiency", "filter_recovery",
                    "protein", "count_time")


def simulation_overrides(values: dict[str, object] | None, kind: str) -> dict[str, float]:
    """A simulator's constants from the user (raw values with units) as parameters.csv keys."""
    out: dict[str, float] = {}
    for name, value in (values or {}).items():
        if value is None:
            continue
        key = constant_key(name)
        if key not in _SIMULATION_KEYS:
            allowed = ", ".join(_SIMULATION_KEYS)
            raise ParameterError(f"simulate_{kind}: constant {name!r} cannot be set here "
                                 f"(settable: {allowed}; [L], Kd, [S], Km have their own "
                                 "arguments).")
        spec = _BY_KEY[key]
        if kind not in spec.assays and key != "specific_activity" and key != "volume" \
                and key != "counting_efficiency":
            raise ParameterError(f"simulate_{kind}: {spec.label} is not part of a {kind} assay.")
        out[spec.par_key or key] = float(parse_constant(key, value, f"simulate_{kind} {name}"))
    return out
