"""Start-up time of the ``neuromoa`` command: a new process each time, repeated, median.

Side by side: the lazy CLI (a command's module is imported only when it runs) and the eager
alternative (every command module registered first, as the CLI did before), plus a bare
``python -c pass`` for the interpreter's own floor. Targets (DESIGN.md): ``--help`` and
``--version`` <= 0.3 s; a small ``engage`` <= 0.8 s.

    python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
NEUROMOA = shutil.which("neuromoa", path=str(BIN)) or "neuromoa"
EAGER = ("import sys; from neuromoa.cli.main import _register_all, app; _register_all([]); "
         "sys.argv = ['neuromoa', *sys.argv[1:]]; app()")
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
]


def median_time(cmd: list[str], repeat: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the OS and numba caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    results = {}
    print(f"{'command':<62} {'median s':>9} {'target':>7}")
    for label, cmd, target in CASES:
        results[label] = t = median_time(cmd, args.repeat)
        verdict = "" if target is None else f"{target:>6.1f}  {'ok' if t <= target else 'MISSED'}"
        print(f"{label:<62} {t:9.3f} {verdict}")
    lazy, eager = results["neuromoa --help"], results["  eager registration, --help"]
    print(f"--help: eager / lazy = {eager / lazy:.1f}x")
    lazy_e = results['neuromoa engage --compound amitriptyline --conc "3.45 nM"']
    print(f"engage: eager / lazy = {results['  eager registration, same engage'] / lazy_e:.1f}x")


if __name__ == "__main__":
    main()
