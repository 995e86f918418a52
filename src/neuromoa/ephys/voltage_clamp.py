"""The virtual voltage-clamp rig: exact channel kinetics + recording realism.

:func:`simulate_protocol` runs a :class:`~neuromoa.ephys.protocols.VoltageProtocol` on a
channel model at several drug concentrations (the cell equilibrated with drug at the holding
potential first, as after minutes of perfusion) with :func:`neuromoa.kinetics.propagate`:
exact in each constant-voltage step, vectorised over concentrations × sweeps, sampled only
inside recorded steps. The recording adds what a rig adds:

* a seal/membrane **leak** ``g_leak·(V − E_leak)``, removed again by a P/N leak template
  recorded with its own noise (N sub-pulses → noise σ·√N);
* Gaussian **noise** (σ, A rms) at the **sampling rate**, from ``seed``;
* optional **series-resistance error**: the membrane sees ``V_cmd − I·R_s(1 − compensation)``
  (one fixed-point pass with the step's peak current; the exact solver needs a
  piecewise-constant voltage) and the current is low-pass filtered with ``τ = R_s·C_m``.

Every result carries its protocol's measurement (see :data:`MEASUREMENTS`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pint.errors import DimensionalityError

from neuromoa.channels import DRUG, ChannelModel, load_channel, parse_concentrations
from neuromoa.ephys.analysis import (
    SMOOTH_SAMPLES,
    boltzmann_fit,
    peak_in_window,
    single_exponential_recovery,
)
from neuromoa.ephys.protocols import VoltageProtocol, build_protocol
from neuromoa.errors import InputError, UnitError, check_number
from neuromoa.kinetics import propagate
from neuromoa.units import parse_quantity

__all__ = ["MEASUREMENTS", "ClampResult", "Recording", "run_protocol", "simulate_protocol"]


@dataclass(frozen=True)
class Recording:
    """Recording conditions of the virtual rig (SI units).

    Defaults are assumptions typical of whole-cell Na+ current recordings: 20 kHz sampling,
    10 pA rms noise, a 2 GΩ seal (0.5 nS leak reversing at 0 mV), P/4 leak subtraction,
    no series-resistance error (R_s = 0), C_m 20 pF.
    """

    sample_rate_Hz: float = 20e3
    noise_A: float = 10e-12
    leak_S: float = 0.5e-9
    leak_reversal_V: float = 0.0
    pn: int = 4
    series_resistance_Ohm: float = 0.0
    rs_compensation: float = 0.0
    capacitance_F: float = 20e-12

    def __post_init__(self) -> None:
        own = "Recording"
        check_number(self.sample_rate_Hz, "sample_rate_Hz", own, low=0, low_open=True)
        check_number(self.noise_A, "noise_A", own, low=0)
        check_number(self.leak_S, "leak_S", own, low=0)
        check_number(self.pn, "pn", own, low=1)
        check_number(self.series_resistance_Ohm, "series_resistance_Ohm", own, low=0)
        check_number(self.rs_compensation, "rs_compensation", own, low=0, high=1)
        check_number(self.capacitance_F, "capacitance_F", own, low=0)

    @classmethod
    def parse(cls, *, noise: object = None, leak: object = None, series_resistance: object = None,
              rs_compensation: float | None = None, sample_rate: object = None,
              capacitance: object = None) -> Recording:
        """A recording from quantities with units (``"10 pA"``, ``"1 nS"``, ``"5 MOhm"``,
        ``"20 kHz"``, ``"20 pF"``); ``None`` keeps the default. Wrong units raise UnitError."""
        kw: dict[str, float] = {}
        conv = (("noise_A", noise, "A", "noise"), ("leak_S", leak, "S", "leak"),
                ("series_resistance_Ohm", series_resistance, "ohm", "series resistance"),
                ("sample_rate_Hz", sample_rate, "Hz", "sample rate"),
                ("capacitance_F", capacitance, "F", "capacitance"))
        for field_name, value, unit, what in conv:
            if value is not None:
                if isinstance(value, str) and unit == "ohm":   # 'MOhm', 'MΩ' → pint's 'Mohm'
                    value = value.replace("Ohm", "ohm").replace("Ω", "ohm")
                q = parse_quantity(value, what)
                try:
                    kw[field_name] = float(q.to(unit).magnitude)
                except DimensionalityError as exc:
                    raise UnitError(f"{what}: {value!r} is not in units convertible to {unit}.") from exc
        if rs_compensation is not None:
            kw["rs_compensation"] = float(rs_compensation)
        return cls(**kw)

    @classmethod
    def ideal(cls, sample_rate_Hz: float = 20e3) -> Recording:
        """No noise, no leak, no series resistance: the kinetics alone."""
        return cls(sample_rate_Hz=sample_rate_Hz, noise_A=0.0, leak_S=0.0)

    @property
    def rs_uncompensated_Ohm(self) -> float:
        """Series resistance left after compensation (Ω)."""
        return self.series_resistance_Ohm * (1.0 - self.rs_compensation)

    def to_dict(self) -> dict:
        """JSON-safe fields."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class ClampResult:
    """Traces and measurement of one protocol at several concentrations.

    Arrays are indexed ``[concentration, sweep, sample]``; per recorded step one array.
    ``conc_M`` excludes the drug-free control, which is kept in ``control_*``.
    """

    protocol: VoltageProtocol
    channel: str
    conc_M: np.ndarray
    recording: Recording
    seed: int | None
    times_s: tuple[np.ndarray, ...]
    open_probability: tuple[np.ndarray, ...]
    current_A: tuple[np.ndarray, ...]
    leak_template_A: tuple[np.ndarray, ...]
    voltage_V: tuple[np.ndarray, ...]
    peaks_A: np.ndarray
    control_peaks_A: np.ndarray
    measurement: dict
    direction: int
    all_conc_M: np.ndarray = field(default_factory=lambda: np.zeros(0))
    holding_current_A: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def to_dict(self) -> dict:
        """``{"protocol", "channel", "conc_M", "measurement"}`` (JSON-safe)."""
        return {"protocol": self.protocol.name, "channel": self.channel,
                "conc_M": [float(c) for c in self.conc_M], "measurement": self.measurement}

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                       for k, v in self.measurement.items()
                       if not (isinstance(v, list) and v and isinstance(v[0], list)))
        return (f"<b>{html.escape(f'{self.channel}: {self.protocol.name}')}</b> at "
                f"{', '.join(f'{c * 1e6:g} µM' for c in self.conc_M)}<table>{rows}</table>")

    def to_frame(self) -> pd.DataFrame:
        """Long table of leak-subtracted peaks: conc_M sweep step peak_A control_peak_A."""
        rows = []
        steps = self.protocol.recorded_steps
        for i, c in enumerate(self.conc_M):
            for j in range(self.peaks_A.shape[1]):
                for k, st in enumerate(steps):
                    rows.append({"conc_M": float(c), "sweep": j,
                                 "step": self.protocol.steps[st].label or str(st),
                                 "peak_A": float(self.peaks_A[i, j, k]),
                                 "control_peak_A": float(self.control_peaks_A[j, k])})
        return pd.DataFrame(rows)

    def traces_frame(self) -> pd.DataFrame:
        """Long table of every recorded sample: conc_M sweep step time_s voltage_V current_A
        open_probability (drug-free control included as conc_M = 0)."""
        frames = []
        steps = self.protocol.recorded_steps
        for i, c in enumerate(self.all_conc_M):
            for k, st in enumerate(steps):
                t = self.times_s[k]
                cur = self.current_A[k][i]
                po = self.open_probability[k][i]
                v = np.broadcast_to(self.voltage_V[k], (cur.shape[0],))
                for j in range(cur.shape[0]):
                    frames.append(pd.DataFrame({
                        "conc_M": float(c), "sweep": j,
                        "step": self.protocol.steps[st].label or str(st),
                        "time_s": t, "voltage_V": float(v[j]), "current_A": cur[j],
                        "open_probability": po[j]}))
        return pd.concat(frames, ignore_index=True)

    def sweeps_for_abf(self) -> tuple[np.ndarray, float]:
        """One ABF sweep per (concentration, sweep), in pA: :data:`ABF_BASELINE_S` at the
        holding potential (holding current + noise, as Clampex records before a step), then
        the recorded steps joined."""
        rate = self.recording.sample_rate_Hz
        n_base = int(round(ABF_BASELINE_S * rate))
        rng = np.random.default_rng([0 if self.seed is None else int(self.seed), 1])
        sweeps = []
        for i in range(len(self.all_conc_M)):
            for j in range(self.current_A[0].shape[1]):
                base = self.holding_current_A[i] + rng.normal(0.0, self.recording.noise_A, n_base)
                sweeps.append(np.concatenate([base] + [c[i, j] for c in self.current_A]) * 1e12)
        return np.asarray(sweeps), rate

    def write_abf(self, path: str) -> None:
        """Write the recorded current as an ABF1 file (pyabf's writer; units pA)."""
        from pyabf.abfWriter import writeABF1

        data, rate = self.sweeps_for_abf()
        writeABF1(data, str(path), rate, units="pA")

    def plot(self, ax=None):
        """Representative current sweeps (one colour per concentration) above the command
        voltage of the recorded steps. With ``ax`` only the currents are drawn on it."""
        from matplotlib import colormaps
        from matplotlib.figure import Figure

        vax = None
        if ax is None:
            fig = Figure(figsize=(7, 4.6))
            ax, vax = fig.subplots(2, 1, height_ratios=(3, 1.2))
        n_sweeps = self.current_A[0].shape[1] if self.current_A else 0
        shown = _representative(n_sweeps)
        n_conc = len(self.all_conc_M)
        colours = [colormaps["viridis"](0.9 * i / max(n_conc - 1, 1)) for i in range(n_conc)]
        offset = 0.0
        for k, t in enumerate(self.times_s):
            x = (t + offset) * 1e3
            for i, c in enumerate(self.all_conc_M):
                for n, j in enumerate(shown):
                    label = f"{c * 1e6:g} µM" if k == 0 and n == 0 else None
                    ax.plot(x, self.current_A[k][i][j] * 1e9, lw=0.8, color=colours[i],
                            label=label)
            offset += (t[-1] if t.size else 0.0) + 2.0 / self.recording.sample_rate_Hz
        ax.set_ylabel("current (nA)")
        sweeps = ""
        variable = self.protocol.sweep_variable
        if len(shown) < n_sweeps and self.protocol.sweep_values and variable.endswith("_V"):
            values = ", ".join(f"{self.protocol.sweep_values[j] * 1e3:g}" for j in shown)
            sweeps = f"\nsweeps shown: {variable[:-2]} {values} mV"
        elif len(shown) < n_sweeps:
            sweeps = f"\n{len(shown)} of {n_sweeps} sweeps shown"
        ax.set_title(f"{self.channel}: {self.protocol.name}{sweeps}")
        ax.legend(title="drug", ncols=min(n_conc, 3), loc="lower right")
        ax.set_xlabel("recorded time (ms, recorded steps joined)")
        if vax is not None:
            for j in shown:
                t_ms, v_mV = _command(self.protocol, j)
                vax.plot(t_ms, v_mV, lw=1.0, color="0.25", drawstyle="steps-post")
            vax.set_ylabel("command (mV)")
            vax.set_xlabel("protocol time (ms)")
            ax.figure.subplots_adjust(hspace=0.7)
        return ax.figure


#: Sweeps a trace figure shows of a multi-sweep protocol (first, middle, last; assumption:
#: three show the trend without hiding it, issue 16).
REPRESENTATIVE_SWEEPS = 3


def _command(protocol, sweep: int) -> tuple[list[float], list[float]]:
    """Command voltage of one sweep as step corners (ms, mV), from the holding potential."""
    def pick(value, j):
        return value[j] if isinstance(value, tuple | list) else value

    lead = 0.0  # the trace starts at the holding potential
    t, v = [lead], [protocol.holding_V * 1e3]
    now = lead
    for step in protocol.steps:
        t.append(now)
        v.append(pick(step.voltage_V, sweep) * 1e3)
        now += pick(step.duration_s, sweep) * 1e3
    t.append(now)
    v.append(v[-1])
    return t, v


def _representative(n: int) -> list[int]:
    """Indices of the sweeps drawn: all when few, else evenly spaced including both ends."""
    if n <= REPRESENTATIVE_SWEEPS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (REPRESENTATIVE_SWEEPS - 1))
                   for i in range(REPRESENTATIVE_SWEEPS)})


#: Peak detection averages over this fraction of a recorded step (at least
#: :data:`~neuromoa.ephys.analysis.SMOOTH_SAMPLES` samples) so that the extreme of a long noisy
#: step is not biased by noise (assumption: 1 % — 0.2 ms of a 20 ms Na+ step, 10 ms of a 1 s
#: K+ step, both short against the currents' time courses).
PEAK_SMOOTH_FRACTION = 0.01

#: Length of the holding-potential baseline written before the recorded steps in ABF output
#: (s). Assumption: 50 ms, like a Clampex pre-step holding period (also keeps pyabf's ABF1
#: writer above its minimum file size).
ABF_BASELINE_S = 0.05


def _control_relative(peaks: np.ndarray, control: np.ndarray) -> np.ndarray:
    return np.abs(peaks) / np.abs(control)


def _m_step(res: dict) -> dict:
    frac = _control_relative(res["peaks"][:, 0, 0], res["control"][0, 0])
    return {"block": (1.0 - frac).tolist()}


def _m_train(res: dict) -> dict:
    frac = _control_relative(res["peaks"][:, 0, :], res["control"][0, :])
    first, last = frac[:, 0], frac[:, -1]
    ctrl = res["control"][0]
    use = 1.0 - (frac[:, -1] / frac[:, 0])
    return {"block_first_pulse": (1.0 - first).tolist(), "block_last_pulse": (1.0 - last).tolist(),
            "use_dependent_block": use.tolist(),
            "control_last_over_first": float(abs(ctrl[-1]) / abs(ctrl[0])),
            "block_per_pulse": (1.0 - frac).tolist()}


def _m_inactivation(res: dict) -> dict:
    v = np.asarray(res["protocol"].sweep_values)
    out: dict[str, list] = {"v_half_V": [], "slope_V": [], "status": []}
    ctrl = boltzmann_fit(v, np.abs(res["control"][:, 0]))
    for i in range(res["peaks"].shape[0]):
        fit = boltzmann_fit(v, np.abs(res["peaks"][i, :, 0]))
        out["v_half_V"].append(fit.v_half_V)
        out["slope_V"].append(fit.slope_V)
        out["status"].append(fit.status)
    out["shift_V"] = [x - ctrl.v_half_V for x in out["v_half_V"]]
    out["control_v_half_V"] = ctrl.v_half_V
    out["control_slope_V"] = ctrl.slope_V
    return out


def _m_activation(res: dict) -> dict:
    v = np.asarray(res["protocol"].sweep_values)
    e_rev = res["reversal_V"]
    out: dict[str, list] = {"v_half_V": [], "slope_V": [], "status": []}
    ctrl = boltzmann_fit(v, res["control"][:, 0] / (v - e_rev), kind="activation")
    for i in range(res["peaks"].shape[0]):
        fit = boltzmann_fit(v, res["peaks"][i, :, 0] / (v - e_rev), kind="activation")
        out["v_half_V"].append(fit.v_half_V)
        out["slope_V"].append(fit.slope_V)
        out["status"].append(fit.status)
    out["control_v_half_V"] = ctrl.v_half_V
    out["control_slope_V"] = ctrl.slope_V
    out["control_peak_A"] = res["control"][:, 0].tolist()
    out["peak_A"] = res["peaks"][:, :, 0].tolist()
    out["test_V"] = v.tolist()
    return out


#: Recovery intervals shorter than this are not used for the slow (drug) time constant
#: (assumption: drug-free recovery is complete within ~100 ms at the resting potential).
RECOVERY_SLOW_FROM_S = 0.1


def _m_recovery(res: dict) -> dict:
    t = np.asarray(res["protocol"].sweep_values)
    out: dict[str, list] = {"tau_slow_s": [], "fraction_slow": [], "fraction_recovered": []}
    ctrl = np.abs(res["control"][:, 1]) / np.abs(res["control"][:, 0])
    tc, ac = single_exponential_recovery(t, ctrl, t_min=RECOVERY_SLOW_FROM_S)
    for i in range(res["peaks"].shape[0]):
        r = np.abs(res["peaks"][i, :, 1]) / np.abs(res["peaks"][i, :, 0])
        tau, a = single_exponential_recovery(t, r, t_min=RECOVERY_SLOW_FROM_S)
        out["tau_slow_s"].append(tau)
        out["fraction_slow"].append(a)
        out["fraction_recovered"].append(r.tolist())
    out["interval_s"] = t.tolist()
    out["control_tau_slow_s"] = tc
    out["control_fraction_recovered"] = ctrl.tolist()
    return out


#: Protocol name → measurement from {"peaks", "control", "protocol"}.
MEASUREMENTS = {
    "tonic": _m_step,
    "holding": _m_step,
    "open-block": _m_step,
    "inactivation": _m_inactivation,
    "use-dependence": _m_train,
    "recovery": _m_recovery,
    "activation": _m_activation,
}


def run_protocol(model: ChannelModel, protocol: VoltageProtocol, conc_M: Sequence[float], *,
                 recording: Recording | None = None, seed: int | None = 0) -> ClampResult:
    """Simulate ``protocol`` on ``model`` at ``conc_M`` (floats, M, ≥ 0); the drug-free
    control is always simulated too. See :func:`simulate_protocol` for the unit-aware door."""
    rec = recording if recording is not None else Recording()
    conc = np.asarray(conc_M, dtype=float).ravel()
    if np.any(~np.isfinite(conc)) or np.any(conc < 0):
        bad = [float(c) for c in conc if not np.isfinite(c) or c < 0]
        raise InputError(f"concentration {bad[0]!r} M is negative or not finite; "
                         "concentrations must be >= 0.")
    all_c = np.concatenate([[0.0], conc])
    drug = all_c[:, None]                                   # batch (conc, sweep)
    segs = protocol.segments(rec.sample_rate_Hz)
    hold = {"V": protocol.holding_V}
    out = propagate(model.scheme, segs, fixed={DRUG: drug}, start=hold, observables=("open",))
    rec_steps = protocol.recorded_steps
    obs = out.observe("open")
    direction = -1 if model.default("test") < model.reversal_V else 1
    if protocol.name == "activation":   # peak of either sign: the largest deviation
        direction = 0
    po = [np.broadcast_to(obs[k], (len(all_c), protocol.n_sweeps, out.times[k].size))
          for k in rec_steps]
    volts = [np.broadcast_to(protocol.voltage(k), (protocol.n_sweeps,)) for k in rec_steps]
    rs = rec.rs_uncompensated_Ohm
    if rs > 0:
        offsets = {}
        for idx, k in enumerate(rec_steps):
            i_pk = peak_in_window(model.current(po[idx], volts[idx][None, :, None]), direction, 1)
            offsets[k] = -(i_pk + rec.leak_S * (volts[idx] - rec.leak_reversal_V)) * rs
        segs = protocol.segments(rec.sample_rate_Hz, voltage_offsets=offsets)
        out = propagate(model.scheme, segs, fixed={DRUG: drug}, start=hold, observables=("open",))
        obs = out.observe("open")
        po = [np.broadcast_to(obs[k], po[i].shape) for i, k in enumerate(rec_steps)]
        vm = [np.broadcast_to(volts[i][None, :] + offsets[k], (len(all_c), protocol.n_sweeps))
              for i, k in enumerate(rec_steps)]
    else:
        vm = [np.broadcast_to(v[None, :], (len(all_c), protocol.n_sweeps)) for v in volts]
    rng = np.random.default_rng(seed)
    currents, templates, peaks = [], [], []
    for idx in range(len(rec_steps)):
        i_ion = model.current(po[idx], vm[idx][..., None])
        leak = rec.leak_S * (volts[idx][None, :, None] - rec.leak_reversal_V)
        total = i_ion + leak
        if rs > 0 and rec.capacitance_F > 0:
            total = _lowpass(total, rs * rec.capacitance_F, 1.0 / rec.sample_rate_Hz)
        noise = rng.normal(0.0, rec.noise_A, total.shape) if rec.noise_A > 0 else 0.0
        recorded = total + noise
        tmpl_noise = (rng.normal(0.0, rec.noise_A * np.sqrt(rec.pn), total.shape)
                      if rec.noise_A > 0 else 0.0)
        template = np.broadcast_to(leak, total.shape) + tmpl_noise
        currents.append(recorded)
        templates.append(template)
        width = max(SMOOTH_SAMPLES, int(round(PEAK_SMOOTH_FRACTION * recorded.shape[-1])))
        peaks.append(peak_in_window(recorded - template, direction, width))
    pk = np.stack(peaks, axis=-1)                            # (conc, sweep, recorded step)
    x_hold = model.scheme.steady_state({"V": protocol.holding_V, DRUG: all_c})
    i_hold = (model.current(x_hold @ model.scheme.observable_vector("open"), protocol.holding_V)
              + rec.leak_S * (protocol.holding_V - rec.leak_reversal_V))
    res = {"peaks": pk[1:], "control": pk[0], "protocol": protocol, "reversal_V": model.reversal_V}
    meas = MEASUREMENTS.get(protocol.name, _m_step)(res) if len(conc) else {}
    return ClampResult(protocol=protocol, channel=model.id + (f" ({model.mutant})" if model.mutant else ""),
                       conc_M=conc, recording=rec, seed=seed,
                       times_s=tuple(out.times[k] - out.times[k][0] if out.times[k].size else out.times[k]
                                     for k in rec_steps),
                       open_probability=tuple(po), current_A=tuple(currents),
                       leak_template_A=tuple(templates), voltage_V=tuple(volts),
                       peaks_A=pk[1:], control_peaks_A=pk[0], measurement=meas,
                       direction=direction, all_conc_M=all_c, holding_current_A=i_hold)


def _lowpass(x: np.ndarray, tau: float, dt: float) -> np.ndarray:
    """One-pole low-pass along the last axis (exact for a piecewise-constant input)."""
    a = np.exp(-dt / tau)
    y = np.empty_like(x)
    y[..., 0] = x[..., 0]
    for n in range(1, x.shape[-1]):
        y[..., n] = a * y[..., n - 1] + (1.0 - a) * x[..., n]
    return y


def simulate_protocol(protocol: str | VoltageProtocol, channel: str | ChannelModel,
                      concs: Sequence[object], *, seed: int | None = 0,
                      recording: Recording | None = None, **options) -> ClampResult:
    """Run a named protocol on a channel at concentrations given with units.

    Parameters
    ----------
    protocol : str or VoltageProtocol
        ``"tonic"``, ``"holding"``, ``"inactivation"``, ``"use-dependence"``, ``"recovery"``,
        ``"open-block"`` (a key of :data:`~neuromoa.ephys.protocols.PROTOCOLS`), or a protocol.
    channel : str or ChannelModel
        ``"nav-drg"``, ``"nav1.5"``, ``"herg"``, ``"kv1.1"``, ``"kv7"``.
    concs : sequence of str or Quantity
        Drug concentrations, e.g. ``["0.3 uM", "1 uM"]`` (the drug-free control is added).
    seed : int
        Noise seed (same seed → same bytes).
    recording : Recording, optional
    **options
        Protocol options (``freq_Hz``, ``pulses``, ``holding_V``, ``test_V``, …).

    Returns
    -------
    ClampResult
        ``measurement`` e.g. ``{"block": [...]}`` (fraction of the drug-free current) for
        ``tonic``/``holding``; ``block_first_pulse``/``block_last_pulse`` for trains;
        ``v_half_V``/``slope_V`` for inactivation; ``tau_slow_s`` for recovery.

    Examples
    --------
    >>> r = simulate_protocol("tonic", "nav-drg", ["33 uM"], seed=1)
    >>> 0.3 < r.measurement["block"][0] < 0.6
    True
    """
    model = load_channel(channel) if isinstance(channel, str) else channel
    conc = parse_concentrations(concs)
    if isinstance(protocol, str):
        if protocol == "open-block":
            model = model.inactivation_deficient()
        proto = build_protocol(protocol, model, **options)
    else:
        proto = protocol
    return run_protocol(model, proto, conc, recording=recording, seed=seed)


