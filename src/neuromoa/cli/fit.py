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


def _interval(lo: float, hi: float) -> str:
    """"lo – hi" (4 significant digits), blank when either end is missing."""
    if lo != lo or hi != hi:
        return ""
    return f"{lo:.4g} – {hi:.4g}"


#: --effect choices.
EFFECTS = ("agonist", "inhibitor")
#: --out file types (a Parquet input has its own --out, a .parquet folder).
OUT_SUFFIXES = (".csv", ".json", ".xlsx", ".pzfx")


#: Column names of the canonical CSV (neuromoa.fitting.io.read_curve_table's), besides
#: concentration_<unit>/conc_<unit>.
_CANONICAL_COLUMNS = frozenset({"curve", "concentration", "response", "unit", "weight", "sd"})


def _canonical(file: Path) -> bool:
    """True for a comma-separated text file whose header has only the canonical columns (curve,
    concentration…, response, unit, weight, sd): :func:`neuromoa.fitting.fit_csv` reads it
    (fast path first). Everything else goes to the general reader of :mod:`neuromoa.io.tables`.

    The same rule as ``neuromoa.io._sniff.sniff_kind(...) == "canonical-csv"`` (a test checks
    they agree), written here so that the canonical path does not import the ``io`` package."""
    if not file.exists() or file.is_dir():
        return True  # fit_csv names the problem as before
    with file.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip() or head.startswith((b"PK", b"\xd0\xcf", b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head or head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return False
    first = head.lstrip(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0].rstrip(b"\r")
    if b";" in first or b"\t" in first:
        return False
    cells = [c.strip().strip(b'"').lower().decode("utf-8", "replace") for c in first.split(b",")]
    return "response" in cells and all(
        c in _CANONICAL_COLUMNS or c.startswith(("concentration", "conc_")) for c in cells)


def register(app: typer.Typer) -> None:
    """Add the ``fit`` command to ``app``."""

    @app.command("fit")
    @handle_errors
    def fit(
        file: Annotated[Path | None, typer.Argument(
            help="CSV/TSV/semicolon text, .xlsx or Prism .pzfx: curve, concentration (unit in "
                 "the header, e.g. conc_uM or log[M]), response; or wide (X, then a column per "
                 "curve/replicate)")] = None,
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
        sheet: Annotated[str | None, typer.Option(help=".xlsx: the sheet (name or number)")] =
        None,
        table: Annotated[str | None, typer.Option(help=".pzfx: the Prism table (title or "
                                                  "number; default the first XY table)")] = None,
        x: Annotated[str | None, typer.Option("--x", help="Column of concentrations (X)")] =
        None,
        y: Annotated[str | None, typer.Option("--y", help="Column of responses (long layout)")] =
        None,
        curve: Annotated[str | None, typer.Option(help="Column of curve ids (long layout)")] =
        None,
        replicate: Annotated[str | None, typer.Option(help="Column of replicate ids")] = None,
        x_unit: Annotated[str | None, typer.Option(help="Molar unit of X when the header has "
                                                   "none, e.g. uM")] = None,
        x_log: Annotated[bool, typer.Option("--x-log", help="X values are log10 "
                                            "concentrations")] = False,
        layout: Annotated[str, typer.Option(help="auto, long (a row per point) or wide (X, "
                                            "then a column per curve/replicate)")] = "auto",
        effect: Annotated[str | None, typer.Option(help="Label potency as EC50 (agonist) or "
                                                   "IC50 (inhibitor); default by curve "
                                                   "direction")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout")] = False,
        out: Annotated[Path | None, typer.Option(help="Write results to FILE.csv, .json, "
                                                 ".xlsx or .pzfx (data + fits)")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out "
                                            "file")] = False,
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
            fail("give a curve file (CSV, TSV, .xlsx, .pzfx) or --example; see neuromoa fit "
                 "--help.")
        if effect is not None and effect not in EFFECTS:
            fail(f"--effect must be agonist or inhibitor; got {effect!r}.")
        if out is not None and file.suffix.lower() != ".parquet" and scheduler is None:
            if out.suffix.lower() not in OUT_SUFFIXES:
                fail(f"--out {out}: use a .csv, .json, .xlsx or .pzfx file name.")
            if out.exists() and not force:
                fail(f"--out {out} exists; pass --force to overwrite it.")
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

        mapped = {"sheet": sheet, "table": table, "x": x, "y": y, "curve": curve,
                  "replicate": replicate, "x_unit": x_unit, "x_log": x_log or None,
                  "layout": None if layout == "auto" else layout}
        mapped = {k: v for k, v in mapped.items() if v is not None}
        fit_kw = dict(fix=_parse_fix(fix) or None, share=shared, weights=weights, ci=ci, se=se,
                      bounds=_parse_bounds(bound) or None,
                      outliers=None if outliers == "none" else outliers, progress=progress_cb,
                      **kwargs)
        data = None
        canonical = not mapped and _canonical(file)
        if store and not canonical:
            fail("--store records runs that `neuromoa runs rerun` can repeat: canonical CSV "
                 "files (curve,concentration_<unit>,response) without --sheet/--table/--x/--y/"
                 "--curve/--replicate/--x-unit/--x-log/--layout; fit without --store, or save "
                 "the table as a canonical CSV.")
        try:
            if canonical:  # the fast path: no sniffing beyond 64 kB
                res = fit_csv(file, model, unit=unit, **fit_kw)
            else:
                from neuromoa.fitting.frame import fit_read_table
                from neuromoa.io.tables import read_curves

                data = read_curves(file, **mapped)
                res = fit_read_table(data, model, unit=unit, **fit_kw)
        finally:
            if bar is not None:
                bar.stop()
        notes = list(data.attrs.get("notes", ())) if data is not None else []
        for note in notes + list(getattr(res, "read_notes", ())):
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
        if effect is not None:  # a label only: after --store, whose re-run has no --effect
            res = res.with_effect(effect)
        if out is not None and out.exists() and not force:  # appeared while fitting
            fail(f"--out {out} exists; pass --force to overwrite it.")
        if out is not None and out.suffix.lower() in (".xlsx", ".pzfx"):
            _write_office(res, out, data)
        elif out is not None:
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

    def _write_office(res, out: Path, data) -> None:
        """--out .xlsx (sheets Fits and Data) or .pzfx (Prism: data table + fit results)."""
        fits = res.to_frame()
        points = res.points_frame()
        if out.suffix.lower() == ".xlsx":
            from neuromoa.io.tables import write_xlsx

            write_xlsx(out, {"Fits": fits, "Data": points}, force=True)
        else:
            from neuromoa.io.pzfx import write_pzfx

            write_pzfx(out, points, fits, unit=res.unit, force=True)

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
        labels = res.potency_label
        shown = {lab for lab in labels[:TABLE_ROWS].tolist() if lab}
        pot = "/".join(sorted(lab.upper() for lab in shown)) or "IC50"
        unit = res.unit or "X units"
        t = Table(title=escape(f"{res.model.name} fits ({unit}; 95 % CI {res.ci_method})"),
                  show_lines=False)
        for col in ("curve", "status", loc, pot, f"{pot} 95% CI", "hill", "hill 95% CI",
                    "bottom", "top", "r2", "flags"):
            t.add_column(col)
        has_ci = f"{loc}_ci_low" in frame.columns
        has_hci = "hill_ci_low" in frame.columns
        for i, (_, row) in enumerate(frame.head(TABLE_ROWS).iterrows()):
            note = str(row["flags"]) if row["status"] != "failed" else str(row["message"])
            potency = _cell(row["ic50"])
            if len(shown) > 1 and labels[i]:
                potency = f"{labels[i].upper()} {potency}"
            if row["ic50_gt"] == row["ic50_gt"]:  # no_effect: IC50 above the tested range
                potency = f"> {row['ic50_gt']:.6g}"
            ci_txt = _interval(10.0 ** row[f"{loc}_ci_low"] if has_ci else float("nan"),
                               10.0 ** row[f"{loc}_ci_high"] if has_ci else float("nan"))
            if loc != "log_ic50":  # the CI is of the fitted location (Ki): say so
                ci_txt = f"{res.model.linear}: {ci_txt}" if ci_txt else ""
            hci = _interval(row["hill_ci_low"], row["hill_ci_high"]) if has_hci else ""
            t.add_row(escape(str(row["curve"])), str(row["status"]), _cell(row[loc]), potency,
                      ci_txt, _cell(row["hill"]), hci, _cell(row["bottom"]), _cell(row["top"]),
                      _cell(row["r2"]), escape(note))
        console.print(t)
        s = res.summary()
        console.print(f"{len(res)} curves: {s['ok']} ok, {s['warning']} warning, "
                      f"{s['failed']} failed")
        if res.comparison is not None:
            c = res.comparison
            console.print(f"shared vs separate: F({c.df_num}, {c.df_den}) = {c.f:.3g}, "
                          f"P = {c.p:.3g}, ΔAICc (shared − separate) = {c.aicc_delta:.3g} → "
                          f"{c.preferred}")
