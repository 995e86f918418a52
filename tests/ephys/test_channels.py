"""Channel models: detailed balance on every cycle, emergent bound-state shifts, kb agreement."""

import numpy as np
import pytest

from neuromoa.ephys import CHANNELS, channel_parameters, load_channel
from neuromoa.errors import DataFileError, InputError

V_GRID = np.linspace(-0.15, 0.06, 15)
C_GRID = np.array([0.0, 1e-8, 1e-6, 1e-4])[:, None]


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_detailed_balance_on_every_cycle(channel):
    m = load_channel(channel)
    cycles = m.scheme.cycles()
    n_states, n_edges = len(m.scheme.states), len(m.scheme.edges)
    # a connected graph has n_edges - n_states + 1 independent cycles: all of them are checked
    assert len(cycles) == n_edges - n_states + 1
    c = np.where(C_GRID == 0, 1e-9, C_GRID)  # log of a zero binding rate is undefined
    assert m.scheme.detailed_balance_violation({"V": V_GRID, "drug": c}) < 1e-10


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_bound_states_do_not_conduct_and_generator_conserves(channel):
    m = load_channel(channel)
    w = m.scheme.observable_vector("open")
    bound = m.scheme.observable_vector("bound")
    assert np.all(w[bound > 0] == 0)
    a = m.scheme.generator({"V": V_GRID, "drug": C_GRID})
    np.testing.assert_allclose(a.sum(axis=-2), 0.0, atol=1e-6)


@pytest.mark.parametrize("channel", ["nav-drg", "nav1.5"])
def test_bound_channels_inactivate_at_shifted_voltages(channel):
    """Equilibrium availability of drug-bound channels, from the generator alone, is the
    drug-free Boltzmann shifted by slope*ln(K_R/K_I) (closed form of the MRH)."""
    m = load_channel(channel)
    p = m.scheme.parameter_values
    k_r, k_i = p["K_R"], p["K_I"]
    v = np.linspace(-0.14, -0.02, 25)
    x = m.scheme.steady_state({"V": v, "drug": 1e-6})
    idx = {s: i for i, s in enumerate(m.scheme.states)}
    free_h = x[:, [idx["C2"], idx["C1"], idx["O"]]].sum(1) / x[:, :6].sum(1)
    bound_h = x[:, [idx["C2_D"], idx["C1_D"], idx["O_D"]]].sum(1) / x[:, 6:].sum(1)
    # detailed balance: bound occupancy of state X is proportional to x_X / K_X
    k_of = {"C2": k_r, "C1": k_r, "O": m.affinities_M["open"], "I2": k_i, "I1": k_i, "I0": k_i}
    wt = {s: x[:, idx[s]] / k for s, k in k_of.items()}
    expect = (wt["C2"] + wt["C1"] + wt["O"]) / sum(wt.values())
    np.testing.assert_allclose(bound_h, expect, rtol=1e-7)
    # and the half-point moves negative by slope * ln(K_R/K_I)
    vh_free = np.interp(0.5, free_h[::-1], v[::-1])
    vh_bound = np.interp(0.5, bound_h[::-1], v[::-1])
    assert vh_bound < vh_free
    if "s_ah" in p:   # exponential rates: the drug-free curve is a Boltzmann, closed-form shift
        slope = 1 / (1 / p["s_ah"] + 1 / p["s_bh"])
        assert vh_bound - vh_free == pytest.approx(-slope * np.log(k_r / k_i), abs=1e-3)
    else:             # bounded rates: at the bound half-point the free odds h/(1-h) are K_R/K_I
        odds = free_h / (1 - free_h)
        at = np.exp(np.interp(vh_bound, v, np.log(odds)))
        assert at == pytest.approx(k_r / k_i, rel=0.05)


@pytest.mark.parametrize("channel", ["nav-drg", "nav1.5"])
def test_equilibrium_block_follows_apparent_k(channel):
    """Fraction bound at equilibrium = C/(C + K_app), 1/K_app = sum_w w_X/K_X (Bean 1983)."""
    from neuromoa.pharmacology import apparent_k_two_state

    m = load_channel(channel)
    aff = m.affinities_M
    v, c = -0.07, 2e-6
    x0 = m.scheme.steady_state({"V": v, "drug": 0.0})
    idx = {s: i for i, s in enumerate(m.scheme.states)}
    h = x0[[idx["C2"], idx["C1"]]].sum()      # resting (closed) fraction
    o = x0[idx["O"]]
    kapp = 1 / (h / aff["resting"] + o / aff["open"] + (1 - h - o) / aff["inactivated"])
    x = m.scheme.steady_state({"V": v, "drug": c})
    assert x[6:].sum() == pytest.approx(c / (c + kapp), rel=1e-9)
    if o < 1e-6:  # two-state formula of the lead's pharmacology agrees
        assert kapp == pytest.approx(apparent_k_two_state(h, aff["resting"], aff["inactivated"]),
                                     rel=1e-5)


def test_parameters_agree_with_knowledge_base():
    from neuromoa.kb import load_kb

    kb = load_kb()
    checks = [("nav-drg", "resting", "Nav", "Resting"), ("nav-drg", "open", "Nav", "Open"),
              ("nav-drg", "inactivated", "Nav", "Inactivated"),
              ("nav1.5", "resting", "Nav1.5", "Resting"),
              ("nav1.5", "inactivated", "Nav1.5", "Inactivated"),
              ("herg", "activated", "hERG", None), ("kv1.1", "all", "Kv1.1", None),
              ("kv7", "all", "Kv7.2/7.3", None)]
    for channel, site, target, cond in checks:
        m = load_channel(channel)
        assert m.kb_target == target
        ref = kb.affinity("amitriptyline", target, condition=cond).value_M
        assert m.affinities_M[site] == pytest.approx(ref, rel=1e-12), (channel, site)


def test_recovery_time_constant_matches_nau_2000():
    """hH1 recovery from inactivated-state block: tau 8.0 +/- 0.5 s (Nau et al. 2000, FACTS)."""
    from neuromoa.ephys import simulate_protocol

    r = simulate_protocol("recovery", "nav1.5", ["1 uM"], seed=0)
    assert r.measurement["tau_slow_s"][0] == pytest.approx(8.0, rel=0.1)
    assert np.isnan(r.measurement["control_tau_slow_s"])


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_parameter_table_has_units_and_sources(channel):
    frame = channel_parameters(channel)
    assert {"channel", "name", "value", "unit", "value_si", "source"} <= set(frame.columns)
    assert frame["source"].str.len().min() > 5
    assert frame["name"].is_unique


def test_mutant_has_no_inactivated_states():
    m = load_channel("nav-drg").inactivation_deficient()
    assert not any(s.startswith("I") for s in m.scheme.states)
    assert m.mutant == "inactivation-deficient"
    with pytest.raises(InputError, match="no inactivation-deficient mutant"):
        load_channel("herg").inactivation_deficient()


def test_unknown_channel_message():
    with pytest.raises(InputError, match="unknown channel 'nav9'.*choose one of"):
        load_channel("nav9")


def test_bad_declaration_names_file():
    from neuromoa.channels.models import _build

    spec = {"channel": {"sites": [{"label": "all", "states": ["C"], "affinity": "K", "kon": "k"}],
                        "reversal": {"value": 0, "unit": "mV", "source": "x"},
                        "conductance": {"value": 1, "unit": "nS", "source": "x"}},
            "scheme": {"name": "x", "states": ["C", "O"], "conditions": ["V"],
                       "parameters": [{"name": "K", "value": 1, "unit": "uM", "source": "x"},
                                      {"name": "k", "value": 1, "unit": "1/(uM*s)", "source": "x"}],
                       "edges": [{"a": "C", "b": "O", "forward": "1", "backward": "1"}]}}
    with pytest.raises(DataFileError, match="herg.toml.*state 'O' must belong"):
        _build(spec, "herg")
