"""A bad well fails its own plate only (review finding 6); a malformed file is one error line.

Multi-plate files are written by the simulator (3 plates), then one well of plate P1-2 is
broken by hand; P1-1 and P1-3 must give the same result as when the file is intact.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from neuromoa.assays import analyze_plate, read_plates, simulate_uptake
from neuromoa.errors import DataFileError

_HEADER = ["plate", "well", "row", "column", "role", "compound", "concentration", "counts"]


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    d = tmp_path_factory.mktemp("three")
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=4, n_plates=3)
    p = d / "three.csv"
    ps.write(p)
    (d / "three.csv.json").unlink()  # the header line carries the conditions
    return p


def _broken(src, dst, plate, well, column, value):
    """Copy ``src`` with one cell of (plate, well) replaced; returns (path, its line number)."""
    lines = src.read_text().splitlines()
    idx = _HEADER.index(column)
    hit = None
    for i, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) == len(_HEADER) and cells[0] == plate and cells[1] == well:
            cells[idx] = value
            lines[i] = ",".join(cells)
            hit = i + 1
    assert hit is not None
    dst.write_text("\n".join(lines) + "\n")
    return dst, hit


@pytest.mark.parametrize("column, value, words", [
    ("counts", "abc", ["not a number", "'abc'"]),
    ("counts", "-620", ["negative"]),
    ("role", "tset", ["unknown role", "'tset'"]),
    ("concentration", "1000", ["no unit"]),
])
def test_bad_well_fails_only_its_plate(three, tmp_path, column, value, words):
    path, line = _broken(three, tmp_path / "bad.csv", "P1-2", "B4", column, value)
    good = {r.plate: r for r in analyze_plate("uptake", three).results}
    res = analyze_plate("uptake", path)
    by_plate = {r.plate: r for r in res.results}
    assert [r.plate for r in res.results] == ["P1-1", "P1-2", "P1-3"]  # file order
    bad = by_plate["P1-2"]
    assert bad.status == "failed"
    for w in ["bad.csv", f"row {line}", "B4", "P1-2", *words]:
        assert w in bad.message
    assert "\n" not in bad.message
    for name in ("P1-1", "P1-3"):
        assert by_plate[name].status != "failed"
        assert by_plate[name].ki_M == pytest.approx(good[name].ki_M, rel=1e-12)


def test_read_plates_keeps_the_error_and_the_other_plates(three, tmp_path):
    path, _ = _broken(three, tmp_path / "bad.csv", "P1-2", "C7", "counts", "abc")
    ps = read_plates(path)
    assert ps.plates == ["P1-1", "P1-3"]
    assert ps.all_plates == ["P1-1", "P1-2", "P1-3"]
    assert set(ps.errors) == {"P1-2"} and "C7" in ps.errors["P1-2"]


def test_grid_file_bad_count_fails_only_its_plate(tmp_path):
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=4, n_plates=2)
    grid, lay = tmp_path / "g.csv", tmp_path / "lay.csv"
    ps.write(grid, format="grid", layout_path=lay)
    text = grid.read_text().splitlines()
    second = [i for i, ln in enumerate(text) if ln.startswith("Plate,")][1]
    row_b = next(i for i in range(second, len(text)) if text[i].startswith("B,"))
    cells = text[row_b].split(",")
    cells[5] = "abc"  # well B5 of the second plate
    text[row_b] = ",".join(cells)
    grid.write_text("\n".join(text) + "\n")
    res = analyze_plate("uptake", grid, layout=lay)
    status = {r.plate: r.status for r in res.results}
    assert status["P1-1"] != "failed" and status["P1-2"] == "failed"
    assert "B5" in res.results[1].message and "abc" in res.results[1].message


def test_single_plate_bad_well_still_raises(tmp_path):
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=4)
    ps.write(tmp_path / "one.csv")
    path, _ = _broken(tmp_path / "one.csv", tmp_path / "one_bad.csv", "P1", "B4", "counts",
                      "abc")
    with pytest.raises(DataFileError, match="B4"):
        analyze_plate("uptake", path)


runner = CliRunner()


def _app():
    from neuromoa.cli.main import _register_all, app

    if not any(g.name == "assay" for g in app.registered_groups):
        _register_all([])
    return app


def test_cli_partial_failure_exits_1_and_prints_the_failed_plate(three, tmp_path):
    """Issue 17: some plates failed → exit 1, the failed plate listed, the others analysed."""
    path, _ = _broken(three, tmp_path / "bad.csv", "P1-2", "B4", "counts", "abc")
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(path)])
    assert res.exit_code == 1, res.output
    failed = [ln for ln in res.output.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 1 and "B4" in failed[0] and "P1-2" in failed[0]
    assert "P1-1" in res.output and "P1-3" in res.output


def test_cli_every_plate_failed_exits_2_one_line_each(three, tmp_path):
    lines = three.read_text().splitlines()
    out = []
    for ln in lines:
        cells = ln.split(",")
        if len(cells) == len(_HEADER) and cells[1] == "B4":
            cells[7] = "abc"
        out.append(",".join(cells))
    path = tmp_path / "allbad.csv"
    path.write_text("\n".join(out) + "\n")
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(path)])
    assert res.exit_code == 2
    errs = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(errs) == 3 and all(ln.startswith("error:") and "B4" in ln for ln in errs)
    assert {p for p in ("P1-1", "P1-2", "P1-3") if any(p in ln for ln in errs)} == {
        "P1-1", "P1-2", "P1-3"}


def test_cli_malformed_file_is_one_line_exit_2(tmp_path):
    p = tmp_path / "nocounts.csv"
    p.write_text("plate,well,role,compound,concentration\nP1,A1,total,,\nP2,A1,total,,\n")
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(p), "--target", "SERT"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "counts" in lines[0] and "nocounts.csv" in lines[0]


def test_cli_header_only_file_is_one_line_exit_2(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text(",".join(_HEADER) + "\n")
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(p), "--target", "SERT"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no wells" in lines[0]


def test_cli_figure_skips_a_failed_first_plate(three, tmp_path):
    path, _ = _broken(three, tmp_path / "bad.csv", "P1-1", "B4", "counts", "abc")
    fig = tmp_path / "fig.svg"
    res = runner.invoke(_app(), ["assay", "analyze", "uptake", str(path), "--plot", str(fig)])
    assert res.exit_code == 1, res.output  # one plate failed (issue 17)
    assert fig.stat().st_size > 1000
    assert "plate P1-2" in fig.read_text()  # the first analysed plate is drawn
