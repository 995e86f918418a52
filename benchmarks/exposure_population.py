"""Virtual population: the vectorised closed form vs a per-patient loop of the single-patient model.

Prints the time for N patients (default 100,000, 75 mg every 12 h, European frequencies, seed 0)
vectorised on one core (without and with random effects: the loop below reproduces
genotype and covariates, not random effects), the time per patient of the loop a user would otherwise write
(``simulate_exposure`` per patient with that patient's genotype and covariates; run on a
sample and scaled), the ratio, and the largest relative difference between the two on the sample.

    python benchmarks/exposure_population.py [N] [LOOP_SAMPLE]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from neuromoa.exposure import Patient, Regimen, simulate_exposure
from neuromoa.exposure.population import PopulationSpec, simulate_population

#: Days of the per-patient loop's regimen: long enough for steady state in poor metabolisers.
LOOP_DAYS = 60


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    spec = PopulationSpec("amitriptyline", Regimen.parse("75 mg", every="12 h"), n,
                          variability=False)
    simulate_population(PopulationSpec("amitriptyline", spec.regimen, 10), 0)  # warm caches
    t0 = time.perf_counter()
    df = simulate_population(spec, 0)
    vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate_population(PopulationSpec("amitriptyline", spec.regimen, n), 0)
    vec_iiv = time.perf_counter() - t0
    reg = Regimen.parse("75 mg", every="12 h", days=LOOP_DAYS)
    t0 = time.perf_counter()
    worst = 0.0
    for row in df.head(sample).itertuples(index=False):
        p = Patient.from_options(cyp2d6=row.cyp2d6_diplotype, cyp2c19=row.cyp2c19_diplotype,
                                 weight=float(row.weight_kg), age=float(row.age_y))
        r = simulate_exposure("amitriptyline", reg, patient=p, times_h=np.array([0.0]))
        worst = max(worst, abs(r.metrics["amitriptyline"]["cavg_ng_mL"]
                               / row.amitriptyline_cavg_ng_mL - 1))
    per_patient = (time.perf_counter() - t0) / sample
    loop = per_patient * n
    print(f"vectorised: {n} patients in {vec:.2f} s ({n / vec:,.0f} patients/s, one core)")
    print(f"vectorised with between-subject variability (the CLI default): {vec_iiv:.2f} s")
    print(f"per-patient loop of simulate_exposure: {per_patient * 1e3:.1f} ms per patient "
          f"(sample {sample}) -> {loop:.0f} s for {n}")
    print(f"ratio loop / vectorised: {loop / vec:,.0f}x; max relative Cavg difference on the "
          f"sample {worst:.1e}")


if __name__ == "__main__":
    main()
