"""The report's steps: each one calls the library function that computes it (see :mod:`steps`).

The plotting grids and virtual-experiment sizes below are named constants; every scientific
number comes from the modules called (and through them from the knowledge base).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from neuromoa.report.steps import ReportConfig, Step, StepOutcome

__all__ = ["STEPS", "SIZES", "CURVE_RANGE_M"]

# Concentration grid of the engagement curves (unbound, M). Assumption: 10 pM–100 µM spans every
# affinity in the knowledge base (0.5 nM H1 to 220 µM NMDA trapping block) with a decade spare.
CURVE_RANGE_M: tuple[float, float, int] = (1e-11, 1e-3, 161)

#: Virtual-experiment sizes, (quick, full). Assumption: quick keeps the whole report ≤ 30 s on a
#: 2-core machine, full ≤ 3 min; the modules' own tests establish accuracy at larger sizes.
SIZES: dict[str, tuple[int, int]] = {
    "round_trip_plates": (4, 24),
    "fi_points": (8, 16),
    "schild_targets": (2, 8),
}


def _kb(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.kb import load_kb

    kb = load_kb()
    compound = kb.compound(config.compound)
    return {"kb": kb, "compound": compound,
            "activities": kb.activities(compound=compound.id),
            "references": kb.references}


def _regimen(config: ReportConfig, dose: str) -> Any:
    from neuromoa.exposure import Regimen

    return Regimen.parse(dose=dose, every=config.every, days=config.days)


def _exposure(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.exposure import simulate_exposure

    return {dose: simulate_exposure(config.compound, _regimen(config, dose))
            for dose in config.doses}


def _engagement(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.engagement import engage

    return {dose: engage(config.compound, dose=dose, every=config.every)
            for dose in config.doses}


def _margins(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.engagement import safety_margins

    return {dose: safety_margins(config.compound, _regimen(config, dose))
            for dose in config.doses}


def _curves(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> Any:
    from neuromoa.engagement import engagement_curves

    low, high, n = CURVE_RANGE_M
    return engagement_curves(config.compound, np.geomspace(low, high, n))


def _pathways(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.pathways import build_pathways

    return build_pathways(config.compound, kb=outcomes["kb"].value["kb"])


STEPS: tuple[Step, ...] = (
    Step("kb", "Knowledge base", ("neuromoa.kb:load_kb",),
         "neuromoa.kb.load_kb(): the shipped compounds, targets, activities and references; "
         "activities of the compound as a table, values normalised to molar.",
         _kb,
         equations=("value_M = √(low_M · high_M)  (geometric mean of a range)",
                    "Ki = 10^(−pKi) M",)),
    Step("exposure", "Exposure at each regimen", ("neuromoa.exposure:simulate_exposure",
                                                   "neuromoa.exposure:Regimen"),
         "neuromoa.exposure.simulate_exposure(compound, Regimen.parse(dose, every, days)): plasma "
         "concentration–time course of parent and metabolite, total and unbound; steady-state "
         "metrics over the last dosing interval.",
         _exposure,
         equations=("C_u = f_u · C   (free-drug hypothesis)",
                    "C_u,brain = Kp,uu · C_u")),
    Step("engagement", "Target engagement at each regimen", ("neuromoa.engagement:engage",),
         "neuromoa.engagement.engage(compound, dose, every): steady-state unbound brain "
         "concentrations of parent and metabolite and the fractional occupancy of every target, "
         "both ligands competing (Gaddum).",
         _engagement,
         equations=("θ_i = (C_i/K_i) / (1 + Σ_j C_j/K_j)   (Gaddum 1937)",
                    "θ = C^n / (C^n + K^n)   (Hill–Langmuir, one ligand)")),
    Step("margins", "Safety margins", ("neuromoa.engagement:safety_margins",
                                       "neuromoa.exposure:Regimen"),
         "neuromoa.engagement.safety_margins(compound, regimen): IC50 over unbound Cmax for hERG "
         "and the cardiac Na+ channel, parent and metabolite combined, flagged against the "
         "30-fold threshold (Redfern 2003).",
         _margins,
         equations=("margin = IC50 / C_max,u",
                    "combined block = Σ(C_i/IC50_i) / (1 + Σ C_i/IC50_i)")),
    Step("curves", "Engagement vs concentration", ("neuromoa.engagement:engagement_curves",),
         "neuromoa.engagement.engagement_curves(compound, concs_M): occupancy of every target and "
         "condition over an unbound-concentration grid (10 pM–1 mM).",
         _curves, equations=("θ = C^n / (C^n + K^n)",)),
    Step("pathways", "Pathway diagrams", ("neuromoa.pathways:build_pathways",),
         "neuromoa.pathways.build_pathways(compound): drug → targets (kb affinity and mode of "
         "action) → processes (data/pathways) → consequences (kb targets table), laid out by rank.",
         _pathways, after=("kb",)),
)
