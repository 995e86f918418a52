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

    assert ic50("4 mM", "--bapta") == pytest.approx(ic50("1 mM", "--bapta"), rel=1e-3)
    assert ic50("4 mM", "--bapta") > 100 * ic50("4 mM")


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
    if args[0] in ("synapse", "schild"):
        pytest.importorskip("neuromoa.kb")
    res = run(*args)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in res.output


def test_synapse_schild_trk_json():
    pytest.importorskip("neuromoa.kb")
    out = json.loads(run("synapse", "--transmitter", "5HT", "--conc", "20 nM", "--json").stdout)
    assert {"baseline", "drug", "fold_steady"} <= set(out)
    assert {"peak_M", "half_time_s", "steady_M"} <= set(out["drug"])
    out = json.loads(run("schild", "--target", "H1", "--json").stdout)
    assert {"pa2", "slope", "slope_ci95", "pki_kb"} <= set(out)
    out = json.loads(run("trk", "--conc", "10 uM", "--duration", "2 h", "--json").stdout)
    assert {"times_s", "pAkt_rel", "pERK_rel", "ec50_M"} <= set(out)


def test_synapse_course_json():
    pytest.importorskip("neuromoa.kb")
    pytest.importorskip("neuromoa.exposure")
    res = run("synapse", "--dose", "150 mg", "--every", "24h", "--weeks", "6", "--json")
    out = json.loads(res.stdout)
    assert {"days", "firing_rel", "extracellular_rel", "postsynaptic_rel"} <= set(out)
