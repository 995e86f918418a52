"""Speed of neuromoa's exact voltage-clamp solver and of the current-clamp neuron.

Side by side, in the same run:
1. the 100-pulse 10 Hz use-dependence train on the drug-bound nav-drg model at 8
   concentrations (plus the drug-free control): neuromoa's exact solver vs scipy
   ``solve_ivp`` (BDF, rtol 1e-8) on the same segments and sample times; timings, ratio and
   the largest difference in open probability;
2. the same train at one concentration in Myokit's analytical Markov solver
   (``myokit.lib.markov.AnalyticalSimulation``) on the exported model, if Myokit is installed;
3. 1 s of the spiking DRG neuron (numba exponential Euler) vs scipy ``solve_ivp`` (LSODA) and
   the same equations in Antimony → libRoadRunner (CVODE): why the neuron runs on numba.

Run: ``PYTHONPATH=src python benchmarks/ephys_speed.py`` (~1 min: BDF on all 100 pulses takes
~30 s); ``--quick`` runs BDF on the first 10 pulses only and scales its time ×10.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from neuromoa.channels import load_channel
from neuromoa.ephys.protocols import build_protocol
from neuromoa.ephys.voltage_clamp import Recording, run_protocol
from neuromoa.kinetics import propagate, propagate_ivp

CONCS_M = np.array([0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]) * 1e-6


def best_of(fn, repeats=5):
    """Best wall time of ``repeats`` calls (s) and the last result."""
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def train_benchmark(full: bool) -> None:
    model = load_channel("nav-drg")
    proto = build_protocol("use-dependence", model, freq_Hz=10.0, pulses=100)
    drug = np.concatenate([[0.0], CONCS_M])[:, None]
    segs = proto.segments(20e3)
    kw = dict(fixed={"drug": drug}, start={"V": proto.holding_V}, observables=("open",))
    run_protocol(model, proto, CONCS_M, recording=Recording.ideal())  # warm-up
    t_exact, exact = best_of(lambda: propagate(model.scheme, segs, **kw))
    t_full, res = best_of(lambda: run_protocol(model, proto, CONCS_M, recording=Recording.ideal()))
    t_noisy, _ = best_of(lambda: run_protocol(model, proto, CONCS_M, recording=Recording(), seed=1))
    n_bdf = 100 if full else 10
    proto_b = build_protocol("use-dependence", model, freq_Hz=10.0, pulses=n_bdf)
    segs_b = proto_b.segments(20e3)
    t0 = time.perf_counter()
    ref = propagate_ivp(model.scheme, segs_b, method="BDF", rtol=1e-8, atol=1e-12, **kw)
    t_bdf = time.perf_counter() - t0
    ex_b = propagate(model.scheme, segs_b, **kw)
    diff = max(float(np.max(np.abs(a - b), initial=0.0))
               for a, b in zip(ex_b.observe("open"), ref.observe("open"), strict=True))
    t_bdf_100 = t_bdf * 100 / n_bdf
    print("1. use-dependence train, 100 pulses at 10 Hz, 8 concentrations + control, 20 kHz in pulses")
    print(f"   neuromoa exact (propagate only)          {t_exact * 1e3:8.1f} ms")
    print(f"   neuromoa simulate_protocol (ideal)       {t_full * 1e3:8.1f} ms   (target <= 80 ms)")
    print(f"   neuromoa simulate_protocol (noise, leak) {t_noisy * 1e3:8.1f} ms")
    label = "" if n_bdf == 100 else f" (measured on {n_bdf} pulses, scaled x{100 // n_bdf})"
    print(f"   scipy solve_ivp BDF rtol 1e-8            {t_bdf_100 * 1e3:8.1f} ms{label}")
    print(f"   ratio BDF / exact                        {t_bdf_100 / t_exact:8.0f} x")
    print(f"   largest |dPo| exact vs BDF               {diff:8.2e}")
    print(f"   block of last pulse at 1 uM              {res.measurement['block_last_pulse'][3]:.3f}")


def myokit_benchmark() -> None:
    try:
        import myokit
        from myokit.lib.markov import AnalyticalSimulation, LinearModel
    except ImportError:
        print("2. Myokit not installed: skipped")
        return
    import tempfile
    from pathlib import Path

    from neuromoa.ephys.myokit_export import export_myokit, myokit_names

    model = load_channel("nav-drg")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nav.mmt"
        export_myokit(model, path)
        mk, _, _ = myokit.load(str(path))
    names = myokit_names(model)
    lin = LinearModel(mk, names["states"], names["parameters"], names["current"], vm=names["vm"])
    proto = build_protocol("use-dependence", model, freq_Hz=10.0, pulses=100)
    mp = myokit.Protocol()
    t = 0.0
    for st in proto.steps:
        dur_ms = float(st.duration_s) * 1e3
        mp.add_step(float(st.voltage_V) * 1e3, dur_ms)
        t += dur_ms
    # neuromoa at the same single concentration, same 20 kHz sampling but only inside pulses
    segs = proto.segments(20e3)
    t_one, _ = best_of(lambda: propagate(model.scheme, segs, fixed={"drug": 1e-6},
                                         start={"V": proto.holding_V}, observables=("open",)))
    sim = AnalyticalSimulation(lin, mp)
    params = list(lin.default_parameters())
    params[names["parameters"].index("drug.conc")] = 1e-6
    sim.set_parameters(params)
    x0 = list(model.scheme.steady_state({"V": proto.holding_V, "drug": 1e-6}))

    def run():
        sim.reset()
        sim.set_state(x0)
        return sim.run(t, log_interval=0.05)

    t_mk, _ = best_of(run, repeats=3)
    print("2. Myokit AnalyticalSimulation, same train, ONE concentration, 20 kHz logging")
    print(f"   myokit (logs every 0.05 ms throughout)   {t_mk * 1e3:8.1f} ms")
    print(f"   neuromoa exact, one concentration        {t_one * 1e3:8.1f} ms   ratio {t_mk / t_one:.1f} x")


def roadrunner_neuron(current_A: float):
    """The same neuron equations in Antimony → libRoadRunner (CVODE, rtol 1e-6): (time s, spikes)."""
    import antimony
    import roadrunner

    from neuromoa.ephys.neuron import NeuronModel

    nm = NeuronModel.default()
    na, k0, kz, src, dst, openw, gk = nm._arrays(0.0)
    v0, x0, n0 = nm.steady_state(0.0)
    f = "{:.17g}".format
    lines = ["model neuron"]                     # units: mV, ms, nS, pA, pF
    lines += [f"x{i} = {f(x0[i])}" for i in range(len(x0))] + [f"V = {f(v0 * 1e3)}"]
    lines += [f"n{j} = {f(n0[j])}" for j in range(len(n0))]
    lines += [f"k{r} := {f(k0[r] * 1e-3)} * exp({f(kz[r] * 1e-3)} * V)" for r in range(len(k0))]
    for i in range(len(x0)):
        terms = [f"+ k{r}*x{src[r]}" for r in range(len(k0)) if dst[r] == i]
        terms += [f"- k{r}*x{i}" for r in range(len(k0)) if src[r] == i]
        lines.append(f"x{i}' = {' '.join(terms)}")
    po = " + ".join(f"x{i}" for i in range(len(x0)) if openw[i])
    ik = " + ".join(f"{f(gk['g'][j] * 1e9)} * n{j}^{gk['p'][j]} * (V - {f(gk['e'][j] * 1e3)})"
                    for j in range(len(n0)))
    for j in range(len(n0)):
        lines.append(f"n{j}' = {f(gk['a0'][j] * 1e-3)}*exp({f(gk['az'][j] * 1e-3)}*V)*(1-n{j})"
                     f" - {f(gk['b0'][j] * 1e-3)}*exp({f(gk['bz'][j] * 1e-3)}*V)*n{j}")
    lines.append(f"V' = ({f(current_A * 1e12)} - {f(nm.na_conductance_S * 1e9)}*({po})*(V - "
                 f"{f(na.reversal_V * 1e3)}) - ({ik}) - {f(nm.leak_S * 1e9)}*(V - "
                 f"{f(nm.leak_reversal_V * 1e3)})) / {f(nm.capacitance_F * 1e12)}")
    lines.append("end")
    if antimony.loadAntimonyString("\n".join(lines)) < 0:
        raise RuntimeError(antimony.getLastError())
    rr = roadrunner.RoadRunner(antimony.getSBMLString("neuron"))
    rr.integrator.relative_tolerance = 1e-6
    rr.integrator.absolute_tolerance = 1e-9

    def run():
        rr.resetAll()
        return rr.simulate(0, 1000, 40001, selections=["time", "V"])

    t, res = best_of(run, repeats=3)
    v = res[:, 1]
    return t, int(np.sum((v[1:] > 0) & (v[:-1] <= 0)))


def neuron_benchmark() -> None:
    from neuromoa.ephys.neuron import NeuronModel, simulate_neuron

    neuron = NeuronModel.default()
    simulate_neuron(neuron, 0.2e-9, duration_s=0.05, conc_M=0.0)  # compile
    t_nb, res = best_of(lambda: simulate_neuron(neuron, 0.3e-9, duration_s=1.0, conc_M=0.0))
    t0 = time.perf_counter()
    ref = simulate_neuron(neuron, 0.3e-9, duration_s=1.0, conc_M=0.0, engine="scipy")
    t_sp = time.perf_counter() - t0
    print("3. DRG neuron, 1 s of spiking at 0.3 nA")
    print(f"   numba exponential Euler (dt {neuron.dt_s * 1e6:g} us)   {t_nb * 1e3:8.1f} ms   "
          f"({res.spike_count} spikes; target <= 50 ms)")
    print(f"   scipy solve_ivp LSODA rtol 1e-6          {t_sp * 1e3:8.1f} ms   ({ref.spike_count} spikes)")
    print(f"   ratio LSODA / numba                      {t_sp / t_nb:8.0f} x")
    try:
        t_rr, n_rr = roadrunner_neuron(0.3e-9)
        print(f"   libRoadRunner CVODE rtol 1e-6 (40k pts)  {t_rr * 1e3:8.1f} ms   ({n_rr} spikes)")
    except ImportError:
        print("   libRoadRunner not installed: skipped")


if __name__ == "__main__":
    train_benchmark("--quick" not in sys.argv)
    myokit_benchmark()
    neuron_benchmark()
