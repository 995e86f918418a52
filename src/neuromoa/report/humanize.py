"""Result keys → words with units, values → engineering units, for the report's tables.

The modules' ``to_dict()`` keys (``plates[0].ic50_M``, ``summary[0].coverage_ci95_low``) stay in
``report.json``; a reader sees "IC50" and "4.47 [3.81, 5.19] nM". The unit comes from the key's
suffix (the project's naming rule: ``_M`` molar, ``_V`` volts, ``_A`` amperes, ``_s`` seconds,
``_ng_mL``, ``_ms``, ``_days``), and the value is shown in the unit a reader expects (nM/µM, mV,
pA, ms). Keys without a unit suffix are dimensionless and their words say so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuromoa.pathways.build import format_molar_range
from neuromoa.units import format_molar

__all__ = ["Row", "format_value", "humanize_key", "humanize_rows", "key_unit"]

# Significant figures of every value shown (assumption: three, the precision of the inputs).
DIGITS = 3
_MINUS = "\u2212"

#: Words for the parts of result keys (anything else: underscores become spaces).
WORDS: dict[str, str] = {
    "ic50": "IC50", "ec50": "EC50", "ki": "Ki", "kd": "KD", "kb": "KB", "km": "Km",
    "hill": "Hill coefficient", "z_prime": "Z′ factor", "n_test_wells": "test wells (count)",
    "n_plates": "plates (count)", "n_ok": "plates fitted (count)", "true_ki": "true Ki",
    "median_ki": "median recovered Ki", "median_ratio": "median recovered / true Ki (ratio)",
    "coverage": "95% CI coverage (fraction)", "pa2": "pA2 (log units)",
    "pkb": "pKB (log units)", "pki_kb": "pKi of the KB (log units)", "slope": "Schild slope",
    "depletion_fraction": "ligand depletion (fraction)", "ki_direct": "Ki, direct fit",
    "ki_exact": "Ki, exact (no depletion correction)", "block": "block (fraction)",
    "block_first_pulse": "block at the first pulse (fraction)",
    "block_last_pulse": "block at the last pulse (fraction)",
    "use_dependent_block": "use-dependent block (fraction)",
    "control_last_over_first": "control last / first pulse (ratio)",
    "v_half": "V½ of inactivation", "shift": "shift of V½", "control_v_half": "control V½",
    "control_slope": "control slope factor", "ic50_resting": "IC50, resting state",
    "ic50_inactivated": "IC50, inactivated state", "ic50_open": "IC50, open state",
    "resting_hold": "apparent IC50 from a resting holding potential",
    "depolarised_hold": "apparent IC50 from a depolarised holding potential",
    "open": "apparent IC50, open state", "h_resting": "availability at rest (fraction)",
    "h_depolarised": "availability when depolarised (fraction)", "rheobase": "rheobase",
    "rest": "resting potential", "half_time": "half time", "steady": "steady state",
    "peak": "peak", "fold_steady": "steady-state rise (fold)",
    "transporter_occupancy": "transporter occupancy (fraction)", "parent": "parent drug",
    "ec50_pERK": "EC50 of pERK",
    "ec50_time": "time of the EC50", "occupancy_TrkA": "TrkA occupancy (fraction)",
    "occupancy_TrkB": "TrkB occupancy (fraction)", "ca": "external Ca2+", "voltage": "voltage",
    "dose_ratio": "dose ratio", "expected_dose_ratio": "expected dose ratio",
    "antagonist": "antagonist", "bottom": "bottom (fraction)", "top": "top (fraction)",
    "seed": "seed (integer)", "duration": "duration", "fit_status": "fit status",
    "components_ic50": "IC50 of the component", "conc": "concentration",
    "desensitization": "desensitisation", "tau_days": "time constant",
    "measurement": "", "baseline": "baseline", "drug": "with drug", "truth": "true",
    "apparent": "", "availability": "", "inactivation_fit": "inactivation fit",
    "summary": "", "plates": "plate", "curves": "curve", "dose_ratios": "",
    "fit": "fit", "kb_source": "KB source", "ki_source": "Ki source",
    # whole keys (unit suffixes removed) whose parts would read wrongly one by one
    "measurement.slope": "slope factor of inactivation",
    "availability.resting_hold": "holding potential at rest",
    "availability.depolarised_hold": "depolarised holding potential",
    "fit_start_day": "fit starts at (day)",
    "kd.TrkA": "KD at TrkA", "kd.TrkB": "KD at TrkB",
}

#: Groups of a result whose entries carry no unit suffix but have one (the state-dependence
#: result's ``apparent`` IC50s are molar: neuromoa.ephys.StateDependence.to_dict).
_GROUP_UNITS: dict[str, str] = {"apparent": "M"}

#: Unit suffixes of result keys → (quantity, SI unit).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_ng_mL", "ng/mL"), ("_M", "M"), ("_V", "V"), ("_A", "A"), ("_ms", "ms"), ("_s", "s"),
    ("_h", "h"), ("_days", "days"), ("_Hz", "Hz"), ("_pA", "pA"), ("_mV", "mV"),
)
# Keys whose value is a text label for a record of a list (shown instead of "plate 1").
_RECORD_LABELS = ("method", "plate", "target", "protocol")
# Text entries not worth a row: empty, or a status that is "ok".
_QUIET = {"", "ok", "nan", "none"}


def key_unit(key: str) -> tuple[str, str]:
    """(key without its unit suffix, unit): ``"ic50_ci95_M"`` → (``"ic50_ci95"``, ``"M"``)."""
    for suffix, unit in _SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)], unit
    return key, ""


def _words(part: str) -> str:
    if part in WORDS:
        return WORDS[part]
    base, unit = key_unit(part)
    if base in WORDS:
        return WORDS[base]
    return base.replace("_", " ")


def _bare(key: str) -> str:
    """``key`` without unit suffixes in any part: ``kd_M.TrkA`` → ``kd.TrkA``."""
    return ".".join(key_unit(p)[0] for p in key.split("."))


def unit_of(key: str) -> str:
    """The unit of a result key: its last part's suffix, else a group's (``kd_M.TrkA``: M)."""
    pieces = key.split(".")
    unit = key_unit(pieces[-1])[1]
    for piece in reversed(pieces[:-1]):
        if unit:
            break
        unit = key_unit(re.sub(r"\[\d+\]$", "", piece))[1] or _GROUP_UNITS.get(piece, "")
    return unit


def humanize_key(key: str) -> str:
    """Words for a dotted/bracketed result key: ``plates[0].ic50_M`` → ``plate 1: IC50``."""
    if _bare(key) in WORDS:
        return WORDS[_bare(key)]
    parts = []
    for piece in key.split("."):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", piece)
        if m:
            words = _words(m.group(1))
            parts.append(f"{words} {int(m.group(2)) + 1}".strip() if words else "")
        else:
            parts.append(_words(piece))
    parts = [p for p in parts if p]
    if not parts:
        return key.replace("_", " ")
    return ": ".join(parts[:-1] + [parts[-1]]) if len(parts) > 1 else parts[0]


def _sig(x: float, digits: int = DIGITS) -> str:
    """``x`` with ``digits`` significant figures, never in e-notation, typographic minus."""
    text = f"{x:.{digits}g}"
    if "e" in text:  # never e-notation in a table for people
        text = (f"{x:,.0f}" if abs(x) >= 1 else
                np.format_float_positional(x, precision=digits, unique=False, fractional=False,
                                           trim="-"))
    return text.replace("-", _MINUS)


def _engineering(x: float, unit: str, digits: int = DIGITS) -> str:
    """One value in the unit a reader expects."""
    if not math.isfinite(x):
        return "—"
    if unit == "M":
        return format_molar(x, digits).replace("-", _MINUS)
    if unit == "V":
        return f"{_sig(x * 1e3, digits)} mV"
    if unit == "A":
        for scale, name in ((1e-12, "pA"), (1e-9, "nA"), (1e-6, "µA")):
            if abs(x) < scale * 1e3 or name == "µA":
                return f"{_sig(x / scale, digits)} {name}"
    if unit == "s":
        return f"{_sig(x * 1e3, digits)} ms" if 0 < abs(x) < 1 else f"{_sig(x, digits)} s"
    if unit:
        return f"{_sig(x, digits)} {unit}"
    return _sig(x, digits)


def _strip_unit(text: str, unit: str) -> tuple[str, str]:
    """("3.81 nM", …) → ("3.81", "nM") for molar values, so a CI shows its unit once."""
    number, _, shown = text.rpartition(" ")
    return (number, shown) if number else (text, "")


def format_value(value: Any, unit: str = "", ci: Any = None, *, digits: int = DIGITS) -> str:
    """A value (number, list of numbers, text) in engineering units; ``ci`` a (low, high) pair
    shown as "3.1 [2.7, 3.6] nM"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.replace("_", " ")
    if isinstance(value, list | tuple):
        if len(value) == 2 and ci == "range" and unit == "M" and min(value) > 0:
            return format_molar_range(float(value[0]), float(value[1]))  # "0.5–1.1 nM"
        if len(value) == 2 and ci == "range":
            lo, hi = (_engineering(float(v), unit) for v in value)
            (a, ua), (b, ub) = _strip_unit(lo, unit), _strip_unit(hi, unit)
            if unit and ua == ub:
                return f"{a}–{b} {ua}" if not a.startswith(_MINUS) else f"{a} to {b} {ua}"
            return f"{lo} to {hi}" if _MINUS in lo + hi else f"{lo}–{hi}"
        return ", ".join(_engineering(float(v), unit, digits) for v in value)
    x = float(value)
    shown = _engineering(x, unit, digits)
    if ci is not None and len(ci) == 2:
        lo, hi = (_engineering(float(v), unit) for v in ci)
        if unit:
            n, u = _strip_unit(shown, unit)
            (a, ua), (b, ub) = _strip_unit(lo, unit), _strip_unit(hi, unit)
            if u == ua == ub:
                return f"{n} [{a}, {b}] {u}"
        return f"{shown} [{lo}, {hi}]"
    return shown


@dataclass(frozen=True)
class Row:
    """One row of a results table: the key (for report.json), its words, the shown value."""

    key: str
    label: str
    shown: str
    numeric: bool


def _record_label(entries: dict[str, Any], prefix: str) -> str:
    for name in _RECORD_LABELS:
        value = entries.get(f"{prefix}.{name}")
        if isinstance(value, str) and value.strip():
            return value.replace("_", " ").replace("cheng prusoff", "Cheng–Prusoff")
    return ""


def humanize_rows(pairs: Iterable[tuple[str, Any]]) -> list[Row]:
    """Rows for people from (key, value) pairs: CIs merged into their value ("x [lo, hi] u"),
    empty and "ok" texts dropped, record labels ("plate P1", "Cheng–Prusoff") in the words."""
    entries = dict(pairs)
    done: set[str] = set()
    rows: list[Row] = []
    for key, value in entries.items():
        if key in done:
            continue
        done.add(key)
        head, _, last = key.rpartition(".")
        base, _ = key_unit(last)
        unit = unit_of(key)
        if isinstance(value, str) and value.strip().lower() in _QUIET:
            continue
        if head and last in _RECORD_LABELS:
            continue  # shown in the label of the record's other rows
        # a CI beside its value: x_ci95_M, x_ci95 (pairs), x_ci95_low/high
        ci = None
        ci_keys = [f"{head + '.' if head else ''}{base}_ci95{_unit_suffix(unit)}",
                   f"{head + '.' if head else ''}{base}_ci95"]
        for ck in ci_keys:
            if isinstance(entries.get(ck), list | tuple) and len(entries[ck]) == 2:
                ci = entries[ck]
                done.add(ck)
                break
        low_key = f"{head + '.' if head else ''}{base}_ci95_low{_unit_suffix(unit)}"
        high_key = f"{head + '.' if head else ''}{base}_ci95_high{_unit_suffix(unit)}"
        if ci is None and low_key in entries and high_key in entries:
            ci = (entries[low_key], entries[high_key])
            done.update((low_key, high_key))
        label = humanize_key(key)
        record = re.match(r"^(\w+\[\d+\])\.", key)
        if record:
            name = _record_label(entries, record.group(1))
            if name:
                label = f"{_words(record.group(1).split('[')[0])} {name}: " \
                        f"{humanize_key(key.split('.', 1)[1])}".strip()
        is_range = base.endswith("_ci95") or base.endswith("_range")
        if is_range:
            label = humanize_key(key.replace("_ci95", "")) + " (95% CI)"
        shown = format_value(value, unit, "range" if is_range else ci)
        if unit and unit not in ("M", "V", "A", "s") and not shown.endswith(unit):
            label = f"{label} ({unit})"
        numeric = not isinstance(value, str)
        rows.append(Row(key, _capital(label), shown, numeric))
    return rows


def _unit_suffix(unit: str) -> str:
    for suffix, u in _SUFFIXES:
        if u == unit:
            return suffix
    return ""


def _capital(text: str) -> str:
    first = text.split(" ", 1)[0]
    if not text or any(c.isupper() for c in first[1:]):  # pA2, pKB, nav-drg stay as they are
        return text
    return text[:1].upper() + text[1:]
