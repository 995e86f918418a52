"""Prism's result checks on fitted curves: parameter at a bound, poor fit (R² and the
Wald–Wolfowitz runs test), ambiguous fit (dependency), EC50 vs IC50 by direction."""

import itertools
import json
from math import comb

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.fitting import fit_curves
from neuromoa.fitting.flags import FLAGS, dependency, runs_p, runs_test

from .conftest import prism4

runner = CliRunner()
_register_all([])


def _brute_runs_p(n1, n2, r):
    """P(R <= r) by enumerating every placement of the n1 positive signs (independent of the
    Swed–Eisenhart formula)."""
    n = n1 + n2
    hits = 0
    for pos in itertools.combinations(range(n), n1):
        s = np.full(n, -1)
        s[list(pos)] = 1
        runs = 1 + int(np.sum(s[1:] != s[:-1]))
        hits += runs <= r
    return hits / comb(n, n1)


@pytest.mark.parametrize(("n1", "n2"), [(1, 1), (2, 3), (4, 4), (5, 3), (6, 6), (3, 7)])
def test_runs_p_matches_enumeration(n1, n2):
    for r in range(2, n1 + n2 + 1):
        assert runs_p(n1, n2, r) == pytest.approx(_brute_runs_p(n1, n2, r), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=12),
                min_size=1, max_size=5))
def test_runs_test_vectorised_equals_a_plain_loop(curves):
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in curves])])
    resid = np.concatenate([np.asarray(c, float) for c in curves])
    x = np.concatenate([np.arange(len(c), dtype=float) for c in curves])  # distinct X
    got = runs_test(x, resid, offsets)
    for i, c in enumerate(curves):
        s = np.sign(np.asarray(c, float))
        s = s[s != 0]
        n1, n2 = int((s > 0).sum()), int((s < 0).sum())
        runs = 1 + int(np.sum(s[1:] != s[:-1])) if s.size else 0
        assert got[i] == pytest.approx(runs_p(n1, n2, runs))


def test_dependency_of_independent_and_collinear_parameters():
    free = np.ones(3, bool)
    eye = np.eye(3)[None]
    near = np.array([[[1.0, 0.99999, 0], [0.99999, 1.0, 0], [0, 0, 1.0]]])
    dep = dependency(np.concatenate([eye, near]), free)
    assert dep[0] == pytest.approx(0.0, abs=1e-12)
    assert dep[1] > 0.9999


X = 10.0 ** np.arange(-9.0, -4.0, 0.5)


def _table(curves):
    rows = [{"curve": k, "concentration_M": x, "response": y} for k, ys in curves.items()
            for x, y in zip(np.repeat(X, 2), ys, strict=True)]
    return pd.DataFrame(rows)


def _run(path, *args):
    return runner.invoke(app, ["fit", str(path), *args, "--json"])


def test_hill_at_bound_and_poor_fit_are_flagged(tmp_path):
    rng = np.random.default_rng(3)
    steep = prism4(np.repeat(X, 2), 0, 100, -7.0, -2.0) + rng.normal(0, 1.5, 2 * X.size)
    noisy = prism4(np.repeat(X, 2), 0, 100, -7.0, -1.0) + rng.normal(0, 30, 2 * X.size)
    path = tmp_path / "c.csv"
    _table({"steep": steep, "noisy": noisy}).to_csv(path, index=False)
    res = _run(path, "--bound", "hill=-1:0")
    fits = {f["curve"]: f for f in json.loads(res.stdout)["fits"]}
    assert fits["steep"]["hill"] == pytest.approx(-1.0)
    assert "at_bound" in fits["steep"]["flags"] and fits["steep"]["status"] == "warning"
    assert fits["noisy"]["r2"] < 0.8 and "poor_fit" in fits["noisy"]["flags"], fits["noisy"]
    assert fits["noisy"]["status"] == "warning"
    free = _run(path)
    steep_free = {f["curve"]: f for f in json.loads(free.stdout)["fits"]}["steep"]
    assert "at_bound" not in steep_free["flags"] and steep_free["status"] == "ok"


def test_runs_test_flags_a_systematic_misfit_with_a_high_r2(tmp_path):
    # a biphasic (two-site, 1000-fold apart) inhibition fitted by one 4PL: R² stays high but
    # the residuals run in long same-sign stretches
    xs = 10.0 ** np.arange(-11.0, -3.0, 0.25)
    y = 50 / (1 + xs / 1e-9) + 50 / (1 + xs / 1e-6)
    path = tmp_path / "b.csv"
    pd.DataFrame({"curve": "two-site", "concentration_M": xs, "response": y}).to_csv(
        path, index=False)
    f = json.loads(_run(path).stdout)["fits"][0]
    assert f["r2"] > 0.8 and "poor_fit" in f["flags"]


def test_agonist_and_inhibitor_by_direction():
    y_up = prism4(np.repeat(X, 2), 0, 100, -7.0, 1.0)
    y_dn = prism4(np.repeat(X, 2), 0, 100, -7.0, -1.0)
    res = fit_curves(_table({"up": y_up, "down": y_dn}), x="concentration_M")
    assert res.effect.tolist() == ["agonist", "inhibitor"] or res.effect.tolist() == [
        "inhibitor", "agonist"]
    by = dict(zip(res.curve_ids.tolist(), res.potency_label.tolist(), strict=True))
    assert by == {"up": "ec50", "down": "ic50"}
    checked = res.with_checks(effect="inhibitor")
    assert set(checked.effect.tolist()) == {"inhibitor"}
    assert checked.flag_bits.tolist() == [b & ~0 for b in res.flag_bits.tolist()]
    assert not (checked.flag_bits & (FLAGS["poor_fit"] | FLAGS["at_bound"])).any()


def test_compiled_runs_test_equals_the_numpy_one_on_a_fitted_batch():
    from neuromoa.fitting.flags import runs_test_4pl

    rng = np.random.default_rng(11)
    curves = {f"c{i}": prism4(np.repeat(X, 2), 0, 100, -8 + 0.2 * i, -1.0)
              + rng.normal(0, 4, 2 * X.size) for i in range(12)}
    res = fit_curves(_table(curves), x="concentration_M")
    rows = ~res.withheld
    fast = runs_test_4pl(res.data_x, res.data_y, res.offsets, res.params, rows)
    slow = runs_test(res.data_x, res.data_y - res._fitted_all(rows), res.offsets)
    np.testing.assert_allclose(fast[rows], slow[rows])
    assert (fast[rows] < 1).any()  # not a vacuous comparison of all-ones


def test_numpy_and_compiled_checks_agree(monkeypatch):
    import neuromoa.fitting.flags as fl

    rng = np.random.default_rng(5)
    curves = {f"c{i}": prism4(np.repeat(X, 2), 0, 100, -8 + 0.3 * i, -1.0 - 0.1 * i)
              + rng.normal(0, 5, 2 * X.size) for i in range(10)}
    res = fit_curves(_table(curves), x="concentration_M")
    rows = ~res.withheld
    small = (fl.runs_test_4pl(res.data_x, res.data_y, res.offsets, res.params, rows),
             fl.dependency(res.cov, res.free))
    monkeypatch.setattr(fl, "COMPILED_MIN_CURVES", 0)
    big = (fl.runs_test_4pl(res.data_x, res.data_y, res.offsets, res.params, rows),
           fl.dependency(res.cov, res.free))
    np.testing.assert_allclose(small[0][rows], big[0][rows])
    np.testing.assert_allclose(small[1], big[1], rtol=1e-9, atol=1e-12)
    assert np.nanmax(small[1]) > 0.5  # real dependencies, not all zero
