"""Dose or plasma level → cardiac channel block → ORd beat → ΔAPD90, qNet, EADs → ΔQRS, ΔQTc.

The layer-4 front door of the heart: levels come from :mod:`neuromoa.exposure` (or the user),
unbound fractions from the exposure data, affinities from :mod:`neuromoa.kb` (or a user
overlay), and the models (:mod:`neuromoa.channels`, the ORd cell) never name a compound.

Block of each current of the panel (``data/cardiac/panel.csv``):

* INa (peak): the Nav1.5 Markov scheme at the heart rate (:func:`nav15_block_at_rate`);
  a parent and a metabolite that both have Nav1.5 data are combined as one equivalent
  concentration of the parent, ``C_p + C_m·K_I,p/K_I,m`` (assumption: one site, similar kinetics).
* the others: conductance scaling with one-site competition of all analytes present
  (Gaddum 1937): ``b = Σ(C_i/K_i) / (1 + Σ C_i/K_i)``.

A current without a published value for an analyte gets no block from it, and the result says so
(``channels[current]["missing"]``, ``notes``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.cardiac.cell import CellResult, check_heart_rate, simulate_cell
from neuromoa.cardiac.ecg import delta_qtc_ms, ecg_parameters, qrs_ms
from neuromoa.cardiac.nav import nav15_block_at_rate
from neuromoa.data import read_text
from neuromoa.data.compounds import flagship_compound
from neuromoa.errors import (
    DataFileError,
    InputError,
    NeuromoaError,
    NeuromoaWarning,
    ParameterError,
)
from neuromoa.exposure import (
    Patient,
    Regimen,
    pk_compound,
    simulate_exposure,
    unit_dose_response,
)
from neuromoa.kb import load_kb
from neuromoa.units import as_molar

__all__ = ["CardiacResult", "cardiac_panel", "cardiac_risk", "cardiac_time_course", "dose_table",
           "read_channel_overlay"]

#: 1 ng/mL = 1e-6 g/L; divided by the molecular weight (g/mol) it is mol/L.
_G_PER_L_PER_NG_ML = 1e-6


@dataclass(frozen=True)
class PanelRow:
    current: str
    kb_target: str
    conditions: tuple[str, ...]
    method: str
    note: str


def cardiac_panel() -> list[PanelRow]:
    """The cardiac currents, the kb target each is read from, and how its block is computed."""
    where = "data/cardiac/panel.csv"
    rows = []
    for i, r in enumerate(csv.DictReader(io.StringIO(read_text("cardiac", "panel.csv"))), 2):
        try:
            conds = tuple(c for c in r["kb_condition"].split(";") if c)
            rows.append(PanelRow(r["current"], r["kb_target"], conds, r["method"], r["note"]))
        except KeyError as exc:
            raise DataFileError(f"missing column {exc.args[0]!r}", file=where, row=i) from exc
    return rows


def read_channel_overlay(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A user's cardiac affinities: CSV ``channel,compound,ic50,unit[,source]``.

    ``channel`` is a current of the panel (``INa``, ``INaL``, ``IKr``, ``ICaL``, ``IKs``,
    ``Ito``, ``IK1``); for ``INa`` a ``state`` column (``resting``/``inactivated``) is required.
    Raises :class:`~neuromoa.errors.DataFileError` naming the file and row.
    """
    where = os.fspath(path)
    try:
        text = open(where, encoding="utf-8").read()  # noqa: SIM115
    except OSError as exc:
        raise DataFileError(f"cannot read channel overlay: {exc.strerror}", file=where) from exc
    reader = csv.DictReader(io.StringIO(text))
    need = {"channel", "compound", "ic50", "unit"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise DataFileError(f"needs columns {sorted(need)}; has {reader.fieldnames or []}",
                            file=where)
    currents = [p.current for p in cardiac_panel()]
    out = []
    for i, r in enumerate(reader, 2):
        ch = (r.get("channel") or "").strip()
        if ch not in currents:
            raise DataFileError(f"unknown channel {ch!r}; choose from {currents}", file=where,
                                row=i)
        state = (r.get("state") or "").strip().lower()
        if ch == "INa" and state not in {"resting", "inactivated"}:
            raise DataFileError("INa rows need state 'resting' or 'inactivated'", file=where,
                                row=i)
        try:
            k = as_molar(f"{r['ic50']} {r['unit']}", what=f"ic50 (row {i})")
        except Exception as exc:  # UnitError etc.: keep the file and row
            raise DataFileError(str(exc), file=where, row=i) from exc
        if not (math.isfinite(k) and k > 0):
            raise DataFileError(f"ic50 {r['ic50']!r} must be positive", file=where, row=i)
        out.append({"channel": ch, "compound": (r.get("compound") or "").strip().lower(),
                    "state": state, "ic50_M": k, "source": (r.get("source") or "user").strip()})
    return pd.DataFrame(out, columns=["channel", "compound", "state", "ic50_M", "source"])


@dataclass(frozen=True)
class CardiacResult:
    """Cardiac prediction for one set of levels (see :func:`cardiac_risk`)."""

    compound: str
    bpm: float
    levels: dict[str, dict[str, float]]
    channels: dict[str, dict[str, Any]]
    cell: CellResult
    qrs_ms: float
    control_qrs_ms: float
    delta_qtc_ms: float
    contributions: dict[str, dict[str, float]]
    scope: str
    notes: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = field(default=())
    ranges: dict[str, list[float]] = field(default_factory=dict)
    patient: dict[str, Any] = field(default_factory=dict)

    @property
    def delta_qrs_ms(self) -> float:
        return self.qrs_ms - self.control_qrs_ms

    def to_dict(self) -> dict[str, Any]:
        c = self.cell
        return {"compound": self.compound, "heart_rate_bpm": self.bpm, "scope": self.scope,
                "levels": self.levels, "channels": self.channels,
                "apd90_ms": c.apd90_ms, "control_apd90_ms": c.control_apd90_ms,
                "delta_apd90_ms": c.delta_apd90_ms,
                "qnet": c.qnet_uC_uF, "control_qnet": c.control_qnet_uC_uF,
                "qnet_unit": "uC/uF", "ead": c.ead, "repolarised": c.repolarised,
                "beats": c.beats, "qrs_ms": _finite(self.qrs_ms),
                "control_qrs_ms": self.control_qrs_ms,
                "delta_qrs_ms": _finite(self.delta_qrs_ms),
                "delta_qtc_ms": _finite(self.delta_qtc_ms),
                "conduction_failure": not math.isfinite(self.qrs_ms),
                "contributions": self.contributions, "ranges": dict(self.ranges),
                "patient": dict(self.patient),
                "notes": list(self.notes),
                "assumptions": list(self.assumptions)}

    def to_frame(self) -> pd.DataFrame:
        """One row per current: ``current block`` and ``block_<analyte>``."""
        rows = []
        for cur, d in self.channels.items():
            row = {"current": cur, "block": d["block"]}
            row.update({f"block_{a}": v for a, v in d["by_compound"].items()})
            rows.append(row)
        return pd.DataFrame(rows)


def _finite(x: float) -> float | None:
    """``x``, or None for a value that is not finite (conduction failure) — valid JSON."""
    return float(x) if math.isfinite(x) else None


def _molar_from_ng_ml(level_ng_mL: float, mw: float) -> float:
    return level_ng_mL * _G_PER_L_PER_NG_ML / mw


def _affinity(kb, overlay: pd.DataFrame | None, analyte: str, row: PanelRow,
              state: str) -> tuple[float | None, str]:
    if overlay is not None and len(overlay):
        hit = overlay[(overlay["channel"] == row.current) & (overlay["compound"] == analyte)
                      & ((overlay["state"] == state) | (state == ""))]
        if len(hit):
            return float(hit.iloc[0]["ic50_M"]), f"user overlay ({hit.iloc[0]['source']})"
    try:
        a = kb.affinity(analyte, row.kb_target, condition=state or None)
    except NeuromoaError:   # no row, or a target the knowledge base does not hold: no data
        return None, ""
    return a.value_M, a.source if hasattr(a, "source") else a.reference


#: Potency band of the ``ranges``: every affinity this many times more and less potent.
#: Assumption: published channel IC50s of one drug differ about 2-fold between laboratories and
#: protocols (e.g. hERG: Ridder et al. 2020 Toxicol Appl Pharmacol 394:114961; amitriptyline
#: hERG 3.26 vs 4.78 uM with [K+]o alone, Jo 2000).
POTENCY_FACTOR = 2.0


def _scaled(affin: Mapping[str, Mapping[str, dict | None]], factor: float) -> dict:
    return {cur: {a: (None if v is None else {k: x * factor for k, x in v.items()})
                  for a, v in d.items()} for cur, d in affin.items()}


def _blocks(levels_M: Mapping[str, float], affin: Mapping[str, Mapping[str, dict]],
            bpm: float, panel: Sequence[PanelRow]) -> dict[str, float]:
    """Block per current for the unbound concentrations ``levels_M`` (analyte → M)."""
    out = {}
    for row in panel:
        if row.method == "markov":
            have = [a for a in levels_M if affin[row.current].get(a) and levels_M[a] > 0]
            if not have:
                out[row.current] = 0.0
                continue
            ref = have[0]
            k_ref = affin[row.current][ref]
            c_eq = sum(levels_M[a] * k_ref["inactivated"] / affin[row.current][a]["inactivated"]
                       for a in have)
            out[row.current] = nav15_block_at_rate(c_eq, {"resting": k_ref["resting"],
                                                          "inactivated": k_ref["inactivated"]},
                                                   bpm=bpm)
        else:
            x = sum(levels_M[a] / affin[row.current][a]["k"] for a in levels_M
                    if affin[row.current].get(a))
            out[row.current] = x / (1.0 + x)
    return out


def cardiac_risk(compound: str | None = None, *, regimen: Regimen | None = None,
                 plasma: object | None = None, metabolite: object | None = None,
                 bpm: float = 60.0, overlay: str | os.PathLike[str] | pd.DataFrame | None = None,
                 contributions: bool = True, uncertainty: bool = True,
                 patient: Patient | None = None) -> CardiacResult:
    """Predict channel block, the ORd beat and the ECG changes of ``compound``.

    Give either ``regimen`` (levels: Cmax of the last interval for repeated dosing, the peak for
    a single dose, from :func:`neuromoa.exposure.simulate_exposure`) or ``plasma`` (total plasma
    level of the parent, e.g. ``"300 ng/mL"`` or a number in ng/mL) and optionally
    ``metabolite`` (total level of its metabolite). ``patient`` (genotype, weight, age:
    :class:`neuromoa.exposure.Patient`) changes the levels of a regimen; with given plasma
    levels it changes nothing (the levels already are the patient's) and the result says so.

    Examples
    --------
    >>> r = cardiac_risk("amitriptyline", plasma="150 ng/mL", metabolite="100 ng/mL",
    ...                  contributions=False)
    >>> r.delta_qrs_ms > 0
    True
    """
    bpm = check_heart_rate(bpm)
    comp = pk_compound(compound or flagship_compound())
    analytes = list(unit_dose_response(comp.name))
    notes: list[str] = []
    if (regimen is None) == (plasma is None):
        raise InputError("cardiac: give either a regimen (dose) or a plasma level, not both.")
    if patient is not None and not isinstance(patient, Patient):
        raise InputError("cardiac: 'patient' must be a neuromoa.exposure.Patient.")
    patient_text = patient.describe() if patient is not None else "reference adult"
    total_ng: dict[str, float] = {}
    if regimen is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NeuromoaWarning)
            exp = simulate_exposure(comp.name, regimen, patient=patient)
        notes.extend(exp.notes)
        for a in analytes:
            total_ng[a] = float(exp.metrics[a]["cmax_ng_mL"])
        scope = ("steady-state Cmax (last dosing interval)" if regimen.repeated
                 else "peak after a single dose")
    else:
        total_ng[analytes[0]] = _level(plasma, "plasma level (--plasma)")
        if metabolite is not None:
            if len(analytes) < 2:
                raise InputError(f"metabolite level given, but {comp.name} has no metabolite "
                                 "in the exposure data; drop --metabolite.")
            total_ng[analytes[1]] = _level(metabolite, "metabolite level (--metabolite)")
        elif len(analytes) > 1:
            notes.append(f"no {analytes[1]} level given: metabolite taken as absent.")
        scope = "the given plasma levels"
        if patient is not None and not patient.is_reference:
            notes.append("patient options do not change given plasma levels (they act on the "
                         "exposure of a dose).")
    levels = {}
    unbound = {}
    for a, ng in total_ng.items():
        pk = pk_compound(a)
        fu = pk.value("fu")
        unbound[a] = fu * _molar_from_ng_ml(ng, pk.mw_base)
        levels[a] = {"total_ng_mL": ng, "fu": fu, "unbound_M": unbound[a]}

    kb = load_kb()
    ov = overlay if isinstance(overlay, pd.DataFrame) or overlay is None \
        else read_channel_overlay(overlay)
    panel = cardiac_panel()
    affin: dict[str, dict[str, dict | None]] = {}
    channels: dict[str, dict[str, Any]] = {}
    for row in panel:
        affin[row.current] = {}
        srcs: dict[str, str] = {}
        missing = []
        for a in total_ng:
            if row.method == "markov":
                kr, s1 = _affinity(kb, ov, a, row, "resting")
                ki, s2 = _affinity(kb, ov, a, row, "inactivated")
                ok = kr is not None and ki is not None
                affin[row.current][a] = {"resting": kr, "inactivated": ki} if ok else None
                srcs[a] = f"{s1}; {s2}" if ok else ""
            else:
                state = row.conditions[0].lower() if row.conditions else ""
                k, s = _affinity(kb, ov, a, row, state)
                affin[row.current][a] = {"k": k} if k is not None else None
                srcs[a] = s
            if affin[row.current][a] is None:
                missing.append(a)
                notes.append(f"{row.current}: {a} not included: no data.")
        channels[row.current] = {"kb_target": row.kb_target, "method": row.method,
                                 "affinities_M": {a: v for a, v in affin[row.current].items()},
                                 "sources": srcs, "missing": missing, "note": row.note}
    full = _blocks(unbound, affin, bpm, panel)
    for row in panel:
        by = {}
        for a in unbound:
            by[a] = (None if affin[row.current][a] is None
                     else _blocks({a: unbound[a]}, {row.current: affin[row.current]}, bpm,
                                  [row])[row.current])
        channels[row.current]["block"] = full[row.current]
        channels[row.current]["by_compound"] = by

    cell = simulate_cell(full, bpm=bpm)
    q0 = qrs_ms(0.0, bpm=bpm)
    q = qrs_ms(full["INa"], bpm=bpm)
    if not math.isfinite(q):
        notes.append(f"INa block {full['INa']:.2f}: the strand does not conduct (conduction "
                     "failure); QRS and QTc are not defined.")
    dqtc = delta_qtc_ms(cell.delta_apd90_ms, q - q0)
    contrib: dict[str, dict[str, float]] = {}
    if contributions and len(unbound) > 1:
        for label, keep in (("parent_only", analytes[0]), ("metabolite_only", analytes[1])):
            lv = {a: (c if a == keep else 0.0) for a, c in unbound.items()}
            b = _blocks(lv, affin, bpm, panel)
            cr = simulate_cell(b, bpm=bpm)
            dq = qrs_ms(b["INa"], bpm=bpm) - q0
            contrib[label] = {"analyte": keep, "delta_apd90_ms": cr.delta_apd90_ms,
                              "delta_qrs_ms": dq, "delta_qtc_ms": delta_qtc_ms(cr.delta_apd90_ms, dq),
                              "qnet": cr.qnet_uC_uF, "ead": cr.ead}
    ranges: dict[str, list[float]] = {}
    if uncertainty:
        lo_hi = []
        for factor in (POTENCY_FACTOR, 1.0 / POTENCY_FACTOR):
            b = _blocks(unbound, _scaled(affin, factor), bpm, panel)
            cr = simulate_cell(b, bpm=bpm)
            dq = qrs_ms(b["INa"], bpm=bpm) - q0
            lo_hi.append((cr.delta_apd90_ms, dq, delta_qtc_ms(cr.delta_apd90_ms, dq)))
        for i, key in enumerate(("delta_apd90_ms", "delta_qrs_ms", "delta_qtc_ms")):
            vals = [x[i] for x in lo_hi]
            ranges[key] = [min(vals), max(vals)]
    if not cell.repolarised:
        notes.append("the cell did not repolarise within the beat: APD90 undefined (severe block).")
    p = ecg_parameters()
    assumptions = (
        f"patient: {patient_text} (exposure model), unbound plasma = free drug at the channel",
        "cell: ORd 2011 endocardial, single cell, conductance scaling except peak INa "
        "(Nav1.5 Markov scheme on the drug-free AP at the heart rate)",
        f"QRS: baseline {p['qrs_baseline_ms'][0]:g} ms × the QRS-width ratio of the pseudo-ECG of a "
        "1D monodomain strand of ORd cells with the TP06 INa (100 cells, 1 cm) at the heart rate; "
        "INa block = use-dependent block at that rate (Nav1.5 Markov scheme), uniform in the beat",
        f"QTc: ΔQRS + {p['apd_to_qt'][0]:g}·ΔAPD90",
        "qNet: ∫(INaL+ICaL+Ito+IKr+IKs+IK1)dt over the beat as Dutta et al. 2017 define it, "
        "but on ORd 2011 (not CiPAORdv1.0) and at the given rate: compare with control only",
        f"uncertainty: `ranges` recompute with every affinity {POTENCY_FACTOR:g}-fold more and "
        "less potent (inter-laboratory spread of channel IC50s); patient and model-structure "
        "uncertainty are not included",
    )
    return CardiacResult(comp.name, bpm, levels, channels, cell, q, q0, dqtc, contrib, scope,
                         tuple(dict.fromkeys(notes)), assumptions, ranges,
                         patient.to_dict() if patient is not None else {})


def _level(value: object, what: str) -> float:
    """A total plasma level in ng/mL (a number or text such as ``"300 ng/mL"``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        x = float(value)
    else:
        text = str(value).strip()
        parts = text.replace("ng/ml", "ng/mL").split()
        try:
            x = float(parts[0])
        except (ValueError, IndexError):
            raise ParameterError(f"{what}: {value!r} is not a level such as '300 ng/mL'.") from None
        unit = " ".join(parts[1:]) or "ng/mL"
        if unit != "ng/mL":
            raise ParameterError(f"{what}: {value!r} must be in ng/mL (total plasma level of the base).")
    if not math.isfinite(x) or x < 0:
        raise ParameterError(f"{what}: {value!r} must be zero or positive.")
    return x


#: The issue's dose table: daily doses (every 24 h) and single overdoses.
DOSE_TABLE = (("10 mg", "24 h"), ("75 mg", "24 h"), ("150 mg", "24 h"), ("300 mg", "24 h"),
              ("750 mg", None), ("1500 mg", None))


def dose_table(compound: str | None = None, doses: Sequence[tuple[str, str | None]] = DOSE_TABLE,
               *, bpm: float = 60.0, patient: Patient | None = None) -> pd.DataFrame:
    """One row per regimen: levels, block per current, ΔAPD90, ΔQRS, ΔQTc, qNet, EAD and the
    parent-only / metabolite-only deltas. A regimen that fails keeps its row with ``status``."""
    compound = compound or flagship_compound()
    rows = []
    for dose, every in doses:
        label = f"{dose} every {every}" if every else f"{dose} single"
        try:
            reg = Regimen.parse(dose, every=every)
            r = cardiac_risk(compound, regimen=reg, bpm=bpm, patient=patient)
        except (InputError, ParameterError, DataFileError) as exc:
            rows.append({"regimen": label, "status": "error", "message": str(exc)})
            continue
        row: dict[str, Any] = {"regimen": label, "status": "ok", "message": "", "scope": r.scope}
        for a, lv in r.levels.items():
            row[f"{a}_ng_mL"] = lv["total_ng_mL"]
        for cur, d in r.channels.items():
            row[f"block_{cur}"] = d["block"]
        row.update({"apd90_ms": r.cell.apd90_ms, "delta_apd90_ms": r.cell.delta_apd90_ms,
                    "delta_qrs_ms": r.delta_qrs_ms, "delta_qtc_ms": r.delta_qtc_ms,
                    "qnet": r.cell.qnet_uC_uF, "ead": r.cell.ead})
        for key, (lo, hi) in r.ranges.items():
            row[f"{key}_low"], row[f"{key}_high"] = lo, hi
        for lab, c in r.contributions.items():
            row[f"{lab}_delta_qrs_ms"] = c["delta_qrs_ms"]
            row[f"{lab}_delta_qtc_ms"] = c["delta_qtc_ms"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["compound"] = compound
    frame.attrs["patient"] = patient.describe() if patient is not None else "reference adult"
    return frame


#: Points over the last dosing interval (or the observation window of a single dose) of
#: :func:`cardiac_time_course` (assumption: 8 resolve the peak and trough of a daily regimen).
TIME_COURSE_POINTS = 8


def cardiac_time_course(compound: str, regimen: Regimen, *, bpm: float = 60.0,
                        points: int = TIME_COURSE_POINTS,
                        patient: Patient | None = None) -> pd.DataFrame:
    """ΔAPD90, ΔQRS, ΔQTc over the last dosing interval (repeated) or the first day (single).

    Each point is a steady-state beat at that moment's levels (the channels and the cell are
    fast compared with the pharmacokinetics). Columns: ``time_h`` (from the first dose),
    ``<analyte>_ng_mL``, ``block_<current>``, ``delta_apd90_ms delta_qrs_ms delta_qtc_ms qnet ead``.
    """
    bpm = check_heart_rate(bpm)
    if not isinstance(regimen, Regimen):
        raise InputError("cardiac_time_course: 'regimen' must be a Regimen.")
    n = int(points)
    if n < 2:
        raise ParameterError(f"time course: points {points!r} must be at least 2.")
    if regimen.repeated:
        assert regimen.duration_h is not None and regimen.interval_h is not None
        last = max(t for t in regimen.dose_times_h if t < regimen.duration_h)
        times = last + np.linspace(0.0, regimen.interval_h, n)
    else:
        times = np.linspace(0.0, 24.0, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        exp = simulate_exposure(compound, regimen, times_h=times, patient=patient)
    rows = []
    for i, t in enumerate(times):
        levels = {a: float(exp.total_ng_mL[a][i]) for a in exp.analytes}
        names = list(levels)
        r = cardiac_risk(compound, plasma=levels[names[0]],
                         metabolite=levels[names[1]] if len(names) > 1 else None,
                         bpm=bpm, contributions=False, uncertainty=False)
        row: dict[str, Any] = {"time_h": float(t)}
        row.update({f"{a}_ng_mL": v for a, v in levels.items()})
        row.update({f"block_{c}": d["block"] for c, d in r.channels.items()})
        row.update({"delta_apd90_ms": r.cell.delta_apd90_ms, "delta_qrs_ms": r.delta_qrs_ms,
                    "delta_qtc_ms": r.delta_qtc_ms, "qnet": r.cell.qnet_uC_uF,
                    "ead": r.cell.ead})
        rows.append(row)
    return pd.DataFrame(rows)
