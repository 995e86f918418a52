"""The SBML export keeps the science: units that check (libsbml, units on: no warning at all),
every parameter's source and confidence in its notes, UniProt and ChEBI identifiers."""

from __future__ import annotations

import re

import pytest

libsbml = pytest.importorskip("libsbml")

from neuromoa.data.compounds import flagship_compound, metabolites_of, resolve_compound  # noqa: E402
from neuromoa.kb import load_kb  # noqa: E402
from neuromoa.systems import MODELS, export_sbml, model_parameters  # noqa: E402


def _doc(path):
    doc = libsbml.readSBMLFromFile(str(path))
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    return doc


@pytest.mark.parametrize("model", sorted(MODELS))
def test_units_check_with_no_warning(model, tmp_path):
    doc = _doc(export_sbml(model, tmp_path / f"{model}.xml"))
    messages = [f"{doc.getError(i).getSeverityAsString()} {doc.getError(i).getErrorId()}: "
                f"{doc.getError(i).getMessage().strip()[-160:]}" for i in range(doc.getNumErrors())]
    assert messages == []
    m = doc.getModel()
    # every parameter and species has a unit (none left for libsbml to guess)
    assert [p.getId() for p in m.getListOfParameters() if not p.isSetUnits()] == []
    assert m.getExtentUnits() == "mole" and m.getTimeUnits() == "second"


def test_a_wrong_unit_is_caught(tmp_path):
    """The check can fail: declaring a rate constant in M makes libsbml warn."""
    from neuromoa.systems import validate_sbml
    from neuromoa.systems._model import annotated_sbml

    text = annotated_sbml("trk")
    broken = re.sub(r'(id="kp" value="[^"]+" units=")per_s"', r'\1M"', text)
    assert broken != text
    assert any("unit" in w.lower() for w in validate_sbml(broken, warnings=True))


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_parameter_note_has_source_and_confidence(model, tmp_path):
    m = _doc(export_sbml(model, tmp_path / f"{model}.xml")).getModel()
    table = model_parameters(model, runtime=False).set_index("parameter")
    for name, row in table.iterrows():
        notes = m.getParameter(name).getNotesString()
        assert f"Source: {row['source']}".replace("&", "&amp;")[:60] in notes, name
        assert f"Confidence {row['confidence']} ({row['confidence_text']})" in notes, name


def _resources(element) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i in range(element.getNumCVTerms()):
        term = element.getCVTerm(i)
        res = term.getResources()
        out.setdefault(term.getBiologicalQualifierType(), []).extend(
            res.getValue(k) for k in range(res.getLength()))
    return out


def test_synapse_identifiers(tmp_path):
    m = _doc(export_sbml("synapse", tmp_path / "s.xml")).getModel()
    targets = load_kb().targets().set_index("id")
    parent = resolve_compound(flagship_compound())
    metab = resolve_compound(metabolites_of(parent.id)[0])
    ki = _resources(m.getParameter("Ki_parent_sert"))[libsbml.BQB_HAS_PART]
    assert f"https://identifiers.org/uniprot/{targets.loc['SERT', 'uniprot']}" in ki
    assert f"https://identifiers.org/chebi/CHEBI:{parent.chebi}" in ki
    assert _resources(m.getParameter("metab"))[libsbml.BQB_IS] == [
        f"https://identifiers.org/chebi/CHEBI:{metab.chebi}"]
    assert _resources(m.getSpecies("S_5ht"))[libsbml.BQB_IS] == [
        "https://identifiers.org/chebi/CHEBI:28790"]
    net = _resources(m)[libsbml.BQB_HAS_PART]
    assert "https://identifiers.org/uniprot/P23975" in net  # NET, SLC6A2


def test_trk_and_nmda_identifiers(tmp_path):
    trk = _doc(export_sbml("trk", tmp_path / "t.xml")).getModel()
    assert _resources(trk.getSpecies("TA"))[libsbml.BQB_IS] == ["https://identifiers.org/uniprot/P04629"]
    assert _resources(trk.getSpecies("TB"))[libsbml.BQB_IS] == ["https://identifiers.org/uniprot/Q16620"]
    nmda = _doc(export_sbml("nmda", tmp_path / "n.xml")).getModel()
    subunits = _resources(nmda)[libsbml.BQB_HAS_PART]
    assert {u.rsplit("/", 1)[1] for u in subunits} == {"Q05586", "Q12879", "Q13224"}


def test_another_compound_is_annotated_with_its_chebi(tmp_path):
    m = _doc(export_sbml("trk", tmp_path / "t.xml", compound="nortriptyline")).getModel()
    assert _resources(m.getParameter("drug"))[libsbml.BQB_IS] == [
        f"https://identifiers.org/chebi/CHEBI:{resolve_compound('nortriptyline').chebi}"]
