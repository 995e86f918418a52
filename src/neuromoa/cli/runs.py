"""``neuromoa runs``: the stored runs — list, show, export, re-run — and the ``--store`` hook
the analysis commands call to record what they did."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from neuromoa.cli._common import console, err_console, fail, handle_errors, print_json
from neuromoa.cli.db import DbOption

__all__ = ["StoreFlag", "record_cli_run", "register"]

#: The ``--store`` flag every analysis command shares.
StoreFlag = Annotated[bool, typer.Option(
    "--store", help="Record this run (inputs, parameters, results) in the results store "
                    "(--db or $NEUROMOA_DB_URL).")]

runs_app = typer.Typer(help="Runs recorded in the results store: list, show, export, rerun.",
                       no_args_is_help=True)


def record_cli_run(db: str | None, kind: str, inputs: Mapping[str, Path | None],
                   params: Mapping[str, Any], results, *, figure_svg: bytes | None = None,
                   compound: str | None = None, target: str | None = None) -> int:
    """Record a run an analysis command just made (called by its ``--store`` hook)."""
    from neuromoa.store import Store
    from neuromoa.web.analyses import Outcome, batch_status, record_outcome

    status, message = (batch_status(results["status"]) if "status" in results
                       else ("ok", f"{len(results)} rows"))
    if compound is None and "compound" in results:
        compound = ",".join(sorted({str(c) for c in results["compound"]})) or None
    outcome = Outcome(results, figure_svg, compound=compound, target=target, status=status,
                      message=message)
    with Store(db) as store:
        run_id = record_outcome(store, kind, {k: v for k, v in inputs.items() if v is not None},
                                params, outcome, command=" ".join(["neuromoa", *sys.argv[1:]]))
        err_console.print(f"stored run {run_id} in {store._safe_url}", markup=False,
                          highlight=False)
    return run_id


@runs_app.command("list")
@handle_errors
def list_cmd(
    db: DbOption = None,
    search: Annotated[str | None, typer.Option(help="Compound, target, kind or file name")] =
    None,
    kind: Annotated[str | None, typer.Option(help="fit, assay, ephys, ...")] = None,
    since: Annotated[str | None, typer.Option(help="From date YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="To date YYYY-MM-DD")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first)")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List stored runs, newest first."""
    from rich.table import Table

    from neuromoa.store import Store

    runs = Store(db).list_runs(search=search, kind=kind, since=since, until=until, limit=limit)
    if as_json:
        print_json([r.to_dict() for r in runs])
        return
    t = Table(title="stored runs")
    for col in ("id", "created", "kind", "status", "items", "compound", "target", "inputs"):
        t.add_column(col)
    for r in runs:
        t.add_row(str(r.id), r.created_at, r.kind, r.status, str(r.n_items), r.compound or "",
                  r.target or "", ", ".join(i["filename"] for i in r.inputs))
    console.print(t)


@runs_app.command("show")
@handle_errors
def show(run_id: Annotated[int, typer.Argument(help="Run id")], db: DbOption = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """A run's parameters, version, seed, inputs (sha256) and artifacts."""
    from neuromoa.store import Store

    rec = Store(db).get_run(run_id)
    if as_json:
        print_json(rec.to_dict())
        return
    for key in ("id", "kind", "status", "message", "created_at", "software_version", "seed",
                "compound", "target", "rerun_of", "command"):
        console.print(f"{key}: {getattr(rec, key)}", markup=False, highlight=False)
    console.print(f"parameters: {rec.parameters}", markup=False, highlight=False)
    for i in rec.inputs:
        console.print(f"input {i['role']}: {i['filename']} sha256 {i['sha256']} "
                      f"({i['size']} bytes)", markup=False, highlight=False)
    for a in rec.artifacts:
        console.print(f"artifact {a['kind']}: {a['name']} sha256 {a['sha256']} "
                      f"({a['size']} bytes)", markup=False, highlight=False)


@runs_app.command("export")
@handle_errors
def export(run_id: Annotated[int, typer.Argument(help="Run id")],
           out: Annotated[Path, typer.Option(help="Folder to write (must not hold the files)")],
           db: DbOption = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Write a run's inputs (verbatim), artifacts (results.parquet, figures) and run.json."""
    from neuromoa.store import Store

    paths = Store(db).export(run_id, out)
    if as_json:
        print_json({"run": run_id, "files": [str(p) for p in paths]})
        return
    for p in paths:
        console.print(f"wrote {p}", markup=False, highlight=False)


@runs_app.command("rerun")
@handle_errors
def rerun_cmd(run_id: Annotated[int, typer.Argument(help="Run id")], db: DbOption = None,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Re-run a stored analysis from its stored inputs; exit 1 if results differ."""
    from neuromoa.store import Store
    from neuromoa.web.analyses import rerun

    res = rerun(Store(db), run_id)
    if as_json:
        print_json(res.to_dict())
    else:
        console.print(f"run {run_id} re-run as run {res.new}: {res.n_rows} rows, "
                      f"{'identical' if res.identical else 'DIFFERENT'} "
                      f"(sha256 {res.new_sha256[:16]}…)", markup=False, highlight=False)
    if not res.identical:
        fail(f"re-run of run {run_id} differs from the stored results "
             f"({res.original_sha256[:16]}… vs {res.new_sha256[:16]}…).", code=1)


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")


def fit_parquet_cmd(file: Path, out: Path | None, *, scheduler: str | None, model: str,
                    unit: str | None, as_json: bool) -> None:
    """``neuromoa fit curves.parquet --out fits.parquet [--scheduler …]`` (the fit command's
    Parquet hook): partitions mapped in-process or on Dask, one part file per partition."""
    from neuromoa.fitting.scaleout import fit_parquet

    if file.suffix.lower() != ".parquet":
        fail(f"--scheduler needs a Parquet input (curves.parquet); got {file.name}.")
    if out is None:
        fail("give --out FOLDER for the fits of a Parquet input (a Parquet dataset folder).")
    res = fit_parquet(file, out, scheduler=scheduler, model=model, unit=unit)
    if as_json:
        print_json(res.to_dict() | {"parts": len(res.parts)})
        return
    console.print(f"{res.n_curves:,} curves in {res.n_partitions} partitions "
                  f"({res.scheduler}): " + ", ".join(f"{n:,} {k}" for k, n in
                                                     sorted(res.status.items())) +
                  f"; wrote {res.out}/", markup=False, highlight=False)
