"""ABF analysis on the two real recordings (known answers in ../shared/data/abf/README.md),
on files we write, and bad input."""

import numpy as np
import pytest

from neuromoa.ephys import analyze_abf, simulate_neuron
from neuromoa.errors import InputError

# File_axon_7.abf: README table (independently computed with pyabf by the data's curator)
AXON7 = {1: (-465.6, 0.715, 0.566, 84, -278.2, 0.60, 426),
         3: (-445.4, 0.720, 0.581, 89, -242.1, 0.54, 406),
         6: (-666.4, 0.665, 0.536, 67, -438.1, 0.66, 716),
         9: (-619.3, 0.663, 0.536, 60, -298.6, 0.48, 453)}
SAMPLE = 1 / 403  # s per point


def test_file_axon_7_peaks_failures_and_kinetics(shared_abf):
    r = analyze_abf(shared_abf / "File_axon_7.abf", "response", baseline="0.10,0.45",
                    window="0.45,2.5", steady="2.3,2.5", min_response_A=12e-12)
    rows = {row["sweep"]: row for row in r.sweeps}
    assert r.summary["responding_sweeps"] == [1, 3, 6, 9]
    for s, row in rows.items():
        if s not in AXON7:
            assert row["status"] == "no response", s
    for s, (pk, tpk, onset, rise_ms, ss, ratio, tau_ms) in AXON7.items():
        row = rows[s]
        assert row["status"] == "ok"
        assert row["peak_A"] * 1e12 == pytest.approx(pk, rel=0.02)          # README: +/- 2 %
        assert row["decay_tau_s"] * 1e3 == pytest.approx(tau_ms, rel=0.15)  # README: +/- 15 %
        assert row["t_peak_s"] == pytest.approx(tpk, abs=SAMPLE)
        assert row["onset_10_s"] == pytest.approx(onset, abs=SAMPLE)
        assert row["rise_10_90_s"] * 1e3 == pytest.approx(rise_ms, abs=2 * SAMPLE * 1e3)
        assert row["steady_A"] * 1e12 == pytest.approx(ss, rel=0.02)
        assert row["steady_over_peak"] == pytest.approx(ratio, abs=0.01)


def test_model_cell_membrane_test(shared_abf):
    r = analyze_abf(shared_abf / "model_vc_step.abf", "memtest")
    s = r.summary
    assert s["holding_current_A_mean"] * 1e12 == pytest.approx(-139.30, abs=0.05)
    assert s["r_total_Ohm_mean"] / 1e6 == pytest.approx(511.5, abs=0.8)
    assert s["cm_F_mean"] * 1e12 == pytest.approx(30.9, rel=0.02)
    assert s["cm_F_mean"] * 1e12 == pytest.approx(33.0, rel=0.10)    # nominal, +/- 10 %
    assert r.sweeps[0]["onset_s"] == pytest.approx(156 / 20000)


def test_peak_mode_contract_keys(shared_abf):
    r = analyze_abf(shared_abf / "File_axon_7.abf", "peak", baseline=(0.10, 0.19), window=(0.2, 2.5))
    assert all(set(row) == {"sweep", "peak_A", "baseline_A", "status", "message"} for row in r.sweeps)


def test_bad_channel_window_and_missing_args(shared_abf):
    f = shared_abf / "File_axon_7.abf"
    with pytest.raises(InputError, match=r"File_axon_7.abf: channel 2 is not in the file"):
        analyze_abf(f, "peak", channel=2, baseline="0.1,0.2", window="0.2,0.3")
    with pytest.raises(InputError, match=r"window 0.2–9 s is outside sweep 0"):
        analyze_abf(f, "peak", baseline="0.1,0.2", window="0.2,9")
    with pytest.raises(InputError, match="needs --baseline"):
        analyze_abf(f, "peak", window="0.2,0.3")
    with pytest.raises(InputError, match="T0 < T1"):
        analyze_abf(f, "peak", baseline="0.3,0.2", window="0.2,0.3")
    with pytest.raises(InputError, match="needs a voltage"):
        analyze_abf(f, "spikes", window="0.2,0.3")
    with pytest.raises(FileNotFoundError):
        analyze_abf(shared_abf / "nope.abf", "peak", baseline="0.1,0.2", window="0.2,0.3")


def _write(path, sweeps, rate, units):
    from pyabf.abfWriter import writeABF1

    writeABF1(np.asarray(sweeps, dtype=float), str(path), rate, units=units)


def test_seal_breakdown_flagged(tmp_path):
    rate = 10_000
    t = np.arange(5000) / rate
    good = -20 - 300 * ((t > 0.2) & (t < 0.22))            # a 300 pA inward response
    broken = good - 3000 * (t > 0.25)                      # then a huge sustained current
    leaky = good - 2500                                    # a -2.5 nA holding current
    _write(tmp_path / "seal.abf", [good, broken, leaky], rate, "pA")
    r = analyze_abf(tmp_path / "seal.abf", "peak", baseline="0.1,0.19", window="0.2,0.24")
    status = [row["status"] for row in r.sweeps]
    assert status == ["ok", "not credible", "not credible"]
    assert r.sweeps[0]["peak_A"] == pytest.approx(-300e-12, rel=0.02)
    assert "seal breakdown" in r.sweeps[1]["message"]


def test_spike_count_on_a_simulated_current_clamp_file(tmp_path):
    from neuromoa.ephys import NeuronModel

    every = int(round(1e-4 / NeuronModel.default().dt_s))                  # 10 kHz
    tr = simulate_neuron(None, 0.2e-9, duration_s=0.5, record_every=every)
    rest = simulate_neuron(None, 0.0, duration_s=0.5, record_every=every)
    _write(tmp_path / "cc.abf", [rest.voltage_V * 1e3, tr.voltage_V * 1e3], 10_000, "mV")
    r = analyze_abf(tmp_path / "cc.abf", "spikes", window="0,0.5")
    assert [row["spike_count"] for row in r.sweeps] == [0, tr.spike_count]
    assert tr.spike_count > 5


def test_failures_are_no_response_by_default_in_response_mode(shared_abf):
    """README of the real file: only sweeps 1, 3, 6, 9 respond; without any threshold given,
    the failures must still be 'no response' (noise-based detection), not tiny currents."""
    path = shared_abf / "File_axon_7.abf"
    res = analyze_abf(path, "response", baseline="0.10,0.45", window="0.45,2.5")
    responding = [r["sweep"] for r in res.sweeps if r["status"] == "ok"]
    assert responding == [1, 3, 6, 9]
    # peak mode measures every sweep (a fully blocked current is a measurement, not a failure)
    peaks = analyze_abf(path, "peak", baseline="0.10,0.45", window="0.45,2.5")
    assert all(r["status"] == "ok" for r in peaks.sweeps)
