"""A 1D monodomain strand of ORd cells: conduction velocity and a pseudo-ECG QRS width with drug.

This is where ΔQRS comes from. The strand is 100 ORd endocardial cells (1 cm) coupled by
monodomain diffusion (operator splitting: explicit diffusion step, then each cell's Rush–Larsen
step, in one numba kernel, :func:`neuromoa.cardiac.ord.strand_activation`). Its fast Na+ current
is the ten Tusscher–Panfilov 2006 INa, as in the tissue studies that use ORd: ORd's own INa
conducts at about half the clinical velocity and fails early (Elshrif & Cherry 2014 PLoS ONE
9:e84401; measured here: 41 cm/s in control and no conduction at 30 % INa block) — see
``ina_tp06`` in ``data/cardiac/ord2011.toml``. Every other current is ORd's.

* Every cell starts from the single-cell steady state of that hybrid cell at the heart rate
  (paced :data:`TISSUE_BEATS` beats from the shipped ORd control state; cached in memory).
* Drug: every current is scaled by its block; INa block is the use-dependent block at the
  heart rate from the Nav1.5 Markov scheme (:func:`neuromoa.cardiac.nav15_block_at_rate`),
  applied as a uniform conductance scaling during the beat (assumption: block changes little
  within one beat; the INa-block-driven drift of [Na+]i is ignored).
* Outputs: conduction velocity between cells :data:`MEASURE`, and the QRS width of a pseudo-ECG
  (extracellular potential of a point electrode :data:`ELECTRODE_CM` beyond the strand's end on
  its axis; Gima & Rudy 2002 Circ Res 90:889) — the time during which its magnitude exceeds
  :data:`QRS_THRESHOLD` of its peak.

The body-surface QRS is the strand's width ratio applied to a baseline QRS
(:func:`neuromoa.cardiac.ecg.qrs_ms`): QRS = QRS0 · W(block)/W(0). To keep the dose table fast the
ratio is simulated once per heart rate on a grid of INa block (:data:`BLOCK_GRID`, computed at
run time and cached in memory) and interpolated; the strand's own result for any block is
:func:`strand_conduction`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuromoa.cardiac import ord as model
from neuromoa.cardiac.cell import _scale_vector, check_heart_rate
from neuromoa.cardiac.steady import control_state

__all__ = ["BLOCK_GRID", "StrandResult", "conduction_table", "strand_conduction",
           "strand_qrs_ratio"]

#: Strand geometry and numerics. D = 0.0012 cm²/ms: assumption, a typical monodomain value for
#: human ventricle (e.g. ten Tusscher et al. 2004 Am J Physiol 286:H1573 use 0.00154 cm²/ms);
#: the control velocity it gives is checked against published human values (validation.csv).
#: dx = 100 µm (one cell); the explicit diffusion step is stable for dt < dx²/(2D) = 4 ms.
DIFFUSION_CM2_MS = 0.0012
DX_CM = 0.01
DT_MS = 0.005
N_CELLS = 100
N_STIM = 5
#: Longest simulated time (ms); a run stops :data:`TAIL_MS` after the last cell activated.
T_END_MS = 80.0
TAIL_MS = 3.0
#: A stronger, longer stimulus than the single cell's, to excite 5 cells against the sink.
STIM_AMP = -150.0
STIM_DUR_MS = 2.0
#: Cells between which the velocity is measured (away from the stimulus and the sealed end).
MEASURE = (25, 75)
#: Pseudo-ECG electrode: on the strand's axis, this far beyond its last cell (cm).
ELECTRODE_CM = 2.0
#: QRS of the pseudo-ECG: samples with |φ| above this fraction of the run's peak |φ|
#: (assumption; the width ratio changes by < 1 % between 10 % and 30 %, tested; at 5 % a slow
#: tail of the pseudo-ECG enters the width).
QRS_THRESHOLD = 0.10
#: Pseudo-ECG sampling: every this many steps (0.02 ms).
RECORD_EVERY = 4
#: Beats of the single hybrid cell (TP06 INa) from the ORd control state before the strand
#: (assumption: APD90 changes < 0.5 ms over the last 10 of them, checked in tests/cardiac).
TISSUE_BEATS = 30
#: INa block grid of the cached width relation (interpolated linearly in block).
BLOCK_GRID = tuple(np.round(np.arange(0.0, 0.91, 0.1), 2))


@dataclass(frozen=True)
class StrandResult:
    block: dict[str, float]
    bpm: float
    cv_cm_s: float
    qrs_width_ms: float
    conducted: bool
    activation_ms: np.ndarray
    ecg: np.ndarray

    def to_dict(self) -> dict:
        return {"block": dict(self.block), "heart_rate_bpm": self.bpm, "cv_cm_s": self.cv_cm_s,
                "qrs_width_ms": self.qrs_width_ms, "conducted": self.conducted}

    def ecg_frame(self) -> pd.DataFrame:
        """The pseudo-ECG: ``t_ms phi`` (arbitrary units)."""
        dt = DT_MS * RECORD_EVERY
        return pd.DataFrame({"t_ms": np.arange(len(self.ecg)) * dt, "phi": self.ecg})


@functools.cache
def _tissue_state(bpm: float) -> np.ndarray:
    """Steady state of the single ORd cell with the TP06 INa at ``bpm`` (drug-free)."""
    y, _, _, _, _ = model.pace(control_state(bpm), model.parameter_vector(ina_tp06=1.0),
                               np.ones(len(model.CURRENTS)), 60_000.0 / bpm, TISSUE_BEATS,
                               record=False)
    return y


@functools.cache
def _lead_weights() -> np.ndarray:
    x = np.arange(N_CELLS) * DX_CM
    r = np.abs(N_CELLS * DX_CM + ELECTRODE_CM - x)
    # φ = ∫ (−∂V/∂x) ∂(1/r)/∂x dx, discretised between neighbouring cells
    return -(1.0 / r[1:] - 1.0 / r[:-1]) / DX_CM


def _qrs_width(ecg: np.ndarray) -> float:
    a = np.abs(ecg - ecg[0])
    if not len(a) or a.max() <= 0:
        return float("nan")
    idx = np.flatnonzero(a > QRS_THRESHOLD * a.max())
    return float((idx[-1] - idx[0]) * DT_MS * RECORD_EVERY)


def _run(scale: np.ndarray, bpm: float) -> tuple[float, float, bool, np.ndarray, np.ndarray]:
    p = model.parameter_vector(ina_tp06=1.0, stim_amp=STIM_AMP, stim_dur=STIM_DUR_MS)
    act, ecg = model.strand_activation(_tissue_state(bpm), p, scale, n_cells=N_CELLS,
                                       diffusion_cm2_ms=DIFFUSION_CM2_MS, dx_cm=DX_CM,
                                       dt_ms=DT_MS, t_end_ms=T_END_MS, n_stim=N_STIM,
                                       lead_weights=_lead_weights(), record_every=RECORD_EVERY,
                                       tail_ms=TAIL_MS)
    a, b = MEASURE
    ok = bool(np.all(np.isfinite(act)))
    cv = (b - a) * DX_CM / (act[b] - act[a]) * 1000.0 if ok else 0.0
    return float(cv), (_qrs_width(ecg) if ok else float("nan")), ok, act, ecg


def strand_conduction(block: Mapping[str, float] | None = None, *,
                      bpm: float = 60.0) -> StrandResult:
    """Conduction velocity (cm/s) and pseudo-ECG QRS width (ms) of the strand with ``block``
    (current → fraction of conductance blocked, INa included)."""
    bpm = check_heart_rate(bpm)
    cv, width, ok, act, ecg = _run(_scale_vector(block), bpm)
    return StrandResult({k: float(v) for k, v in (block or {}).items()}, bpm, cv, width, ok,
                        act, ecg)


@functools.cache
def _table(bpm: float) -> pd.DataFrame:
    rows = []
    for b in BLOCK_GRID:
        scale = np.ones(len(model.CURRENTS))
        scale[model.CURRENTS.index("INa")] = 1.0 - b
        cv, width, ok, _, _ = _run(scale, bpm)
        rows.append({"ina_block": float(b), "cv_cm_s": cv, "qrs_width_ms": width,
                     "conducted": ok})
        if not ok:
            break
    frame = pd.DataFrame(rows)
    w0 = float(frame["qrs_width_ms"].iloc[0])
    frame["qrs_ratio"] = frame["qrs_width_ms"] / w0
    return frame


def conduction_table(bpm: float = 60.0) -> pd.DataFrame:
    """The strand's INa-block relation at ``bpm``: ``ina_block cv_cm_s qrs_width_ms conducted
    qrs_ratio`` on :data:`BLOCK_GRID` (up to the first block that does not conduct)."""
    return _table(check_heart_rate(bpm)).copy()


def strand_qrs_ratio(ina_block: float, *, bpm: float = 60.0) -> float:
    """QRS width with ``ina_block`` over the control width (interpolated on the strand's grid);
    ``inf`` beyond the last conducting grid point."""
    frame = _table(check_heart_rate(bpm))
    ok = frame[frame["conducted"]]
    b = float(ina_block)
    if b > float(ok["ina_block"].iloc[-1]) + 1e-12:
        return float("inf")
    return float(np.interp(b, ok["ina_block"].to_numpy(), ok["qrs_ratio"].to_numpy()))
