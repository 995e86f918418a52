"""A user's compound with only simple PK (CL/F, V/F, ka, F; no routes) still runs; genotype
options for it are a clear error (compatibility with the compound identity overlay)."""

import pytest

from neuromoa.data.compounds import use_user_data
from neuromoa.exposure import GenotypeError, Patient, Regimen, simulate_exposure
from neuromoa.exposure.population import PopulationSpec, simulate_population

TOML = """
[[compound]]
id = "testamine"
name = "testamine"
mw_base = 300.0
fu = 0.1
source = "my lab"

[compound.pk]
ka = 1.0
cl_f = 50.0
v_f = 500.0
f_oral = 0.5
"""


@pytest.fixture
def user_file(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(TOML)
    return p


def test_simple_pk_compound_runs_one_compartment(user_file):
    with use_user_data([user_file]):
        r = simulate_exposure("testamine", Regimen.parse("100 mg", base=True))
        m = r.metrics["testamine"]
        # one-compartment oral: AUC = D/(CL/F); t1/2 = ln2 V/CL
        assert m["auc_ng_h_mL"] == pytest.approx(100e6 / 50.0 / 1e3, rel=1e-9)
        assert m["t_half_h"] == pytest.approx(0.6931471805599453 * 500 / 50, rel=1e-9)
        df = simulate_population(PopulationSpec("testamine", Regimen.parse("100 mg", every="24 h",
                                                                           base=True), 50), 0)
        assert (df["testamine_cavg_ng_mL"] > 0).all()


def test_genotype_for_simple_compound_is_a_clear_error(user_file):
    with use_user_data([user_file]):
        with pytest.raises(GenotypeError, match="no route for that enzyme for compound testamine"):
            simulate_exposure("testamine", Regimen.parse("100 mg"),
                              patient=Patient.from_options(cyp2d6="PM"))


def test_population_summary_without_a_therapeutic_range(user_file):
    import math

    from neuromoa.exposure.population import summarize_population

    with use_user_data([user_file]):
        spec = PopulationSpec("testamine", Regimen.parse("100 mg", every="24 h"), 20)
        s = summarize_population(simulate_population(spec, 0), spec)
        assert math.isnan(s["overall"]["in_range"]) and "none" in s["range"]["source"]
