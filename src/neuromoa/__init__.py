"""neuromoa: amitriptyline's neuronal mechanism of action, executable, measurable and checkable.

The public API is this module's ``__all__`` (sorted; a test checks it). Implementation lives in
the sub-packages (see ``DESIGN.md`` for the layers). Names are resolved lazily (PEP 562), so
``import neuromoa`` stays fast and the CLI loads only the engines a command needs.

>>> import neuromoa
>>> neuromoa.engage("amitriptyline", conc="3.45 nM").targets.iloc[0]["target"]
'H1'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors and units
    **{name: "neuromoa.errors" for name in (
        "ConvergenceWarning", "DataFileError", "InputError", "NeuromoaError", "NeuromoaWarning",
        "ParameterError", "ProtocolError", "SolverError", "UnitError", "UnknownCompoundError",
        "UnknownTargetError")},
    **{name: "neuromoa.units" for name in ("as_molar", "as_seconds", "as_volts", "format_molar",
                                           "ureg")},
    # pharmacology (pure formulas)
    **{name: "neuromoa.pharmacology" for name in (
        "SchildFit", "apparent_k_two_state", "cheng_prusoff_binding", "cheng_prusoff_uptake",
        "combined_fractional_block", "competitive_occupancy", "dose_ratio", "gaddum_response",
        "ligand_depletion_bound", "michaelis_menten_rate", "occupancy", "operational_response",
        "safety_margin", "schild_fit")},
    # knowledge base
    "Compound": "neuromoa.data.compounds",
    **{name: "neuromoa.kb" for name in ("Affinity", "Constant", "KnowledgeBase",
                                        "Target", "import_chembl", "import_gtopdb", "load_kb")},
    # exposure and engagement
    **{name: "neuromoa.exposure" for name in ("ExposureResult", "Patient", "PopulationSpec",
                                              "Regimen", "daily_dose_note", "simulate_exposure",
                                              "simulate_population", "steady_state_unbound_brain",
                                              "summarize_population")},
    **{name: "neuromoa.dosing" for name in ("dose_table", "tdm")},
    **{name: "neuromoa.engagement" for name in ("EngagementResult", "engage",
                                                "engagement_curves", "engagement_time_course",
                                                "safety_margins")},
    # fitting
    **{name: "neuromoa.fitting" for name in ("BatchFit", "Comparison", "CurveFit", "ModelFit",
                                             "compare_fits", "fit_csv", "fit_curve", "fit_curves",
                                             "fit_frame", "fit_model", "rout_outliers",
                                             "signal_window", "z_prime")},
    # kinetics and electrophysiology
    **{name: "neuromoa.kinetics" for name in ("Scheme", "Segment", "load_scheme", "propagate")},
    **{name: "neuromoa.channels" for name in ("channel_parameters", "load_channel")},
    **{name: "neuromoa.cardiac" for name in ("CardiacResult", "cardiac_risk", "simulate_cell")},
    **{name: "neuromoa.ephys" for name in (
        "AbfAnalysis", "ClampResult", "FIResult", "Recording", "StateDependenceResult",
        "analyze_abf", "export_myokit", "fi_curves",
        "rheobase", "simulate_neuron", "simulate_protocol", "state_dependence_experiment")},
    # assays
    **{name: "neuromoa.assays" for name in (
        "AssayAnalysis", "PlateSet", "RoundTripResult", "analyze_plate", "depletion_demo",
        "read_plates", "round_trip", "round_trip_table", "simulate_binding", "simulate_uptake",
        "write_plates")},
    # systems models
    **{name: "neuromoa.systems" for name in (
        "ChronicCourse", "NmdaResult", "ReleaseEvent", "SchildResult", "SteadyStateCurve",
        "TrkResult", "chronic_course", "export_sbml", "model_parameters", "nmda_ic50",
        "nmda_laws", "schild_experiment", "synapse_single_release", "synapse_steady_state",
        "trk_response")},
    # pathways and the report
    **{name: "neuromoa.pathways" for name in ("PathwayGraph", "build_pathways",
                                              "write_pathways")},
    **{name: "neuromoa.report" for name in ("ReportConfig", "ReportResult", "build_report")},
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'neuromoa' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
