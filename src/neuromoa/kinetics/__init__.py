"""Linear kinetic (Markov) schemes declared as data, and their exact solver.

Shared by ion channels (:mod:`neuromoa.ephys`) and receptors (:mod:`neuromoa.systems`, e.g.
NMDA at fixed Ca2+). A scheme is states + reversible edges whose rates are expressions of
parameters and piecewise-constant *conditions*; :func:`propagate` solves it exactly with the
eigendecomposition of the generator in each segment, vectorised over any batch shape.

Quick start::

    from neuromoa.kinetics import Scheme, Segment, propagate, load_scheme
    scheme = load_scheme(toml_text)                       # or Scheme.from_dict({...})
    segs = [Segment(0.1, {"V": -0.12}),                   # hold, nothing recorded
            Segment(0.02, {"V": -0.01}, samples=np.linspace(0, 0.02, 401))]
    out = propagate(scheme, segs, fixed={"drug": np.array([0, 1e-6])})
    t, po = out.concatenated("open")                      # po shape (2, 401)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping

from neuromoa.errors import DataFileError
from neuromoa.kinetics.expressions import Expression, to_myokit
from neuromoa.kinetics.reference import propagate_ivp
from neuromoa.kinetics.scheme import UNITS, Edge, Parameter, Scheme, to_si
from neuromoa.kinetics.solver import Propagation, Segment, propagate

__all__ = [
    "UNITS",
    "Edge",
    "Expression",
    "Parameter",
    "Propagation",
    "Scheme",
    "Segment",
    "load_scheme",
    "propagate",
    "propagate_ivp",
    "to_myokit",
    "to_si",
]


def load_scheme(text: str | Mapping, source: str = "scheme") -> Scheme:
    """Read a scheme from TOML text (or an already parsed mapping); see :meth:`Scheme.from_dict`."""
    if isinstance(text, Mapping):
        return Scheme.from_dict(text, source)
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"not valid TOML: {exc}", file=source) from exc
    return Scheme.from_dict(spec.get("scheme", spec), source)
