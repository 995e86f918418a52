"""Benchmark: fitting a Parquet screen on a Dask LocalCluster (2 workers) vs in-process.

Same input file, same partitions (row groups of whole curves), same chunk function
(:func:`neuromoa.fitting.scaleout.fit_partition`), in the same run:

1. in-process (``scheduler=None``) in a fresh subprocess: wall time, peak RSS;
2. LocalCluster of 2 single-threaded worker processes: wall time with and without cluster
   start-up, peak RSS of each worker;
3. identical results: every part file byte-for-byte equal, made by the same neuromoa code
   (the code fingerprint each part records; the cluster refuses workers with other code).

Run: ``python benchmarks/scaleout_fit.py [--curves 1000000] [--per-group 100000]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: Points per simulated curve (a ten-point half-log dilution series, the fitter benchmark's).
POINTS = 10


def make_file(path: Path, n: int, per_group: int, seed: int = 0) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    conc = np.logspace(-1, 3.5, POINTS)
    schema = pa.schema([("curve", pa.int64()), ("concentration_nM", pa.float64()),
                        ("response", pa.float64())])
    with pq.ParquetWriter(path, schema, compression="zstd") as w:
        for start in range(0, n, per_group):
            m = min(per_group, n - start)
            ic50 = 10 ** rng.uniform(0, 2.5, m)
            hill = rng.uniform(0.7, 1.5, m)
            x = np.tile(conc, m)
            y = 100 / (1 + (x / np.repeat(ic50, POINTS)) ** np.repeat(hill, POINTS))
            y += rng.normal(0, 4, y.size)
            t = pa.table({"curve": np.repeat(np.arange(start, start + m), POINTS),
                          "concentration_nM": x, "response": y}, schema=schema)
            w.write_table(t, row_group_size=len(t))


_INPROC = """
import json, resource, sys, time
from neuromoa.fitting.scaleout import fit_parquet
t = time.perf_counter()
r = fit_parquet(sys.argv[1], sys.argv[2])
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"s": time.perf_counter() - t, "n": r.n_curves, "parts": r.n_partitions,
                  "rss_MB": u.ru_maxrss / 1024, "cpu_s": u.ru_utime + u.ru_stime}))
"""


def _usage() -> tuple[float, float]:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_maxrss / 1024, u.ru_utime + u.ru_stime


def _digest(folder: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))]


def _codes(folder: Path) -> list[str]:
    """The distinct code fingerprints recorded in a folder's part files."""
    import pyarrow.parquet as pq

    from neuromoa.fitting.scaleout import CODE_KEY

    return sorted({(pq.read_schema(p).metadata or {}).get(CODE_KEY, b"?").decode()
                   for p in folder.glob("*.parquet")})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--curves", type=int, default=1_000_000)
    ap.add_argument("--per-group", type=int, default=100_000)
    args = ap.parse_args()
    from neuromoa.fitting.scaleout import fit_parquet
    from neuromoa.parallel import dask_client

    with tempfile.TemporaryDirectory(prefix="neuromoa-scaleout-") as tmp:
        tmp = Path(tmp)
        src = tmp / "curves.parquet"
        t = time.perf_counter()
        make_file(src, args.curves, args.per_group)
        print(f"input: {args.curves:,} curves x {POINTS} points, "
              f"{src.stat().st_size / 1e6:.0f} MB Parquet, row groups of {args.per_group:,} "
              f"curves (written in {time.perf_counter() - t:.1f} s)")
        proc = subprocess.run([sys.executable, "-c", _INPROC, str(src), str(tmp / "a")],
                              capture_output=True, text=True, check=True)
        a = json.loads(proc.stdout)
        print(f"in-process: {a['s']:.1f} s ({a['n'] / a['s']:,.0f} curves/s), "
              f"{a['parts']} partitions, peak RSS {a['rss_MB']:.0f} MB, CPU {a['cpu_s']:.1f} s")
        t0 = time.perf_counter()
        with dask_client("local", n_workers=2) as client:
            t1 = time.perf_counter()
            b = fit_parquet(src, tmp / "b", scheduler=client)
            t2 = time.perf_counter()
            usage = client.run(_usage)
        total = time.perf_counter() - t0
        fit_s = t2 - t1
        print(f"LocalCluster(2 workers): {fit_s:.1f} s fitting ({b.n_curves / fit_s:,.0f} "
              f"curves/s), {total:.1f} s with cluster start/stop; per worker peak RSS / CPU: "
              + ", ".join(f"{m:.0f} MB / {c:.1f} s" for m, c in usage.values()))
        print(f"CPU available: os.getloadavg() = {os.getloadavg()} on {os.cpu_count()} cores "
              "(other processes share them: wall-time speed-up is bounded by free cores)")
        print(f"speed-up (fitting): {a['s'] / fit_s:.2f}x; with start-up: {a['s'] / total:.2f}x")
        da, db = _digest(tmp / "a"), _digest(tmp / "b")
        same = da == db
        codes = [_codes(tmp / x) for x in ("a", "b")]
        print("neuromoa code fingerprint of the parts: in-process "
              f"{', '.join(c[:12] for c in codes[0])}; cluster {', '.join(c[:12] for c in codes[1])}"
              + ("" if codes[0] == codes[1] else " — DIFFERENT CODE (the checkout changed "
                 "between the two runs)"))
        print(f"identical results (every part file byte-equal): {same}")
        if not same:
            import pandas as pd

            bad = [k for k, (x, y) in enumerate(zip(da, db, strict=True)) if x != y]
            print(f"parts that differ: {bad}")
            for k in bad[:3]:
                fa = pd.read_parquet(tmp / "a" / f"part-{k:05d}.parquet")
                fb = pd.read_parquet(tmp / "b" / f"part-{k:05d}.parquet")
                diff = ~((fa == fb) | (fa.isna() & fb.isna()))
                rows = diff.any(axis=1)
                print(f"part {k}: {int(rows.sum())} rows differ, in columns "
                      f"{list(diff.columns[diff.any()])}")
                print(pd.concat([fa[rows].head(3), fb[rows].head(3)]).to_string())
            raise SystemExit(1)


if __name__ == "__main__":
    main()
