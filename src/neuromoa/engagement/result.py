"""The engagement result type: per-target occupancy of a compound at one exposure."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.errors import InputError
from neuromoa.exposure import (
    DEFAULT_KP_UU,
)

__all__ = ["EngagementResult", "TARGET_COLUMNS"]


TARGET_COLUMNS = [
    "target", "condition", "species", "occupancy", "occupancy_in_vitro", "calibration",
    "compartment", "metabolite", "occupancy_low", "occupancy_high",
    "consequence", "effect_class", "family", "measure", "k_M", "k_low_M", "k_high_M",
    "reference", "series", "mixed_series", "occupancy_by_compound", "note",
]


@dataclass(frozen=True)
class EngagementResult:
    """Per-target engagement of a compound (and its metabolite) at one exposure.

    Attributes
    ----------
    compound : str
        The compound given (dosed or at the stated concentration).
    mode : str
        ``"concentration"`` (unbound at the target), ``"plasma"`` or ``"dose"``.
    unbound_M : dict[str, float]
        Unbound concentration at the targets (brain) of each ligand present (mol/L).
    targets : pandas.DataFrame
        One row per target and condition, sorted by occupancy (columns :data:`TARGET_COLUMNS`).
    exposure : dict or None
        For a dose: the regimen and the exposure metrics of each analyte.
    safety : pandas.DataFrame or None
        For a dose: :func:`safety_margins`.
    species, source : str or None
        The species asked for and the source selected (``None`` = the knowledge base default).
    kp_uu : float
    series : str
        ``"common"`` or ``"default"`` (:data:`SERIES_MODES`).
    in_vivo_scaling : dict[str, float]
        Factor applied to K per target id (empty = 1 everywhere).
    user_files : tuple of str
        User knowledge-base files merged over the shipped one.
    notes : tuple of str
        Caveats of the whole run (mixed series, dose above the label, conversions).
    """

    compound: str
    mode: str
    unbound_M: dict[str, float]
    targets: pd.DataFrame
    exposure: dict[str, Any] | None = None
    safety: pd.DataFrame | None = None
    species: str = "human"
    source: str | None = None
    kp_uu: float = DEFAULT_KP_UU
    notes: tuple[str, ...] = field(default_factory=tuple)
    series: str = "common"
    in_vivo_scaling: dict[str, float] = field(default_factory=dict)
    user_files: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The targets table (a copy)."""
        return self.targets.copy()

    def top(self) -> str:
        """Id of the most occupied target."""
        return str(self.targets.iloc[0]["target"])

    def occupancy(self, target: str, condition: str | None = None) -> float:
        """Total occupancy of ``target`` (first matching condition unless ``condition``)."""
        rows = self.targets[self.targets["target"] == target]
        if condition is not None:
            rows = rows[rows["condition"].str.lower() == condition.lower()]
        if rows.empty:
            raise InputError(f"No engagement row for target {target!r}"
                             + (f" condition {condition!r}" if condition else "")
                             + f"; targets: {' '.join(dict.fromkeys(self.targets['target']))}.")
        return float(rows.iloc[0]["occupancy"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``compound unbound_M exposure targets`` (+ ``safety_margins`` for a dose)."""
        out: dict[str, Any] = {
            "compound": self.compound,
            "mode": self.mode,
            "species": self.species,
            "source": self.source,
            "kp_uu": self.kp_uu,
            "series": self.series,
            "in_vivo_scaling": dict(self.in_vivo_scaling),
            "user_files": list(self.user_files),
            "unbound_M": dict(self.unbound_M),
        }
        if self.exposure is not None:
            out["exposure"] = self.exposure
        out["targets"] = _records(self.targets)
        if self.safety is not None:
            out["safety_margins"] = _records(self.safety)
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of occupancy per target/condition with the low–high range."""
        from matplotlib.figure import Figure

        if ax is None:
            fig = Figure(figsize=(7, 0.3 * len(self.targets) + 1.5))
            ax = fig.add_subplot(1, 1, 1)
        t = self.targets.iloc[::-1]
        labels = [f"{a} ({c})" if c else a for a, c in zip(t["target"], t["condition"],
                                                          strict=True)]
        y = np.arange(len(t))
        occ = t["occupancy"].to_numpy()
        err = np.vstack([occ - t["occupancy_low"].to_numpy(), t["occupancy_high"].to_numpy() - occ])
        ax.barh(y, occ, xerr=err, color="tab:blue", ecolor="0.3")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel("fractional occupancy")
        ax.set_title(f"{self.compound}: " + ", ".join(
            f"{k} {v * 1e9:.3g} nM" for k, v in self.unbound_M.items()) + " unbound")
        return ax.figure

    def _repr_html_(self) -> str:
        cols = ["target", "condition", "occupancy", "occupancy_low", "occupancy_high",
                "consequence"]
        return f"<b>{html.escape(str(self.compound))}</b>" + self.targets[cols].to_html(index=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, float) and not math.isfinite(v):
                clean[k] = None
            elif hasattr(v, "item") and not isinstance(v, dict | list | str):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out
