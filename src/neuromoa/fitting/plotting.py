"""Figures of fitted curves: data, fitted curve, 95 % confidence band, log concentration axis.

Uses :class:`matplotlib.figure.Figure` directly (no pyplot global state), so it is safe under
any backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from neuromoa.fitting.results import BatchFit, CurveFit

__all__ = ["plot_batch", "plot_curve"]

#: Vehicle (X = 0) points are drawn this many decades left of the lowest positive dose.
ZERO_OFFSET_DECADES = 1.0
#: Points on the drawn curve.
CURVE_POINTS = 200


def _axes(ax):
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.0, 3.8), layout="constrained")
    return fig, fig.add_subplot()


def plot_curve(fit: CurveFit, ax=None, *, band: bool = True, label: str | None = None,
               color: Any = None):
    """Draw one :class:`CurveFit`; returns the Figure."""
    fig, ax = _axes(ax)
    x = np.asarray(fit.x, float)
    y = np.asarray(fit.y, float)
    pos = x[x > 0]
    if pos.size:
        lo, hi = np.log10(pos.min()), np.log10(pos.max())
    else:
        lo, hi = -9.0, -5.0
    x0 = 10 ** (lo - ZERO_OFFSET_DECADES)
    unit = f" ({fit.unit})" if fit.unit else ""
    lab = label if label is not None else str(fit.curve)
    pts = ax.scatter(np.where(x > 0, x, x0)[x > 0], y[x > 0], s=18, color=color, label=lab,
                     zorder=3)
    col = pts.get_facecolor()[0]
    if (x == 0).any():
        ax.scatter(np.full((x == 0).sum(), x0), y[x == 0], s=18, facecolors="none",
                   edgecolors=[col], zorder=3)
    if fit.status != "failed":
        grid = np.logspace(lo - 0.5, hi + 0.5, CURVE_POINTS)
        ax.plot(grid, fit.predict(grid), color=col, lw=1.5)
        if band:
            blo, bhi = fit.band(grid)
            if np.isfinite(blo).all():
                ax.fill_between(grid, blo, bhi, color=col, alpha=0.2, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel(f"concentration{unit}")
    ax.set_ylabel("response")
    if (x == 0).any():
        ax.annotate("vehicle", (x0, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.legend(fontsize=7, frameon=False)
    return fig


def plot_batch(batch: BatchFit, curves: Sequence[Any] | None = None, ax=None):
    """Overlay up to 8 curves of a :class:`BatchFit`; returns the Figure."""
    fig, ax = _axes(ax)
    if curves is None:
        fits = [batch.fit(i) for i in range(min(len(batch), 8))]
    else:
        fits = [batch[c] for c in curves]
    for f in fits:
        plot_curve(f, ax=ax)
    return fig
