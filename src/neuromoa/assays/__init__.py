"""Plate-based protocols as virtual experiments and real analyses.

* :func:`simulate_uptake` — SERT/NET uptake in HEK293 cells ([3H]5-HT / [3H]noradrenaline).
* :func:`simulate_binding` — M1 competition binding ([3H]pirenzepine, CHO-K1 membranes) with
  exact ligand depletion.
* :func:`analyze_plate` — a plate file (tidy or 8 × 12 grid + layout) or simulated plates →
  IC50, Ki with 95 % CIs, Z′, depletion warning, flags, figures.
* :func:`round_trip`, :func:`round_trip_table`, :func:`depletion_demo` — recover known truth.
"""

from neuromoa.assays._conditions import ASSAYS, Protocol, assay_parameters, protocol, protocols
from neuromoa.assays.analysis import AssayAnalysis, PlateResult, analyze_plate
from neuromoa.assays.binding import (
    binding_signal,
    exact_ic50,
    fit_exact_depletion,
    simulate_binding,
)
from neuromoa.assays.layout import ROLES, default_layout, design_plate, dilution_series
from neuromoa.assays.plates import PlateSet, read_layout, read_plates, write_plates
from neuromoa.assays.roundtrip import (
    DEFAULT_CASES,
    RoundTripResult,
    depletion_demo,
    round_trip,
    round_trip_table,
)
from neuromoa.assays.uptake import simulate_uptake, uptake_signal

__all__ = [
    "ASSAYS",
    "DEFAULT_CASES",
    "ROLES",
    "AssayAnalysis",
    "PlateResult",
    "PlateSet",
    "Protocol",
    "RoundTripResult",
    "analyze_plate",
    "assay_parameters",
    "binding_signal",
    "default_layout",
    "depletion_demo",
    "design_plate",
    "dilution_series",
    "exact_ic50",
    "fit_exact_depletion",
    "protocol",
    "protocols",
    "read_layout",
    "read_plates",
    "round_trip",
    "round_trip_table",
    "simulate_binding",
    "simulate_uptake",
    "uptake_signal",
    "write_plates",
]
