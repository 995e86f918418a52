"""Plate-reader grids and plate maps (neuromoa.io.plates): property tests and the vendors' styles.

The grids here are formatted by the tests themselves (not by neuromoa's writers): separator,
decimal mark, line ending, corner cell, instrument header and footer lines, 96 or 384 wells,
several plates. Whatever the style, the values read back must be the values written.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromoa.errors import DataFileError
from neuromoa.io.plates import read_plate_grids, read_plate_map

ROWS = "ABCDEFGHIJKLMNOP"
_SETTINGS = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])

# (separator, decimal mark, corner) as the instruments write them
STYLES = [(",", ".", ""), ("\t", ".", "<>"), (";", ",", ""), (",", ".", "CPM"), ("\t", ",", "<>")]
HEADERS = [[], ["MicroBeta2 2450 Microplate Counter", "Protocol name: 3H filtermat",
                "Counting time: 2.0 min"],
           ["Application: Tecan i-control", "Device: infinite M1000 PRO",
            "Plate\tPerkinElmer 96 OptiPlate [PE96wOpti]"],
           ["User: USER", "Test name: uptake", "Date: 07.12.2026"]]
FOOTERS = [[], ["End Time:\t07.12.2026 10:42:11"], ["", "End of report"]]


def _fmt(x: float, decimal: str) -> str:
    text = repr(x) if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",") if decimal == "," else text


def _grid_text(plates, *, sep, decimal, corner, header, footer, names, eol, trailing_sep):
    lines = list(header)
    for k, values in enumerate(plates):
        n_rows, n_cols = len(values), len(values[0])
        lines.append("")
        if names:
            lines.append(f"Plate: {names[k]}")
        lines.append(sep.join([corner, *(str(c) for c in range(1, n_cols + 1))])
                     + (sep if trailing_sep else ""))
        for i in range(n_rows):
            lines.append(sep.join([ROWS[i], *(_fmt(v, decimal) for v in values[i])])
                         + (sep if trailing_sep else ""))
    lines += footer
    return eol.join(lines) + eol


@st.composite
def plate_files(draw):
    size = draw(st.sampled_from([(8, 12), (16, 24), (3, 5)]))
    n = draw(st.integers(1, 3))
    value = st.one_of(st.integers(0, 10**6).map(float),
                      st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)))
    plates = [[[draw(value) for _ in range(size[1])] for _ in range(size[0])]
              for _ in range(n)]
    sep, decimal, corner = draw(st.sampled_from(STYLES))
    named = draw(st.booleans())
    return dict(plates=plates, sep=sep, decimal=decimal, corner=corner,
                header=draw(st.sampled_from(HEADERS)), footer=draw(st.sampled_from(FOOTERS)),
                names=[f"P{k + 1}" for k in range(n)] if named else None,
                eol=draw(st.sampled_from(["\n", "\r\n"])), trailing_sep=draw(st.booleans()))


@_SETTINGS
@given(spec=plate_files(), bom=st.booleans())
def test_every_style_reads_back_the_values_written(tmp_path, spec, bom):
    p = tmp_path / "reader.txt"
    text = _grid_text(**spec)
    p.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    out = read_plate_grids(p)
    n = len(spec["plates"])
    expected_names = spec["names"] or (["reader"] if n == 1 else
                                       [f"reader-{k}" for k in range(1, n + 1)])
    assert out.attrs["plates"] == expected_names
    assert (out["error"] == "").all()
    for name, values in zip(expected_names, spec["plates"], strict=True):
        sub = out[out["plate"] == name].set_index("well")
        assert len(sub) == len(values) * len(values[0])
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                assert sub.loc[f"{ROWS[i]}{j + 1}", "value"] == pytest.approx(v, rel=1e-12)


@_SETTINGS
@given(text=st.text(max_size=400))
def test_any_text_is_read_or_refused_with_a_file_error(tmp_path, text):
    p = tmp_path / "junk.txt"
    p.write_text(text, encoding="utf-8")
    try:
        out = read_plate_grids(p)
    except DataFileError as exc:
        assert "junk.txt" in str(exc) and "\n" not in str(exc)
    else:
        assert set(out.columns) >= {"plate", "well", "value", "error"}
        assert all(("junk.txt" in e) for e in out["error"] if e)


@_SETTINGS
@given(roles=st.lists(st.sampled_from(["total", "nsb", "test", "", "vehicle", "sample"]),
                      min_size=96, max_size=96),
       conc=st.lists(st.floats(0.001, 1e5, allow_nan=False).map(lambda x: float(f"{x:.6g}")),
                     min_size=96, max_size=96),
       unit=st.sampled_from(["nM", "uM", "µM"]), label_style=st.integers(0, 2))
def test_plate_map_grids_read_back(tmp_path, roles, conc, unit, label_style):
    label = ["Concentration ({u})", "Concentration [{u}]", "conc_{u}"][label_style].format(u=unit)
    lines = ["Role", "," + ",".join(str(c) for c in range(1, 13))]
    for i in range(8):
        lines.append(ROWS[i] + "," + ",".join(roles[i * 12:(i + 1) * 12]))
    lines += ["", label, "," + ",".join(str(c) for c in range(1, 13))]
    for i in range(8):
        lines.append(ROWS[i] + "," + ",".join(
            (f"{conc[i * 12 + j]!r}" if roles[i * 12 + j] else "") for j in range(12)))
    p = tmp_path / "map.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = read_plate_map(p).set_index("well")
    assert len(m) == 96
    factor = {"nM": 1e-9, "uM": 1e-6, "µM": 1e-6}[unit]
    for k in range(96):
        well = f"{ROWS[k // 12]}{k % 12 + 1}"
        assert m.loc[well, "role"] == roles[k]
        expect = conc[k] * factor if roles[k] else 0.0
        assert math.isclose(m.loc[well, "concentration_M"], expect, rel_tol=1e-9)


def test_european_thousands_and_decimal_comma(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_bytes(b";1;2\r\nA;1.234,5;12,25\r\nB;7;0,5\r\n")
    out = read_plate_grids(p).set_index("well")["value"]
    assert out.to_dict() == {"A1": 1234.5, "A2": 12.25, "B1": 7.0, "B2": 0.5}


def test_windows_1252_header_is_read(tmp_path):
    p = tmp_path / "cp.txt"
    p.write_bytes("Volume: 200 µl\n,1,2\nA,5,6\n".encode("cp1252"))
    out = read_plate_grids(p)
    assert out["value"].tolist() == [5.0, 6.0]


@pytest.mark.parametrize("text, words", [
    ("Instrument: x\nno grid here\n", ["no plate grid"]),
    (",1,2\nA,1,2\nA,3,4\n", ["row A comes after row A", "row 3"]),
    (",1,2\nA,1,2,3\n", ["3 values", "2 columns"]),
    (",1,2\nQ,1,2\n", ["'Q' is not a plate row letter"]),
    ("Plate: X\n,1\nA,1\nPlate: X\n,1\nA,2\n", ["two grids", "'X'"]),
    (",1,2\n\nfooter\n", ["not followed by rows"]),
])
def test_malformed_grid_names_file_and_line(tmp_path, text, words):
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(DataFileError) as exc:
        read_plate_grids(p)
    msg = str(exc.value)
    assert msg.startswith("bad.txt") and "\n" not in msg
    for w in words:
        assert w in msg


def test_bad_value_is_reported_for_its_well_only(tmp_path):
    p = tmp_path / "v.txt"
    p.write_text("Plate: P1\n,1,2\nA,1,OVER\nPlate: P2\n,1,2\nA,3,4\n")
    out = read_plate_grids(p)
    bad = out[out["error"] != ""]
    assert bad["well"].tolist() == ["A2"] and bad["plate"].tolist() == ["P1"]
    assert "v.txt, row 3" in bad["error"].iloc[0] and "'OVER'" in bad["error"].iloc[0]
    assert out[out["plate"] == "P2"]["value"].tolist() == [3.0, 4.0]


@pytest.mark.parametrize("text, words", [
    ("Stuff\n,1\nA,x\n", ["labelled 'Stuff'"]),
    ("Concentration (nM)\n,1\nA,5\n", ["no role map"]),
    ("Role\n,1\nA,test\nConcentration\n,1\nA,5\n", ["no unit", "Concentration (nM)"]),
    ("Role\n,1\nA,test\nRole\n,1\nA,test\n", ["second role map"]),
    ("Role\n,1\nA,test\nConcentration\n,1\nA,5 parsecs\n", ["A1"]),
])
def test_malformed_map_names_what_is_expected(tmp_path, text, words):
    p = tmp_path / "map.csv"
    p.write_text(text)
    with pytest.raises(DataFileError) as exc:
        read_plate_map(p)
    msg = str(exc.value)
    assert "map.csv" in msg and "\n" not in msg
    for w in words:
        assert w in msg
