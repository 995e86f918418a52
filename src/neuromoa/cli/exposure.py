"""``neuromoa exposure``: dose regimen → plasma concentrations of parent and metabolite."""

from __future__ import annotations

import warnings

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, err_console, fail, handle_errors, print_json
from neuromoa.data.compounds import flagship_compound
from neuromoa.errors import NeuromoaWarning
from neuromoa.exposure import Regimen, resolve_dose, simulate_exposure
from neuromoa.units import format_molar

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``exposure`` command to ``app``."""
    app.command("exposure")(exposure)


@handle_errors
def exposure(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound dosed (default: the flagship compound; "
                                             "its metabolite follows); any name or synonym."),
    dose: str = typer.Option(..., "--dose", help='Each dose with its unit, e.g. "50 mg".'),
    single: bool = typer.Option(False, "--single", help="One dose (metrics: AUC to infinity)."),
    every: str | None = typer.Option(None, "--every", help='Dosing interval, e.g. "24h".'),
    days: str | None = typer.Option(None, "--days",
                                    help="Regimen length in days (default 14), or the "
                                         "observation window after a single dose (default 4)."),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the HCl salt."),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    weight: str | None = _patient.WEIGHT,
    age: str | None = _patient.AGE,
    sex: str | None = _patient.SEX,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Plasma concentration-time course and metrics (Cmax, tmax, Cmin, Cavg, AUC, t1/2)."""
    if single == (every is not None):
        fail("give exactly one of --single or --every (e.g. --every 24h --days 14).")
    patient = _patient.patient_from_options(cyp2d6, cyp2c19, weight, age, sex)
    regimen = Regimen.parse(resolve_dose(dose, patient), every=every, days=days, base=base)
    with warnings.catch_warnings():
        # The library warns above the labelled maximum daily dose; the CLI shows result.notes.
        warnings.simplefilter("ignore", NeuromoaWarning)
        result = simulate_exposure(compound or flagship_compound(), regimen, kp_uu=kp_uu,
                                   patient=patient)
    if as_json:
        print_json(result.to_dict())
        for note in result.notes:
            err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
        return
    scope = "steady state, last interval" if regimen.repeated else "single dose, AUC 0-inf"
    table = Table(title=f"{result.compound}: {regimen.describe()} ({scope}; Kp,uu {kp_uu:g})")
    table.caption = f"patient: {patient.describe()}"
    for col in ("analyte", "Cmax ng/mL", "tmax h", "Cmin ng/mL", "Cavg ng/mL", "AUC ng·h/mL",
                "t1/2 h", "unbound Cavg", "unbound brain Cavg"):
        table.add_column(col, justify="left" if col == "analyte" else "right",
                         no_wrap=col == "analyte")
    for analyte, m in result.metrics.items():
        table.add_row(analyte, f"{m['cmax_ng_mL']:.3g}", f"{m['tmax_h']:.2f}",
                      f"{m['cmin_ng_mL']:.3g}", f"{m['cavg_ng_mL']:.3g}",
                      f"{m['auc_ng_h_mL']:.4g}", f"{m['t_half_h']:.1f}",
                      format_molar(m["unbound_cavg_M"]),
                      format_molar(m["unbound_brain_cavg_M"]))
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
