"""The fit CSV reader keeps identity and says what it dropped (issue 17, item 2)."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.errors import DataFileError, NeuromoaError
from neuromoa.fitting import fit_csv
from neuromoa.fitting.io import read_curve_table

runner = CliRunner()
_register_all([])

CONC = (0.1, 1, 3, 10, 30, 100, 1000)


def _curve_rows(cid, ic50=10.0, weight=None):
    rng = np.random.default_rng(len(str(cid)))  # a little noise: exact data may not converge
    rows = []
    for c in CONC:
        r = [cid, c, round(100 / (1 + c / ic50) + rng.normal(0, 1.0), 6)]
        if weight is not None:
            r.append(weight)
        rows.append(r)
    return rows


def _write(path, header, rows, end=""):
    path.write_text(",".join(header) + "\n"
                    + "".join(",".join(map(str, r)) + end + "\n" for r in rows), encoding="utf-8")
    return path


IDS = ["01", "1", "NA", "None", "null", "nan", "", "1.0", "N/A"]


def test_defect_curve_ids_converted_by_pandas(tmp_path):
    rows = [r for i, cid in enumerate(IDS) for r in _curve_rows(cid, ic50=3.0 + i)]
    path = _write(tmp_path / "ids.csv", ["curve", "concentration_nM", "response"], rows)
    table, unit = read_curve_table(path)
    assert unit == "nM"
    assert list(dict.fromkeys(table["curve"])) == IDS
    res = fit_csv(path)
    assert [str(c) for c in res.curve_ids] == IDS  # nine curves, none merged
    assert set(res.status) == {"ok"}
    ic50 = res.to_frame().set_index("curve")["ic50"]
    for i, cid in enumerate(IDS):  # each curve keeps its own data: its own IC50
        assert ic50[cid] == pytest.approx(3.0 + i, rel=0.3)


def test_defect_trailing_comma_shifts_columns(tmp_path):
    rows = _curve_rows("a") + _curve_rows("b", 30)
    path = _write(tmp_path / "tc.csv", ["curve", "concentration_nM", "response"], rows, end=",")
    table, _ = read_curve_table(path)
    assert list(table.columns) == ["curve", "concentration", "response"]
    assert table["concentration"].tolist()[:3] == [0.1, 1, 3]
    assert any("trailing comma" in n for n in table.attrs["dropped"])
    res = runner.invoke(app, ["fit", str(path)])
    assert res.exit_code == 0, res.output
    assert "trailing comma" in res.output


def test_defect_extra_field_makes_the_first_column_the_index(tmp_path):
    rows = _curve_rows("a")
    rows[3] = rows[3] + ["7"]
    path = _write(tmp_path / "extra.csv", ["curve", "concentration_nM", "response"], rows)
    with pytest.raises(DataFileError, match=r"row 5: 4 fields where the header has 3"):
        read_curve_table(path)
    res = runner.invoke(app, ["fit", str(path)])
    assert res.exit_code == 2 and "row 5" in res.output and "Traceback" not in res.output


def test_defect_missing_field_filled_silently(tmp_path):
    rows = _curve_rows("a")
    rows[2] = rows[2][:2]
    path = _write(tmp_path / "short.csv", ["curve", "concentration_nM", "response"], rows)
    with pytest.raises(DataFileError, match=r"row 4: 2 fields .*a missing field"):
        read_curve_table(path)


def test_defect_unit_column_disagreeing_with_header_ignored(tmp_path):
    rows = [r + ["nM"] for r in _curve_rows("a")]
    rows[4][-1] = "uM"
    path = _write(tmp_path / "unit.csv", ["curve", "concentration_nM", "response", "unit"], rows)
    with pytest.raises(DataFileError, match=r"row 6, field 'unit': unit 'uM' disagrees"):
        read_curve_table(path)


def test_agreeing_unit_column_is_fine(tmp_path):
    rows = [r + ["nM"] for r in _curve_rows("a")]
    path = _write(tmp_path / "unit.csv", ["curve", "concentration_nM", "response", "unit"], rows)
    table, unit = read_curve_table(path)
    assert unit == "nM" and len(table) == len(CONC)


def test_defect_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("curve,concentration_µM,response\na,1,2\n".encode("latin-1"))
    with pytest.raises(DataFileError, match="not UTF-8: byte 0xb5"):
        read_curve_table(path)
    utf16 = tmp_path / "utf16.csv"
    text = "curve,concentration_µM,response\n" + "".join(
        f"a,{c},{100 / (1 + c)}\n" for c in CONC)
    utf16.write_text(text, encoding="utf-16")
    table, unit = read_curve_table(utf16)
    assert unit == "µM" and len(table) == len(CONC)


def test_defect_binary_file(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\x00\x01\x02curve\x00")
    with pytest.raises(DataFileError, match="NUL bytes"):
        read_curve_table(path)


def test_blank_lines_are_counted_and_named(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("curve,concentration_nM,response\n\n" + "".join(
        f"a,{c},{100 / (1 + c)}\n" for c in CONC) + ",,\n", encoding="utf-8")
    table, _ = read_curve_table(path)
    assert len(table) == len(CONC)
    assert table.attrs["dropped"] == ["2 blank line(s) were skipped (line 2, 10)"]


def test_defect_fit_exits_0_when_every_curve_failed(tmp_path):
    rows = [["a", 1, 5], ["a", 10, 5], ["b", 1, 5]]
    path = _write(tmp_path / "bad.csv", ["curve", "concentration_nM", "response"], rows)
    res = runner.invoke(app, ["fit", str(path)])
    assert res.exit_code == 2
    assert "2 of 2 curve(s) failed: 'a', 'b'" in res.output


def test_some_curves_failed_exit_1_listed(tmp_path):
    rows = _curve_rows("good") + [["bad", 1, 5], ["bad", 10, 5]]
    path = _write(tmp_path / "some.csv", ["curve", "concentration_nM", "response"], rows)
    res = runner.invoke(app, ["fit", str(path), "--json"])
    assert res.exit_code == 1
    assert "1 of 2 curve(s) failed: 'bad'" in res.output


def test_defect_weight_1e_minus_308_kills_the_batch(tmp_path):
    rows = _curve_rows("a", 10, 1.0) + _curve_rows("tiny", 10, 1e-308) + _curve_rows("c", 3, 2.0)
    path = _write(tmp_path / "w.csv", ["curve", "concentration_nM", "response", "weight"], rows)
    res = fit_csv(path, weights="given")
    status = dict(zip(map(str, res.curve_ids), res.status, strict=True))
    assert status == {"a": "ok", "tiny": "failed", "c": "ok"}
    frame = res.to_frame()
    assert "weight" in frame.loc[frame["curve"] == "tiny", "message"].iloc[0]


def test_defect_markup_in_curve_ids_is_shown_as_written(tmp_path):
    ids = ["[red]x", "[/bold]", "<script>alert(1)</script>"]
    rows = [r for i, cid in enumerate(ids) for r in _curve_rows(cid, 3 + i)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [["curve", "concentration_nM", "response"], *rows])
    path = tmp_path / "markup.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    res = runner.invoke(app, ["fit", str(path)])
    assert res.exit_code == 0, res.output
    for cid in ids:
        assert cid in res.output
    html = fit_csv(path).fits[2]._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


# ------------------------------------------------------------------ properties

_id_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(_id_text, min_size=1, max_size=4, unique=True),
       values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=6))
def test_round_trip_property(tmp_path_factory, ids, values):
    """A drawn table written as CSV (quoted as needed) is read back unchanged."""
    rows = [[cid, i + 1, v] for cid in ids for i, v in enumerate(values)]
    frame = pd.DataFrame(rows, columns=["curve", "concentration_nM", "response"])
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    frame.to_csv(path, index=False)
    expect_ids = [str(c) for c in frame["curve"]]
    table, _ = read_curve_table(path)  # a valid table is never refused
    assert table["curve"].tolist() == expect_ids
    np.testing.assert_array_equal(table["response"].to_numpy(dtype=float), frame["response"])


_VALID = ("curve,concentration_nM,response,weight\n"
          + "".join(f"c{i % 3},{c},{100 / (1 + c / 10):.4f},1\n" for i, c in enumerate(CONC * 3)))


@settings(max_examples=80, deadline=None)
@given(pos=st.integers(0, len(_VALID)), junk=st.binary(max_size=8),
       how=st.sampled_from(["insert", "replace", "truncate"]))
def test_mutated_file_property(tmp_path_factory, pos, junk, how):
    """Any byte mutation: a clean DataFileError, or a table whose ids are the file's own text."""
    data = _VALID.encode()
    if how == "insert":
        data = data[:pos] + junk + data[pos:]
    elif how == "replace":
        data = data[:pos] + junk + data[pos + len(junk):]
    else:
        data = data[:pos]
    path = tmp_path_factory.mktemp("mut") / "m.csv"
    path.write_bytes(data)
    try:
        table, _ = read_curve_table(path)
    except NeuromoaError:
        return
    reference = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = [h.strip() for h in reference[0]]
    if "curve" in header:
        col = header.index("curve")
        ref_ids = [r[col] for r in reference[1:] if any(c.strip() for c in r)]
        assert table["curve"].tolist() == ref_ids


def test_json_of_fit_keeps_text_ids(tmp_path):
    rows = _curve_rows("01") + _curve_rows("1", 30)
    path = _write(tmp_path / "ids.csv", ["curve", "concentration_nM", "response"], rows)
    res = runner.invoke(app, ["fit", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert [f["curve"] for f in json.loads(res.stdout)["fits"]] == ["01", "1"]


def test_defect_whitespace_only_line_became_a_curve(tmp_path):
    """Found by benchmarks/fuzz_inputs.py: a last line holding only a tab was a curve '\\t'."""
    path = tmp_path / "tab.csv"
    path.write_text("curve,concentration_nM,response\n" + "".join(
        f"a,{c},{100 / (1 + c)}\n" for c in CONC) + "\t\n", encoding="utf-8")
    table, _ = read_curve_table(path)
    assert table["curve"].tolist() == ["a"] * len(CONC)
    assert table.attrs["dropped"] == [f"1 blank line(s) were skipped (line {len(CONC) + 2})"]


def test_defect_bare_carriage_return_inside_a_line(tmp_path):
    """Found by the hypothesis property: a CR inside the header split it for pandas, and a row
    'weight' with no numbers became a curve."""
    path = tmp_path / "cr.csv"
    path.write_bytes(b"curve,concentration_nM,response,\rweight\nc0,0.1,99.0,1\nc1,1,90.9,1\n")
    with pytest.raises(DataFileError, match=r"carriage return") as err:
        read_curve_table(path)
    assert "row 1" in str(err.value) or "line 1" in str(err.value)
    crlf = tmp_path / "crlf.csv"  # CRLF line ends stay fine
    crlf.write_bytes(b"curve,concentration_nM,response\r\na,1,50\r\na,10,20\r\n")
    assert read_curve_table(crlf)[0]["curve"].tolist() == ["a", "a"]
