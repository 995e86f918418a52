"""Systems models against published data they were not calibrated on.

The dataset (``data/systems/validation.csv``, or a user's file with the same columns) holds one
published observation per row: model, observable, compound, the protocol the model is run
with (``key=value;...``), condition, species, preparation, the observed value (or an observed
range ``observed_low``-``observed_high``), its unit, a tolerance (``"0.3 log10"`` or
``"0.2 abs"``), the source (author, year, journal), how the value was checked (``verified``:
``abstract``, ``facts``, or ``unverified``) and whether it was used to calibrate the model
(``used_for_calibration``).

:func:`validate` runs the model for each row and returns observed beside predicted with
``within`` (True/False, or NA when the model makes no prediction). A row **counts** as an
independent check when it was not used for calibration, its value was checked
(``verified`` is not ``unverified``) and the model predicted something.

Functional antagonism (model ``receptors``) is predicted from binding through the operational
model / Schild code of :mod:`neuromoa.systems.receptors`: nothing is fitted to the functional
data, so functional and binding values can disagree.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError

__all__ = ["VALIDATION_COLUMNS", "VALIDATION_MODELS", "functional_vs_binding",
           "load_validation_data", "validate", "validation_summary"]

#: Columns a validation dataset must have.
VALIDATION_COLUMNS = ("id", "model", "observable", "compound", "protocol", "condition",
                      "species", "preparation", "observed", "observed_low", "observed_high",
                      "unit", "tolerance", "source", "verified", "used_for_calibration", "note")
#: Models a row may name.
VALIDATION_MODELS = ("receptors", "synapse", "nmda", "trk")
_REQUIRED_TEXT = ("id", "model", "observable", "unit", "tolerance", "source")
_TOL_KINDS = ("log10", "abs")
#: pAkt peak (fold over baseline) at or above which the Trk model counts as "active"
#: (assumption: a 20 % rise is the smallest a western blot reliably shows).
TRK_ACTIVE_FOLD = 1.2
#: In-vivo antagonism counted as "active" at a dose ratio of at least 2 (half the receptors
#: occupied; assumption).
ACTIVE_DOSE_RATIO = 2.0


def _protocol(text: object, file: str, row: int) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(text, str) or not text.strip():
        return out
    for part in text.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise DataFileError(f"protocol item {part.strip()!r} is not key=value", file=file,
                                row=row, field="protocol")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _tolerance(text: str, file: str, row: int) -> tuple[float, str]:
    parts = str(text).split()
    try:
        value = float(parts[0])
        kind = parts[1] if len(parts) > 1 else ""
    except (ValueError, IndexError):
        value, kind = math.nan, ""
    if kind not in _TOL_KINDS or not math.isfinite(value) or value < 0:
        raise DataFileError(f"tolerance {text!r} must be a number >= 0 and 'log10' or 'abs', "
                            "e.g. '0.3 log10'", file=file, row=row, field="tolerance")
    return value, kind


def load_validation_data(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a validation dataset (default: the shipped one).

    Raises
    ------
    DataFileError
        A missing column; a row without id, model, observable, unit, tolerance or source; an
        unknown model; a bad tolerance or protocol; no observed value or range; a non-numeric
        value. The message names the file, the row (1 = header) and the field.
    """
    if path is None:
        file = "systems/validation.csv"
        text = read_text("systems", "validation.csv")
    else:
        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(f"cannot read: {exc}", file=file) from None
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"not a CSV table: {exc}", file=file) from None
    missing = [c for c in VALIDATION_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", file=file)
    rows = []
    for i, rec in enumerate(table.to_dict(orient="records")):
        row = i + 2
        for fld in _REQUIRED_TEXT:
            if not str(rec[fld]).strip():
                raise DataFileError(f"no {fld} given (every observation needs one)", file=file,
                                    row=row, field=fld)
        if rec["model"].strip() not in VALIDATION_MODELS:
            raise DataFileError(f"unknown model {rec['model']!r}; choose one of "
                                f"{', '.join(VALIDATION_MODELS)}", file=file, row=row,
                                field="model")
        nums = {}
        for fld in ("observed", "observed_low", "observed_high"):
            s = str(rec[fld]).strip()
            try:
                nums[fld] = float(s) if s else math.nan
            except ValueError:
                raise DataFileError(f"{s!r} is not a number", file=file, row=row,
                                    field=fld) from None
        if (not math.isfinite(nums["observed"])
                and math.isfinite(nums["observed_low"]) != math.isfinite(nums["observed_high"])):
            raise DataFileError("give observed, or both observed_low and observed_high",
                                file=file, row=row, field="observed_low")
        tol, kind = _tolerance(rec["tolerance"], file, row)
        cal = str(rec["used_for_calibration"]).strip().lower()
        if cal not in ("yes", "no"):
            raise DataFileError(f"used_for_calibration must be yes or no; got {cal!r}",
                                file=file, row=row, field="used_for_calibration")
        rows.append({**{k: str(v).strip() for k, v in rec.items()}, **nums,
                     "tolerance_value": tol, "tolerance_kind": kind,
                     "used_for_calibration": cal == "yes",
                     "protocol_items": _protocol(rec["protocol"], file, row), "row": row})
    return pd.DataFrame(rows)


# --- predictions -------------------------------------------------------------------------

def _kb():
    from neuromoa.kb import load_kb

    return load_kb()


def _ki_M(compound: str, target: str, species: str = "human") -> float:
    return float(_kb().affinity(compound, target, species=species).value_M)


@lru_cache(maxsize=64)
def _schild_pa2(compound: str, target: str) -> float:
    from neuromoa.systems.receptors import schild_experiment

    return float(schild_experiment(target, compound=compound, model="operational", seed=0).pa2)


def _pred_pkb(rec: dict[str, Any]) -> tuple[float, str]:
    t = rec["protocol_items"]["target"]
    pa2 = _schild_pa2(rec["compound"], t)
    return pa2, f"pA2 of a simulated Schild experiment (operational model) from kb pKi {-math.log10(_ki_M(rec['compound'], t)):.2f}"


def _pred_ratio_vs_reference(rec: dict[str, Any]) -> tuple[float, str]:
    p = rec["protocol_items"]
    a = _schild_pa2(rec["compound"], p["target"])
    r = _schild_pa2(p["reference"], p["target"])
    return 10.0 ** (r - a), f"pA2 {a:.2f} ({rec['compound']}) vs {r:.2f} ({p['reference']}) at {p['target']}"


def _pred_kb_ratio(rec: dict[str, Any]) -> tuple[float, str]:
    p = rec["protocol_items"]
    num, den = _ki_M(rec["compound"], p["numerator"]), _ki_M(rec["compound"], p["denominator"])
    return num / den, f"kb Ki {p['numerator']} {num * 1e9:.3g} nM / {p['denominator']} {den * 1e9:.3g} nM"


def _pred_ic50_vs_agonist(rec: dict[str, Any]) -> tuple[float, str]:
    from scipy.optimize import brentq

    from neuromoa.pharmacology import operational_response
    from neuromoa.systems.receptors import agonist_table

    p = rec["protocol_items"]
    target, a = p["target"], float(p["agonist_M"])
    kb = _ki_M(rec["compound"], target, species=p.get("species", "human"))
    ag = agonist_table().set_index("target").loc[target]
    ka, tau = 10.0 ** -float(ag["pka"]), float(ag["tau"])
    e0 = float(operational_response(a, ka, tau))

    def f(logb: float) -> float:
        return float(operational_response(a, ka, tau, antagonist=10.0 ** logb, kb=kb)) - e0 / 2

    b = 10.0 ** brentq(f, -15.0, 0.0)
    return b * 1e6, (f"operational model, {ag['agonist']} pEC50 {ag['pec50']} (agonists.csv, U), "
                     f"kb {p.get('species', 'human')} Ki {kb * 1e9:.3g} nM")


def _pred_dose_ratio_oral(rec: dict[str, Any]) -> tuple[float, str]:
    from neuromoa.exposure import Regimen, simulate_exposure
    from neuromoa.systems.synapse import analytes

    p = rec["protocol_items"]
    names = analytes(rec["compound"])
    res = simulate_exposure(names["parent"], Regimen.parse(p["dose"], every=None))
    occ_sum, parts = 0.0, []
    for analyte in (names["parent"], names["metab"]):
        if not analyte:
            continue
        try:
            ki = _ki_M(analyte, p["target"])
        except InputError:
            parts.append(f"{analyte}: no kb value")
            continue
        cu = float(res.metrics[analyte]["unbound_cmax_M"])
        occ_sum += cu / ki
        parts.append(f"{analyte} unbound Cmax {cu * 1e9:.3g} nM / Ki {ki * 1e9:.3g} nM")
    return 1.0 + occ_sum, "DR = 1 + sum C/Ki at Cmax: " + "; ".join(parts)


def _pred_antagonism_active_oral(rec: dict[str, Any]) -> tuple[float, str]:
    dr, how = _pred_dose_ratio_oral(rec)
    return float(dr >= ACTIVE_DOSE_RATIO), f"{how} (active at DR >= {ACTIVE_DOSE_RATIO:g})"


@lru_cache(maxsize=16)
def _course(compound: str, transmitter: str, dose: str, every: str, weeks: float) -> pd.DataFrame:
    from neuromoa.systems.synapse import chronic_course

    return chronic_course(dose=dose, every=every, weeks=weeks, compound=compound,
                          transmitter=transmitter).table


def _course_for(rec: dict[str, Any]) -> tuple[pd.DataFrame, float]:
    p = rec["protocol_items"]
    day = float(p["day"])
    table = _course(rec["compound"], p.get("transmitter", "5HT"), p["dose"],
                    p.get("every", "24 h"), max(day / 7.0, 1.0))
    return table, day


def _at_day(table: pd.DataFrame, column: str, day: float) -> float:
    return float(np.interp(day, table["days"], table[column]))


def _pred_firing(rec: dict[str, Any]) -> tuple[float, str]:
    table, day = _course_for(rec)
    return _at_day(table, "firing_rel", day), f"model firing at day {day:g}"


def _pred_auto(rec: dict[str, Any]) -> tuple[float, str]:
    table, day = _course_for(rec)
    return _at_day(table, "autoreceptor_sensitivity", day), f"model autoreceptor sensitivity at day {day:g}"


def _pred_post_onset(rec: dict[str, Any]) -> tuple[float, str]:
    from neuromoa.systems.adaptation import ONSET_FRACTION, postsynaptic_onset_day

    table, _ = _course_for(rec)
    return (postsynaptic_onset_day(table),
            f"day post-synaptic sensitivity reaches {ONSET_FRACTION:.0%} of its gain")


def _pred_firing_recovery(rec: dict[str, Any]) -> tuple[float, str]:
    from neuromoa.systems.adaptation import RECOVERY_FRACTION, firing_recovery_day

    table, _ = _course_for(rec)
    return (firing_recovery_day(table),
            f"day firing recovers {RECOVERY_FRACTION:.0%} of the way from its nadir")


def _pred_trk_active(rec: dict[str, Any]) -> tuple[float, str]:
    from neuromoa.systems.trk import trk_response

    try:
        res = trk_response(rec["protocol_items"]["conc"], compound=rec["compound"],
                           duration="2 h", n_points=25)
    except InputError as exc:
        return 0.0, f"inactive by default: {exc}"
    peak = float(res.course["pAkt_rel"].max())
    return float(peak >= TRK_ACTIVE_FOLD), f"pAkt peak {peak:.3g}x (active at >= {TRK_ACTIVE_FOLD}x)"


def _pred_nmda_ic50(rec: dict[str, Any]) -> tuple[float, str]:
    from neuromoa.systems.nmda import nmda_ic50

    p = rec["protocol_items"]
    r = nmda_ic50(p["ca"], p["voltage"], "total")
    return r.ic50_M * 1e6, f"model IC50 at {p['ca']}, {p['voltage']} (total)"


_PREDICTORS: dict[str, Callable[[dict[str, Any]], tuple[float, str]]] = {
    "pkb": _pred_pkb,
    "potency_ratio_vs_reference": _pred_ratio_vs_reference,
    "kb_ratio": _pred_kb_ratio,
    "ic50_vs_agonist": _pred_ic50_vs_agonist,
    "dose_ratio_oral": _pred_dose_ratio_oral,
    "antagonism_active_oral": _pred_antagonism_active_oral,
    "firing_rel": _pred_firing,
    "autoreceptor_sensitivity": _pred_auto,
    "postsynaptic_onset_days": _pred_post_onset,
    "firing_recovery_days": _pred_firing_recovery,
    "trk_active": _pred_trk_active,
    "ic50": _pred_nmda_ic50,
}


def _within(pred: float, rec: dict[str, Any]) -> bool | None:
    if not math.isfinite(pred):
        return None
    tol, kind = rec["tolerance_value"], rec["tolerance_kind"]
    obs, lo, hi = rec["observed"], rec["observed_low"], rec["observed_high"]
    if kind == "log10":
        if pred <= 0:
            return False
        tr = math.log10
    else:
        def tr(x: float) -> float:
            return x
    if math.isfinite(obs):
        return abs(tr(pred) - tr(obs)) <= tol + 1e-12
    if math.isfinite(lo):
        return tr(lo) - tol - 1e-12 <= tr(pred) <= tr(hi) + tol + 1e-12
    return None


def validate(data: str | Path | pd.DataFrame | None = None, *, model: str | None = None,
             include_calibration: bool = True) -> pd.DataFrame:
    """Every comparison of a systems model with published data.

    Parameters
    ----------
    data : path or DataFrame, optional
        A validation dataset (default: the shipped ``data/systems/validation.csv``).
    model : str, optional
        Only the rows of this model (``receptors``, ``synapse``, ``nmda``, ``trk``).
    include_calibration : bool
        Keep the rows used for calibration (shown, never counted).

    Returns
    -------
    DataFrame
        ``id model observable compound condition species observed observed_low observed_high
        unit predicted within tolerance source verified used_for_calibration counts
        prediction_note note`` — ``within`` is NA where the model makes no prediction;
        ``counts`` marks the independent, checked comparisons.

    Raises
    ------
    InputError
        Unknown ``model``. :class:`DataFileError` for a bad dataset (see
        :func:`load_validation_data`).
    """
    if model is not None and model not in VALIDATION_MODELS:
        raise InputError(f"systems validate: unknown model {model!r}; choose one of "
                         f"{', '.join(VALIDATION_MODELS)}.")
    table = data if isinstance(data, pd.DataFrame) else load_validation_data(data)
    out = []
    for rec in table.to_dict(orient="records"):
        if model is not None and rec["model"] != model:
            continue
        if rec["used_for_calibration"] and not include_calibration:
            continue
        fn = _PREDICTORS.get(rec["observable"])
        if fn is None:
            pred, how = math.nan, f"no prediction: the {rec['model']} model has no '{rec['observable']}'"
        else:
            try:
                pred, how = fn(rec)
            except InputError as exc:
                pred, how = math.nan, f"no prediction: {exc}"
        within = _within(pred, rec)
        counts = (not rec["used_for_calibration"] and rec["verified"] != "unverified"
                  and within is not None)
        out.append({"id": rec["id"], "model": rec["model"], "observable": rec["observable"],
                    "compound": rec["compound"], "condition": rec["condition"],
                    "species": rec["species"], "observed": rec["observed"],
                    "observed_low": rec["observed_low"], "observed_high": rec["observed_high"],
                    "unit": rec["unit"], "predicted": pred, "within": within,
                    "tolerance": rec["tolerance"], "source": rec["source"],
                    "verified": rec["verified"],
                    "used_for_calibration": rec["used_for_calibration"], "counts": counts,
                    "prediction_note": how, "note": rec["note"]})
    return pd.DataFrame(out)


def validation_summary(result: pd.DataFrame) -> dict[str, Any]:
    """Counts of a :func:`validate` table: comparisons, within tolerance, sources."""
    counted = result[result["counts"]]
    return {"rows": int(len(result)), "counted": int(len(counted)),
            "within": int(counted["within"].astype(bool).sum()),
            "outside": int((~counted["within"].astype(bool)).sum()),
            "sources": int(counted["source"].nunique()),
            "calibration_rows": int(result["used_for_calibration"].sum()),
            "no_prediction": int(result["within"].isna().sum())}


def functional_vs_binding(data: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Observed functional antagonism (apparent pA2/pKB) beside the pA2 predicted from binding.

    For each ``receptors`` row measured in an isolated tissue or cells (observables ``pkb``,
    ``ic50_vs_agonist``, ``potency_ratio_vs_reference``), the predicted pA2 is that of a
    simulated Schild experiment (operational model) made from the knowledge base's binding
    Ki; nothing is fitted to the functional value. The observed apparent pA2 is:

    - ``pkb``: the published pKB (the middle of a published range, with the range kept);
    - ``ic50_vs_agonist``: predicted pA2 + log10(predicted IC50 / observed IC50) — at a fixed
      agonist concentration a competitive antagonist's IC50 is proportional to its KB, so the
      observed IC50 moves the pA2 by the same log distance (assumes the agonist parameters of
      ``agonists.csv``, U);
    - ``potency_ratio_vs_reference``: the reference antagonist's predicted pA2 - log10(ratio).

    Returns
    -------
    DataFrame
        ``id receptor compound preparation species observed_pa2 observed_low observed_high
        predicted_pa2 binding_pki difference tolerance within source how`` — ``difference``
        is observed - predicted (log10 units); ``within`` compares it with the row's log10
        tolerance (NA when no prediction or no observed number).
    """
    table = data if isinstance(data, pd.DataFrame) else load_validation_data(data)
    rows = []
    for rec in table.to_dict(orient="records"):
        obs_kind = rec["observable"]
        if rec["model"] != "receptors" or obs_kind not in (
                "pkb", "ic50_vs_agonist", "potency_ratio_vs_reference"):
            continue
        target = rec["protocol_items"].get("target", "")
        cid = rec["compound"]
        lo = hi = math.nan
        how = ""
        try:
            pred = _schild_pa2(cid, target)
            pki = -math.log10(_ki_M(cid, target))
        except InputError as exc:
            pred = pki = math.nan
            how = f"no prediction: {exc}"
        obs = math.nan
        if math.isfinite(pred):
            if obs_kind == "pkb":
                lo, hi = float(rec["observed_low"]), float(rec["observed_high"])
                obs = (float(rec["observed"]) if math.isfinite(float(rec["observed"]))
                       else 0.5 * (lo + hi))
                how = "published pKB" + (" (middle of the published range)"
                                         if math.isfinite(lo) else "")
            elif obs_kind == "ic50_vs_agonist":
                ic_pred, _ = _pred_ic50_vs_agonist(rec)
                obs = pred + math.log10(ic_pred / float(rec["observed"]))
                how = (f"from the observed IC50 {float(rec['observed']):g} uM vs the predicted "
                       f"{ic_pred:.3g} uM at the same agonist concentration")
            else:
                ref = rec["protocol_items"]["reference"]
                ref_pa2 = _schild_pa2(ref, target)
                obs = ref_pa2 - math.log10(float(rec["observed"]))
                how = (f"{ref} predicted pA2 {ref_pa2:.2f} minus log10 of the observed "
                       f"{float(rec['observed']):g}-fold ratio")
            if not math.isfinite(obs):
                how = "no observed number (qualitative row)"
        tol = float(rec["tolerance_value"])
        diff = obs - pred
        within: bool | None = None
        if math.isfinite(diff):
            if math.isfinite(lo) and math.isfinite(hi):
                within = bool(lo - tol <= pred <= hi + tol)
            else:
                within = bool(abs(diff) <= tol)
        rows.append({"id": rec["id"], "receptor": target, "compound": cid,
                     "preparation": f"{rec['preparation']} ({rec['condition']})",
                     "species": rec["species"], "observed_pa2": obs, "observed_low": lo,
                     "observed_high": hi, "predicted_pa2": pred, "binding_pki": pki,
                     "difference": diff, "tolerance": f"{tol:g} log10", "within": within,
                     "source": rec["source"], "how": how})
    return pd.DataFrame(rows)
