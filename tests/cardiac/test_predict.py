"""cardiac_risk, the Nav1.5 block at the heart rate, the ECG mappings, checks, bad input."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuromoa.cardiac import (
    cardiac_checks,
    cardiac_risk,
    delta_qtc_ms,
    nav15_block_at_rate,
    qrs_ms,
    read_channel_overlay,
)
from neuromoa.errors import DataFileError, InputError, ParameterError

NAU = {"resting": 24.8e-6, "inactivated": 0.58e-6}


def test_nav15_block_grows_with_rate_and_concentration():
    assert nav15_block_at_rate(0.0, NAU, bpm=60) == 0.0
    b = [nav15_block_at_rate(c, NAU, bpm=60) for c in (1e-8, 1e-7, 1e-6)]
    assert 0 < b[0] < b[1] < b[2] < 1
    assert nav15_block_at_rate(1e-7, NAU, bpm=150) > nav15_block_at_rate(1e-7, NAU, bpm=40)
    # far more block than the resting affinity alone gives (state dependence matters)
    assert b[2] > 5 * (1e-6 / (1e-6 + NAU["resting"]))


def test_nav15_block_insensitive_to_waveform_sampling(monkeypatch):
    from neuromoa.cardiac import nav

    ref = nav15_block_at_rate(3e-7, NAU, bpm=75)
    monkeypatch.setattr(nav, "AP_SEGMENT_MV", nav.AP_SEGMENT_MV / 2)
    monkeypatch.setattr(nav, "AP_SEGMENT_MAX_MS", nav.AP_SEGMENT_MAX_MS / 2)
    nav._waveform.cache_clear()
    nav._block.cache_clear()
    fine = nav15_block_at_rate(3e-7, NAU, bpm=75)
    nav._waveform.cache_clear()
    nav._block.cache_clear()
    assert abs(fine - ref) < 0.005


def test_ecg_mappings():
    assert qrs_ms(0.0) == pytest.approx(90.0)
    from neuromoa.cardiac.strand import strand_qrs_ratio

    assert qrs_ms(0.36) == pytest.approx(90.0 * strand_qrs_ratio(0.36))
    assert qrs_ms(0.36) > qrs_ms(0.2) > 90.0
    assert delta_qtc_ms(10.0, 2.0) == pytest.approx(12.0)
    with pytest.raises(ParameterError):
        qrs_ms(1.0)


def test_amitriptyline_at_a_level():
    r = cardiac_risk("amitriptyline", plasma="300 ng/mL", metabolite="200 ng/mL")
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("channels", "apd90_ms", "delta_apd90_ms", "qnet", "ead", "qrs_ms",
                "delta_qrs_ms", "delta_qtc_ms", "contributions"):
        assert key in d
    ch = d["channels"]
    assert ch["INa"]["by_compound"]["nortriptyline"] is None
    assert "INa: nortriptyline not included: no data." in d["notes"]
    ikr = ch["IKr"]
    a, n = ikr["by_compound"]["amitriptyline"], ikr["by_compound"]["nortriptyline"]
    assert max(a, n) < ikr["block"] < a + n                  # one site, competition
    # hand check of IKr: unbound = fu * level / MW, block = x/(1+x) with the kb IC50s
    x = (0.0424 * 300e-6 / 277.40) / 4.78e-6 + (0.062 * 200e-6 / 263.38) / 2.20e-6
    assert ikr["block"] == pytest.approx(x / (1 + x), rel=1e-3)
    assert d["delta_qrs_ms"] > 0 and d["delta_qtc_ms"] > d["delta_qrs_ms"]
    c = d["contributions"]
    assert c["metabolite_only"]["delta_qrs_ms"] == 0.0
    assert c["parent_only"]["delta_qrs_ms"] == pytest.approx(d["delta_qrs_ms"])


def test_dose_drives_levels_from_exposure():
    from neuromoa.exposure import Regimen

    lo = cardiac_risk("amitriptyline", regimen=Regimen.parse("75 mg", every="24 h"),
                      contributions=False)
    hi = cardiac_risk("amitriptyline", regimen=Regimen.parse("1500 mg"), contributions=False)
    assert hi.levels["amitriptyline"]["total_ng_mL"] > 5 * lo.levels["amitriptyline"]["total_ng_mL"]
    assert hi.delta_qrs_ms > lo.delta_qrs_ms > 0
    assert "single" in hi.scope or "peak" in hi.scope


def test_bad_inputs():
    with pytest.raises(ParameterError, match="outside 30-200"):
        cardiac_risk("amitriptyline", plasma="100 ng/mL", bpm=250)
    with pytest.raises(ParameterError, match="zero or positive"):
        cardiac_risk("amitriptyline", plasma="-5 ng/mL")
    with pytest.raises(InputError, match="no metabolite"):
        cardiac_risk("nortriptyline", plasma="100 ng/mL", metabolite="10 ng/mL")


def test_overlay_unknown_channel_names_file_and_row(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("channel,compound,ic50,unit\nIKr,amitriptyline,3,uM\nIKur,amitriptyline,1,uM\n")
    with pytest.raises(DataFileError, match=r"unknown channel 'IKur'") as e:
        read_channel_overlay(f)
    assert "mine.csv" in str(e.value) and "3" in str(e.value)


def test_overlay_changes_the_prediction(tmp_path):
    f = tmp_path / "cal.csv"
    f.write_text("channel,compound,ic50,unit,source\nICaL,amitriptyline,1,uM,my lab\n")
    r = cardiac_risk("amitriptyline", plasma="1000 ng/mL", overlay=f, contributions=False)
    assert r.channels["ICaL"]["block"] > 0.05
    assert "user overlay" in r.channels["ICaL"]["sources"]["amitriptyline"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["INaL", "IKr", "ICaL", "IKs", "Ito", "IK1"]),
                               st.floats(1e-3, 1e3), st.sampled_from(["nM", "uM", "mM"])),
                     min_size=1, max_size=6),
       junk=st.text(min_size=1, max_size=8))
def test_overlay_reader_round_trip_and_rejects_junk(tmp_path, rows, junk):
    f = tmp_path / "o.csv"
    f.write_text("channel,compound,ic50,unit\n"
                 + "".join(f"{c},amitriptyline,{v!r},{u}\n" for c, v, u in rows))
    frame = read_channel_overlay(f)
    scale = {"nM": 1e-9, "uM": 1e-6, "mM": 1e-3}
    np.testing.assert_allclose(frame["ic50_M"], [v * scale[u] for _, v, u in rows], rtol=1e-9)
    bad = tmp_path / "bad.csv"
    name = "X" + "".join(ch for ch in junk if ch.isalnum())
    bad.write_text(f"channel,compound,ic50,unit\n{name},amitriptyline,1,uM\n")
    with pytest.raises(DataFileError):
        read_channel_overlay(bad)


def test_validation_checks():
    frame = cardiac_checks().set_index("check")
    assert frame.loc["ord_control", "within"]
    assert frame.loc["dofetilide_qtc", "within"]
    assert frame.loc["strand_control", "within"]
    # flecainide (held out: nothing was set from it): use-dependent block at 60 bpm from its
    # published resting/open affinities, then the strand. The label's +25 % is not reached
    # (reported, not hidden); the model must still be well above the former sqrt relation's 4.8 %
    from neuromoa.cardiac.checks import nav_block
    from neuromoa.cardiac.strand import strand_qrs_ratio

    b = nav_block("flecainide", 500.0, bpm=60.0)
    assert 0.2 < b < 0.6
    assert frame.loc["flecainide_qrs", "model"] == pytest.approx(100 * (strand_qrs_ratio(b) - 1))
    assert 10.0 < frame.loc["flecainide_qrs", "model"] < 40.0


@pytest.mark.parametrize("args, expect", [
    (["--plasma", "100 ng/mL", "--heart-rate", "250"], "outside 30-200 bpm"),
    (["--plasma", "-1 ng/mL"], "must be zero or positive"),
    (["--compound", "nortriptyline", "--plasma", "100 ng/mL", "--metabolite", "5 ng/mL"],
     "no metabolite"),
    (["--dose", "150 mg"], "--every"),
    (["--plasma", "100 ng/mL", "--channels", "MISSING"], "cannot read channel overlay"),
])
def test_cli_bad_input_is_one_line(args, expect):
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", *args])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and expect in lines[0], res.output


def test_cli_overlay_unknown_channel(tmp_path):
    from neuromoa.cli.main import _register_all, app

    f = tmp_path / "o.csv"
    f.write_text("channel,compound,ic50,unit\nhERG2,amitriptyline,1,uM\n")
    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", "--plasma", "100 ng/mL", "--channels", str(f)])
    assert res.exit_code == 2 and "unknown channel 'hERG2'" in res.output


def test_cli_json():
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", "--plasma", "200 ng/mL", "--metabolite",
                                   "100 ng/mL", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["channels"]["IKr"]["block"] > 0 and "parent_only" in d["contributions"]


def test_time_course_peaks_where_the_levels_peak():
    from neuromoa.cardiac import cardiac_time_course
    from neuromoa.exposure import Regimen

    tc = cardiac_time_course("amitriptyline", Regimen.parse("150 mg", every="24 h"), points=5)
    assert len(tc) == 5 and tc["time_h"].is_monotonic_increasing
    i = int(tc["amitriptyline_ng_mL"].idxmax())
    assert tc.loc[i, "delta_qrs_ms"] == tc["delta_qrs_ms"].max()
    assert (tc["delta_qtc_ms"] > 0).all()


def test_cli_time_course_needs_a_dose():
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", "--plasma", "100 ng/mL", "--time-course"])
    assert res.exit_code == 2 and "--time-course needs --dose" in res.output


def test_ranges_bracket_the_prediction():
    r = cardiac_risk("amitriptyline", plasma="800 ng/mL", metabolite="150 ng/mL",
                     contributions=False)
    for key, value in (("delta_qrs_ms", r.delta_qrs_ms), ("delta_qtc_ms", r.delta_qtc_ms)):
        lo, hi = r.ranges[key]
        assert lo < value < hi
    assert r.ranges["delta_qrs_ms"][1] > 1.5 * r.delta_qrs_ms    # 2-fold more potent: more block


@settings(max_examples=60, deadline=None)
@given(x=st.floats(0, 1e5, allow_nan=False), space=st.sampled_from(["", " ", "  "]),
       unit=st.sampled_from(["ng/mL", "ng/ml"]))
def test_level_parser_reads_ng_per_ml_and_refuses_others(x, space, unit):
    from neuromoa.cardiac.predict import _level

    assert _level(f"{x!r}{' ' if not space else space}{unit}", "level") == pytest.approx(x)
    assert _level(x, "level") == pytest.approx(x)
    for bad in (f"{x!r} mg/L", f"{x!r} uM", "abc ng/mL", f"{-x - 1!r} ng/mL"):
        with pytest.raises(ParameterError):
            _level(bad, "level")


def test_cli_patient_options_raise_levels_and_qtc_in_a_cyp2d6_poor_metaboliser():
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    out = {}
    for label, extra in (("nm", []), ("pm", ["--cyp2d6", "PM"])):
        res = CliRunner().invoke(app, ["cardiac", "--dose", "150 mg", "--every", "24h",
                                       "--json", *extra])
        assert res.exit_code == 0, res.output
        out[label] = json.loads(res.output)
    nm, pm = out["nm"], out["pm"]
    assert pm["patient"]["cyp2d6"]["phenotype"] == "PM"
    assert pm["levels"]["nortriptyline"]["total_ng_mL"] > 2 * nm["levels"]["nortriptyline"]["total_ng_mL"]
    assert pm["delta_qtc_ms"] > nm["delta_qtc_ms"]
    assert any("CYP2D6 PM" in a for a in pm["assumptions"])


def test_cli_bad_patient_option_is_one_line():
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", "--dose", "150 mg", "--every", "24h",
                                   "--cyp2d6", "*99/*98"])
    assert res.exit_code == 2
    assert len([ln for ln in res.output.strip().splitlines() if ln.strip()]) == 1


def test_given_plasma_levels_ignore_the_patient_and_say_so():
    from neuromoa.exposure import Patient

    r = cardiac_risk("amitriptyline", plasma="150 ng/mL", contributions=False,
                     uncertainty=False, patient=Patient.from_options(cyp2d6="PM"))
    ref = cardiac_risk("amitriptyline", plasma="150 ng/mL", contributions=False,
                       uncertainty=False)
    assert r.delta_qtc_ms == pytest.approx(ref.delta_qtc_ms)
    assert any("do not change given plasma levels" in n for n in r.notes)


def test_cli_strand_table():
    from neuromoa.cli.main import _register_all, app

    _register_all(["cardiac"])
    res = CliRunner().invoke(app, ["cardiac", "strand", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["rows"]
    assert rows[0]["ina_block"] == 0 and 50 < rows[0]["cv_cm_s"] < 75
    assert rows[-1]["qrs_ratio"] > 1.5
