"""``neuromoa ephys info`` and ``analyze`` on ABF/NWB files: human units, mean ± SEM, folders,
concentration maps -> concentration-response fits (known IC50 recovered), figures, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from neuromoa.cli import ephys as ephys_cli
from neuromoa.ephys import analyze_abf, analyze_recordings, concentration_response
from neuromoa.errors import DataFileError, InputError
from neuromoa.io import read_concentration_map

from .recording_fixtures import (
    SERIES_CONC_M,
    TRUE_HILL,
    TRUE_IC50_M,
    series_peaks,
    write_abf_series,
    write_map,
    write_nwb_series,
)

WINDOWS = ("--baseline", "0,0.045", "--window", "0.045,0.1")


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    ephys_cli.register(app)
    return app


def run(app, *args):
    return CliRunner().invoke(app, ["ephys", *[str(a) for a in args]])


# --- info on the real files -------------------------------------------------------------------
def test_info_both_real_files(app, shared_abf):
    res = run(app, "info", shared_abf / "File_axon_7.abf", shared_abf / "model_vc_step.abf")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Apl NMDA 2 s -80mV" in out and "0201 memtest" in out
    assert "12 × 4.007 s, one every 10 s" in out and "20 × 0.5 s" in out
    assert "voltage clamp" in out and "level (mV)" in out and "-80" in out


def test_info_json_is_si(app, shared_abf, tmp_path):
    res = run(app, "info", shared_abf / "model_vc_step.abf", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["sample_rate_Hz"] == 20000.0 and d["sweep_count"] == 20
    assert [round(e["level_SI"], 6) for e in d["epochs"]] == [-0.07, -0.08, -0.07]
    res = run(app, "info", shared_abf, "--out", tmp_path / "info.json")
    assert res.exit_code == 0, res.output
    both = json.loads((tmp_path / "info.json").read_text())
    assert [Path(f["file"]).name for f in both["files"]] == ["File_axon_7.abf", "model_vc_step.abf"]


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_info_plot_formats(app, shared_abf, tmp_path, suffix):
    out = tmp_path / f"sweeps{suffix}"
    res = run(app, "info", shared_abf / "File_axon_7.abf", "--plot", out, "--sweeps", "1,3")
    assert res.exit_code == 0, res.output
    head = out.read_bytes()[:8]
    assert {".svg": b"<?xml", ".pdf": b"%PDF", ".png": b"\x89PNG"}[suffix] in head
    if suffix == ".png":
        from PIL import Image

        assert Image.open(out).info["dpi"] == pytest.approx((300, 300), abs=0.5)


# --- analyze: human units, mean ± SEM, the corrected README window ----------------------------
def test_analyze_prints_pa_and_mean_sem(app, shared_abf):
    res = run(app, "analyze", shared_abf / "File_axon_7.abf", "--mode", "peak",
              "--baseline", "0.10,0.45", "--window", "0.45,2.5", "--min-response", "12 pA")
    assert res.exit_code == 0, res.output
    assert "peak (pA)" in res.stdout and "-465.6" in res.stdout and "e-10" not in res.stdout
    # responding sweeps 1, 3, 6, 9: mean of -465.6, -445.4, -666.4, -619.3 pA (shared README)
    assert "peak (pA): -549.2 ± 55.09 (n = 4)" in res.stdout


def test_analyze_memtest_in_megaohm_and_picofarad(app, shared_abf):
    res = run(app, "analyze", shared_abf / "model_vc_step.abf", "--mode", "memtest")
    assert res.exit_code == 0, res.output
    assert "r_total (MΩ)" in res.stdout and "cm (pF)" in res.stdout
    assert "r_total (MΩ): 511" in res.stdout  # R_total 511.5 ± 0.8 MΩ (shared README)


def test_mean_sem_in_the_json(shared_abf):
    res = analyze_abf(shared_abf / "model_vc_step.abf", "memtest")
    r = np.array([s["r_total_Ohm"] for s in res.sweeps])
    assert res.summary["r_total_Ohm_mean"] == pytest.approx(r.mean())
    assert res.summary["r_total_Ohm_sem"] == pytest.approx(r.std(ddof=1) / np.sqrt(r.size))
    assert res.summary["r_total_Ohm_n"] == 20


# --- concentration-response from per-sweep peaks ----------------------------------------------
@pytest.mark.parametrize("fmt", ["abf", "nwb"])
def test_known_ic50_recovered_from_a_synthetic_series(app, tmp_path, fmt):
    if fmt == "nwb":
        pytest.importorskip("pynwb")
    write = write_abf_series if fmt == "abf" else write_nwb_series
    rec = write(tmp_path / f"series.{fmt}", series_peaks(), seed=7)
    cmap = write_map(tmp_path / "map.csv")
    res = run(app, "analyze", rec, *WINDOWS, "--conc-map", cmap, "--json",
              "--plot", tmp_path / "cr.png")
    assert res.exit_code == 0, res.output
    cr = json.loads(res.stdout)["concentration_response"]
    assert cr["parameter"] == "ic50"
    assert cr["ic50_M"] == pytest.approx(TRUE_IC50_M, rel=0.05)
    assert cr["fit"]["hill"] == pytest.approx(-TRUE_HILL, rel=0.1)
    lo, hi = cr["fit"]["ci95"]["log_ic50"]
    assert 10 ** lo < TRUE_IC50_M < 10 ** hi
    assert len(cr["by_concentration"]) == len(set(SERIES_CONC_M))
    assert (tmp_path / "cr.png").stat().st_size > 0
    text = run(app, "analyze", rec, *WINDOWS, "--conc-map", cmap)
    assert text.exit_code == 0 and "IC50 1.0" in text.stdout and "assumes:" in text.stdout


def test_files_mapped_by_name_in_a_folder(tmp_path):
    """One file per concentration (the usual wash-in series), a 'file' column in the map."""
    folder = tmp_path / "cells"
    folder.mkdir()
    concs = [0.0, 1e-7, 1e-6, 1e-5, 1e-4]
    lines = ["file,concentration"]
    for k, c in enumerate(concs):
        write_abf_series(folder / f"cell_{k}.abf", series_peaks([c, c]), seed=k)
        lines.append(f"cell_{k}.abf,{'0' if c == 0 else f'{c * 1e6:g} uM'}")
    (tmp_path / "map.csv").write_text("\n".join(lines) + "\n")
    batch = analyze_recordings(folder, "peak", baseline="0,0.045", window="0.045,0.1")
    assert len(batch.results) == 5 and not batch.failed
    cr = concentration_response(batch.results, read_concentration_map(tmp_path / "map.csv"))
    assert cr.fit.ic50 == pytest.approx(TRUE_IC50_M, rel=0.1)
    assert cr.table["n"].tolist() == [2] * 5


def test_flagged_and_unmapped_sweeps_are_left_out_and_listed(tmp_path):
    rec = write_abf_series(tmp_path / "s.abf", series_peaks(), seed=1)
    (tmp_path / "m.csv").write_text("sweep,conc_uM\n" + "\n".join(
        f"{k},{c * 1e6:g}" for k, c in enumerate(SERIES_CONC_M[:-2])) + "\n")
    res = analyze_abf(rec, "peak", baseline="0,0.045", window="0.045,0.1")
    cr = concentration_response(res, read_concentration_map(tmp_path / "m.csv"))
    assert [(e["sweep"], e["reason"]) for e in cr.excluded] == [
        (12, "not in the concentration map"), (13, "not in the concentration map")]
    assert cr.fit.ic50 == pytest.approx(TRUE_IC50_M, rel=0.1)


def test_a_batch_keeps_going_past_a_bad_file(app, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_abf_series(folder / "a.abf", series_peaks()[:3])
    (folder / "b.abf").write_text("not a recording\n")
    res = run(app, "analyze", folder, *WINDOWS, "--json")
    assert res.exit_code == 1
    d = json.loads(res.stdout)
    assert [Path(f["file"]).name for f in d["files"]] == ["a.abf"]
    assert "b.abf" in d["failed"][0]["file"] and "b.abf" in res.stderr


# --- bad input: one line, exit 2, no traceback -------------------------------------------------
def _bad_cases(tmp_path: Path, real: Path) -> dict[str, tuple[list, str]]:
    rec = write_abf_series(tmp_path / "ok.abf", series_peaks(), seed=2)
    (tmp_path / "trunc.abf").write_bytes(real.read_bytes()[:1500])
    (tmp_path / "text.abf").write_text("time,current\n0,1\n")
    (tmp_path / "empty.abf").write_bytes(b"")
    (tmp_path / "zeros.abf").write_bytes(b"ABF2" + bytes(5000))
    (tmp_path / "nodata").mkdir()
    maps = {
        "unknown_sweep.csv": "sweep,conc_uM\n0,0\n99,1\n",
        "no_unit.csv": "sweep,concentration\n0,1\n",
        "unknown_file.csv": "file,conc_uM\nother.abf,1\n",
        "two_concs.csv": "sweep,conc_uM\n0,0\n1,1\n",
        "bad_header.csv": "trace,dose\n0,1\n",
    }
    for name, text in maps.items():
        (tmp_path / name).write_text(text)
    cases = {
        "truncated ABF": (["info", tmp_path / "trunc.abf"], "not a readable ABF"),
        "text renamed .abf": (["info", tmp_path / "text.abf"], "is not an ABF or NWB"),
        "empty .abf": (["analyze", tmp_path / "empty.abf", *WINDOWS], "is empty"),
        "ABF header of zeros": (["info", tmp_path / "zeros.abf"], "ABF"),
        "missing file": (["info", tmp_path / "nope.abf"], "file not found"),
        "folder without recordings": (["analyze", tmp_path / "nodata", *WINDOWS], "no .abf or .nwb"),
        "map: unknown sweep": (["analyze", rec, *WINDOWS, "--conc-map", tmp_path / "unknown_sweep.csv"],
                               "row 3: sweep 99 is not among the analysed sweeps"),
        "map: no unit": (["analyze", rec, *WINDOWS, "--conc-map", tmp_path / "no_unit.csv"], "has no unit"),
        "map: unknown file": (["analyze", rec, *WINDOWS, "--conc-map", tmp_path / "unknown_file.csv"],
                              "file 'other.abf' was not analysed"),
        "map: too few concentrations": (["analyze", rec, *WINDOWS, "--conc-map", tmp_path / "two_concs.csv"],
                                        "at least 3 are needed"),
        "map: bad header": (["analyze", rec, *WINDOWS, "--conc-map", tmp_path / "bad_header.csv"],
                            "needs a 'sweep' or 'file' column"),
        "plot: unknown format": (["info", rec, "--plot", tmp_path / "x.jpg"], "use a .svg, .pdf or .png"),
        "steady without --steady": (["analyze", rec, *WINDOWS, "--mode", "response", "--measure", "steady",
                                     "--conc-map", write_map(tmp_path / "m.csv")], "give --steady T0,T1"),
    }
    try:
        from tests.io.test_recordings import _nwb_without_icephys

        cases["NWB without icephys"] = (["info", _nwb_without_icephys(tmp_path / "no_icephys.nwb")],
                                        "no intracellular")
    except ImportError:  # pynwb missing: the ABF cases still run
        pass
    return cases


def test_bad_input_is_one_line_exit_2(app, tmp_path, shared_abf):
    cases = _bad_cases(tmp_path, shared_abf / "File_axon_7.abf")
    assert len(cases) >= 13
    for name, (args, expect) in cases.items():
        res = run(app, *args)
        assert res.exit_code == 2, (name, res.output)
        err = res.stderr.strip()
        assert "Traceback" not in res.output, name
        assert len(err.splitlines()) == 1 and err.startswith("error: "), (name, err)
        assert expect in err, (name, err)


def test_library_errors_are_neuromoa_errors(tmp_path):
    rec = write_abf_series(tmp_path / "s.abf", series_peaks()[:4])
    res = analyze_abf(rec, "peak", baseline="0,0.045", window="0.045,0.1")
    (tmp_path / "m.csv").write_text("sweep,conc_uM\n0,0\n7,1\n")
    with pytest.raises(DataFileError, match="sweep 7"):
        concentration_response(res, read_concentration_map(tmp_path / "m.csv"))
    with pytest.raises(InputError, match="--measure"):
        concentration_response(res, read_concentration_map(tmp_path / "m.csv"), measure="area")


def test_missing_nwb_extra_is_one_line(app, tmp_path, monkeypatch):
    pytest.importorskip("pynwb")
    path = write_nwb_series(tmp_path / "s.nwb", series_peaks()[:2])
    monkeypatch.setitem(__import__("sys").modules, "pynwb", None)  # as if not installed
    res = run(app, "info", path)
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {path}: reading NWB needs pynwb (optional extra); run: pip install 'neuromoa[nwb]'"]
