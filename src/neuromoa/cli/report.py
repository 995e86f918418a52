"""``neuromoa report``: parse → one library call → render (``neuromoa pathways`` is cli/pathways.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from neuromoa.cli._common import console, err_console, handle_errors, print_json

__all__ = ["register"]

_DEFAULT_DOSES = ["10 mg", "25 mg", "75 mg", "150 mg"]


def report(
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    dose: list[str] = typer.Option(None, "--dose", help='Daily dose, repeatable ("10 mg"); default 10, 25, 75, 150 mg.'),
    every: str = typer.Option("24 h", "--every", help="Dosing interval."),
    out: Path = typer.Option(Path("neuromoa-report"), "--out", help="Output folder (index.html, figures/)."),
    force: bool = typer.Option(False, "--force", help="Replace --out even if it holds files that are not a neuromoa output."),
    quick: bool = typer.Option(False, "--quick", help="Smaller virtual experiments (≤ 30 s)."),
    seed: int = typer.Option(0, "--seed", help="Seed of every simulator."),
    json_out: bool = typer.Option(False, "--json", help="Print the step summary as JSON."),
    user_data: list[Path] | None = typer.Option(
        None, "--user-data", help="Your own compound: identity, PK and affinities (TOML; "
                                  "or kb CSVs). Repeatable."),
    store: bool = typer.Option(False, "--store", help="Record the report in the results store."),
    db: str = typer.Option(None, "--db", help="Store URL (default $NEUROMOA_DB_URL)."),
) -> None:
    """Write the report: DIR/index.html (self-contained) and DIR/figures/."""
    run_report(compound, dose, every, out, quick, seed, json_out, user_data, force,
               store=store, db=db)


@handle_errors
def run_report(compound: str | None, dose: list[str] | None, every: str, out: Path,
               quick: bool, seed: int, json_out: bool,
               user_data: list[Path] | None = None, force: bool = False, *,
               store: bool = False, db: str | None = None) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from neuromoa.data.compounds import flagship_compound, use_user_data
    from neuromoa.report import ReportConfig, build_report
    from neuromoa.report.output import check_output_dir

    files = tuple(str(p) for p in user_data or ())
    with use_user_data(files):  # validate the files and the compound before the long run
        name = compound or flagship_compound()
    config = ReportConfig(compound=name, doses=tuple(dose or _DEFAULT_DOSES), every=every,
                          quick=quick, seed=seed, user_data=files)
    check_output_dir(out, force=force)  # before any work
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console, transient=json_out) as bar:
        task = bar.add_task("report", total=1)

        def progress(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc[:40], completed=done, total=total)

        result = build_report(out, config, progress=progress, force=force)
    if store:  # platform hook: record the report (its index.html and section statuses)
        from neuromoa.cli.runs import record_cli_report

        record_cli_report(db, result, {"compound": config.compound, "doses": list(config.doses),
                                       "every": every, "quick": quick}, seed, config.compound)
    if json_out:
        print_json(result.to_dict())
        return
    for outcome in result.outcomes.values():
        if not outcome.ok:
            err_console.print(f"{outcome.name}: {outcome.message}", markup=False, highlight=False)
    for key, status in result.sections.items():
        if status != "ok":
            err_console.print(f"section {key}: {status}", markup=False, highlight=False)
    console.print(f"wrote {result.path} ({len(result.figures)} figures) in {result.seconds:.1f} s",
                  markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the neuromoa app."""
    app.command("report")(report)
