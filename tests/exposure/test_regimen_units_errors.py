"""Regimens, unit invariance and bad input."""

import numpy as np
import pytest

from neuromoa.errors import (
    DataFileError,
    ParameterError,
    ProtocolError,
    UnitError,
    UnknownCompoundError,
)
from neuromoa.exposure import Regimen, pk_compound, simulate_exposure, steady_state_unbound_brain
from neuromoa.exposure import params as params_mod


def test_regimen_counts_and_defaults():
    r = Regimen.parse("150 mg", every="24 h", days=14)
    assert r.n_doses == 14 and r.dose_times_h[-1] == 13 * 24
    assert Regimen.parse("150 mg", every="12 h", days=1).n_doses == 2
    assert Regimen.parse("150 mg", every="24h").duration_h == 14 * 24
    single = Regimen.parse("50 mg")
    assert single.n_doses == 1 and not single.repeated and single.duration_h == 96
    assert Regimen(0.15, 24.0).n_doses == 14


def test_unit_invariance():
    a = simulate_exposure("amitriptyline", Regimen.parse("150 mg", every="24 h", days=14))
    b = simulate_exposure("amitriptyline", Regimen.parse("0.15 g", every="1 day", days="2 weeks"))
    for analyte in a.metrics:
        assert a.metrics[analyte]["cavg_ng_mL"] == pytest.approx(b.metrics[analyte]["cavg_ng_mL"],
                                                                 rel=1e-12)
    np.testing.assert_allclose(a.total_ng_mL["nortriptyline"], b.total_ng_mL["nortriptyline"])


def test_salt_and_base_are_the_same_molar_dose():
    at = pk_compound("amitriptyline")
    base_mg = 150 * at.mw_base / at.mw_salt
    salt = simulate_exposure("amitriptyline", Regimen.parse("150 mg", every="24 h"))
    base = simulate_exposure("amitriptyline",
                             Regimen.parse(f"{base_mg!r} mg", every="24 h", base=True))
    assert salt.metrics["amitriptyline"]["auc_ng_h_mL"] == pytest.approx(
        base.metrics["amitriptyline"]["auc_ng_h_mL"], rel=1e-12)
    more = simulate_exposure("amitriptyline", Regimen.parse("150 mg", every="24 h", base=True))
    assert more.metrics["amitriptyline"]["auc_ng_h_mL"] == pytest.approx(
        salt.metrics["amitriptyline"]["auc_ng_h_mL"] * at.mw_salt / at.mw_base)


def test_ng_per_ml_and_molar_agree():
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg"))
    for a in r.analytes:
        mw = pk_compound(a).mw_base
        np.testing.assert_allclose(r.total_ng_mL[a], r.total_M[a] * mw * 1e6)


def test_steady_state_unbound_brain_matches_metrics():
    reg = Regimen.parse("150 mg", every="24 h")
    ss = steady_state_unbound_brain("amitriptyline", reg, kp_uu=0.5)
    r = simulate_exposure("amitriptyline", reg, kp_uu=0.5)
    assert ss == {a: pytest.approx(m["unbound_brain_cavg_M"]) for a, m in r.metrics.items()}


def test_synonym_and_case():
    assert pk_compound("Elavil").name == "amitriptyline"
    assert pk_compound("NORTRIPTYLINE").name == "nortriptyline"


def test_dict_and_frame_shapes():
    r = simulate_exposure("amitriptyline", Regimen.parse("50 mg", every="24 h", days=3))
    d = r.to_dict()
    assert set(d["analytes"]) == {"amitriptyline", "nortriptyline"}
    assert set(d["analytes"]["amitriptyline"]) >= {"cmax_ng_mL", "tmax_h", "cmin_ng_mL",
                                                   "cavg_ng_mL", "auc_ng_h_mL", "unbound_cavg_M"}
    assert len(d["times_h"]) == len(d["total_ng_mL"]["nortriptyline"])
    assert len(r.to_frame()) == 2 * len(r.times_h)
    fig = r.plot()
    assert fig is not None


@pytest.mark.parametrize("kwargs, err", [
    ({"dose": "-5 mg"}, UnitError),
    ({"dose": "150"}, UnitError),
    ({"dose": "150 nM"}, UnitError),
    ({"dose": "150 mg", "every": "24"}, UnitError),
    ({"dose": "150 mg", "every": "0 h"}, ProtocolError),
    ({"dose": "150 mg", "every": "24 h", "days": 0}, ProtocolError),
    ({"dose": "150 mg", "every": "24 h", "days": 0.5}, ProtocolError),
])
def test_bad_regimens(kwargs, err):
    with pytest.raises(err):
        Regimen.parse(**kwargs)


def test_bad_compound_and_kp_uu():
    with pytest.raises(UnknownCompoundError, match="exposure knows"):
        simulate_exposure("fluoxetine", Regimen.parse("50 mg"))
    with pytest.raises(ParameterError, match="kp_uu"):
        simulate_exposure("amitriptyline", Regimen.parse("50 mg"), kp_uu=0)
    with pytest.raises(ParameterError, match="times_h"):
        simulate_exposure("amitriptyline", Regimen.parse("50 mg"), times_h=[-1.0])


def test_bad_data_file_names_file_row_field(monkeypatch):
    real = params_mod.read_text

    def fake(sub, name):
        text = real(sub, name)
        if name == "parameters.csv":
            text = text.replace("amitriptyline,ka,0.40,1/h", "amitriptyline,ka,0.40,1/min")
        return text

    params_mod._load.cache_clear()
    monkeypatch.setattr(params_mod, "read_text", fake)
    try:
        with pytest.raises(DataFileError, match=r"exposure/parameters.csv, row 2, field 'unit'"):
            pk_compound("amitriptyline")
    finally:
        monkeypatch.setattr(params_mod, "read_text", real)
        params_mod._load.cache_clear()
