"""Dose individualisation: genotype-guided dose tables (beside CPIC) and TDM (MAP Bayesian).

Layer 4 (beside engagement): uses :mod:`neuromoa.exposure` for the model and the population.
"""

from neuromoa.dosing.genotype_dose import (
    DoseTable,
    candidate_doses_mg,
    cpic_recommendation,
    dose_for_genotype,
    dose_table,
    parse_target,
)
from neuromoa.dosing.tdm import Measurement, TDMResult, parse_measurement, tdm

__all__ = [
    "DoseTable",
    "Measurement",
    "TDMResult",
    "candidate_doses_mg",
    "cpic_recommendation",
    "dose_for_genotype",
    "dose_table",
    "parse_measurement",
    "parse_target",
    "tdm",
]
