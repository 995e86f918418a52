"""Calibration of the fitter's 95 % intervals for log IC50 (issue #3, "Calibration").

Simulates ten-point 4PL curves with known parameters (the design of ``fit_speed.py``), fits
them with ``ci="profile"`` and reports how often the profile-likelihood interval and the
asymptotic (estimate ± t·SE) interval of log IC50 contain the truth, with a Wilson 95 %
interval for each coverage, for both SE definitions (Gauss–Newton and observed Hessian).

Run: ``PYTHONPATH=src python benchmarks/fit_calibration.py [--n 2000] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_speed import frame, simulate  # noqa: E402

from neuromoa.fitting import fit_curves  # noqa: E402

#: z for a two-sided 95 % Wilson interval.
Z95 = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927)."""
    p = k / n
    den = 1 + Z95**2 / n
    mid = (p + Z95**2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / den
    return mid - half, mid + half


def coverage(n: int, seed: int) -> None:
    truth, y = simulate(n, seed)
    t = truth[:, 2]
    for se in ("gauss-newton", "hessian"):
        res = fit_curves(frame(y), ci="profile", se=se, unit="M")
        ok = ~res.withheld  # curves that report an IC50 (and its interval)
        m = int(ok.sum())
        prof = (res.ci_low[ok, 2] <= t[ok]) & (t[ok] <= res.ci_high[ok, 2])
        asym = (res.ci_low_asym[ok, 2] <= t[ok]) & (t[ok] <= res.ci_high_asym[ok, 2])
        open_ = ~(np.isfinite(res.ci_low[ok, 2]) & np.isfinite(res.ci_high[ok, 2]))
        kp, ka = int(prof.sum()), int(asym.sum())
        lo_p, hi_p = wilson(kp, m)
        lo_a, hi_a = wilson(ka, m)
        print(f"SE {se:<12}: {m} of {n} curves report an IC50; log IC50 95% CI covers the truth — "
              f"profile {kp / m:.1%} [{lo_p:.1%}, {hi_p:.1%}], asymptotic {ka / m:.1%} "
              f"[{lo_a:.1%}, {hi_a:.1%}]; profile open on a side: {open_.mean():.1%}")
        if se == "gauss-newton":
            verdict = "PASS" if 0.93 <= kp / m <= 0.97 else "FAIL"
            print(f"  issue #3 target 93–97% for the profile interval: {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    coverage(a.n, a.seed)


if __name__ == "__main__":
    main()
