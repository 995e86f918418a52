"""Cardiac safety margins (hERG, Nav1.5) at a regimen's unbound peak plasma concentrations."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.engagement.affinities import _check_series, _slot_affinities, _slots
from neuromoa.errors import NeuromoaWarning, ParameterError
from neuromoa.exposure import (
    Patient,
    Regimen,
    daily_dose_note,
    simulate_exposure,
)
from neuromoa.kb import load_kb
from neuromoa.pharmacology import (
    combined_fractional_block,
    safety_margin,
)

__all__ = ["SAFETY_LEVELS", "SAFETY_TARGETS", "safety_margins"]


#: Safety-margin level per target: the knowledge-base constant holding it and the citation
#: shown in the flag. hERG: provisional 30-fold threshold, IC50 / unbound Cmax (Redfern et al.
#: 2003); Nav1.5: QRS prolongation on average at unbound Cmax ~15-fold below the IC50 (Harmer
#: et al. 2011). Values and sources in data/kb/constants.csv.
SAFETY_LEVELS = {"hERG": ("herg_margin_threshold", "threshold (Redfern 2003)"),
                 "Nav1.5": ("qrs_nav15_ratio", "QRS level (Harmer 2011)")}
#: Targets whose margins are computed (cardiac liabilities).
SAFETY_TARGETS = tuple(SAFETY_LEVELS)


def safety_margins(compound: str, regimen: Regimen, *, species: str = "human",
                   source: str | None = None, series: str = "common",
                   user_files: Iterable[str | os.PathLike[str]] = ()) -> pd.DataFrame:
    """Cardiac safety margins (hERG, Nav1.5) at a regimen's unbound peak plasma concentrations.

    margin = IC50 / unbound Cmax (plasma; the heart sees plasma, so Kp,uu does not apply), for
    the compound and, when it is formed, the metabolite; the combined block of both at their
    peaks is :math:`f = S/(1+S)`, :math:`S = \\sum_i C_{u,max,i}/IC_{50,i}`, and the combined
    margin :math:`1/S` (the factor by which both exposures could rise before S = 1).
    Flag: hERG combined margin against the provisional 30-fold threshold (Redfern et al.
    2003); Nav1.5 against the ~15-fold level at which QRS widening appears on average (Harmer
    et al. 2011). Both levels are knowledge-base constants with their sources
    (:data:`SAFETY_LEVELS`). Using each analyte's own Cmax is conservative (the peaks are a
    few hours apart). Where the metabolite has no value at the target, ``metabolite_status`` says
    "metabolite not included: no data" and the combined margin is the parent's alone.
    ``series`` and ``user_files`` as in :func:`engage`; a dose above the
    labelled maximum warns (:class:`~neuromoa.errors.NeuromoaWarning`) and still computes.

    Returns
    -------
    pandas.DataFrame
        ``target condition ic50_M cmax_unbound_M margin metabolite metabolite_status
        metabolite_ic50_M
        metabolite_cmax_unbound_M metabolite_margin combined_block combined_margin level
        level_source flag series mixed_series reference note``, smallest combined margin first.
    """
    if not isinstance(regimen, Regimen):
        raise ParameterError("safety_margins: 'regimen' must be a Regimen "
                             "(e.g. Regimen.parse('150 mg', every='24 h')).")
    kb = load_kb(tuple(user_files))
    comp = kb.compound(compound).id
    dose_note = daily_dose_note(comp, regimen)
    if dose_note is not None:
        warnings.warn(dose_note, NeuromoaWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)  # the dose note is issued above
        return _safety_table(kb, comp, regimen, species=species, source=source,
                             series=_check_series(series))


def _safety_table(kb: Any, comp: str, regimen: Regimen, *, species: str, source: str | None,
                  series: str, patient: Patient | None = None) -> pd.DataFrame:
    res = simulate_exposure(comp, regimen, times_h=np.array([0.0]), patient=patient)
    cmax_u = {a: m["unbound_cmax_M"] for a, m in res.metrics.items()}
    ligands = [comp] + [a for a in cmax_u if a != comp]
    rows = []
    for target, condition in _slots(kb, comp):
        if target not in SAFETY_LEVELS:
            continue
        const_name, level_source = SAFETY_LEVELS[target]
        level_const = kb.constant(const_name)
        level = float(level_const.value_si)
        affs, notes, mixed = _slot_affinities(kb, ligands, target, condition, species, source,
                                              series)
        aff = affs[comp]
        met = next((lig for lig in ligands[1:] if lig in affs), None)
        met_aff = affs.get(met) if met is not None else None
        concs = [cmax_u[lig] for lig in affs]
        ic50s = [a.value_M for a in affs.values()]
        ratio_sum = float(np.sum(np.asarray(concs) / np.asarray(ic50s)))
        combined_margin = 1.0 / ratio_sum if ratio_sum > 0 else math.inf
        margin = float(safety_margin(aff.value_M, cmax_u[comp]))
        side = "below" if combined_margin < level else "above"
        flag = f"{side} {level:g}-fold {level_source}"
        if target == "Nav1.5":
            notes.append("QRS widening expected on average (Harmer 2011: unbound Cmax ~15-fold "
                         "below the Nav1.5 IC50)" if side == "below" else
                         "above the ~15-fold level at which QRS widening appears on average "
                         "(Harmer 2011)")
        rows.append({
            "target": target,
            "condition": aff.condition,
            "ic50_M": aff.value_M,
            "cmax_unbound_M": cmax_u[comp],
            "margin": margin,
            "metabolite": met,
            "metabolite_status": (
                "parent and metabolite combined" if met is not None else
                "metabolite not included: no data (" + ", ".join(ligands[1:]) + ")"
                if len(ligands) > 1 else "no metabolite formed"),
            "metabolite_ic50_M": met_aff.value_M if met_aff is not None else math.nan,
            "metabolite_cmax_unbound_M": cmax_u[met] if met is not None else math.nan,
            "metabolite_margin": (float(safety_margin(met_aff.value_M, cmax_u[met]))
                                  if met is not None and met_aff is not None else math.nan),
            "combined_block": float(combined_fractional_block(concs, ic50s)),
            "combined_margin": combined_margin,
            "level": level,
            "level_source": f"{const_name} ({level_const.reference})",
            "flag": flag,
            "series": {lig: a.source for lig, a in affs.items()},
            "mixed_series": mixed,
            "reference": "; ".join(f"{lig}: {a.source} ({a.key})" for lig, a in affs.items()),
            "note": "; ".join(notes),
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("combined_margin", kind="stable").reset_index(drop=True)
