"""The analyses the platform records and re-runs: one function per run kind.

Each runner takes the run's input files (role -> path) and its JSON parameters and returns an
:class:`Outcome` (the result table, an optional figure, what it is about). The CLI's ``--store``
hooks, the web app and ``neuromoa runs rerun`` all go through :func:`record_outcome` and
:data:`RUNNERS`, so a stored run is re-run by exactly the call that produced it. No FastAPI here:
the CLI imports this module.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from neuromoa.errors import InputError

__all__ = ["RUNNERS", "Outcome", "RerunResult", "batch_status", "record_outcome", "rerun",
           "ephys_frame", "run_analysis"]


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
    from neuromoa.fitting.io import fit_csv

    res = fit_csv(inputs["curves"], **fit_kwargs(params))
    frame = res.to_frame()
    status, message = batch_status(frame["status"])
    fig = _figure_svg(res.plot()) if figure and len(res) else None
    return Outcome(frame, fig, status=status, message=message)


# --- assay --------------------------------------------------------------------------------
def run_assay(inputs: Mapping[str, Path], params: Mapping[str, Any], *,
              figure: bool = False) -> Outcome:
    from neuromoa.assays import analyze_plate

    kw = dict(params)
    kind = kw.pop("kind")
    res = analyze_plate(kind, inputs["plate"], layout=inputs.get("layout"), strict=False, **kw)
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
    flags = list(getattr(res, "flags", []) or [])
    return Outcome(frame, fig, status="warning" if flags else "ok",
                   message="; ".join(flags) or f"{len(frame)} sweeps")


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
