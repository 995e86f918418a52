"""Linear kinetic (Markov) schemes declared as data.

A :class:`Scheme` is a set of states and reversible edges between them. Each edge carries a
forward and a backward rate written as an :class:`~neuromoa.kinetics.expressions.Expression`
of parameters and *conditions* (the piecewise-constant inputs: membrane voltage ``V``, a drug
or transmitter concentration, ...). A rate may instead be ``"balance"``: it is then computed
so that every cycle through that edge obeys detailed balance (microscopic reversibility),

.. math:: \\prod_{\\text{cycle}} k_{\\rightarrow} = \\prod_{\\text{cycle}} k_{\\leftarrow},

which is how thermodynamically consistent models are usually built (Colquhoun et al.,
*Biophys J* 2004;86:3510). The occupancy vector ``x`` obeys ``dx/dt = A x`` with the
generator ``A`` (columns sum to zero) returned by :meth:`Scheme.generator`.

Parameters are floats in SI units (1/s, V, M, 1/(M·s)); the declaration keeps the value and
unit as written and the source of each number, so the same object drives the solver, the
parameter table (:meth:`Scheme.to_frame`) and exports.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, InputError
from neuromoa.kinetics.expressions import Expression
from neuromoa.units import si_factors

__all__ = ["UNITS", "Edge", "Parameter", "Scheme", "to_si"]

#: Units a model file may use for a parameter, with the factor to SI (1/s, V, M, 1/(M s), S, F, A):
#: the spellings are the whitelists of :data:`neuromoa.units.KINDS`, the factors come from pint.
UNITS = si_factors(("dimensionless", "rate", "time", "voltage", "inverse_voltage", "concentration",
                    "second_order_rate", "conductance", "capacitance", "current", "resistance"))


def to_si(value: float, unit: str, where: str) -> float:
    """Convert ``value`` given in ``unit`` (a key of :data:`UNITS`) to SI."""
    if unit not in UNITS:
        raise DataFileError(f"unit {unit!r} is not one of {sorted(UNITS)}", file=where)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataFileError(f"value {value!r} is not a number", file=where) from None
    if isinstance(value, bool) or not math.isfinite(x):
        raise DataFileError(f"value {value!r} is not a finite number", file=where)
    return x * UNITS[unit]


@dataclass(frozen=True)
class Parameter:
    """One model parameter: SI ``value``, the value and unit as declared, and its source."""

    name: str
    value: float
    unit: str
    declared: float
    source: str
    note: str = ""


@dataclass(frozen=True)
class Edge:
    """A reversible transition ``a <-> b``; ``forward`` is the a→b rate, ``backward`` b→a.

    Either rate may be the text ``"balance"`` (fixed by detailed balance) or ``"0"``.
    """

    a: str
    b: str
    forward: str
    backward: str


@dataclass(frozen=True)
class Scheme:
    """A linear Markov scheme: states, reversible edges with rate expressions, parameters.

    Parameters
    ----------
    name : str
    states : tuple of str
    edges : tuple of Edge
    parameters : tuple of Parameter
    conditions : tuple of str
        Names of the piecewise-constant inputs (e.g. ``("V", "drug")``).
    observables : mapping
        Linear read-outs, e.g. ``{"open": {"O": 1.0}}``.
    source : str
        Where the scheme was declared (file name), for messages.

    Examples
    --------
    >>> s = Scheme.from_dict({"name": "two-state", "states": ["C", "O"],
    ...     "conditions": ["V"], "observables": {"open": {"O": 1}},
    ...     "parameters": [{"name": "k", "value": 10, "unit": "1/s", "source": "example"}],
    ...     "edges": [{"a": "C", "b": "O", "forward": "k", "backward": "k"}]})
    >>> [round(float(v), 6) for v in s.steady_state({"V": 0.0})]
    [0.5, 0.5]
    """

    name: str
    states: tuple[str, ...]
    edges: tuple[Edge, ...]
    parameters: tuple[Parameter, ...]
    conditions: tuple[str, ...] = ("V",)
    observables: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    source: str = "scheme"
    _plan: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {s: i for i, s in enumerate(self.states)}
        if len(index) != len(self.states):
            raise DataFileError("duplicate state names", file=self.source)
        pnames = {p.name for p in self.parameters}
        clash = pnames & set(self.conditions)
        if clash:
            raise DataFileError(f"names used both as parameter and condition: {sorted(clash)}",
                                file=self.source)
        exprs: list[Expression | None] = []
        for k, e in enumerate(self.edges):
            for end in (e.a, e.b):
                if end not in index:
                    raise DataFileError(f"edge {e.a}<->{e.b} names unknown state {end!r}",
                                        file=self.source, row=k + 1)
            for text, arrow in ((e.forward, f"{e.a}->{e.b}"), (e.backward, f"{e.b}->{e.a}")):
                if text.strip() == "balance":
                    exprs.append(None)
                else:
                    ex = Expression(text, f"{self.source}, rate {arrow}")
                    unknown = ex.names - pnames - set(self.conditions)
                    if unknown:
                        raise DataFileError(f"rate {arrow} = {text!r} uses undeclared names "
                                            f"{sorted(unknown)}", file=self.source, row=k + 1)
                    exprs.append(ex)
        for obs, weights in self.observables.items():
            for s in weights:
                if s not in index:
                    raise DataFileError(f"observable {obs!r} names unknown state {s!r}",
                                        file=self.source)
        src = np.array([index[e.a] for e in self.edges] + [index[e.b] for e in self.edges])
        dst = np.array([index[e.b] for e in self.edges] + [index[e.a] for e in self.edges])
        # directed rate k of edge e: forward at 2e, backward at 2e+1
        order = np.empty(2 * len(self.edges), dtype=int)
        order[0::2] = np.arange(len(self.edges))
        order[1::2] = np.arange(len(self.edges)) + len(self.edges)
        src, dst = src[order], dst[order]
        object.__setattr__(self, "_plan", (index, tuple(exprs), src, dst,
                                           self._balance_plan(exprs)))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, spec: Mapping, source: str = "scheme") -> Scheme:
        """Build a scheme from a dict as read from a TOML/JSON model file.

        Keys: ``name``, ``states`` (list), ``conditions`` (list), ``observables``
        (name → {state: weight}), ``parameters`` (list of {name, value, unit, source[, note]}),
        ``edges`` (list of {a, b, forward, backward}).
        """
        try:
            params = tuple(
                Parameter(str(p["name"]), to_si(p["value"], str(p["unit"]), source),
                          str(p["unit"]), float(p["value"]), str(p["source"]),
                          str(p.get("note", "")))
                for p in spec.get("parameters", []))
            edges = tuple(Edge(str(e["a"]), str(e["b"]), str(e["forward"]), str(e["backward"]))
                          for e in spec["edges"])
            return cls(name=str(spec["name"]), states=tuple(spec["states"]), edges=edges,
                       parameters=params, conditions=tuple(spec.get("conditions", ("V",))),
                       observables={k: dict(v) for k, v in spec.get("observables", {}).items()},
                       source=source)
        except KeyError as exc:
            raise DataFileError(f"missing key {exc.args[0]!r} in the scheme declaration",
                                file=source) from exc

    def with_parameters(self, **values: float) -> Scheme:
        """Return a copy with some parameters replaced (SI floats)."""
        known = {p.name for p in self.parameters}
        bad = set(values) - known
        if bad:
            raise InputError(f"{self.name}: unknown parameter(s) {sorted(bad)}; known: {sorted(known)}")
        params = tuple(Parameter(p.name, float(values[p.name]), p.unit,
                                 float(values[p.name]) / UNITS[p.unit], p.source + " (overridden)", p.note)
                       if p.name in values else p for p in self.parameters)
        return Scheme(self.name, self.states, self.edges, params, self.conditions,
                      self.observables, self.source)

    # ------------------------------------------------------------------ graph helpers
    def _neighbours(self) -> dict[int, list[tuple[int, int, int]]]:
        index = {s: i for i, s in enumerate(self.states)}
        nb: dict[int, list[tuple[int, int, int]]] = {i: [] for i in range(len(self.states))}
        for k, e in enumerate(self.edges):
            nb[index[e.a]].append((index[e.b], k, +1))
            nb[index[e.b]].append((index[e.a], k, -1))
        return nb

    def _path(self, start: int, goal: int, allowed: set[int]) -> list[tuple[int, int]] | None:
        """Shortest path start→goal over edges in ``allowed``: list of (edge, direction)."""
        nb = self._neighbours()
        prev: dict[int, tuple[int, int, int]] = {start: (-1, -1, 0)}
        queue = deque([start])
        while queue:
            u = queue.popleft()
            if u == goal:
                break
            for v, k, d in nb[u]:
                if k in allowed and v not in prev:
                    prev[v] = (u, k, d)
                    queue.append(v)
        if goal not in prev:
            return None
        path = []
        node = goal
        while node != start:
            u, k, d = prev[node]
            path.append((k, d))
            node = u
        return path[::-1]

    def _balance_plan(self, exprs: Sequence[Expression | None]) -> tuple:
        index = {s: i for i, s in enumerate(self.states)}
        resolved = {k for k in range(len(self.edges))
                    if exprs[2 * k] is not None and exprs[2 * k + 1] is not None}
        pending = [k for k in range(len(self.edges)) if k not in resolved]
        plan = []
        for k in pending:
            e = self.edges[k]
            if exprs[2 * k] is None and exprs[2 * k + 1] is None:
                raise DataFileError(f"edge {e.a}<->{e.b}: only one of its rates may be 'balance'",
                                    file=self.source, row=k + 1)
        while pending:
            progress = False
            for k in list(pending):
                e = self.edges[k]
                path = self._path(index[e.b], index[e.a], resolved)
                if path is not None:
                    unknown_dir = 0 if exprs[2 * k] is None else 1
                    plan.append((k, unknown_dir, tuple(path)))
                    resolved.add(k)
                    pending.remove(k)
                    progress = True
            if not progress:
                names = [f"{self.edges[k].a}<->{self.edges[k].b}" for k in pending]
                raise DataFileError(f"rates marked 'balance' on {names} close no cycle of "
                                    "explicit rates; give them explicitly", file=self.source)
        return tuple(plan)

    def cycles(self) -> list[list[tuple[int, int]]]:
        """A fundamental cycle basis: each cycle a list of (edge index, +1 forward / −1 backward)."""
        index = {s: i for i, s in enumerate(self.states)}
        nb = self._neighbours()
        tree: set[int] = set()
        seen: set[int] = set()
        for root in range(len(self.states)):
            if root in seen:
                continue
            seen.add(root)
            queue = deque([root])
            while queue:
                u = queue.popleft()
                for v, k, _ in nb[u]:
                    if v not in seen:
                        seen.add(v)
                        tree.add(k)
                        queue.append(v)
        out = []
        for k, e in enumerate(self.edges):
            if k in tree:
                continue
            path = self._path(index[e.b], index[e.a], tree)
            if path is not None:
                out.append([(k, +1)] + path)
        return out

    # ------------------------------------------------------------------ structure
    @property
    def directed_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """``(src, dst)`` state indices of every directed rate, in the order of :meth:`rates`."""
        return self._plan[2].copy(), self._plan[3].copy()

    @property
    def balance_plan(self) -> tuple:
        """How ``balance`` rates are resolved: ``(edge, 0 forward | 1 backward, path)``, the
        path a tuple of ``(edge, +1/-1)`` from the edge's target back to its source."""
        return self._plan[4]

    def rate_expression(self, k: int) -> str | None:
        """Text of directed rate ``k`` (``None`` for a ``balance`` rate)."""
        ex = self._plan[1][k]
        return None if ex is None else ex.text

    # ------------------------------------------------------------------ numerics
    @property
    def parameter_values(self) -> dict[str, float]:
        """Parameter name → SI float."""
        return {p.name: p.value for p in self.parameters}

    def _check_conditions(self, conditions: Mapping[str, object]) -> None:
        missing = [c for c in self.conditions if c not in conditions]
        if missing:
            raise InputError(f"scheme {self.name!r} needs condition(s) {missing}; "
                             f"got {sorted(conditions)}.")

    def rates(self, conditions: Mapping[str, object]) -> np.ndarray:
        """Directed rates (1/s), shape ``batch + (2·n_edges,)``: forward of edge e at 2e, backward at 2e+1."""
        self._check_conditions(conditions)
        _, exprs, _, _, plan = self._plan
        params = self.parameter_values
        values: list[np.ndarray | None] = [
            None if ex is None else np.asarray(ex.evaluate(conditions, params), dtype=float)
            for ex in exprs]
        shape = np.broadcast_shapes(*(np.shape(np.asarray(conditions[c], dtype=float))
                                      for c in self.conditions))
        for k, unknown_dir, path in plan:
            known = values[2 * k + (1 - unknown_dir)]
            ratio = np.ones(shape)
            for j, d in path:
                fwd, bwd = values[2 * j], values[2 * j + 1]
                ratio = ratio * (fwd / bwd if d > 0 else bwd / fwd)
            # cycle a->b->...->a: k_ab * prod(path fwd) = k_ba * prod(path bwd)
            values[2 * k + unknown_dir] = known * ratio if unknown_dir == 1 else known / ratio
        out = np.stack([np.broadcast_to(v, shape) for v in values], axis=-1)
        return out

    def generator(self, conditions: Mapping[str, object]) -> np.ndarray:
        """Generator ``A`` (1/s), shape ``batch + (n, n)``, with ``dx/dt = A x``; columns sum to 0."""
        k = self.rates(conditions)
        _, _, src, dst, _ = self._plan
        n = len(self.states)
        a = np.zeros(k.shape[:-1] + (n, n))
        np.add.at(a, (..., dst, src), k)
        np.add.at(a, (..., src, src), -k)
        return a

    def steady_state(self, conditions: Mapping[str, object]) -> np.ndarray:
        """Equilibrium occupancy ``x`` with ``A x = 0``, ``sum(x) = 1``; shape ``batch + (n,)``."""
        a = self.generator(conditions)
        m = a.copy()
        m[..., -1, :] = 1.0
        rhs = np.zeros(a.shape[:-1])
        rhs[..., -1] = 1.0
        return np.linalg.solve(m, rhs[..., None])[..., 0]

    def detailed_balance_violation(self, conditions: Mapping[str, object]) -> float:
        """Largest |ln(∏ forward / ∏ backward)| over the fundamental cycles (0 = balanced)."""
        k = self.rates(conditions)
        worst = 0.0
        for cyc in self.cycles():
            logf = np.zeros(k.shape[:-1])
            for j, d in cyc:
                f, b = k[..., 2 * j], k[..., 2 * j + 1]
                logf = logf + (np.log(f) - np.log(b)) * d
            worst = max(worst, float(np.max(np.abs(logf))))
        return worst

    def observable_vector(self, name: str) -> np.ndarray:
        """Weights of observable ``name`` over the states."""
        if name not in self.observables:
            raise InputError(f"scheme {self.name!r} has no observable {name!r}; "
                             f"known: {sorted(self.observables)}.")
        index = self._plan[0]
        w = np.zeros(len(self.states))
        for s, v in self.observables[name].items():
            w[index[s]] = float(v)
        return w

    def exponential_form(self, conditions: Mapping[str, object], voltage: str = "V",
                         probe: tuple[float, float, float] = (-0.1, 0.0, 0.05)) -> tuple[np.ndarray, np.ndarray]:
        """Write every directed rate as ``k0 · exp(z · V)`` (other conditions fixed).

        Returns ``(k0, z)`` (1/s and 1/V), or raises :class:`InputError` when a rate is not
        of that form (checked at three voltages). Used by compiled integrators.
        """
        ks = []
        for v in probe:
            ks.append(self.rates({**conditions, voltage: v}))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (np.log(ks[2]) - np.log(ks[1])) / (probe[2] - probe[1])
            z = np.where(np.isfinite(z), z, 0.0)
            k0 = ks[1]
            pred = k0 * np.exp(z * probe[0])
        if not np.allclose(pred, ks[0], rtol=1e-9, atol=1e-300):
            raise InputError(f"scheme {self.name!r}: some rates are not of the form "
                             f"k0·exp(z·{voltage}); use the exact solver instead.")
        return np.asarray(k0, dtype=float), np.asarray(z, dtype=float)

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """Parameter table: name, value (as declared), unit, value_si, source, note."""
        return pd.DataFrame({
            "scheme": [self.name] * len(self.parameters),
            "name": [p.name for p in self.parameters],
            "value": [p.declared for p in self.parameters],
            "unit": [p.unit for p in self.parameters],
            "value_si": [p.value for p in self.parameters],
            "source": [p.source for p in self.parameters],
            "note": [p.note for p in self.parameters],
        })

    def transitions_frame(self) -> pd.DataFrame:
        """One row per edge: a, b, forward rate, backward rate (as declared)."""
        return pd.DataFrame([{"a": e.a, "b": e.b, "forward": e.forward, "backward": e.backward}
                             for e in self.edges])

    def to_dict(self) -> dict:
        """JSON-safe declaration (round-trips through :meth:`from_dict`)."""
        return {
            "name": self.name, "states": list(self.states), "conditions": list(self.conditions),
            "observables": {k: dict(v) for k, v in self.observables.items()},
            "parameters": [{"name": p.name, "value": p.declared, "unit": p.unit,
                            "source": p.source, "note": p.note} for p in self.parameters],
            "edges": [{"a": e.a, "b": e.b, "forward": e.forward, "backward": e.backward}
                      for e in self.edges],
        }
