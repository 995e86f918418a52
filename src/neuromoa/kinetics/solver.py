"""Exact propagation of a linear scheme through piecewise-constant conditions.

Within a segment of constant conditions the occupancy obeys ``dx/dt = A x`` with constant
``A``, so

.. math:: x(t) = e^{A t} x(0) = V\\,\\mathrm{diag}(e^{\\lambda t})\\,V^{-1} x(0),

with ``A = V diag(λ) V⁻¹`` (eigendecomposition; the eigenvalues of a scheme obeying
detailed balance are real and ≤ 0). No time step, no truncation error: the only error is
floating-point round-off. Every condition, segment duration and the initial state may carry
a batch shape (concentrations × sweeps …); everything broadcasts. States are computed only
at the times the caller asks for (``Segment.samples``) and at segment ends.
Eigendecompositions are cached per distinct (conditions) within one call, so a 100-pulse
train costs two decompositions per batch member.

Reference: Moler & Van Loan, *SIAM Review* 2003;45:3 ("Nineteen dubious ways to compute the
exponential of a matrix", method 14, eigenvectors) — safe here because reversible Markov
generators are similar to symmetric matrices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from neuromoa.errors import InputError, SolverError
from neuromoa.kinetics.scheme import Scheme

__all__ = ["Propagation", "Segment", "propagate"]

#: Relative size of imaginary parts tolerated in eigen-products before they count as real
#: (assumption: round-off level for double precision).
_IMAG_TOL = 1e-8


@dataclass(frozen=True)
class Segment:
    """A stretch of constant conditions.

    Parameters
    ----------
    duration : float or array
        Seconds (≥ 0); an array broadcasts over the batch (e.g. recovery intervals per sweep).
    conditions : mapping
        Condition name → float or array (SI: V in volts, concentrations in M). Conditions not
        given here are taken from ``propagate(..., fixed=...)``.
    samples : array or None
        Times (s, relative to the segment start, within ``[0, duration]``) at which to record
        the state. ``None`` records nothing inside the segment.
    label : str
        Free text carried into the result (e.g. ``"pulse 3"``).
    """

    duration: float | np.ndarray
    conditions: Mapping[str, object]
    samples: np.ndarray | None = None
    label: str = ""


@dataclass(frozen=True)
class Propagation:
    """States recorded by :func:`propagate`.

    Attributes
    ----------
    times : tuple of ndarray
        Per segment, the absolute sample times (s) (empty where nothing was sampled). When an
        earlier segment's duration varies across the batch, absolute time differs per batch
        member and the times are given relative to the segment start instead.
    outputs : mapping
        Observable name → per-segment samples, when ``observables`` were requested.
    states : tuple of ndarray
        Per segment, occupancies of shape ``batch + (n_samples, n_states)`` (``None`` entries
        when only ``observables`` were recorded).
    final : ndarray
        State at the end of the last segment, ``batch + (n_states,)``.
    ends : tuple of ndarray
        State at the end of every segment.
    """

    scheme: Scheme
    times: tuple[np.ndarray, ...]
    states: tuple[np.ndarray, ...]
    final: np.ndarray
    ends: tuple[np.ndarray, ...] = field(default=())
    labels: tuple[str, ...] = field(default=())
    outputs: Mapping[str, tuple[np.ndarray, ...]] = field(default_factory=dict)

    def observe(self, name: str) -> tuple[np.ndarray, ...]:
        """Per segment, the observable ``name`` (e.g. ``"open"``), ``batch + (n_samples,)``."""
        if name in self.outputs:
            return self.outputs[name]
        if not self.states or self.states[0] is None:
            raise InputError(f"observable {name!r} was not recorded; pass it in "
                             "propagate(..., observables=...) or record states.")
        w = self.scheme.observable_vector(name)
        return tuple(s @ w for s in self.states)

    def concatenated(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """All sampled times and the observable ``name`` joined across segments."""
        obs = self.observe(name)
        return np.concatenate(self.times), np.concatenate(obs, axis=-1)


class _Decomposition:
    __slots__ = ("vec", "inv", "lam", "is_complex", "_exp_cache", "_wv_cache")

    def __init__(self, a: np.ndarray, where: str) -> None:
        lam, vec = np.linalg.eig(a)
        if np.iscomplexobj(lam):
            scale = np.max(np.abs(lam), axis=-1, keepdims=True) + 1.0
            if np.all(np.abs(lam.imag) <= _IMAG_TOL * scale):
                lam, vec = lam.real, vec.real
        try:
            inv = np.linalg.inv(vec)
        except np.linalg.LinAlgError as exc:
            raise SolverError(f"{where}: the generator is not diagonalisable "
                              "(defective eigenvectors); perturb a rate slightly.") from exc
        self.vec, self.inv, self.lam = vec, inv, lam
        self.is_complex = np.iscomplexobj(lam)
        self._exp_cache: dict[bytes, np.ndarray] = {}
        self._wv_cache: dict[bytes, np.ndarray] = {}

    def _exp(self, t: np.ndarray) -> np.ndarray:
        key = t.tobytes()
        e = self._exp_cache.get(key)
        if e is None:
            e = np.exp(self.lam[..., None, :] * t[:, None])      # batch + (T, n)
            self._exp_cache[key] = e
        return e

    def apply(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """exp(A t) x for t broadcasting over the batch (t shape batch or scalar)."""
        c = np.einsum("...ij,...j->...i", self.inv, x)
        e = np.exp(self.lam * np.asarray(t)[..., None])
        out = np.einsum("...ij,...j->...i", self.vec, e * c)
        return out.real if self.is_complex else out

    def sample_observed(self, x: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Observable w·x at the 1-D sample times t, shape batch + (len(t),)."""
        c = np.einsum("...ij,...j->...i", self.inv, x)
        key = w.tobytes()
        wvec = self._wv_cache.get(key)
        if wvec is None:
            wvec = np.einsum("i,...ij->...j", w, self.vec)
            self._wv_cache[key] = wvec
        e = self._exp(t)
        out = np.matmul(e, (wvec * c)[..., None])[..., 0]
        return out.real if self.is_complex else out

    def sample(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """States at the 1-D sample times t, shape batch + (len(t), n)."""
        c = np.einsum("...ij,...j->...i", self.inv, x)
        e = self._exp(t)
        out = np.einsum("...ij,...tj->...ti", self.vec, e * c[..., None, :])
        return out.real if self.is_complex else out


def _key(conds: Mapping[str, np.ndarray]) -> tuple:
    return tuple((k, v.shape, v.tobytes()) for k, v in sorted(conds.items()))


def propagate(scheme: Scheme, segments: Sequence[Segment], *,
              fixed: Mapping[str, object] | None = None, x0: np.ndarray | None = None,
              start: Mapping[str, object] | None = None,
              observables: tuple[str, ...] | None = None) -> Propagation:
    """Propagate ``scheme`` exactly through ``segments``.

    Parameters
    ----------
    scheme : Scheme
    segments : sequence of Segment
    fixed : mapping, optional
        Conditions common to all segments (e.g. ``{"drug": concs[:, None]}``).
    x0 : array, optional
        Initial occupancy (``batch + (n,)`` or ``(n,)``). Default: the equilibrium of the
        conditions ``start`` (default: those of the first segment) — "held long enough".
    start : mapping, optional
        Conditions whose equilibrium is the initial state when ``x0`` is None.
    observables : tuple of str, optional
        Record only these observables at the sample times (much cheaper than full states,
        which are then not kept: ``Propagation.states`` holds ``None``).

    Returns
    -------
    Propagation

    Examples
    --------
    >>> from neuromoa.kinetics import Scheme, Segment, propagate
    >>> s = Scheme.from_dict({"name": "CO", "states": ["C", "O"], "conditions": ["V"],
    ...     "observables": {"open": {"O": 1}},
    ...     "parameters": [{"name": "k", "value": 1, "unit": "1/s", "source": "example"}],
    ...     "edges": [{"a": "C", "b": "O", "forward": "k", "backward": "0 * k"}]})
    >>> r = propagate(s, [Segment(1.0, {"V": 0.0}, samples=np.array([1.0]))], x0=np.array([1.0, 0.0]))
    >>> round(float(r.observe("open")[0][0]), 6)   # 1 - exp(-1)
    0.632121
    """
    if not segments:
        raise InputError("propagate: give at least one segment.")
    fixed = {k: np.asarray(v, dtype=float) for k, v in (fixed or {}).items()}
    cache: dict[tuple, _Decomposition] = {}

    def conds_of(seg_conds: Mapping[str, object]) -> dict[str, np.ndarray]:
        merged = dict(fixed)
        merged.update({k: np.asarray(v, dtype=float) for k, v in seg_conds.items()})
        return merged

    if x0 is None:
        x = scheme.steady_state(conds_of(start if start is not None else segments[0].conditions))
    else:
        x = np.asarray(x0, dtype=float)
    times, states, ends, labels = [], [], [], []
    weights = ({name: scheme.observable_vector(name) for name in observables}
               if observables is not None else None)
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in (weights or {})}
    t_abs = np.zeros(())
    for i, seg in enumerate(segments):
        conds = conds_of(seg.conditions)
        key = _key(conds)
        dec = cache.get(key)
        if dec is None:
            dec = _Decomposition(scheme.generator(conds), f"{scheme.name}, segment {i}")
            cache[key] = dec
        dur = np.asarray(seg.duration, dtype=float)
        if np.any(dur < 0) or not np.all(np.isfinite(dur)):
            raise InputError(f"{scheme.name}, segment {i} ({seg.label or 'unlabelled'}): "
                             f"duration must be finite and >= 0, got {seg.duration!r}.")
        batch = np.broadcast_shapes(x.shape[:-1], dec.lam.shape[:-1], dur.shape)
        x = np.broadcast_to(x, batch + x.shape[-1:])
        if seg.samples is not None:
            ts = np.asarray(seg.samples, dtype=float).ravel()
            if weights is not None:
                states.append(None)
                for name, w in weights.items():
                    outputs[name].append(np.broadcast_to(dec.sample_observed(x, ts, w),
                                                         batch + (ts.size,)))
            else:
                states.append(np.broadcast_to(dec.sample(x, ts), batch + (ts.size, x.shape[-1])))
            times.append(float(np.max(t_abs)) + ts if t_abs.ndim == 0 or t_abs.size == 1
                         else ts + 0.0)
        else:
            if weights is not None:
                states.append(None)
                for name in weights:
                    outputs[name].append(np.zeros(batch + (0,)))
            else:
                states.append(np.zeros(batch + (0, x.shape[-1])))
            times.append(np.zeros(0))
        x = dec.apply(x, dur)
        ends.append(x)
        labels.append(seg.label)
        t_abs = t_abs + dur
    return Propagation(scheme, tuple(times), tuple(states), x, tuple(ends), tuple(labels),
                       {k: tuple(v) for k, v in outputs.items()})
