"""Hypothesis properties of every curve reader: what a file holds is what is read (text in
every delimiter/decimal/line-ending/BOM/layout, .xlsx, .pzfx written and read back), and any
bytes at all give a table or a NeuromoaError, never another exception."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromoa.errors import NeuromoaError
from neuromoa.io import read_curves, read_pzfx, write_pzfx

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

#: curve names: a letter then letters/digits/dashes, without "r" (so no name ends in "rep<N>",
#: the wide layout's replicate suffix), never a number, and not ending in a dash (a separator
#: before the replicate suffix is not part of the name: "A- rep1" is curve "A")
names = st.text("abcdefghijklmnopqstuvwxyzABCDEFGHIJKLMNOPQSTUVWXYZ0123456789-", min_size=1,
                max_size=8).filter(lambda s: s[0].isalpha() and not s.endswith("-"))
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
concs = st.floats(min_value=1e-6, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw):
    ids = draw(st.lists(names, min_size=1, max_size=3, unique_by=str.lower))
    xs = draw(st.lists(concs, min_size=2, max_size=6, unique=True))
    nrep = draw(st.integers(1, 3))
    ys = {(c, i, r): draw(values) for c in ids for i in range(len(xs)) for r in range(nrep)}
    return ids, xs, nrep, ys


def _fmt(v: float, comma: bool) -> str:
    t = repr(float(v))
    return t.replace(".", ",") if comma else t


def _expected(ids, xs, nrep, ys):
    return sorted((c, float(xs[i]), float(ys[(c, i, r)])) for c in ids for i in range(len(xs))
                  for r in range(nrep))


def _got(frame):
    return sorted(zip(frame["curve"], frame["concentration"].astype(float),
                      frame["response"].astype(float), strict=True))


@SETTINGS
@given(t=tables(), delim=st.sampled_from([",", ";", "\t"]), comma=st.booleans(),
       crlf=st.booleans(), bom=st.booleans(), wide=st.booleans())
def test_text_tables_read_back_exactly(tmp_path, t, delim, comma, crlf, bom, wide):
    ids, xs, nrep, ys = t
    comma = comma and delim != ","
    if wide:
        head = ["conc_uM"] + [f"{c} rep{r + 1}" if nrep > 1 else c for c in ids
                              for r in range(nrep)]
        lines = [delim.join(head)] + [
            delim.join([_fmt(x, comma)] + [_fmt(ys[(c, i, r)], comma) for c in ids
                                           for r in range(nrep)]) for i, x in enumerate(xs)]
    else:
        lines = [delim.join(["curve", "conc_uM", "response"])] + [
            delim.join([c, _fmt(xs[i], comma), _fmt(ys[(c, i, r)], comma)])
            for c in ids for i in range(len(xs)) for r in range(nrep)]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    p = tmp_path / "t.txt"
    p.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    frame = read_curves(p)
    assert frame.attrs["unit"] == "uM"
    assert _got(frame) == _expected(ids, xs, nrep, ys)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=tables())
def test_xlsx_reads_back_exactly(tmp_path, t):
    openpyxl = pytest.importorskip("openpyxl")
    ids, xs, nrep, ys = t
    # Excel keeps 15 significant digits (openpyxl writes 16): the file holds these numbers
    xs = [float(f"{x:.15g}") for x in xs]
    ys = {k: float(f"{v:.15g}") for k, v in ys.items()}
    if len(set(xs)) < len(xs):
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["compound", "conc_uM", "replicate", "signal"])
    for c in ids:
        for i, x in enumerate(xs):
            for r in range(nrep):
                ws.append([c, x, r + 1, ys[(c, i, r)]])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    frame = read_curves(p, sheet="Data", y="signal")
    assert _got(frame) == _expected(ids, xs, nrep, ys)


@SETTINGS
@given(t=tables(), fitted=st.lists(values, min_size=3, max_size=3))
def test_pzfx_written_then_read_back_exactly(tmp_path, t, fitted):
    pzfx = pytest.importorskip("pzfx")
    ids, xs, nrep, ys = t
    data = pd.DataFrame([(c, xs[i], ys[(c, i, r)]) for c in ids for i in range(len(xs))
                         for r in range(nrep)], columns=["curve", "concentration", "response"])
    fits = pd.DataFrame({"curve": ids, "log_ic50": fitted[0], "hill": fitted[1],
                         "r2": fitted[2]})
    p = tmp_path / "t.pzfx"
    write_pzfx(p, data, fits, unit="nM", force=True)  # tmp_path is shared by examples
    back = read_pzfx(p, table="Data")
    assert back.attrs["unit"] == "nM"
    assert _got(back) == _expected(ids, xs, nrep, ys)
    res = pzfx.read_pzfx(str(p), table="Fit results").set_index("ROWTITLE")
    for c in ids:
        assert res.loc["log_ic50", c] == fitted[0] and res.loc["r2", c] == fitted[2]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.one_of(st.binary(max_size=400),
                      st.text(";,\t\r\n0123456789.,-eEabcuMlog[]() \ufeff", max_size=300)),
       suffix=st.sampled_from([".csv", ".xlsx", ".pzfx", ".tsv"]))
def test_any_bytes_give_a_table_or_a_neuromoa_error(tmp_path, blob, suffix):
    p = tmp_path / f"junk{suffix}"
    p.write_bytes(blob if isinstance(blob, bytes) else blob.encode("utf-8"))
    try:
        frame = read_curves(p, x_unit=None)
    except NeuromoaError:
        return
    assert {"curve", "concentration", "response"} <= set(frame.columns)
    num = pd.to_numeric(frame["concentration"], errors="coerce")
    assert not np.isinf(num).any() or math.isinf(float(num.max()))


def test_two_columns_claiming_one_replicate_are_an_error(tmp_path):
    """Found by the property above: 'A rep1' and 'A- rep1' were merged into one curve 'A'."""
    p = tmp_path / "dup.csv"
    p.write_text("conc_uM,A rep1,A- rep1\n1,10,20\n2,5,6\n")
    with pytest.raises(NeuromoaError, match="both replicate 1 of curve 'A'"):
        read_curves(p)
    ok = tmp_path / "ok.csv"
    ok.write_text("conc_uM,A rep1,A rep2\n1,10,20\n2,5,6\n")
    assert read_curves(ok)["curve"].unique().tolist() == ["A"]
