"""Plate-reader fixtures = the canonical long CSV; a lab's own constants with their origins.

The fixtures (tests/assays/fixtures, made by make_fixtures.py) are simulated plates written as
MicroBeta-, Tecan- and European-style exports, a 384-well plate, a three-plate file and plate
maps as grids; the README's "Plate formats" table lists them. Each must give the same
estimates as the same wells in the canonical long CSV.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuromoa.assays import analyze_plate, read_plates, simulate_binding
from neuromoa.assays.constants import MissingConstantError
from neuromoa.assays.plates import load_layout
from neuromoa.cli.main import app

F = Path(__file__).parent / "fixtures"

#: (plate file, map files, kind, options for the fixture, options for the long CSV,
#:  plates, wells per plate)
CASES = {
    "microbeta": ("microbeta_binding.txt", ["microbeta_binding_map.csv"], "binding", {},
                  {"constants": F / "microbeta_binding.constants.toml"}, 1, 96),
    "tecan": ("tecan_uptake.txt", ["tecan_uptake_map.csv"], "uptake", {"target": "SERT"},
              {"target": "SERT"}, 1, 96),
    "semicolon": ("semicolon_uptake.csv", ["semicolon_uptake_map.csv"], "uptake", {},
                  {"constants": F / "semicolon_uptake.constants.toml"}, 1, 96),
    "384": ("plate384.txt", ["plate384_map.csv"], "uptake", {"target": "SERT"},
            {"target": "SERT"}, 1, 384),
    "multiplate": ("multiplate.txt", ["multiplate_map.csv"], "uptake", {"target": "SERT"},
                   {"target": "SERT"}, 3, 96),
    "map-two-grids": ("tecan_uptake.txt", ["tecan_uptake_roles.csv", "tecan_uptake_conc.csv"],
                      "uptake", {"target": "SERT"}, {"target": "SERT"}, 1, 96),
    "map-list": ("tecan_uptake.txt", ["tecan_uptake_list.csv"], "uptake", {"target": "SERT"},
                 {"target": "SERT"}, 1, 96),
}


def _long(fname: str) -> Path:
    return F / (fname.rsplit(".", 1)[0] + ".long.csv")


@pytest.mark.parametrize("case", list(CASES))
def test_fixture_equals_the_canonical_long_csv(case):
    fname, maps, kind, opts, long_opts, n_plates, n_wells = CASES[case]
    ps = read_plates(F / fname, layout=load_layout([F / m for m in maps]))
    assert len(ps.plates) == n_plates and not ps.errors
    assert all((ps.wells["plate"] == p).sum() == n_wells for p in ps.plates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyze_plate(kind, ps, **opts)
        b = analyze_plate(kind, _long(fname), **long_opts)
    assert [r.plate for r in a.results] == [r.plate for r in b.results]
    truth = json.loads((F / f"{fname}.truth.json").read_text())["plates"]
    for ra, rb in zip(a.results, b.results, strict=True):
        assert ra.status != "failed"
        assert ra.ki_M == pytest.approx(rb.ki_M, rel=1e-12)  # identical estimates
        assert ra.ki_ci95_M == pytest.approx(rb.ki_ci95_M, rel=1e-9)
        assert ra.hill == pytest.approx(rb.hill, rel=1e-12)
        true_ki = truth[ra.plate]["truth"]["ki_M"]
        assert ra.ki_ci95_M[0] < true_ki < ra.ki_ci95_M[1]


def test_fixture_grids_hold_the_long_csv_counts():
    """Cell by cell: every reader style holds exactly the counts of the canonical file."""
    for fname, maps, *_ in CASES.values():
        ps = read_plates(F / fname, layout=load_layout([F / m for m in maps]))
        long = read_plates(_long(fname))
        a = ps.wells.set_index(["plate", "well"]).sort_index()
        b = long.wells.set_index(["plate", "well"]).sort_index()
        assert a["counts_cpm"].fillna(-1).tolist() == b["counts_cpm"].fillna(-1).tolist()
        assert a["role"].tolist() == b["role"].tolist()
        assert a["concentration_M"].tolist() == pytest.approx(b["concentration_M"].tolist())


def test_fixture_sidecar_constants_are_used_with_their_origin():
    ps = read_plates(F / "microbeta_binding.txt", layout=F / "microbeta_binding_map.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = analyze_plate("binding", ps).results[0]
    c = r.constants
    assert c["target"]["value"] == "M2"
    assert c["specific_activity"]["value"] == pytest.approx(60e3)  # Ci/mol
    assert c["volume"]["value"] == pytest.approx(200e-6)
    assert c["counting_efficiency"]["value"] == pytest.approx(0.40)
    assert c["kd"]["value"] == pytest.approx(2e-9)
    for key in ("target", "specific_activity", "volume", "counting_efficiency",
                "filter_recovery", "protein", "radioligand", "kd"):
        assert c[key]["origin"] == "file: microbeta_binding.constants.toml", key
    assert c["count_time"]["origin"].startswith("default: data/assays/parameters.csv binding/*")
    assert 0 < r.depletion_fraction < 0.1


_USER = {"--kd": "2 nM", "--radioligand": "1 nM", "--specific-activity": "60 Ci/mmol",
         "--volume": "200 uL", "--efficiency": "0.40", "--recovery": "0.85",
         "--protein": "10 ug"}


def _args(d: dict[str, str]) -> list[str]:
    return [x for kv in d.items() for x in kv]


@pytest.mark.parametrize("seed", [1, 2])
def test_user_binding_plate_with_its_own_constants_recovers_ki(tmp_path, seed):
    """Must show: simulated with a lab's constants (not M1's), analysed with them: Ki ±10 %."""
    runner = CliRunner()
    out = tmp_path / "user.txt"
    sim = runner.invoke(app, ["assay", "simulate", "binding", "--ki", "30 nM", "--wells", "384",
                              "--seed", str(seed), "--format", "microbeta", "--out", str(out),
                              *_args(_USER)])
    assert sim.exit_code == 0, sim.output
    res = runner.invoke(app, ["assay", "analyze", "binding", str(out), "--layout",
                              str(tmp_path / "user_map.csv"), "--target", "M2", "--json",
                              *_args(_USER)])
    assert res.exit_code == 0, res.output
    plate = json.loads(res.stdout)["plates"][0]
    assert plate["ki_M"] == pytest.approx(30e-9, rel=0.10)
    assert plate["bmax_mol_per_g"] == pytest.approx(4e-9, rel=0.10)  # 4 pmol/mg simulated
    c = plate["constants"]
    for key in ("target", "kd", "radioligand", "specific_activity", "volume",
                "counting_efficiency", "filter_recovery", "protein"):
        assert c[key]["origin"] == "user", key
    assert c["count_time"]["origin"].startswith("default: ")
    assert c["background"]["origin"].startswith("measured: median of the")
    text = runner.invoke(app, ["assay", "analyze", "binding", str(out), "--layout",
                               str(tmp_path / "user_map.csv"), "--target", "M2",
                               *_args(_USER)]).stdout
    for shown in ("60 Ci/mmol", "200 µL", "0.4", "0.85", "10 µg", "2 nM", "1 nM", "user",
                  "default: data/assays/parameters.csv"):
        assert shown in text


def test_missing_constant_for_users_target_is_one_line_exit_2(tmp_path):
    ps = simulate_binding("M1", "x", ki="30 nM", seed=1)
    p = tmp_path / "m.csv"
    ps.write(p, format="tecan")
    runner = CliRunner()
    res = runner.invoke(app, ["assay", "analyze", "binding", str(p), "--layout",
                              str(tmp_path / "m_map.csv"), "--target", "M2"])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in res.output
    assert "radioligand" in err and "--radioligand" in err and "'M2'" in err
    res = runner.invoke(app, ["assay", "analyze", "binding", str(p), "--layout",
                              str(tmp_path / "m_map.csv"), "--target", "M2", "--kd", "2 nM",
                              "--radioligand", "1 nM"])
    assert res.exit_code == 2 and "--specific-activity" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_no_target_never_borrows_another_assays_value(tmp_path):
    """A user's plate without --target gets no M1 value: the constants must be given."""
    ps = simulate_binding("M1", "x", ki="30 nM", seed=1)
    p = tmp_path / "m.txt"
    ps.write(p, format="csv")
    with pytest.raises(MissingConstantError, match="no --target"):
        analyze_plate("binding", p, layout=tmp_path / "m_map.csv", kd="14 nM",
                      radioligand="5 nM")


def test_impossible_depletion_is_flagged_not_a_huge_bias(tmp_path):
    """Counts far above what the constants allow (> 100 % bound): a flag, no absurd bias."""
    ps = simulate_binding("M1", "x", ki="30 nM", seed=1)
    p = tmp_path / "m.txt"
    ps.write(p, format="csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = analyze_plate("binding", p, layout=tmp_path / "m_map.csv", target="M9", kd="14 nM",
                          radioligand="5 nM", specific_activity="0.1 Ci/mmol",
                          volume="250 uL").results[0]
    assert r.status == "warning"
    assert any(f.startswith("constants_inconsistent") for f in r.flags)
    assert r.cheng_prusoff_bias is None or r.cheng_prusoff_bias != r.cheng_prusoff_bias  # NaN
    assert "check these constants" in r.message


def test_uptake_substrate_and_km_are_shown_and_settable(tmp_path):
    runner = CliRunner()
    p = F / "tecan_uptake.txt"
    res = runner.invoke(app, ["assay", "analyze", "uptake", str(p), "--layout",
                              str(F / "tecan_uptake_map.csv"), "--target", "SERT", "--json"])
    c = json.loads(res.stdout)["plates"][0]["constants"]
    assert c["substrate"]["display"] == "100 nM"
    assert c["substrate"]["origin"].startswith("default: data/assays/parameters.csv uptake/SERT")
    assert c["km"]["origin"].startswith("default: knowledge base km_5ht_sert")
    res2 = runner.invoke(app, ["assay", "analyze", "uptake", str(p), "--layout",
                               str(F / "tecan_uptake_map.csv"), "--target", "SERT",
                               "--substrate", "50 nM", "--km", "1 uM", "--json"])
    p2 = json.loads(res2.stdout)["plates"][0]
    assert p2["constants"]["substrate"]["origin"] == "user"
    assert p2["constants"]["km"]["display"] == "1 µM"
    assert p2["ki_M"] == pytest.approx(p2["ic50_M"] / (1 + 50 / 1000), rel=1e-9)
    text = runner.invoke(app, ["assay", "analyze", "uptake", str(p), "--layout",
                               str(F / "tecan_uptake_map.csv"), "--target", "SERT"]).stdout
    assert "substrate" in text and "100 nM" in text and "km" in text


def test_constants_file_header_lines_in_a_tidy_file(tmp_path):
    """'# key: value' lines at the top of a plate file are constants (origin: the file)."""
    long = (F / "tecan_uptake.long.csv").read_text()
    p = tmp_path / "mine.csv"
    p.write_text("# target: SERT\n# substrate: 0.1 uM\n# km: 463 nM\n" + long)
    r = analyze_plate("uptake", p).results[0]
    assert r.constants["substrate"]["origin"] == "file: mine.csv (header)"
    assert r.constants["substrate"]["value"] == pytest.approx(1e-7)
