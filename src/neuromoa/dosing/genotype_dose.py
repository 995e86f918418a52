"""Genotype-guided dose: the tablet dose whose population median lands in the reference range.

For each CYP2D6 × CYP2C19 phenotype (each represented by its CPIC representative diplotype,
``data/genotype/phenotypes.csv``) a virtual population of that genotype (covariates and
variability drawn as in :mod:`neuromoa.exposure.population`) is simulated at a reference daily
dose. The model is linear, so the median steady-state trough of the summed analytes scales with
the dose; the recommended dose is the candidate tablet dose (``data/dosing/tablets.csv``) whose
median lies in the range and closest (on a log scale) to its geometric middle. CPIC's
recommendation (Hicks et al. 2017, the TCA guideline's 2016 update; ``data/genotype/cpic_tca.csv``)
is printed beside it, never merged with it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.data.compounds import flagship_compound
from neuromoa.errors import ParameterError
from neuromoa.exposure import Regimen, parse_genotype, pk_compound
from neuromoa.exposure.disposition import enzymes_of
from neuromoa.exposure.population import (
    PopulationSpec,
    simulate_population,
    therapeutic_range,
)

__all__ = ["DoseTable", "candidate_doses_mg", "cpic_recommendation", "dose_for_genotype",
           "dose_table", "parse_target"]

#: Whole tablets of one strength per day considered (1..MAX_TABLETS).
MAX_TABLETS = 6
#: Reference daily dose (mg salt) at which the population is simulated before linear scaling.
REFERENCE_DAILY_MG = 100.0
#: Default virtual patients per genotype cell.
DEFAULT_N = 4096
#: Phenotype rows and columns of the table (CPIC's grid for amitriptyline).
CYP2D6_PHENOTYPES = ("PM", "IM", "NM", "UM")
CYP2C19_PHENOTYPES = ("PM", "NM", "UM")


def parse_target(text: str | None, compound: str) -> dict[str, Any]:
    """``"AMI+NT 80-200 ng/mL"`` or ``"80-200 ng/mL"`` → range dict; None → the AGNP range."""
    rng = therapeutic_range(compound)
    if text is None:
        return rng
    import re

    m = re.match(r"^\s*(?:[A-Za-z+ ]*?\s)?\s*([0-9.]+)\s*-\s*([0-9.]+)\s*ng/mL\s*$", text)
    if not m:
        raise ParameterError(f"--target {text!r}: give a range such as '80-200 ng/mL' (optionally after the "
                             "analytes' names)")
    low, high = float(m.group(1)), float(m.group(2))
    if not (0 < low < high):
        raise ParameterError(f"--target {text!r}: need 0 < low < high")
    return {**rng, "low_ng_mL": low, "high_ng_mL": high, "source": "user"}


@lru_cache(maxsize=8)
def _tablets() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(read_text("dosing", "tablets.csv")))


def candidate_doses_mg(compound: str) -> list[float]:
    """Daily doses made of 1..6 whole tablets of one available strength, up to the label maximum."""
    comp = pk_compound(compound)
    t = _tablets()
    strengths = t.loc[t["compound"] == comp.name, "strength_mg"].tolist()
    if not strengths:
        raise ParameterError(f"no tablet strengths for {comp.name} (data/dosing/tablets.csv)")
    cap = comp.value("max_daily_dose") if comp.has("max_daily_dose") else math.inf
    return sorted({float(k * s) for s in strengths for k in range(1, MAX_TABLETS + 1)
                   if k * s <= cap})


@lru_cache(maxsize=1)
def _cpic() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(read_text("genotype", "cpic_tca.csv")))


def cpic_recommendation(cyp2d6: str, cyp2c19: str) -> dict[str, str]:
    """CPIC's amitriptyline recommendation for the phenotype pair (RM counts as UM/RM)."""
    c19 = "UM/RM" if cyp2c19 in ("UM", "RM") else cyp2c19
    t = _cpic()
    row = t[(t["cyp2d6_phenotype"] == cyp2d6) & (t["cyp2c19_phenotype"] == c19)]
    if row.empty:
        return {"recommendation": "(no CPIC row)", "classification": "", "version": ""}
    r = row.iloc[0]
    return {"recommendation": r["recommendation"], "classification": r["classification"],
            "version": f"{r['guideline']} {r['version']}"}


@dataclass(frozen=True)
class DoseTable:
    """The dose table: one row per genotype cell (``to_frame()``), with the range used."""

    compound: str
    target: dict[str, Any]
    interval_h: float
    rows: tuple[dict[str, Any], ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows))

    def to_dict(self) -> dict[str, Any]:
        return {"compound": self.compound, "target": self.target, "interval_h": self.interval_h,
                "rows": [dict(r) for r in self.rows]}


def dose_for_genotype(compound: str, cyp2d6: str | None = None, cyp2c19: str | None = None, *,
                      target: str | None = None, every: str = "24 h", n: int = DEFAULT_N,
                      seed: int = 0, ancestry: str = "european") -> dict[str, Any]:
    """The recommended daily dose (mg, salt) for one genotype, with CPIC's text beside it."""
    comp = pk_compound(compound)
    rng = parse_target(target, comp.name)
    have = enzymes_of(comp)
    g6 = parse_genotype("CYP2D6", cyp2d6) if cyp2d6 else None
    g19 = parse_genotype("CYP2C19", cyp2c19) if cyp2c19 else None
    for g in (g6, g19):
        if g is not None and g.gene not in have:
            from neuromoa.exposure import GenotypeError

            raise GenotypeError(f"no route for that enzyme for compound {comp.name}: {g.gene}")
    interval = Regimen.parse("1 mg", every=every).interval_h
    assert interval is not None
    per_dose = REFERENCE_DAILY_MG * interval / 24.0
    spec = PopulationSpec(comp.name, Regimen.parse(f"{per_dose} mg", every=every), n,
                          ancestry=ancestry,
                          cyp2d6=g6 or parse_genotype("CYP2D6", "NM"),
                          cyp2c19=g19 or parse_genotype("CYP2C19", "NM"))
    df = simulate_population(spec, seed)
    trough = sum(df[f"{a}_cmin_ng_mL"] for a in rng["analytes"] if f"{a}_cmin_ng_mL" in df)
    per_mg = trough.to_numpy() / REFERENCE_DAILY_MG
    median_per_mg = float(np.median(per_mg))
    mid = math.sqrt(rng["low_ng_mL"] * rng["high_ng_mL"])
    cands = candidate_doses_mg(comp.name)
    meds = [median_per_mg * d for d in cands]
    inside = [(abs(math.log(m / mid)), d) for d, m in zip(cands, meds, strict=True)
              if rng["low_ng_mL"] <= m <= rng["high_ng_mL"]]
    if inside:
        dose = min(inside)[1]
        status = "ok"
    else:
        dose = min(zip(cands, meds, strict=True), key=lambda x: abs(math.log(x[1] / mid)))[0]
        status = "no tablet dose puts the median in range"
    level = per_mg * dose
    ph6 = spec.cyp2d6.phenotype if spec.cyp2d6 else "NM"
    ph19 = spec.cyp2c19.phenotype if spec.cyp2c19 else "NM"
    return {"cyp2d6": ph6, "cyp2d6_diplotype": spec.cyp2d6.diplotype if spec.cyp2d6 else None,
            "cyp2c19": ph19,
            "cyp2c19_diplotype": spec.cyp2c19.diplotype if spec.cyp2c19 else None,
            "dose_mg_per_day": dose, "median_trough_ng_mL": median_per_mg * dose,
            "p5_trough_ng_mL": float(np.quantile(level, 0.05)),
            "p95_trough_ng_mL": float(np.quantile(level, 0.95)),
            "fraction_in_range": float(np.mean((level >= rng["low_ng_mL"])
                                               & (level <= rng["high_ng_mL"]))),
            "fraction_above_alert": float(np.mean(level > rng["alert_ng_mL"])),
            "status": status, **{f"cpic_{k}": v for k, v in
                                 cpic_recommendation(ph6, ph19).items()}}


def dose_table(compound: str | None = None, *, target: str | None = None,
               every: str = "24 h", n: int = DEFAULT_N, seed: int = 0,
               ancestry: str = "european") -> DoseTable:
    """:func:`dose_for_genotype` for every CYP2D6 (PM/IM/NM/UM) × CYP2C19 (PM/NM/UM) cell
    (``compound`` default: the flagship compound of the identity table)."""
    comp = pk_compound(compound if compound is not None else flagship_compound())
    rows = []
    c19s = CYP2C19_PHENOTYPES if "CYP2C19" in enzymes_of(comp) else (None,)
    for p6 in CYP2D6_PHENOTYPES:
        for p19 in c19s:
            rows.append(dose_for_genotype(comp.name, p6, p19, target=target, every=every, n=n,
                                          seed=seed, ancestry=ancestry))
    interval = Regimen.parse("1 mg", every=every).interval_h
    assert interval is not None
    return DoseTable(comp.name, parse_target(target, comp.name), interval, tuple(rows))
