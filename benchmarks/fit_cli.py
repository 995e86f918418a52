"""Benchmark: ``neuromoa fit`` end to end against a plain scipy ``curve_fit`` loop.

What a user would otherwise run, side by side in the same run on the same curves:

* **neuromoa** — ``neuromoa fit curves.csv --json > out.json`` in a new process (interpreter
  start-up, imports, CSV parsing, the compiled fits with SEs/CIs/flags, JSON writing);
* **curve_fit loop** — one ``scipy.optimize.curve_fit`` per curve on the log-space 4PL
  ``y = bottom + (top − bottom)/(1 + 10^((log_ic50 − log10 x)·hill))``, started from the data's
  minimum/maximum (bottom/top), the middle of the log range and hill −1, default tolerances,
  SEs from ``pcov``. The loop runs on a subsample (``--loop`` curves) in this process and its
  rate is extrapolated to all curves (printed as such); it gets no start-up cost.

The CLI takes its fast path (``neuromoa.cli.main``: no typer, rich, pydantic or pandas) and
loads the compiled kernels' machine code without numba's start-up (``neuromoa.fitting._jit``);
the first run of a new checkout compiles them (the untimed warm-up run below).

Both are timed in wall-clock and CPU seconds (the subprocess's CPU from ``getrusage`` of the
children: user + system, all its threads); the ratio is printed for both, each the median of
``--repeat`` runs. The CLI splits the compiled fits and the JSON formatting over the cores
this process may use that the machine's load leaves idle (printed); it is also run with
``NEUROMOA_THREADS=1`` and ``=2``. Threads lower the wall time on idle cores, never the CPU
time (on a busy machine they raise both). The curve_fit loop uses one core. Other load slows
both sides; wall-clock ratios are noisier than CPU-time ratios.

Run: ``PYTHONPATH=src python benchmarks/fit_cli.py [--n 100000] [--loop 3000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

#: Design: ten half-log concentrations, 0.1 nM to 31.6 µM (M) — as benchmarks/fit_speed.py.
CONC = 10.0 ** np.linspace(-10.0, -5.5, 10)
LX = np.log10(CONC)
#: Simulation truth (assumption: a typical inhibition screen, responses in % of control).
LOG_IC50 = (-8.5, -7.0)
HILL = (-1.5, -0.7)
BOTTOM_SD, TOP, TOP_SD, NOISE_SD = 3.0, 100.0, 3.0, 5.0


def simulate(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    b = rng.normal(0.0, BOTTOM_SD, n)[:, None]
    t = rng.normal(TOP, TOP_SD, n)[:, None]
    c = rng.uniform(*LOG_IC50, n)[:, None]
    h = rng.uniform(*HILL, n)[:, None]
    return b + (t - b) / (1.0 + 10.0 ** ((c - LX[None, :]) * h)) + rng.normal(0, NOISE_SD,
                                                                            (n, CONC.size))


def write_csv(path: Path, y: np.ndarray) -> None:
    n = y.shape[0]
    ids = np.repeat(np.char.add("c", np.arange(n).astype(str)), CONC.size)
    conc = np.tile(np.array([repr(float(v)) for v in CONC]), n)
    resp = np.char.mod("%.6g", y.ravel())
    body = "\n".join(",".join(r) for r in zip(ids, conc, resp, strict=True))
    path.write_text("curve,concentration_M,response\n" + body + "\n")


def log4pl(lx, bottom, top, log_ic50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - lx) * hill))


def curve_fit_loop(y: np.ndarray) -> tuple[float, float, int]:
    c0, w0 = time.process_time(), time.perf_counter()
    failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        for row in y:
            p0 = [float(row.min()), float(row.max()), float(LX.mean()), -1.0]
            try:
                p, cov = curve_fit(log4pl, LX, row, p0=p0)
                np.sqrt(np.diag(cov))
            except RuntimeError:
                failed += 1
    return time.process_time() - c0, time.perf_counter() - w0, failed


def run_cli(path: Path, out: Path, via: str = "json", threads: int | None = None
            ) -> tuple[float, float]:
    env = dict(os.environ)
    if threads is not None:
        env["NEUROMOA_THREADS"] = str(threads)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "neuromoa.cli.main", "fit", str(path)]
    if via == "json":
        cmd.append("--json")
    else:  # --out FILE.json (the file is replaced: remove it first)
        out.unlink(missing_ok=True)
        cmd += ["--out", str(out)]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    with open(os.devnull if via == "out" else out, "wb") as fh:
        done = subprocess.run(cmd, env=env, stdout=fh)
    if done.returncode not in (0, 1):  # 1 = some curves failed (listed on stderr), JSON complete
        raise SystemExit(f"neuromoa fit exited with {done.returncode}")
    wall = time.perf_counter() - w0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="curves in the CSV")
    ap.add_argument("--loop", type=int, default=3000, help="curves of the curve_fit loop "
                    "(subsample; its rate is extrapolated)")
    ap.add_argument("--repeat", type=int, default=3, help="CLI runs (the median is reported)")
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--via", choices=("json", "out"), default="json",
                    help="JSON on stdout (--json) or into a file (--out FILE.json)")
    a = ap.parse_args()
    y = simulate(a.n, a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "curves.csv", Path(tmp) / "out.json"
        write_csv(path, y)
        small = Path(tmp) / "small.csv"
        write_csv(small, y[:10])
        run_cli(small, out, a.via)  # first run: fills the numba cache (not timed)
        runs = [run_cli(path, out, a.via) for _ in range(max(a.repeat, 1))]
        one = [run_cli(path, out, a.via, threads=1) for _ in range(max(a.repeat, 1))]
        two = [run_cli(path, out, a.via, threads=2) for _ in range(max(a.repeat, 1))]
        fits = json.loads(out.read_text())["fits"]
        assert len(fits) == a.n, len(fits)
        status = {s: sum(f["status"] == s for f in fits) for s in ("ok", "warning", "failed")}
        start = [run_cli(small, out, a.via) for _ in range(max(a.repeat, 1))]
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    cpu1 = statistics.median(r[0] for r in one)
    wall1 = statistics.median(r[1] for r in one)
    cpu2 = statistics.median(r[0] for r in two)
    wall2 = statistics.median(r[1] for r in two)
    s_cpu = statistics.median(r[0] for r in start)
    s_wall = statistics.median(r[1] for r in start)
    m = min(a.loop, a.n)
    loops = [curve_fit_loop(y[:m]) for _ in range(max(a.repeat, 1))]
    l_cpu = statistics.median(r[0] for r in loops)
    l_wall = statistics.median(r[1] for r in loops)
    failed = loops[0][2]
    rate_cpu, rate_wall = m / l_cpu, m / l_wall
    print(f"design: {a.n:,} ten-point 4PL curves (concentrations {CONC[0]:.0e}–{CONC[-1]:.1e} M, "
          f"noise SD {NOISE_SD}); CSV {path.name} with columns curve,concentration_M,response")
    from neuromoa.fitting._threads import workers

    print(f"cores: {os.cpu_count()} on the machine, {workers()} used now by the CLI's compiled "
          f"fits and JSON formatting (threads: the idle cores at the load average, unless "
          f"NEUROMOA_THREADS), 1 by the curve_fit loop; load average {os.getloadavg()[0]:.1f}")
    print(f"neuromoa fit FILE {'--json' if a.via == 'json' else '--out FILE.json'} (new process, median of {len(runs)}): {wall:.2f} s wall "
          f"= {a.n / wall:,.0f} curves/s; {cpu:.2f} s CPU = {a.n / cpu:,.0f} curves/s  "
          f"(status {status})")
    print(f"   of which start-up (a 10-curve file): {s_wall:.2f} s wall, {s_cpu:.2f} s CPU; "
          f"beyond it {a.n / max(cpu - s_cpu, 1e-9):,.0f} curves/s CPU")
    print(f"curve_fit loop (log-space 4PL, start min/max, default tolerances) on {m:,} of the "
          f"curves (median of {len(loops)}), extrapolated to {a.n:,}: {rate_wall:,.0f} curves/s wall "
          f"({a.n / rate_wall:.1f} s), {rate_cpu:,.0f} curves/s CPU ({a.n / rate_cpu:.1f} s); "
          f"{failed} failed")
    print(f"NEUROMOA_THREADS=1 (median of {len(one)}): {wall1:.2f} s wall, {cpu1:.2f} s CPU; "
          f"NEUROMOA_THREADS=2: {wall2:.2f} s wall, {cpu2:.2f} s CPU")
    print(f"ratio (neuromoa CLI / curve_fit loop): {rate_wall and (a.n / wall) / rate_wall:.1f}x "
          f"wall, {(a.n / cpu) / rate_cpu:.1f}x CPU (default threads); one thread "
          f"{(a.n / wall1) / rate_wall:.1f}x wall, {(a.n / cpu1) / rate_cpu:.1f}x CPU; two threads "
          f"{(a.n / wall2) / rate_wall:.1f}x wall, {(a.n / cpu2) / rate_cpu:.1f}x CPU")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other processes slow both sides; "
          "the CPU-time ratio is the steadier figure)")


if __name__ == "__main__":
    main()
