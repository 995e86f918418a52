"""The paced ORd cell with drug: APD90, ΔAPD90, qNet and early afterdepolarisations.

A drug run starts from the shipped drug-free steady state at the same rate
(:func:`neuromoa.cardiac.steady.control_state`) and is paced until APD90 changes by less than
:data:`CONVERGED_MS` between beats (at least :data:`MIN_BEATS`, at most :data:`MAX_BEATS`);
the last beat is analysed. Ion concentrations (mainly [Na+]i) keep drifting slowly after that
— a few ms of APD over hundreds of beats — which the result states (``beats``,
``apd90_last_change_ms``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuromoa.cardiac import ord as model
from neuromoa.cardiac.steady import control_state
from neuromoa.errors import InputError, ParameterError

__all__ = ["CONVERGED_MS", "MAX_BEATS", "MIN_BEATS", "CellResult", "check_heart_rate",
           "detect_ead", "simulate_cell"]

#: Pacing stops once APD90 changes by less than this between successive beats (ms).
CONVERGED_MS = 0.2
#: At least / at most this many beats with drug (assumption: block by conductance scaling
#: settles APD within ~20 beats; see the module docstring for the slow ionic drift).
MIN_BEATS = 20
MAX_BEATS = 200
#: Beats per convergence check.
_CHUNK = 10
#: Heart rates the shipped steady states cover (bpm).
HEART_RATE_RANGE = (30.0, 200.0)
#: EAD: a rise of at least this much (mV) during repolarisation, above -70 mV, after the peak
#: plus 100 ms (assumption; the usual criterion is a positive dV/dt during phase 2/3,
#: e.g. Li et al. 2017 Circ Arrhythm Electrophysiol 10:e004628 use dV/dt > 0 after the peak).
EAD_RISE_MV = 0.5
EAD_V_FLOOR_MV = -70.0
EAD_DELAY_MS = 100.0


def check_heart_rate(bpm: object) -> float:
    """A heart rate in bpm within :data:`HEART_RATE_RANGE`, else :class:`ParameterError`."""
    try:
        value = float(bpm)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(f"heart rate: {bpm!r} is not a number of beats per minute.") from None
    lo, hi = HEART_RATE_RANGE
    if not (np.isfinite(value) and lo <= value <= hi):
        raise ParameterError(f"heart rate: {value:g} bpm is outside {lo:g}-{hi:g} bpm "
                             "(the paced range of the ventricular model).")
    return value


def _scale_vector(block: Mapping[str, float] | None) -> np.ndarray:
    scale = np.ones(len(model.CURRENTS))
    for name, b in (block or {}).items():
        if name not in model.CURRENTS:
            raise InputError(f"block: unknown current {name!r}; choose from {list(model.CURRENTS)}.")
        b = float(b)
        if not (0.0 <= b <= 1.0):
            raise ParameterError(f"block of {name}: {b:g} must be a fraction in [0, 1].")
        scale[model.CURRENTS.index(name)] = 1.0 - b
    return scale


def detect_ead(t_ms: np.ndarray, v_mV: np.ndarray) -> bool:
    """Whether the beat has an early afterdepolarisation (a rise during repolarisation)."""
    if len(v_mV) < 3:
        return False
    ipk = int(np.argmax(v_mV))
    late = t_ms > t_ms[ipk] + EAD_DELAY_MS
    vv = v_mV[late]
    if len(vv) < 2:
        return False
    running_min = np.minimum.accumulate(vv)
    rise = vv - running_min
    return bool(np.any((rise > EAD_RISE_MV) & (vv > EAD_V_FLOOR_MV)))


@dataclass(frozen=True)
class CellResult:
    """One analysed steady-state beat with drug, beside its drug-free control."""

    bpm: float
    block: dict[str, float]
    apd90_ms: float
    control_apd90_ms: float
    qnet_uC_uF: float
    control_qnet_uC_uF: float
    ead: bool
    repolarised: bool
    beats: int
    apd90_last_change_ms: float
    t_ms: np.ndarray = field(repr=False)
    v_mV: np.ndarray = field(repr=False)
    control_t_ms: np.ndarray = field(repr=False)
    control_v_mV: np.ndarray = field(repr=False)

    @property
    def delta_apd90_ms(self) -> float:
        return self.apd90_ms - self.control_apd90_ms

    def to_dict(self) -> dict:
        return {"bpm": self.bpm, "block": dict(self.block), "apd90_ms": self.apd90_ms,
                "control_apd90_ms": self.control_apd90_ms,
                "delta_apd90_ms": self.delta_apd90_ms, "qnet_uC_uF": self.qnet_uC_uF,
                "control_qnet_uC_uF": self.control_qnet_uC_uF, "ead": self.ead,
                "repolarised": self.repolarised, "beats": self.beats,
                "apd90_last_change_ms": self.apd90_last_change_ms}

    def to_frame(self) -> pd.DataFrame:
        """The last beat: ``t_ms v_mV condition`` (drug and control)."""
        return pd.concat([pd.DataFrame({"t_ms": self.t_ms, "v_mV": self.v_mV, "condition": "drug"}),
                          pd.DataFrame({"t_ms": self.control_t_ms, "v_mV": self.control_v_mV,
                                        "condition": "control"})], ignore_index=True)

    def plot(self, ax=None):
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(6, 3.5)).add_subplot(1, 1, 1)
        ax.plot(self.control_t_ms, self.control_v_mV, color="0.5", label="control")
        ax.plot(self.t_ms, self.v_mV, color="C3", label="drug")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("V (mV)")
        ax.set_title(f"ORd endocardial cell, {self.bpm:g} bpm: ΔAPD90 {self.delta_apd90_ms:+.1f} ms")
        ax.legend()
        return ax.figure


@functools.cache
def _control(bpm: float) -> tuple[float, float, np.ndarray, np.ndarray]:
    y, apd, qnet, t, v = model.pace(control_state(bpm), model.parameter_vector(),
                                    np.ones(len(model.CURRENTS)), 60_000.0 / bpm, 1)
    return float(apd[-1]), float(qnet[-1]), t, v


def simulate_cell(block: Mapping[str, float] | None = None, *, bpm: float = 60.0,
                  max_beats: int = MAX_BEATS) -> CellResult:
    """Pace the ORd endocardial cell with ``block`` (current → fraction blocked) to steady state.

    Examples
    --------
    >>> r = simulate_cell({"IKr": 0.5}, bpm=60)
    >>> r.delta_apd90_ms > 20
    True
    """
    bpm = check_heart_rate(bpm)
    scale = _scale_vector(block)
    c_apd, c_q, c_t, c_v = _control(bpm)
    params = model.parameter_vector()
    bcl = 60_000.0 / bpm
    y = control_state(bpm)
    apds: list[float] = []
    qn: list[float] = []
    beats = 0
    t = v = np.zeros(0)
    if not np.any(scale != 1.0):
        return CellResult(bpm, {}, c_apd, c_apd, c_q, c_q, detect_ead(c_t, c_v), True, 0, 0.0,
                          c_t, c_v, c_t, c_v)
    while beats < max_beats:
        n = _CHUNK
        y, apd, q, t, v = model.pace(y, params, scale, bcl, n, record=True)
        apds.extend(apd.tolist())
        qn.extend(q.tolist())
        beats += n
        if beats >= MIN_BEATS and len(apds) >= 2:
            a, b = apds[-1], apds[-2]
            if np.isfinite(a) and np.isfinite(b) and abs(a - b) < CONVERGED_MS:
                break
    last = apds[-1]
    change = abs(apds[-1] - apds[-2]) if len(apds) >= 2 else float("nan")
    return CellResult(bpm, {k: float(x) for k, x in (block or {}).items()}, float(last), c_apd,
                      float(qn[-1]), c_q, detect_ead(t, v), bool(np.isfinite(last)), beats,
                      float(change), t, v, c_t, c_v)
