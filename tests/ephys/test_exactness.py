"""The exact solver against scipy solve_ivp (BDF, rtol 1e-8) on every protocol, and Myokit."""

import numpy as np
import pytest

from neuromoa.ephys import PROTOCOLS, build_protocol, load_channel
from neuromoa.ephys.protocols import VoltageProtocol
from neuromoa.kinetics import propagate, propagate_ivp

TOL_PO = 1e-6          # the tolerance in open probability
CONCS = np.array([0.0, 1e-6, 3e-5])[:, None]


def _reduced(name, model) -> VoltageProtocol:
    """Same protocol, fewer repetitions, so BDF finishes quickly (the equations are unchanged)."""
    if name == "use-dependence":
        freq = 0.5 / model.default("test_duration") if model.default("test_duration") > 0.05 else 10.0
        return build_protocol(name, model, freq_Hz=min(freq, 10.0), pulses=4)
    if name == "activation":         # three test voltages
        return build_protocol(name, model, voltages_V=(-0.06, -0.02, 0.02))
    p = build_protocol(name, model)
    if name == "inactivation":       # two prepulse voltages (10 mV and 60 mV above the hold)
        pre = p.steps[0]
        vals = (pre.voltage_V[3], pre.voltage_V[8])
        return VoltageProtocol(p.name, p.holding_V,
                               (type(pre)(pre.duration_s, vals, False, pre.label), p.steps[1]),
                               n_sweeps=len(vals), sweep_variable=p.sweep_variable,
                               sweep_values=vals)
    if name == "recovery":           # two recovery intervals
        ivals = (p.sweep_values[2], p.sweep_values[10])   # 4 ms and 1 s
        steps = list(p.steps)
        st = steps[3]
        steps[3] = type(st)(ivals, st.voltage_V, False, st.label)
        return VoltageProtocol(p.name, p.holding_V, tuple(steps), n_sweeps=len(ivals),
                               sweep_variable=p.sweep_variable, sweep_values=ivals)
    return p


def _cases():
    """Every (channel, protocol); open-block only where the channel has an inactivation-deficient mutant."""
    for channel in ("nav-drg", "nav1.5", "herg"):
        has_mutant = bool(load_channel(channel).mutant_removes)
        for name in PROTOCOLS:
            if name != "open-block" or has_mutant:
                yield channel, name


@pytest.mark.parametrize(("channel", "name"), list(_cases()))
def test_exact_matches_bdf_on_every_protocol(channel, name):
    model = load_channel(channel)
    if name == "open-block":
        model = model.inactivation_deficient()
    proto = _reduced(name, model)
    segs = proto.segments(20e3)
    kw = dict(fixed={"drug": CONCS}, start={"V": proto.holding_V}, observables=("open",))
    exact = propagate(model.scheme, segs, **kw)
    ref = propagate_ivp(model.scheme, segs, method="BDF", rtol=1e-8, atol=1e-10, **kw)
    worst = 0.0
    for a, b in zip(exact.observe("open"), ref.observe("open"), strict=True):
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - b))))
    assert worst < TOL_PO
    np.testing.assert_allclose(exact.final, ref.final, atol=TOL_PO)
    # probability is conserved exactly
    np.testing.assert_allclose(exact.final.sum(-1), 1.0, atol=1e-10)


def test_myokit_agrees_on_exported_model(tmp_path):
    myokit = pytest.importorskip("myokit")
    from myokit.lib.markov import AnalyticalSimulation, LinearModel

    from neuromoa.ephys import export_myokit, myokit_names

    model = load_channel("nav-drg")
    path = export_myokit(model, tmp_path / "nav.mmt")
    mk, _, _ = myokit.load(str(path))
    names = myokit_names(model)
    lin = LinearModel(mk, names["states"], names["parameters"], names["current"], vm=names["vm"])
    proto = build_protocol("use-dependence", model, freq_Hz=10.0, pulses=5)
    mp = myokit.Protocol()
    total = 0.0
    for st in proto.steps:
        mp.add_step(float(st.voltage_V) * 1e3, float(st.duration_s) * 1e3)
        total += float(st.duration_s) * 1e3
    conc = 3e-6
    sim = AnalyticalSimulation(lin, mp)
    params = list(lin.default_parameters())
    params[names["parameters"].index("drug.conc")] = conc
    sim.set_parameters(params)
    x0 = model.scheme.steady_state({"V": proto.holding_V, "drug": conc})
    sim.set_state(list(x0))
    log = sim.run(total, log_interval=0.05)
    t_mk = np.asarray(log["engine.time"])
    o_mk = np.asarray(log["chan.O"])
    ours = propagate(model.scheme, proto.segments(20e3), fixed={"drug": conc},
                     start={"V": proto.holding_V}, observables=("open",))
    t0 = 0.0
    worst = 0.0
    for seg, o in zip(proto.segments(20e3), ours.observe("open"), strict=True):
        if seg.samples is not None:
            t_ms = (t0 + seg.samples) * 1e3
            idx = np.searchsorted(t_mk, t_ms - 1e-9)
            ok = idx < t_mk.size
            worst = max(worst, float(np.max(np.abs(o_mk[idx[ok]] - o[ok]))))
        t0 += float(seg.duration)
    assert worst < 1e-8
    # current agrees too (A), at the first pulse's peak
    i_mk = np.asarray(log["chan.i"])
    assert np.min(i_mk) == pytest.approx(np.min(model.current(np.concatenate(
        [o for o in ours.observe("open") if o.size]), -0.01)), rel=1e-6)
