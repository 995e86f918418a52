"""ABF reading: a bad sweep is a failed row with its reason, never "ok" with a null value
(issue 17, item 3)."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.ephys.abf import analyze_abf
from neuromoa.errors import NeuromoaError

runner = CliRunner()
_register_all([])

REPO = Path(__file__).resolve().parents[2]
RATE = 10_000.0  # Hz


class FakeABF:
    """The few pyabf.ABF attributes analyze_abf reads, with per-sweep data we choose."""

    def __init__(self, sweeps, units="pA", command=None):
        self.sweeps, self.command = sweeps, command
        self.channelCount, self.sweepCount = 1, len(sweeps)
        self.adcUnits, self.dacUnits = [units], ["mV"]

    def setSweep(self, s, channel=0):  # noqa: N802 - pyabf's name
        y = np.asarray(self.sweeps[s], dtype=float)
        self.sweepY = y
        self.sweepX = np.arange(y.size) / RATE
        self.sweepC = (self.command[s] if self.command is not None
                       else np.zeros(y.size))


@pytest.fixture
def fake(monkeypatch, tmp_path):
    import pyabf

    def install(*args, **kw):
        abf = FakeABF(*args, **kw)
        monkeypatch.setattr(pyabf, "ABF", lambda path: abf)
        path = tmp_path / "fake.abf"
        path.write_bytes(b"ABF ")
        return path
    return install


def _sweep(n=2000, peak=-100.0):
    y = np.zeros(n)
    y[1000:1100] = peak
    return y


def test_defect_window_shorter_than_one_sample(fake):
    path = fake([_sweep() for _ in range(12)])
    res = analyze_abf(path, "peak", baseline=(0.0, 0.05), window=(0.10001, 0.10002))
    assert [r["status"] for r in res.sweeps] == ["failed"] * 12
    assert "holds no sample" in res.sweeps[0]["message"]
    assert res.summary["n_ok"] == 0


def test_defect_nan_samples_give_ok_with_null_peak(fake):
    bad = _sweep()
    bad[1050] = np.nan
    path = fake([_sweep(), bad, _sweep()])
    res = analyze_abf(path, "response", baseline=(0.0, 0.05), window=(0.09, 0.15))
    status = [r["status"] for r in res.sweeps]
    assert status[1] == "failed" and "NaN" in res.sweeps[1]["message"]
    assert status[0] != "failed" and status[2] != "failed"
    for r in res.sweeps:
        if r["status"] == "ok":
            assert r["peak_A"] is not None and math.isfinite(r["peak_A"])


def test_defect_all_zero_memtest_ok_with_null_resistance(fake):
    n = 2000
    cmd = np.full(n, -70.0)
    cmd[500:1500] = -60.0
    good = np.zeros(n)
    good[500:1500] = 100.0
    path = fake([np.zeros(n), good], command=[cmd, cmd])
    res = analyze_abf(path, "memtest")
    assert res.sweeps[0]["status"] == "failed" and "no current response" in res.sweeps[0]["message"]
    assert res.sweeps[1]["status"] == "ok" and res.sweeps[1]["r_total_Ohm"] == pytest.approx(1e8)


def test_defect_zero_sample_sweep_index_error(fake):
    path = fake([_sweep(), np.zeros(0), _sweep()])
    res = analyze_abf(path, "peak", baseline=(0.0, 0.05), window=(0.09, 0.15))
    assert [r["status"] for r in res.sweeps] == ["ok", "failed", "ok"]
    assert "0 sample" in res.sweeps[1]["message"]


def test_cli_exit_codes_for_sweeps(fake):
    path = fake([_sweep(), np.zeros(0)])
    res = runner.invoke(app, ["ephys", "analyze", str(path), "--baseline", "0,0.05",
                              "--window", "0.09,0.15"])
    assert res.exit_code == 1 and "1 of 2 sweep(s) failed: sweep 1" in res.output
    path = fake([np.zeros(0), np.zeros(1)])
    res = runner.invoke(app, ["ephys", "analyze", str(path), "--baseline", "0,0.05",
                              "--window", "0.09,0.15"])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_defect_abf_file_name_in_html_view(fake, tmp_path):
    import pyabf

    abf = FakeABF([_sweep()])
    name = tmp_path / "<img src=x onerror=alert(1)>.abf"
    name.write_bytes(b"ABF ")
    pyabf_ABF = pyabf.ABF
    pyabf.ABF = lambda path: abf
    try:
        html = analyze_abf(name, "peak", baseline=(0.0, 0.05), window=(0.09, 0.15))._repr_html_()
    finally:
        pyabf.ABF = pyabf_ABF
    assert "<img" not in html and "&lt;img" in html


def _real_abf() -> Path | None:
    for cand in (REPO.parent / "shared" / "data" / "abf", REPO.parent.parent / "shared" / "data" / "abf"):
        if (cand / "File_axon_7.abf").is_file():
            return cand / "File_axon_7.abf"
    return None


@pytest.mark.skipif(_real_abf() is None, reason="shared ABF recordings not found")
@settings(max_examples=25, deadline=None)
@given(pos=st.integers(0, 82944), junk=st.binary(min_size=1, max_size=8),
       how=st.sampled_from(["replace", "truncate"]))
def test_corrupted_abf_property(tmp_path_factory, pos, junk, how):
    """Corrupted real ABF: a clean NeuromoaError, or rows where every 'ok' has a finite peak."""
    data = _real_abf().read_bytes()
    pos = pos % len(data)
    data = data[:pos] + junk + data[pos + len(junk):] if how == "replace" else data[:pos]
    path = tmp_path_factory.mktemp("abf") / "c.abf"
    path.write_bytes(data)
    try:
        res = analyze_abf(path, "peak", baseline=(0.0, 0.05), window=(0.06, 0.2))
    except NeuromoaError:
        return
    for r in res.sweeps:
        if r["status"] == "ok":
            assert r["peak_A"] is not None and math.isfinite(r["peak_A"])
