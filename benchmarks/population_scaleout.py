"""Benchmark: a virtual population on a Dask LocalCluster (2 workers) vs in-process.

Same population, same chunks (whole blocks of patients with per-block ``SeedSequence``
children), same chunk function (:func:`neuromoa.exposure.population.simulate_chunk`), in the
same run:

1. in-process (``scheduler=None``) in a fresh subprocess: wall time, peak RSS;
2. LocalCluster of 2 single-threaded worker processes: wall time with and without cluster
   start-up, peak RSS of each worker;
3. identical results: the same rows (``DataFrame.equals``) and the same Parquet bytes.

Run: ``python benchmarks/population_scaleout.py [--n 1000000] [--dose "75 mg"] [--every 24h]``.
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

_INPROC = """
import json, resource, sys, time
from neuromoa.data.compounds import flagship_compound
from neuromoa.exposure import Regimen
from neuromoa.exposure.population import PopulationSpec, simulate_population
spec = PopulationSpec(compound=flagship_compound(), n=int(sys.argv[1]),
                      regimen=Regimen.parse(sys.argv[2], every=sys.argv[3]))
t = time.perf_counter()
df = simulate_population(spec, int(sys.argv[4]))
s = time.perf_counter() - t
df.to_parquet(sys.argv[5], index=False)
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"s": s, "rows": len(df), "cols": df.shape[1], "rss_MB": u.ru_maxrss / 1024,
                  "cpu_s": u.ru_utime + u.ru_stime}))
"""


def _usage() -> tuple[float, float]:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_maxrss / 1024, u.ru_utime + u.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dose", default="75 mg")
    ap.add_argument("--every", default="24h")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import pandas as pd

    from neuromoa.data.compounds import flagship_compound
    from neuromoa.exposure import Regimen
    from neuromoa.exposure.population import PopulationSpec, chunks, simulate_population
    from neuromoa.parallel import dask_client

    spec = PopulationSpec(compound=flagship_compound(), n=args.n,
                          regimen=Regimen.parse(args.dose, every=args.every))
    print(f"population: {args.n:,} patients, {spec.compound} {args.dose} every {args.every}, "
          f"seed {args.seed}, {len(chunks(spec))} chunks")
    with tempfile.TemporaryDirectory(prefix="neuromoa-popscale-") as tmp:
        tmp = Path(tmp)
        proc = subprocess.run([sys.executable, "-c", _INPROC, str(args.n), args.dose, args.every,
                               str(args.seed), str(tmp / "a.parquet")],
                              capture_output=True, text=True, check=True)
        a = json.loads(proc.stdout)
        print(f"in-process: {a['s']:.1f} s ({a['rows'] / a['s']:,.0f} patients/s), "
              f"{a['rows']:,} rows x {a['cols']} columns, peak RSS {a['rss_MB']:.0f} MB, "
              f"CPU {a['cpu_s']:.1f} s")
        t0 = time.perf_counter()
        with dask_client("local", n_workers=2) as client:
            t1 = time.perf_counter()
            b = simulate_population(spec, args.seed, scheduler=client)
            t2 = time.perf_counter()
            usage = client.run(_usage)
        total = time.perf_counter() - t0
        sim_s = t2 - t1
        print(f"LocalCluster(2 workers): {sim_s:.1f} s simulating and gathering "
              f"({len(b) / sim_s:,.0f} patients/s), {total:.1f} s with cluster start/stop; "
              "per worker peak RSS / CPU: "
              + ", ".join(f"{m:.0f} MB / {c:.1f} s" for m, c in usage.values()))
        print(f"CPU available: os.getloadavg() = {os.getloadavg()} on {os.cpu_count()} cores "
              "(other processes share them: wall-time speed-up is bounded by free cores)")
        print(f"speed-up: {a['s'] / sim_s:.2f}x; with start-up: {a['s'] / total:.2f}x")
        b.to_parquet(tmp / "b.parquet", index=False)
        same_rows = pd.read_parquet(tmp / "a.parquet").equals(b)
        ha, hb = (hashlib.sha256((tmp / f).read_bytes()).hexdigest()
                  for f in ("a.parquet", "b.parquet"))
        print(f"identical results: same rows {same_rows}; same Parquet bytes {ha == hb} "
              f"(sha256 {ha[:16]}…)")
        if not (same_rows and ha == hb):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
