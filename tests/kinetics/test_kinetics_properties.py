"""Property tests (hypothesis) of the kinetics layer and of the MRH construction."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from neuromoa.ephys import load_channel
from neuromoa.kinetics import Expression, Scheme, Segment, propagate

pos = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
volt = st.floats(min_value=-0.15, max_value=0.06, allow_nan=False)


@given(a=pos, b=st.floats(min_value=0.005, max_value=0.05), v=volt)
def test_expression_matches_python(a, b, v):
    e = Expression("a * exp(V / b) + a ** 0.5 - (-a) / 2", "prop")
    expect = a * np.exp(v / b) + a ** 0.5 - (-a) / 2
    assert np.isclose(float(e.evaluate({"V": v}, {"a": a, "b": b})), expect, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(kf=pos, kb=pos, t=st.floats(min_value=0.0, max_value=1.0))
def test_two_state_closed_form(kf, kb, t):
    s = Scheme.from_dict({"name": "CO", "states": ["C", "O"], "conditions": ["V"],
                          "observables": {"open": {"O": 1}},
                          "parameters": [{"name": "kf", "value": kf, "unit": "1/s", "source": "p"},
                                         {"name": "kb", "value": kb, "unit": "1/s", "source": "p"}],
                          "edges": [{"a": "C", "b": "O", "forward": "kf", "backward": "kb"}]})
    out = propagate(s, [Segment(t, {"V": 0.0}, samples=np.array([t]))], x0=np.array([1.0, 0.0]))
    po_inf = kf / (kf + kb)
    expect = po_inf * (1 - np.exp(-(kf + kb) * t))
    assert np.isclose(out.observe("open")[0][0], expect, rtol=1e-7, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(scale=st.lists(st.floats(min_value=0.2, max_value=5.0), min_size=6, max_size=6),
       v=volt, c=st.floats(min_value=1e-9, max_value=1e-4))
def test_detailed_balance_holds_for_any_parameters(scale, v, c):
    """Balance is structural: perturb the affinities, kon and gating of nav-drg at random."""
    m = load_channel("nav-drg")
    p = m.scheme.parameter_values
    names = ["K_R", "K_O", "K_I", "kon_O", "am0", "bh0"]
    s = m.scheme.with_parameters(**{n: p[n] * f for n, f in zip(names, scale, strict=True)})
    assert s.detailed_balance_violation({"V": v, "drug": c}) < 1e-9
    # and the exact propagator equals expm on the perturbed model
    a = s.generator({"V": v, "drug": c})
    x0 = s.steady_state({"V": -0.12, "drug": c})
    out = propagate(s, [Segment(0.003, {"V": v})], fixed={"drug": c}, x0=x0)
    assert np.allclose(out.final, expm(a * 0.003) @ x0, atol=1e-9)
