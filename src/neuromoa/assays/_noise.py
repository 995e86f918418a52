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

from typing import Any

import numpy as np
import pandas as pd

from neuromoa.assays.plates import PlateSet

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


def simulated_plates(design: pd.DataFrame, role: np.ndarray, conc_M: np.ndarray,
                     expected_cpm: np.ndarray, *, plate: str, n: int, seed: int | None,
                     par: dict[str, float], well_cv: float, edge_effects: bool, outliers: int,
                     conditions: dict[str, Any], truth: dict[str, Any]) -> PlateSet:
    """``n`` noisy plates of one design from its expected counts (shared by both simulators).

    Each plate gets counting and well-to-well noise (:func:`noisy_counts`), optional edge effects
    and outlier wells; ``conditions`` and ``truth`` (plus the plate's outlier wells) are stored
    as the plate's metadata, so anyone can check recovery.
    """
    rng = np.random.default_rng(seed)
    edge = edge_mask(design["row"].to_numpy(), design["column"].to_numpy())
    names = [plate] if n == 1 else [f"{plate}-{i + 1}" for i in range(n)]
    frames = []
    meta: dict[str, Any] = {}
    for name in names:
        counts, out_mask = noisy_counts(
            rng, expected_cpm, background_cpm=par["background"], count_time_s=par["count_time"],
            well_cv=well_cv, edge=edge, edge_effect=par["edge_effect"] if edge_effects else 0.0,
            outliers=outliers, eligible=role != "empty")
        frames.append(pd.DataFrame({
            "plate": name, "well": design["well"], "row": design["row"],
            "column": design["column"], "role": role, "compound": design["compound"],
            "concentration_M": conc_M, "counts_cpm": counts}))
        meta[name] = {"conditions": dict(conditions), "truth": {
            **truth, "outlier_wells": design["well"][out_mask].tolist()}}
    return PlateSet(pd.concat(frames, ignore_index=True), meta, "simulated")
