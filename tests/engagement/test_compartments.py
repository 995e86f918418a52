"""Compartments: Kp,uu applies to brain targets only; a user overlay is checked."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromoa.engagement import engage
from neuromoa.engagement.compartments import COMPARTMENTS, compartment_table, load_compartments
from neuromoa.errors import InputError
from neuromoa.kb import load_kb


def test_every_shipped_target_is_tagged_with_a_known_compartment():
    table = compartment_table()
    assert set(table["compartment"]) <= set(COMPARTMENTS)
    assert set(load_kb().targets()["id"]) <= set(table["target"])
    assert table["source"].notna().all() and table["reason"].notna().all()


def test_kp_uu_moves_brain_targets_only():
    a = engage("amitriptyline", dose="150 mg", every="24h", kp_uu=1.0, calibrate=False)
    b = engage("amitriptyline", dose="150 mg", every="24h", kp_uu=0.3, calibrate=False)
    for target in ("M1", "H1"):  # brain
        assert b.occupancy(target) < a.occupancy(target)
    for target in ("M3", "alpha1", "hERG", "M2"):  # peripheral / heart
        assert b.occupancy(target) == pytest.approx(a.occupancy(target), rel=1e-12)


def test_user_overlay_moves_a_target_and_unknown_compartment_is_an_error(tmp_path):
    ok = tmp_path / "c.csv"
    ok.write_text("target,compartment\nM1,peripheral\n")
    r = engage("amitriptyline", dose="150 mg", every="24h", kp_uu=0.3, compartments=[ok],
               calibrate=False)
    assert r.targets.set_index("target").loc["M1", "compartment"] == "peripheral"
    bad = tmp_path / "bad.csv"
    bad.write_text("target,compartment\nM1,liver\n")
    with pytest.raises(InputError, match=r"row 2: unknown compartment 'liver'"):
        engage("amitriptyline", dose="150 mg", every="24h", compartments=[bad])
    typo = tmp_path / "typo.csv"
    typo.write_text("target,compartment\nM9,brain\n")
    with pytest.raises(InputError, match="unknown target 'M9'"):
        engage("amitriptyline", dose="150 mg", every="24h", compartments=[typo])


def test_metabolite_without_data_is_said_not_combined():
    r = engage("amitriptyline", dose="150 mg", every="24h")
    t = r.targets.set_index(["target", "condition"])
    assert t.loc[("NET", ""), "metabolite"] == "parent and metabolite combined"
    assert t.loc[("Nav1.5", "Inactivated"), "metabolite"].startswith(
        "metabolite not included: no data")


_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.one_of(st.sampled_from(["M1", "H1", "hERG"]), _cells),
                               st.one_of(st.sampled_from(["brain", "heart", "Peripheral"]),
                                         _cells)), max_size=5),
       header=st.sampled_from(["target,compartment", "compartment,target", "target,where", ""]))
def test_overlay_reader_never_fails_unclearly(tmp_path_factory, rows, header):
    """Any file: a valid mapping onto the four compartments, or an InputError naming the file."""
    path = tmp_path_factory.mktemp("c") / "overlay.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    if header:
        buf.write(header + "\n")
    for t, c in rows:
        w.writerow([c, t] if header.startswith("compartment") else [t, c])
    path.write_text(buf.getvalue(), encoding="utf-8")
    known = set(load_kb().targets()["id"])
    try:
        out = load_compartments([path], known_targets=known)
    except InputError as exc:
        assert str(path) in str(exc)
        return
    assert set(out.values()) <= set(COMPARTMENTS)
    assert set(out) >= known
