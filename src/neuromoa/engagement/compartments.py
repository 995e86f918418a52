"""Which compartment's drug concentration each target sees (brain, peripheral, heart, plasma).

Shipped in ``data/engagement/compartments.csv`` (target, compartment, reason, source). The
unbound concentration at a ``brain`` target is Kp,uu × fu × C (behind the blood–brain barrier);
at a ``peripheral``, ``heart`` or ``plasma`` target it is the unbound plasma concentration
fu × C (a passively distributed drug: unbound interstitial = unbound plasma). A user overlay
(a CSV with ``target`` and ``compartment`` columns) replaces rows by target; an unknown
compartment or target is an :class:`~neuromoa.errors.InputError` naming file, row and value.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import InputError

__all__ = ["COMPARTMENTS", "compartment_table", "load_compartments"]

#: Allowed compartments; only ``brain`` is behind the blood–brain barrier (Kp,uu applies).
COMPARTMENTS = ("brain", "peripheral", "heart", "plasma")


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(read_text("engagement", "compartments.csv")), dtype=str)


def compartment_table() -> pd.DataFrame:
    """The shipped table (a copy): ``target compartment reason source``."""
    return _shipped().copy()


def load_compartments(overlays: Iterable[str | os.PathLike[str]] = (),
                      known_targets: Iterable[str] | None = None) -> dict[str, str]:
    """Target → compartment: the shipped table with user overlay files applied in order."""
    out = dict(zip(_shipped()["target"], _shipped()["compartment"], strict=True))
    known = set(known_targets) if known_targets is not None else None
    for path in overlays:
        p = Path(path)
        try:
            frame = pd.read_csv(p, dtype=str, keep_default_na=False)
        except FileNotFoundError as exc:
            raise InputError(f"Compartment file {str(p)!r} not found.") from exc
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"Compartment file {str(p)!r} is not a readable CSV: "
                             f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}."
                             ) from exc
        missing = [c for c in ("target", "compartment") if c not in frame.columns]
        if missing:
            raise InputError(f"Compartment file {str(p)!r} lacks column(s) "
                             f"{', '.join(missing)} (need target, compartment).")
        for i, (target, comp) in enumerate(zip(frame["target"], frame["compartment"],
                                               strict=True)):
            line = i + 2  # header is line 1
            key = comp.strip().lower()
            if key not in COMPARTMENTS:
                raise InputError(f"{p}, row {line}: unknown compartment {comp!r} for target "
                                 f"{target!r}; use one of {', '.join(COMPARTMENTS)}.")
            t = target.strip()
            if known is not None and t not in known:
                raise InputError(f"{p}, row {line}: unknown target {target!r}; known targets: "
                                 f"{' '.join(sorted(known))}.")
            out[t] = key
    return out
