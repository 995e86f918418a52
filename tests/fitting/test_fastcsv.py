"""The fast reader of the canonical long CSV: the same numbers, ids and fits as the full
reader, every other file handed to the full reader, and the threaded kernel/JSON identical to
one thread."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuromoa.errors import DataFileError
from neuromoa.fitting import _threads
from neuromoa.fitting._fastcsv import read_canonical
from neuromoa.fitting.engine import fit_curves
from neuromoa.fitting.frame import fit_csv
from neuromoa.fitting.io import read_curve_table
from neuromoa.fitting.jsonout import write_json

CONC = 10.0 ** np.linspace(-10.0, -5.5, 10)


def _screen(n: int, seed: int = 3) -> str:
    """n ten-point curves, ids 'c<i>', 17-digit concentrations and 6-digit responses."""
    rng = np.random.default_rng(seed)
    lines = ["curve,concentration_M,response"]
    for i in range(n):
        c, h = rng.uniform(-8.5, -7.0), rng.uniform(-1.5, -0.7)
        y = 100 / (1 + 10 ** ((c - np.log10(CONC)) * h)) + rng.normal(0, 5, CONC.size)
        lines += [f"c{i},{float(x)!r},{v:.6g}" for x, v in zip(CONC, y, strict=True)]
    return "\n".join(lines) + "\n"


def _json(res) -> bytes:
    buf = io.BytesIO()
    write_json(res, buf)
    return buf.getvalue()


def test_fast_path_equals_full_reader(tmp_path):
    path = tmp_path / "screen.csv"
    path.write_text(_screen(300))
    cols = read_canonical(path)
    assert cols is not None  # the canonical layout takes the fast path
    table, unit = read_curve_table(path)
    assert unit == cols.unit == "M"
    np.testing.assert_array_equal(cols.x, table["concentration"].to_numpy(dtype=float))
    np.testing.assert_array_equal(cols.y, table["response"].to_numpy(dtype=float))
    np.testing.assert_array_equal(cols.ids[cols.codes], table["curve"].to_numpy())
    np.testing.assert_array_equal(cols.lines, table.index.to_numpy())
    assert _json(fit_csv(path)) == _json(fit_curves(table, unit=unit))


def test_threads_give_the_same_fits_and_json(tmp_path, monkeypatch):
    path = tmp_path / "screen.csv"
    path.write_text(_screen(400))
    monkeypatch.setattr(_threads, "PARALLEL_MIN", 50)
    monkeypatch.setattr(_threads, "workers", lambda: 3)
    many = fit_csv(path)
    text_many = _json(many)
    monkeypatch.setattr(_threads, "workers", lambda: 1)
    one = fit_csv(path)
    np.testing.assert_array_equal(many.params, one.params)
    assert text_many == _json(one)


def test_ids_stay_text_and_distinct(tmp_path):
    path = tmp_path / "ids.csv"
    rows = ["curve,concentration_nM,response"]
    for cid in ("01", "1", "NA", "None", "", "1.0"):
        rows += [f"{cid},{x},{100 - 10 * k}" for k, x in enumerate((1, 10, 100, 1000, 10000))]
    path.write_text("\n".join(rows))  # no final newline
    cols = read_canonical(path)
    assert cols is not None
    assert list(cols.ids) == ["01", "1", "NA", "None", "", "1.0"]
    assert cols.codes.tolist() == [k for k in range(6) for _ in range(5)]
    assert cols.lines[0] == 2 and cols.lines[-1] == 31


def test_interleaved_curves_get_first_appearance_codes(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("curve,concentration_uM,response\nb,1,5\na,1,6\nb,2,7\na,2,8\n")
    cols = read_canonical(path)
    assert list(cols.ids) == ["b", "a"] and cols.codes.tolist() == [0, 1, 0, 1]
    assert cols.unit == "uM"


@pytest.mark.parametrize("text", [
    'curve,concentration_M,response\n"a",1e-9,50\n',       # quotes
    "curve,concentration_M,response\r\na,1e-9,50\r\n",     # CRLF
    "curve,concentration_M,response\na, 1e-9,50\n",        # a space
    "curve,concentration_M,response\na,1e-9,50\n\na,1e-8,40\n",  # a blank line
    "curve,concentration_M,response\na,1e-9,\n",           # a missing response
    "curve,concentration_M,response\na,1e-9,NA\n",         # a missing-value token
    "curve,concentration_M,response\na,1e-9,nan\n",
    "curve,concentration_M,response\na,1e-9,inf\n",
    "curve,concentration_M,response\na,1e-9,1e999\n",      # overflows
    "curve,concentration_M,response\na,-1e-9,50\n",        # negative concentration
    "curve,concentration_M,response\na,1e-9,50,7\n",       # a field too many
    "curve,concentration_M,response\na,1e-9\n",            # a field missing
    "curve,concentration_M,response\na,1e-9,5e\n",          # not a number
    "curve,concentration_M,response\na,1_0,5\n",           # Python-only syntax
    "curve,concentration,unit,response\na,1,nM,50\n",      # another layout
    "curve,conc_M,response\na,1e-9,50\n",
    "curve,concentration_mol/L,response\na,1e-9,50\n",     # a unit only pint reads
    "\ufeffcurve,concentration_M,response\na,1e-9,50\n",   # BOM
    "curve,concentration_M,response\n",                    # no data
])
def test_other_files_go_to_the_full_reader(tmp_path, text):
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    assert read_canonical(path) is None


def test_unit_conversion_goes_to_the_full_reader(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("curve,concentration_nM,response\na,1,50\n")
    assert read_canonical(path, "nM") is not None
    assert read_canonical(path, "uM") is None


def test_bad_row_length_is_still_an_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("curve,concentration_nM,response\na,1,50\na,10,40,3\n")
    with pytest.raises(DataFileError):
        fit_csv(path)


_number = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
_fmt = st.sampled_from(["{!r}", "{:.6g}", "{:.15e}", "{:.3f}", "{:.17g}", "{:E}"])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b1", "01", "1", "NA", "x y"[:1], "é"]),
                               _number.map(abs), _number, _fmt, _fmt), min_size=1, max_size=40))
def test_numbers_and_ids_match_python(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("h") / "f.csv"
    texts = [(cid, fx.format(x), fy.format(y)) for cid, x, y, fx, fy in rows]
    path.write_text("curve,concentration_nM,response\n"
                    + "\n".join(",".join(t) for t in texts) + "\n", encoding="utf-8")
    cols = read_canonical(path)
    if any(tx.startswith("-") for _, tx, _ in texts):  # "-0.0": left to the full reader
        assert cols is None
        return
    assert cols is not None
    np.testing.assert_array_equal(cols.x, [float(tx) for _, tx, _ in texts])
    np.testing.assert_array_equal(cols.y, [float(ty) for _, _, ty in texts])
    first = list(dict.fromkeys(cid for cid, _, _ in texts))
    assert list(cols.ids) == first
    assert [first[c] for c in cols.codes] == [cid for cid, _, _ in texts]


def test_curve_limit_agrees_with_the_full_reader():
    from neuromoa.fitting import _fastcsv
    from neuromoa.fitting import io as full

    assert _fastcsv.MAX_CURVES == full.MAX_CURVES


def test_many_distinct_long_numbers_and_repeating_cycles(tmp_path):
    """More distinct 17-digit numbers than the table holds (each then parsed alone), and
    concentrations that repeat in cycles, broken cycles and a changed order: Python's float."""
    rng = np.random.default_rng(11)
    xs = [repr(float(v)) for v in rng.uniform(0.0, 1.0, 700)]  # 700 > SLOW_TABLE distinct
    cycle = [repr(float(v)) for v in 10.0 ** np.linspace(-10, -5.5, 10)]
    texts = [(f"a{i % 5}", x, repr(float(v))) for i, (x, v) in
             enumerate(zip(xs, rng.normal(50, 20, 700), strict=True))]
    texts += [(f"c{k}", c, f"{100 - 7 * j:.6g}") for k in range(30) for j, c in enumerate(
        cycle if k % 7 else cycle[::-1])]
    texts += [("z", cycle[3], "1"), ("z", cycle[3], "2"), ("z", cycle[0], "3")]
    for name, part in (("full.csv", texts), ("cycles.csv", texts[700:])):  # table full / not
        path = tmp_path / name
        path.write_text("curve,concentration_M,response\n"
                        + "".join(f"{a},{b},{c}\n" for a, b, c in part))
        cols = read_canonical(path)
        assert cols is not None
        np.testing.assert_array_equal(cols.x, [float(b) for _, b, _ in part])
        np.testing.assert_array_equal(cols.y, [float(c) for _, _, c in part])
