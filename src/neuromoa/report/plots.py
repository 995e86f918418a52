"""Figures the report draws from the modules' tables when a module offers no ``plot()``.

Drawing only: every plotted value comes from a step's result.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

__all__ = ["engagement_figure"]

# Effect class → line colour (Okabe & Ito palette, as in the pathway diagrams).
_CLASS_COLOURS = {"therapeutic": "#009e73", "adverse": "#d55e00", "mixed": "#e69f00"}
_OTHER_COLOUR = "#56b4e9"


def _column(frame: Any, *names: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise KeyError(f"none of the columns {names} in {list(frame.columns)}")


def engagement_figure(curves: Any, *, shade: tuple[float, float] | None = None,
                      shade_label: str = "") -> Figure:
    """Occupancy against unbound concentration, one line per target and condition.

    ``curves`` is the frame of :func:`neuromoa.engagement.engagement_curves`; ``shade`` an
    unbound-concentration interval (M) drawn as a band (the therapeutic range).
    """
    conc = _column(curves, "concentration_M", "conc_M", "unbound_M")
    occ = _column(curves, "occupancy")
    keys = ["target"] + (["condition"] if "condition" in curves.columns else [])
    groups = list(curves.groupby(keys, sort=False, dropna=False))
    ncols = 2
    fig = Figure(figsize=(10.0, 6.0))
    axes = fig.subplots(1, ncols, sharey=True)
    split = (len(groups) + 1) // 2
    for ax, part in zip(axes, (groups[:split], groups[split:]), strict=True):
        for key, frame in part:
            key = key if isinstance(key, tuple) else (key,)
            label = str(key[0]) + (f" ({key[1]})" if len(key) > 1 and str(key[1]) not in ("", "nan", "None") else "")
            eclass = str(frame["effect_class"].iloc[0]) if "effect_class" in frame.columns else ""
            ax.plot(frame[conc].to_numpy(), frame[occ].to_numpy(), lw=1.3,
                    color=_CLASS_COLOURS.get(eclass, _OTHER_COLOUR), label=label)
            x_half = frame[conc].to_numpy()
            y = frame[occ].to_numpy()
            idx = int(abs(y - 0.5).argmin())
            ax.annotate(label, (x_half[idx], y[idx]), fontsize=6.5, xytext=(2, 0),
                        textcoords="offset points")
        if shade is not None:
            ax.axvspan(shade[0], shade[1], color="#999999", alpha=0.2, lw=0,
                       label=shade_label or "therapeutic range")
        ax.set_xscale("log")
        ax.set_xlabel("unbound concentration (M)")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("fractional occupancy")
    axes[0].set_ylim(-0.02, 1.02)
    fig.tight_layout()
    return fig
