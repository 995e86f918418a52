"""The clinical therapeutic reference range of parent + metabolite, as unbound concentrations.

``data/engagement/reference_ranges.csv`` holds the AGNP range (amitriptyline + nortriptyline
80–200 ng/mL in plasma, Hiemke et al. 2018). A sum of two analytes is split by the model's
steady-state ratio of their average plasma concentrations (linear kinetics: the ratio does not
depend on the dose), and each part is converted to its unbound concentration (fu × C / MW). The
engagement figure's axis is the unbound concentration of the compound alone, so its band is the
compound's share.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import InputError, NeuromoaWarning
from neuromoa.exposure import Regimen, pk_compound, simulate_exposure

__all__ = ["ReferenceRange", "clinical_reference_range"]

#: Regimen used only to get the steady-state analyte ratio (linear kinetics: any dose works;
#: 75 mg/day is the lowest antidepressant dose, FACTS.md).
_RATIO_REGIMEN = ("75 mg", "24 h")


@dataclass(frozen=True)
class ReferenceRange:
    """A therapeutic reference range and its unbound equivalents (mol/L) per analyte."""

    compound: str
    analytes: tuple[str, ...]
    total_low_ng_mL: float
    total_high_ng_mL: float
    alert_ng_mL: float
    reference: str
    share: dict[str, float]
    unbound_low_M: dict[str, float]
    unbound_high_M: dict[str, float]
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def clinical_reference_range(compound: str) -> ReferenceRange:
    """The reference range of ``compound`` (its analytes summed) with unbound equivalents."""
    table = pd.read_csv(io.StringIO(read_text("engagement", "reference_ranges.csv")))
    rows = table[table["compound"] == compound]
    if rows.empty:
        raise InputError(f"No clinical reference range for {compound!r} "
                         f"(data/engagement/reference_ranges.csv has: "
                         f"{', '.join(table['compound'])}).")
    row = rows.iloc[0]
    analytes = tuple(str(row["analytes"]).split(";"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        res = simulate_exposure(compound, Regimen.parse(_RATIO_REGIMEN[0],
                                                        every=_RATIO_REGIMEN[1]),
                                times_h=np.array([0.0]))
    cavg = {a: res.metrics[a]["cavg_ng_mL"] for a in analytes if a in res.metrics}
    total = sum(cavg.values())
    share = {a: c / total for a, c in cavg.items()}
    low, high = float(row["low"]), float(row["high"])
    unbound_low, unbound_high = {}, {}
    for a, s in share.items():
        pk = pk_compound(a)
        per = pk.value("fu") * 1e-6 / pk.mw_base  # ng/mL -> unbound mol/L
        unbound_low[a], unbound_high[a] = low * s * per, high * s * per
    note = (f"{' + '.join(analytes)} {low:g}-{high:g} ng/mL ({row['source']}); split by the "
            "model's steady-state ratio " + ", ".join(f"{a} {s:.0%}" for a, s in share.items())
            + "; unbound = fu x C")
    return ReferenceRange(compound=compound, analytes=analytes, total_low_ng_mL=low,
                          total_high_ng_mL=high, alert_ng_mL=float(row["alert"]),
                          reference=str(row["source"]), share=share, unbound_low_M=unbound_low,
                          unbound_high_M=unbound_high, note=note)
