"""Analysis functions against closed forms; the recording realism of the virtual rig."""

import numpy as np
import pytest

from neuromoa.ephys import (
    Recording,
    boltzmann,
    boltzmann_fit,
    build_protocol,
    fit_ic50,
    load_channel,
    run_protocol,
    simulate_protocol,
    state_affinities_from_two_holdings,
)
from neuromoa.errors import ParameterError, ProtocolError, UnitError
from neuromoa.pharmacology import apparent_k_two_state


def test_boltzmann_fit_recovers_parameters():
    v = np.linspace(-0.14, -0.02, 13)
    y = 3.0 * boltzmann(v, -0.072, 0.0085)
    fit = boltzmann_fit(v, y)
    assert fit.v_half_V == pytest.approx(-0.072, abs=1e-6)
    assert fit.slope_V == pytest.approx(0.0085, rel=1e-5)
    assert fit.params["amplitude"] == pytest.approx(3.0, rel=1e-6)
    act = boltzmann_fit(v, boltzmann(v, -0.03, -0.006), kind="activation")
    assert act.v_half_V == pytest.approx(-0.03, abs=1e-6) and act.slope_V < 0


def test_two_holding_inversion_round_trips_with_pharmacology():
    kr, ki = 33e-6, 0.51e-6
    h1, h2 = 0.999, 0.45
    k1 = apparent_k_two_state(h1, kr, ki)
    k2 = apparent_k_two_state(h2, kr, ki)
    est = state_affinities_from_two_holdings(h1, k1, h2, k2)
    assert est == pytest.approx((kr, ki), rel=1e-10)
    assert np.isnan(state_affinities_from_two_holdings(0.5, 1e-6, 0.5, 1e-6)[0])


def test_fit_ic50_recovers_known_curve():
    c = np.geomspace(1e-8, 1e-4, 8)
    y = 1 / (1 + (c / 2e-6) ** 1.0)
    fit = fit_ic50(c, y)
    assert fit.ic50_M == pytest.approx(2e-6, rel=1e-4)
    assert fit.params["hill"] == pytest.approx(-1.0, rel=1e-3)  # falling curve: Prism sign


def test_same_seed_same_bytes_and_noise_level():
    a = simulate_protocol("tonic", "nav-drg", ["1 uM"], seed=4)
    b = simulate_protocol("tonic", "nav-drg", ["1 uM"], seed=4)
    c = simulate_protocol("tonic", "nav-drg", ["1 uM"], seed=5)
    assert a.current_A[0].tobytes() == b.current_A[0].tobytes()
    assert a.current_A[0].tobytes() != c.current_A[0].tobytes()
    ideal = simulate_protocol("tonic", "nav-drg", ["1 uM"], recording=Recording.ideal())
    leak = a.recording.leak_S * (a.voltage_V[0][0] - a.recording.leak_reversal_V)
    resid = a.current_A[0] - ideal.current_A[0] - leak
    assert np.std(resid) == pytest.approx(a.recording.noise_A, rel=0.1)
    # P/N leak subtraction removes the leak: measured block matches the ideal rig's
    assert a.measurement["block"][0] == pytest.approx(ideal.measurement["block"][0], abs=0.01)


def test_series_resistance_error_and_its_compensation():
    model = load_channel("nav-drg")
    p = build_protocol("tonic", model)
    ideal = run_protocol(model, p, [1e-6], recording=Recording.ideal())
    rs = Recording(noise_A=0.0, leak_S=0.0, series_resistance_Ohm=5e6, capacitance_F=20e-12)
    bad = run_protocol(model, p, [1e-6], recording=rs)
    full = run_protocol(model, p, [1e-6], recording=Recording(
        noise_A=0.0, leak_S=0.0, series_resistance_Ohm=5e6, rs_compensation=1.0))
    # an inward current through R_s depolarises the membrane towards E_Na: smaller peak
    assert abs(bad.control_peaks_A[0, 0]) < abs(ideal.control_peaks_A[0, 0])
    assert full.control_peaks_A[0, 0] == pytest.approx(ideal.control_peaks_A[0, 0], rel=1e-9)


def test_abf_round_trip_of_simulated_traces(tmp_path):
    from neuromoa.ephys import analyze_abf

    r = simulate_protocol("tonic", "nav-drg", ["3 uM"], seed=1)
    r.write_abf(str(tmp_path / "t.abf"))
    # 50 ms holding baseline, then the test step
    a = analyze_abf(tmp_path / "t.abf", "peak", baseline=(0.0, 0.045), window=(0.05, 0.06),
                    direction="inward")
    assert len(a.sweeps) == 2
    # the file keeps the leak (raw recording): compare with the raw trace's own extreme
    raw = r.current_A[0][0, 0] - r.holding_current_A[0]
    assert a.sweeps[0]["peak_A"] == pytest.approx(raw.min(), rel=0.01)
    assert a.sweeps[1]["peak_A"] == pytest.approx((r.current_A[0][1, 0] - r.holding_current_A[1]).min(),
                                                  rel=0.02)


def test_bad_protocol_input_names_where():
    with pytest.raises(ProtocolError, match=r"step 0 \(test\): 250 mV is beyond ±200 mV"):
        simulate_protocol("tonic", "nav-drg", ["1 uM"], test_V=0.25)
    with pytest.raises(ProtocolError, match="holding potential: -300 mV"):
        simulate_protocol("holding", "nav-drg", ["1 uM"], holding_V=-0.3)
    with pytest.raises(UnitError, match="concentration #2: '-1 uM' must be zero or positive"):
        simulate_protocol("tonic", "nav-drg", ["1 uM", "-1 uM"])
    with pytest.raises(UnitError, match="no unit"):
        simulate_protocol("tonic", "nav-drg", [1e-6])
    with pytest.raises(ProtocolError, match="no time between"):
        simulate_protocol("use-dependence", "nav-drg", ["1 uM"], freq_Hz=100)
    with pytest.raises(ProtocolError, match="unknown protocol"):
        simulate_protocol("ramp", "nav-drg", ["1 uM"])
    with pytest.raises(ParameterError, match="noise_A"):
        Recording(noise_A=-1.0)


@pytest.mark.parametrize("protocol", ["tonic", "holding", "inactivation", "use-dependence", "recovery"])
def test_every_protocol_has_its_measurement(protocol):
    opts = {"pulses": 10} if protocol == "use-dependence" else {}
    r = simulate_protocol(protocol, "nav1.5", ["1 uM"], **opts)
    d = r.to_dict()
    assert d["protocol"] == protocol and d["channel"] == "nav1.5" and d["conc_M"] == [1e-6]
    expected = {"tonic": "block", "holding": "block", "inactivation": "v_half_V",
                "use-dependence": "block_first_pulse", "recovery": "tau_slow_s"}[protocol]
    assert expected in d["measurement"]
    assert not r.traces_frame().empty
    r.plot()
