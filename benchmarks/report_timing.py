"""Wall-clock time of `neuromoa report --quick` and the full report, step by step.

The DESIGN's targets: quick ≤ 30 s, full ≤ 3 min on the 2-core machine. The alternative a user
would otherwise run is the same calls one by one; the report adds only rendering, so this prints
the time of each step (library calls) beside each section (rendering) to show where time goes.
Run: `.venv/bin/python benchmarks/report_timing.py [--quick-only]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from neuromoa.report import ReportConfig, build_report

# Targets from DESIGN.md ("Performance targets").
QUICK_TARGET_S = 30.0
FULL_TARGET_S = 180.0
# Issue 16: the full report ≤ 2 MB (it was 5.2 MB before figures were simplified).
SIZE_TARGET_MB = 2.0


def run(quick: bool) -> float:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as out:
        start, cpu = time.perf_counter(), time.process_time()
        result = build_report(out, ReportConfig(quick=quick, seed=0))
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        size_mb = Path(result.path).stat().st_size / 1e6
        folder_mb = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) / 1e6
    label = "quick" if quick else "full"
    target = QUICK_TARGET_S if quick else FULL_TARGET_S
    print(f"\n{label}: {total:.1f} s wall, {cpu:.1f} s CPU of this process (a busy machine "
          f"inflates the wall clock; target ≤ {target:.0f} s, ratio {total / target:.2f}); "
          f"index.html {size_mb:.2f} MB (target ≤ {SIZE_TARGET_MB:g} MB), whole folder "
          f"{folder_mb:.2f} MB, {len(result.figures)} figures; 1-min load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores: a load above 2 "
          "means the run shared them)")
    steps = sorted(result.outcomes.values(), key=lambda o: -o.seconds)
    print("  steps (library calls): " + ", ".join(f"{o.name} {o.seconds:.1f}s [{o.status}]"
                                                 for o in steps))
    print("  sections (rendering):  " + ", ".join(f"{k} {v:.1f}s"
                                                 for k, v in result.section_seconds.items()))
    return total


if __name__ == "__main__":
    run(quick=True)
    if "--quick-only" not in sys.argv:
        run(quick=False)
