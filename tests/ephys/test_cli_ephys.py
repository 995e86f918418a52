"""``neuromoa ephys``: the issue's JSON contract and one-line errors."""

import json

import pytest
import typer
from typer.testing import CliRunner

from neuromoa.cli import ephys as ephys_cli


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    ephys_cli.register(app)
    return app


def run(app, *args):
    return CliRunner().invoke(app, ["ephys", *args])


def test_simulate_use_dependence_json(app, tmp_path):
    res = run(app, "simulate", "use-dependence", "--channel", "nav-drg", "--conc", "1 uM",
              "--conc", "3 uM", "--freq", "10", "--pulses", "20", "--seed", "2", "--json",
              "--out", str(tmp_path / "t.csv"), "--abf", str(tmp_path / "t.abf"),
              "--plot", str(tmp_path / "f.svg"))
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d) == {"protocol", "channel", "conc_M", "measurement"}
    assert d["conc_M"] == [1e-6, 3e-6]
    m = d["measurement"]
    assert m["block_last_pulse"][0] > m["block_first_pulse"][0]
    for name in ("t.csv", "t.abf", "f.svg"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize("protocol,key", [("inactivation", "v_half_V"), ("tonic", "block"),
                                          ("holding", "block"), ("recovery", "tau_slow_s")])
def test_simulate_measurement_keys(app, protocol, key):
    res = run(app, "simulate", protocol, "--channel", "nav1.5", "--conc", "1 uM", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert key in d["measurement"]
    if protocol == "inactivation":
        assert "slope_V" in d["measurement"]


def test_experiment_json(app):
    res = run(app, "experiment", "state-dependence", "--channel", "nav-drg", "--seed", "1", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for k in ("ic50_resting_M", "ic50_inactivated_M", "ic50_open_M", "truth", "flags"):
        assert k in d
    assert set(d["truth"]) == {"ic50_resting_M", "ic50_inactivated_M", "ic50_open_M"}


def test_fi_json(app):
    res = run(app, "fi", "--conc", "0", "--conc", "1 uM", "--duration", "0.3 s", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [c["conc_M"] for c in d["curves"]] == [0.0, 1e-6]
    assert {"conc_M", "current_A", "rate_Hz", "rheobase_A"} <= set(d["curves"][0])
    assert d["curves"][1]["rheobase_A"] > d["curves"][0]["rheobase_A"]


def test_export_myokit(app, tmp_path):
    res = run(app, "export-myokit", "--channel", "nav1.5", "--out", str(tmp_path / "m.mmt"))
    assert res.exit_code == 0, res.output
    text = (tmp_path / "m.mmt").read_text()
    assert text.startswith("[[model]]") and "dot(I0_D)" in text and "drug.conc" in text


def test_analyze_json(app, shared_abf):
    d = shared_abf
    res = run(app, "analyze", str(d / "File_axon_7.abf"), "--mode", "peak", "--baseline",
              "0.10,0.19", "--window", "0.20,0.30", "--channel", "0", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["sweeps"]
    assert len(rows) == 12
    assert set(rows[0]) == {"sweep", "peak_A", "baseline_A", "status", "message"}


@pytest.mark.parametrize("args,expect", [
    (["simulate", "tonic", "--conc", "-1 uM"], "concentration #1: '-1 uM' must be zero or positive"),
    (["simulate", "tonic", "--conc", "1 uM", "--test", "250 mV"], "250 mV is beyond ±200 mV"),
    (["simulate", "tonic", "--conc", "1 uM", "--holding", "-0.3 V"], "holding potential: -300 mV"),
    (["simulate", "ramp"], "protocol 'ramp' is not one of"),
    (["simulate", "tonic", "--noise", "10 mV"], "noise: '10 mV' is not in units convertible to A"),
    (["simulate", "tonic", "--rs-compensation", "1.5"], "rs_compensation"),
    (["simulate", "tonic", "--channel", "nav9"], "unknown channel 'nav9'"),
    (["analyze", "missing.abf", "--baseline", "0,0.1", "--window", "0.1,0.2"], "file not found"),
    (["fi", "--conc", "1"], "concentration #1: '1' has no unit"),
    (["experiment", "state-dependence", "--channel", "herg"], "activated-state block"),
    (["experiment", "state-dependence", "--channel", "kv7"], "simple block"),
])
def test_bad_input_is_one_line(app, args, expect):
    res = run(app, *args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and expect in lines[0], res.output
    assert "Traceback" not in res.output


def test_analyze_bad_channel_and_window(app, shared_abf):
    f = str(shared_abf / "File_axon_7.abf")
    res = run(app, "analyze", f, "--baseline", "0.1,0.19", "--window", "0.2,0.3", "--channel", "1")
    assert res.exit_code == 2 and "channel 1 is not in the file" in res.output
    res = run(app, "analyze", f, "--baseline", "0.1,0.19", "--window", "3,5")
    assert res.exit_code == 2 and "outside sweep 0" in res.output
    res = run(app, "analyze", f, "--mode", "peak")
    assert res.exit_code == 2 and "needs --baseline" in res.output


def test_simulate_recording_options(app):
    res = run(app, "simulate", "tonic", "--conc", "1 uM", "--noise", "0 pA", "--leak", "0 nS",
              "--rs", "5 MOhm", "--rs-compensation", "0.8", "--sample-rate", "50 kHz", "--json")
    assert res.exit_code == 0, res.output
    assert 0 < json.loads(res.stdout)["measurement"]["block"][0] < 0.2
