"""Exposure: dose regimen → plasma → unbound → brain concentrations, parent and metabolite.

Closed-form linear pharmacokinetics (sums of exponentials, superposition) for amitriptyline and
its active metabolite nortriptyline; parameters with sources in ``data/exposure/``. See
:mod:`neuromoa.exposure.model` for the model and why it uses apparent oral (popPK) parameters.
"""

from neuromoa.exposure.disposition import Terms, compound_terms, steady_state_arrays
from neuromoa.exposure.genotype import (
    Genotype,
    GenotypeError,
    allele_frequencies,
    allele_table,
    expected_phenotype_frequencies,
    genotype_references,
    parse_genotype,
    phenotype_table,
)
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
from neuromoa.exposure.patient import Patient, resolve_dose
from neuromoa.exposure.polyexp import PolyExp
from neuromoa.exposure.population import (
    PopulationSpec,
    population_panel,
    simulate_chunk,
    simulate_population,
    summarize_population,
)
from neuromoa.exposure.published import published_steady_state
from neuromoa.exposure.regimen import Regimen

__all__ = [
    "DEFAULT_KP_UU",
    "ExposureResult",
    "Genotype",
    "GenotypeError",
    "PKCompound",
    "PKParameter",
    "Patient",
    "PolyExp",
    "PopulationSpec",
    "Regimen",
    "Terms",
    "allele_frequencies",
    "allele_table",
    "available_compounds",
    "compound_terms",
    "daily_dose_note",
    "expected_phenotype_frequencies",
    "genotype_references",
    "parse_genotype",
    "phenotype_table",
    "pk_compound",
    "published_steady_state",
    "pk_references",
    "population_panel",
    "resolve_dose",
    "simulate_chunk",
    "simulate_exposure",
    "simulate_population",
    "steady_state_arrays",
    "steady_state_unbound_brain",
    "summarize_population",
    "unit_dose_response",
]
