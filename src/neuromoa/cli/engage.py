"""``neuromoa engage``: which targets a compound engages, and how much, at a concentration or dose."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, err_console, fail, handle_errors, print_json, with_out
from neuromoa.engagement import engage as engage_compound
from neuromoa.engagement import engagement_time_course
from neuromoa.errors import NeuromoaError, NeuromoaWarning
from neuromoa.exposure import Regimen
from neuromoa.units import format_molar

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``engage`` and ``occupancy-course`` commands to ``app``."""
    app.command("engage")(engage)
    app.command("occupancy-course")(occupancy_course)


@handle_errors
def occupancy_course(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound name (default: the flagship compound)."),
    dose: str = typer.Option(..., "--dose", help='Dose, e.g. "150 mg" (HCl salt).'),
    every: str = typer.Option("24h", "--every", help='Dosing interval, e.g. "24h".'),
    days: str | None = typer.Option(None, "--days", help="Regimen length in days (default 14)."),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    source: str | None = typer.Option(None, "--source", help="Reference id of another series."),
    out: Path | None = typer.Option(None, "--out", help="Write the tidy course as CSV here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Occupancy of every target over the last dosing interval at steady state."""
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    regimen = Regimen.parse(dose, every=every, days=days, base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        course = engagement_time_course(compound, regimen, kp_uu=kp_uu, source=source)
    if out is not None:
        course.to_csv(out, index=False)
    summary = (course.groupby(["target", "condition"], sort=False)["occupancy"]
               .agg(["min", "mean", "max"]).reset_index()
               .sort_values("mean", ascending=False, kind="stable"))
    if as_json:
        print_json({"compound": compound, "regimen": regimen.describe(),
                    "targets": summary.rename(columns={"min": "occupancy_min",
                                                       "mean": "occupancy_mean",
                                                       "max": "occupancy_max"})
                    .to_dict(orient="records")})
        return
    table = Table(title=f"{compound}: occupancy over the last dosing interval "
                        f"({regimen.describe()})")
    for col in ("target", "condition", "trough…peak", "mean"):
        table.add_column(col)
    for row in summary.itertuples(index=False):
        table.add_row(row.target, _short(str(row.condition), _CONDITION_CHARS),
                      f"{row.min:.3f}…{row.max:.3f}", f"{row.mean:.3f}")
    console.print(table)
    if out is not None:
        console.print(f"wrote {out}")


#: Characters of a consequence / condition shown in the table (the JSON has all of it).
_CONSEQUENCE_CHARS = 60
_CONDITION_CHARS = 13


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _scaling(items: list[str] | None) -> dict[str, float]:
    """Parse repeated ``TARGET=FACTOR`` options into a mapping (the library checks values)."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            fail(f"--in-vivo-scaling {item!r}: give TARGET=FACTOR, e.g. --in-vivo-scaling SERT=3.")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            fail(f"--in-vivo-scaling {item!r}: the factor {value.strip()!r} is not a number.")
    return out


def _calibrate(text: str) -> bool | list[str]:
    """'all' → True, 'none' → False, 'NET,SERT' → the targets (the library checks them)."""
    key = text.strip().lower()
    if key in ("all", "auto", "yes", "true"):
        return True
    if key in ("none", "no", "false", "off"):
        return False
    targets = [t.strip() for t in text.split(",") if t.strip()]
    if not targets:
        fail(f"--calibrate {text!r}: give all, none or targets such as NET,SERT.")
    return targets


def _with_intervals(result, draws: int | None, seed: int):
    """Monte Carlo interval per target: on by default in dose form (1000 draws), off with 0;
    asked for explicitly outside dose form it is an error (one line, exit 2)."""
    from neuromoa.engagement.sensitivity import DEFAULT_DRAWS, engagement_intervals

    if draws == 0 or (draws is None and result.mode != "dose"):
        return result
    if draws is not None:
        return engagement_intervals(result, n_draws=draws, seed=seed)
    try:
        return engagement_intervals(result, n_draws=DEFAULT_DRAWS, seed=seed)
    except NeuromoaError as exc:  # a default must not break the run: say why it is missing
        import dataclasses

        return dataclasses.replace(result, notes=(*result.notes, f"no interval: {exc}"))


def _series_text(series: dict[str, str], mixed: bool) -> str:
    refs = list(dict.fromkeys(series.values()))
    return " | ".join(refs) + (" (mixed)" if mixed else "")


@with_out
@handle_errors
def engage(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound name (default: the flagship compound)."),
    conc: str | None = typer.Option(None, "--conc",
                                    help='Unbound concentration at the target, e.g. "3.45 nM".'),
    plasma: str | None = typer.Option(None, "--plasma",
                                      help='Total plasma concentration, e.g. "80 ng/mL" '
                                           "(converted with fu and Kp,uu)."),
    dose: str | None = typer.Option(None, "--dose", help='Dose, e.g. "150 mg" (HCl salt).'),
    every: str | None = typer.Option(None, "--every", help='Dosing interval, e.g. "24h".'),
    days: str | None = typer.Option(None, "--days", help="Regimen length in days (default 14)."),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    species: str = typer.Option("human", "--species", help="Preferred species of the values."),
    source: str | None = typer.Option(None, "--source",
                                      help='Select non-default values, e.g. "tatsumi1997".'),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    target: list[str] | None = typer.Option(None, "--target", "-t",
                                            help="Show only this target (repeatable)."),
    series: str = typer.Option("common", "--series",
                               help="Parent + metabolite values: 'common' (one reference for "
                                    "both where one holds both, e.g. Tatsumi 1997 at SERT/NET/"
                                    "DAT) or 'default' (each compound's default)."),
    in_vivo_scaling: list[str] | None = typer.Option(
        None, "--in-vivo-scaling",
        help="TARGET=FACTOR multiplies K at that target, e.g. SERT=3 (repeatable; default 1)."),
    user_data: list[Path] | None = typer.Option(
        None, "--user-data", help="Your own compounds/activities: user-data TOML or kb CSV "
                                  "(repeatable)."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    weight: str | None = _patient.WEIGHT,
    age: str | None = _patient.AGE,
    sex: str | None = _patient.SEX,
    calibrate: str = typer.Option(
        "all", "--calibrate",
        help="Human-PET calibration: 'all' (every target with PET data), 'none' (in-vitro), "
             "or targets, e.g. 'NET,SERT' (each must have PET data)."),
    compartments: list[Path] | None = typer.Option(
        None, "--compartments",
        help="CSV target,compartment (brain|peripheral|heart|plasma) overriding the shipped "
             "compartment of a target (repeatable)."),
    uncertainty: int | None = typer.Option(
        None, "--uncertainty",
        help="Monte Carlo draws of each target's 95% interval (dose form; default 1000 there, "
             "0 = off): affinity ranges, fu, clearances, PET factor CI or Kp,uu."),
    seed: int = typer.Option(0, "--seed", help="Seed of the --uncertainty draws."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fractional occupancy of every target, sorted, with its consequence.

    'occ.' is calibrated to human PET where a target has PET data (NET, SERT), the in-vitro
    free-drug value elsewhere; 'in vitro' is the free-drug value everywhere."""
    from neuromoa.data.compounds import flagship_compound, use_user_data

    patient = _patient.patient_from_options(cyp2d6, cyp2c19, weight, age, sex)
    scaling = _scaling(in_vivo_scaling)
    with use_user_data(user_data or ()), warnings.catch_warnings():
        # A dose above the labelled maximum warns in the library; the CLI prints result.notes.
        warnings.simplefilter("ignore", NeuromoaWarning)
        compound = compound or flagship_compound()
        result = engage_compound(compound, conc=conc, plasma=plasma, dose=dose, every=every,
                                 days=days, base=base, species=species, source=source,
                                 kp_uu=kp_uu, targets=target or None, series=series,
                                 in_vivo_scaling=scaling, user_files=user_data or (),
                                 patient=None if patient.is_reference else patient,
                                 calibrate=_calibrate(calibrate),
                                 compartments=compartments or ())
        result = _with_intervals(result, uncertainty, seed)
    if as_json:
        print_json(result.to_dict())
        for note in result.notes:
            err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
        return
    unbound = ", ".join(f"{k} {format_molar(v)}" for k, v in result.unbound_M.items())
    title = f"{result.compound} — unbound at the targets: {unbound}"
    if result.exposure is not None:
        title += f" ({result.exposure['description']}, steady state)"
    table = Table(title=title, caption=("by compound: " + " + ".join(result.unbound_M))
                  if len(result.unbound_M) > 1 else None)
    several = len(result.unbound_M) > 1
    has_mc = "occupancy_p2_5" in result.targets.columns
    rows = [(row.target, _short(row.condition or "", _CONDITION_CHARS), f"{row.occupancy:.3f}",
             f"{row.occupancy_in_vitro:.3f}" + ("" if row.calibration is None else
                                                 " (PET, transferred)"
                                                 if row.calibration.get("transferred_to")
                                                 else " (PET)"),
             row.compartment,
             f"{row.occupancy_low:.2f}–{row.occupancy_high:.2f}",
             *([f"{row.occupancy_p2_5:.2f}–{row.occupancy_p97_5:.2f}"] if has_mc else []),
             format_molar(row.k_M),
             *([" + ".join(f"{v:.2f}" for v in row.occupancy_by_compound.values()),
                _series_text(row.series, row.mixed_series)] if several else []),
             _short(row.consequence, _CONSEQUENCE_CHARS))
            for row in result.targets.itertuples()]
    for col in ("target", "condition", "occ.", "in vitro", "compartment", "low–high",
                *(["95% MC"] if has_mc else []), "K",
                *(["by compound", "series"] if several else [])):
        table.add_column(col, no_wrap=True)
    table.add_column("consequence")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    if result.safety is not None and not result.safety.empty:
        st = Table(title="Cardiac safety margins (IC50 / unbound Cmax; hERG 30-fold, Redfern "
                         "2003; Nav1.5 ~15-fold QRS level, Harmer 2011)")
        for col in ("target", "condition", "IC50", "unbound Cmax", "margin",
                    "combined margin", "combined block", "flag", "metabolite", "series"):
            st.add_column(col, overflow="fold")
        for row in result.safety.itertuples():
            st.add_row(row.target, row.condition, format_molar(row.ic50_M),
                       format_molar(row.cmax_unbound_M), f"{row.margin:.0f}",
                       f"{row.combined_margin:.0f}", f"{row.combined_block:.4f}", row.flag,
                       row.metabolite_status, _series_text(row.series, row.mixed_series))
        console.print(st)
        for row in result.safety.itertuples():
            if row.note:
                console.print(f"{row.target} ({row.condition}): {row.note}", highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
