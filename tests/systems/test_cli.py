"""CLI contract of `neuromoa systems` (issue 6): JSON keys and one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

_register_all([])
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["systems", *args])


def test_nmda_json():
    res = run("nmda", "--ca", "4 mM", "--voltage", "-60 mV", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"ic50_M", "mechanism"} <= set(out)
    res = run("nmda", "--mode", "trapping", "--voltage", "0 mV", "--ca", "0.25 mM", "--json")
    assert abs(json.loads(res.stdout)["ic50_M"] / 220e-6 - 1) < 0.25


def test_nmda_bapta_removes_the_ca_dependent_action():
    """Stepanenko 2019: BAPTA abolishes Ca-dependent inhibition, so the IC50 stops depending on Ca2+."""
    def ic50(ca, *extra):
        res = run("nmda", "--ca", ca, "--mode", "desensitization", *extra, "--json")
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)["ic50_M"]

    # no IC50 below 1 M with BAPTA (JSON null) at any Ca2+, against 0.7 uM at 4 mM without
    assert ic50("4 mM", "--bapta") is None and ic50("1 mM", "--bapta") is None
    assert ic50("4 mM") < 1e-6


def test_nmda_total_at_the_trapping_conditions():
    # review finding 7: the recording at 0.25 mM Ca2+, 0 mV measured 220 uM (Stepanenko 2019)
    res = run("nmda", "--ca", "0.25 mM", "--voltage", "0 mV", "--json")
    assert res.exit_code == 0, res.output
    assert abs(json.loads(res.stdout)["ic50_M"] / 220e-6 - 1) < 0.25


def test_nmda_notes_ca_outside_the_calibrated_range():
    res = run("nmda", "--ca", "400 mM", "--json")
    assert res.exit_code == 0, res.output
    assert "note:" in res.stderr and "0.25-4 mM" in res.stderr
    assert "0.25-4 mM" in json.loads(res.stdout)["note"]
    res = run("nmda", "--ca", "2 mM")
    assert res.exit_code == 0 and "note" not in res.stderr


def test_export_sbml(tmp_path):
    res = run("export-sbml", "--model", "nmda", "--out", str(tmp_path / "m.xml"))
    assert res.exit_code == 0 and (tmp_path / "m.xml").read_text().startswith("<?xml")


@pytest.mark.parametrize("args,what", [
    (("nmda", "--ca", "-1 mM"), "--ca"),
    (("export-sbml", "--model", "heart", "--out", "x.xml"), "unknown model"),
    (("synapse", "--dose", "150 mg", "--weeks", "0"), "zero length"),
    (("synapse", "--conc", "-5 nM"), "--conc"),
    (("schild", "--target", "H3"), "unknown target"),
])
def test_bad_input_is_one_line(args, what):
    res = run(*args)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in res.output


def test_synapse_schild_trk_json():
    out = json.loads(run("synapse", "--transmitter", "5HT", "--conc", "20 nM", "--json").stdout)
    assert {"baseline", "drug", "fold_steady"} <= set(out)
    assert {"peak_M", "half_time_s", "steady_M"} <= set(out["drug"])
    out = json.loads(run("schild", "--target", "H1", "--json").stdout)
    assert {"pa2", "slope", "slope_ci95", "pki_kb"} <= set(out)
    out = json.loads(run("trk", "--conc", "10 uM", "--duration", "2 h", "--json").stdout)
    assert {"times_s", "pAkt_rel", "pERK_rel", "ec50_M"} <= set(out)


def test_schild_noisy_fit_fails_with_one_clear_line():
    # review finding 16: --noise 5 printed an overflow RuntimeWarning and a raw numpy array
    res = run("schild", "--target", "M1", "--noise", "5")
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert "fit failed at noise 5" in lines[0]
    assert "array(" not in res.output and "Warning" not in res.output


def test_schild_design_options():
    # review finding 9: --replicates and --multiples reach schild_experiment; --noise/--seed too
    res = run("schild", "--target", "H1", "--replicates", "2", "--multiples", "3,10,30",
              "--noise", "0", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    b = out["dose_ratios"]["antagonist_M"]
    kb = out["kb_M"]
    assert b == pytest.approx([0.0, 3 * kb, 10 * kb, 30 * kb], rel=1e-12)
    # no noise: Schild's equation exactly (DR = 1 + [B]/KB), pA2 = pKB
    assert out["dose_ratios"]["dose_ratio"] == pytest.approx([1, 4, 11, 31], rel=1e-6)
    assert out["pa2"] == pytest.approx(out["pki_kb"], abs=1e-6)

    def pa2(*extra):
        r = run("schild", "--target", "H1", *extra, "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)["pa2"]

    assert pa2("--seed", "3", "--replicates", "2") == pa2("--seed", "3", "--replicates", "2")
    assert pa2("--seed", "3", "--replicates", "2") != pa2("--seed", "3", "--replicates", "3")
    assert pa2("--seed", "3") != pa2("--seed", "4")
    for bad, what in ((("--multiples", "3,x"), "--multiples"), (("--multiples", "3,10"), "3"),
                      (("--replicates", "0"), "replicates")):
        r = run("schild", "--target", "H1", *bad)
        assert r.exit_code == 2 and what in r.output and len(r.output.strip().splitlines()) == 1


def test_synapse_course_json():
    res = run("synapse", "--dose", "150 mg", "--every", "24h", "--weeks", "6", "--json")
    out = json.loads(res.stdout)
    assert {"days", "firing_rel", "extracellular_rel", "postsynaptic_rel"} <= set(out)
