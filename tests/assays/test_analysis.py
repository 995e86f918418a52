"""Analysis: exact recovery from noise-free plates, depletion warning and bias, Z′ flag, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from neuromoa.assays import (
    PlateSet,
    analyze_plate,
    binding_signal,
    simulate_binding,
    simulate_uptake,
)
from neuromoa.assays.uptake import DPM_PER_CI
from neuromoa.errors import NeuromoaWarning


def _noise_free_binding(receptor="3 nM", ki=16e-9, kd=14e-9):
    ps = simulate_binding("M1", "amitriptyline", ki=f"{ki * 1e9} nM", kd=f"{kd * 1e9} nM",
                          seed=0, receptor_conc=receptor)
    c, t = ps.conditions("P1"), ps.truth("P1")
    cpm_per_M = (c["volume_L"] * c["filter_recovery"] * c["specific_activity_Ci_per_mol"]
                 * DPM_PER_CI * c["counting_efficiency"])
    w = ps.wells.copy()
    role = w["role"].to_numpy()
    conc = w["concentration_M"].to_numpy()
    total, _, _ = binding_signal(np.where(role == "test", conc, 0.0), ki,
                                 receptor_M=t["receptor_M"], radioligand_M=c["radioligand_M"],
                                 kd_M=kd, nsb_fraction=t["nsb_fraction"], cpm_per_M=cpm_per_M,
                                 ref_conc_M=np.where(role == "nsb", conc, 0.0),
                                 ref_ki_M=t["reference_inhibitor_ki_M"])
    # Tiny deterministic jitter on the controls so that their SDs (and Z') are defined.
    jitter = np.where(np.isin(role, ["total", "nsb"]), 1 + 1e-4 * np.sin(np.arange(len(w))), 1)
    w["counts_cpm"] = (total + c["background_cpm"]) * jitter
    return PlateSet(w, ps.meta, "noise-free"), t


def test_noise_free_uptake_recovers_ki_exactly():
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=0,
                         well_cv=0.0)
    # Replace the Poisson counts by their expectation (counts are ~10^4: exact to 1e-6).
    from neuromoa.assays import uptake_signal

    c = ps.conditions("P1")
    w = ps.wells.copy()
    role = w["role"].to_numpy()
    conc = w["concentration_M"].to_numpy()
    total, _ = uptake_signal(np.where(role == "test", conc, 0.0), 3.45e-9,
                             substrate_M=c["substrate_M"], km_M=630e-9, vmax_mol_s=5e-15,
                             ns_clearance_L_s=3.3333e-10, time_s=600.0,
                             specific_activity_Ci_mol=28e3, counting_efficiency=0.45,
                             ref_conc_M=np.where(role == "nsb", conc, 0.0), ref_ki_M=0.8e-9)
    jitter = np.where(np.isin(role, ["total", "nsb"]), 1 + 1e-4 * np.sin(np.arange(len(w))), 1)
    w["counts_cpm"] = (total + 25.0) * jitter
    r = analyze_plate("uptake", PlateSet(w, ps.meta, "x")).results[0]
    assert r.ki_M == pytest.approx(3.45e-9, rel=2e-3)
    assert r.hill == pytest.approx(-1.0, abs=5e-3)


def test_depletion_warning_bias_and_exact_fit():
    ps, t = _noise_free_binding("3 nM")
    with pytest.warns(NeuromoaWarning, match="radioligand is bound"):
        r = analyze_plate("binding", ps).results[0]
    assert r.depletion_fraction == pytest.approx(t["depletion_fraction"], rel=1e-3)
    assert r.depletion_fraction > 0.10
    assert any(f.startswith("ligand_depletion") for f in r.flags)
    assert r.status == "warning" and "ki_exact_M" in r.message
    # Cheng-Prusoff on the depleted curve is biased by the ratio of the exact IC50 to the
    # Cheng-Prusoff IC50 (both from the truth); the exact-depletion fit is not.
    expected_bias = t["ic50_M"] / t["ic50_cheng_prusoff_M"] - 1
    assert expected_bias > 0.1
    assert r.ki_M / 16e-9 - 1 == pytest.approx(expected_bias, abs=0.01)
    assert r.ki_exact_M == pytest.approx(16e-9, rel=1e-3)
    assert r.cheng_prusoff_bias == pytest.approx(expected_bias, abs=0.01)


def test_no_warning_at_default_receptor_concentration():
    ps, t = _noise_free_binding(None)
    assert t["depletion_fraction"] < 0.10
    r = analyze_plate("binding", ps).results[0]  # a warning here would fail (filterwarnings)
    assert not any(f.startswith("ligand_depletion") for f in r.flags)
    assert r.ki_exact_M == pytest.approx(16e-9, rel=1e-3)


def test_low_z_prime_plate_is_analysed_and_flagged():
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=5,
                         well_cv=0.25)
    r = analyze_plate("uptake", ps).results[0]
    assert r.z_prime < 0.5
    assert "z_prime_below_0.5" in r.flags
    assert r.status == "warning" and np.isfinite(r.ki_M)  # analysed, not 'ok'


runner = CliRunner()


def _app():
    from neuromoa.cli.main import _register_all, app

    if not any(g.name == "assay" for g in app.registered_groups):
        _register_all([])
    return app


def test_cli_simulate_then_analyze_json(tmp_path):
    out = tmp_path / "plate.csv"
    res = runner.invoke(_app(), ["assay", "simulate", "uptake", "--target", "NET", "--compound",
                                 "amitriptyline", "--ki", "13.3 nM", "--seed", "3", "--out",
                                 str(out)])
    assert res.exit_code == 0, res.output
    assert "13.3 nM" in res.output
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(out), "--json", "--plot",
                                 str(tmp_path / "fig.svg")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout[res.stdout.index("{"):])
    plate = data["plates"][0]
    assert set(["plate", "status", "ic50_M", "ki_M", "ki_ci95_M", "hill", "z_prime",
                "flags"]) <= set(plate)
    assert 13.3e-9 / 2 < plate["ki_M"] < 13.3e-9 * 2
    assert (tmp_path / "fig.svg").stat().st_size > 1000


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("plate,well,role,compound,concentration,counts\nP1,A1,total,,,100\n"
                 "P1,B3,test,drugX,10,50\n")
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(p), "--substrate", "100 nM",
                                 "--km", "630 nM"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "B3" in lines[0] and "unit" in lines[0]


def test_outlier_wells_are_found_and_excluded():
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=21,
                         outliers=4)
    truth = set(ps.truth("P1")["outlier_wells"])
    test_wells = set(ps.wells.loc[ps.wells["role"].isin(["test", "total"]), "well"])
    r = analyze_plate("uptake", ps).results[0]
    assert truth & test_wells, "the seed should put an outlier among the fitted wells"
    assert set(r.excluded_wells) & truth
    assert set(r.excluded_wells) <= truth
    assert any(f.startswith("outliers_excluded") for f in r.flags)


def test_edge_effects_are_flagged():
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=4,
                         edge_effects=True, well_cv=0.03)
    r = analyze_plate("uptake", ps).results[0]
    assert any(f.startswith("plateau_mismatch") for f in r.flags)
    assert r.status == "warning"
    assert r.ki_ci95_M[0] < 3.45e-9 * 1.3 and r.ki_ci95_M[1] > 3.45e-9 / 1.3
