"""Readers and writers for users' files: one front door that sniffs the format.

Curve tables (CSV/TSV/semicolon with decimal commas, ``.xlsx``, GraphPad Prism ``.pzfx``; long or
wide layouts with column mapping), plate-reader grids and plate maps, and electrophysiology
recordings (ABF, NWB) are read here into pandas DataFrames with every value's origin kept; the
analyses in ``fitting``, ``assays`` and ``ephys`` take those DataFrames. Every reader error is a
:class:`neuromoa.errors.NeuromoaError` that names the file and the sheet, row, well or sweep.

This package sits in the layer of ``kb``, ``fitting`` and ``store`` (DESIGN.md): it may use
``units``, ``data`` and ``errors`` but not its siblings, so it returns plain tables and the
analysis layers above it consume them.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> defining module (loaded on first use: a curve table need not import pyabf/pint)
_EXPORTS = {
    # plate-reader grids and plate maps
    "read_grid_blocks": "plates", "read_plate_grids": "plates", "read_plate_map": "plates",
    # curve tables (CSV/TSV/xlsx/pzfx)
    "pzfx_tables": "pzfx", "read_pzfx": "pzfx", "write_pzfx": "pzfx",
    "read_curves": "tables", "write_xlsx": "tables",
    # electrophysiology recordings (ABF, NWB)
    "ChannelInfo": "recordings", "RecordingFile": "recordings", "RecordingInfo": "recordings",
    "Sweep": "recordings", "open_recording": "recordings",
    "read_concentration_map": "recordings", "read_recording": "recordings",
    "recording_format": "recordings", "recording_info": "recordings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'neuromoa.io' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"neuromoa.io.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
