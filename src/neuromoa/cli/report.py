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
    pdf: bool = typer.Option(False, "--pdf", help="Also print DIR/report.pdf with a headless "
                                                  "Chromium (Playwright's or chromium on PATH)."),
) -> None:
    """Write the report: DIR/index.html (self-contained) and DIR/figures/."""
    run_report(compound, dose, every, out, quick, seed, json_out, user_data, force,
               store=store, db=db, pdf=pdf)


@handle_errors
def run_report(compound: str | None, dose: list[str] | None, every: str, out: Path,
               quick: bool, seed: int, json_out: bool,
               user_data: list[Path] | None = None, force: bool = False, *,
               store: bool = False, db: str | None = None, pdf: bool = False) -> None:
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
    if pdf:  # a missing browser is said before the long run, in one line
        _check_pdf_browser()
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console, transient=json_out) as bar:
        task = bar.add_task("report", total=1)

        def progress(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc[:40], completed=done, total=total)

        result = build_report(out, config, progress=progress, force=force)
    if pdf:
        from neuromoa.report.pdf import write_pdf

        written = write_pdf(result.path, Path(result.out_dir) / "report.pdf")
        console.print(f"wrote {written}", markup=False, highlight=False)
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


def _check_pdf_browser() -> None:
    """One-line error before any work when no headless Chromium can print the PDF."""
    from neuromoa.errors import OutputError
    from neuromoa.report.pdf import find_browser

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise OutputError("--pdf needs Playwright: pip install playwright && playwright install "
                          "chromium (or install chromium on PATH)") from None
    with sync_playwright() as p:
        if Path(p.chromium.executable_path).exists() or find_browser() is not None:
            return
    raise OutputError("--pdf needs a headless Chromium: run 'playwright install chromium' or "
                      "install chromium (apt-get install chromium)")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the neuromoa app."""
    app.command("report")(report)
