"""A 1D monodomain strand of ORd cells: conduction velocity with drug (a diagnostic).

Used to test the reduced QRS relation of :mod:`neuromoa.cardiac.ecg` (CV ∝ √gNa), not to make
the prediction: with ORd's own INa the strand conducts at ~41 cm/s in control, slows ~10 % for
10 % INa block (CV ∝ gNa^≈1 at small block, steeper than the cable-theory square root) and
fails to conduct by 30 % block — a far lower safety factor than the clinical experience with
class I drugs, so ORd's INa is not used for conduction here (say so when reading ΔQRS).
Every cell starts from the single-cell steady state with drug at the heart rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from neuromoa.cardiac import ord as model
from neuromoa.cardiac.cell import _scale_vector, check_heart_rate
from neuromoa.cardiac.steady import control_state

__all__ = ["StrandResult", "strand_conduction"]

#: Strand geometry and numerics (assumptions: a typical human ventricular monodomain
#: diffusion coefficient and 100 µm cells; the explicit scheme is stable for dt < dx²/(2D)).
DIFFUSION_CM2_MS = 0.0012
DX_CM = 0.01
DT_MS = 0.005
N_CELLS = 100
N_STIM = 5
T_END_MS = 60.0
#: A stronger, longer stimulus than the single cell's, to excite 5 cells against the sink.
STIM_AMP = -150.0
STIM_DUR_MS = 2.0
#: Cells between which the velocity is measured (away from the stimulus and the sealed end).
MEASURE = (25, 75)


@dataclass(frozen=True)
class StrandResult:
    block: dict[str, float]
    cv_cm_s: float
    conducted: bool
    activation_ms: np.ndarray

    def to_dict(self) -> dict:
        return {"block": dict(self.block), "cv_cm_s": self.cv_cm_s, "conducted": self.conducted}


def strand_conduction(block: Mapping[str, float] | None = None, *,
                      bpm: float = 60.0) -> StrandResult:
    """Conduction velocity (cm/s) along the strand with ``block`` (current → fraction)."""
    bpm = check_heart_rate(bpm)
    scale = _scale_vector(block)
    y0 = control_state(bpm)
    if np.any(scale != 1.0):
        y0, _, _, _, _ = model.pace(y0, model.parameter_vector(), scale, 60_000.0 / bpm, 20,
                                    record=False)
    p = model.parameter_vector(stim_amp=STIM_AMP, stim_dur=STIM_DUR_MS)
    act = model.strand_activation(y0, p, scale, n_cells=N_CELLS,
                                  diffusion_cm2_ms=DIFFUSION_CM2_MS, dx_cm=DX_CM, dt_ms=DT_MS,
                                  t_end_ms=T_END_MS, n_stim=N_STIM)
    a, b = MEASURE
    ok = bool(np.isfinite(act[b]) and np.isfinite(act[a]))
    cv = (b - a) * DX_CM / (act[b] - act[a]) * 1000.0 if ok else 0.0
    return StrandResult({k: float(v) for k, v in (block or {}).items()}, float(cv), ok, act)
