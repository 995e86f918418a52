"""``neuromoa sensitivity`` (Sobol indices of one occupancy) and ``neuromoa calibration``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from neuromoa.cli._common import console, fail, handle_errors, print_json, with_out

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``sensitivity`` and ``calibration`` commands to ``app``."""
    app.command("sensitivity")(sensitivity)
    app.command("calibration")(calibration)


@with_out
@handle_errors
def sensitivity(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound name (default: the flagship compound)."),
    dose: str = typer.Option(..., "--dose", help='Dose, e.g. "150 mg" (HCl salt).'),
    every: str = typer.Option("24h", "--every", help='Dosing interval, e.g. "24h".'),
    target: str = typer.Option(..., "--target", "-t", help="Target id or HGNC symbol."),
    n_base: int = typer.Option(1024, "--n", help="Saltelli base sample (power of two)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Which input drives a target's steady-state occupancy: Sobol indices (SALib) + MC interval."""
    from neuromoa.data.compounds import flagship_compound
    from neuromoa.engagement.sensitivity import occupancy_sensitivity

    res = occupancy_sensitivity(compound or flagship_compound(), dose=dose, every=every, target=target,
                                n_base=n_base, seed=seed)
    if as_json:
        print_json(res.to_dict())
        return
    lo, mid, hi = res.interval
    table = Table(title=f"{res.compound} {res.regimen}: {res.target} occupancy {res.occupancy:.3f}"
                        f" ({'PET-calibrated' if res.calibrated else 'in vitro'}); "
                        f"95% MC interval {lo:.2f}–{hi:.2f}")
    for col in ("input", "range", "S1", "ST"):
        table.add_column(col)
    for r in res.indices.itertuples(index=False):
        table.add_row(r.input, f"{r.low:.3g}–{r.high:.3g}", f"{r.S1:.2f} ± {r.S1_conf:.2f}",
                      f"{r.ST:.2f} ± {r.ST_conf:.2f}")
    console.print(table)
    for note in res.notes:
        console.print(f"note: {note}", highlight=False)


@with_out
@handle_errors
def calibration(
    figure: Path | None = typer.Option(None, "--figure",
                                       help="Write observed vs predicted (SVG/PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Human-PET calibration: observed vs predicted occupancy before and after, per study."""
    from neuromoa.engagement.calibration import (
        calibration_figure,
        calibration_points,
        calibrations,
    )

    pts = calibration_points()
    if figure is not None:
        if figure.suffix.lower() not in (".svg", ".png", ".pdf"):
            fail(f"--figure {str(figure)!r}: use a .svg, .png or .pdf file name.")
        if figure.exists():
            fail(f"--figure {str(figure)!r} exists; choose a new file name (not overwritten).")
        calibration_figure(pts).savefig(figure)
        console.print(f"wrote {figure}")
    if as_json:
        print_json({"calibrations": {t: c.to_dict() for t, c in calibrations().items()},
                    "points": pts.astype(object).where(pts.notna(), None)
                    .to_dict(orient="records")})
        return
    table = Table(title="PET occupancy: observed vs predicted (in vitro → calibrated)")
    for col in ("study", "target", "drug", "dose mg", "plasma ng/mL", "role", "observed",
                "in vitro", "calibrated", "factor (95% CI)", "implied"):
        table.add_column(col)
    for r in pts.itertuples(index=False):
        f = ("—" if r.factor != r.factor else
             f"{r.factor:.2f} ({r.ci_low:.2f}–{r.ci_high:.2f})")
        table.add_row(r.study, r.target, r.drug, str(r.dose_mg),
                      "—" if r.plasma_ng_mL != r.plasma_ng_mL else f"{r.plasma_ng_mL:g}"
                      + (" (EC50)" if r.plasma_kind == "EC50" else
                         " (derived)" if r.plasma_kind == "derived" else ""),
                      r.role, f"{r.observed:.3f}",
                      "—" if r.predicted_in_vitro != r.predicted_in_vitro
                      else f"{r.predicted_in_vitro:.3f}",
                      "—" if r.predicted_calibrated != r.predicted_calibrated
                      else f"{r.predicted_calibrated:.3f}", f,
                      "—" if r.implied_factor != r.implied_factor
                      else f"{r.implied_factor:.3g}")
    console.print(table)
