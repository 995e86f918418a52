"""``neuromoa dose``: the genotype-guided daily dose beside CPIC's recommendation."""

from __future__ import annotations

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, handle_errors, print_json
from neuromoa.data.compounds import flagship_compound
from neuromoa.dosing import dose_for_genotype, dose_table

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``dose`` command to ``app``."""
    app.command("dose")(dose)


@handle_errors
def dose(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound dosed (default: the flagship compound)."),
    target: str | None = typer.Option(None, "--target",
                                      help='Target range of the summed analytes, e.g. "80-200 ng/mL" '
                                           "(default: the AGNP reference range)."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    every: str = typer.Option("24h", "--every", help="Dosing interval of the regimen."),
    n: int = typer.Option(4096, "--n", help="Virtual patients per genotype."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    table: bool = typer.Option(False, "--table",
                               help="The whole CYP2D6 x CYP2C19 table (ignores --cyp2d6/--cyp2c19)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Daily dose (tablet strengths) whose population median lands in the range, beside CPIC."""
    compound = compound or flagship_compound()
    if table or (cyp2d6 is None and cyp2c19 is None):
        result = dose_table(compound, target=target, every=every, n=n, seed=seed)
        rows, rng = list(result.rows), result.target
    else:
        row = dose_for_genotype(compound, cyp2d6, cyp2c19, target=target, every=every, n=n,
                                seed=seed)
        rows = [row]
        from neuromoa.dosing import parse_target

        rng = parse_target(target, compound)
    if as_json:
        print_json({"compound": compound, "target": rng, "every": every, "rows": rows})
        return
    t = Table(title=f"{compound}: daily dose whose median steady-state trough "
                    f"({'+'.join(rng['analytes'])}) lies in {rng['low_ng_mL']:g}-"
                    f"{rng['high_ng_mL']:g} ng/mL, every {every}; beside CPIC "
                    f"({rows[0]['cpic_version']})")
    for col in ("CYP2D6", "CYP2C19", "dose mg/day", "median", "5-95 %", "in range",
                "CPIC recommendation", "class"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["cyp2d6"], r["cyp2c19"], f"{r['dose_mg_per_day']:g}",
                  f"{r['median_trough_ng_mL']:.0f}",
                  f"{r['p5_trough_ng_mL']:.0f}-{r['p95_trough_ng_mL']:.0f}",
                  f"{r['fraction_in_range']:.0%}", r["cpic_recommendation"],
                  r["cpic_classification"])
    console.print(t)
    console.print("model: linear PK, genotype via the CPIC representative diplotype, covariates "
                  "and variability drawn; CPIC text shipped as data (data/genotype/cpic_tca.csv).",
                  highlight=False)
