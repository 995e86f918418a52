"""H1 [11C]doxepin rows: shipped as checks, by hand, and H1 stays uncalibrated with the reason."""

import math

import pytest

from neuromoa.engagement.calibration import calibration, calibration_points, calibrations
from neuromoa.errors import InputError

# Ketotifen 1 mg: 72 % (Tashiro 2006); plasma 0.15 ng/mL (half the ~300 pg/mL Cmax of 2 mg,
# Grahnen 1992); fu 0.25 (75 % bound, Zaditen label); Ki 1.2 nM (PMC7737327 Table 1); MW 309.43.
KETOTIFEN = {"plasma_ng_mL": 0.15, "fu": 0.25, "mw": 309.43, "k_M": 1.2e-9, "occ": 0.72}


def test_ketotifen_implied_factor_by_hand():
    k = KETOTIFEN
    cu = k["fu"] * k["plasma_ng_mL"] * 1e-6 / k["mw"]
    expected_factor = cu * (1 - k["occ"]) / (k["occ"] * k["k_M"])
    expected_in_vitro = cu / (cu + k["k_M"])
    pts = calibration_points().set_index("study")
    row = pts.loc["tashiro2006_ketotifen_1mg"]
    assert row["role"] == "check"
    assert row["implied_factor"] == pytest.approx(expected_factor, rel=1e-6)
    assert row["predicted_in_vitro"] == pytest.approx(expected_in_vitro, rel=1e-6)
    assert math.isnan(row["predicted_calibrated"])


def test_rows_without_human_fu_or_ki_are_not_usable():
    pts = calibration_points().set_index("study")
    for study in ("tashiro2008_diphenhydramine_30mg", "tashiro2006_olopatadine_5mg",
                  "tashiro2009_hydroxyzine_30mg"):
        assert math.isnan(pts.loc[study, "implied_factor"])
        assert math.isnan(pts.loc[study, "predicted_in_vitro"])


def test_h1_is_not_calibrated_and_the_error_says_why():
    assert "H1" not in calibrations()
    with pytest.raises(InputError, match="plasma level measured at the scan.*1 row"):
        calibration("H1")
