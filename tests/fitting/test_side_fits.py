"""Every former side fit now runs through the generic engine with the estimates of the former
scipy fitter (≤ 1e-6 relative) on the data of the existing tests.

Each scenario of an existing test is run with :func:`neuromoa.fitting.fit_model` recorded;
every recorded fit is then recomputed here, independently, the way the former side fitter did
it (its own residual, parameterisation, starting values and scipy call), and the estimates
compared.
"""

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import curve_fit, least_squares

import neuromoa.fitting
from neuromoa.pharmacology import ligand_depletion_bound

#: Agreement demanded between the engine and the former fitter (the issue's "identical").
RTOL = 1e-6
ABF_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "abf"


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    real = neuromoa.fitting.fit_model

    def record(model, x, y, **kw):
        fit = real(model, x, y, **kw)
        calls.append((model, np.array(x, float), np.array(y, float), kw, fit))
        return fit

    monkeypatch.setattr(neuromoa.fitting, "fit_model", record)
    return calls


def _close(engine: dict, reference: dict, names) -> None:
    for k in names:
        assert engine[k] == pytest.approx(reference[k], rel=RTOL, abs=1e-300), (k, engine,
                                                                                 reference)


# ---------------------------------------------------------------- former fitters, verbatim
def _old_boltzmann(v, y, kind):
    amp0 = float(np.max(np.abs(y))) or 1.0
    yn = y / amp0
    k0 = 0.007 if kind == "inactivation" else -0.007
    idx = int(np.argmin(np.abs(yn - 0.5)))
    res = least_squares(lambda p: p[2] / (1 + np.exp((v - p[0]) / p[1])) - yn,
                        [v[idx], k0, 1.0], x_scale=[0.01, 0.005, 1.0], method="lm")
    return {"v_half": res.x[0], "slope": res.x[1], "amplitude": res.x[2] * amp0}


def _old_recovery(t, r):
    a0 = float(np.max(1.0 - r))
    tau0 = float(t[np.argmin(np.abs((1 - r) - a0 / np.e))]) or float(np.median(t))
    res = least_squares(lambda p: 1.0 - p[0] * np.exp(-t / np.exp(p[1])) - r,
                        [a0, np.log(tau0)], method="lm")
    return {"amplitude": res.x[0], "tau": float(np.exp(res.x[1]))}


def _old_abf_decay(td, yd, p0):
    p, _ = curve_fit(lambda x, a, tau, c: a * np.exp(-x / tau) + c, td, yd, p0=p0,
                     maxfev=10000)
    return {"amplitude": p[0], "tau": p[1], "offset": p[2]}


def _old_synapse(t, v, p0):
    p, _ = curve_fit(lambda x, y_inf, amp, tau: y_inf + amp * np.exp(-(x - t[0]) / tau), t, v,
                     p0=p0, maxfev=20000)
    return {"y_inf": p[0], "amplitude": p[1], "tau": p[2]}


def _old_depletion(x, y, w, L, kd, k, cpm_per_M, ki_guess):
    kd_eff = kd * (1.0 + k)
    sw = np.sqrt(w / np.mean(w))
    top = float(np.max(y[x == 0])) if np.any(x == 0) else float(np.max(y))
    b0 = min(max(np.median(y[x == np.min(x)]) * (1 + k) / cpm_per_M, 1e-6 * L), 0.95 * L)
    r0 = b0 + kd_eff * b0 / (L - b0)
    p0 = np.array([math.log10(ki_guess), math.log10(r0), 0.0])
    scale = max(top, 1.0)

    def resid(p):
        rl = ligand_depletion_bound(10.0 ** p[1], L, kd_eff, x, 10.0 ** p[0])
        return sw * (cpm_per_M * np.asarray(rl) / (1.0 + k) + p[2] * scale - y) / scale

    sol = least_squares(resid, p0, method="lm", x_scale=[1.0, 1.0, 0.1])
    return {"ki": 10.0 ** sol.x[0], "receptor": 10.0 ** sol.x[1], "offset": sol.x[2] * scale}


# ---------------------------------------------------------------- the scenarios
def test_boltzmann_fits_of_the_ephys_tests(recorded):
    from neuromoa.ephys import boltzmann, boltzmann_fit, simulate_protocol

    v = np.linspace(-0.14, -0.02, 13)
    rng = np.random.default_rng(7)
    boltzmann_fit(v, 3.0 * boltzmann(v, -0.072, 0.0085))                       # analysis test
    boltzmann_fit(v, 3.0 * boltzmann(v, -0.072, 0.0085) + rng.normal(0, 0.05, v.size))
    boltzmann_fit(v, boltzmann(v, -0.03, -0.006), kind="activation")
    simulate_protocol("inactivation", "nav1.5", ["1 uM"], seed=0)            # rig test
    fits = [c for c in recorded if c[0] == "boltzmann"]
    assert len(fits) >= 5
    for _, v_, y_, kw, fit in fits:
        kind = "inactivation" if kw["p0"][1] > 0 else "activation"
        assert fit.status == "ok", fit.message
        _close(fit.params, _old_boltzmann(v_, y_, kind), ("v_half", "slope", "amplitude"))
        assert fit.units["v_half"] == "V" and fit.v_half_V == fit.params["v_half"]


def test_recovery_fits_of_the_ephys_tests(recorded):
    from neuromoa.ephys import simulate_protocol

    simulate_protocol("recovery", "nav1.5", ["1 uM"], seed=0)
    fits = [c for c in recorded if c[0] == "recovery"]
    assert fits
    for _, t, r, _, fit in fits:
        assert fit.status == "ok", fit.message
        _close(fit.params, _old_recovery(t, r), ("amplitude", "tau"))


@pytest.mark.skipif(not ABF_DIR.is_dir(), reason="real ABF recordings not found beside the "
                    "repository (../shared/data/abf)")
def test_abf_decay_fits_of_the_abf_tests(recorded):
    from neuromoa.ephys import analyze_abf

    analyze_abf(ABF_DIR / "File_axon_7.abf", "response", baseline="0.10,0.45",
                window="0.45,2.5", steady="2.3,2.5", min_response_A=12e-12)
    fits = [c for c in recorded if c[0] == "exp_decay"]
    assert len(fits) >= 4
    for _, td, yd, kw, fit in fits:
        if fit.status == "failed":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = _old_abf_decay(td, yd, kw["p0"])
        _close(fit.params, ref, ("amplitude", "tau", "offset"))


def test_synapse_course_fits_of_the_systems_tests(recorded):
    from neuromoa.systems import chronic_course

    t = np.array([0.0, 42 * 24.0])
    exposure = (t, {"amitriptyline": np.full(2, 10e-9), "nortriptyline": np.full(2, 0.0)})
    chronic_course(exposure=exposure, weeks=6, autoreceptor_desensitization=False,
                   fit_start_day=0.5)
    fits = [c for c in recorded if c[0] == "exp_approach" and c[4].status != "failed"]
    assert fits
    for _, t_, v_, kw, fit in fits:
        _close(fit.params, _old_synapse(t_, v_, kw["p0"]), ("y_inf", "amplitude", "tau"))
        assert fit.units["tau"] == "day"


@pytest.mark.parametrize("receptor", [None, "3 nM"])
def test_exact_depletion_fits_of_the_assay_tests(recorded, receptor):
    from neuromoa.assays import analyze_plate, simulate_binding

    kw = {} if receptor is None else {"receptor_conc": receptor}
    ps = simulate_binding("M1", "amitriptyline", seed=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyze_plate("binding", ps)
    fits = [c for c in recorded if c[0] == "exact_depletion"]
    assert fits
    for _, x, y, kw_, fit in fits:
        w = np.ones_like(y) if kw_.get("weights") is None else np.asarray(kw_["weights"], float)
        ref = _old_depletion(x, y, w, kw_["radioligand_M"], kw_["kd_M"], kw_["nsb_fraction"],
                             kw_["cpm_per_M"], kw_["p0"]["ki"])
        assert fit.status == "ok", fit.message
        _close(fit.params, ref, ("ki", "receptor", "offset"))
        assert fit.ki_M == fit.params["ki"] and fit.units["ki"] == "M"
