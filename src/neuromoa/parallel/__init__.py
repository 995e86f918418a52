"""Map a pure chunk function over partitions, in-process or on a Dask scheduler.

One code path (STYLE habit 16): :func:`map_chunks` calls ``func(chunk)`` directly when no
scheduler is given, or submits the same module-level function to Dask (``"local"``: a
``LocalCluster`` of worker processes on this machine; ``"tcp://host:8786"``: an existing
scheduler). Results come back in the order of ``chunks``. Knows no science.

The Nanny's ``MALLOC_TRIM_THRESHOLD_`` trap
-----------------------------------------
Dask's Nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` (``distributed.nanny.pre-spawn-environ``) so
that glibc hands freed memory back to the OS in worker processes. glibc reads the variable only
when a process starts, so the Nanny writes it into *its own* ``os.environ`` before spawning the
worker. With a ``LocalCluster`` the Nanny lives in the caller's process: from then on every
subprocess the caller starts (a benchmark's baseline, a later CLI call) silently inherits the
setting, and timings and memory figures of "in-process" runs are no longer comparable. Setting it
through ``distributed.nanny.environ`` instead is ineffective (applied after spawn). ``map_chunks``
therefore restores the caller's environment after the cluster has started (workers keep their
trimmed allocator; the caller's process and its children stay as they were).

The same code everywhere
------------------------
"Same input, same bytes on 1 or N workers" holds only if every process runs the same neuromoa.
A process keeps the code it imported; a worker started later imports what is on disk *then*.
When the installation changes during a run (an upgrade, a ``git merge`` in an editable
checkout), the driver, an earlier in-process run and the workers silently disagree — this is
what made the 10⁷-curve comparison of in-process vs LocalCluster differ in a few part files
(the fitter gained a slope-limit refit between the two runs). :func:`code_fingerprint` is a
sha256 over the package's files, taken once per process when it first needs it (the
caller at the start of a scheduled map or a Parquet fit, a worker before its first chunk);
:func:`map_chunks` asks every Dask worker for it and refuses to run on workers whose code
differs from the caller's (:class:`SchedulerError`), and chunk functions that write files
record it (``neuromoa.fitting.scaleout`` puts it in each part's Parquet metadata).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from neuromoa.errors import NeuromoaError

__all__ = ["LOCAL_WORKERS", "SchedulerError", "code_fingerprint", "dask_client",
           "fingerprint_tree", "map_chunks"]

T = TypeVar("T")

#: Workers of a ``"local"`` cluster (one single-threaded process per core of the 2-core target).
LOCAL_WORKERS = 2
#: Seconds to wait for a ``tcp://`` scheduler before reporting that it does not answer.
CONNECT_TIMEOUT_S = 10
_TRAP = "MALLOC_TRIM_THRESHOLD_"


class SchedulerError(NeuromoaError, RuntimeError):
    """The scheduler address is malformed, does not answer, or Dask is not installed."""


def fingerprint_tree(root: str | Path) -> str:
    """sha256 over every file below ``root`` (relative path and bytes; ``__pycache__`` and
    compiled files skipped), in sorted order."""
    root = Path(root)
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or "__pycache__" in rel.parts or p.suffix in (".pyc", ".pyo", ".nbi",
                                                                         ".nbc"):
            continue
        h.update(rel.as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The fingerprint of the neuromoa package as this process first saw it (see the module
    docstring); computed once per process (~0.1–0.5 s), then cached."""
    return fingerprint_tree(Path(__file__).resolve().parent.parent)



def _check_workers(client: Any) -> None:
    """Refuse workers whose neuromoa differs from this process's (same input, same bytes)."""
    mine = code_fingerprint()
    theirs = client.run(code_fingerprint)
    bad = {w: f for w, f in theirs.items() if f != mine}
    if bad:
        w, f = next(iter(sorted(bad.items())))
        raise SchedulerError(
            f"{len(bad)} of {len(theirs)} Dask workers run different neuromoa code than this "
            f"process (worker {w}: {f[:12]}, here: {mine[:12]}); the installation changed "
            "during the run or the workers have another version. Restart the workers (and "
            "this process) on one installation.")


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise SchedulerError("a Dask scheduler needs the [distributed] extra: "
                             "pip install 'neuromoa[distributed]'") from None
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: str, *, n_workers: int = LOCAL_WORKERS) -> Iterator[Any]:
    """A ``distributed.Client`` for ``"local"`` (a new LocalCluster, closed on exit) or a
    ``tcp://``/``tls://`` scheduler address."""
    distributed = _import_distributed()
    if scheduler == "local":
        before = os.environ.get(_TRAP)
        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                           processes=True, dashboard_address=":0",  # no fixed port
                                           silence_logs=logging.ERROR)
        # the Nanny wrote MALLOC_TRIM_THRESHOLD_ into this process's environment: restore it
        if before is None:
            os.environ.pop(_TRAP, None)
        else:
            os.environ[_TRAP] = before
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise SchedulerError(f"scheduler {scheduler!r}: give 'local' or an address such as "
                             "tcp://host:8786.")
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"the Dask scheduler at {scheduler} does not answer "
                             f"({type(exc).__name__} after {CONNECT_TIMEOUT_S} s); start one "
                             "with `dask scheduler` or use --scheduler local.") from None
    except ValueError as exc:
        raise SchedulerError(f"scheduler {scheduler!r}: {exc}") from None
    with client:
        yield client


def map_chunks(func: Callable[..., T], chunks: Iterable[Any], scheduler: str | Any | None = None,
               *, n_workers: int = LOCAL_WORKERS, **kwargs: Any) -> list[T]:
    """``[func(chunk, **kwargs) for chunk in chunks]``, in-process or on Dask.

    Parameters
    ----------
    func : callable
        A pure, module-level function (workers import it by name).
    chunks : iterable
        Small descriptions of the partitions (paths, row-group ranges, seeds), not the data.
    scheduler : None, "local", "tcp://host:port", or a ``distributed.Client``
        ``None`` runs in this process. On Dask, every worker must run the same neuromoa as
        this process (:func:`code_fingerprint`), else :class:`SchedulerError`.
    """
    items: Sequence[Any] = list(chunks)
    if scheduler is None:
        return [func(c, **kwargs) for c in items]
    if not isinstance(scheduler, str):  # an existing Client
        _check_workers(scheduler)
        futures = scheduler.map(func, items, pure=False, **kwargs)
        return scheduler.gather(futures)
    with dask_client(scheduler, n_workers=n_workers) as client:
        _check_workers(client)
        futures = client.map(func, items, pure=False, **kwargs)
        return client.gather(futures)
