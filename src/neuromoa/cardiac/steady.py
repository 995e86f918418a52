"""Control (drug-free) paced steady states of the ORd cell, shipped as data.

``data/cardiac/ord_steady_states.csv`` holds the state after :data:`CONTROL_BEATS` beats from the
published initial state at each heart rate of :data:`GRID_BPM`; it is regenerated with
``python -m neuromoa.cardiac.steady`` (about 3 min). A heart rate between grid points starts
from the nearest grid state and is paced :data:`BRIDGE_BEATS` more beats.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd

from neuromoa.cardiac import ord as model
from neuromoa.data import read_text
from neuromoa.errors import DataFileError

__all__ = ["BRIDGE_BEATS", "CONTROL_BEATS", "GRID_BPM", "control_state"]

#: Heart rates (bpm) with a shipped control steady state.
GRID_BPM = tuple(range(30, 201, 10))
#: Beats paced from the published initial state (assumption: APD90 drifts < 1 ms over the last
#: 100 beats at every grid rate, checked when the table is generated).
CONTROL_BEATS = 600
#: Extra beats from the nearest grid state for a rate between grid points.
BRIDGE_BEATS = 100
_FILE = "data/cardiac/ord_steady_states.csv"


@functools.cache
def _table() -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(read_text("cardiac", "ord_steady_states.csv")))
    except FileNotFoundError as exc:
        raise DataFileError("no shipped ORd steady states; run python -m neuromoa.cardiac.steady",
                            file=_FILE) from exc
    missing = [s for s in model.STATES if s not in frame.columns]
    if missing:
        raise DataFileError(f"missing state columns {missing}", file=_FILE)
    return frame


@functools.cache
def _control(bpm: float) -> tuple[np.ndarray, float]:
    frame = _table()
    i = int(np.argmin(np.abs(frame["bpm"].to_numpy() - bpm)))
    y = frame.loc[i, list(model.STATES)].to_numpy(dtype=float)
    if abs(float(frame.loc[i, "bpm"]) - bpm) > 1e-9:
        y, _, _, _, _ = model.pace(y, model.parameter_vector(), np.ones(len(model.CURRENTS)),
                                   60_000.0 / bpm, BRIDGE_BEATS, record=False)
    return y, float(frame.loc[i, "bpm"])


def control_state(bpm: float) -> np.ndarray:
    """The drug-free paced steady state at ``bpm`` (a copy)."""
    return _control(float(bpm))[0].copy()


def _generate() -> pd.DataFrame:  # pragma: no cover - maintainer's regeneration script
    rows = []
    p = model.parameter_vector()
    ones = np.ones(len(model.CURRENTS))
    for bpm in GRID_BPM:
        y, apd, _, _, _ = model.pace(model.initial_state(), p, ones, 60_000.0 / bpm,
                                     CONTROL_BEATS, record=False)
        drift = float(np.nanmax(apd[-100:]) - np.nanmin(apd[-100:]))
        rows.append({"bpm": bpm, "beats": CONTROL_BEATS, "apd90_ms": float(apd[-1]),
                     "apd90_drift_last100_ms": drift, **dict(zip(model.STATES, y, strict=True))})
        print(bpm, round(float(apd[-1]), 1), round(drift, 2), flush=True)
    return pd.DataFrame(rows)


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    out = Path(__file__).resolve().parents[1] / "data" / "cardiac" / "ord_steady_states.csv"
    _generate().to_csv(out, index=False, float_format="%.10g")
    print("wrote", out, file=sys.stderr)
