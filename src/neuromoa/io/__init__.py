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

# plate-reader grids and plate maps
from neuromoa.io.plates import read_grid_blocks, read_plate_grids, read_plate_map  # noqa: F401

# curve tables (CSV/TSV/xlsx/pzfx)
from neuromoa.io.pzfx import pzfx_tables, read_pzfx, write_pzfx  # noqa: F401
from neuromoa.io.tables import read_curves, write_xlsx  # noqa: F401

# electrophysiology recordings (ABF, NWB)
from neuromoa.io.recordings import ChannelInfo as ChannelInfo
from neuromoa.io.recordings import RecordingFile as RecordingFile
from neuromoa.io.recordings import RecordingInfo as RecordingInfo
from neuromoa.io.recordings import Sweep as Sweep
from neuromoa.io.recordings import open_recording as open_recording
from neuromoa.io.recordings import read_concentration_map as read_concentration_map
from neuromoa.io.recordings import read_recording as read_recording
from neuromoa.io.recordings import recording_format as recording_format
from neuromoa.io.recordings import recording_info as recording_info
