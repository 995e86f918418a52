"""``neuromoa population``: a virtual patient population's steady-state levels."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, fail, handle_errors, print_json
from neuromoa.data.compounds import flagship_compound
from neuromoa.exposure import Regimen
from neuromoa.exposure.population import (
    PopulationSpec,
    simulate_population,
    summarize_population,
)

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``population`` command to ``app``."""
    app.command("population")(population)


@handle_errors
def population(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound dosed (default: the flagship compound)."),
    dose: str = typer.Option(..., "--dose", help='Each dose, e.g. "75 mg" (HCl salt).'),
    every: str = typer.Option(..., "--every", help='Dosing interval, e.g. "12h".'),
    n: int = typer.Option(10000, "--n", help="Number of virtual patients."),
    ancestry: str = typer.Option("european", "--ancestry",
                                 help="Genotype frequency table: european or east_asian."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same patients)."),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    out: Path | None = typer.Option(None, "--out",
                                    help="Write one row per patient: .csv or .parquet."),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
    engage: bool = typer.Option(False, "--engage",
                                help="Also target occupancy per patient: quantiles per CYP2D6 "
                                     "phenotype (SERT NET H1 M1 alpha1 unless --target)."),
    target: list[str] | None = typer.Option(None, "--target", "-t",
                                            help="Target of --engage (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Run the chunks on Dask: 'local' (a LocalCluster on this "
        "machine) or tcp://HOST:PORT; same seed, same patients. Needs neuromoa[distributed]."),
) -> None:
    """Steady-state levels of n virtual patients (genotype, covariates, variability)."""
    if n < 1:
        fail(f"--n must be at least 1; got {n}.")
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            fail(f"--out {out}: give a .csv or .parquet file name.")
        if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
            fail("--out .parquet needs pyarrow: pip install 'neuromoa[population]'")
        if out.exists() and not force:
            fail(f"--out {out} exists; give --force to overwrite it.")
    pat = _patient.patient_from_options(cyp2d6, cyp2c19, None, None, None)
    spec = PopulationSpec(compound=compound or flagship_compound(), regimen=Regimen.parse(dose, every=every, base=base),
                          n=n, ancestry=ancestry, cyp2d6=pat.cyp2d6, cyp2c19=pat.cyp2c19)
    t0 = time.perf_counter()
    df = simulate_population(spec, seed, scheduler=scheduler)
    elapsed = time.perf_counter() - t0
    summary = summarize_population(df, spec)
    summary["seed"] = seed
    summary["seconds"] = elapsed
    by_phenotype = None
    if engage or target:
        from neuromoa.engagement.population import (
            engagement_by_phenotype,
            population_engagement,
        )

        occ = population_engagement(df, spec.compound, dose=dose, every=every, base=base,
                                    targets=target or None)
        df = df.merge(occ.drop(columns=[c for c in ("cyp2d6_phenotype", "cyp2c19_phenotype")
                                        if c in occ]), on="patient", how="left")
        by_phenotype = engagement_by_phenotype(occ)
        summary["engagement"] = {
            "value": "steady-state average occupancy (calibrated to human PET where the "
                     "target has PET data, as neuromoa engage)",
            "by_phenotype": by_phenotype.to_dict(orient="records")}
    if out is not None:
        if out.suffix.lower() == ".csv":
            df.to_csv(out, index=False, float_format="%.10g")
        else:
            df.to_parquet(out, index=False)
        summary["out"] = str(out)
    if as_json:
        print_json(summary)
        return
    rng = summary["range"]
    table = Table(title=f"{summary['compound']}: {summary['regimen']}, {n} patients "
                        f"({ancestry}, seed {seed}) — {rng['level']} vs "
                        f"{rng['low_ng_mL']:g}-{rng['high_ng_mL']:g} ng/mL "
                        f"(alert {rng['alert_ng_mL']:g}; {rng['source']})")
    for col in ("CYP2D6", "fraction", "median ng/mL", "below", "in range", "above alert"):
        table.add_column(col, justify="right")
    rows = [("all", summary["overall"], 1.0)] + [
        (ph, v, summary["by_phenotype"]["cyp2d6_frequency"][ph])
        for ph, v in summary["by_phenotype"]["cyp2d6"].items()]
    for name, v, frac in rows:
        table.add_row(name, f"{frac:.3f}", f"{v['median_trough_ng_mL']:.0f}",
                      f"{v['below_range']:.1%}", f"{v['in_range']:.1%}", f"{v['above_alert']:.1%}")
    console.print(table)
    if by_phenotype is not None:
        et = Table(title="Occupancy by CYP2D6 phenotype: median (5-95 %), steady-state average")
        et.add_column("target")
        phen = list(dict.fromkeys(by_phenotype["cyp2d6_phenotype"]))
        for ph in phen:
            et.add_column(ph, justify="right")
        for tgt, rows in by_phenotype.groupby("target", sort=False):
            cells = {r.cyp2d6_phenotype: f"{r.p50:.2f} ({r.p5:.2f}-{r.p95:.2f})"
                     for r in rows.itertuples()}
            et.add_row(str(tgt), *[cells.get(ph, "") for ph in phen])
        console.print(et)
    console.print(f"simulated in {elapsed:.2f} s" + (f"; wrote {out}" if out else ""))
