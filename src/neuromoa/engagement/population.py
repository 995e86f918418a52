"""Engagement across a virtual population: occupancy distributions per CYP2D6 phenotype.

Each patient of :func:`neuromoa.exposure.simulate_population` has steady-state average levels
of the parent and its metabolite. Occupancy is linear-fractional in the unbound concentrations
(Gaddum competition, as :func:`~neuromoa.engagement.engage`), so one reference engagement at the
same regimen fixes, for every target and ligand, the potency per unit unbound plasma
concentration :math:`r_i = \\theta_i / ((1-\\theta)\\,C_{u,i})` — which already holds the
target's compartment (Kp,uu at brain targets), its PET calibration factor where there is one,
and the affinity the knowledge base selects. A patient's occupancy is then
:math:`R/(1+R)` with :math:`R = \\sum_i r_i C_{u,i}^{patient}`, computed for all patients at once
(no per-patient engage). Unbound fractions are not varied between patients (the population
model does not sample them).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.engagement.core import engage
from neuromoa.errors import InputError, NeuromoaWarning

__all__ = ["DEFAULT_POPULATION_TARGETS", "engagement_by_phenotype", "population_engagement"]

#: Targets shown when none are named: the headline therapeutic and side-effect targets.
DEFAULT_POPULATION_TARGETS = ("SERT", "NET", "H1", "M1", "alpha1")
#: Quantiles of the per-phenotype summary.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def population_engagement(patients: pd.DataFrame, compound: str, *, dose: str, every: str,
                          base: bool = False,
                          targets: Sequence[str] | None = None) -> pd.DataFrame:
    """Steady-state occupancy of each target for every patient of a virtual population.

    Parameters
    ----------
    patients : pandas.DataFrame
        :func:`~neuromoa.exposure.simulate_population` output for this compound and regimen
        (columns ``<analyte>_cavg_ng_mL`` and ``cyp2d6_phenotype``).
    compound, dose, every, base
        The regimen the population was simulated at (as :func:`engage`).
    targets : sequence of str, optional
        Target ids (default :data:`DEFAULT_POPULATION_TARGETS`); an unknown one is an error.

    Returns
    -------
    pandas.DataFrame
        ``patient cyp2d6_phenotype cyp2c19_phenotype occupancy_<target>...`` (first row of a
        channel target's conditions).
    """
    wanted = list(targets or DEFAULT_POPULATION_TARGETS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        ref = engage(compound, dose=dose, every=every, base=base, targets=wanted)
    analytes = ref.exposure["analytes"]
    missing = [f"{a}_cavg_ng_mL" for a in analytes if f"{a}_cavg_ng_mL" not in patients]
    if missing or "cyp2d6_phenotype" not in patients:
        raise InputError("population_engagement: the patients table lacks "
                         f"{', '.join(missing) or 'cyp2d6_phenotype'}; give the output of "
                         f"simulate_population for {ref.compound} at this regimen.")
    # unbound (mol/L) per ng/mL of each analyte, from the reference run
    to_unbound = {a: m["unbound_cavg_M"] / m["cavg_ng_mL"] for a, m in analytes.items()}
    cu = {a: patients[f"{a}_cavg_ng_mL"].to_numpy(dtype=float) * f
          for a, f in to_unbound.items()}
    out = {"patient": patients["patient"].to_numpy() if "patient" in patients
           else np.arange(len(patients)),
           "cyp2d6_phenotype": patients["cyp2d6_phenotype"].to_numpy()}
    if "cyp2c19_phenotype" in patients:
        out["cyp2c19_phenotype"] = patients["cyp2c19_phenotype"].to_numpy()
    seen: set[str] = set()
    for row in ref.targets.itertuples():
        if row.target in seen:
            continue
        seen.add(row.target)
        theta = float(row.occupancy)
        free = 1.0 - theta
        total = np.zeros(len(patients))
        for lig, th in row.occupancy_by_compound.items():
            c_ref = analytes[lig]["unbound_cavg_M"]
            if th > 0 and c_ref > 0 and free > 0:
                total += th / (free * c_ref) * cu[lig]
        out[f"occupancy_{row.target}"] = total / (1.0 + total)
    return pd.DataFrame(out)


def engagement_by_phenotype(occupancy: pd.DataFrame) -> pd.DataFrame:
    """Quantiles (5/25/50/75/95 %) of each target's occupancy, overall and per CYP2D6 phenotype.

    Returns
    -------
    pandas.DataFrame
        ``target cyp2d6_phenotype n fraction p5 p25 p50 p75 p95`` (``cyp2d6_phenotype`` "all"
        for the whole population; phenotypes in the order PM, IM, NM, UM).
    """
    cols = [c for c in occupancy.columns if c.startswith("occupancy_")]
    order = [p for p in ("PM", "IM", "NM", "UM") if p in set(occupancy["cyp2d6_phenotype"])]
    order += sorted(set(occupancy["cyp2d6_phenotype"]) - set(order))
    n_all = len(occupancy)
    rows: list[dict[str, Any]] = []
    for col in cols:
        groups = [("all", occupancy[col].to_numpy())] + [
            (ph, occupancy.loc[occupancy["cyp2d6_phenotype"] == ph, col].to_numpy())
            for ph in order]
        for ph, vals in groups:
            q = np.quantile(vals, QUANTILES)
            rows.append({"target": col.removeprefix("occupancy_"), "cyp2d6_phenotype": ph,
                         "n": int(vals.size), "fraction": vals.size / n_all,
                         **{f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q,
                                                                          strict=True)}})
    return pd.DataFrame(rows)
