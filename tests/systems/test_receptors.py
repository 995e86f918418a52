"""Schild analysis of simulated data recovers the affinity it was given, for every GPCR target."""

import numpy as np
import pytest

pytest.importorskip("neuromoa.kb")

from neuromoa.errors import UnknownTargetError  # noqa: E402
from neuromoa.systems import GPCR_TARGETS, agonist_table, schild_experiment  # noqa: E402


@pytest.mark.parametrize("model", ["gaddum", "operational"])
@pytest.mark.parametrize("target", GPCR_TARGETS)
def test_schild_recovers_pki_and_unit_slope(target, model):
    r = schild_experiment(target, model=model, seed=0)
    assert abs(r.pa2 - r.pki_kb) < 0.1
    assert abs(r.slope - 1.0) < 0.1
    lo, hi = r.slope_ci95
    assert lo < r.slope < hi


def test_dose_ratios_follow_schild_equation_without_noise():
    r = schild_experiment("M1", model="operational", noise=0.0, seed=0)
    assert np.allclose(r.dose_ratios["dose_ratio"], r.dose_ratios["expected_dose_ratio"],
                       rtol=1e-6)
    assert r.slope == pytest.approx(1.0, abs=1e-6)
    assert r.pa2 == pytest.approx(r.pki_kb, abs=1e-6)


def test_operational_reserve_shifts_ec50_below_ka():
    table = agonist_table()
    assert np.all(table["tau"] > 0)
    r = schild_experiment("alpha1", model="operational", noise=0.0)
    assert r.fit["ec50_M"] == pytest.approx(r.fit["ka_M"] / (1 + r.fit["tau"]), rel=1e-9)


def test_same_seed_same_bytes():
    a = schild_experiment("H2", seed=7).data
    b = schild_experiment("H2", seed=7).data
    c = schild_experiment("H2", seed=8).data
    assert a["response"].to_numpy().tobytes() == b["response"].to_numpy().tobytes()
    assert not np.array_equal(a["response"], c["response"])


def test_unknown_target():
    with pytest.raises(UnknownTargetError, match="unknown target 'H3'"):
        schild_experiment("H3")
