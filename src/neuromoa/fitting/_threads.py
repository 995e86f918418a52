"""Both cores for the compiled loops: a range of independent items split into contiguous parts
run on threads (the compiled functions release the GIL, ``nogil=True``). Each item's result
does not depend on the split, so the output is the same with one thread or several.

The number of threads is the environment variable ``NEUROMOA_THREADS`` when set (``1`` = no
threads; at most the CPUs this process may use, ``os.sched_getaffinity``), else the CPUs this
process may use that other work leaves idle (the CPUs minus the one-minute load average, at
least one). On a busy machine a second
thread only competes with the other jobs for the same cores: measured on 2 shared cores at load
average ~8, ``neuromoa fit`` on 100,000 curves took 6.6 s wall / 2.1 s CPU with two threads and
4.8 s wall / 1.5 s CPU with one (``benchmarks/fit_cli.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["PARALLEL_MIN", "split_map", "workers"]

#: Fewest items worth a thread each (assumption: below ~5,000 curves a thread's start-up
#: and the split cost more than they save).
PARALLEL_MIN = 5000


def workers() -> int:
    """Threads to use: ``NEUROMOA_THREADS`` when set (at most the CPUs available to this
    process), else the available CPUs that the machine's other work (one-minute load average)
    leaves idle, at least one."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    cap = os.environ.get("NEUROMOA_THREADS", "").strip()
    if cap.isdigit() and int(cap) > 0:
        return max(min(n, int(cap)), 1)
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        busy = 0.0
    return max(min(n, int(n - busy + 0.5)), 1)


def split_map(fn: Callable[[int, int], object], n: int) -> list:
    """``[fn(a, b) for each contiguous part [a, b) of range(n)]``, the parts on threads."""
    k = min(workers(), max(n // PARALLEL_MIN, 1))
    if k <= 1:
        return [fn(0, n)]
    bounds = [n * i // k for i in range(k + 1)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=k) as pool:
        futs = [pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(k)]
        return [f.result() for f in futs]
