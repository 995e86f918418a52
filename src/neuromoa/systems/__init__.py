"""Systems models of amitriptyline's mechanism: synapse and adaptation, receptor antagonism,
NMDA receptor block and TrkA/TrkB signalling.

Each model is declared once (``neuromoa/data/systems/*.ant``: species, parameters with units
and sources, reactions); that declaration drives the simulation (libRoadRunner), the parameter
table (:func:`model_parameters`) and SBML export (:func:`export_sbml`).
"""

from neuromoa.systems._model import (
    MODELS,
    antimony_source,
    export_sbml,
    model_parameters,
    sbml_string,
    validate_sbml,
)
from neuromoa.systems.nmda import (
    CA_CALIBRATED_M,
    NMDA_MODES,
    NmdaResult,
    nmda_ic50,
    nmda_laws,
    nmda_open_fraction,
    nmda_time_course,
)
from neuromoa.systems.receptors import (
    DEFAULT_MULTIPLES,
    DEFAULT_NOISE,
    DEFAULT_REPLICATES,
    GPCR_TARGETS,
    SchildResult,
    agonist_table,
    schild_experiment,
)
from neuromoa.systems.synapse import (
    TRANSMITTERS,
    ChronicCourse,
    ReleaseEvent,
    SteadyStateCurve,
    chronic_course,
    synapse_parameters,
    synapse_single_release,
    synapse_steady_state,
)
from neuromoa.systems.trk import TrkResult, trk_parameters, trk_response
from neuromoa.systems.validation import load_validation_data, validate, validation_summary

__all__ = [
    "CA_CALIBRATED_M",
    "DEFAULT_MULTIPLES",
    "DEFAULT_NOISE",
    "DEFAULT_REPLICATES",
    "GPCR_TARGETS",
    "MODELS",
    "NMDA_MODES",
    "TRANSMITTERS",
    "ChronicCourse",
    "NmdaResult",
    "ReleaseEvent",
    "SchildResult",
    "SteadyStateCurve",
    "TrkResult",
    "agonist_table",
    "antimony_source",
    "chronic_course",
    "export_sbml",
    "load_validation_data",
    "model_parameters",
    "nmda_ic50",
    "nmda_laws",
    "nmda_open_fraction",
    "nmda_time_course",
    "sbml_string",
    "schild_experiment",
    "synapse_parameters",
    "synapse_single_release",
    "synapse_steady_state",
    "trk_parameters",
    "trk_response",
    "validate",
    "validate_sbml",
    "validation_summary",
]
