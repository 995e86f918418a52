"""Benchmark: storing 10^5 fits in the results store (SQL metadata + Parquet) vs a SQL table.

Fits ``--n`` simulated ten-point curves (timed apart), then in the same run:

1. ``Store.record_run``: the input CSV kept verbatim (sha256), the 10^5-row result table as
   one Parquet blob referenced by checksum, one transaction of metadata rows;
2. the alternative a user would otherwise write: ``DataFrame.to_sql`` of the same table into a
   table of the same database (one row per fit, executemany);
3. reading the results back both ways.

Run: ``python benchmarks/store_bulk.py [--n 100000] [--db URL]`` (default: a temporary SQLite).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: The issue's target for storing 10^5 fits (SQL metadata + Parquet), seconds.
TARGET_S = 10.0


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    conc = np.logspace(-1, 3.5, 10)
    ic50 = 10 ** rng.uniform(0, 2.5, n)
    x = np.tile(conc, n)
    y = 100 / (1 + x / np.repeat(ic50, 10)) + rng.normal(0, 4, 10 * n)
    return pd.DataFrame({"curve": np.repeat(np.arange(n), 10), "concentration_nM": x,
                         "response": y})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    from sqlalchemy import text

    from neuromoa.fitting import fit_curves
    from neuromoa.store import Store

    with tempfile.TemporaryDirectory(prefix="neuromoa-store-bench-") as tmp:
        tmp = Path(tmp)
        curves = simulate(args.n)
        csv = tmp / "curves.csv"
        curves.to_csv(csv, index=False)
        t = time.perf_counter()
        fits = fit_curves(curves.rename(columns={"concentration_nM": "concentration"}),
                          unit="nM").to_frame()
        print(f"fitted {len(fits):,} curves in {time.perf_counter() - t:.1f} s (not counted)")
        url = args.db or f"sqlite:///{tmp / 'store.db'}"
        store = Store(url, blob_dir=tmp / "blobs")
        t = time.perf_counter()
        run_id = store.record_run("fit", parameters={"model": "4pl", "unit": "nM"},
                                  inputs={"curves": csv}, results=fits)
        t_store = time.perf_counter() - t
        print(f"Store.record_run (input {csv.stat().st_size / 1e6:.1f} MB verbatim + "
              f"{len(fits):,} fits as Parquet + SQL metadata): {t_store:.2f} s "
              f"(target <= {TARGET_S:.0f} s: {'met' if t_store <= TARGET_S else 'NOT met'})")
        t = time.perf_counter()
        fits.to_sql("fits_table", store.engine, if_exists="replace", index=False,
                    chunksize=10_000)  # executemany: pandas' fastest path on SQLite
        t_sql = time.perf_counter() - t
        print(f"DataFrame.to_sql, one row per fit: {t_sql:.2f} s")
        print(f"ratio (to_sql / store): {t_sql / t_store:.1f}x")
        t = time.perf_counter()
        back = store.results(run_id)
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        back_sql = pd.read_sql(text("SELECT * FROM fits_table"), store.engine)
        t_read_sql = time.perf_counter() - t
        print(f"read back: store {t_read:.2f} s, SQL table {t_read_sql:.2f} s; "
              f"store frame identical: {back.equals(fits)}; SQL rows {len(back_sql):,}")


if __name__ == "__main__":
    main()
