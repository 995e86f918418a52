"""Cardiac risk from channel block: the ORd ventricular cell, a 1D strand for conduction, the ECG.

Quick start::

    from neuromoa.cardiac import cardiac_risk, dose_table, simulate_cell
    cardiac_risk("amitriptyline", plasma="300 ng/mL", metabolite="200 ng/mL").to_dict()
    simulate_cell({"IKr": 0.5}, bpm=60).delta_apd90_ms
    dose_table("amitriptyline")
"""

from __future__ import annotations

from neuromoa.cardiac.cell import CellResult, check_heart_rate, detect_ead, simulate_cell
from neuromoa.cardiac.checks import cardiac_checks
from neuromoa.cardiac.ecg import delta_qtc_ms, ecg_parameters, qrs_ms
from neuromoa.cardiac.nav import nav15_block_at_rate
from neuromoa.cardiac.predict import (
    CardiacResult,
    cardiac_panel,
    cardiac_risk,
    cardiac_time_course,
    dose_table,
    read_channel_overlay,
)
from neuromoa.cardiac.strand import conduction_table, strand_conduction

__all__ = ["CardiacResult", "CellResult", "cardiac_checks", "cardiac_panel", "cardiac_risk",
           "cardiac_time_course",
           "check_heart_rate", "conduction_table", "delta_qtc_ms", "detect_ead", "dose_table", "ecg_parameters",
           "nav15_block_at_rate", "qrs_ms", "read_channel_overlay", "simulate_cell",
           "strand_conduction"]
