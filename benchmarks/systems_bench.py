"""Systems benchmarks: how the NMDA IC50 is computed, and the cost of a 6-week course.

NMDA IC50 at one condition, three ways (same declared model, same brentq on log10 c):
  1. neuromoa: generator Q(c) = Q0 + c Q1 from the model's Jacobian (read once per condition,
     included in the time), exact steady state by a 12x12 linear solve per concentration;
  2. libRoadRunner's steady-state solver (NLEQ2) on the same SBML per concentration;
  3. CVODE integration to steady state (60 s of agonist) per concentration.
Prints time per IC50, the ratios and the agreement. Then times a 6-week synapse course
(1008 hourly drug steps on libRoadRunner).

Run: PYTHONPATH=src python benchmarks/systems_bench.py
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.optimize import brentq

from neuromoa.systems import chronic_course, nmda_ic50
from neuromoa.systems._model import new_runner
from neuromoa.systems.nmda import _ic50, _matrices_cached

CA, V = 4e-3, -0.07


def _rr_ic50(method: str) -> float:
    rr = new_runner("nmda", {"ca_o": CA, "vm": V})
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14

    def open_fraction(c: float) -> float:
        rr.resetAll()
        rr.setValue("ca_o", CA)
        rr.setValue("vm", V)
        rr.setValue("drug", c)
        if method == "steadyState":
            rr.steadyState()
        else:
            rr.simulate(0.0, 60.0, 2)
        return float(rr.getValue("[O]"))

    o0 = open_fraction(0.0)
    return 10 ** brentq(lambda x: open_fraction(10 ** x) / o0 - 0.5, -15, 0, xtol=1e-12)


def _time(f, repeat=3):
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    nmda_ic50()  # warm caches (runner construction, Jacobians)

    def linear():
        _matrices_cached.cache_clear()  # include reading Q0, Q1 from the model's Jacobian
        return _ic50(CA, V, "total")

    t_lin, ic_lin = _time(linear)
    t_ss, ic_ss = _time(lambda: _rr_ic50("steadyState"), repeat=1)
    t_sim, ic_sim = _time(lambda: _rr_ic50("simulate"), repeat=1)
    print("NMDA IC50 at 4 mM Ca2+, -70 mV (total model)")
    print(f"  exact linear algebra : {t_lin * 1e3:8.2f} ms  IC50 {ic_lin:.6e} M")
    print(f"  roadrunner steadyState: {t_ss * 1e3:8.2f} ms  IC50 {ic_ss:.6e} M  "
          f"({t_ss / t_lin:.0f}x slower, rel. diff {abs(ic_ss / ic_lin - 1):.1e})")
    print(f"  CVODE to steady state : {t_sim * 1e3:8.2f} ms  IC50 {ic_sim:.6e} M  "
          f"({t_sim / t_lin:.0f}x slower, rel. diff {abs(ic_sim / ic_lin - 1):.1e})")
    exposure = (np.array([0.0, 42 * 24.0]), {"amitriptyline": np.array([10e-9, 10e-9]),
                                             "nortriptyline": np.array([10e-9, 10e-9])})
    chronic_course(exposure=exposure, weeks=1)
    t_c, _ = _time(lambda: chronic_course(exposure=exposure, weeks=6), repeat=2)
    print(f"6-week synapse course, 1008 hourly steps on libRoadRunner: {t_c:.2f} s")


if __name__ == "__main__":
    main()
