"""``neuromoa runs``: the stored runs — list, show, export, re-run — and the ``--store`` hook
the analysis commands call to record what they did."""

from __future__ import annotations

import dataclasses
import io
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from neuromoa.cli._common import (
    DbOption,
    StoreFlag,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
    with_out,
)
from neuromoa.errors import InputError

if TYPE_CHECKING:  # pandas is imported where it is used: `neuromoa --help` stays fast
    import pandas as pd

__all__ = ["RUNNERS", "Outcome", "RerunResult", "StoreFlag", "batch_status", "ephys_frame",
           "fit_parameters", "record_cli_report", "record_cli_run", "record_outcome", "register", "rerun",
           "run_analysis"]

# --- the analyses a run records and re-runs ----------------------------------------------
# One function per run kind: the analysis commands' --store hooks record their parameters in
# the form these take, and `runs rerun` calls them with the stored inputs. (The web app is a
# sibling shell: it runs these same commands, so it records and re-runs the same way.)

@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one analysis produced."""

    results: pd.DataFrame
    figure_svg: bytes | None = None
    compound: str | None = None
    target: str | None = None
    status: str = "ok"
    message: str = ""
    seed: int | None = None


def _figure_svg(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    # metadata Date=None: the same figure gives the same bytes
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def batch_status(statuses) -> tuple[str, str]:
    import pandas as pd

    s = pd.Series(list(statuses), dtype=object).value_counts().to_dict()
    if not s:
        return "failed", "no items"
    status = "failed" if set(s) == {"failed"} else ("warning" if s.get("warning") or
                                                     s.get("failed") else "ok")
    return status, ", ".join(f"{n} {k}" for k, n in sorted(s.items()))


# --- fit ----------------------------------------------------------------------------------
def fit_parameters(*, model: str = "4pl", unit: str | None = None,
                   fix: Mapping[str, float] | None = None, share: tuple[str, ...] = (),
                   weights: str = "none", ci: str = "asymptotic", se: str = "gauss-newton",
                   bounds: Mapping[str, tuple[float, float]] | None = None,
                   outliers: str | None = None, radioligand: str | None = None,
                   kd: str | None = None) -> dict[str, Any]:
    """The JSON parameters of a ``fit`` run (what :func:`neuromoa.fitting.io.fit_csv` takes)."""
    return {"model": model, "unit": unit, "fix": dict(fix or {}), "share": list(share),
            "weights": weights, "ci": ci, "se": se,
            "bounds": {k: [float(a), float(b)] for k, (a, b) in (bounds or {}).items()},
            "outliers": outliers, "radioligand": radioligand, "kd": kd}


def fit_kwargs(params: Mapping[str, Any]) -> dict[str, Any]:
    kw = dict(params)
    kw["fix"] = kw.get("fix") or None
    kw["share"] = tuple(kw.get("share") or ())
    kw["bounds"] = {k: (float(a), float(b)) for k, (a, b) in (kw.get("bounds") or {}).items()} \
        or None
    for key in ("radioligand", "kd"):
        if kw.get(key) is None:
            kw.pop(key, None)
    return kw


def run_fit(inputs: Mapping[str, Path], params: Mapping[str, Any], *,
            figure: bool = False) -> Outcome:
    from neuromoa.fitting.frame import fit_csv

    res = fit_csv(inputs["curves"], **fit_kwargs(params))
    frame = res.to_frame()
    status, message = batch_status(frame["status"])
    from neuromoa.fitting.plotting import plot_fit

    fig = _figure_svg(plot_fit(res)) if figure and len(res) else None
    return Outcome(frame, fig, status=status, message=message)


# --- assay --------------------------------------------------------------------------------
def run_assay(inputs: Mapping[str, Path], params: Mapping[str, Any], *,
              figure: bool = False) -> Outcome:
    from neuromoa.assays import analyze_plate

    kw = dict(params)
    kind = kw.pop("kind")
    maps = [inputs[k] for k in sorted(inputs) if k.startswith("layout")]  # plate-map files
    res = analyze_plate(kind, inputs["plate"], layout=maps or None, strict=False,
                        constants=inputs.get("constants"), **kw)
    frame = res.to_frame()
    status, message = batch_status(frame["status"])
    ok = [r for r in res.results if r.status != "failed"]
    fig = _figure_svg(res.plot()) if figure and ok else None
    compounds = sorted({str(c) for c in frame.get("compound", [])})
    targets = sorted({str(t) for t in frame.get("target", [])}) if "target" in frame else []
    return Outcome(frame, fig, compound=",".join(compounds) or None,
                   target=",".join(targets) or params.get("target"), status=status,
                   message=message)


# --- ephys --------------------------------------------------------------------------------
def run_ephys(inputs: Mapping[str, Path], params: Mapping[str, Any], *,
              figure: bool = False) -> Outcome:
    from neuromoa.ephys import analyze_abf

    kw = dict(params)
    mode = kw.pop("mode", "peak")
    if kw.get("sweeps") is not None:
        kw["sweeps"] = list(kw["sweeps"])
    res = analyze_abf(inputs["recording"], mode, **kw)
    frame = ephys_frame(res)
    fig = _figure_svg(res.plot()) if figure else None
    status, message = batch_status(frame["status"]) if "status" in frame else ("ok", "")
    return Outcome(frame, fig, status=status, message=message)


def ephys_frame(res) -> pd.DataFrame:
    """An ABF analysis as a flat table (spike times joined as text, for Parquet and SQL)."""
    frame = res.to_frame()
    if "spike_times_s" in frame:
        frame["spike_times_s"] = frame["spike_times_s"].map(
            lambda v: ";".join(repr(float(x)) for x in v) if hasattr(v, "__len__") else v)
    return frame


#: run kind -> runner(inputs, params, figure=...) -> Outcome
RUNNERS: dict[str, Callable[..., Outcome]] = {
    "fit": run_fit,
    "assay": run_assay,
    "ephys": run_ephys,
}


def run_analysis(kind: str, inputs: Mapping[str, Path], params: Mapping[str, Any], *,
                 figure: bool = False) -> Outcome:
    try:
        runner = RUNNERS[kind]
    except KeyError:
        raise InputError(f"run kind {kind!r} cannot be run here; known: {sorted(RUNNERS)}."
                         ) from None
    return runner(inputs, params, figure=figure)


def record_outcome(store, kind: str, inputs: Mapping[str, Path | tuple[str, bytes]],
                   params: Mapping[str, Any], outcome: Outcome, *, command: str = "",
                   rerun_of: int | None = None, project: str | None = None,
                   experiment: str | None = None) -> int:
    """Record an analysis and its outcome in ``store`` (one transaction); returns the run id."""
    arts = []
    if outcome.figure_svg is not None:
        arts.append(("figure", "figure.svg", outcome.figure_svg, "image/svg+xml"))
    return store.record_run(kind, parameters=dict(params), inputs=inputs,
                            results=outcome.results, artifacts=arts, seed=outcome.seed,
                            command=command, status=outcome.status, message=outcome.message,
                            compound=outcome.compound, target=outcome.target,
                            rerun_of=rerun_of, project=project, experiment=experiment)


@dataclasses.dataclass(frozen=True)
class RerunResult:
    """A re-run: the new run's id, and whether its result table is byte-identical."""

    original: int
    new: int | None
    identical: bool
    original_sha256: str
    new_sha256: str
    n_rows: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def rerun(store, run_id: int, *, record: bool = True) -> RerunResult:
    """Re-run a stored analysis from its stored inputs and parameters and compare results.

    The inputs are materialised (verbatim, under their original file names) in a temporary
    folder; the runner of the run's kind is called with the stored parameters; the new result
    table's Parquet bytes are compared with the stored ones (sha256).
    """
    from neuromoa.store import frame_to_parquet
    from neuromoa.store.core import _sha256

    rec = store.get_run(run_id)
    if rec.kind not in RUNNERS:
        raise InputError(f"run {run_id} is a {rec.kind!r} run; re-run supports "
                         f"{sorted(RUNNERS)}.")
    art = rec.artifact("results")
    with tempfile.TemporaryDirectory(prefix="neuromoa-rerun-") as tmp:
        paths: dict[str, Path] = {}
        for i in rec.inputs:
            d = Path(tmp) / i["role"]
            d.mkdir()
            p = d / Path(i["filename"]).name
            p.write_bytes(store.read_blob(i["sha256"]))
            paths[i["role"]] = p
        outcome = run_analysis(rec.kind, paths, rec.parameters,
                               figure=rec.artifact("figure") is not None)
        new_sha = _sha256(frame_to_parquet(outcome.results))
        new_id = None
        if record:
            new_id = record_outcome(store, rec.kind, paths, rec.parameters, outcome,
                                    command=f"rerun {run_id}", rerun_of=run_id,
                                    project=rec.project, experiment=rec.experiment)
    old_sha = art["sha256"] if art else ""
    return RerunResult(run_id, new_id, new_sha == old_sha, old_sha, new_sha,
                       len(outcome.results))


runs_app = typer.Typer(help="Runs recorded in the results store: list, show, export, rerun.",
                       no_args_is_help=True)


def record_cli_run(db: str | None, kind: str, inputs: Mapping[str, Path | None],
                   params: Mapping[str, Any], results, *, figure: Path | None = None,
                   compound: str | None = None, target: str | None = None) -> int:
    """Record a run an analysis command just made (called by its ``--store`` hook); an SVG
    figure the command wrote (``--plot x.svg``) is stored with it."""
    figure_svg = (figure.read_bytes() if figure is not None and figure.suffix.lower() == ".svg"
                  and figure.exists() else None)
    from neuromoa.store import Store

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


def record_cli_report(db: str | None, result, params: Mapping[str, Any], seed: int,
                      compound: str) -> int:
    """Record a report the ``report`` command just wrote: index.html and section statuses."""
    import pandas as pd

    from neuromoa.store import Store

    sections = pd.DataFrame({"item": list(result.sections), "status": [
        "ok" if v == "ok" else "warning" for v in result.sections.values()],
        "detail": [str(v) for v in result.sections.values()]})
    status, message = batch_status(sections["status"])
    html = Path(result.path).read_bytes()
    with Store(db) as store:
        run_id = store.record_run(
            "report", parameters=dict(params), results=sections, seed=seed,
            artifacts=[("report", "index.html", html, "text/html")],
            command=" ".join(["neuromoa", *sys.argv[1:]]), status=status, message=message,
            compound=compound)
        err_console.print(f"stored run {run_id} in {store._safe_url}", markup=False,
                          highlight=False)
    return run_id


@runs_app.command("list")
@with_out
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
@with_out
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
@with_out
@handle_errors
def rerun_cmd(run_id: Annotated[int, typer.Argument(help="Run id")], db: DbOption = None,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Re-run a stored analysis from its stored inputs; exit 1 if results differ."""
    from neuromoa.store import Store

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

