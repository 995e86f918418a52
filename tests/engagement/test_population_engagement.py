"""Engagement across a virtual population, per CYP2D6 phenotype (API and CLI)."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.engagement import engage
from neuromoa.engagement.population import engagement_by_phenotype, population_engagement
from neuromoa.errors import InputError
from neuromoa.exposure import PopulationSpec, Regimen, simulate_exposure, simulate_population

_register_all([])
RUN = CliRunner()
DOSE, EVERY = "75 mg", "12h"


def _reference_patient_row(scale: float = 1.0) -> pd.DataFrame:
    m = simulate_exposure("amitriptyline", Regimen.parse(DOSE, every=EVERY)).metrics
    return pd.DataFrame({"patient": [0], "cyp2d6_phenotype": ["NM"],
                         "amitriptyline_cavg_ng_mL": [scale * m["amitriptyline"]["cavg_ng_mL"]],
                         "nortriptyline_cavg_ng_mL": [scale * m["nortriptyline"]["cavg_ng_mL"]]})


def test_reference_patient_reproduces_engage():
    occ = population_engagement(_reference_patient_row(), "amitriptyline", dose=DOSE,
                                every=EVERY, targets=["NET", "H1", "SERT"])
    ref = engage("amitriptyline", dose=DOSE, every=EVERY, targets=["NET", "H1", "SERT"])
    for t in ("NET", "H1", "SERT"):
        assert occ[f"occupancy_{t}"].iloc[0] == pytest.approx(ref.occupancy(t), rel=1e-6)


def test_doubling_every_level_follows_the_binding_law():
    one = population_engagement(_reference_patient_row(1.0), "amitriptyline", dose=DOSE,
                                every=EVERY, targets=["NET"])["occupancy_NET"].iloc[0]
    two = population_engagement(_reference_patient_row(2.0), "amitriptyline", dose=DOSE,
                                every=EVERY, targets=["NET"])["occupancy_NET"].iloc[0]
    r = one / (1 - one)  # θ = R/(1+R): doubling every concentration doubles R
    assert two == pytest.approx(2 * r / (1 + 2 * r), rel=1e-9)


def test_by_phenotype_ordering_and_fractions():
    spec = PopulationSpec(compound="amitriptyline", regimen=Regimen.parse(DOSE, every=EVERY),
                          n=4000)
    df = simulate_population(spec, 1)
    occ = population_engagement(df, "amitriptyline", dose=DOSE, every=EVERY, targets=["NET"])
    s = engagement_by_phenotype(occ).set_index(["target", "cyp2d6_phenotype"])
    # nortriptyline (the NET ligand) is cleared by CYP2D6: less activity, more NET occupancy
    med = [s.loc[("NET", ph), "p50"] for ph in ("PM", "IM", "NM", "UM")]
    assert med == sorted(med, reverse=True)
    parts = s.loc["NET"].drop(index="all")
    assert parts["n"].sum() == len(df)
    assert np.isclose(parts["fraction"].sum(), 1.0)
    row = s.loc[("NET", "all")]
    assert row["p5"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p95"]


def test_patients_table_without_levels_is_an_error():
    with pytest.raises(InputError, match="lacks nortriptyline_cavg_ng_mL"):
        population_engagement(_reference_patient_row().drop(columns="nortriptyline_cavg_ng_mL"),
                              "amitriptyline", dose=DOSE, every=EVERY)


def test_cli_population_engage_json_and_bad_target():
    res = RUN.invoke(app, ["population", "--dose", DOSE, "--every", EVERY, "--n", "500",
                           "--engage", "-t", "NET", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["engagement"]["by_phenotype"]
    assert {r["cyp2d6_phenotype"] for r in rows} >= {"all", "NM", "IM"}
    assert all(r["target"] == "NET" and 0 < r["p50"] < 1 for r in rows)
    bad = RUN.invoke(app, ["population", "--dose", DOSE, "--every", EVERY, "--n", "50",
                           "--engage", "-t", "XYZ"])
    assert bad.exit_code == 2
    assert [ln for ln in bad.output.splitlines() if ln.strip()][0].startswith("error:")
