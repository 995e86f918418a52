"""``neuromoa fit``: concentration–response curves from a CSV → IC50/Ki with uncertainty.

Parse → :func:`neuromoa.fitting.fit_csv` → render (table, JSON, or a CSV/JSON file).
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from neuromoa.cli._common import DbOption, StoreFlag, console, err_console, fail, handle_errors

__all__ = ["register"]

#: Batches with at least this many curves get a progress bar (on stderr).
PROGRESS_MIN_CURVES = 20000
#: Rows of the on-screen table (the full result goes to --out / --json).
TABLE_ROWS = 40


def _parse_fix(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                fail(f"--fix expects name=value (e.g. hill=-1); got {part!r}.")
            k, v = part.split("=", 1)
            try:
                out[k.strip()] = float(v)
            except ValueError:
                fail(f"--fix {k.strip()}: {v!r} is not a number.")
    return out


def _parse_bounds(values: list[str]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in values:
        if "=" not in item or ":" not in item:
            fail(f"--bound expects name=low:high (e.g. hill=-5:0); got {item!r}.")
        k, rng = item.split("=", 1)
        a, b = rng.split(":", 1)
        try:
            out[k.strip()] = (float(a) if a.strip() else float("-inf"),
                              float(b) if b.strip() else float("inf"))
        except ValueError:
            fail(f"--bound {k.strip()}: {rng!r} is not low:high.")
    return out


#: Above this many curves JSON is written compactly (the C encoder; indentation would use the
#: pure-Python encoder, ~10x slower).
JSON_INDENT_MAX = 1000


def _dumps(res) -> str:
    from neuromoa.fitting.jsonout import to_json

    if len(res) > JSON_INDENT_MAX:
        return to_json(res)
    return to_json(res, indent=2)


#: Choices shown by --help, kept static so that `neuromoa --help` does not import the
#: fitting engine (numba, pandas, scipy); tests/fitting/test_cli.py checks them against
#: neuromoa.fitting.MODELS and WEIGHTS, and the engine names the valid ones on a bad choice.
MODEL_NAMES = ("4pl", "3pl", "5pl", "one_site_ki")
WEIGHT_NAMES = ("none", "1/y2", "poisson", "sd", "given")
_MODEL_HELP = ("Model: 4pl (variable slope), 3pl (hill = -1), 5pl (asymmetric sigmoidal), "
               "one_site_ki (Fit Ki; needs --radioligand and --kd)")
_WEIGHTS_HELP = ("Weighting: none, 1/y2 (relative), poisson (1/|Y|), sd (a column of SDs), "
                 "given (a column of weights)")


def _cell(v) -> str:
    """A table cell: 4 significant digits, blank when there is no estimate (NaN)."""
    return "" if v != v else f"{v:.4g}"


def register(app: typer.Typer) -> None:
    """Add the ``fit`` command to ``app``."""

    @app.command("fit")
    @handle_errors
    def fit(
        file: Annotated[Path | None, typer.Argument(
            help="CSV: curve, concentration (+unit column, or header like concentration_nM), "
                 "response[, weight]")] = None,
        example: Annotated[bool, typer.Option("--example", help="Fit the shipped example "
                                              "table (data/fitting/example_curves.csv)")] = False,
        model: Annotated[str, typer.Option(help=_MODEL_HELP)] = "4pl",
        fix: Annotated[list[str], typer.Option(help="Fix parameters, e.g. hill=-1 or "
                                               "bottom=0,top=100 (repeatable)")] = [],  # noqa: B006
        share: Annotated[str, typer.Option(help="Parameters shared by all curves (global fit), "
                                           "e.g. bottom,top")] = "",
        weights: Annotated[str, typer.Option(help=_WEIGHTS_HELP)] = "none",
        ci: Annotated[str, typer.Option(help="log IC50 interval: asymptotic or profile")] =
        "asymptotic",
        se: Annotated[str, typer.Option(help="SE definition: gauss-newton (Prism, curve_fit) "
                                        "or hessian (drc)")] = "gauss-newton",
        bound: Annotated[list[str], typer.Option(help="Bounds name=low:high, e.g. "
                                                 "hill=-5:0 (repeatable)")] = [],  # noqa: B006
        outliers: Annotated[str, typer.Option(help="ROUT outliers: none, flag or exclude")] =
        "none",
        unit: Annotated[str | None, typer.Option(help="Unit of bare concentration numbers "
                                                 "(or convert to it), e.g. nM")] = None,
        radioligand: Annotated[str | None, typer.Option(help="one_site_ki: radioligand "
                                                        "concentration, e.g. '1 nM'")] = None,
        kd: Annotated[str | None, typer.Option(help="one_site_ki: radioligand Kd, e.g. "
                                               "'0.5 nM'")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout")] = False,
        out: Annotated[Path | None, typer.Option(help="Write results to FILE.csv or "
                                                 "FILE.json")] = None,
        plot: Annotated[Path | None, typer.Option(help="Save a figure of the first curves "
                                                  "(PNG/SVG/PDF)")] = None,
        store: StoreFlag = False,
        db: DbOption = None,
        scheduler: Annotated[str | None, typer.Option(
            help="Parquet input: fit partitions in-process (omit), on a local Dask cluster "
                 "('local') or on a scheduler ('tcp://host:8786'); --out a .parquet folder")] =
        None,
    ) -> None:
        """Fit concentration–response curves (4PL, fixed/shared parameters, Fit Ki) with SEs,
        95 % CIs, flags and statuses."""
        from neuromoa.fitting.frame import fit_csv

        if example:
            from neuromoa.data import data_file

            file = Path(str(data_file("fitting", "example_curves.csv")))
        if file is None:
            fail("give a CSV file (or --example); see neuromoa fit --help.")
        if scheduler is not None or file.suffix.lower() == ".parquet":  # platform hook
            from neuromoa.cli.runs import fit_parquet_cmd

            fit_parquet_cmd(file, out, scheduler=scheduler, model=model, unit=unit,
                            as_json=as_json)
            return
        kwargs: dict = {}
        if radioligand is not None:
            kwargs["radioligand"] = radioligand
        if kd is not None:
            kwargs["kd"] = kd
        shared = tuple(s.strip() for s in share.split(",") if s.strip())
        progress_cb = None
        bar = None
        if not as_json or sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            bar = Progress(TextColumn("fitting"), BarColumn(), TextColumn("{task.completed:,}/"
                           "{task.total:,} curves"), TimeRemainingColumn(),
                           console=err_console, transient=True)
            task = None

            def progress_cb(done: int, total: int) -> None:
                nonlocal task
                if total < PROGRESS_MIN_CURVES:
                    return
                if task is None:
                    bar.start()
                    task = bar.add_task("fit", total=total)
                bar.update(task, completed=done)

        try:
            res = fit_csv(file, model, unit=unit, fix=_parse_fix(fix) or None, share=shared,
                          weights=weights, ci=ci, se=se, bounds=_parse_bounds(bound) or None,
                          outliers=None if outliers == "none" else outliers,
                          progress=progress_cb, **kwargs)
        finally:
            if bar is not None:
                bar.stop()
        for note in getattr(res, "read_notes", ()):
            err_console.print(f"note: {file}: {note}", markup=False, highlight=False)
        if plot is not None:
            from neuromoa.fitting.plotting import plot_fit

            plot_fit(res).savefig(plot)
        if store:  # platform hook: record the run in the results store
            from neuromoa.cli.runs import fit_parameters, record_cli_run

            record_cli_run(db, "fit", {"curves": file}, fit_parameters(
                model=model, unit=unit, fix=_parse_fix(fix), share=shared, weights=weights,
                ci=ci, se=se, bounds=_parse_bounds(bound),
                outliers=None if outliers == "none" else outliers, **kwargs), res.to_frame(),
                figure=plot)
        if out is not None:
            if out.suffix.lower() == ".json" and len(res) > JSON_INDENT_MAX:
                from neuromoa.fitting.jsonout import write_json

                with out.open("wb") as fh:  # streamed: no 0.6 GB string for a million curves
                    write_json(res, fh)
                    fh.write(b"\n")
            elif out.suffix.lower() == ".json":
                out.write_text(_dumps(res) + "\n")
            else:
                res.to_frame().to_csv(out, index=False)
        if as_json:
            if len(res) > JSON_INDENT_MAX:
                from neuromoa.fitting.jsonout import write_json

                sys.stdout.flush()
                write_json(res, sys.stdout.buffer)
                sys.stdout.buffer.write(b"\n")
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(_dumps(res) + "\n")
            _exit_for_failures(res)
            return
        _render_table(res)
        if out is not None:
            console.print(f"wrote {out}", markup=False, highlight=False)
        _exit_for_failures(res)

    def _exit_for_failures(res) -> None:
        """Exit 1 when some curves failed (listed on stderr), 2 when every curve failed."""
        failed = [i for i, st in enumerate(res.status) if st == "failed"]
        if not failed:
            return
        ids = ", ".join(repr(str(res.curve_ids[i])) for i in failed[:20])
        more = f" and {len(failed) - 20} more" if len(failed) > 20 else ""
        err_console.print(f"{len(failed)} of {len(res)} curve(s) failed: {ids}{more}",
                          markup=False, highlight=False)
        raise typer.Exit(2 if len(failed) == len(res) else 1)

    def _render_table(res) -> None:
        from rich.markup import escape
        from rich.table import Table

        frame = res.to_frame()
        loc = res.model.location
        t = Table(title=escape(f"{res.model.name} fits ({res.unit})"), show_lines=False)
        for col in ("curve", "status", loc, "ic50", "hill", "bottom", "top", "r2", "flags"):
            t.add_column(col)
        for _, row in frame.head(TABLE_ROWS).iterrows():
            note = str(row["flags"]) if row["status"] != "failed" else str(row["message"])
            cells = [_cell(row[c]) for c in (loc, "ic50", "hill", "bottom", "top", "r2")]
            if row["ic50_gt"] == row["ic50_gt"]:  # no_effect: IC50 above the tested range
                cells[1] = f"> {row['ic50_gt']:.6g}"
            t.add_row(escape(str(row["curve"])), str(row["status"]), *cells, escape(note))
        console.print(t)
        s = res.summary()
        console.print(f"{len(res)} curves: {s['ok']} ok, {s['warning']} warning, "
                      f"{s['failed']} failed")
        if res.comparison is not None:
            c = res.comparison
            console.print(f"shared vs separate: F({c.df_num}, {c.df_den}) = {c.f:.3g}, "
                          f"P = {c.p:.3g}, ΔAICc (shared − separate) = {c.aicc_delta:.3g} → "
                          f"{c.preferred}")
