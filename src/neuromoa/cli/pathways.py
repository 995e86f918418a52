"""``neuromoa pathways``: write the pathway diagrams (SVG, PNG, SBGN-ML) — parse → one library call → render."""

from __future__ import annotations

from pathlib import Path

import typer

from neuromoa.cli._common import console, handle_errors, print_json

__all__ = ["register"]


def pathways(
    names: list[str] | None = typer.Argument(
        None, help="Diagrams to write: reuptake, antagonism, neurotrophic (default: all)."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    out: Path = typer.Option(Path("neuromoa-pathways"), "--out", help="Output folder."),
    fmt: list[str] | None = typer.Option(
        None, "--format", "-f",
        help="svg, png or sbgn (SBGN-ML Activity Flow); repeatable; default svg and png."),
    dose: str | None = typer.Option(
        None, "--dose", help='Regimen for the edge weights ("150 mg"): drug → target line '
                             "width and opacity show the steady-state occupancy."),
    every: str = typer.Option("24 h", "--every", help="Dosing interval of --dose."),
    force: bool = typer.Option(False, "--force", help="Replace existing files."),
    json_out: bool = typer.Option(False, "--json", help="Print the graphs and files as JSON."),
) -> None:
    """Write the three pathway diagrams (SVG, PNG, SBGN-ML) generated from the knowledge base."""
    run_pathways(names, compound, out, fmt, dose, every, force, json_out)


@handle_errors
def run_pathways(names: list[str] | None, compound: str | None, out: Path,
                 fmt: list[str] | None, dose: str | None, every: str, force: bool,
                 json_out: bool) -> None:
    from neuromoa.pathways import write_pathways

    result = write_pathways(out, compound, formats=tuple(fmt or ("svg", "png")),
                            names=names or None, dose=dose, every=every, force=force)
    if json_out:
        print_json(result.to_dict())
        return
    for name, files in result.files.items():
        console.print(f"{name}: {', '.join(files)}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``pathways`` to the neuromoa app."""
    app.command("pathways")(pathways)
