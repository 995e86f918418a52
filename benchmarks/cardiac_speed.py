"""Cardiac speed: one steady-state paced ORd beat with drug, one beat beside scipy solve_ivp on
the same compiled model, and the amitriptyline dose table.

Targets (DESIGN.md, issue 12): one steady-state paced AP with drug ≤ 1 s; the dose table ≤ 60 s.
Run: ``.venv/bin/python benchmarks/cardiac_speed.py``.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

from neuromoa.cardiac import dose_table, simulate_cell
from neuromoa.cardiac import ord as model
from neuromoa.cardiac.cell import _control
from neuromoa.cardiac.steady import control_state

BLOCK = {"INa": 0.1, "INaL": 0.15, "IKr": 0.3}   # an amitriptyline-overdose-like block


def main() -> None:
    t0 = time.perf_counter()
    model.pace(model.initial_state(), model.parameter_vector(), np.ones(7), 1000.0, 1)
    _control(60.0)
    print(f"warm-up (numba compile or cache load, control beat): {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    r = simulate_cell(BLOCK, bpm=60.0)
    t_ss = time.perf_counter() - t0
    print(f"steady-state paced AP with drug: {t_ss:.3f} s ({r.beats} beats from the control "
          f"steady state; APD90 {r.apd90_ms:.1f} ms, last change {r.apd90_last_change_ms:.3f} ms)"
          f"  target <= 1 s")

    # one beat: Rush-Larsen (compiled) vs solve_ivp on the same compiled right-hand side
    y0 = control_state(60.0)
    p = model.parameter_vector()
    scale = np.array([1.0 - BLOCK.get(c, 0.0) for c in model.CURRENTS])
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        _, apd_rl, _, _, _ = model.pace(y0, p, scale, 1000.0, 1, record=False)
    t_rl = (time.perf_counter() - t0) / reps
    f = model.rhs(p, scale, 1000.0)
    ratios = {}
    for method in ("LSODA", "BDF"):
        t0 = time.perf_counter()
        sol = solve_ivp(f, (0.0, 1000.0), y0, method=method, rtol=1e-6, atol=1e-8, max_step=1.0)
        t_ivp = time.perf_counter() - t0
        print(f"one beat: Rush-Larsen {t_rl * 1e3:.1f} ms vs solve_ivp {method} "
              f"{t_ivp * 1e3:.0f} ms ({sol.nfev} RHS calls): ratio {t_ivp / t_rl:.0f}x")
        ratios[method] = t_ivp / t_rl

    t0 = time.perf_counter()
    table = dose_table("amitriptyline")
    t_tab = time.perf_counter() - t0
    print(f"dose table (6 regimens, each with parent-only and metabolite-only runs): "
          f"{t_tab:.1f} s, {int((table['status'] == 'ok').sum())}/6 ok  target <= 60 s")
    for method, ratio in ratios.items():
        print(f"the same table with solve_ivp {method} in place of the compiled integrator: "
              f"~{t_tab * ratio:.0f} s (extrapolated from the one-beat ratio; the Nav1.5 and "
              "exposure parts are shared)")


if __name__ == "__main__":
    main()
