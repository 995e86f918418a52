"""Array argument checks shared by the formula modules (one message format, see errors.check_number)."""

from __future__ import annotations

import numpy as np

from neuromoa.errors import ParameterError


def nonneg(x, name: str, owner: str) -> np.ndarray:
    """Return ``x`` as a float array; raise if any element is negative or NaN."""
    a = np.asarray(x, dtype=float)
    if np.any(np.isnan(a)) or np.any(a < 0):
        raise ParameterError(f"The '{name}' parameter of {owner} must be a float in [0, inf). "
                             f"Got {x!r}.")
    return a


def positive(x, name: str, owner: str) -> np.ndarray:
    """Return ``x`` as a float array; raise if any element is not > 0 (inf allowed)."""
    a = np.asarray(x, dtype=float)
    if np.any(np.isnan(a)) or np.any(a <= 0):
        raise ParameterError(f"The '{name}' parameter of {owner} must be a float in (0, inf]. "
                             f"Got {x!r}.")
    return a


def scalar_or_array(a: np.ndarray):
    """Return a Python float for 0-d arrays, the array otherwise."""
    return float(a) if a.ndim == 0 else a
