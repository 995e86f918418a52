"""Figures the report draws from the modules' tables when a module offers no ``plot()``.

Drawing only: every plotted value comes from a step's result.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator, NullLocator

__all__ = ["engagement_figure", "interval_figure", "panels_figure", "population_figure"]

# Targets whose occupancy never reaches this over the interval are left out of the plot
# (assumption: below 2% the line is indistinguishable from zero at this scale).
_INTERVAL_MIN_SHOWN = 0.02

# Effect class → line colour (Okabe & Ito palette, as in the pathway diagrams).
# Adverse vermillion and mixed reddish purple: told apart by every colour-vision type (issue 16
# found the former red and amber nearly the same orange).
_CLASS_COLOURS = {"therapeutic": "#009e73", "adverse": "#d55e00", "mixed": "#cc79a7"}
_OTHER_COLOUR = "#56b4e9"
# Small multiples: panels per row, panel height (inches), line styles for conditions.
_GRID_COLUMNS = 5
_PANEL_HEIGHT_IN = 1.9
_LINESTYLES = ("-", "--", ":", "-.")
_EMPTY_CONDITIONS = {"", "nan", "none", "not specified"}  # conditions that say nothing
_DECADE_TICKS = 5
# Colours of the most occupied targets in the interval panels (Okabe & Ito 2008; the others are
# drawn thin and grey under one legend entry, so the legend summarises: issue 16).
_CYCLE = ("#000000", "#e69f00", "#56b4e9", "#009e73", "#0072b2", "#d55e00", "#cc79a7")
_OTHERS_COLOUR = "#aaaaaa"


def _column(frame: Any, *names: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise KeyError(f"none of the columns {names} in {list(frame.columns)}")


def engagement_figure(curves: Any, *, classes: dict[str, str] | None = None,
                      shade: tuple[float, float] | None = None, shade_label: str = "",
                      markers: dict[str, float] | None = None) -> Figure:
    """Occupancy against unbound concentration, one line per target and condition.

    ``curves`` is the frame of :func:`neuromoa.engagement.engagement_curves`; ``classes`` maps
    target → effect class (line colour); ``shade`` an unbound-concentration interval (M) drawn as
    a band (the therapeutic range); ``markers`` label → concentration drawn as dotted lines.
    """
    classes = classes or {}
    conc = _column(curves, "concentration_M", "conc_M", "unbound_M")
    occ = _column(curves, "occupancy")
    targets = list(dict.fromkeys(curves["target"].astype(str)))
    nrows = -(-len(targets) // _GRID_COLUMNS)
    fig = Figure(figsize=(11.0, _PANEL_HEIGHT_IN * nrows + 0.8))
    axes = fig.subplots(nrows, _GRID_COLUMNS, sharex=True, sharey=True, squeeze=False)
    decades = LogLocator(base=10.0, numticks=_DECADE_TICKS)
    for i, ax in enumerate(axes.flat):
        if i >= len(targets):
            ax.set_axis_off()
            continue
        target = targets[i]
        colour = _CLASS_COLOURS.get(classes.get(target, ""), _OTHER_COLOUR)
        frame = curves[curves["target"].astype(str) == target]
        if shade is not None:
            ax.axvspan(shade[0], shade[1], color="#999999", alpha=0.25, lw=0)
        for value in (markers or {}).values():
            ax.axvline(value, color="#444444", lw=0.6, ls=":")
        groups = frame.groupby("condition", sort=False, dropna=False) if "condition" in frame else [("", frame)]
        for j, (cond, part) in enumerate(groups):
            cond = "" if str(cond).strip().lower() in _EMPTY_CONDITIONS else str(cond)
            ax.plot(part[conc].to_numpy(), part[occ].to_numpy(), color=colour, lw=1.4,
                    ls=_LINESTYLES[j % len(_LINESTYLES)], label=cond or None)
        ax.set_title(target, fontsize=8, pad=2, color=colour, fontweight="bold")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(decades)
        ax.xaxis.set_minor_locator(NullLocator())
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=7)
        if any(ln.get_label() and not ln.get_label().startswith("_") for ln in ax.get_lines()):
            ax.legend(fontsize=6.5, loc="upper left", frameon=False, handlelength=1.5)
    for ax in axes[-1]:
        ax.set_xlabel("unbound conc. (M)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("occupancy (0–1)", fontsize=8)
    axes[0, 0].set_ylim(-0.02, 1.05)
    handles = [Line2D([0], [0], color=c, lw=1.5, label=f"{k} target")
               for k, c in _CLASS_COLOURS.items()]
    if shade is not None:
        handles.append(Patch(color="#999999", alpha=0.25, label=shade_label or "therapeutic range"))
    if markers:
        handles.append(Line2D([0], [0], color="#444444", lw=0.8, ls=":",
                              label="regimens: " + ", ".join(markers)))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7, frameon=False)
    # Fixed margins instead of tight_layout (which draws the figure once more: seconds here).
    fig.subplots_adjust(left=0.06, right=0.99, top=0.97, bottom=0.09, wspace=0.12, hspace=0.32)
    return fig


def interval_figure(courses: dict[str, Any], *, columns: int = 2) -> Figure:
    """Occupancy over one dosing interval, one panel per regimen (label → frame with columns
    time_h target [condition] occupancy); the same colour for a target in every panel."""
    keyed: dict[str, list[tuple[str, Any]]] = {}
    for label, course in courses.items():
        time = _column(course, "time_h", "t_h")
        keys = ["target"] + (["condition"] if "condition" in course.columns else [])
        for key, frame in course.groupby(keys, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            cond = str(key[1]) if len(key) > 1 else ""
            cond = "" if cond.strip().lower() in _EMPTY_CONDITIONS else cond
            name = str(key[0]) + (f" ({cond})" if cond else "")
            keyed.setdefault(name, []).append((label, frame[[time, "occupancy"]].to_numpy()))
    peak = {n: max(float(xy[:, 1].max()) for _, xy in series) for n, series in keyed.items()}
    shown = sorted((n for n in keyed if peak[n] >= _INTERVAL_MIN_SHOWN), key=lambda n: -peak[n])
    named = shown[:len(_CYCLE)]
    colours = {n: _CYCLE[i] for i, n in enumerate(named)}
    colours.update({n: _OTHERS_COLOUR for n in shown[len(_CYCLE):]})
    n = len(courses)
    cols = min(n, columns)
    rows = -(-n // cols)
    fig = Figure(figsize=(5.2 * cols, 3.0 * rows + 0.9))
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for ax, label in zip(axes.flat, courses, strict=False):
        for name in shown:
            for lab, xy in keyed[name]:
                if lab == label:
                    ax.plot(xy[:, 0], xy[:, 1], lw=1.4 if name in named else 0.8,
                            color=colours[name], zorder=3 if name in named else 2)
        ax.set_title(label)
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("time after dose (h)")
    for ax in axes[:, 0]:
        ax.set_ylabel("fractional occupancy (0–1)")
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    handles = [Line2D([0], [0], color=colours[name], lw=1.5, label=name) for name in named]
    others = shown[len(_CYCLE):]
    if others:
        handles.append(Line2D([0], [0], color=_OTHERS_COLOUR, lw=0.8,
                              label=f"{len(others)} other targets (peak ≥ {_INTERVAL_MIN_SHOWN:g})"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False)
    legend_rows = -(-len(handles) // 4)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.94, hspace=0.45, wspace=0.08,
                        bottom=min(0.45, (0.55 + 0.18 * legend_rows) / (3.0 * rows + 0.9)))
    return fig


def panels_figure(results: dict[str, Any], *, columns: int = 2,
                  panel_size: tuple[float, float] = (5.2, 3.2)) -> Figure:
    """One panel per result, each drawn by the result's own ``plot(ax=...)``."""
    n = len(results)
    rows = -(-n // columns)
    fig = Figure(figsize=(panel_size[0] * min(n, columns), panel_size[1] * rows))
    axes = fig.subplots(rows, min(n, columns), squeeze=False)
    for ax, result in zip(axes.flat, results.values(), strict=False):
        result.plot(ax=ax)
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


# CYP2D6 phenotype → marker colour (Okabe & Ito 2008; "all" black), in the order drawn.
_PHENOTYPE_COLOURS = {"all": "#000000", "PM": "#d55e00", "IM": "#e69f00", "NM": "#009e73",
                      "UM": "#0072b2"}
# Horizontal spread of the phenotypes' markers around a regimen's position (axis units).
_PHENOTYPE_SPREAD = 0.6


def population_figure(table: Any, labels: dict[str, str], *, columns: int = 5) -> Figure:
    """Median and 5–95 % range of occupancy per CYP2D6 phenotype, one panel per target.

    ``table`` is :func:`neuromoa.engagement.population.engagement_by_phenotype` output for each
    regimen with a ``dose`` column; ``labels`` maps dose → the regimen's label (x axis).
    """
    targets = list(dict.fromkeys(table["target"].astype(str)))
    phenotypes = list(dict.fromkeys(table["cyp2d6_phenotype"].astype(str)))
    doses = list(labels)
    cols = min(columns, len(targets))
    rows = -(-len(targets) // cols)
    fig = Figure(figsize=(2.3 * cols + 0.6, 2.4 * rows + 0.9))
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    step = _PHENOTYPE_SPREAD / max(len(phenotypes) - 1, 1)
    for ax, target in zip(axes.flat, targets, strict=False):
        part = table[table["target"].astype(str) == target]
        for j, ph in enumerate(phenotypes):
            sel = part[part["cyp2d6_phenotype"].astype(str) == ph].set_index("dose")
            sel = sel.reindex([d for d in doses if d in sel.index])
            x = [doses.index(d) - _PHENOTYPE_SPREAD / 2 + j * step for d in sel.index]
            med = sel["p50"].to_numpy()
            err = [med - sel["p5"].to_numpy(), sel["p95"].to_numpy() - med]
            ax.errorbar(x, med, yerr=err, fmt="o", ms=3, lw=1, capsize=0,
                        color=_PHENOTYPE_COLOURS.get(ph, _OTHERS_COLOUR))
        ax.set_title(target, fontsize=9)
        ax.set_xticks(range(len(doses)), [labels[d] for d in doses], rotation=45, ha="right",
                      fontsize=7)
        ax.set_xlim(-0.6, len(doses) - 0.4)
        ax.set_ylim(0, 1.02)
        ax.grid(True, axis="y", alpha=0.3)
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("occupancy (0–1)", fontsize=8)
    for ax in list(axes.flat)[len(targets):]:
        ax.set_axis_off()
    handles = [Line2D([0], [0], color=_PHENOTYPE_COLOURS.get(ph, _OTHERS_COLOUR), marker="o",
                      ms=4, lw=1, label="all patients" if ph == "all" else f"CYP2D6 {ph}")
               for ph in phenotypes]
    handles.append(Line2D([0], [0], color="#444444", lw=1, label="bar: 5–95 % of patients"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7,
               frameon=False)
    fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.36 / rows + 0.05,
                        wspace=0.1, hspace=0.6)
    return fig
