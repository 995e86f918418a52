"""The 1D monodomain strand: conduction velocity, pseudo-ECG QRS width, the INa-block relation."""

from __future__ import annotations

import numpy as np
import pytest

from neuromoa.cardiac import ord as model
from neuromoa.cardiac import strand
from neuromoa.cardiac.strand import (
    conduction_table,
    strand_conduction,
    strand_qrs_ratio,
)
from neuromoa.errors import ParameterError


@pytest.fixture(scope="module")
def control():
    return strand_conduction(None, bpm=60.0)


def test_control_conducts_at_a_human_velocity(control):
    # published human ventricular myocardium ~50-75 cm/s (data/cardiac/validation.csv)
    assert control.conducted
    assert 50.0 < control.cv_cm_s < 75.0
    assert 8.0 < control.qrs_width_ms < 25.0
    frame = control.ecg_frame()
    assert list(frame.columns) == ["t_ms", "phi"] and len(frame) > 100


def test_block_slows_conduction_and_widens_the_qrs(control):
    half = strand_conduction({"INa": 0.5}, bpm=60.0)
    assert half.conducted
    assert half.cv_cm_s < 0.9 * control.cv_cm_s
    assert half.qrs_width_ms > 1.1 * control.qrs_width_ms
    table = conduction_table(60.0)
    ok = table[table["conducted"]]
    assert np.all(np.diff(ok["cv_cm_s"]) < 0)
    assert np.all(np.diff(ok["qrs_ratio"]) >= 0)
    assert ok["qrs_ratio"].iloc[0] == pytest.approx(1.0)


def test_interpolated_ratio_matches_a_direct_strand_run(control):
    direct = strand_conduction({"INa": 0.35}, bpm=60.0).qrs_width_ms / control.qrs_width_ms
    assert strand_qrs_ratio(0.35, bpm=60.0) == pytest.approx(direct, rel=0.02)


def test_width_ratio_insensitive_to_the_qrs_threshold(control, monkeypatch):
    blocked = strand_conduction({"INa": 0.4}, bpm=60.0)
    ratios = []
    for thr in (0.10, 0.30):
        monkeypatch.setattr(strand, "QRS_THRESHOLD", thr)
        ratios.append(strand._qrs_width(blocked.ecg) / strand._qrs_width(control.ecg))
    assert ratios[0] == pytest.approx(ratios[1], rel=0.02)


def test_ord_own_ina_fails_in_tissue_which_is_why_tp06_ina_is_used():
    """Elshrif & Cherry 2014: ORd's INa conducts slowly; here it fails at 30 % block."""
    p = model.parameter_vector(stim_amp=strand.STIM_AMP, stim_dur=strand.STIM_DUR_MS)
    scale = np.ones(len(model.CURRENTS))
    scale[0] = 0.7
    from neuromoa.cardiac.steady import control_state

    act, _ = model.strand_activation(control_state(60.0), p, scale, n_cells=strand.N_CELLS,
                                     diffusion_cm2_ms=strand.DIFFUSION_CM2_MS,
                                     dx_cm=strand.DX_CM, dt_ms=strand.DT_MS, t_end_ms=60.0,
                                     n_stim=strand.N_STIM)
    assert not np.all(np.isfinite(act))


def test_tissue_cell_is_at_steady_state():
    y = strand._tissue_state(60.0)
    _, apd, _, _, _ = model.pace(y, model.parameter_vector(ina_tp06=1.0),
                                 np.ones(len(model.CURRENTS)), 1000.0, 10, record=False)
    assert np.nanmax(apd) - np.nanmin(apd) < 0.5


def test_bad_heart_rate_is_refused():
    with pytest.raises(ParameterError, match="heart rate"):
        strand_conduction(None, bpm=250)
    with pytest.raises(ParameterError):
        strand_qrs_ratio(0.1, bpm=10)


def test_flecainide_qrs_widening_grows_with_heart_rate():
    """Use-dependent block at the heart rate reaches the strand: class Ic QRS widening is larger
    at 120 than at 60 bpm (block accumulates when diastole is short)."""
    from neuromoa.cardiac.checks import nav_block

    b60, b120 = nav_block("flecainide", 500.0, bpm=60.0), nav_block("flecainide", 500.0, bpm=120.0)
    assert b120 > b60
    assert strand_qrs_ratio(b120, bpm=120.0) > strand_qrs_ratio(b60, bpm=60.0)
