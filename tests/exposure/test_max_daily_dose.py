"""Doses above the labelled maximum daily dose warn but still compute (review 15).

Amitriptyline: up to 300 mg/day (HCl salt) in hospital (FACTS.md, Exposure: Doses).
"""

import json

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.errors import NeuromoaWarning
from neuromoa.exposure import Regimen, daily_dose_note, simulate_exposure

LIMIT_MG_PER_DAY = 300.0  # FACTS.md
MW_BASE, MW_SALT = 277.40, 313.87  # FACTS.md compounds table

runner = CliRunner()
_register_all([])


@pytest.mark.parametrize("dose,every,base,daily", [
    ("5000 g", "24h", False, 5e6),
    ("101 mg", "8h", False, 303.0),
    ("400 mg", None, False, 400.0),         # a single dose counts whole
    ("400 mg", "48h", False, 400.0),        # so does a dose given less often than daily
    ("290 mg", "24h", True, 290 * MW_SALT / MW_BASE),  # base dose, compared as the salt
])
def test_above_the_label_warns_and_computes(dose, every, base, daily):
    reg = Regimen.parse(dose, every=every, base=base)
    with pytest.warns(NeuromoaWarning, match="above the labelled maximum daily dose") as rec:
        res = simulate_exposure("amitriptyline", reg)
    assert f"{daily:.4g} mg/day" in str(rec[0].message)
    assert res.notes and "300 mg/day" in res.notes[0]
    assert res.metrics["amitriptyline"]["cavg_ng_mL"] > 0  # the computation still ran
    assert res.to_dict()["notes"] == list(res.notes)


@pytest.mark.parametrize("dose,every,base", [
    ("300 mg", "24h", False), ("100 mg", "8h", False), ("150 mg", "12h", False),
    ("265 mg", "24h", True),  # 265 mg base = 299.9 mg HCl
    ("10 mg", None, False),
])
def test_at_or_below_the_label_is_silent(dose, every, base):
    reg = Regimen.parse(dose, every=every, base=base)
    assert daily_dose_note("amitriptyline", reg) is None
    res = simulate_exposure("amitriptyline", reg)  # a warning would fail the test
    assert res.notes == ()


def test_cli_shows_a_note_and_exits_zero():
    res = runner.invoke(app, ["exposure", "--dose", "5000 g", "--every", "24h"])
    assert res.exit_code == 0, res.output
    assert "note: amitriptyline" in res.output and "300 mg/day" in res.output
    res = runner.invoke(app, ["exposure", "--dose", "5000 g", "--every", "24h", "--json"])
    assert res.exit_code == 0
    assert "above the labelled maximum" in json.loads(res.stdout)["notes"][0]
    assert "note: amitriptyline" in res.stderr
