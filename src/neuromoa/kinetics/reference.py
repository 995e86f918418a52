"""A reference integrator: the same segments solved with scipy's ``solve_ivp`` (BDF).

What a user would otherwise run; used to validate :func:`~neuromoa.kinetics.propagate` and
in the benchmarks. One stiff ODE solve per segment (and per distinct duration) — slow by design, exact only to
its tolerances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import block_diag

from neuromoa.errors import SolverError
from neuromoa.kinetics.scheme import Scheme
from neuromoa.kinetics.solver import Propagation, Segment

__all__ = ["propagate_ivp"]


def propagate_ivp(scheme: Scheme, segments: Sequence[Segment], *,
                  fixed: Mapping[str, object] | None = None, x0: np.ndarray | None = None,
                  start: Mapping[str, object] | None = None,
                  observables: tuple[str, ...] | None = None, method: str = "BDF",
                  rtol: float = 1e-8, atol: float = 1e-12) -> Propagation:
    """Like :func:`~neuromoa.kinetics.propagate` but integrating ``dx/dt = A x`` numerically.

    Each segment is solved from the previous end state with ``solve_ivp(method, rtol, atol)``,
    the analytic Jacobian ``A`` supplied, output at the segment's sample times; batch members
    sharing a segment duration are stacked into one block-diagonal system.
    """
    fixed = {k: np.asarray(v, dtype=float) for k, v in (fixed or {}).items()}

    def conds_of(c: Mapping[str, object]) -> dict[str, np.ndarray]:
        merged = dict(fixed)
        merged.update({k: np.asarray(v, dtype=float) for k, v in c.items()})
        return merged

    gens = [scheme.generator(conds_of(s.conditions)) for s in segments]
    if x0 is None:
        x = scheme.steady_state(conds_of(start if start is not None else segments[0].conditions))
    else:
        x = np.asarray(x0, dtype=float)
    n = len(scheme.states)
    durs = [np.asarray(s.duration, dtype=float) for s in segments]
    batch = np.broadcast_shapes(x.shape[:-1], *(g.shape[:-2] for g in gens),
                                *(d.shape for d in durs))
    x = np.broadcast_to(x, batch + (n,)).reshape(-1, n).copy()
    gens = [np.broadcast_to(g, batch + (n, n)).reshape(-1, n, n) for g in gens]
    durs = [np.broadcast_to(d, batch).reshape(-1) for d in durs]
    states, times, ends = [], [], []
    t_abs = 0.0
    nb = x.shape[0]
    for i, seg in enumerate(segments):
        ts = None if seg.samples is None else np.asarray(seg.samples, dtype=float).ravel()
        rec = np.zeros((nb, 0 if ts is None else ts.size, n))
        groups: dict[float, list[int]] = {}
        for b in range(nb):
            groups.setdefault(float(durs[i][b]), []).append(b)
        for dur, members in groups.items():
            if dur == 0.0:
                if ts is not None:
                    rec[members] = x[members][:, None, :]
                continue
            # the batch members with this duration, stacked into one block-diagonal system
            big = block_diag(*[gens[i][b] for b in members])
            t_eval = np.append(np.clip(ts, 0.0, dur), dur) if ts is not None else np.array([dur])
            sol = solve_ivp(lambda _t, y, a=big: a @ y, (0.0, dur), x[members].ravel(),
                            method=method, rtol=rtol, atol=atol, jac=big, t_eval=t_eval)
            if not sol.success:
                raise SolverError(f"solve_ivp failed in segment {i}: {sol.message}")
            y = sol.y.T.reshape(len(t_eval), len(members), n)
            if ts is not None:
                rec[members] = np.transpose(y[:-1], (1, 0, 2))
            x[members] = y[-1]
        states.append(rec.reshape(batch + rec.shape[1:]))
        times.append(np.zeros(0) if ts is None else t_abs + ts)
        ends.append(x.reshape(batch + (n,)).copy())
        t_abs += float(np.max(durs[i])) if durs[i].size else 0.0
    out = {}
    if observables:
        for name in observables:
            w = scheme.observable_vector(name)
            out[name] = tuple(s @ w for s in states)
    return Propagation(scheme, tuple(times), tuple(states), ends[-1], tuple(ends),
                       tuple(s.label for s in segments), out)
