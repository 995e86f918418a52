"""NMDA: the two published laws (Stepanenko et al. 2019, Sci Rep 9:19454) from the scheme."""

import math

import numpy as np
import pytest
import scipy.linalg

from neuromoa.errors import InputError, UnitError
from neuromoa.systems import nmda_ic50, nmda_laws, nmda_open_fraction
from neuromoa.systems.nmda import nmda_rate_matrix

# published values (tests/reference/README.md, section systems)
IC50_4MM = 0.72e-6
EFOLD_CA = 0.69e-3
IC50_TRAP_0MV = 220e-6
EFOLD_V = 0.050
TOL = 0.25  # the tolerance


@pytest.fixture(scope="module")
def laws():
    return nmda_laws()


def test_ic50_at_4mM_ca(laws):
    assert abs(laws["ic50_4mM_M"] / IC50_4MM - 1) < TOL
    # also in the CLI's condition (total model at -60 mV)
    assert abs(nmda_ic50("4 mM", "-60 mV").ic50_M / IC50_4MM - 1) < TOL


def test_efold_per_ca_between_1_and_4_mM(laws):
    assert abs(laws["efold_ca_M"] / EFOLD_CA - 1) < TOL
    assert abs(laws["efold_ca_endpoints_M"] / EFOLD_CA - 1) < TOL


def test_trapping_ic50_at_0mV(laws):
    assert abs(laws["ic50_trapping_0mV_M"] / IC50_TRAP_0MV - 1) < TOL


def test_trapping_efold_per_voltage(laws):
    assert abs(laws["efold_voltage_V"] / EFOLD_V - 1) < TOL
    ic = [row["ic50_M"] for row in laws["voltage_table"]]
    assert np.all(np.diff(ic) > 0)  # block weaker at positive potentials (cation from outside)


def test_ca_action_is_voltage_independent_and_needs_ca():
    a = nmda_ic50("4 mM", "-80 mV", "desensitization").ic50_M
    b = nmda_ic50("4 mM", "+40 mV", "desensitization").ic50_M
    assert a == pytest.approx(b, rel=1e-9)
    # without Ca2+ (BAPTA-like) the Ca-dependent action is >100-fold weaker than at 4 mM
    assert nmda_ic50("0 mM", "-70 mV", "desensitization").ic50_M > 100 * a


def test_generator_is_conservative_and_affine_in_drug():
    q0, q1, states = nmda_rate_matrix("2 mM", "-50 mV")
    assert np.allclose(q0.sum(axis=0), 0, atol=1e-9)
    assert np.allclose(q1.sum(axis=0), 0, atol=1e-6)
    # steady state by scipy's null space agrees with the solver
    c = 3e-6
    ns = scipy.linalg.null_space(q0 + c * q1)[:, 0]
    ns = ns / ns.sum()
    got = nmda_open_fraction("2 mM", "-50 mV", [c])[0]
    assert got == pytest.approx(ns[states.index("O")], rel=1e-8)


def test_trapping_ic50_is_woodhull_closed_form():
    # with blocked receptors gating like free ones, unblocked fraction = 1/(1 + c/Kd(V)) up to
    # the small Ca-desensitised share; Kd(V) = Kd0 exp(z delta V / VT)
    from neuromoa.systems import model_parameters

    p = model_parameters("nmda").set_index("parameter")["value"]
    for v in (-0.08, 0.0, 0.04):
        kd = p["Kd_blk0"] * math.exp(p["delta"] * p["z_drug"] * v / p["VT"])
        got = nmda_ic50("0.25 mM", f"{v} V", "trapping").ic50_M
        assert got == pytest.approx(kd, rel=0.01)


def test_bad_inputs():
    with pytest.raises(UnitError, match="--ca"):
        nmda_ic50("-1 mM")
    with pytest.raises(InputError, match="unknown mode"):
        nmda_ic50("1 mM", mode="magic")


def test_ca_law_holds_in_the_total_model_too():
    # with the trapping block present (it adds at 1 mM Ca2+, -70 mV) the e-fold constant of the
    # whole model stays within the 25 %
    from neuromoa.systems.nmda import nmda_ic50 as ic50

    cas = np.linspace(1e-3, 4e-3, 7)
    ic = np.array([ic50(f"{c} M", "-70 mV").ic50_M for c in cas])
    efold = -1.0 / np.polyfit(cas, np.log(ic), 1)[0]
    assert abs(efold / EFOLD_CA - 1) < TOL
