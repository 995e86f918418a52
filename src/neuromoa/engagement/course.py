"""Occupancy against concentration (curves) and over a dosing interval (time course)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from neuromoa.engagement.affinities import (
    _affinity,
    _check_series,
    _check_source,
    _slot_affinities,
    _slots,
)
from neuromoa.engagement.calibration import calibrations
from neuromoa.engagement.compartments import load_compartments
from neuromoa.errors import InputError, NeuromoaWarning, ParameterError, check_number
from neuromoa.exposure import (
    DEFAULT_KP_UU,
    Regimen,
    simulate_exposure,
)
from neuromoa.kb import load_kb
from neuromoa.pharmacology import (
    competitive_occupancy,
    occupancy,
)

__all__ = ["INTERVAL_POINTS", "engagement_curves", "engagement_time_course"]


def engagement_curves(compound: str, concs_M: Sequence[float] | np.ndarray, *,
                      species: str = "human", source: str | None = None,
                      user_files: Iterable[str | os.PathLike[str]] = ()) -> pd.DataFrame:
    """Occupancy against unbound concentration for every target/condition of ``compound``.

    Parameters
    ----------
    concs_M : array of float
        Unbound concentrations (mol/L, ≥ 0).

    Returns
    -------
    pandas.DataFrame
        ``target condition concentration_M occupancy occupancy_low occupancy_high k_M
        reference`` (tidy, one row per target × condition × concentration).
    """
    c = np.asarray(concs_M, dtype=float).ravel()
    if c.size == 0 or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ParameterError("The 'concs_M' parameter of engagement_curves must be finite "
                             f"concentrations >= 0 (mol/L). Got {concs_M!r}.")
    kb = load_kb(tuple(user_files))
    comp = kb.compound(compound).id
    if source is not None:
        _check_source(kb, [comp], source)
    frames = []
    for target, condition in _slots(kb, comp):
        aff, _ = _affinity(kb, comp, target, condition, species, source)
        frames.append(pd.DataFrame({
            "target": target,
            "condition": aff.condition,
            "concentration_M": c,
            "occupancy": occupancy(c, aff.value_M),
            "occupancy_low": occupancy(c, aff.high_M),
            "occupancy_high": occupancy(c, aff.low_M),
            "k_M": aff.value_M,
            "reference": f"{aff.source} ({aff.key})",
        }))
    return pd.concat(frames, ignore_index=True)


#: Time points over one dosing interval in :func:`engagement_time_course` (every half hour of a
#: 24 h interval; enough to resolve the absorption peak, tmax ≈ 4 h).
INTERVAL_POINTS = 49


def engagement_time_course(compound: str, regimen: Regimen, *, species: str = "human",
                           source: str | None = None, kp_uu: float = DEFAULT_KP_UU,
                           series: str = "common", n_points: int = INTERVAL_POINTS,
                           user_files: Iterable[str | os.PathLike[str]] = (),
                           calibrate: bool = True) -> pd.DataFrame:
    r"""Occupancy of every target over the last dosing interval of a regimen (steady state).

    The unbound brain concentrations of parent and metabolite over the interval that starts at
    the last dose (:func:`neuromoa.exposure.simulate_exposure`) compete at each target
    (Gaddum: :math:`\theta = \sum_i (C_i(t)/K_i) / (1 + \sum_j C_j(t)/K_j)`), with the same
    choice of values per target as :func:`engage` (``series``, ``source``, ``species``).

    Parameters
    ----------
    regimen : Regimen
        A repeated regimen (``Regimen.parse("150 mg", every="24 h", days=14)``).
    n_points : int
        Time points over the interval, ends included (≥ 2).
    calibrate : bool
        Apply the human-PET calibration where a target has one (as :func:`engage` does; the
        ``calibrated`` column says where). Brain targets see the unbound brain concentration,
        the others the unbound plasma one (:mod:`neuromoa.engagement.compartments`).

    Returns
    -------
    pandas.DataFrame
        ``time_h`` (h after the last dose), ``target``, ``condition``, ``occupancy``,
        ``calibrated`` and one
        ``unbound_<analyte>_M`` column per analyte; one row per target × condition × time.
    """
    if not isinstance(regimen, Regimen) or not regimen.repeated:
        raise InputError("engagement_time_course needs a repeated regimen "
                         "(e.g. Regimen.parse('150 mg', every='24 h', days=14)).")
    n = int(check_number(n_points, "n_points", "engagement_time_course", low=2))
    kp_uu = check_number(kp_uu, "kp_uu", "engagement_time_course", low=0, low_open=True)
    series = _check_series(series)
    kb = load_kb(tuple(str(f) for f in user_files))
    comp = kb.compound(compound).id
    assert regimen.interval_h is not None
    tau = np.linspace(0.0, regimen.interval_h, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)  # dose notes are engage()'s to give
        res = simulate_exposure(comp, regimen, kp_uu=kp_uu,
                                times_h=regimen.dose_times_h[-1] + tau)
    unbound = {a: np.asarray(c, dtype=float) for a, c in res.unbound_brain_M.items()}
    plasma_u = {a: np.asarray(c, dtype=float) for a, c in res.unbound_plasma_M.items()}
    comps = load_compartments(known_targets=None)
    cals = calibrations() if calibrate else {}
    ligands = [comp] + [a for a in unbound if a != comp]
    if source is not None:
        _check_source(kb, ligands, source)
    frames = []
    for target, condition in _slots(kb, comp):
        affs, _, _ = _slot_affinities(kb, ligands, target, condition, species, source, series)
        present = [lig for lig in ligands if lig in affs]
        cal = cals.get(target)
        site = unbound if comps.get(target, "brain") == "brain" and cal is None else plasma_u
        concs = np.column_stack([site[lig] for lig in present])
        ks = np.array([affs[lig].value_M for lig in present]) * (cal.factor if cal else 1.0)
        theta = competitive_occupancy(concs, ks).sum(axis=-1)
        frame = pd.DataFrame({"time_h": tau, "target": target,
                              "condition": affs[comp].condition, "occupancy": theta,
                              "calibrated": cal is not None})
        for analyte, c in unbound.items():
            frame[f"unbound_{analyte}_M"] = c
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
