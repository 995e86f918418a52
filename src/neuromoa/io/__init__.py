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

from neuromoa.io.plates import read_grid_blocks, read_plate_grids, read_plate_map  # noqa: F401
