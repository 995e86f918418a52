"""Both cores for the compiled loops: a range of independent items split into contiguous parts
run on threads (the compiled functions release the GIL, ``nogil=True``). Each item's result
does not depend on the split, so the output is the same with one thread or several.

The number of threads is the CPUs this process may use (``os.sched_getaffinity``), capped by
the environment variable ``NEUROMOA_THREADS`` (``1`` = no threads).
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["PARALLEL_MIN", "split_map", "workers"]

#: Fewest items worth a thread each (assumption: below ~5,000 curves a thread's start-up
#: and the split cost more than they save).
PARALLEL_MIN = 5000


def workers() -> int:
    """Threads to use: the CPUs available to this process, capped by NEUROMOA_THREADS."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    cap = os.environ.get("NEUROMOA_THREADS", "").strip()
    if cap.isdigit() and int(cap) > 0:
        n = min(n, int(cap))
    return max(n, 1)


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
