"""Assay round trips: recovered Ki and 95 % CI coverage, neuromoa vs the naive alternative.

Prints (1) the Must-show table — amitriptyline at SERT, NET (uptake) and M1 (binding), and the
reference inhibitors, N simulated plates each (seeds 0 … N−1): median recovered Ki / true Ki
and the fraction of 95 % CIs covering the truth; (2) side by side on the same SERT plates, the
analysis a user would otherwise write — scipy ``curve_fit`` of an unweighted 4PL to % of control
with a t-based asymptotic CI — against ``neuromoa.assays.analyze_plate`` (weighted by the
plate's own variance model, profile-likelihood CI): coverage, CI width and time per plate.

Usage: ``python benchmarks/assays_round_trip.py [N]`` (default 200; about 1–2 minutes).
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
from scipy import optimize, stats

from neuromoa.assays import analyze_plate, round_trip_table, simulate_uptake
from neuromoa.pharmacology import cheng_prusoff_uptake


def _naive(ps) -> tuple[float, float, float]:
    """Unweighted 4PL by curve_fit on % of control; Ki and its t-based asymptotic 95 % CI."""
    w = ps.wells
    c = ps.conditions(ps.plates[0])
    tot = w.loc[w["role"] == "total", "counts_cpm"].mean()
    nsb = w.loc[w["role"] == "nsb", "counts_cpm"].mean()
    t = w[w["role"] == "test"]
    x = np.log10(t["concentration_M"].to_numpy())
    y = 100 * (t["counts_cpm"].to_numpy() - nsb) / (tot - nsb)

    def f(lx, bottom, top, logic50, hill):
        return bottom + (top - bottom) / (1 + 10 ** ((logic50 - lx) * hill))

    p, cov = optimize.curve_fit(f, x, y, p0=[0, 100, float(np.median(x)), -1])
    se = math.sqrt(cov[2, 2])
    q = stats.t.ppf(0.975, len(y) - 4)
    to_ki = float(cheng_prusoff_uptake(1.0, c["substrate_M"], c["km_M"]))
    return (10 ** p[2] * to_ki, 10 ** (p[2] - q * se) * to_ki, 10 ** (p[2] + q * se) * to_ki)


def main(n: int) -> None:
    t0 = time.perf_counter()
    table = round_trip_table(n_plates=n, seed=0)
    elapsed = time.perf_counter() - t0
    print(f"Round trips, {n} plates per case (seeds 0…{n - 1}), {elapsed:.1f} s:")
    cols = ["assay", "target", "compound", "method", "true_ki_M", "median_ki_M", "median_ratio",
            "coverage", "coverage_ci95_low", "coverage_ci95_high", "n_ok"]
    with np.printoptions(precision=3):
        print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))

    plates = [simulate_uptake("SERT", "amitriptyline", seed=s) for s in range(n)]
    truth = plates[0].truth("P1")["ki_M"]
    t0 = time.perf_counter()
    naive = [_naive(ps) for ps in plates]
    t_naive = (time.perf_counter() - t0) / n
    t0 = time.perf_counter()
    ours = [analyze_plate("uptake", ps).results[0] for ps in plates]
    t_ours = (time.perf_counter() - t0) / n

    def summarise(rows):
        ki = np.array([r[0] for r in rows])
        lo = np.array([r[1] for r in rows])
        hi = np.array([r[2] for r in rows])
        return (np.median(ki) / truth, np.mean((lo <= truth) & (truth <= hi)),
                np.median(np.log10(hi / lo)))

    a = summarise(naive)
    b = summarise([(r.ki_M, *r.ki_ci95_M) for r in ours])
    print(f"\nSERT/amitriptyline, {n} plates: method, median Ki/true, CI coverage, "
          "median CI width (log10), time per plate")
    print(f"  scipy curve_fit, unweighted, asymptotic CI : {a[0]:.3f}  {100 * a[1]:.1f}%  "
          f"{a[2]:.3f}  {1e3 * t_naive:.1f} ms")
    print(f"  neuromoa analyze_plate (weighted, profile)  : {b[0]:.3f}  {100 * b[1]:.1f}%  "
          f"{b[2]:.3f}  {1e3 * t_ours:.1f} ms")
    print(f"  CI width ratio naive/neuromoa: {a[2] / b[2]:.2f}; time ratio neuromoa/naive: "
          f"{t_ours / t_naive:.1f} (neuromoa also fits twice, runs ROUT and computes Z′)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
