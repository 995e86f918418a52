"""Plate status from the QC checks (review findings 2, 5 and 14).

* a plate failing Z′ or the plateau check is analysed but its status is "warning";
* a Hill slope whose 95 % CI excludes −1 is flagged ``hill_not_unity`` (Cheng–Prusoff assumes a
  competitive one-site interaction, Leff & Dougall 1993), and plates simulated with Hill −1 are
  flagged no more often than a calibrated 95 % interval allows;
* control (total) wells are never removed by the outlier step, only reported.

The plates here are hand-written from the closed-form 4PL (counts = NSB + window / (1 +
(c/IC50)^n)) with a small deterministic noise, so the expected slope is known independently.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats

import neuromoa.assays.analysis as analysis
from neuromoa.assays import analyze_plate, simulate_uptake

_CONCS_NM = (3000, 1000, 300, 100, 30, 10, 3, 1, 0.3, 0.1)


def _plate(tmp_path, *, hill=1.0, ic50_nm=4.0, top=10000.0, totals=None, cv=0.03, seed=1,
           name="p.csv"):
    """A user's tidy plate: 8 total, 8 NSB and 3 × 10 test wells with multiplicative noise."""
    rng = np.random.default_rng(seed)
    totals = [top * (1 + cv * rng.standard_normal()) for _ in range(8)] if totals is None \
        else totals
    lines = ["plate,well,role,compound,concentration,counts"]
    for i, r in enumerate("ABCDEFGH"):
        lines.append(f"P1,{r}1,total,,,{totals[i]:.0f}")
        lines.append(f"P1,{r}12,nsb,fluoxetine,10 uM,{500 * (1 + cv * rng.standard_normal()):.0f}")
    for r in "BCD":
        for j, c in enumerate(_CONCS_NM):
            mean = 500 + (top - 500) / (1 + (c / ic50_nm) ** hill)
            lines.append(f"P1,{r}{j + 2},test,drugX,{c} nM,"
                         f"{mean * (1 + cv * rng.standard_normal()):.0f}")
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def _analyze(path, **kw):
    return analyze_plate("uptake", path, substrate="100 nM", km="630 nM", **kw).results[0]


# --------------------------------------------------------------------------- finding 2


def test_z_prime_below_half_gives_warning_not_ok():
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=5,
                         well_cv=0.25)
    r = analyze_plate("uptake", ps).results[0]
    assert r.z_prime < 0.5 and "z_prime_below_0.5" in r.flags
    assert r.status == "warning"
    assert "Z′" in r.message and np.isfinite(r.ki_M)  # still analysed


def test_plateau_mismatch_gives_warning(tmp_path):
    # Test wells' top at 70 % of the total wells (an edge effect on the control column).
    r = _analyze(_plate(tmp_path, top=7000.0, totals=[10000.0 + 10 * i for i in range(8)]))
    assert any(f.startswith("plateau_mismatch") for f in r.flags)
    assert r.status == "warning" and "plateaus" in r.message


def test_clean_plate_is_ok_with_empty_message(tmp_path):
    r = _analyze(_plate(tmp_path, hill=1.0, seed=2))
    assert r.status == "ok" and r.flags == () and r.message == ""
    lo, hi = r.hill_ci95
    assert lo <= -1.0 <= hi


# --------------------------------------------------------------------------- finding 5


@pytest.mark.parametrize("hill", [2.5, 0.5])
def test_hill_far_from_one_is_flagged(tmp_path, hill):
    r = _analyze(_plate(tmp_path, hill=hill, cv=0.02))
    assert r.hill == pytest.approx(-hill, rel=0.15)
    assert not (r.hill_ci95[0] <= -1.0 <= r.hill_ci95[1])
    assert any(f.startswith("hill_not_unity") for f in r.flags)
    assert r.status == "warning"
    assert "competitive one-site" in r.message and "Leff & Dougall 1993" in r.message
    assert np.isfinite(r.ki_M)  # the Ki is still reported, with the warning


def test_hill_ci_in_json(tmp_path):
    d = analyze_plate("uptake", _plate(tmp_path, hill=2.5), substrate="100 nM",
                      km="630 nM").to_dict()["plates"][0]
    lo, hi = d["hill_ci95"]
    assert lo < d["hill"] < hi < -1.0


FULL = os.environ.get("NEUROMOA_FULL", "") not in ("", "0")


@pytest.mark.slow
def test_hill_flag_rate_on_competitive_plates_is_nominal():
    """Simulated with Hill −1 (competitive), the flag must fire in ≤ ~5 % of plates.

    Bound: the 0.999 quantile of Binomial(n, 0.05), so a calibrated (or conservative) Hill CI
    fails this test with probability < 0.001; an anti-conservative one (e.g. z instead of t, or
    SEs too small by 1.5×) fails it.
    """
    n = 200 if FULL else 40
    flagged = 0
    for seed in range(n):
        ps = simulate_uptake("SERT", "amitriptyline", seed=seed)
        r = analyze_plate("uptake", ps).results[0]
        flagged += any(f.startswith("hill_not_unity") for f in r.flags)
    assert flagged <= stats.binom.ppf(0.999, n, 0.05)


# --------------------------------------------------------------------------- finding 14


def test_outlying_control_well_is_kept_and_reported(tmp_path):
    totals = [10000.0 + 20 * i for i in range(7)] + [20000.0]  # H1 is a gross outlier
    r = _analyze(_plate(tmp_path, totals=totals))
    assert "H1" not in r.excluded_wells
    assert "control_outliers_kept:H1" in r.flags
    assert r.status == "warning" and "H1" in r.message


def test_outlier_step_never_removes_control_wells(tmp_path, monkeypatch):
    """Even if the outlier test called every fitted well an outlier, the controls stay."""
    monkeypatch.setattr(analysis, "outlier_mask", lambda x, y, fit, w: np.ones(len(y), bool))
    res = analyze_plate("uptake", _plate(tmp_path), substrate="100 nM", km="630 nM",
                        strict=False)
    r = res.results[0]
    totals = {f"{c}1" for c in "ABCDEFGH"}
    assert not totals & set(r.excluded_wells)
    assert {f.split(":")[0] for f in r.flags} >= {"control_outliers_kept"}
    used = res.wells.set_index("well")["used"]
    assert used[sorted(totals)].all()
