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


def finite(x, name: str, owner: str, *, low: float = -np.inf) -> np.ndarray:
    """Return ``x`` as a float array; raise if any element is NaN, infinite or below ``low``."""
    a = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < low):
        interval = f"[{low:g}, inf)" if np.isfinite(low) else "(-inf, inf)"
        raise ParameterError(f"The '{name}' parameter of {owner} must be a finite float in "
                             f"{interval}. Got {x!r}.")
    return a


def same_length_last_axis(a: np.ndarray, b: np.ndarray, names: tuple[str, str], owner: str) -> None:
    """Raise unless ``a`` and ``b`` have the same length on their last axis (one value per ligand)."""
    na = a.shape[-1] if a.ndim else 1
    nb = b.shape[-1] if b.ndim else 1
    if na != nb:
        raise ParameterError(f"{owner}: '{names[0]}' has {na} values per item but '{names[1]}' has "
                             f"{nb}; give one value of each per compound.")


def scalar_or_array(a: np.ndarray):
    """Return a Python float for 0-d arrays, the array otherwise."""
    return float(a) if a.ndim == 0 else a
