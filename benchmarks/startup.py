"""Start-up time of the ``neuromoa`` command: a new process each time, repeated, median.

Side by side: the lazy CLI (a command's module is imported only when it runs) and the eager
alternative (every command module registered first, as the CLI did before), plus a bare
``python -c pass`` for the interpreter's own floor; ``neuromoa fit`` on a 10-curve canonical CSV
by the fast path (no typer, rich, pydantic, pandas or numba start-up) beside the same command
through the typer app. Wall-clock and CPU seconds (user + system of the child, all threads) are
both printed, with the load average: on a shared machine the wall time is the noisier.
Targets (DESIGN.md): ``--help`` and ``--version`` <= 0.3 s; a small ``engage`` <= 0.8 s.

    python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
NEUROMOA = shutil.which("neuromoa", path=str(BIN)) or "neuromoa"
EAGER = ("import sys; from neuromoa.cli.main import _register_all, app; _register_all([]); "
         "sys.argv = ['neuromoa', *sys.argv[1:]]; app()")
#: The typer app without the fast path of ``neuromoa fit FILE.csv --json``.
TYPER = "import sys; from neuromoa.cli.main import app; sys.argv = ['neuromoa', *sys.argv[1:]]; app()"
#: The 10-curve canonical CSV of the fit cases (CSV text; written to a temporary folder).
SMALL_CSV = "curve,concentration_nM,response\n" + "".join(
    f"c{i},{c},{100 / (1 + (c / (3 + i)) ** 0.9):.4f}\n"
    for i in range(10) for c in (0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000))
SMALL = "{small}"  # replaced by the file's path in main()
#: (label, command, target in s or None)
CASES = [
    ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"], None),
    ("neuromoa --help", [NEUROMOA, "--help"], 0.3),
    ("  eager registration, --help", [sys.executable, "-c", EAGER, "--help"], None),
    ("neuromoa --version", [NEUROMOA, "--version"], 0.3),
    ('neuromoa engage --compound amitriptyline --conc "3.45 nM"',
     [NEUROMOA, "engage", "--compound", "amitriptyline", "--conc", "3.45 nM"], 0.8),
    ("  eager registration, same engage",
     [sys.executable, "-c", EAGER, "engage", "--compound", "amitriptyline", "--conc", "3.45 nM"],
     None),
    ("neuromoa fit small.csv --json (fast path)", [NEUROMOA, "fit", SMALL, "--json"], None),
    ("  the same through the typer app", [sys.executable, "-c", TYPER, "fit", SMALL, "--json"], None),
]


def median_time(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=True)  # warm the OS and compiled caches
    walls, cpus = [], []
    for _ in range(repeat):
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - t0)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="neuromoa-startup-"))
    small = tmp / "small.csv"
    small.write_text(SMALL_CSV)
    cases = [(label, [str(small) if c == SMALL else c for c in cmd], target)
             for label, cmd, target in CASES]
    results = {}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of "
          f"{args.repeat} runs")
    print(f"{'command':<62} {'wall s':>7} {'CPU s':>6} {'target':>7}")
    for label, cmd, target in cases:
        t, cpu = median_time(cmd, args.repeat)
        results[label] = t
        verdict = "" if target is None else f"{target:>6.1f}  {'ok' if t <= target else 'MISSED'}"
        print(f"{label:<62} {t:7.3f} {cpu:6.3f} {verdict}")
    lazy, eager = results["neuromoa --help"], results["  eager registration, --help"]
    print(f"--help: eager / lazy = {eager / lazy:.1f}x")
    lazy_e = results['neuromoa engage --compound amitriptyline --conc "3.45 nM"']
    print(f"engage: eager / lazy = {results['  eager registration, same engage'] / lazy_e:.1f}x")
    fast = results["neuromoa fit small.csv --json (fast path)"]
    print(f"fit (10 curves): typer app / fast path = "
          f"{results['  the same through the typer app'] / fast:.1f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    small.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
