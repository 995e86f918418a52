"""Emergent, not coded: nothing in the code says 'more block when depolarised/faster', the
state-dependent affinities and detailed balance do."""

import numpy as np
import pytest

from neuromoa.ephys import Recording, build_protocol, load_channel, run_protocol, simulate_protocol

IDEAL = Recording.ideal()


@pytest.mark.parametrize("channel", ["nav-drg", "nav1.5"])
def test_block_grows_with_depolarised_holding_potential(channel):
    model = load_channel(channel)
    holds = np.array([-0.14, -0.12, -0.10, -0.09, -0.08, -0.07])
    blocks = []
    for h in holds:
        p = build_protocol("tonic", model, holding_V=float(h))
        blocks.append(run_protocol(model, p, [1e-6], recording=IDEAL).measurement["block"][0])
    assert np.all(np.diff(blocks) > 0), blocks
    assert blocks[-1] > 5 * blocks[0]


def test_block_grows_with_stimulation_frequency():
    model = load_channel("nav-drg")
    last = {}
    for f in (1.0, 5.0, 10.0, 20.0):
        p = build_protocol("use-dependence", model, freq_Hz=f, pulses=30)
        last[f] = run_protocol(model, p, [1e-6], recording=IDEAL).measurement["block_last_pulse"][0]
    assert last[1.0] < last[5.0] < last[10.0] < last[20.0], last
    # and within a train block accumulates from the first to the last pulse
    r = simulate_protocol("use-dependence", "nav-drg", ["1 uM"], recording=IDEAL, freq_Hz=10, pulses=30)
    per = np.asarray(r.measurement["block_per_pulse"][0])
    assert per[-1] > per[0] + 0.1
    # drug-free control shows no such decline (no use dependence without drug)
    assert r.measurement["control_last_over_first"] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("channel", ["nav-drg", "nav1.5"])
def test_inactivation_curve_shifts_hyperpolarised_growing_with_concentration(channel):
    r = simulate_protocol("inactivation", channel, ["0.1 uM", "0.3 uM", "1 uM", "3 uM", "10 uM"],
                          recording=IDEAL)
    shifts = np.asarray(r.measurement["shift_V"])
    assert np.all(shifts < 0)
    assert np.all(np.diff(shifts) < 0), shifts
    assert shifts[2] < -0.004           # at 1 uM more than 4 mV
    # bounded by the equilibrium shift slope*ln((1 + C/K_I)/(1 + C/K_R)) (long-prepulse limit)
    p = load_channel(channel).scheme.parameter_values
    slope = r.measurement["control_slope_V"]
    c = np.array([0.1, 0.3, 1, 3, 10]) * 1e-6
    limit = -slope * np.log((1 + c / p["K_I"]) / (1 + c / p["K_R"]))
    assert np.all(shifts >= limit - 0.002)


def test_simple_block_is_voltage_and_frequency_independent():
    model = load_channel("kv1.1")
    b = [run_protocol(model, build_protocol(name, model), [22e-6], recording=IDEAL).measurement["block"][0]
         for name in ("tonic", "holding")]
    # at equilibrium, state-independent binding gives C/(C+K) = 0.5 whatever the voltage
    assert b == pytest.approx([0.5, 0.5], abs=0.02)


def test_rheobase_rises_at_1_uM():
    from neuromoa.ephys import rheobase

    r0 = rheobase(0.0)
    r1 = rheobase(1e-6)
    assert np.isfinite(r0) and np.isfinite(r1)
    assert r1 > 1.3 * r0


@pytest.mark.parametrize("channel", ["kv1.1", "kv7"])
def test_noisy_rig_measures_half_block_at_the_ic50(channel):
    """Simple block at C = K is 50 % whatever the protocol; the noisy default rig must not
    bias the peak (noise 10 pA on currents of a few hundred pA)."""
    k = load_channel(channel).affinities_M["all"]
    r = simulate_protocol("holding", channel, [f"{k * 1e6} uM"], seed=11)
    assert r.measurement["block"][0] == pytest.approx(0.5, abs=0.04)
