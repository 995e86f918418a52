"""Cardiac speed: one steady-state paced ORd beat with drug, one beat beside scipy solve_ivp on
the same compiled model, the 1D strand beside solve_ivp (BDF with the strand's Jacobian
sparsity) on the same compiled cell model, and the amitriptyline dose table.

Targets (DESIGN.md, issue 12): one steady-state paced AP with drug ≤ 1 s; the dose table ≤ 60 s.
Run: ``.venv/bin/python benchmarks/cardiac_speed.py`` (``--strand`` for the strand part only).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.sparse import lil_matrix

from neuromoa.cardiac import dose_table, simulate_cell
from neuromoa.cardiac import ord as model
from neuromoa.cardiac import strand as st
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


#: Simulated time of the strand comparison (ms): the wave crosses about two thirds of the strand.
STRAND_T_MS = 10.0


def strand_bench() -> None:
    """The strand (numba, operator splitting, Rush–Larsen) vs solve_ivp BDF on the method-of-
    lines form of the same strand (same compiled cell derivatives, sparse Jacobian pattern)."""
    y0 = st._tissue_state(60.0)
    p = model.parameter_vector(ina_tp06=1.0, stim_amp=st.STIM_AMP, stim_dur=st.STIM_DUR_MS)
    scale = np.ones(len(model.CURRENTS))
    n, m = st.N_CELLS, len(y0)
    kw = dict(n_cells=n, diffusion_cm2_ms=st.DIFFUSION_CM2_MS, dx_cm=st.DX_CM, dt_ms=st.DT_MS,
              t_end_ms=STRAND_T_MS, n_stim=st.N_STIM)
    model.strand_activation(y0, p, scale, **{**kw, "t_end_ms": 0.1})   # compile / cache load
    t0 = time.perf_counter()
    act, _ = model.strand_activation(y0, p, scale, **kw)
    t_nb = time.perf_counter() - t0

    coef = st.DIFFUSION_CM2_MS / st.DX_CM ** 2
    dy, tau, cur = np.zeros(m), np.zeros(m), np.zeros(7)

    def f(t, y):
        yy = y.reshape(n, m)
        out = np.empty_like(yy)
        v = yy[:, 0]
        lap = np.empty(n)
        lap[1:-1] = v[:-2] - 2 * v[1:-1] + v[2:]
        lap[0], lap[-1] = v[1] - v[0], v[-2] - v[-1]
        for c in range(n):
            istim = p[22] if (c < st.N_STIM and t < p[23]) else 0.0
            model._derivs(np.ascontiguousarray(yy[c]), p, scale, istim, dy, tau, cur)
            out[c] = dy
        out[:, 0] += coef * lap
        return out.ravel()

    pattern = lil_matrix((n * m, n * m))
    for c in range(n):
        pattern[c * m:(c + 1) * m, c * m:(c + 1) * m] = 1
        for d in (c - 1, c + 1):
            if 0 <= d < n:
                pattern[c * m, d * m] = 1
    t0 = time.perf_counter()
    sol = solve_ivp(f, (0.0, STRAND_T_MS), np.tile(y0, n), method="BDF", rtol=1e-5,
                    atol=1e-7, jac_sparsity=pattern.tocsr(), max_step=0.05, dense_output=True)
    t_ivp = time.perf_counter() - t0
    tt = np.linspace(0.0, STRAND_T_MS, 2001)
    v50 = sol.sol(tt)[50 * m]
    act50 = float(tt[np.argmax(v50 > -30.0)]) if np.any(v50 > -30.0) else float("nan")
    print(f"strand {n} cells, {STRAND_T_MS:g} ms: numba {t_nb:.2f} s vs solve_ivp BDF "
          f"(sparse Jacobian) {t_ivp:.1f} s ({sol.nfev} RHS calls): ratio {t_ivp / t_nb:.0f}x; "
          f"activation of cell 50 at {act[50]:.2f} vs {act50:.2f} ms")


if __name__ == "__main__":
    if "--strand" in sys.argv[1:]:
        strand_bench()
    else:
        main()
        strand_bench()
