"""Occupancy over a dosing interval: Gaddum competition on the exposure course, by hand."""

import numpy as np
import pytest

from neuromoa.engagement import engage, engagement_time_course
from neuromoa.engagement.calibration import calibration
from neuromoa.errors import InputError
from neuromoa.exposure import Regimen

# Tatsumi et al. 1997 (FACTS.md): KD at human SERT, amitriptyline 4.3 nM, nortriptyline 18 nM
KD_SERT_AMI, KD_SERT_NOR = 4.3e-9, 18e-9


@pytest.fixture(scope="module")
def course():
    return engagement_time_course("amitriptyline", Regimen.parse("150 mg", every="24 h", days=14))


def test_sert_course_is_gaddum_on_the_unbound_concentrations(course):
    sert = course[course["target"] == "SERT"]
    a = sert["unbound_amitriptyline_M"].to_numpy()
    n = sert["unbound_nortriptyline_M"].to_numpy()
    f = calibration("SERT").factor  # the PET calibration scales both K (Kp,uu = 1 here)
    assert sert["calibrated"].all()
    r = a / (f * KD_SERT_AMI) + n / (f * KD_SERT_NOR)
    np.testing.assert_allclose(sert["occupancy"].to_numpy(), r / (1 + r), rtol=1e-12)
    assert sert["time_h"].iloc[0] == 0.0 and sert["time_h"].iloc[-1] == 24.0


def test_course_brackets_the_steady_state_average(course):
    """engage() at the interval-average concentrations lies between the course's min and max."""
    avg = engage("amitriptyline", dose="150 mg", every="24h")  # calibrated, as the course
    for target in ("SERT", "NET", "H1", "M1"):
        occ = course.loc[course["target"] == target, "occupancy"]
        assert occ.min() <= avg.occupancy(target) <= occ.max(), target
    # a peak exists within the interval: absorption (tmax ~ 4 h) raises occupancy after the dose
    h1 = course[course["target"] == "H1"]
    assert h1["occupancy"].idxmax() != h1.index[0]


def test_single_dose_is_refused():
    with pytest.raises(InputError, match="repeated regimen"):
        engagement_time_course("amitriptyline", Regimen.parse("50 mg"))


def test_cli_occupancy_course(tmp_path):
    import json

    from typer.testing import CliRunner

    from neuromoa.cli.main import _register_all, app

    _register_all([])
    out = tmp_path / "course.csv"
    res = CliRunner().invoke(app, ["occupancy-course", "--dose", "150 mg", "--out", str(out),
                                   "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["target"]: r for r in json.loads(res.stdout)["targets"]}
    assert rows["SERT"]["occupancy_min"] < rows["SERT"]["occupancy_mean"] < rows["SERT"]["occupancy_max"]
    assert out.read_text().startswith("time_h,target,condition,occupancy")
    bad = CliRunner().invoke(app, ["occupancy-course", "--dose", "-5 mg"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
