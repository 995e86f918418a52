"""``neuromoa tdm``: individual parameters and dose from measured steady-state levels (MAP)."""

from __future__ import annotations

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, fail, handle_errors, print_json
from neuromoa.data.compounds import flagship_compound
from neuromoa.dosing import tdm as run_tdm
from neuromoa.exposure import Regimen, resolve_dose

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``tdm`` command to ``app``."""
    app.command("tdm")(tdm)


@handle_errors
def tdm(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound dosed (default: the flagship compound)."),
    dose: str = typer.Option(..., "--dose", help='Each dose the patient takes, e.g. "75 mg".'),
    every: str = typer.Option(..., "--every", help='Dosing interval, e.g. "12h".'),
    measured: list[str] | None = typer.Option(
        None, "--measured",
        help='A level at steady state: "<analyte> 150 ng/mL @ 12h" (hours after the last '
             "dose; repeatable)."),
    target: str | None = typer.Option(None, "--target",
                                      help='Range of the summed analytes, e.g. "80-200 ng/mL".'),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    weight: str | None = _patient.WEIGHT,
    age: str | None = _patient.AGE,
    sex: str | None = _patient.SEX,
    seed: int = typer.Option(0, "--seed", help="Seed of the interval's draws."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """MAP individual clearance from measured levels, predicted steady state, dose for the target."""
    if not measured:
        fail('give at least one --measured level, e.g. --measured "<analyte> 60 ng/mL @ 12h".')
    patient = _patient.patient_from_options(cyp2d6, cyp2c19, weight, age, sex)
    regimen = Regimen.parse(resolve_dose(dose, patient), every=every, base=base)
    result = run_tdm(compound or flagship_compound(), regimen, list(measured or []), patient=patient, target=target,
                     seed=seed)
    if as_json:
        print_json(result.to_dict())
        return
    t = Table(title=f"{result.compound}: {regimen.describe()} — MAP individual parameters "
                    f"(prior: population model for {patient.describe()})")
    for col in ("parameter", "population", "individual"):
        t.add_column(col)
    for k, v in result.parameters.items():
        t.add_row(k, f"{result.population_parameters[k]:.4g}", f"{v:.4g}")
    console.print(t)
    s = Table(title="Predicted individual steady-state trough (90 % interval)")
    for col in ("analyte", "trough ng/mL", "interval"):
        s.add_column(col)
    for a, v in result.steady_state.items():
        s.add_row(a, f"{v['trough_ng_mL']:.0f}",
                  f"{v['trough_low_ng_mL']:.0f}-{v['trough_high_ng_mL']:.0f}")
    console.print(s)
    p = result.predicted_at_recommended
    rng = result.target
    console.print(f"dose for {rng['low_ng_mL']:g}-{rng['high_ng_mL']:g} ng/mL: "
                  f"{result.recommended_daily_dose_mg:g} mg/day → trough {p['trough_ng_mL']:.0f} "
                  f"ng/mL ({p['trough_low_ng_mL']:.0f}-{p['trough_high_ng_mL']:.0f}; "
                  f"{p['fraction_of_draws_in_range']:.0%} of the posterior in range)",
                  highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
