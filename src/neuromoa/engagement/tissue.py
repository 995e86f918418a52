"""Total brain-to-plasma partition (Kp) of a compound, Rodgers & Rowland, from shipped data.

Inputs: ``data/engagement/tissue_inputs.csv`` (logP, pKa, blood:plasma, hematocrit, with
sources), ``data/engagement/tissue_composition.csv`` (brain and red-cell composition, Rodgers et
al. 2005) and the unbound fraction in plasma of ``data/exposure/parameters.csv``. The formula is
:func:`neuromoa.pharmacology.rodgers_rowland_kp_base`. Kp is the *total* tissue : total plasma
ratio at steady state: it shows the tissue (lysosomal / phospholipid) accumulation of a cationic
amphiphilic drug. It does not change occupancy, which follows the unbound concentration.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import InputError
from neuromoa.exposure import pk_compound
from neuromoa.pharmacology import TissueComposition, rodgers_rowland_kp_base

__all__ = ["TISSUE_METHOD", "brain_to_plasma_total", "tissue_partition"]

#: How ``brain_to_plasma_total`` is predicted (shown with every value).
TISSUE_METHOD = ("Rodgers & Rowland mechanistic tissue partition for a moderate-to-strong base "
                 "(Rodgers, Leahy & Rowland 2005 J Pharm Sci 94:1259), rat brain composition")


@lru_cache(maxsize=1)
def _tables() -> tuple[pd.DataFrame, dict[str, TissueComposition]]:
    inputs = pd.read_csv(io.StringIO(read_text("engagement", "tissue_inputs.csv")))
    comp = pd.read_csv(io.StringIO(read_text("engagement", "tissue_composition.csv")))
    tissues = {r["tissue"]: TissueComposition(r["f_ew"], r["f_iw"], r["f_nl"], r["f_np"],
                                              r["ap_mg_g"], r["ph"])
               for r in comp.to_dict(orient="records")}
    return inputs.set_index("compound"), tissues


def tissue_partition(compound: str, tissue: str = "brain") -> dict[str, Any]:
    """Kp (total tissue / total plasma) of ``compound`` with its inputs and method."""
    inputs, tissues = _tables()
    if compound not in inputs.index:
        raise InputError(f"No physicochemistry for {compound!r} in "
                         f"data/engagement/tissue_inputs.csv; have: {', '.join(inputs.index)}.")
    if tissue not in tissues or tissue == "red_cells":
        raise InputError(f"Unknown tissue {tissue!r}; have: "
                         f"{', '.join(t for t in tissues if t != 'red_cells')}.")
    row = inputs.loc[compound]
    fu = pk_compound(compound).value("fu")
    kp = rodgers_rowland_kp_base(log_p=float(row["log_p"]), pka=float(row["pka"]), fu=fu,
                                 blood_plasma=float(row["blood_plasma"]),
                                 hematocrit=float(row["hematocrit"]), tissue=tissues[tissue],
                                 red_cells=tissues["red_cells"])
    return {"compound": compound, "tissue": tissue, "kp_total": kp, "method": TISSUE_METHOD,
            "log_p": float(row["log_p"]), "pka": float(row["pka"]), "fu": fu,
            "blood_plasma": float(row["blood_plasma"]), "source": str(row["source"]),
            "confidence": str(row["confidence"])}


def brain_to_plasma_total(compound: str) -> float:
    """Predicted total brain / total plasma ratio (Rodgers & Rowland)."""
    return float(tissue_partition(compound, "brain")["kp_total"])
