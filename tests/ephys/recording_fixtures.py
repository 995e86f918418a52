"""Synthetic recordings with a known answer, written with the field's own writers (pyabf's ABF1
writer, pynwb), for the reader and concentration-response tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

#: The synthetic concentration series: control current, true IC50 and Hill slope (the answer).
CONTROL_PEAK_A = -500e-12
TRUE_IC50_M = 1e-6
TRUE_HILL = 1.0
#: Two sweeps per concentration, the first two are controls (0 M).
SERIES_CONC_M = np.repeat([0.0, 1e-7, 3e-7, 1e-6, 3e-6, 1e-5, 3e-5], 2)
RATE_HZ = 10_000.0
LENGTH_S = 0.2
ONSET_S = 0.05
TAU_S = 0.02
NOISE_A = 2e-12
HOLD_V = -0.08
TEST_V = -0.01


def series_peaks(conc_M=SERIES_CONC_M) -> np.ndarray:
    """Peak current (A) at each concentration: control / (1 + (C/IC50)^h)."""
    conc = np.asarray(conc_M, dtype=float)
    return CONTROL_PEAK_A / (1.0 + (conc / TRUE_IC50_M) ** TRUE_HILL)


def traces(peaks_A, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t, current (A) sweeps × samples, command (V))``: instant onset at ONSET_S, decay TAU_S."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(LENGTH_S * RATE_HZ)) / RATE_HZ
    shape = np.where(t >= ONSET_S, np.exp(-(t - ONSET_S) / TAU_S), 0.0)
    y = np.asarray(peaks_A, dtype=float)[:, None] * shape[None, :]
    y = y + rng.normal(0.0, NOISE_A, y.shape)
    cmd = np.where(t >= ONSET_S, TEST_V, HOLD_V)
    return t, y, cmd


def write_abf_series(path: Path, peaks_A, *, seed: int = 0) -> Path:
    """An ABF1 file (pA) with one sweep per peak, written by pyabf's writer."""
    from pyabf.abfWriter import writeABF1

    _, y, _ = traces(peaks_A, seed=seed)
    writeABF1(y * 1e12, str(path), RATE_HZ, units="pA")
    return Path(path)


def write_nwb_series(path: Path, peaks_A, *, seed: int = 0, electrodes: int = 1) -> Path:
    """An NWB 2 file: one VoltageClampSeries (stored in pA, conversion 1e-12) per sweep and its
    VoltageClampStimulusSeries command (mV, conversion 1e-3), written by pynwb."""
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.icephys import VoltageClampSeries, VoltageClampStimulusSeries

    _, y, cmd = traces(peaks_A, seed=seed)
    nwb = NWBFile(session_description="synthetic concentration series", identifier="neuromoa-test",
                  session_start_time=datetime(2024, 1, 1, tzinfo=UTC))
    device = nwb.create_device(name="amplifier")
    for e in range(electrodes):
        elec = nwb.create_icephys_electrode(name=f"electrode{e}", description="synthetic",
                                            device=device)
        for k, trace in enumerate(y):
            resp = VoltageClampSeries(name=f"current_e{e}_s{k}", data=trace * 1e12,
                                      conversion=1e-12, resolution=np.nan, rate=RATE_HZ,
                                      starting_time=float(k), electrode=elec, gain=1.0,
                                      sweep_number=np.uint64(k))
            stim = VoltageClampStimulusSeries(name=f"command_e{e}_s{k}", data=cmd * 1e3,
                                              conversion=1e-3, rate=RATE_HZ,
                                              starting_time=float(k), electrode=elec, gain=1.0,
                                              sweep_number=np.uint64(k))
            nwb.add_acquisition(resp)
            nwb.add_stimulus(stim)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return Path(path)


def write_map(path: Path, conc_M=SERIES_CONC_M, *, unit: str = "uM") -> Path:
    """``sweep,concentration_<unit>`` for the series."""
    factor = {"uM": 1e6, "nM": 1e9, "M": 1.0}[unit]
    lines = [f"sweep,concentration_{unit}"]
    lines += [f"{k},{c * factor:.10g}" for k, c in enumerate(conc_M)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(path)
