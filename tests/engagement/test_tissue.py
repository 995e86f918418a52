"""Rodgers & Rowland tissue partition: limiting cases of the formula and the shipped values."""

import pytest

from neuromoa.engagement import engage
from neuromoa.engagement.tissue import TISSUE_METHOD, tissue_partition
from neuromoa.errors import InputError, ParameterError
from neuromoa.pharmacology import TissueComposition, rodgers_rowland_kp_base

RBC = TissueComposition(0.0, 0.603, 0.0017, 0.0029, 0.5, 7.22)
WATER_ONLY = TissueComposition(0.2, 0.8, 0.0, 0.0, 0.0, 7.4)


def _kp(tissue=WATER_ONLY, **kw):
    args = {"log_p": 3.0, "pka": 9.0, "fu": 0.1, "blood_plasma": 1.0, "hematocrit": 0.45,
            "tissue": tissue, "red_cells": RBC}
    args.update(kw)
    return rodgers_rowland_kp_base(**args)


def test_water_only_tissue_at_plasma_ph_is_its_water_fraction_times_fu():
    # no lipids, no acidic phospholipids, same pH: Kpu = f_EW + f_IW = 1, so Kp = fu.
    assert _kp(fu=0.1) == pytest.approx(0.1, rel=1e-12)


def test_ion_trapping_raises_kp_in_an_acidic_cell():
    acid = TissueComposition(0.2, 0.8, 0.0, 0.0, 0.0, 7.0)
    # by hand: Kpu = 0.2 + (1 + 10^(9-7)) 0.8 / (1 + 10^(9-7.4))
    kpu = 0.2 + (1 + 10 ** 2) * 0.8 / (1 + 10 ** 1.6)
    assert _kp(tissue=acid, fu=0.1) == pytest.approx(0.1 * kpu, rel=1e-12)


def test_more_lipophilic_partitions_more():
    brain = TissueComposition(0.162, 0.620, 0.0391, 0.0015, 0.40, 7.0)
    assert _kp(brain, log_p=5.0) > _kp(brain, log_p=3.0)


def test_bad_inputs():
    with pytest.raises(ParameterError):
        _kp(pka=5.0)  # not a base
    with pytest.raises(ParameterError):
        _kp(fu=0.0)
    with pytest.raises(InputError):
        tissue_partition("caffeine")


def test_shipped_brain_kp_of_the_tricyclics_shows_accumulation():
    for compound in ("amitriptyline", "nortriptyline"):
        part = tissue_partition(compound)
        assert part["kp_total"] > 1.0 and part["method"] == TISSUE_METHOD


def test_engage_reports_brain_to_plasma_total_per_analyte():
    r = engage("amitriptyline", dose="150 mg", every="24h").to_dict()
    for analyte in ("amitriptyline", "nortriptyline"):
        kp = r["exposure"]["analytes"][analyte]["brain_to_plasma_total"]
        assert kp == pytest.approx(tissue_partition(analyte)["kp_total"])
