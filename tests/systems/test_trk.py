"""Trk signalling: baseline steady, occupancies by closed form, monotone concentration response."""

import numpy as np
import pytest

from neuromoa.errors import UnitError  # noqa: E402
from neuromoa.systems import trk_response  # noqa: E402


@pytest.fixture(scope="module")
def ten_um():
    return trk_response("10 uM", duration="6 h", n_points=61)


def test_no_drug_stays_at_baseline():
    r = trk_response("0 nM", duration="6 h", n_points=13)
    assert np.allclose(r.course["pAkt_rel"], 1.0, atol=1e-6)
    assert np.allclose(r.course["pERK_rel"], 1.0, atol=1e-6)


def test_occupancies_and_the_therapeutic_statement(ten_um):
    assert ten_um.occupancy_trka == pytest.approx(10e-6 / (10e-6 + 3e-6))
    assert ten_um.occupancy_trkb == pytest.approx(10e-6 / (10e-6 + 14e-6))
    r = trk_response("25 nM", duration="1 h", n_points=5)
    assert r.occupancy_trka < 0.01 and r.occupancy_trkb < 0.002
    assert "10-25 nM" in r.note
    # a therapeutic free level barely moves the pathway
    assert r.course["pAkt_rel"].max() < 1.05


def test_activation_and_slow_bdnf(ten_um):
    c = ten_um.course
    assert c["pAkt_rel"].max() > 2 and c["pERK_rel"].max() > 2
    # total BDNF obeys d(total)/dt = k0 (1 + Emax C/(C + EC50)) - k total (every form turns
    # over at the same rate), so relative BDNF = 1 + Emax C/(C + EC50) (1 - exp(-k t))
    from neuromoa.systems import model_parameters

    p = model_parameters("trk").set_index("parameter")["value"]
    gain = p["bdnf_emax"] * 10e-6 / (10e-6 + p["bdnf_ec50"])
    expected = 1 + gain * (1 - np.exp(-p["kbdnf_deg"] * c["time_s"]))
    assert np.allclose(c["bdnf_rel"], expected, rtol=1e-6)
    assert 1e-7 < ten_um.ec50_M < 1e-4


def test_bad_conc():
    with pytest.raises(UnitError):
        trk_response("-1 uM")
