"""Pure pharmacology: occupancy, competition, Cheng–Prusoff, Schild, transport, safety margins,
in-vivo calibration, tissue partition.

Every function takes floats or numpy arrays in SI (concentrations in mol/L) and returns the same;
no I/O, no units parsing (that happens at the edges, :mod:`neuromoa.units`). Each docstring gives
the formula and its reference.
"""

from neuromoa.pharmacology.binding import (
    cheng_prusoff_binding,
    cheng_prusoff_uptake,
    ic50_from_ki_binding,
    ic50_from_ki_uptake,
    ligand_depletion_bound,
    one_site_competition,
)
from neuromoa.pharmacology.calibration import (
    PotencyFit,
    calibrated_occupancy,
    fit_potency_factor,
)
from neuromoa.pharmacology.occupancy import (
    apparent_k_two_state,
    competitive_occupancy,
    occupancy,
)
from neuromoa.pharmacology.receptor import (
    SchildFit,
    dose_ratio,
    gaddum_response,
    operational_response,
    schild_fit,
)
from neuromoa.pharmacology.safety import combined_fractional_block, safety_margin
from neuromoa.pharmacology.tissue import (
    TissueComposition,
    rodgers_rowland_ka_base,
    rodgers_rowland_kp_base,
)
from neuromoa.pharmacology.transport import michaelis_menten_rate

__all__ = [
    "PotencyFit",
    "SchildFit",
    "TissueComposition",
    "apparent_k_two_state",
    "calibrated_occupancy",
    "cheng_prusoff_binding",
    "cheng_prusoff_uptake",
    "combined_fractional_block",
    "competitive_occupancy",
    "dose_ratio",
    "fit_potency_factor",
    "gaddum_response",
    "ic50_from_ki_binding",
    "ic50_from_ki_uptake",
    "ligand_depletion_bound",
    "michaelis_menten_rate",
    "occupancy",
    "one_site_competition",
    "operational_response",
    "rodgers_rowland_ka_base",
    "rodgers_rowland_kp_base",
    "safety_margin",
    "schild_fit",
]
