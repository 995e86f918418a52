"""neuromoa.kinetics: declaration, detailed balance, and the exact solver against scipy."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from neuromoa.errors import DataFileError, InputError
from neuromoa.kinetics import Expression, Scheme, Segment, load_scheme, propagate

# A four-state cycle C <-> O <-> I <-> C plus a closed state, with one "balance" rate.
TOML = """
name = "test-cycle"
states = ["C2", "C1", "O", "I"]
conditions = ["V", "L"]
[observables]
open = {O = 1.0}
[[parameters]]
name = "a0"
value = 2.0
unit = "1/ms"
source = "test"
[[parameters]]
name = "sa"
value = 20
unit = "mV"
source = "test"
[[parameters]]
name = "kon"
value = 1
unit = "1/(uM*s)"
source = "test"
[[edges]]
a = "C2"
b = "C1"
forward = "a0 * exp(V / sa)"
backward = "300 * exp(-V / sa)"
[[edges]]
a = "C1"
b = "O"
forward = "a0 * exp(V / sa) + kon * L"
backward = "400"
[[edges]]
a = "O"
b = "I"
forward = "800"
backward = "balance"
[[edges]]
a = "C1"
b = "I"
forward = "50 * exp(V / 0.015)"
backward = "20 * exp(-V / 0.01)"
"""


@pytest.fixture(scope="module")
def scheme():
    return load_scheme(TOML, "test.toml")


def test_units_converted_to_si(scheme):
    p = scheme.parameter_values
    assert p["a0"] == pytest.approx(2000.0)
    assert p["sa"] == pytest.approx(0.020)
    assert p["kon"] == pytest.approx(1e6)


def test_generator_columns_sum_to_zero(scheme):
    a = scheme.generator({"V": np.linspace(-0.12, 0.04, 5), "L": 1e-6})
    assert a.shape == (5, 4, 4)
    np.testing.assert_allclose(a.sum(axis=-2), 0.0, atol=1e-9)


def test_balance_rate_closes_the_cycle(scheme):
    # independent: k_IO from the cycle C1->O->I->C1 by hand
    v, lig = -0.03, 2e-6
    a = 2000 * np.exp(v / 0.02) + 1e6 * lig
    k_io = a * 800 * 20 * np.exp(-v / 0.01) / (400 * 50 * np.exp(v / 0.015))
    k = scheme.rates({"V": v, "L": lig})
    assert k[2 * 2 + 1] == pytest.approx(k_io, rel=1e-12)
    assert scheme.detailed_balance_violation({"V": np.linspace(-0.15, 0.05, 21), "L": lig}) < 1e-12


def test_steady_state_is_null_vector(scheme):
    cond = {"V": np.array([-0.1, -0.05, 0.0]), "L": 0.0}
    x = scheme.steady_state(cond)
    np.testing.assert_allclose(x.sum(-1), 1.0)
    np.testing.assert_allclose(np.einsum("...ij,...j->...i", scheme.generator(cond), x), 0, atol=1e-9)


def _ivp(scheme, segs, x0, lig):
    xs, t0 = [], 0.0
    x = x0
    for dur, v, ts in segs:
        a = scheme.generator({"V": v, "L": lig})
        sol = solve_ivp(lambda t, y, a=a: a @ y, (0, dur), x, method="BDF", rtol=1e-10,
                        atol=1e-12, jac=a, t_eval=ts, dense_output=False)
        xs.append(sol.y.T)
        x = solve_ivp(lambda t, y, a=a: a @ y, (0, dur), x, method="BDF", rtol=1e-10,
                      atol=1e-12, jac=a).y[:, -1]
        t0 += dur
    return xs, x


def test_propagate_matches_bdf_and_expm(scheme):
    lig = 1e-6
    ts1 = np.linspace(0, 0.01, 51)
    ts2 = np.linspace(0, 0.05, 26)
    segs = [Segment(0.01, {"V": 0.0}, ts1), Segment(0.05, {"V": -0.1}, ts2)]
    x0 = scheme.steady_state({"V": -0.12, "L": lig})
    out = propagate(scheme, segs, fixed={"L": lig}, x0=x0)
    ref, xend = _ivp(scheme, [(0.01, 0.0, ts1), (0.05, -0.1, ts2)], x0, lig)
    np.testing.assert_allclose(out.states[0], ref[0], atol=1e-7)
    np.testing.assert_allclose(out.states[1], ref[1], atol=1e-7)
    a1 = scheme.generator({"V": 0.0, "L": lig})
    a2 = scheme.generator({"V": -0.1, "L": lig})
    np.testing.assert_allclose(out.final, expm(a2 * 0.05) @ expm(a1 * 0.01) @ x0, atol=1e-12)


def test_batch_broadcasting_and_array_durations(scheme):
    lig = np.array([0.0, 1e-6, 1e-5])[:, None]           # (3, 1)
    durs = np.array([0.001, 0.01, 0.1, 1.0])               # (4,) per sweep
    out = propagate(scheme, [Segment(0.02, {"V": -0.02}), Segment(durs, {"V": -0.1})],
                    fixed={"L": lig}, start={"V": -0.12})
    assert out.final.shape == (3, 4, 4)
    for i, c in enumerate([0.0, 1e-6, 1e-5]):
        for j, d in enumerate(durs):
            x0 = scheme.steady_state({"V": -0.12, "L": c})
            ref = expm(scheme.generator({"V": -0.1, "L": c}) * d) @ (
                expm(scheme.generator({"V": -0.02, "L": c}) * 0.02) @ x0)
            np.testing.assert_allclose(out.final[i, j], ref, atol=1e-10)


def test_round_trip_declaration(scheme):
    again = Scheme.from_dict(scheme.to_dict(), "again")
    cond = {"V": -0.05, "L": 3e-7}
    np.testing.assert_allclose(again.rates(cond), scheme.rates(cond))
    assert set(scheme.to_frame().columns) >= {"name", "value", "unit", "value_si", "source"}


def test_exponential_form(scheme):
    # the C1->O rate has an additive ligand term: at L=0 it is exponential
    k0, z = scheme.exponential_form({"L": 0.0})
    v = -0.037
    np.testing.assert_allclose(k0 * np.exp(z * v), scheme.rates({"V": v, "L": 0.0}), rtol=1e-10)
    with pytest.raises(InputError, match="not of the form"):
        scheme.exponential_form({"L": 1e-6})


@pytest.mark.parametrize("text", ["__import__('os')", "a.b", "x[0]", "lambda: 1", "'s'"])
def test_expression_rejects_code(text):
    with pytest.raises(InputError, match="not allowed|cannot parse"):
        Expression(text, "here")


def test_bad_declarations_name_the_problem():
    base = {"name": "x", "states": ["A", "B"], "conditions": ["V"], "parameters": [],
            "edges": [{"a": "A", "b": "Z", "forward": "1", "backward": "1"}]}
    with pytest.raises(DataFileError, match="unknown state 'Z'"):
        Scheme.from_dict(base, "file.toml")
    base["edges"] = [{"a": "A", "b": "B", "forward": "k", "backward": "1"}]
    with pytest.raises(DataFileError, match="undeclared names"):
        Scheme.from_dict(base, "file.toml")
    base["edges"] = [{"a": "A", "b": "B", "forward": "balance", "backward": "1"}]
    with pytest.raises(DataFileError, match="close no cycle"):
        Scheme.from_dict(base, "file.toml")
    with pytest.raises(DataFileError, match="unit"):
        Scheme.from_dict({**base, "parameters": [{"name": "k", "value": 1, "unit": "furlong",
                                                   "source": "x"}]}, "file.toml")


def test_negative_duration_rejected(scheme):
    with pytest.raises(InputError, match="duration"):
        propagate(scheme, [Segment(-1.0, {"V": 0.0})], fixed={"L": 0.0})
