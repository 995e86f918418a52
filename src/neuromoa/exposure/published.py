"""Held-out comparison of the model's steady state with published patient means.

``data/exposure/published_steady_state.csv`` holds mean steady-state plasma levels measured in
patients at a known mean daily dose (study, dosed compound, summed analytes, dose, n, mean, SD,
sampling, source). None was used to fit a parameter. :func:`published_steady_state` simulates
each study's daily dose (once daily for four weeks; linear kinetics make the average level
independent of how the day's dose is split) and puts the model's average and trough beside the
published mean with a tolerance of two standard errors of that mean: the study's SD where
published, else :data:`ASSUMED_CV` of the mean (``assumption_tdm_cv`` in references.csv).
"""

from __future__ import annotations

import io
import math
import warnings

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, NeuromoaWarning
from neuromoa.exposure.model import simulate_exposure
from neuromoa.exposure.regimen import Regimen

__all__ = ["ASSUMED_CV", "published_steady_state"]

#: Between-patient CV of a steady-state tricyclic level at a fixed dose where a study gives no
#: SD (assumption ``assumption_tdm_cv``: TDM series report ten-fold ranges at one dose).
ASSUMED_CV = 0.5
#: Days simulated to reach steady state (≥ 5 half-lives of the slowest analyte, 25.5 h).
_SS_DAYS = 28
_FILE = "published_steady_state.csv"
_COLUMNS = ("study", "dosed", "analytes", "dose_mg_day", "n", "mean_ng_mL", "sd_ng_mL",
            "sampling", "population", "source", "confidence", "note")


def _load() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(read_text("exposure", _FILE)))
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(f"data/exposure/{_FILE}: missing column(s) {', '.join(missing)}.")
    for i, rec in enumerate(frame.to_dict(orient="records"), start=2):
        for col in ("dose_mg_day", "n", "mean_ng_mL"):
            v = rec[col]
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise DataFileError(f"data/exposure/{_FILE} row {i} ({rec['study']}): {col} "
                                    f"must be a positive number, got {v!r}.")
    return frame


def published_steady_state() -> pd.DataFrame:
    """Model vs published steady-state means (held out), one row per study.

    Returns
    -------
    pandas.DataFrame
        ``study dosed analytes dose_mg_day n observed_ng_mL sd_ng_mL sd_assumed tolerance_ng_mL
        model_cavg_ng_mL model_cmin_ng_mL ratio within sampling source`` — ``ratio`` is model
        average / observed mean; ``within`` whether the model average lies within the
        tolerance (2 SEM) of the mean.
    """
    rows = []
    for rec in _load().to_dict(orient="records"):
        regimen = Regimen(dose_g=rec["dose_mg_day"] / 1000.0, interval_h=24.0,
                          duration_h=24.0 * _SS_DAYS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NeuromoaWarning)
            res = simulate_exposure(rec["dosed"], regimen)
        analytes = [a.strip() for a in str(rec["analytes"]).split("+")]
        cavg = sum(res.metrics[a]["cavg_ng_mL"] for a in analytes)
        cmin = sum(res.metrics[a]["cmin_ng_mL"] for a in analytes)
        sd = rec["sd_ng_mL"]
        assumed = not (isinstance(sd, (int, float)) and math.isfinite(sd))
        if assumed:
            sd = ASSUMED_CV * rec["mean_ng_mL"]
        tol = 2.0 * sd / math.sqrt(rec["n"])
        rows.append({
            "study": rec["study"], "dosed": rec["dosed"], "analytes": rec["analytes"],
            "dose_mg_day": rec["dose_mg_day"], "n": int(rec["n"]),
            "observed_ng_mL": rec["mean_ng_mL"], "sd_ng_mL": sd, "sd_assumed": assumed,
            "tolerance_ng_mL": tol, "model_cavg_ng_mL": cavg, "model_cmin_ng_mL": cmin,
            "ratio": cavg / rec["mean_ng_mL"],
            "within": abs(cavg - rec["mean_ng_mL"]) <= tol,
            "sampling": rec["sampling"], "source": rec["source"],
        })
    return pd.DataFrame(rows)
