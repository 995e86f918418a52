"""Fit a Parquet dataset of curves partition by partition, in-process or on a Dask cluster.

:func:`fit_parquet` splits the input into partitions of whole row groups and maps one pure,
module-level chunk function (:func:`fit_partition`) over them with
:func:`neuromoa.parallel.map_chunks`: directly in this process without a scheduler, or on Dask
workers (``"local"`` or ``"tcp://host:port"``). Each call reads its row groups, runs the compiled
batch fitter (:func:`~neuromoa.fitting.fit_curves`) and writes its own part file, so the output
is a Parquet dataset (a folder of ``part-NNNNN.parquet``) that pandas reads as one table. The
same partitions give the same bytes on 1 or N workers.

Input layout: one row per point, columns ``curve``, ``concentration_<unit>`` (or
``concentration`` with ``unit=``), ``response`` [, ``weight``], all points of a curve
contiguous and never split across row groups (:func:`write_curves_parquet` writes such files).
On a cluster, input and output paths must be visible to every worker (a shared file system).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, InputError, UnitError

__all__ = ["ScaleoutFit", "fit_parquet", "fit_partition", "write_curves_parquet"]

#: Row groups per partition when the caller does not choose: one (a row group is the unit a
#: worker reads; write_curves_parquet sizes them).
DEFAULT_GROUPS_PER_PARTITION = 1
#: Curves per row group written by write_curves_parquet (~1e6 rows of 10-point curves: a few
#: tens of MB per worker task).
DEFAULT_CURVES_PER_GROUP = 100_000

#: Parquet metadata key of each part file: the neuromoa code fingerprint that made it.
CODE_KEY = b"neuromoa.code"

_CONC = re.compile(r"^concentration(?:_(.+))?$", re.IGNORECASE)


def _pq():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Parquet files need pyarrow: pip install 'neuromoa[store]'") from None
    return pq


def write_curves_parquet(frame: pd.DataFrame, path: str | Path, *,
                         curves_per_group: int = DEFAULT_CURVES_PER_GROUP) -> Path:
    """Write a tidy curve table as Parquet with row groups holding whole curves.

    ``frame`` must have its points grouped by ``curve`` (e.g. sorted by it)."""
    import pyarrow as pa

    pq = _pq()
    path = Path(path)
    ids = frame["curve"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    bounds = list(starts[::curves_per_group]) + [len(frame)]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            writer.write_table(table.slice(a, b - a), row_group_size=b - a)
    return path


def _columns(schema_names: list[str], unit: str | None, file: str) -> tuple[str, str]:
    """The concentration column and its unit."""
    from neuromoa.units import parse_quantity

    for name in schema_names:
        m = _CONC.match(name)
        if m:
            u = m.group(1) or unit
            if u is None:
                raise DataFileError("the 'concentration' column has no unit; name it "
                                    "concentration_nM or give unit=/--unit.", file=file,
                                    field=name)
            q = parse_quantity(f"1 {u}", f"{file}, column {name}")
            if not q.check("[substance]/[length]**3"):
                raise UnitError(f"{file}, column {name}: {u!r} is not a molar concentration.")
            return name, u
    raise DataFileError(f"no concentration column (concentration_nM, or concentration with "
                        f"--unit); the columns are {schema_names}.", file=file)


def fit_partition(task: dict[str, Any]) -> dict[str, Any]:
    """Fit the curves of some row groups and write them as one part file (the chunk function).

    ``task``: ``path``, ``groups`` (row-group indices), ``out`` (folder), ``index`` (part
    number), ``model``, ``unit``, ``conc`` (column), ``kwargs`` (for fit_curves), ``code``
    (the caller's :func:`~neuromoa.parallel.code_fingerprint`: a process running other
    neuromoa code refuses the task, and the part file records the fingerprint it was made
    with under the Parquet metadata key ``neuromoa.code``)."""
    from neuromoa.parallel import SchedulerError, code_fingerprint

    mine = code_fingerprint()
    if task.get("code", mine) != mine:
        raise SchedulerError(f"partition {task['index']}: this process runs different neuromoa "
                             f"code ({mine[:12]}) than the caller ({task['code'][:12]}); the "
                             "installation changed during the run or the workers have another "
                             "version. Restart them on one installation.")
    from neuromoa.fitting.engine import fit_curves

    pq = _pq()
    pf = pq.ParquetFile(task["path"])
    cols = [c for c in ("curve", task["conc"], "response", "weight")
            if c in pf.schema_arrow.names]
    frame = pf.read_row_groups(task["groups"], columns=cols).to_pandas()
    frame = frame.rename(columns={task["conc"]: "concentration"})
    res = fit_curves(frame, task["model"], unit=task["unit"], **task["kwargs"])
    out = res.to_frame()
    part = Path(task["out"]) / f"part-{task['index']:05d}.parquet"
    import pyarrow as pa

    table = pa.Table.from_pandas(out, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           CODE_KEY: mine.encode()})
    pq.write_table(table, part, compression="zstd")
    ids = out["curve"]
    return {"index": task["index"], "path": str(part), "n_curves": len(out), "code": mine,
            "first": str(ids.iloc[0]) if len(out) else None,
            "last": str(ids.iloc[-1]) if len(out) else None,
            "status": out["status"].value_counts().to_dict()}


@dataclasses.dataclass(frozen=True)
class ScaleoutFit:
    """Result of :func:`fit_parquet`: where the fits went and how many."""

    out: Path
    n_curves: int
    n_partitions: int
    scheduler: str
    status: dict[str, int]
    parts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["out"] = str(self.out)
        return d

    def to_frame(self) -> pd.DataFrame:
        """All fits in one table (reads every part)."""
        return pd.concat([pd.read_parquet(p) for p in self.parts], ignore_index=True)


def fit_parquet(path: str | Path, out: str | Path, *, scheduler: Any = None,
                model: str = "4pl", unit: str | None = None,
                groups_per_partition: int = DEFAULT_GROUPS_PER_PARTITION,
                **fit_kwargs: Any) -> ScaleoutFit:
    """Fit every curve of a Parquet file; write the fits as a Parquet dataset folder ``out``.

    Parameters
    ----------
    path : Parquet file (see the module docstring for its layout).
    out : a new folder (refused if it exists and is not empty: nothing is overwritten).
    scheduler : None (in-process), "local", "tcp://host:port", or a distributed.Client.
    model, unit, fit_kwargs : as :func:`~neuromoa.fitting.fit_curves`.
    """
    from neuromoa.parallel import code_fingerprint, map_chunks

    pq = _pq()
    path, out = Path(path), Path(out)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for non-Parquet bytes
        raise DataFileError(f"not a readable Parquet file ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}).",
                            file=str(path)) from None
    names = pf.schema_arrow.names
    for need in ("curve", "response"):
        if need not in names:
            raise DataFileError(f"no '{need}' column; the columns are {names}.", file=str(path))
    conc, used_unit = _columns(names, unit, str(path))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} exists; give a new folder for the fits (nothing is "
                         "overwritten).")
    out.mkdir(parents=True, exist_ok=True)
    n_groups = pf.metadata.num_row_groups
    step = max(1, int(groups_per_partition))
    tasks = [{"path": str(path.resolve()), "groups": list(range(g, min(g + step, n_groups))),
              "out": str(out.resolve()), "index": k, "model": model, "unit": used_unit,
              "conc": conc, "kwargs": fit_kwargs, "code": code_fingerprint()}
             for k, g in enumerate(range(0, n_groups, step))]
    try:
        parts = map_chunks(fit_partition, tasks, scheduler)
        for a, b in zip(parts[:-1], parts[1:], strict=False):
            if a["last"] is not None and a["last"] == b["first"]:
                raise DataFileError(
                    f"curve {a['last']!r} is split between row groups of partitions "
                    f"{a['index']} and {b['index']}; write the file with whole curves per row "
                    "group (neuromoa.fitting.scaleout.write_curves_parquet).", file=str(path))
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    status: dict[str, int] = {}
    for p in parts:
        for k, v in p["status"].items():
            status[k] = status.get(k, 0) + int(v)
    name = scheduler if isinstance(scheduler, str) or scheduler is None else "client"
    return ScaleoutFit(out, sum(p["n_curves"] for p in parts), len(parts),
                       str(name or "in-process"), status, tuple(p["path"] for p in parts))
