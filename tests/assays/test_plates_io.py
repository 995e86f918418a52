"""Plate files: tidy and grid round trips, a user's own files, and bad input naming the well."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuromoa.assays import analyze_plate, default_layout, read_plates, simulate_uptake
from neuromoa.assays.layout import parse_well
from neuromoa.errors import DataFileError, ProtocolError


@pytest.fixture(scope="module")
def plate():
    return simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=11)


def test_default_layout_is_the_documented_design():
    lay = default_layout()
    assert len(lay) == 96
    counts = lay["role"].value_counts()
    assert counts["total"] == 8 and counts["nsb"] == 8 and counts["test"] == 30
    test = lay[lay["role"] == "test"]
    assert sorted(test["dose_index"].unique()) == list(range(10))
    assert (test.groupby("dose_index").size() == 3).all()  # triplicate


def test_tidy_round_trip_and_same_bytes(plate, tmp_path):
    p1, p2 = tmp_path / "a.csv", tmp_path / "b.csv"
    plate.write(p1)
    simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=11).write(p2)
    assert p1.read_bytes() == p2.read_bytes()
    back = read_plates(p1)
    np.testing.assert_allclose(back.wells["counts_cpm"], plate.wells["counts_cpm"])
    np.testing.assert_allclose(back.wells["concentration_M"], plate.wells["concentration_M"],
                               rtol=1e-6)
    assert back.truth("P1")["ki_M"] == pytest.approx(3.45e-9)
    assert (tmp_path / "a.csv.json").is_file()


def test_grid_with_layout_equals_tidy(plate, tmp_path):
    plate.write(tmp_path / "g.csv", format="grid", layout_path=tmp_path / "lay.csv")
    grid = read_plates(tmp_path / "g.csv", layout=tmp_path / "lay.csv")
    pd.testing.assert_series_equal(grid.wells["role"], plate.wells["role"])
    np.testing.assert_allclose(grid.wells["counts_cpm"].fillna(-1),
                               plate.wells["counts_cpm"].fillna(-1))


def test_users_own_grid_file_without_header(tmp_path):
    """A plate-reader export as a user has it: no neuromoa header, no sidecar, µM units."""
    grid = tmp_path / "reader.csv"
    rows = [",1,2,3,4,5,6"]
    conc_uM = [10, 1, 0.1, 0.01, 0.001]
    for r in "ABC":
        vals = [1000] + [60 + 940 / (1 + c / 0.05) for c in conc_uM]
        rows.append(r + "," + ",".join(f"{v:.0f}" for v in vals))
    rows.append("D,990,55,52,61,58,50")
    grid.write_text("\n".join(rows) + "\n")
    lay = ["well,role,compound,concentration"]
    for r in "ABC":
        lay.append(f"{r}1,vehicle,,")
        lay += [f"{r}{j + 2},sample,drugX,{c} µM" for j, c in enumerate(conc_uM)]
    lay += ["D1,total,,"] + [f"D{j},nsb,fluoxetine,10 uM" for j in range(2, 7)]
    (tmp_path / "layout.csv").write_text("\n".join(lay) + "\n")
    res = analyze_plate("uptake", grid, layout=tmp_path / "layout.csv", substrate="100 nM",
                        km="630 nM")
    r = res.results[0]
    assert r.status != "failed"
    assert r.ic50_M == pytest.approx(0.05e-6, rel=0.05)


def _tidy(tmp_path, edit):
    lines = ["plate,well,role,compound,concentration,counts"]
    for i, r in enumerate("ABCDEFGH"):
        lines.append(f"P1,{r}1,total,,,{10000 + 10 * i}")
        lines.append(f"P1,{r}12,nsb,fluoxetine,10 uM,{500 + 5 * i}")
    for j, c in enumerate([1000, 300, 100, 30, 10, 3, 1, 0.3]):
        lines.append(f"P1,B{j + 2},test,drugX,{c} nM,{500 + 9500 / (1 + c / 4):.0f}")
    lines = edit(lines)
    p = tmp_path / "mine.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize("edit, words", [
    (lambda ls: [ls[0]] + [ln.replace("test", "tset") if "B4," in ln else ln for ln in ls[1:]],
     ["B4", "unknown role", "tset"]),
    (lambda ls: [ls[0]] + [ln.rsplit(",", 1)[0] + ",-12" if "B5," in ln else ln
                           for ln in ls[1:]], ["B5", "negative"]),
    (lambda ls: [ls[0]] + [ln.rsplit(",", 1)[0] + ",abc" if "B6," in ln else ln
                           for ln in ls[1:]], ["B6", "not a number"]),
    (lambda ls: [ls[0]] + [ln.replace(" nM", "") if "B7," in ln else ln for ln in ls[1:]],
     ["B7", "no unit"]),
])
def test_bad_input_names_the_well(tmp_path, edit, words):
    with pytest.raises(DataFileError) as exc:
        analyze_plate("uptake", _tidy(tmp_path, edit), substrate="100 nM", km="630 nM")
    msg = str(exc.value)
    assert "\n" not in msg and "mine.csv" in msg
    for w in words:
        assert w in msg


def test_missing_control_wells(tmp_path):
    p = _tidy(tmp_path, lambda ls: [ln for ln in ls if ",nsb," not in ln])
    with pytest.raises(ProtocolError, match="'nsb' control"):
        analyze_plate("uptake", p, substrate="100 nM", km="630 nM")
    res = analyze_plate("uptake", p, substrate="100 nM", km="630 nM", strict=False)
    assert res.results[0].status == "failed"


def test_clean_user_tidy_file_is_analysed(tmp_path):
    res = analyze_plate("uptake", _tidy(tmp_path, lambda ls: ls), substrate="100 nM", km="630 nM")
    r = res.results[0]
    assert r.ic50_M == pytest.approx(4e-9, rel=0.05)
    assert r.ki_M == pytest.approx(4e-9 / (1 + 100 / 630), rel=0.05)


def test_batch_one_bad_plate_does_not_stop_the_others(tmp_path):
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=3, n_plates=3)
    w = ps.wells
    bad = w[~((w["plate"] == "P1-2") & (w["role"] == "total"))]
    res = analyze_plate("uptake", type(ps)(bad.reset_index(drop=True), ps.meta, "batch"))
    status = {r.plate: r.status for r in res.results}
    assert status["P1-2"] == "failed" and "total" in res.results[1].message
    assert status["P1-1"] != "failed" and status["P1-3"] != "failed"


def test_unit_rescaling_changes_nothing(plate, tmp_path):
    """The same plate written with concentrations in µM (column unit) gives the same Ki."""
    w = plate.wells
    lines = ["plate,well,role,compound,concentration_uM,counts"]
    for r in w.itertuples(index=False):
        conc = "" if r.concentration_M == 0 else repr(r.concentration_M * 1e6)
        counts = "" if np.isnan(r.counts_cpm) else repr(r.counts_cpm)
        lines.append(f"{r.plate},{r.well},{r.role},{r.compound},{conc},{counts}")
    p = tmp_path / "um.csv"
    p.write_text("\n".join(lines) + "\n")
    a = analyze_plate("uptake", plate).results[0]
    b = analyze_plate("uptake", p, substrate="0.1 uM", km="0.63 uM").results[0]
    assert b.ki_M == pytest.approx(a.ki_M, rel=1e-6)
    assert b.ki_ci95_M[1] == pytest.approx(a.ki_ci95_M[1], rel=1e-6)


def test_tidy_counts_without_roles_take_the_layout(plate, tmp_path):
    plate.write(tmp_path / "g.csv", format="grid", layout_path=tmp_path / "lay.csv")
    w = plate.wells
    counts_only = tmp_path / "counts.csv"
    counts_only.write_text("well,counts\n" + "\n".join(
        f"{r.well},{r.counts_cpm!r}" for r in w.itertuples(index=False)) + "\n")
    a = analyze_plate("uptake", plate).results[0]
    b = analyze_plate("uptake", counts_only, layout=tmp_path / "lay.csv", substrate="100 nM",
                      km="630 nM").results[0]
    assert b.ki_M == pytest.approx(a.ki_M, rel=1e-9)


@given(st.sampled_from("ABCDEFGHabcdefgh"), st.integers(1, 12), st.booleans())
def test_parse_well_accepts_plate_wells(letter, column, zero_pad):
    text = f"{letter}{column:02d}" if zero_pad else f"{letter}{column}"
    assert parse_well(text) == (letter.upper(), column)


@given(st.text(max_size=6))
def test_parse_well_never_crashes(text):
    out = parse_well(text)
    assert out is None or (out[0] in "ABCDEFGHIJKLMNOP" and 1 <= out[1] <= 24)
