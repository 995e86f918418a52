"""Validation of the cell and ECG layers against published numbers (``data/cardiac/validation.csv``).

* ORd control APD90 at 60 bpm and its rate dependence (30 and 120 bpm) vs O'Hara et al. 2011;
* conduction (ΔQRS) with flecainide at a therapeutic level vs its label (+25 % QRS on average);
* repolarisation (ΔQTc) with dofetilide vs the clinical QTc–concentration slope (Allen 2000).

Neither drug was used to set any parameter: they test the ECG mappings and the cell. Their
channel data (``data/cardiac/validation_drugs.csv``) are simple IC50s applied as conductance
scaling (flecainide's use-dependent Nav1.5 IC50 stands in for its state-dependent block).
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from neuromoa.cardiac.cell import simulate_cell
from neuromoa.cardiac.ecg import delta_qtc_ms, qrs_ms
from neuromoa.data import read_text

__all__ = ["cardiac_checks"]

#: Dofetilide levels (ng/mL total) over which the QTc slope is taken (the clinical range, label).
DOFETILIDE_LEVELS_NG_ML = (1.0, 2.0, 3.0)


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text("cardiac", name))))


def _drug_blocks(compound: str, level_ng_mL: float) -> dict[str, float]:
    out = {}
    for r in _rows("validation_drugs.csv"):
        if r["compound"] != compound:
            continue
        free_M = float(r["fu"]) * level_ng_mL * 1e-6 / float(r["mw_base"])
        x = (free_M / (float(r["ic50_uM"]) * 1e-6)) ** float(r["hill"])
        out[r["current"]] = x / (1.0 + x)
    return out


def _level(compound: str) -> float:
    return float(next(r["level_ng_mL"] for r in _rows("validation_drugs.csv")
                      if r["compound"] == compound))


def cardiac_checks() -> pd.DataFrame:
    """Model vs published: ``check quantity model published low high unit within source``."""
    pub = {r["check"] + "/" + r["quantity"]: r for r in _rows("validation.csv")}
    rows = []

    def add(key: str, model: float) -> None:
        r = pub[key]
        val = float(r["value"])
        lo = float(r["low"]) if r["low"] else val * 0.9
        hi = float(r["high"]) if r["high"] else val * 1.1
        rows.append({"check": r["check"], "quantity": r["quantity"], "condition": r["condition"],
                     "model": model, "published": val, "low": lo, "high": hi, "unit": r["unit"],
                     "within": bool(lo <= model <= hi), "source": r["source"],
                     "confidence": r["confidence"]})

    apd = {bpm: simulate_cell(None, bpm=bpm).apd90_ms for bpm in (30.0, 60.0, 120.0)}
    add("ord_control/apd90", apd[60.0])
    add("ord_rate/apd90_ratio_cl2000_cl1000", apd[30.0] / apd[60.0])
    add("ord_rate/apd90_ratio_cl500_cl1000", apd[120.0] / apd[60.0])

    fle = _drug_blocks("flecainide", _level("flecainide"))
    add("flecainide_qrs/qrs_change_percent", 100.0 * (qrs_ms(fle["INa"]) / qrs_ms(0.0) - 1.0))

    slopes = []
    for lv in DOFETILIDE_LEVELS_NG_ML:
        b = _drug_blocks("dofetilide", lv)
        cell = simulate_cell(b, bpm=60.0)
        slopes.append(delta_qtc_ms(cell.delta_apd90_ms, qrs_ms(b.get("INa", 0.0)) - qrs_ms(0.0))
                      / lv)
    add("dofetilide_qtc/qtc_slope_ms_per_ng_mL", sum(slopes) / len(slopes))
    return pd.DataFrame(rows)
