"""Analysis of real recordings (Axon ABF with pyabf, NWB icephys with pynwb, both read by
:mod:`neuromoa.io.recordings`): peaks, responses, spikes, membrane test.

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
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neuromoa.errors import DataFileError, InputError

__all__ = [
    "CR_MEASURES",
    "FIGURE_DPI",
    "FIGURE_FORMATS",
    "HUMAN_UNITS",
    "MODES",
    "AbfAnalysis",
    "BatchAnalysis",
    "ConcentrationResponse",
    "analyze_abf",
    "analyze_recordings",
    "concentration_response",
    "human_column",
    "human_frame",
    "parse_window",
    "plot_recording",
    "recording_paths",
    "save_figure",
    "summary_frame",
]

MODES = ("peak", "response", "spikes", "memtest")
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
    from neuromoa.io.recordings import open_recording

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
    rec = open_recording(file)
    n_ch, n_sw = len(rec.info.channels), rec.info.sweep_count
    if not 0 <= int(channel) < n_ch:
        raise InputError(f"{file}: channel {channel} is not in the file (it has "
                         f"{n_ch} channel(s): 0..{n_ch - 1}).")
    channel = int(channel)
    info = rec.info.channels[channel]
    units = info.unit
    if info.si_factor is None:
        raise DataFileError(f"channel {channel} has units {units!r}, which neuromoa cannot convert",
                            file=file)
    want = list(range(n_sw)) if sweeps is None else [int(s) for s in sweeps]
    bad = [s for s in want if not 0 <= s < n_sw]
    if bad:
        raise InputError(f"{file}: sweep {bad[0]} is not in the file (sweeps 0..{n_sw - 1}).")
    if mode == "spikes" and info.quantity != "voltage":
        raise InputError(f"{file}: channel {channel} records {units}; 'spikes' needs a voltage "
                         "(current-clamp) channel.")
    if mode in ("peak", "response", "memtest") and info.quantity != "current":
        raise InputError(f"{file}: channel {channel} records {units}; mode {mode!r} needs a "
                         "current (voltage-clamp) channel.")
    rows = []
    outside = []
    for s in want:
        try:
            row = _analyse_sweep(rec, s, channel, mode, file, base_w, win, steady_w,
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


def _analyse_sweep(rec, s, channel, mode, file, base_w, win, steady_w, threshold_V,
                   direction, min_response_A, seal_limit_A, charge_window_s) -> dict:
    """One sweep's row; a bad sweep (no samples, NaN samples, an empty window, a flat memtest)
    is a ``failed`` row with the reason, never ``ok`` with a null value."""
    try:
        sw = rec.sweep(s, channel)
    except DataFileError as exc:
        return {"sweep": s, "status": "failed", "message": str(exc)}
    t, y = sw.t_s, sw.y
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
        cmd = sw.command
        if cmd is None or sw.command_unit != "V":
            return {"sweep": s, "status": "failed",
                    "message": f"sweep {s}: the file has no voltage command waveform"}
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


#: Per-sweep quantities summarised as mean ± SEM over the ``ok`` sweeps, per mode.
_SUMMARISED = {
    "peak": ("peak_A", "baseline_A"),
    "response": ("peak_A", "baseline_A", "t_peak_s", "onset_10_s", "rise_10_90_s", "steady_A",
                 "steady_over_peak", "decay_tau_s"),
    "spikes": ("spike_count",),
    "memtest": ("holding_current_A", "r_total_Ohm", "cm_F"),
}


def _mean_sem(vals: list) -> tuple[float | None, float | None, int]:
    arr = np.array([v for v in vals if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return None, None, 0
    sem = float(arr.std(ddof=1) / np.sqrt(arr.size)) if arr.size > 1 else None
    return float(arr.mean()), sem, int(arr.size)


def _summary(mode: str, rows: list[dict]) -> dict:
    ok = [r for r in rows if r["status"] == "ok"]
    out: dict = {"n_sweeps": len(rows), "n_ok": len(ok),
                 "n_flagged": len(rows) - len(ok)}
    for key in _SUMMARISED[mode]:
        if not ok:
            break
        mean, sem, n = _mean_sem([r.get(key) for r in ok])
        if n:
            out[f"{key}_mean"] = mean
            out[f"{key}_sem"] = sem
            out[f"{key}_n"] = n
    if mode in ("peak", "response") and ok:
        out["responding_sweeps"] = [r["sweep"] for r in ok]
    return out


# --- human units for tables (SI stays in the JSON) -------------------------------------------
#: SI column suffix -> (display unit, factor from SI): the units a patch-clamp lab reads.
HUMAN_UNITS: dict[str, tuple[str, float]] = {
    "_A": ("pA", 1e12), "_V": ("mV", 1e3), "_Ohm": ("MΩ", 1e-6), "_F": ("pF", 1e12),
    "_S": ("nS", 1e9), "_s": ("ms", 1e3), "_M": ("µM", 1e6), "_Hz": ("Hz", 1.0),
}


def human_column(name: str) -> tuple[str, float]:
    """``"peak_A"`` -> ``("peak (pA)", 1e12)``; a column without an SI suffix is unchanged."""
    for suffix, (unit, factor) in HUMAN_UNITS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{name[: -len(suffix)]} ({unit})", factor
    return name, 1.0


def human_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with SI columns shown in pA, mV, MΩ, pF, nS, ms, µM (renamed to say so)."""
    out = {}
    for col in frame.columns:
        name, factor = human_column(str(col))
        values = frame[col]
        if factor != 1.0:
            values = values.map(lambda v, f=factor: v * f if isinstance(v, (int, float))
                                and not isinstance(v, bool) and v is not None else v)
        out[name] = values
    return pd.DataFrame(out)


def summary_frame(result: AbfAnalysis) -> pd.DataFrame:
    """Mean ± SEM (n) of each per-sweep quantity over the ``ok`` sweeps, SI units."""
    rows = []
    for key in _SUMMARISED[result.mode]:
        if f"{key}_mean" in result.summary:
            rows.append({"quantity": key, "mean": result.summary[f"{key}_mean"],
                         "sem": result.summary[f"{key}_sem"], "n": result.summary[f"{key}_n"]})
    return pd.DataFrame(rows, columns=["quantity", "mean", "sem", "n"])


# --- many files ------------------------------------------------------------------------------
#: File name endings read as recordings when a folder is given.
RECORDING_SUFFIXES = (".abf", ".nwb")


def recording_paths(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """Files to analyse: the given files, and the ``.abf``/``.nwb`` files of any folder (sorted)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.iterdir()
                           if q.is_file() and q.suffix.lower() in RECORDING_SUFFIXES)
            if not found:
                raise InputError(f"{p}: folder holds no .abf or .nwb file.")
            out.extend(found)
        elif not p.exists():
            raise FileNotFoundError(2, "No such file", str(p))
        else:
            out.append(p)
    return out


@dataclass(frozen=True)
class BatchAnalysis:
    """:func:`analyze_abf` over many files; a bad file is a row with its error, never an abort."""

    results: tuple[AbfAnalysis, ...]
    failed: tuple[dict, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per sweep of every file (column ``file`` first), then one per failed file."""
        parts = [r.to_frame().assign(file=Path(r.file).name) for r in self.results]
        parts += [pd.DataFrame([{"file": Path(f["file"]).name, "sweep": None,
                                 "status": "failed", "message": f["message"]}])
                  for f in self.failed]
        if not parts:
            return pd.DataFrame(columns=["file", "sweep", "status", "message"])
        frame = pd.concat(parts, ignore_index=True)
        return frame[["file", *[c for c in frame.columns if c != "file"]]]

    def to_dict(self) -> dict:
        return {"files": [r.to_dict() for r in self.results], "failed": [dict(f) for f in self.failed]}


def analyze_recordings(paths: str | Path | Sequence[str | Path], mode: str = "peak",
                       **options) -> BatchAnalysis:
    """:func:`analyze_abf` on every file (folders expanded to their .abf/.nwb files).

    A file that cannot be read or analysed becomes an entry of ``failed`` with the error
    message (naming the file); the others are analysed.
    """
    results, failed = [], []
    for p in recording_paths(paths):
        try:
            results.append(analyze_abf(p, mode, **options))
        except (InputError, FileNotFoundError) as exc:
            failed.append({"file": str(p), "message": str(exc)})
    return BatchAnalysis(tuple(results), tuple(failed))


# --- concentration-response from per-sweep currents ------------------------------------------
#: Measures a concentration-response can be built from -> the per-sweep column.
CR_MEASURES = {"peak": "peak_A", "steady": "steady_A"}


@dataclass(frozen=True)
class ConcentrationResponse:
    """Per-sweep currents mapped to concentrations and the fitted curve.

    ``points``: one row per sweep used (file, sweep, concentration_M, current_A, response);
    ``table``: per concentration mean ± SEM (n) of the current and of the response;
    ``fit``: the fitting engine's :class:`~neuromoa.fitting.CurveFit` (concentrations in M).
    ``response`` is the fraction of the control current (mean of the 0-concentration sweeps)
    when there are control sweeps, else the current itself (A).
    """

    measure: str
    normalised: bool
    points: pd.DataFrame
    table: pd.DataFrame
    fit: object
    parameter: str
    excluded: tuple[dict, ...] = ()
    assumptions: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        fit = self.fit.to_dict()
        return {"measure": self.measure, "normalised_to_control": self.normalised,
                "parameter": self.parameter,
                f"{self.parameter}_M": None if not np.isfinite(self.fit.ic50) else float(self.fit.ic50),
                "fit": fit, "points": self.points.to_dict(orient="records"),
                "by_concentration": self.table.to_dict(orient="records"),
                "excluded": [dict(e) for e in self.excluded],
                "assumptions": list(self.assumptions)}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Responses against concentration with the fitted curve (fitting engine's plot)."""
        from neuromoa.fitting import plot_curve

        fig = plot_curve(self.fit, ax=ax, label=f"{self.measure} ({self.parameter})")
        axis = fig.axes[0]
        axis.set_ylabel("fraction of control" if self.normalised else f"{self.measure} current (A)")
        return fig


def _match_file(name: str, results: Sequence[AbfAnalysis]) -> AbfAnalysis | None:
    for r in results:
        p = Path(r.file)
        if name in (p.name, p.stem, str(p), r.file):
            return r
    return None


def concentration_response(results: AbfAnalysis | Sequence[AbfAnalysis], cmap: pd.DataFrame, *,
                           measure: str = "peak", fix_bottom: bool = True,
                           map_file: str = "concentration map") -> ConcentrationResponse:
    """Turn per-sweep currents at several concentrations into a concentration-response fit.

    Parameters
    ----------
    results : AbfAnalysis or sequence of them
        Per-sweep analyses (``peak`` or ``response`` mode), one per file.
    cmap : DataFrame
        :func:`neuromoa.io.read_concentration_map`: ``file sweep concentration_M row``
        (``sweep`` -1 = every sweep of the file; ``file`` "" = the one analysed file).
    measure : {"peak", "steady"}
        The per-sweep peak (``peak_A``) or the steady-state mean (``steady_A``, needs
        ``--mode response --steady``).
    fix_bottom : bool
        With control sweeps, the fraction of control is fitted with top = 1 and bottom = 0
        (block complete at saturation) by default; False fits the bottom too.

    Sweeps not ``ok`` (no response, not credible, failed) and sweeps not in the map are left
    out and listed in ``excluded``. A map row naming a sweep or file that was not analysed is
    an error naming the map row.
    """
    from neuromoa.fitting import fit_curve

    results = [results] if isinstance(results, AbfAnalysis) else list(results)
    if not results:
        raise InputError("concentration-response: no analysed recording.")
    if measure not in CR_MEASURES:
        raise InputError(f"--measure {measure!r} is not one of {list(CR_MEASURES)}.")
    key = CR_MEASURES[measure]
    if results[0].mode not in ("peak", "response"):
        raise InputError(f"concentration-response needs --mode peak or response, not "
                         f"{results[0].mode!r}.")
    points, excluded, used = [], [], set()
    for rec in cmap.itertuples(index=False):
        fname, sweep = str(rec.file), int(rec.sweep)
        if fname:
            res = _match_file(fname, results)
            if res is None:
                raise DataFileError(f"file {fname!r} was not analysed (analysed: "
                                    f"{', '.join(Path(r.file).name for r in results)})",
                                    file=map_file, row=int(rec.row))
        elif len(results) == 1:
            res = results[0]
        else:
            raise DataFileError("the map row names a sweep but no file, and several files were "
                                "analysed: add a 'file' column", file=map_file, row=int(rec.row))
        by_sweep = {int(r["sweep"]): r for r in res.sweeps}
        if sweep >= 0 and sweep not in by_sweep:
            known = sorted(by_sweep)
            raise DataFileError(f"sweep {sweep} is not among the analysed sweeps of "
                                f"{Path(res.file).name} ({known[0]}..{known[-1]})",
                                file=map_file, row=int(rec.row))
        for s in ([sweep] if sweep >= 0 else sorted(by_sweep)):
            row = by_sweep[s]
            used.add((res.file, s))
            value = row.get(key)
            if row["status"] != "ok" or value is None or not np.isfinite(value):
                why = row.get("message") or (f"no {key}" if value is None else row["status"])
                if row["status"] == "ok" and value is None and key == "steady_A":
                    why = "no steady-state value: give --steady T0,T1 with --mode response"
                excluded.append({"file": Path(res.file).name, "sweep": s,
                                 "status": row["status"], "reason": why})
                continue
            points.append({"file": Path(res.file).name, "sweep": s,
                           "concentration_M": float(rec.concentration_M), "current_A": float(value)})
    for res in results:
        for r in res.sweeps:
            if (res.file, int(r["sweep"])) not in used:
                excluded.append({"file": Path(res.file).name, "sweep": int(r["sweep"]),
                                 "status": r["status"], "reason": "not in the concentration map"})
    frame = pd.DataFrame(points, columns=["file", "sweep", "concentration_M", "current_A"])
    concs = sorted(frame["concentration_M"].unique()) if not frame.empty else []
    if len([c for c in concs if c > 0]) < 3:
        raise InputError(f"concentration-response: {len([c for c in concs if c > 0])} nonzero "
                         "concentration(s) with usable sweeps; at least 3 are needed for a fit "
                         f"({len(excluded)} sweep(s) left out"
                         + (f"; e.g. sweep {excluded[0]['sweep']}: {excluded[0]['reason']}"
                            if excluded else "") + ").")
    control = frame.loc[frame["concentration_M"] == 0, "current_A"]
    assumptions = []
    normalised = not control.empty
    fix: dict[str, float] = {}
    if normalised:
        ref = float(control.mean())
        frame["response"] = frame["current_A"] / ref
        fix = {"top": 1.0}
        assumptions.append(f"response = {measure} current / mean of the {control.size} control "
                           f"(0 M) sweep(s) ({ref * 1e12:.4g} pA)")
        if fix_bottom:
            fix["bottom"] = 0.0
            assumptions.append("top = 1 and bottom = 0 held: block complete at saturation")
        else:
            assumptions.append("top = 1 held; bottom fitted")
    else:
        frame["response"] = frame["current_A"]
        assumptions.append("no 0-concentration (control) sweep: the currents themselves are "
                           "fitted, 4PL with top and bottom free")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_curve(frame["concentration_M"].to_numpy(), frame["response"].to_numpy(),
                        model="4pl", fix=fix, unit="M")
    resp_mag = frame.groupby("concentration_M")["response"].mean().abs()
    falling = resp_mag.iloc[-1] < resp_mag.iloc[0]
    parameter = "ic50" if falling else "ec50"
    table = (frame.groupby("concentration_M")
             .agg(n=("current_A", "size"), current_mean_A=("current_A", "mean"),
                  current_sem_A=("current_A", "sem"), response_mean=("response", "mean"),
                  response_sem=("response", "sem"))
             .reset_index())
    return ConcentrationResponse(measure, normalised, frame, table, fit, parameter,
                                 tuple(excluded), tuple(assumptions))


# --- figures ---------------------------------------------------------------------------------
#: Figure formats written by ``--plot`` (from the file's suffix) and the raster resolution.
FIGURE_FORMATS = (".svg", ".pdf", ".png")
#: PNG resolution: 300 dpi, the usual journal requirement for line art and halftones.
FIGURE_DPI = 300


def save_figure(fig, path: str | Path) -> Path:
    """Save a matplotlib figure as SVG, PDF or PNG (300 dpi) by the path's suffix."""
    out = Path(path)
    if out.suffix.lower() not in FIGURE_FORMATS:
        raise InputError(f"--plot {str(out)!r}: use a .svg, .pdf or .png file name.")
    if not out.parent.exists():
        raise InputError(f"--plot: folder {str(out.parent)!r} does not exist; create it first.")
    fig.savefig(out, dpi=FIGURE_DPI, bbox_inches="tight")
    return out


def plot_recording(path: str | Path, *, channel: int = 0, sweeps: Sequence[int] | None = None,
                   windows: dict[str, tuple[float, float]] | None = None):
    """Overlay the sweeps of one channel (pA or mV) above the command (mV), windows shaded."""
    from matplotlib.figure import Figure

    from neuromoa.io.recordings import open_recording

    rec = open_recording(path)
    want = list(range(rec.info.sweep_count)) if sweeps is None else [int(s) for s in sweeps]
    fig = Figure(figsize=(6.5, 4.5))
    ax, axc = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ch = rec.info.channels[channel] if 0 <= channel < len(rec.info.channels) else None
    rec.check_sweep(0, channel)
    label, factor = human_column(f"x_{ch.si_unit}")
    for s in want:
        sw = rec.sweep(s, channel)
        ax.plot(sw.t_s, sw.y * factor, lw=0.7, label=f"sweep {s}")
        if sw.command is not None:
            clabel, cfactor = human_column(f"x_{sw.command_unit}")
            axc.plot(sw.t_s, sw.command * cfactor, lw=0.7)
            axc.set_ylabel(f"command {clabel[2:]}")
    for i, (name, (t0, t1)) in enumerate((windows or {}).items()):
        ax.axvspan(t0, t1, alpha=0.12, color=f"C{i}", label=name)
    ax.set_ylabel(f"{ch.name} {label[2:]}")
    axc.set_xlabel("time (s)")
    ax.set_title(f"{Path(str(path)).name}: {rec.info.protocol}"[:90], fontsize=9)
    if len(want) <= 12:
        ax.legend(fontsize=6, ncol=2)
    return fig
