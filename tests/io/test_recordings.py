"""neuromoa.io.recordings: ABF and NWB readers, the concentration map; real files, files written
by the field's own writers (pyabf, pynwb) with a known content, property tests, bad files."""

from __future__ import annotations

import tempfile
from datetime import UTC
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ephys.recording_fixtures import (
    NOISE_A,
    RATE_HZ,
    SERIES_CONC_M,
    series_peaks,
    traces,
    write_abf_series,
    write_map,
    write_nwb_series,
)

from neuromoa.errors import DataFileError, InputError
from neuromoa.io import (
    open_recording,
    read_concentration_map,
    read_recording,
    recording_format,
    recording_info,
)

REPO = Path(__file__).resolve().parents[2]


def _shared() -> Path:
    for cand in (REPO.parent / "shared" / "data" / "abf", REPO.parent.parent / "shared" / "data" / "abf"):
        if (cand / "File_axon_7.abf").is_file():
            return cand
    pytest.skip("real ABF recordings not found: expected ../shared/data/abf/ beside the repository")


# --- real files: what the shared README says they hold -----------------------------------------
def test_info_of_the_nmda_recording():
    info = recording_info(_shared() / "File_axon_7.abf")
    assert info.sweep_count == 12
    assert info.sample_rate_Hz == pytest.approx(403.0)
    assert info.sweep_length_s == pytest.approx(4.007, abs=1e-3)
    assert info.sweep_interval_s == pytest.approx(10.0)
    assert info.protocol.startswith("Apl NMDA 2 s -80mV")
    (ch,) = info.channels
    assert (ch.unit, ch.quantity, ch.mode, ch.command_unit) == ("pA", "current", "voltage clamp", "mV")
    levels = {e["epoch"]: e["level_SI"] for e in info.epochs}
    assert levels["holding"] == pytest.approx(-0.080)  # holding at -80 mV, in V in the JSON
    # the NMDA puff was applied outside the amplifier: no epoch, and the info says so
    assert any("declares no command epochs" in n for n in info.notes)
    d = info.to_dict()
    assert d["channels"][0]["unit"] == "pA" and d["epochs"][1]["level_unit"] == "V"


def test_info_of_the_model_cell_step():
    info = recording_info(_shared() / "model_vc_step.abf")
    assert (info.sweep_count, info.sample_rate_Hz) == (20, 20000.0)
    ep = info.epochs_frame().set_index("epoch")
    # -70 -> -80 mV step starting at sample 156 (7.8 ms) for 200 ms (shared README)
    assert ep.loc["A", "level_SI"] == pytest.approx(-0.080)
    assert ep.loc["A", "start_s"] == pytest.approx(0.0078)
    assert ep.loc["A", "end_s"] - ep.loc["A", "start_s"] == pytest.approx(0.2)
    assert ep.loc["B", "level_SI"] == pytest.approx(-0.070)


def test_sweeps_are_si():
    rec = open_recording(_shared() / "File_axon_7.abf")
    sw = rec.sweep(1)
    # sweep 1's peak is -465.6 pA at 0.715 s (shared README, pyabf)
    i = int(np.argmin(sw.y))
    assert sw.y[i] == pytest.approx(-466.2e-12, rel=0.01)
    assert sw.t_s[i] == pytest.approx(0.715, abs=0.003)
    assert sw.unit == "A" and sw.command_unit == "V"
    assert np.allclose(sw.command, -0.080)


# --- NWB and ABF written by their own libraries: the reader returns what was written --------
def test_nwb_reads_what_pynwb_wrote(tmp_path):
    pytest.importorskip("pynwb")
    peaks = series_peaks()
    path = write_nwb_series(tmp_path / "s.nwb", peaks, seed=3)
    assert recording_format(path) == "nwb"
    info = recording_info(path)
    assert info.sweep_count == len(peaks) and info.sample_rate_Hz == RATE_HZ
    assert info.channels[0].quantity == "current" and info.sweep_interval_s == pytest.approx(1.0)
    t, y, cmd = traces(peaks, seed=3)
    for k in (0, 5, 13):
        sw = open_recording(path).sweep(k)
        np.testing.assert_allclose(sw.y, y[k], rtol=1e-12, atol=1e-24)
        np.testing.assert_allclose(sw.t_s, t)
        np.testing.assert_allclose(sw.command, cmd)


def test_nwb_two_electrodes_are_two_channels(tmp_path):
    pytest.importorskip("pynwb")
    path = write_nwb_series(tmp_path / "s.nwb", series_peaks()[:3], electrodes=2)
    info = recording_info(path)
    assert len(info.channels) == 2 and info.sweep_count == 3
    frame = read_recording(path)
    assert set(frame["channel"]) == {0, 1} and len(frame) == 2 * 3 * int(0.2 * RATE_HZ)


def test_abf1_from_pyabf_writer(tmp_path):
    peaks = series_peaks()
    path = write_abf_series(tmp_path / "s.abf", peaks)
    info = recording_info(path)
    assert info.sweep_count == len(peaks) and info.channels[0].unit == "pA"
    assert info.epochs == ()  # the writer stores no protocol: no invented epochs
    frame = read_recording(path, sweeps=[2])
    _, y, _ = traces(peaks)
    # ABF stores 16-bit integers scaled to the largest |value|
    assert np.max(np.abs(frame["value"].to_numpy() - y[2])) < np.max(np.abs(y)) / 2**12


# --- property tests ---------------------------------------------------------------------------
#: pyabf reads back the ABF1 files of its own writer only from ~2048 samples on (shorter files
#: make it read past the end of the file), so the property test writes sweeps of this length.
ABF1_SAMPLES = 2048


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_sweeps=st.integers(1, 3), amplitude=st.floats(1e-3, 5e3), offset=st.floats(-1e3, 1e3),
       seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([1000.0, 10000.0, 20000.0]))
def test_abf_round_trip_property(n_sweeps, amplitude, offset, seed, rate):
    """Any sweeps written with pyabf read back in A within the 16-bit resolution."""
    from pyabf.abfWriter import writeABF1

    arr = offset + amplitude * np.random.default_rng(seed).standard_normal((n_sweeps, ABF1_SAMPLES))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.abf"
        writeABF1(arr, str(path), rate, units="pA")
        rec = open_recording(path)
        assert rec.info.sweep_count == n_sweeps
        assert rec.info.sample_rate_Hz == pytest.approx(rate)
        # pyabf's writer stores 16-bit integers (truncated) on a scale chosen by decades, so
        # the full scale is at most 10x the largest |value| and at least ±1 (its finest
        # scale): one step <= max(10·max, 1)/32767
        step = max(10.0 * float(np.max(np.abs(arr))), 1.0) / 32767 * (1 + 1e-9)
        for k in range(n_sweeps):
            sw = rec.sweep(k)
            assert sw.unit == "A"
            assert np.max(np.abs(sw.y * 1e12 - arr[k])) <= step
            assert sw.t_s[1] == pytest.approx(1.0 / rate)


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=600), head=st.sampled_from([b"", b"ABF ", b"ABF2", b"\x89HDF\r\n\x1a\n"]))
def test_any_bytes_are_a_recording_or_a_data_file_error(blob, head):
    """Whatever the bytes, opening gives a recording or a DataFileError naming the file."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.abf"
        path.write_bytes(head + blob)
        try:
            open_recording(path)
        except DataFileError as exc:
            assert str(path) in str(exc)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_sweeps=st.integers(1, 3), n_samples=st.integers(2, 300),
       conversion=st.sampled_from([1e-12, 1e-9, 1.0]), rate=st.floats(100.0, 1e5),
       seed=st.integers(0, 2**32 - 1))
def test_nwb_round_trip_property(n_sweeps, n_samples, conversion, rate, seed):
    """Any VoltageClampSeries pynwb writes reads back in A (data × conversion) at its rate."""
    pytest.importorskip("pynwb")
    from datetime import datetime

    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.icephys import VoltageClampSeries

    data = np.random.default_rng(seed).standard_normal((n_sweeps, n_samples)) * 100
    nwb = NWBFile(session_description="p", identifier="p",
                  session_start_time=datetime(2024, 1, 1, tzinfo=UTC))
    elec = nwb.create_icephys_electrode(name="e", description="", device=nwb.create_device(name="d"))
    for k in range(n_sweeps):
        nwb.add_acquisition(VoltageClampSeries(
            name=f"s{k}", data=data[k], conversion=conversion, resolution=np.nan, rate=rate,
            electrode=elec, gain=1.0, sweep_number=np.uint64(k)))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.nwb"
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)
        rec = open_recording(path)
        assert rec.info.sweep_count == n_sweeps
        assert rec.info.sample_rate_Hz == pytest.approx(rate)
        for k in range(n_sweeps):
            sw = rec.sweep(k)
            np.testing.assert_allclose(sw.y, data[k] * conversion, rtol=1e-12)
            assert sw.t_s[-1] == pytest.approx((n_samples - 1) / rate)
            assert sw.command is None


_UNITS = {"M": 1.0, "mM": 1e-3, "uM": 1e-6, "nM": 1e-9, "pM": 1e-12}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.floats(0, 50, allow_nan=False, allow_infinity=False),
                               st.sampled_from(sorted(_UNITS))), min_size=1, max_size=12),
       in_header=st.booleans(), delim=st.sampled_from([",", ";", "\t"]))
def test_concentration_map_round_trip(rows, in_header, delim):
    """Sweep i -> c_i in any unit, unit in the header or in each value, read back in M."""
    header_unit = rows[0][1]
    lines = [delim.join(["sweep", f"concentration_{header_unit}" if in_header else "concentration"])]
    expect = []
    for k, (value, unit) in enumerate(rows):
        text = repr(value)
        if in_header:
            expect.append(value * _UNITS[header_unit])
        else:
            text = "0" if value == 0 else f"{text} {unit}"
            expect.append(value * _UNITS[unit])
        lines.append(delim.join([str(k), text]))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "map.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        frame = read_concentration_map(path)
    assert frame["sweep"].tolist() == list(range(len(rows)))
    np.testing.assert_allclose(frame["concentration_M"], expect, rtol=1e-12, atol=0)


def test_map_ranges_and_files(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file,sweep,conc (nM)\na.abf,0-2,0\nb.abf,,30\n", encoding="utf-8")
    frame = read_concentration_map(path)
    assert frame[["file", "sweep"]].values.tolist() == [["a.abf", 0], ["a.abf", 1], ["a.abf", 2],
                                                        ["b.abf", -1]]
    assert frame["concentration_M"].tolist() == pytest.approx([0, 0, 0, 3e-8])


# --- bad files: a clear error naming the file and where ---------------------------------------
def _nwb_without_icephys(path: Path) -> Path:
    from datetime import datetime

    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    nwb = NWBFile(session_description="no icephys", identifier="x",
                  session_start_time=datetime(2024, 1, 1, tzinfo=UTC))
    nwb.add_acquisition(TimeSeries(name="position", data=np.arange(5.0), unit="m", rate=1.0))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def _plain_hdf5(path: Path) -> Path:
    import h5py

    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    return path


BAD_RECORDINGS = {
    "truncated ABF": (lambda p, real: p.write_bytes(real.read_bytes()[:1500]), "not a readable ABF"),
    "text renamed .abf": (lambda p, real: p.write_text("time,current\n0,1\n"), "is not an ABF or NWB"),
    "empty file": (lambda p, real: p.write_bytes(b""), "is empty"),
    "ABF magic then zeros": (lambda p, real: p.write_bytes(b"ABF2" + bytes(4000)), "ABF"),
    "PNG renamed .abf": (lambda p, real: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64)), "is not an ABF"),
    "NWB without icephys": (lambda p, real: _nwb_without_icephys(p), "no intracellular"),
    "HDF5 that is not NWB": (lambda p, real: _plain_hdf5(p), "not a readable NWB"),
}


@pytest.mark.parametrize("name", sorted(BAD_RECORDINGS))
def test_bad_recordings_raise_data_file_error(name, tmp_path):
    if "NWB" in name or "HDF5" in name:
        pytest.importorskip("pynwb")
    make, expect = BAD_RECORDINGS[name]
    path = tmp_path / ("bad.nwb" if "NWB" in name or "HDF5" in name else "bad.abf")
    make(path, _shared() / "File_axon_7.abf")
    with pytest.raises(DataFileError) as err:
        open_recording(path)
    assert str(path) in str(err.value) and expect in str(err.value)


BAD_MAPS = {
    "no unit": ("sweep,concentration\n0,1\n", "row 2", "has no unit"),
    "bad header": ("trace,dose\n0,1 uM\n", "row 1", "needs a 'sweep' or 'file' column"),
    "duplicate sweep": ("sweep,conc_uM\n0,1\n0,2\n", "", "mapped twice"),
    "negative": ("sweep,conc_uM\n0,-1\n", "row 2", "concentration"),
    "not a number": ("sweep,conc_uM\n0,lots\n", "row 2", "concentration"),
    "bad sweep": ("sweep,conc_uM\nfirst,1\n", "row 2", "not a sweep number"),
    "short row": ("sweep,file,conc_uM\n0\n", "row 2", "field(s)"),
    "empty": ("", "", "is empty"),
    "header only": ("sweep,conc_uM\n", "", "no rows"),
}


@pytest.mark.parametrize("name", sorted(BAD_MAPS))
def test_bad_maps_name_file_and_row(name, tmp_path):
    text, row, expect = BAD_MAPS[name]
    path = tmp_path / "map.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        read_concentration_map(path)
    msg = str(err.value)
    assert str(path) in msg and row in msg and expect in msg


def test_sweep_and_channel_out_of_range(tmp_path):
    rec = open_recording(write_abf_series(tmp_path / "s.abf", series_peaks()[:2]))
    with pytest.raises(InputError, match="sweep 2 is not in the file"):
        rec.sweep(2)
    with pytest.raises(InputError, match="channel 1 is not in the file"):
        rec.sweep(0, 1)


def test_the_map_frame_has_the_documented_columns(tmp_path):
    frame = read_concentration_map(write_map(tmp_path / "m.csv"))
    assert list(frame.columns) == ["file", "sweep", "concentration_M", "row"]
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(SERIES_CONC_M)
    assert NOISE_A > 0
