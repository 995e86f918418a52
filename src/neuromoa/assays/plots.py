"""Figures: plate heat map and the fitted concentration–response curve (matplotlib, no pyplot)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:  # pragma: no cover
    from neuromoa.assays.analysis import AssayAnalysis
    from neuromoa.assays.plates import PlateSet

__all__ = ["analysis_figure", "curve_plot", "plate_heatmap"]

_ROWS = "ABCDEFGHIJKLMNOP"
#: Points on the drawn curve (plotting resolution only).
_CURVE_POINTS = 200
#: Marker per role on the heat map.
_ROLE_MARK = {"total": "T", "nsb": "N", "test": "", "empty": "·"}


def plate_heatmap(ps: PlateSet, plate: str, ax=None):
    """Heat map of counts (CPM) over the plate, wells labelled T (total) / N (non-specific)."""
    if ax is None:
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.add_subplot()
    w = ps.wells[ps.wells["plate"] == plate]
    if w.empty:
        from neuromoa.errors import ProtocolError

        reason = ps.errors.get(plate, f"no wells for plate {plate!r}")
        raise ProtocolError(f"cannot draw plate {plate}: {reason}")
    n_rows = _ROWS.index(w["row"].max()) + 1
    n_cols = int(w["column"].max())
    grid = np.full((n_rows, n_cols), np.nan)
    for r, c, v, role in zip(w["row"], w["column"], w["counts_cpm"], w["role"], strict=True):
        grid[_ROWS.index(r), c - 1] = v
        mark = _ROLE_MARK.get(role, "")
        if mark:
            ax.text(c - 1, _ROWS.index(r), mark, ha="center", va="center", fontsize=7,
                    color="white")
    im = ax.imshow(grid, cmap="viridis", aspect="auto")
    ax.set_xticks(range(n_cols), [str(c) for c in range(1, n_cols + 1)])
    ax.set_yticks(range(n_rows), list(_ROWS[:n_rows]))
    ax.set_title(f"plate {plate}: counts (CPM)")
    ax.figure.colorbar(im, ax=ax, label="CPM")
    return ax.figure


def curve_plot(analysis: AssayAnalysis, plate: str, compound: str, ax=None):
    """% of control vs concentration with the fitted 4PL and the curves at the IC50 CI limits."""
    if ax is None:
        fig = Figure(figsize=(5.6, 4.2))
        ax = fig.add_subplot()
    res = next(r for r in analysis.results if r.plate == plate and r.compound == compound)
    w = analysis.wells
    sel = (w["plate"] == plate) & np.isfinite(w["percent_of_control"]) & (
        (w["role"] == "test") & (w["compound"] == compound))
    d = w[sel]
    used = d["used"].to_numpy(bool)
    ax.semilogx(d["concentration_M"][used], d["percent_of_control"][used], "o", ms=4,
                color="C0", label="test wells")
    if (~used).any():
        ax.semilogx(d["concentration_M"][~used], d["percent_of_control"][~used], "x", ms=6,
                    color="C3", label="excluded (outlier)")
    fit = res.curve
    if fit is not None and fit.fit is not None and res.status != "failed":
        lo, hi = float(d["concentration_M"].min()), float(d["concentration_M"].max())
        xs = np.logspace(math.log10(lo) - 0.5, math.log10(hi) + 0.5, _CURVE_POINTS)
        from neuromoa.assays._fit import confidence_band

        ax.plot(xs, fit.predict(xs), "-", color="C0", label="4PL fit")
        low, high = confidence_band(fit, xs)
        ax.fill_between(xs, low, high, color="C0", alpha=0.2, lw=0, label="95% confidence band")
        ax.axvspan(res.ic50_ci95_M[0], res.ic50_ci95_M[1], color="C1", alpha=0.15,
                   label="95% CI of IC50")
        ax.axvline(res.ic50_M, color="C0", lw=0.8, ls="--")
    ax.axhline(100, color="grey", lw=0.5)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel(f"[{compound}] (M)")
    ax.set_ylabel("specific signal (% of control)")
    ki = "n/a" if not math.isfinite(res.ki_M) else f"{res.ki_M * 1e9:.3g} nM"
    if res.ki_exact_M is not None and math.isfinite(res.ki_exact_M):
        ki += f" (exact depletion {res.ki_exact_M * 1e9:.3g} nM)"
    ax.set_title(f"{plate}: {compound}, Ki = {ki}, Z' = {res.z_prime:.2f}", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    return ax.figure


def analysis_figure(analysis: AssayAnalysis, plate: str | None = None,
                    compound: str | None = None):
    """Two panels: plate heat map and fitted curve of ``plate``/``compound``.

    Default: the first plate/compound that was analysed (status other than "failed"), else the
    first.
    """
    chosen = [r for r in analysis.results
              if (plate is None or r.plate == plate) and (compound is None or r.compound == compound)]
    if not chosen:
        from neuromoa.errors import ProtocolError

        raise ProtocolError(f"no result for plate {plate!r}, compound {compound!r}.")
    res = next((r for r in chosen if r.status != "failed"), chosen[0])
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    plate_heatmap(analysis.plates, res.plate, ax=ax1)
    curve_plot(analysis, res.plate, res.compound, ax=ax2)
    return fig
