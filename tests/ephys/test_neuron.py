"""The DRG neuron: the numba engine against scipy LSODA on the same equations; F-I output."""

import numpy as np
import pytest

from neuromoa.ephys import NeuronModel, fi_curves, simulate_neuron
from neuromoa.errors import ParameterError, UnitError


@pytest.mark.parametrize("current", [0.1e-9, 0.3e-9])
def test_numba_engine_matches_lsoda(current):
    nm = NeuronModel.default()
    fast = simulate_neuron(nm, current, duration_s=0.3)
    ref = simulate_neuron(nm, current, duration_s=0.3, engine="scipy")
    assert fast.spike_count == ref.spike_count > 2
    # first-order fixed step (10 us) vs LSODA rtol 1e-6 sampled every 20 us: interspike
    # intervals within 1.5 %, spike times within 1.5 % of elapsed time + 0.1 ms
    np.testing.assert_allclose(np.diff(fast.spike_times_s), np.diff(ref.spike_times_s), rtol=0.015)
    np.testing.assert_allclose(fast.spike_times_s, ref.spike_times_s, rtol=0.015, atol=1e-4)


def test_rest_is_a_fixed_point():
    nm = NeuronModel.default()
    r = simulate_neuron(nm, 0.0, duration_s=0.2, record_every=40)
    assert r.spike_count == 0
    assert np.max(np.abs(r.voltage_V - r.rest_V)) < 1e-4


def test_fi_curves_contract_and_monotone_start():
    res = fi_curves(["0", "1 uM"], currents_A=[0, 100e-12, 200e-12, 300e-12], duration_s=0.5)
    d = res.to_dict()
    assert [set(c) >= {"conc_M", "current_A", "rate_Hz", "rheobase_A"} for c in d["curves"]] == [True, True]
    c0, c1 = res.curves
    assert c0.rate_Hz[0] == 0 and c0.rate_Hz[-1] > c0.rate_Hz[1] > 0
    assert c1.rheobase_A > c0.rheobase_A
    assert np.all(c1.rate_Hz <= c0.rate_Hz)


def test_bad_inputs():
    with pytest.raises(UnitError, match="concentration #2.*no unit"):
        fi_curves(["0", "1"])
    with pytest.raises(UnitError, match="concentration #1.*zero or positive"):
        fi_curves(["-1 uM"])
    with pytest.raises(ParameterError, match="conc_M"):
        simulate_neuron(None, 1e-10, conc_M=-1.0)
    with pytest.raises(ParameterError, match="engine"):
        simulate_neuron(None, 1e-10, duration_s=0.01, engine="euler")


def test_parameter_table():
    frame = NeuronModel.default().to_frame()
    assert {"name", "value", "unit", "value_si", "source"} <= set(frame.columns)
    assert (frame["source"].str.len() > 5).all()
