"""Analysis of real Axon ABF recordings (read with pyabf): peaks, responses, spikes, membrane test.

:func:`analyze_abf` works per sweep and never aborts the batch for one bad sweep: every row has
``status`` (``"ok"``, ``"no response"``, ``"not credible"``, ``"failed"``) and ``message``.
Modes:

``peak``
    Baseline = mean in ``baseline``; peak = extreme of (trace − baseline) in ``window``
    (inward = minimum, outward = maximum, or the larger in magnitude with ``direction="auto"``).
``response``
    ``peak`` plus kinetics: time of peak, 10 % onset (first sample after the last one above
    10 % of the peak before it), 10–90 % rise time, mean in ``steady``, steady/peak and a
    mono-exponential decay ``A·exp(−t/τ) + C`` fitted from the peak to the end of ``window``.
``spikes``
    Action potentials in current clamp: upward crossings of ``threshold`` in ``window``.
``memtest``
    Passive properties from a voltage step in the command waveform: holding current
    (mean before the step), total resistance ``R = ΔV/ΔI_ss`` (steady state = last half of the
    step), capacitance by charge ``C = ∫(I − I_ss)dt / ΔV`` over ``charge_window_s`` after onset.

Sweeps are flagged ``"not credible"`` when the seal has broken down — a huge sustained current:
|baseline| or |late current − baseline| above ``seal_limit_A`` — and ``"no response"`` when
|peak| < ``min_response_A``, or, by default in ``response`` mode, when |peak| is below
``DETECTION_SNR`` standard deviations of the baseline noise (a failure to respond is reported as
"no response", never as a tiny current). ``peak`` mode applies no default threshold: a fully
blocked current is a measurement of ~0, not a failure.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, InputError
from neuromoa.units import si_factors

__all__ = ["MODES", "AbfAnalysis", "analyze_abf", "parse_window"]

MODES = ("peak", "response", "spikes", "memtest")
#: Factor to SI of the ADC/DAC units pyabf reports (current and voltage spellings of
#: :data:`neuromoa.units.KINDS`; factors from pint).
_UNIT_SI = si_factors(("current", "voltage"))
#: Seal breakdown: a sustained current beyond 1 nA (assumption: at typical holding potentials
#: a gigaseal passes < 100 pA; 1 nA means a seal below ~100 MΩ).
SEAL_LIMIT_A = 1e-9
#: Fraction of the sweep at its end used to test for a sustained current (assumption).
LATE_FRACTION = 0.05
#: Default response detection: |peak| must exceed this many baseline-noise SDs. Assumption:
#: the extreme of ~10^3 samples of Gaussian noise lies ~4 SD from the mean, and slow drift in real
#: recordings adds a few SD more (File_axon_7's failures reach 10 SD, its responses exceed 400 SD);
#: give ``min_response_A`` (``--min-response``) to use an absolute threshold instead.
DETECTION_SNR = 15.0
#: Capacitance-by-charge integration window after the step onset (s): README of the real
#: model-cell file (20 ms).
CHARGE_WINDOW_S = 0.02


def parse_window(text: str | Sequence[float] | None, what: str) -> tuple[float, float] | None:
    """``"0.10,0.19"`` (seconds) → ``(0.10, 0.19)``; raises :class:`InputError` naming ``what``."""
    if text is None:
        return None
    if isinstance(text, str):
        parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
        try:
            vals = [float(p) for p in parts]
        except ValueError as exc:
            raise InputError(f"{what}: {text!r} is not 'T0,T1' in seconds (e.g. '0.10,0.19').") from exc
    else:
        vals = [float(v) for v in text]
    if len(vals) != 2 or not all(np.isfinite(vals)) or vals[0] >= vals[1] or vals[0] < 0:
        raise InputError(f"{what}: {text!r} must be two times T0 < T1 in seconds, T0 >= 0.")
    return float(vals[0]), float(vals[1])


@dataclass(frozen=True)
class AbfAnalysis:
    """Per-sweep results of :func:`analyze_abf` and a summary."""

    file: str
    mode: str
    channel: int
    units: str
    sweeps: tuple[dict, ...]
    summary: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """``{"file", "mode", "channel", "units", "sweeps": [...], "summary": {...}}``."""
        return {"file": self.file, "mode": self.mode, "channel": self.channel,
                "units": self.units, "sweeps": [dict(r) for r in self.sweeps],
                "summary": dict(self.summary)}

    def _repr_html_(self) -> str:
        return (f"<b>{html.escape(f'{Path(self.file).name}: {self.mode}')}</b> (channel {self.channel}, "
                f"{self.summary.get('n_ok')} ok of {self.summary.get('n_sweeps')} sweeps)"
                + self.to_frame().to_html(max_rows=20))

    def to_frame(self) -> pd.DataFrame:
        """One row per sweep."""
        return pd.DataFrame(list(self.sweeps))

    def plot(self, ax=None):
        """Per-sweep peak (or spike count, or resistance) against sweep number."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(5, 3)).add_subplot(111)
        key = {"peak": "peak_A", "response": "peak_A", "spikes": "spike_count",
               "memtest": "r_total_Ohm"}[self.mode]
        frame = self.to_frame()
        ok = frame["status"] == "ok"
        ax.plot(frame["sweep"][ok], frame[key][ok], "o", label="ok")
        ax.plot(frame["sweep"][~ok], frame[key][~ok], "x", label="flagged")
        ax.set_xlabel("sweep")
        ax.set_ylabel(key)
        ax.set_title(Path(self.file).name)
        ax.legend(fontsize=7)
        return ax.figure


def _mean_in(t: np.ndarray, y: np.ndarray, win: tuple[float, float]) -> float:
    sel = (t >= win[0]) & (t < win[1])
    return float(np.mean(y[sel]))


def analyze_abf(path: str | Path, mode: str = "peak", *, channel: int = 0,
                sweeps: Sequence[int] | None = None,
                baseline: tuple[float, float] | str | None = None,
                window: tuple[float, float] | str | None = None,
                steady: tuple[float, float] | str | None = None,
                threshold_V: float = 0.0, direction: str = "auto",
                min_response_A: float | None = None, seal_limit_A: float = SEAL_LIMIT_A,
                charge_window_s: float = CHARGE_WINDOW_S) -> AbfAnalysis:
    """Analyse an ABF file sweep by sweep.

    Parameters
    ----------
    path : str or Path
    mode : {"peak", "response", "spikes", "memtest"}
    channel : int
        ADC channel (0-based).
    sweeps : sequence of int, optional
        Sweeps to analyse (default all).
    baseline, window, steady : (t0, t1) in s or "t0,t1"
        ``peak``/``response`` need ``baseline`` and ``window``; ``spikes`` needs ``window``;
        ``response`` also uses ``steady`` if given.
    threshold_V : float
        Spike threshold (V), ``spikes`` mode.
    direction : {"auto", "inward", "outward"}
    min_response_A : float, optional
        |peak| below this → status ``"no response"`` (e.g. 12e-12 for File_axon_7). Default:
        ``DETECTION_SNR`` × the SD of the baseline window, per sweep, in ``response`` mode, and
        no threshold in ``peak`` mode; 0 disables detection.
    seal_limit_A : float
        Sustained current beyond this → ``"not credible"``.

    Returns
    -------
    AbfAnalysis
    """
    import pyabf

    file = str(path)
    if mode not in MODES:
        raise InputError(f"{file}: mode {mode!r} is not one of {list(MODES)}.")
    if direction not in ("auto", "inward", "outward"):
        raise InputError(f"{file}: direction {direction!r} must be auto, inward or outward.")
    base_w = parse_window(baseline, "--baseline")
    win = parse_window(window, "--window")
    steady_w = parse_window(steady, "--steady")
    if mode in ("peak", "response") and (base_w is None or win is None):
        raise InputError(f"{file}: mode {mode!r} needs --baseline T0,T1 and --window T0,T1 (s).")
    if mode == "spikes" and win is None:
        raise InputError(f"{file}: mode 'spikes' needs --window T0,T1 (s).")
    if not Path(file).is_file():
        raise FileNotFoundError(2, "No such file", file)
    try:
        abf = pyabf.ABF(file)
    except Exception as exc:  # pyabf raises many kinds on a non-ABF file
        raise DataFileError(f"not a readable ABF file ({type(exc).__name__}: {exc})", file=file) from exc
    if not 0 <= int(channel) < abf.channelCount:
        raise InputError(f"{file}: channel {channel} is not in the file (it has "
                         f"{abf.channelCount} channel(s): 0..{abf.channelCount - 1}).")
    channel = int(channel)
    units = abf.adcUnits[channel]
    if units not in _UNIT_SI:
        raise DataFileError(f"channel {channel} has units {units!r}, which neuromoa cannot convert",
                            file=file)
    scale = _UNIT_SI[units]
    want = list(range(abf.sweepCount)) if sweeps is None else [int(s) for s in sweeps]
    bad = [s for s in want if not 0 <= s < abf.sweepCount]
    if bad:
        raise InputError(f"{file}: sweep {bad[0]} is not in the file (sweeps 0..{abf.sweepCount - 1}).")
    if mode == "spikes" and not units.endswith("V"):
        raise InputError(f"{file}: channel {channel} records {units}; 'spikes' needs a voltage "
                         "(current-clamp) channel.")
    if mode in ("peak", "response", "memtest") and not units.endswith("A"):
        raise InputError(f"{file}: channel {channel} records {units}; mode {mode!r} needs a "
                         "current (voltage-clamp) channel.")
    rows = []
    outside = []
    for s in want:
        try:
            row = _analyse_sweep(abf, s, channel, scale, mode, file, base_w, win, steady_w,
                                 threshold_V, direction, min_response_A, seal_limit_A,
                                 charge_window_s)
        except _SweepOutside as exc:
            outside.append(str(exc))
            row = {"sweep": s, "status": "failed", "message": str(exc)}
        rows.append(row)
    if outside and len(outside) == len(rows):  # the window fits no sweep: nothing to analyse
        raise InputError(outside[0])
    return AbfAnalysis(file, mode, channel, units, tuple(rows), _summary(mode, rows))


class _SweepOutside(Exception):  # noqa: N818 - a per-sweep status
    """A window lies outside this sweep."""


def _analyse_sweep(abf, s, channel, scale, mode, file, base_w, win, steady_w, threshold_V,
                   direction, min_response_A, seal_limit_A, charge_window_s) -> dict:
    """One sweep's row; a bad sweep (no samples, NaN samples, an empty window, a flat memtest)
    is a ``failed`` row with the reason, never ``ok`` with a null value."""
    try:
        abf.setSweep(s, channel=channel)
        t = np.asarray(abf.sweepX, dtype=float)
        y = np.asarray(abf.sweepY, dtype=float) * scale
    except Exception as exc:  # noqa: BLE001 - pyabf raises many kinds on a corrupt sweep
        return {"sweep": s, "status": "failed",
                "message": f"sweep {s} cannot be read ({type(exc).__name__}: {exc})"}
    if t.size < 2 or y.size != t.size:
        return {"sweep": s, "status": "failed",
                "message": f"sweep {s} has {y.size} sample(s); at least 2 are needed"}
    dt = float(t[1] - t[0])
    if not (np.isfinite(dt) and dt > 0):
        return {"sweep": s, "status": "failed",
                "message": f"sweep {s}: sampling interval {dt!r} s is not positive"}
    n_bad = int(np.count_nonzero(~np.isfinite(y)))
    if n_bad:
        return {"sweep": s, "status": "failed",
                "message": f"sweep {s}: {n_bad} sample(s) are NaN or infinite"}
    length = float(t[-1] + dt)
    for w, what in ((base_w, "baseline"), (win, "window"), (steady_w, "steady window")):
        if w is None:
            continue
        if w[1] > length + 1e-12:
            raise _SweepOutside(f"{file}: {what} {w[0]:g}–{w[1]:g} s is outside sweep {s} "
                                f"(0–{length:g} s); choose a window inside the sweep.")
        if mode != "memtest" and not np.any((t >= w[0]) & (t < w[1])):
            return {"sweep": s, "status": "failed",
                    "message": (f"sweep {s}: {what} {w[0]:g}–{w[1]:g} s holds no sample "
                                f"(sampling interval {dt:g} s); widen the window")}
    if mode == "spikes":
        return _spikes(t, y, win, threshold_V, s)
    if mode == "memtest":
        cmd = np.asarray(abf.sweepC, dtype=float)
        try:
            cmd = cmd * _UNIT_SI[abf.dacUnits[channel]]
        except KeyError:
            return {"sweep": s, "status": "failed",
                    "message": f"sweep {s}: command units {abf.dacUnits[channel]!r} unknown"}
        if cmd.size != t.size or not np.all(np.isfinite(cmd)):
            return {"sweep": s, "status": "failed",
                    "message": f"sweep {s}: the command waveform is missing or not finite"}
        return _memtest(t, y, cmd, s, charge_window_s, seal_limit_A)
    min_resp = min_response_A
    if min_resp is None and mode == "peak":
        min_resp = 0.0
    return _peak(t, y, base_w, win, steady_w, s, direction, min_resp, seal_limit_A,
                 mode == "response")


def _seal(t, y, base, seal_limit_A) -> str:
    late = y[t >= t[-1] - LATE_FRACTION * (t[-1] - t[0])]
    if abs(base) > seal_limit_A:
        return f"baseline {base * 1e12:.0f} pA beyond ±{seal_limit_A * 1e12:.0f} pA: seal breakdown"
    if abs(float(np.mean(late)) - base) > seal_limit_A:
        return (f"sustained current {(float(np.mean(late)) - base) * 1e12:.0f} pA at the end of "
                "the sweep: seal breakdown")
    return ""


def _peak(t, y, base_w, win, steady_w, s, direction, min_resp, seal_limit, kinetics) -> dict:
    base = _mean_in(t, y, base_w)
    sel = (t >= win[0]) & (t < win[1])
    tw, yw = t[sel], y[sel] - base
    if tw.size == 0:
        return {"sweep": s, "peak_A": None, "baseline_A": base, "status": "failed",
                "message": "no samples in the window"}
    i_min, i_max = int(np.argmin(yw)), int(np.argmax(yw))
    if direction == "inward" or (direction == "auto" and abs(yw[i_min]) >= abs(yw[i_max])):
        i = i_min
    else:
        i = i_max
    peak = float(yw[i])
    row = {"sweep": s, "peak_A": peak, "baseline_A": base, "status": "ok", "message": ""}
    problem = _seal(t, y, base, seal_limit)
    if problem:
        row.update(status="not credible", message=problem)
    else:
        if min_resp is None:
            noise = _sd_in(t, y, base_w)
            threshold, why = DETECTION_SNR * noise, (f"{DETECTION_SNR:g} × baseline noise SD "
                                                     f"{noise * 1e12:.2f} pA")
        else:
            threshold, why = min_resp, "--min-response"
        if abs(peak) < threshold:
            row.update(status="no response",
                       message=f"|peak| {abs(peak) * 1e12:.1f} pA < {threshold * 1e12:.1f} pA ({why})")
    if kinetics:
        row.update(_kinetics(tw, yw, i, peak, t, y - base, steady_w, row["status"] == "ok"))
    return row


def _sd_in(t, y, w) -> float:
    sel = (t >= w[0]) & (t < w[1])
    return float(np.std(y[sel], ddof=1)) if np.count_nonzero(sel) > 1 else 0.0


def _kinetics(tw, yw, i, peak, t, y, steady_w, ok) -> dict:
    out = {"t_peak_s": float(tw[i]), "onset_10_s": None, "rise_10_90_s": None,
           "steady_A": None, "steady_over_peak": None, "decay_tau_s": None}
    if steady_w is not None:
        ss = _mean_in(t, y, steady_w)
        out["steady_A"] = ss
        out["steady_over_peak"] = ss / peak if peak else None
    if not ok:
        return out
    sign = np.sign(peak)
    before = sign * yw[: i + 1]
    above10 = np.nonzero(before < 0.1 * abs(peak))[0]
    above90 = np.nonzero(before < 0.9 * abs(peak))[0]
    if above10.size:
        i10 = min(int(above10[-1]) + 1, i)
        out["onset_10_s"] = float(tw[i10])
        if above90.size:
            out["rise_10_90_s"] = float(tw[min(int(above90[-1]) + 1, i)] - tw[i10])
    td, yd = tw[i:] - tw[i], yw[i:]
    if td.size >= 4:
        # single-exponential decay from the peak: the generic fitting engine's "exp_decay"
        from neuromoa.fitting import fit_model

        c0 = float(yd[-1])
        fit = fit_model("exp_decay", td, yd, x_unit="s", p0=[peak - c0, max(td[-1] / 4, 1e-3), c0])
        tau = fit.params["tau"]
        if fit.status != "failed" and tau > 0 and np.isfinite(tau):
            out["decay_tau_s"] = float(tau)
    return out


def _spikes(t, v, win, thr, s) -> dict:
    sel = (t >= win[0]) & (t < win[1])
    vw = v[sel]
    up = np.nonzero((vw[1:] > thr) & (vw[:-1] <= thr))[0]
    return {"sweep": s, "spike_count": int(up.size),
            "spike_times_s": [float(x) for x in t[sel][up + 1]], "status": "ok", "message": ""}


def _memtest(t, y, cmd, s, charge_window_s, seal_limit) -> dict:
    changes = np.nonzero(cmd != cmd[0])[0]
    if changes.size == 0:
        return {"sweep": s, "status": "failed", "message": "no voltage step in the command"}
    on = int(changes[0])
    level = cmd[on]
    after = np.nonzero(cmd[on:] != level)[0]
    off = on + int(after[0]) if after.size else cmd.size
    dt = float(t[1] - t[0])
    half = on + (off - on) // 2
    dv = float(level - cmd[0])
    if not (on > 0 and off > half > on) or dv == 0:
        return {"sweep": s, "status": "failed",
                "message": f"sweep {s}: the command step is too short to measure"}
    base = float(np.mean(y[:on]))
    ss = float(np.mean(y[half:off]))
    dv = float(level - cmd[0])
    n_q = int(round(charge_window_s / dt))
    q = float(np.sum(y[on:on + n_q] - ss) * dt)
    if ss == base:
        return {"sweep": s, "holding_current_A": base, "step_V": dv, "status": "failed",
                "message": (f"sweep {s}: no current response to the {dv * 1e3:g} mV step "
                            "(flat or all-zero recording); resistance cannot be computed")}
    row = {"sweep": s, "holding_current_A": base, "step_V": dv, "delta_i_A": ss - base,
           "r_total_Ohm": dv / (ss - base) if ss != base else None,
           "cm_F": q / dv if dv else None, "onset_s": float(t[on]), "status": "ok",
           "message": ""}
    if abs(base) > seal_limit:
        row.update(status="not credible", message=f"holding current {base * 1e12:.0f} pA: seal breakdown")
    return row


def _summary(mode: str, rows: list[dict]) -> dict:
    ok = [r for r in rows if r["status"] == "ok"]
    out: dict = {"n_sweeps": len(rows), "n_ok": len(ok),
                 "n_flagged": len(rows) - len(ok)}
    if mode == "memtest" and ok:
        for key in ("holding_current_A", "r_total_Ohm", "cm_F"):
            vals = np.array([r[key] for r in ok if r[key] is not None], dtype=float)
            out[f"{key}_mean"] = float(vals.mean())
            out[f"{key}_sem"] = float(vals.std(ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else None
    if mode in ("peak", "response") and ok:
        out["responding_sweeps"] = [r["sweep"] for r in ok]
    return out
