"""Prism .pzfx: the real files of the shared folder, struck values, and the round trip
fit → --out fits.pzfx → read back with the ``pzfx`` package → the same numbers."""

import json

import numpy as np
import pandas as pd
import pytest

from neuromoa.errors import DataFileError
from neuromoa.io import pzfx_tables, read_curves, read_pzfx

from .conftest import FIXTURES, run_fit, shared_pzfx

XY = ["x_y_rep.pzfx", "x_y_no_rep.pzfx", "x_y_with_strike.pzfx", "exponential_decay.pzfx"]


def test_x_y_rep_read_as_the_readme_says():
    df = read_curves(shared_pzfx("x_y_rep.pzfx"))
    assert list(dict.fromkeys(df["curve"])) == ["Ya", "Yb", "Yc"]
    assert df.groupby("curve").size().tolist() == [6, 6, 6]
    ya = df[df["curve"] == "Ya"]
    assert sorted(ya["response"]) == [50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    assert df.attrs["unit"] is None  # Prism X has no unit field: said, not guessed


@pytest.mark.parametrize(("name", "args", "code"), [
    ("x_y_rep.pzfx", [], 0), ("exponential_decay.pzfx", [], 0),
    # Ya keeps 4 points once its 2 struck values are out: no residual df, that curve fails alone
    ("x_y_with_strike.pzfx", [], 1),
    # 3 points per data set: a 4PL cannot be fitted (every curve fails: exit 2), a 3PL with
    # bottom fixed can (Yc is constant: that curve fails alone, exit 1)
    ("x_y_no_rep.pzfx", [], 2), ("x_y_no_rep.pzfx", ["--model", "3pl", "--fix", "bottom=0"], 1)])
def test_every_shared_xy_table_is_read_and_fitted_from_the_cli(name, args, code):
    res = run_fit(shared_pzfx(name), *args, "--json")
    assert res.exit_code == code, res.output
    d = json.loads(res.stdout)
    assert d["unit"] is None and [f["curve"] for f in d["fits"]][:1] in (["Ya"], ["Control"])


def test_exponential_decay_fits_both_data_sets():
    d = json.loads(run_fit(shared_pzfx("exponential_decay.pzfx"), "--json").stdout)
    assert [f["curve"] for f in d["fits"]] == ["Control", "Treated"]
    assert all(f["status"] == "ok" and f["effect"] == "inhibitor" for f in d["fits"])
    # 13 times x 3 replicates, 2 blank cells in Control
    assert d["fits"][0]["n"] == 37


def test_struck_values_are_kept_out_and_reported():
    df = read_curves(shared_pzfx("x_y_with_strike.pzfx"))
    ex = df.attrs["excluded"]
    assert [(e["curve"], e["row"], e["value"]) for e in ex] == [
        ("Ya", 2, 90.0), ("Ya", 2, 60.0), ("Yb", 2, 2.0)]
    assert len(df) == 18 - 3
    assert 90.0 not in df[df["curve"] == "Ya"]["response"].tolist()
    assert any("3 struck (excluded)" in n for n in df.attrs["notes"])
    res = run_fit(shared_pzfx("x_y_with_strike.pzfx"))
    assert "3 struck (excluded) value(s) kept out of the fit" in res.output


@pytest.mark.parametrize("name", ["column.pzfx", "comma_decimal.pzfx"])
def test_column_tables_are_a_clear_error(name):
    with pytest.raises(DataFileError, match=r"no XY table to fit \(tables: 'Data 1' \(OneWay\)\)"):
        read_curves(shared_pzfx(name))
    assert pzfx_tables(shared_pzfx(name)) == [("Data 1", "OneWay")]


def test_comma_decimal_cells_are_numbers(tmp_path):
    text = shared_pzfx("comma_decimal.pzfx").read_text(encoding="utf-8")
    # the same file turned into an XY table: X row 1 = 2, the Y cell '3,5'
    xy = text.replace('XFormat="none" TableType="OneWay"',
                      'XFormat="numbers" YFormat="replicates" TableType="XY"').replace(
        "<YColumn", '<XColumn Width="1" Subcolumns="1"><Title>conc_uM</Title><Subcolumn>'
        "<d>2</d></Subcolumn></XColumn><YColumn", 1)
    p = tmp_path / "xy.pzfx"
    p.write_text(xy, encoding="utf-8")
    df = read_pzfx(p)
    assert df["response"].tolist() == [3.5] and df.attrs["unit"] == "uM"


def test_table_option_picks_and_names(tmp_path):
    with pytest.raises(DataFileError, match="no table 'Nope'; use --table NAME"):
        read_curves(FIXTURES / "prism_xy.pzfx", table="Nope")
    assert len(read_curves(FIXTURES / "prism_xy.pzfx", table="Inhibition")) == 54
    assert len(read_curves(FIXTURES / "prism_xy.pzfx", table="1")) == 54


def test_round_trip_fit_out_pzfx_read_back_with_pzfx_package(tmp_path):
    pzfx = pytest.importorskip("pzfx")
    out = tmp_path / "fits.pzfx"
    res = run_fit(FIXTURES / "canonical.csv", "--out", out, "--json")
    assert res.exit_code == 0, res.output
    fits = json.loads(res.stdout)["fits"]
    table = pzfx.read_pzfx(str(out), table="Fit results")
    rows = table.set_index("ROWTITLE")
    for f in fits:
        col = rows[f["curve"]]
        for key in ("bottom", "top", "log_ic50", "hill", "ic50", "r2", "rss"):
            assert col[key] == f[key], key  # full precision: the same float
        assert col["log_ic50_ci_low"] == f["ci95"]["log_ic50"][0]
        assert col["hill_se"] == f["se"]["hill"]
    data = pzfx.read_pzfx(str(out), table="Data")
    assert data.shape == (9, 1 + 3 * 2)  # X + 3 curves x 2 replicates
    # and our own reader reads the data table back to the same fit
    again = run_fit(out, "--table", "Data", "--json")
    assert [f["ic50"] for f in json.loads(again.stdout)["fits"]] == [f["ic50"] for f in fits]


def test_out_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "fits.pzfx"
    out.write_text("mine")
    res = run_fit(FIXTURES / "canonical.csv", "--out", out)
    assert res.exit_code == 2 and "exists; pass --force" in res.output
    assert out.read_text() == "mine"
    assert run_fit(FIXTURES / "canonical.csv", "--out", out, "--force").exit_code == 0
    assert out.read_text().startswith("<?xml")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_out_other_formats(tmp_path, suffix):
    out = tmp_path / f"fits{suffix}"
    res = run_fit(FIXTURES / "wide.csv", "--out", out)
    assert res.exit_code == 0, res.output
    if suffix == ".xlsx":
        fits = pd.read_excel(out, sheet_name="Fits")
        data = pd.read_excel(out, sheet_name="Data")
        assert len(data) == 54 and {"fitted", "residual"} <= set(data.columns)
    elif suffix == ".csv":
        fits = pd.read_csv(out)
    else:
        fits = pd.DataFrame(json.loads(out.read_text())["fits"])
    assert len(fits) == 3
    if suffix != ".json":
        assert {"log_ic50_ci_low", "log_ic50_ci_high", "hill_ci_low", "effect"} <= set(
            fits.columns)
    np.testing.assert_allclose(np.sort(fits["ic50"].to_numpy(float)),
                               [0.051404, 0.194219, 0.805233], rtol=1e-5)
