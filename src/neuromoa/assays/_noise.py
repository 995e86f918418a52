"""Measurement noise shared by the simulated assays: well-to-well variability, edge effects,
outlier wells and counting (Poisson) statistics.

Model for one well with expected signal ``s`` (CPM from the radioactivity retained by the
cells or the filter) and counter background ``b`` (CPM)::

    s_well = s · g · e · o,     g ~ LogNormal(−σ²/2, σ),  σ² = ln(1 + CV²)   (mean 1, CV = well_cv)
    counts ~ Poisson((s_well + b) · t_count),   CPM = counts / t_count

``e`` = 1 − edge_effect for edge wells when edge effects are on (else 1); ``o`` is an outlier
factor for a few randomly chosen wells when outliers are requested (else 1).
"""

from __future__ import annotations

import numpy as np

__all__ = ["OUTLIER_FACTORS", "edge_mask", "noisy_counts"]

#: Multiplicative factors of outlier wells, drawn with equal probability (assumption: a
#: dropped/failed well and a contaminated/double-dispensed well).
OUTLIER_FACTORS: tuple[float, float] = (0.35, 2.5)

_SECONDS_PER_MINUTE = 60.0


def edge_mask(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """True for wells on the plate's outer ring (first/last row letter or column present)."""
    letters = np.asarray(rows)
    cols = np.asarray(columns)
    return (letters == letters.min()) | (letters == letters.max()) | (cols == cols.min()) | (
        cols == cols.max())


def noisy_counts(rng: np.random.Generator, signal_cpm: np.ndarray, *, background_cpm: float,
                 count_time_s: float, well_cv: float, edge: np.ndarray | None = None,
                 edge_effect: float = 0.0, outliers: int = 0,
                 eligible: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Observed CPM of each well, and a boolean mask of the wells made outliers.

    Parameters
    ----------
    rng : numpy Generator (all randomness comes from it, in a fixed order).
    signal_cpm : expected retained radioactivity per well, CPM (≥ 0).
    background_cpm : counter background, CPM.
    count_time_s : counting time per well, s.
    well_cv : coefficient of variation of the multiplicative well factor.
    edge, edge_effect : edge wells and their fractional signal loss (0 = none).
    outliers : number of outlier wells to create among ``eligible`` wells.
    """
    s = np.asarray(signal_cpm, dtype=float)
    sigma2 = np.log1p(well_cv**2)
    g = np.exp(rng.normal(-0.5 * sigma2, np.sqrt(sigma2), size=s.shape))
    factor = g
    if edge is not None and edge_effect > 0:
        factor = factor * np.where(edge, 1.0 - edge_effect, 1.0)
    out_mask = np.zeros(s.shape, dtype=bool)
    if outliers > 0:
        pool = np.flatnonzero(np.ones(s.shape, bool) if eligible is None else eligible)
        chosen = rng.choice(pool, size=min(int(outliers), pool.size), replace=False)
        out_mask[chosen] = True
        factor = factor.copy()
        factor[chosen] *= rng.choice(np.asarray(OUTLIER_FACTORS), size=chosen.size)
    minutes = count_time_s / _SECONDS_PER_MINUTE
    counts = rng.poisson((s * factor + background_cpm) * minutes)
    return counts / minutes, out_mask
