"""neuromoa: amitriptyline's neuronal mechanism of action, executable, measurable and checkable.

The public API is this module's ``__all__`` (sorted; a test checks it). Implementation lives in
the sub-packages; see ``DESIGN.md`` for the layers.
"""

from neuromoa.errors import (
    ConvergenceWarning,
    DataFileError,
    InputError,
    NeuromoaError,
    NeuromoaWarning,
    ParameterError,
    ProtocolError,
    SolverError,
    UnitError,
    UnknownCompoundError,
    UnknownTargetError,
)
from neuromoa.units import as_molar, as_seconds, as_volts, ureg

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DataFileError",
    "InputError",
    "NeuromoaError",
    "NeuromoaWarning",
    "ParameterError",
    "ProtocolError",
    "SolverError",
    "UnitError",
    "UnknownCompoundError",
    "UnknownTargetError",
    "__version__",
    "as_molar",
    "as_seconds",
    "as_volts",
    "ureg",
]
