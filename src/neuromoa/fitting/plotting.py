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

__all__ = ["plot_batch", "plot_curve", "plot_fit"]

#: Vehicle (X = 0) points are drawn this many decades left of the lowest positive dose.
ZERO_OFFSET_DECADES = 1.0
#: Points on the drawn curve.
CURVE_POINTS = 200


#: Molar units the plot may rescale between (factor to mol/L).
_MOLAR = {"M": 1.0, "mM": 1e-3, "uM": 1e-6, "µM": 1e-6, "nM": 1e-9, "pM": 1e-12,
          "fM": 1e-15}
#: Display units, largest first.
_DISPLAY = (("mM", 1e-3), ("µM", 1e-6), ("nM", 1e-9), ("pM", 1e-12))


def _display_unit(unit: str | None, positive: np.ndarray) -> tuple[str | None, float]:
    """Unit to label the axis in and the factor from data units: a molar unit in which the
    middle of the tested range lies between 1 and 1000 (e.g. M data shown in nM)."""
    if unit not in _MOLAR or positive.size == 0:
        return unit, 1.0
    mid = 10 ** np.mean(np.log10([positive.min(), positive.max()])) * _MOLAR[unit]
    for name, f in _DISPLAY:
        if mid >= f:
            return name, _MOLAR[unit] / f
    return "fM", _MOLAR[unit] / 1e-15


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
    shown, k = _display_unit(fit.unit, pos)
    unit = f" ({shown})" if shown else ""
    lab = label if label is not None else str(fit.curve)
    pts = ax.scatter(x[x > 0] * k, y[x > 0], s=18, color=color, label=lab, zorder=3)
    col = pts.get_facecolor()[0]
    if (x == 0).any():
        ax.scatter(np.full((x == 0).sum(), x0 * k), y[x == 0], s=18, facecolors="none",
                   edgecolors=[col], zorder=3)
    if fit.reported:
        grid = np.logspace(lo - 0.5, hi + 0.5, CURVE_POINTS)
        ax.plot(grid * k, fit.predict(grid), color=col, lw=1.5)
        if band:
            blo, bhi = fit.band(grid)
            if np.isfinite(blo).all():
                ax.fill_between(grid * k, blo, bhi, color=col, alpha=0.2, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel(f"concentration{unit}")
    ax.set_ylabel("response")
    if (x == 0).any():
        ax.annotate("vehicle", (x0 * k, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
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


def plot_fit(result: CurveFit | BatchFit, ax=None, **kwargs: Any):
    """Figure of a fit result: :func:`plot_curve` for one curve, :func:`plot_batch` for a batch
    (up to 8 curves). Returns the matplotlib Figure."""
    if hasattr(result, "curve_ids"):
        return plot_batch(result, ax=ax, **kwargs)
    return plot_curve(result, ax=ax, **kwargs)
