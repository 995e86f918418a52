"""Validation of the cell and ECG layers against published numbers (``data/cardiac/validation.csv``).

* ORd control APD90 at 60 bpm and its rate dependence (30 and 120 bpm) vs O'Hara et al. 2011;
* the strand's control conduction velocity vs published human ventricular values;
* conduction (ΔQRS) with flecainide at a therapeutic level vs its label (+25 % QRS on average):
  use-dependent Nav1.5 block at 60 bpm from the Markov scheme with flecainide's published
  resting and open-state affinities (``data/cardiac/validation_nav.csv``), then the strand;
* repolarisation (ΔQTc) with dofetilide vs the clinical QTc–concentration slope (Allen 2000).

Neither drug was used to set any parameter: they test the ECG mappings and the cell. Their
other channel data (``data/cardiac/validation_drugs.csv``) are simple IC50s applied as
conductance scaling.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from neuromoa.cardiac import ord as model
from neuromoa.cardiac.cell import simulate_cell
from neuromoa.cardiac.ecg import delta_qtc_ms, qrs_ms
from neuromoa.cardiac.nav import nav15_block_at_rate
from neuromoa.cardiac.strand import strand_conduction
from neuromoa.data import read_text

__all__ = ["cardiac_checks"]

#: Dofetilide levels (ng/mL total) over which the QTc slope is taken (the clinical range, label).
DOFETILIDE_LEVELS_NG_ML = (1.0, 2.0, 3.0)


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text("cardiac", name))))


def _drug_blocks(compound: str, level_ng_mL: float) -> dict[str, float]:
    out = {}
    for r in _rows("validation_drugs.csv"):
        if r["compound"] != compound or r["current"] not in model.CURRENTS:
            continue
        free_M = float(r["fu"]) * level_ng_mL * 1e-6 / float(r["mw_base"])
        x = (free_M / (float(r["ic50_uM"]) * 1e-6)) ** float(r["hill"])
        out[r["current"]] = x / (1.0 + x)
    return out


def _free_M(compound: str, level_ng_mL: float) -> float:
    r = next(r for r in _rows("validation_drugs.csv") if r["compound"] == compound)
    return float(r["fu"]) * level_ng_mL * 1e-6 / float(r["mw_base"])


def nav_block(compound: str, level_ng_mL: float, *, bpm: float = 60.0) -> float:
    """Use-dependent peak-INa block of a validation drug at ``bpm`` (Markov scheme)."""
    r = next(r for r in _rows("validation_nav.csv") if r["compound"] == compound)
    return nav15_block_at_rate(_free_M(compound, level_ng_mL),
                               {"resting": float(r["resting_uM"]) * 1e-6,
                                "inactivated": float(r["inactivated_uM"]) * 1e-6}, bpm=bpm)


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

    add("strand_control/cv_cm_s", strand_conduction(None, bpm=60.0).cv_cm_s)
    fle = nav_block("flecainide", _level("flecainide"), bpm=60.0)
    add("flecainide_qrs/qrs_change_percent", 100.0 * (qrs_ms(fle) / qrs_ms(0.0) - 1.0))

    slopes = []
    for lv in DOFETILIDE_LEVELS_NG_ML:
        b = _drug_blocks("dofetilide", lv)
        cell = simulate_cell(b, bpm=60.0)
        slopes.append(delta_qtc_ms(cell.delta_apd90_ms, qrs_ms(b.get("INa", 0.0)) - qrs_ms(0.0))
                      / lv)
    add("dofetilide_qtc/qtc_slope_ms_per_ng_mL", sum(slopes) / len(slopes))
    return pd.DataFrame(rows)
