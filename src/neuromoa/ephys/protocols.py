"""Voltage-clamp protocols as small declarations: holding potential, steps, sweeps.

A :class:`VoltageProtocol` is a holding potential and a sequence of :class:`Step` s; a step's
voltage or duration may vary across sweeps (a tuple, one value per sweep), which is how
steady-state inactivation (prepulse voltage per sweep) and recovery (interval per sweep) are
written. Steps marked ``record=True`` are sampled at the recording's sampling rate; nothing
else is computed between segment ends (the exact solver needs no time step).

The builders in :data:`PROTOCOLS` produce the standard protocols of a state-dependent block
study (e.g. Wang et al. 2004; Nau et al. 2000): ``tonic`` (rested block from a hyperpolarised
holding potential), ``holding`` (block at a depolarised holding potential), ``inactivation``
(steady-state inactivation), ``use-dependence`` (a pulse train), ``recovery`` (recovery
from block), ``activation`` (current–voltage relation) and ``open-block`` (long depolarisation
of the inactivation-deficient mutant). Each channel declares its defaults (holding potentials, test step) in its data
file (``[channel.protocol]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from neuromoa.channels import ChannelModel
from neuromoa.errors import ProtocolError, check_number
from neuromoa.kinetics import Segment

__all__ = [
    "MAX_ABS_VOLTAGE_V",
    "PROTOCOLS",
    "Step",
    "VoltageProtocol",
    "activation_protocol",
    "build_protocol",
    "inactivation_protocol",
    "open_block_protocol",
    "recovery_protocol",
    "step_protocol",
    "use_dependence_protocol",
]

#: Largest command voltage accepted (V): ±200 mV, beyond any amplifier's usable range
#: (assumption: typical patch-clamp amplifiers clamp within about ±200 mV).
MAX_ABS_VOLTAGE_V = 0.2

#: Prepulse duration of the steady-state inactivation protocol (s). Assumption: long enough
#: (≥ 3 binding time constants at 1 µM for the shipped Na+ models) that drug binding to
#: inactivated channels approaches equilibrium, as in slow-inactivation-block studies.
INACTIVATION_PREPULSE_S = 10.0
#: Prepulse voltages of the inactivation protocol relative to the resting holding potential:
#: from hold − 20 mV in 10 mV steps, 12 sweeps (assumption: spans the whole curve).
INACTIVATION_SPAN = (-0.02, 0.01, 12)
#: Recovery protocol: conditioning pulse length (s) at the test voltage, and the recovery
#: intervals (s, log-spaced 1 ms … 30 s, 16 sweeps). Assumption, after Nau et al. 2000.
RECOVERY_CONDITIONING_S = 2.0
RECOVERY_INTERVALS_S = tuple(np.geomspace(1e-3, 30.0, 16).tolist())
#: Rest between the reference pulse and the conditioning pulse of the recovery protocol (s).
RECOVERY_REST_S = 1.0
#: Open-state protocol on the inactivation-deficient mutant: pulse length (s); assumption:
#: ≥ 5 time constants of open-channel binding at the lowest concentrations used.
OPEN_BLOCK_PULSE_S = 3.0
#: Time before the end of the open-block pulse at which the late current is read (s).
OPEN_BLOCK_READ_S = 0.05


@dataclass(frozen=True)
class Step:
    """One command step: ``duration_s`` and ``voltage_V`` are floats or one value per sweep."""

    duration_s: float | tuple[float, ...]
    voltage_V: float | tuple[float, ...]
    record: bool = False
    label: str = ""


@dataclass(frozen=True)
class VoltageProtocol:
    """A holding potential, steps and sweeps; ``sweep_values`` label the sweeps.

    Attributes
    ----------
    name : str
    holding_V : float
        The cell is at equilibrium at this potential (and drug concentration) before step 0.
    steps : tuple of Step
    n_sweeps : int
    sweep_variable : str
        What varies across sweeps (``"prepulse_V"``, ``"interval_s"``) or ``""``.
    sweep_values : tuple of float
    options : dict
        What the builder was given (frequency, pulses, …), for the record.
    """

    name: str
    holding_V: float
    steps: tuple[Step, ...]
    n_sweeps: int = 1
    sweep_variable: str = ""
    sweep_values: tuple[float, ...] = ()
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ProtocolError` naming the step and sweep of any bad value."""
        self._check_v(self.holding_V, "holding potential")
        for k, st in enumerate(self.steps):
            where = f"step {k}" + (f" ({st.label})" if st.label else "")
            for name, val in (("voltage", st.voltage_V), ("duration", st.duration_s)):
                vals = np.atleast_1d(np.asarray(val, dtype=float))
                if vals.size not in (1, self.n_sweeps):
                    raise ProtocolError(f"protocol {self.name!r}, {where}: {name} has "
                                        f"{vals.size} values for {self.n_sweeps} sweeps.")
                for j, v in enumerate(vals):
                    sw = f", sweep {j}" if vals.size > 1 else ""
                    if name == "voltage":
                        self._check_v(v, f"{where}{sw}")
                    elif not np.isfinite(v) or v < 0:
                        raise ProtocolError(f"protocol {self.name!r}, {where}{sw}: duration "
                                            f"{v!r} s must be finite and >= 0.")

    def _check_v(self, v: float, where: str) -> None:
        if not np.isfinite(v) or abs(v) > MAX_ABS_VOLTAGE_V + 1e-12:
            raise ProtocolError(f"protocol {self.name!r}, {where}: {v * 1e3:g} mV is beyond "
                                f"±{MAX_ABS_VOLTAGE_V * 1e3:g} mV; use a command within the "
                                "amplifier's range.")

    def voltage(self, k: int) -> np.ndarray:
        """Voltage of step k, shape () or (n_sweeps,)."""
        return np.asarray(self.steps[k].voltage_V, dtype=float)

    def segments(self, sample_rate_Hz: float,
                 voltage_offsets: dict[int, np.ndarray] | None = None) -> list[Segment]:
        """The :class:`~neuromoa.kinetics.Segment` list (condition ``V``) for the solver.

        Recorded steps are sampled at ``k / sample_rate_Hz`` for ``k = 0 … n−1`` covering the
        step (same grid in every sweep: recorded steps must have one duration).
        ``voltage_offsets`` (step → array) adds a voltage error (series resistance).
        """
        check_number(sample_rate_Hz, "sample_rate_Hz", "VoltageProtocol.segments", low=0,
                     low_open=True)
        out = []
        for k, st in enumerate(self.steps):
            v = np.asarray(st.voltage_V, dtype=float)
            if voltage_offsets and k in voltage_offsets:
                v = v + voltage_offsets[k]
            samples = None
            if st.record:
                dur = np.asarray(st.duration_s, dtype=float)
                if dur.ndim and not np.all(dur == dur.flat[0]):
                    raise ProtocolError(f"protocol {self.name!r}, step {k}: a recorded step must "
                                        "have the same duration in every sweep.")
                n = max(int(np.floor(float(dur.flat[0]) * sample_rate_Hz + 1e-9)), 1)
                samples = np.arange(n) / sample_rate_Hz
            out.append(Segment(np.asarray(st.duration_s, dtype=float), {"V": v}, samples,
                               st.label))
        return out

    @property
    def recorded_steps(self) -> list[int]:
        """Indices of the recorded steps."""
        return [k for k, st in enumerate(self.steps) if st.record]

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"name": self.name, "holding_V": self.holding_V, "n_sweeps": self.n_sweeps,
                "sweep_variable": self.sweep_variable, "sweep_values": list(self.sweep_values),
                "options": dict(self.options),
                "steps": [{"duration_s": st.duration_s, "voltage_V": st.voltage_V,
                           "record": st.record, "label": st.label} for st in self.steps]}


def _opt(value: float | None, model: ChannelModel, key: str) -> float:
    return model.default(key) if value is None else float(value)


def step_protocol(model: ChannelModel, *, holding_V: float | None = None,
                  test_V: float | None = None, name: str = "tonic",
                  hold_key: str = "resting_hold") -> VoltageProtocol:
    """One test step from an equilibrated holding potential (``tonic`` / ``holding``)."""
    hold = _opt(holding_V, model, hold_key)
    test = _opt(test_V, model, "test")
    dur = model.default("test_duration")
    return VoltageProtocol(name, hold, (Step(dur, test, True, "test"),),
                           options={"holding_V": hold, "test_V": test})


def inactivation_protocol(model: ChannelModel, *, holding_V: float | None = None,
                          test_V: float | None = None,
                          prepulse_s: float = INACTIVATION_PREPULSE_S) -> VoltageProtocol:
    """Steady-state inactivation: prepulse (one voltage per sweep), then the test step."""
    hold = _opt(holding_V, model, "resting_hold")
    test = _opt(test_V, model, "test")
    start, step, n = INACTIVATION_SPAN
    pre = tuple(float(hold + start + step * i) for i in range(n))
    dur = model.default("test_duration")
    return VoltageProtocol("inactivation", hold,
                           (Step(prepulse_s, pre, False, "prepulse"),
                            Step(dur, test, True, "test")),
                           n_sweeps=n, sweep_variable="prepulse_V", sweep_values=pre,
                           options={"holding_V": hold, "test_V": test, "prepulse_s": prepulse_s})


#: Activation (I–V) protocol: test voltages from −80 to +40 mV in 10 mV steps (assumption:
#: spans the activation range of the shipped channels).
ACTIVATION_VOLTAGES_V = tuple(float(v) for v in np.arange(-0.08, 0.0401, 0.01))


def activation_protocol(model: ChannelModel, *, holding_V: float | None = None,
                        voltages_V: tuple[float, ...] = ACTIVATION_VOLTAGES_V) -> VoltageProtocol:
    """Current–voltage relation: one test step per sweep from the resting holding potential."""
    hold = _opt(holding_V, model, "resting_hold")
    dur = model.default("test_duration")
    vals = tuple(float(v) for v in voltages_V)
    return VoltageProtocol("activation", hold, (Step(dur, vals, True, "test"),),
                           n_sweeps=len(vals), sweep_variable="test_V", sweep_values=vals,
                           options={"holding_V": hold})


def use_dependence_protocol(model: ChannelModel, *, freq_Hz: float = 10.0, pulses: int = 100,
                            holding_V: float | None = None,
                            test_V: float | None = None) -> VoltageProtocol:
    """A train of ``pulses`` test steps at ``freq_Hz`` from the resting holding potential."""
    freq = check_number(freq_Hz, "freq", "use-dependence protocol", low=0, low_open=True)
    n = int(check_number(pulses, "pulses", "use-dependence protocol", low=1))
    hold = _opt(holding_V, model, "resting_hold")
    test = _opt(test_V, model, "test")
    dur = model.default("test_duration")
    gap = 1.0 / freq - dur
    if gap <= 0:
        raise ProtocolError(f"use-dependence protocol: {freq:g} Hz leaves no time between "
                            f"{dur * 1e3:g} ms pulses; use a frequency below {1 / dur:g} Hz.")
    steps = []
    for i in range(n):
        steps.append(Step(dur, test, True, f"pulse {i + 1}"))
        if i < n - 1:
            steps.append(Step(gap, hold, False, f"interval {i + 1}"))
    return VoltageProtocol("use-dependence", hold, tuple(steps),
                           options={"freq_Hz": freq, "pulses": n, "holding_V": hold,
                                    "test_V": test})


def recovery_protocol(model: ChannelModel, *, holding_V: float | None = None,
                      test_V: float | None = None,
                      conditioning_s: float = RECOVERY_CONDITIONING_S,
                      intervals_s: tuple[float, ...] = RECOVERY_INTERVALS_S) -> VoltageProtocol:
    """Reference test, conditioning pulse, recovery interval (per sweep) at hold, test again."""
    hold = _opt(holding_V, model, "resting_hold")
    test = _opt(test_V, model, "test")
    dur = model.default("test_duration")
    ivals = tuple(float(x) for x in intervals_s)
    steps = (Step(dur, test, True, "reference"), Step(RECOVERY_REST_S, hold, False, "rest"),
             Step(conditioning_s, test, False, "conditioning"),
             Step(ivals, hold, False, "recovery interval"), Step(dur, test, True, "test"))
    return VoltageProtocol("recovery", hold, steps, n_sweeps=len(ivals),
                           sweep_variable="interval_s", sweep_values=ivals,
                           options={"holding_V": hold, "test_V": test,
                                    "conditioning_s": conditioning_s})


def open_block_protocol(model: ChannelModel, *, holding_V: float | None = None,
                        test_V: float | None = None,
                        pulse_s: float = OPEN_BLOCK_PULSE_S) -> VoltageProtocol:
    """A long depolarisation for the inactivation-deficient mutant (open-channel block)."""
    hold = _opt(holding_V, model, "resting_hold")
    test = _opt(test_V, model, "open_test")
    return VoltageProtocol("open-block", hold,
                           (Step(pulse_s - OPEN_BLOCK_READ_S, test, False, "pulse"),
                            Step(OPEN_BLOCK_READ_S, test, True, "late")),
                           options={"holding_V": hold, "test_V": test, "pulse_s": pulse_s})


def _tonic(model: ChannelModel, **kw) -> VoltageProtocol:
    return step_protocol(model, name="tonic", hold_key="resting_hold", **kw)


def _holding(model: ChannelModel, **kw) -> VoltageProtocol:
    return step_protocol(model, name="holding", hold_key="depolarised_hold", **kw)


#: Protocol name → builder(model, **options). Drives the CLI choices and parametrised tests.
PROTOCOLS: dict[str, Callable[..., VoltageProtocol]] = {
    "tonic": _tonic,
    "holding": _holding,
    "inactivation": inactivation_protocol,
    "use-dependence": use_dependence_protocol,
    "recovery": recovery_protocol,
    "open-block": open_block_protocol,
    "activation": activation_protocol,
}


def build_protocol(name: str, model: ChannelModel, **options) -> VoltageProtocol:
    """Build protocol ``name`` (a key of :data:`PROTOCOLS`) for ``model``."""
    if name not in PROTOCOLS:
        raise ProtocolError(f"unknown protocol {name!r}; choose one of {sorted(PROTOCOLS)}.")
    opts = {k: v for k, v in options.items() if v is not None}
    try:
        return PROTOCOLS[name](model, **opts)
    except TypeError as exc:
        raise ProtocolError(f"protocol {name!r} does not take option(s) {sorted(opts)}: {exc}") from exc
