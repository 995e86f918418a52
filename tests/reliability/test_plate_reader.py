"""Plate files, layouts and sidecars: a bad well fails its plate, a bad header value its plate,
a malformed file is one clean line (issue 17, items 2 and 3)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuromoa.assays import analyze_plate, simulate_uptake
from neuromoa.assays.plates import read_layout, read_plates
from neuromoa.cli.main import _register_all, app
from neuromoa.errors import DataFileError, NeuromoaError

runner = CliRunner()
_register_all([])


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    d = tmp_path_factory.mktemp("plates")
    ps = simulate_uptake("SERT", "amitriptyline", ki="3.45 nM", km="630 nM", seed=4, n_plates=3)
    p = d / "three.csv"
    ps.write(p)
    (d / "three.csv.json").unlink()
    return p


def _edit(src, dst, old, new, count=1):
    text = src.read_text(encoding="utf-8")
    assert old in text
    dst.write_text(text.replace(old, new, count), encoding="utf-8")
    return dst


def _header(path):
    line = path.read_text(encoding="utf-8").splitlines()[0]
    return json.loads(line.split("neuromoa:", 1)[1])


def _with_header(src, dst, mutate):
    lines = src.read_text(encoding="utf-8").splitlines()
    meta = _header(src)
    mutate(meta)
    lines[0] = "# neuromoa: " + json.dumps(meta)
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst


def test_defect_bad_plate_cell_fails_every_plate(three, tmp_path):
    """'P1-2x' in one well's plate cell: that typo is reported, the other plates analysed."""
    path = _edit(three, tmp_path / "typo.csv", "\nP1-2,B5,", "\nP1-2x,B5,")
    res = runner.invoke(app, ["assay", "analyze", "uptake", str(path)])
    assert res.exit_code == 1, res.output
    failed = [ln for ln in res.output.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 1 and "'P1-2x' is not one of the header's plates" in failed[0]
    result = analyze_plate("uptake", path)
    status = {r.plate: r.status for r in result.results}
    assert status["P1-2x"] == "failed" and status["P1-1"] != "failed" and status["P1-3"] != "failed"


def test_defect_bad_kd_fails_every_plate(three, tmp_path):
    path = _with_header(three, tmp_path / "km.csv",
                        lambda m: m["plates"]["P1-2"]["conditions"].update(km_M="abc"))
    result = analyze_plate("uptake", path)
    status = {r.plate: (r.status, r.message) for r in result.results}
    assert status["P1-2"][0] == "failed" and "km_M" in status["P1-2"][1]
    assert status["P1-1"][0] != "failed" and status["P1-3"][0] != "failed"


@pytest.mark.parametrize(("key", "value", "match"), [
    ("count_time_s", "abc", "count_time_s"),
    ("volume_L", 0, "volume_L"),
    ("counting_efficiency", 3, "counting_efficiency"),
    ("substrate_M", float("nan"), "substrate_M"),
    ("background_cpm", -5, "background_cpm"),
    ("assay", "westernblot", "assay"),
])
def test_defect_unchecked_header_values(three, tmp_path, key, value, match):
    path = _with_header(three, tmp_path / "h.csv",
                        lambda m: m["plates"]["P1-1"]["conditions"].update({key: value}))
    ps = read_plates(path)
    assert list(ps.errors) == ["P1-1"] and match in ps.errors["P1-1"]
    assert ps.plates == ["P1-2", "P1-3"]


@pytest.mark.parametrize("plates", [[], "x", 3])
def test_defect_plates_not_an_object(three, tmp_path, plates):
    path = _with_header(three, tmp_path / "p.csv", lambda m: m.update(plates=plates))
    with pytest.raises(DataFileError, match="header 'plates' must be an object"):
        read_plates(path)


def test_defect_plates_null_is_no_metadata(three, tmp_path):
    path = _with_header(three, tmp_path / "p.csv", lambda m: m.update(plates=None))
    ps = read_plates(path)
    assert ps.plates == ["P1-1", "P1-2", "P1-3"] and ps.meta == {}


def test_defect_header_not_json(three, tmp_path):
    path = _edit(three, tmp_path / "j.csv", '# neuromoa: {"plates"', '# neuromoa: {plates')
    with pytest.raises(DataFileError, match="header is not valid JSON"):
        read_plates(path)


def test_defect_sidecar_values_checked(tmp_path):
    ps = simulate_uptake("SERT", "amitriptyline", seed=2)
    p = tmp_path / "s.csv"
    ps.write(p)
    lines = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # only the sidecar remains
    side = tmp_path / "s.csv.json"
    meta = json.loads(side.read_text())
    meta["plates"]["P1"]["conditions"]["volume_L"] = "lots"
    side.write_text(json.dumps(meta))
    assert "volume_L" in read_plates(p).errors["P1"]
    side.write_text("{not json")
    with pytest.raises(DataFileError, match="sidecar is not valid JSON"):
        read_plates(p)


def test_defect_non_utf8_plate_file(three, tmp_path):
    # once a traceback; the plate readers now sniff UTF-8 / UTF-16 / Windows-1252, where byte
    # 0xB5 is the micro sign: "10000 \xb5M" must be read as 10 mM, not as 10 uM or garbage
    path = tmp_path / "latin.csv"
    path.write_bytes(three.read_bytes().replace(b"10000 nM", b"10000 \xb5M", 1))
    frame = read_plates(path).to_frame()
    well = frame[(frame.plate == "P1-1") & (frame.well == "A12")]
    assert well.concentration_M.tolist() == [pytest.approx(1e-2)]
    before = read_plates(three).to_frame()
    assert before[(before.plate == "P1-1") & (before.well == "A12")].concentration_M.tolist() \
        == [pytest.approx(1e-5)]


def test_defect_blank_role_drops_test_wells(three, tmp_path):
    path = _edit(three, tmp_path / "role.csv", "\nP1-2,B5,B,5,test,", "\nP1-2,B5,B,5,,")
    ps = read_plates(path)
    assert "role is blank" in ps.errors["P1-2"]
    assert ps.plates == ["P1-1", "P1-3"]


def test_defect_extra_field_in_a_plate_row(three, tmp_path):
    path = _edit(three, tmp_path / "x.csv", "\nP1-2,B5,B,5,test,amitriptyline,",
                 "\nP1-2,B5,B,5,test,amitriptyline,x,")
    with pytest.raises(DataFileError, match="fields where the header has 8"):
        read_plates(path)


def test_defect_layout_errors_are_clean(tmp_path):
    lay = tmp_path / "layout.csv"
    lay.write_bytes(b"well,role\nA1,total\nB2,\xff\n")  # a Windows-1252 byte: an unknown role
    with pytest.raises(DataFileError, match=r"row 3: well B2: unknown role"):
        read_layout(lay)
    lay.write_text("well,role,compound,concentration\nA1,total,,\nB2,test,x,3 nM/0\n")
    with pytest.raises(DataFileError, match="B2"):
        read_layout(lay)
    lay.write_text("")
    with pytest.raises(DataFileError):
        read_layout(lay)


@pytest.mark.parametrize("cell", ["1 Mm", "1 nM!", "3 nM)", "1 nM**2", "pKi -400", "1e999 nM"])
def test_defect_plate_cell_units_fail_their_plate(three, tmp_path, cell):
    text = three.read_text(encoding="utf-8")
    start = text.index("\nP1-3,")
    row_start = text.index(",test,amitriptyline,", start)
    row_end = text.index(",", row_start + len(",test,amitriptyline,"))
    bad = text[:row_start] + ",test,amitriptyline," + cell + text[row_end:]
    path = tmp_path / "u.csv"
    path.write_text(bad, encoding="utf-8")
    ps = read_plates(path)
    assert list(ps.errors) == ["P1-3"] and ps.plates == ["P1-1", "P1-2"]


_MUTATIONS = st.tuples(st.integers(0, 10**6), st.binary(max_size=6),
                       st.sampled_from(["insert", "replace", "truncate", "delete_line"]))


@settings(max_examples=60, deadline=None)
@given(m=_MUTATIONS)
def test_mutated_plate_file_property(three, tmp_path_factory, m):
    """Any mutation: a clean NeuromoaError, or plates whose wells match the file's own rows."""
    pos, junk, how = m
    data = three.read_bytes()
    pos = pos % (len(data) + 1)
    if how == "insert":
        data = data[:pos] + junk + data[pos:]
    elif how == "replace":
        data = data[:pos] + junk + data[pos + len(junk):]
    elif how == "truncate":
        data = data[:pos]
    else:
        lines = data.split(b"\n")
        del lines[pos % len(lines)]
        data = b"\n".join(lines)
    path = tmp_path_factory.mktemp("mut") / "m.csv"
    path.write_bytes(data)
    try:
        ps = read_plates(path)
    except (NeuromoaError, FileNotFoundError):
        return
    _check_against_text(ps, data)


def _check_against_text(ps, data):
    """Every well read must be one row of the file with the same counts (no silent change)."""
    import csv
    import io
    rows = {}
    for r in csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))):
        if len(r) >= 8 and r[0] in set(ps.plates):
            rows[(r[0], r[1].strip().upper())] = r[7]
    for plate, well, counts in ps.wells[["plate", "well", "counts_cpm"]].itertuples(index=False):
        text = rows.get((plate, well))
        if text is None or text.strip() == "":
            continue
        assert float(text) == counts, (plate, well, text, counts)
