"""Shipped, sourced data files, read with :mod:`importlib.resources` (no paths, no I/O at import).

Each sub-folder belongs to one part of the package and has a README that is its column
dictionary: ``identity/`` (the one compound table), ``kb/`` (targets, activities, references), ``exposure/``,
``ephys/``, ``channels/``, ``systems/``, ``assays/``.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

__all__ = ["data_file", "read_text"]


def data_file(*parts: str) -> Traversable:
    """Return the shipped data file ``parts`` (e.g. ``data_file("kb", "targets.csv")``)."""
    node = resources.files(__name__)
    for part in parts:
        node = node / part
    if not node.is_file():
        raise FileNotFoundError(f"neuromoa ships no data file {'/'.join(parts)!r}")
    return node


def read_text(*parts: str) -> str:
    """Return the text of the shipped data file ``parts`` (UTF-8)."""
    return data_file(*parts).read_text(encoding="utf-8")
