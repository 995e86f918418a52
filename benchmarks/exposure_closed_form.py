"""Exposure: closed-form superposition vs scipy solve_ivp (BDF) for a 14-day regimen.

Prints the time per simulation of amitriptyline + nortriptyline (150 mg every 24 h, 14 days,
0.5 h grid) both ways, the ratio, and the largest relative difference between them.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from neuromoa.exposure import Regimen, pk_compound, simulate_exposure

REPEATS = 20


def ode_course(t_grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same model as an ODE (well-stirred liver, 2-cmt amitriptyline, sequential first pass)."""
    at, nt = pk_compound("amitriptyline"), pk_compound("nortriptyline")
    ka, vc, vp, q = at.value("ka"), at.value("vc"), at.value("vp"), at.value("q")
    qh = at.value("q_h")
    cl = at.value("cl_f") * at.value("f_oral")
    fh = 1 - cl / qh
    fa = at.value("f_oral") / fh
    to_nt = sum(r.fraction for r in at.routes if r.product == "nortriptyline")
    cl_nt = nt.value("cl")
    fh_nt = 1 - cl_nt / nt.value("q_h")
    vnt = cl_nt * nt.value("t_half") / math.log(2)
    dose = 0.15 / at.mw_salt

    def rhs(_t, y):
        gut, c, p, n = y
        absorbed = fa * ka * gut
        elim = cl * c / vc
        return [-ka * gut, absorbed * fh - elim - q * c / vc + q * p / vp, q * c / vc - q * p / vp,
                to_nt * fh_nt * (absorbed * (1 - fh) + elim) - cl_nt * n / vnt]

    y = np.zeros(4)
    out_at, out_nt = [], []
    for i in range(14):
        y = y + np.array([dose, 0.0, 0.0, 0.0])
        seg = t_grid[(t_grid >= 24 * i) & (t_grid < 24 * (i + 1))]
        sol = solve_ivp(rhs, (24 * i, 24 * (i + 1)), y, method="BDF",
                        t_eval=np.append(seg, 24.0 * (i + 1)), rtol=1e-8, atol=1e-16)
        out_at.append(sol.y[1, :-1] / vc)
        out_nt.append(sol.y[3, :-1] / vnt)
        y = sol.y[:, -1]
    return np.concatenate(out_at), np.concatenate(out_nt)


def main() -> None:
    reg = Regimen.parse("150 mg", every="24 h", days=14)
    t = np.arange(0, 14 * 24, 0.5)
    t0 = time.perf_counter()
    for _ in range(REPEATS):
        res = simulate_exposure("amitriptyline", reg, times_h=t)
    closed = (time.perf_counter() - t0) / REPEATS
    t0 = time.perf_counter()
    for _ in range(max(1, REPEATS // 4)):
        at, nt = ode_course(t)
    ode = (time.perf_counter() - t0) / max(1, REPEATS // 4)
    diff = max(np.max(np.abs(res.total_M["amitriptyline"] - at) / np.max(at)),
               np.max(np.abs(res.total_M["nortriptyline"] - nt) / np.max(nt)))
    print(f"closed form (incl. metrics): {closed * 1e3:.2f} ms per 14-day course")
    print(f"solve_ivp BDF (course only): {ode * 1e3:.2f} ms per 14-day course")
    print(f"ratio solve_ivp / closed form: {ode / closed:.1f}x; max relative difference {diff:.1e}")


if __name__ == "__main__":
    main()
