"""Synapse: closed forms of Michaelis-Menten clearance, fold rise, slow adaptation."""

import math

import numpy as np
import pytest

from neuromoa.errors import InputError, ProtocolError, UnitError  # noqa: E402
from neuromoa.systems import (  # noqa: E402
    chronic_course,
    model_parameters,
    synapse_parameters,
    synapse_single_release,
    synapse_steady_state,
)

# transporter-dominated limit: no other clearance, a release far below Km, no feedback
LIMIT = {"kx_5ht": 0.0, "kx_ne": 0.0}


@pytest.fixture(scope="module")
def params():
    declared = model_parameters("synapse").set_index("parameter")["value"].to_dict()
    declared.update({k: v for k, (v, _) in synapse_parameters().items()})
    return declared


@pytest.mark.parametrize("transmitter,suffix,target", [("5HT", "5ht", "sert"), ("NE", "ne", "net")])
@pytest.mark.parametrize("multiple", [0.0, 1.0, 4.0, 9.0])
def test_half_time_grows_as_one_plus_c_over_ki(params, transmitter, suffix, target, multiple):
    ki = params[f"Ki_parent_{target}"]
    c = multiple * ki
    ev = synapse_single_release(transmitter, c, release="0.001 nM", feedback=False,
                                overrides=LIMIT)
    # closed form: linearised Michaelis-Menten clearance around the pre-event steady state S,
    # k = Vmax Km I / (Km I + S)^2 with I = 1 + C/Ki, so t1/2 = ln2 (Km I + S)^2 / (Vmax Km I);
    # for S << Km this is ln2 Km (1 + C/Ki) / Vmax
    km, vmax, inh = params[f"Km_{suffix}"], params[f"Vmax_{suffix}"], 1 + c / ki
    s = ev.drug["steady_M"]
    expected = math.log(2) * (km * inh + s) ** 2 / (vmax * km * inh)
    assert ev.drug["half_time_s"] == pytest.approx(expected, rel=1e-4)
    assert ev.drug["half_time_s"] == pytest.approx(math.log(2) * km * inh / vmax, rel=0.01)
    assert ev.drug["half_time_s"] / ev.baseline["half_time_s"] == pytest.approx(1 + c / ki,
                                                                                 rel=0.01)


def test_parent_and_metabolite_inhibit_together(params):
    ca, cn = params["Ki_parent_sert"], 2 * params["Ki_metab_sert"]
    ev = synapse_single_release("5HT", ca, metabolite=cn, release="0.001 nM",
                                feedback=False, overrides=LIMIT)
    ratio = 1 + ca / params["Ki_parent_sert"] + cn / params["Ki_metab_sert"]
    assert ev.drug["half_time_s"] / ev.baseline["half_time_s"] == pytest.approx(ratio, rel=2e-3)
    assert ev.transporter_occupancy == pytest.approx(1 - 1 / ratio, rel=1e-9)


def test_fold_rise_at_80_percent_occupancy(params):
    ki = params["Ki_parent_sert"]
    c = 4 * ki  # 80 % occupancy: C/Ki = 4
    no_fb = synapse_steady_state("5HT", [0.0, c], feedback=False).table
    fb = synapse_steady_state("5HT", [0.0, c], feedback=True).table
    fold_no_fb = float(no_fb["fold"].iloc[1])
    assert no_fb["transporter_occupancy"].iloc[1] == pytest.approx(0.8)
    # closed form: R0 = S (Vmax/(Km I + S) + kx) solved for S (quadratic), I = 5
    vmax, km, kx, s0 = (params[k] for k in ("Vmax_5ht", "Km_5ht", "kx_5ht", "S0_5ht"))
    r0 = s0 * (vmax / (km + s0) + kx)
    a, b, cc = kx, vmax + kx * km * 5 - r0, -r0 * km * 5
    s = (-b + math.sqrt(b * b - 4 * a * cc)) / (2 * a)
    assert fold_no_fb == pytest.approx(s / s0, rel=1e-6)
    assert 4.5 < fold_no_fb <= 5.0  # "about 5 before feedback"
    assert 1.0 < float(fb["fold"].iloc[1]) < fold_no_fb  # less with feedback


def _constant_exposure(c_ami, c_nor, days=42):
    t = np.array([0.0, days * 24.0])
    return t, {"amitriptyline": np.full(2, c_ami), "nortriptyline": np.full(2, c_nor)}


def test_postsynaptic_sensitisation_has_its_declared_time_constant(params):
    # autoreceptor arm off and constant drug: S is constant after seconds, so the post-synaptic
    # sensitivity relaxes as a pure exponential with tau_post
    course = chronic_course(exposure=_constant_exposure(10e-9, 0.0), weeks=6,
                            autoreceptor_desensitization=False, fit_start_day=0.5)
    tau_days = params["tau_post_5ht"] / 86400
    p = course.table["postsynaptic_sensitivity"].to_numpy()
    d = course.table["days"].to_numpy()
    p_inf = p[-1]
    i = np.searchsorted(d, 10.0)
    fitted = -(d[i] - d[24]) / math.log((p[i] - p_inf) / (p[24] - p_inf))
    assert fitted == pytest.approx(tau_days, rel=5e-3)


def test_delayed_change_needs_the_slow_arms():
    exposure = _constant_exposure(10e-9, 10e-9)
    both = chronic_course(exposure=exposure, weeks=6).table
    none = chronic_course(exposure=exposure, weeks=6, autoreceptor_desensitization=False,
                          postsynaptic_sensitization=False).table
    day1 = int(np.searchsorted(both["days"], 1.0))
    # with adaptation: firing recovers and the post-synaptic signal keeps rising after day 1
    assert both["firing_rel"].iloc[-1] > both["firing_rel"].iloc[day1] + 0.1
    assert both["postsynaptic_rel"].iloc[-1] > 1.3 * both["postsynaptic_rel"].iloc[day1]
    # without: nothing changes after the first day
    assert none["firing_rel"].iloc[-1] == pytest.approx(none["firing_rel"].iloc[day1], rel=1e-6)
    assert none["postsynaptic_rel"].iloc[-1] == pytest.approx(none["postsynaptic_rel"].iloc[day1],
                                                              rel=1e-6)


def test_course_from_a_regimen():
    course = chronic_course(dose="150 mg", every="24 h", weeks=6)
    out = course.to_dict()
    assert len(out["days"]) == len(out["firing_rel"]) == len(out["postsynaptic_rel"])
    assert out["days"][-1] == pytest.approx(42.0)
    assert max(out["extracellular_rel"]) > 1.5
    assert 1.0 < course.tau_days["postsynaptic"] < 20.0


def test_bad_inputs():
    with pytest.raises(ProtocolError, match="zero length"):
        chronic_course(exposure=_constant_exposure(1e-9, 0), weeks=0)
    with pytest.raises(UnitError, match="--conc"):
        synapse_single_release("5HT", "-5 nM")
    with pytest.raises(InputError, match="unknown transmitter"):
        synapse_single_release("DA", "5 nM")
