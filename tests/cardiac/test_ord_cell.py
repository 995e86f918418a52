"""The ORd cell: published control behaviour, the integrator against scipy, drug effects, EADs."""

import numpy as np
import pytest

from neuromoa.cardiac import detect_ead, simulate_cell
from neuromoa.cardiac import ord as model
from neuromoa.cardiac.steady import control_state
from neuromoa.errors import InputError, ParameterError


def test_control_apd90_at_1_hz_is_the_papers():
    """O'Hara et al. 2011: endocardial APD90 ~270 ms at CL 1000 ms."""
    r = simulate_cell(None, bpm=60)
    assert 255 < r.apd90_ms < 285
    assert r.delta_apd90_ms == 0 and not r.ead


def test_rate_dependence_shortens_apd():
    apd = [simulate_cell(None, bpm=b).apd90_ms for b in (30, 60, 120, 200)]
    assert all(a > b for a, b in zip(apd, apd[1:], strict=False))


def test_rush_larsen_agrees_with_solve_ivp():
    """One beat from the 1 Hz steady state: the fast integrator vs scipy LSODA on the same model."""
    from scipy.integrate import solve_ivp

    y0 = control_state(60)
    p = model.parameter_vector()
    ones = np.ones(len(model.CURRENTS))
    _, apd, _, t, v = model.pace(y0, p, ones, 1000.0, 1)
    f = model.rhs(p, ones, 1000.0)
    sol = solve_ivp(f, (0.0, 1000.0), y0, method="LSODA", rtol=1e-7, atol=1e-9,
                    max_step=0.5, dense_output=True)
    assert sol.success
    tt = np.linspace(0, 1000, 4001)
    vv = sol.sol(tt)[0]
    vpk = vv.max()
    thr = vpk - 0.9 * (vpk - vv[0])
    ipk = int(np.argmax(vv))
    t90 = tt[ipk:][np.argmax(vv[ipk:] < thr)]
    up = tt[np.argmax(np.gradient(vv, tt))]
    assert t90 - up == pytest.approx(apd[0], abs=3.0)
    after = tt > 5.0   # after the upstroke (a sub-ms shift of the steep front is no error)
    np.testing.assert_allclose(np.interp(tt, t, v)[after], vv[after], atol=2.0)   # mV


def test_ikr_block_prolongs_and_lowers_qnet():
    r30 = simulate_cell({"IKr": 0.3}, bpm=60)
    r60 = simulate_cell({"IKr": 0.6}, bpm=60)
    assert 0 < r30.delta_apd90_ms < r60.delta_apd90_ms
    assert r60.qnet_uC_uF < r30.qnet_uC_uF < r30.control_qnet_uC_uF


def test_ical_block_shortens():
    assert simulate_cell({"ICaL": 0.5}, bpm=60).delta_apd90_ms < -10


def test_severe_ikr_block_at_slow_rate_gives_eads():
    """ORd 2011: EADs with IKr block during slow pacing."""
    r = simulate_cell({"IKr": 0.95}, bpm=30)
    assert r.ead


def test_detect_ead_on_synthetic_traces():
    t = np.linspace(0, 1000, 2001)
    v = np.where(t < 5, -87 + 127 * t / 5, 40 - 127 * np.clip((t - 5) / 300, 0, 1))
    assert not detect_ead(t, v)
    bump = v + np.where((t > 250) & (t < 300), 10 * np.sin((t - 250) / 50 * np.pi), 0)
    assert detect_ead(t, bump)


def test_bad_block_and_rate():
    with pytest.raises(InputError, match="unknown current 'IKur'"):
        simulate_cell({"IKur": 0.5})
    with pytest.raises(ParameterError, match="must be a fraction"):
        simulate_cell({"IKr": 1.5})
    with pytest.raises(ParameterError, match="outside 30-200 bpm"):
        simulate_cell(None, bpm=20)


def test_parameters_all_declared_with_sources():
    decl = model.ord_parameters()
    assert set(model.PARAMETERS) <= set(decl)
    assert all(len(src) > 10 for _, _, src in decl.values())


@pytest.mark.parametrize("bpm", [30, 60, 120])
def test_shipped_control_states_are_steady(bpm):
    y, apd, _, _, _ = model.pace(control_state(bpm), model.parameter_vector(),
                                 np.ones(len(model.CURRENTS)), 60_000.0 / bpm, 5, record=False)
    assert np.ptp(apd) < 0.5


def test_rate_between_grid_points_is_bridged():
    from neuromoa.cardiac.steady import control_state as cs

    y = cs(65)
    assert y.shape == (len(model.STATES),) and not np.allclose(y, cs(60))
