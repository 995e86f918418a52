"""Exposure: dose regimen → plasma → unbound → brain concentrations, parent and metabolite.

Closed-form linear pharmacokinetics (sums of exponentials, superposition) for amitriptyline and
its active metabolite nortriptyline; parameters with sources in ``data/exposure/``. See
:mod:`neuromoa.exposure.model` for the model and why it uses apparent oral (popPK) parameters.
"""

from neuromoa.exposure.model import (
    DEFAULT_KP_UU,
    ExposureResult,
    daily_dose_note,
    simulate_exposure,
    steady_state_unbound_brain,
    unit_dose_response,
)
from neuromoa.exposure.params import (
    PKCompound,
    PKParameter,
    available_compounds,
    pk_compound,
    pk_references,
)
from neuromoa.exposure.polyexp import PolyExp
from neuromoa.exposure.regimen import Regimen

__all__ = [
    "DEFAULT_KP_UU",
    "ExposureResult",
    "PKCompound",
    "PKParameter",
    "PolyExp",
    "Regimen",
    "available_compounds",
    "daily_dose_note",
    "pk_compound",
    "pk_references",
    "simulate_exposure",
    "steady_state_unbound_brain",
    "unit_dose_response",
]
