"""Model declarations: every parameter sourced, SBML valid, SBML round trip reproduces runs."""

import libsbml
import numpy as np
import pytest
import roadrunner

from neuromoa.errors import InputError
from neuromoa.systems import MODELS, export_sbml, model_parameters, nmda_time_course, validate_sbml
from neuromoa.systems._model import sbml_string

REL = 1e-6  # the round-trip tolerance (relative)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_parameter_declared_with_unit_and_source(model):
    table = model_parameters(model)
    doc = libsbml.readSBMLFromString(sbml_string(model))
    sbml_params = {p.getId() for p in doc.getModel().getListOfParameters() if p.getConstant()}
    assert sbml_params == set(table["parameter"])
    assert table["source"].str.strip().str.len().min() > 0
    assert table["unit"].str.len().min() > 0
    assert set(table["confidence"]) <= set("HMUAC")


@pytest.mark.parametrize("model", sorted(MODELS))
def test_exported_sbml_validates(model, tmp_path):
    path = export_sbml(model, tmp_path / f"{model}.xml")
    doc = libsbml.readSBMLFromFile(str(path))
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert errors == []
    assert validate_sbml(path.read_text()) == []


def _reloaded(model, tmp_path):
    rr = roadrunner.RoadRunner(str(export_sbml(model, tmp_path / f"{model}.xml")))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-24
    return rr


def test_nmda_sbml_reproduces_exact_propagation(tmp_path):
    # native: matrix exponential of the declared linear scheme; reloaded: CVODE on the SBML file
    native = nmda_time_course("4 mM", "-70 mV", "1 uM", duration="2 s", n_points=201)
    rr = _reloaded("nmda", tmp_path)
    for k, v in {"ca_o": 4e-3, "vm": -0.07, "drug": 1e-6}.items():
        rr.setValue(k, v)
    states = [c for c in native.columns if c != "time_s"]
    res = rr.simulate(0.0, 2.0, 201, ["time"] + [f"[{s}]" for s in states])
    got = np.asarray(res)[:, 1:]
    want = native[states].to_numpy()
    big = want > 1e-6
    assert np.allclose(got[big], want[big], rtol=REL, atol=0)


def test_synapse_sbml_reproduces_native_release_event(tmp_path):
    from neuromoa.systems import synapse_parameters, synapse_single_release

    ev = synapse_single_release("5HT", "20 nM", duration="2 s", n_points=400)
    rr = _reloaded("synapse", tmp_path)
    for k, (v, _) in synapse_parameters().items():
        rr.setValue(k, v)
    rr.setValue("parent", 20e-9)
    rr.setValue("sw_auto", 0.0)
    rr.setValue("sw_post", 0.0)
    rr.simulate(0.0, 3000.0, 3)
    t0 = rr.model.getTime()
    rr.setValue("evoked_5ht", 50e-9 / 0.1)
    rr.simulate(t0, t0 + 0.1, 20)
    rr.setValue("evoked_5ht", 0.0)
    res = np.asarray(rr.simulate(t0 + 0.1, t0 + 2.0, 400, ["time", "[S_5ht]"]))
    native = np.interp(res[:, 0] - t0, ev.traces["time_s"], ev.traces["drug_M"])
    assert np.allclose(res[:, 1], native, rtol=REL, atol=0)


def test_trk_sbml_reproduces_native_course(tmp_path):
    from neuromoa.systems import trk_parameters
    from neuromoa.systems.trk import _baseline, _run

    values = {k: v for k, (v, _) in trk_parameters().items()}
    times = np.linspace(0, 7200, 61)
    native = _run(10e-6, times, values)
    _, ids, state, _ = _baseline(tuple(sorted(values.items())))
    rr = _reloaded("trk", tmp_path)
    for k, v in values.items():
        rr.setValue(k, v)
    for s, v in zip(ids, state, strict=True):
        rr.setValue(f"[{s}]", float(v))
    rr.setValue("drug", 10e-6)
    res = np.asarray(rr.simulate(0.0, 7200.0, 61, ["time", "[pAkt]", "[pERK]"]))
    assert np.allclose(res[:, 1], native["pAkt_M"], rtol=REL, atol=0)
    assert np.allclose(res[:, 2], native["pERK_M"], rtol=REL, atol=0)


def test_parameter_table_shows_the_values_the_runs_use():
    from neuromoa.kb import load_kb

    runtime = model_parameters("synapse").set_index("parameter")
    declared = model_parameters("synapse", runtime=False).set_index("parameter")
    km = load_kb().constant("km_5ht_sert").value_si
    assert runtime.loc["Km_5ht", "value"] == pytest.approx(km)
    assert "neuromoa.kb" in runtime.loc["Ki_metab_net", "source"]
    # the model file names no compound: the declared value is a placeholder filled from the kb
    assert declared.loc["Ki_metab_net", "source"].startswith("neuromoa.kb, set at run time")
    assert runtime.loc["Ki_metab_net", "source"].startswith("neuromoa.kb: nortriptyline KD 4.37")
    assert runtime.loc["Ki_metab_net", "value"] == pytest.approx(4.37e-9)
    assert runtime.loc["Ki_parent_sert", "value"] == pytest.approx(4.3e-9)
    assert model_parameters("trk").set_index("parameter").loc["Kd_B", "value"] == pytest.approx(14e-6)


def test_unknown_model_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="unknown model 'heart'"):
        export_sbml("heart", tmp_path / "x.xml")
