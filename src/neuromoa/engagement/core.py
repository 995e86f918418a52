"""engage(): compound × (concentration | plasma level | dose) → occupancy of every target."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.engagement.affinities import _check_series, _check_source, _slot_affinities, _slots
from neuromoa.engagement.calibration import Calibration, calibration, calibrations
from neuromoa.engagement.compartments import load_compartments
from neuromoa.engagement.result import TARGET_COLUMNS, EngagementResult
from neuromoa.engagement.safety import _safety_table
from neuromoa.engagement.tissue import tissue_partition
from neuromoa.errors import InputError, NeuromoaWarning, check_number
from neuromoa.exposure import (
    DEFAULT_KP_UU,
    Patient,
    Regimen,
    daily_dose_note,
    pk_compound,
    resolve_dose,
    simulate_exposure,
)
from neuromoa.kb import load_kb
from neuromoa.pharmacology import (
    competitive_occupancy,
)
from neuromoa.units import as_molar

__all__ = ["engage"]


def _engagement_table(kb: Any, compound: str, unbound: Mapping[str, float], *, species: str,
                      source: str | None, scaling: Mapping[str, float], series: str,
                      unbound_plasma: Mapping[str, float] | None = None,
                      compartments: Mapping[str, str] | None = None,
                      calibrated: Mapping[str, Calibration] | None = None,
                      metabolite_present: bool = False) -> pd.DataFrame:
    """One row per target × condition. ``unbound`` is the unbound brain concentration of each
    ligand, ``unbound_plasma`` the unbound plasma one (None: the same, e.g. a concentration given
    at the target); ``compartments`` maps target → compartment (brain targets see ``unbound``,
    the others ``unbound_plasma``); ``calibrated`` maps target → :class:`Calibration` applied to
    the unbound plasma concentration (the factor was fitted with Kp,uu = 1 and absorbs it)."""
    comp = kb.compound(compound).id
    ligands = [comp] + [c for c in unbound if c != comp]
    plasma_u = dict(unbound_plasma) if unbound_plasma is not None else dict(unbound)
    comps = dict(compartments or {})
    cals = dict(calibrated or {})
    rows = []
    for target, condition in _slots(kb, comp):
        affs, notes, mixed = _slot_affinities(kb, ligands, target, condition, species, source,
                                              series)
        aff = affs[comp]
        if aff.measure.upper() == "IC50":
            notes.insert(0, "functional IC50 used as the affinity (channel block, Hill slope 1)")
        if aff.mode == "agonist":
            notes.append("agonist: fraction of receptors bound, not activation")
        if aff.species.lower() not in (species.lower(),):
            notes.append(f"measured in species {aff.species!r}")
        scale = scaling.get(target, 1.0)
        if scale != 1.0:
            notes.append(f"in-vivo scaling x{scale:g} applied to K")
        compartment = comps.get(target)
        if compartment is None:
            compartment = "brain"
            notes.append("compartment not tagged (data/engagement/compartments.csv): brain "
                         "assumed")
        site = unbound if compartment == "brain" else plasma_u
        present = [lig for lig in ligands if lig in affs]
        metabolite_note = ""
        if metabolite_present:
            absent = [lig for lig in ligands[1:] if lig not in affs]
            metabolite_note = ("parent and metabolite combined" if not absent else
                               f"metabolite not included: no data ({', '.join(absent)})")
        concs = np.array([site[lig] for lig in present])
        k_mid = np.array([affs[lig].value_M for lig in present]) * scale
        k_low = np.array([affs[lig].low_M for lig in present]) * scale
        k_high = np.array([affs[lig].high_M for lig in present]) * scale
        theta_iv = np.asarray(competitive_occupancy(concs, k_mid))
        occ_low = float(np.sum(competitive_occupancy(concs, k_high)))
        occ_high = float(np.sum(competitive_occupancy(concs, k_low)))
        cal = cals.get(target)
        theta = theta_iv
        if cal is not None:
            c_pl = np.array([plasma_u[lig] for lig in present])
            theta = np.asarray(competitive_occupancy(c_pl, k_mid * cal.factor))
            occ_low = float(np.sum(competitive_occupancy(c_pl, k_high * cal.ci[1])))
            occ_high = float(np.sum(competitive_occupancy(c_pl, k_low * cal.ci[0])))
            notes.append(f"calibrated to human PET ({cal.source}): K x {cal.factor:.3g} "
                         f"(95% CI {cal.ci[0]:.3g}-{cal.ci[1]:.3g}) at the unbound plasma "
                         "concentration; range = affinity range x factor CI")
            moved = [lig for lig in present if lig not in cal.drugs]
            if moved:
                notes.append(f"calibration transferred from {', '.join(cal.drugs)} to "
                             f"{', '.join(moved)} (assumed a property of the target)")
        targ = kb.target(target)
        refs = [f"{lig}: {affs[lig].source} ({affs[lig].key})" for lig in present]
        rows.append({
            "target": target,
            "condition": aff.condition,
            "species": aff.species,
            "occupancy": float(theta.sum()),
            "occupancy_in_vitro": float(theta_iv.sum()),
            "calibration": ({"source": cal.source, "factor": cal.factor, "ci": list(cal.ci),
                             "fitted_to": list(cal.drugs),
                             "transferred_to": [lig for lig in present
                                                if lig not in cal.drugs]}
                            if cal is not None else None),
            "compartment": compartment,
            "metabolite": metabolite_note,
            "occupancy_low": occ_low,
            "occupancy_high": occ_high,
            "consequence": targ.consequence,
            "effect_class": targ.effect_class,
            "family": targ.family,
            "measure": aff.measure,
            "k_M": aff.value_M * scale,
            "k_low_M": aff.low_M * scale,
            "k_high_M": aff.high_M * scale,
            "reference": "; ".join(refs),
            "series": {lig: affs[lig].source for lig in present},
            "mixed_series": mixed,
            "occupancy_by_compound": {lig: float(th) for lig, th in zip(present, theta,
                                                                        strict=True)},
            "note": "; ".join(notes),
        })
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return frame.sort_values("occupancy", ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ public API
def engage(compound: str, *, conc: Any = None, plasma: Any = None, dose: Any = None,
           every: Any = None, days: Any = None, base: bool = False, species: str = "human",
           source: str | None = None, kp_uu: float = DEFAULT_KP_UU,
           in_vivo_scaling: Mapping[str, float] | None = None,
           targets: Sequence[str] | None = None, series: str = "common",
           user_files: Iterable[str | os.PathLike[str]] = (),
           patient: Patient | None = None,
           calibrate: bool | Sequence[str] = True,
           compartments: Iterable[str | os.PathLike[str]] = ()) -> EngagementResult:
    """Fractional occupancy of every target of ``compound`` at a concentration or a dose.

    Give exactly one of ``conc``, ``plasma`` or ``dose``.

    Parameters
    ----------
    compound : str
        Name or synonym in the knowledge base ("amitriptyline", "nortriptyline", ...).
    conc : str or Quantity
        Unbound concentration at the target ("3.45 nM"; "ng/mL" uses the base MW).
    plasma : str or Quantity
        Total plasma concentration ("80 ng/mL"); unbound brain = Kp,uu × fu × C.
        Only the compound itself is counted (a measured parent level carries no metabolite).
    dose, every : str
        Dose ("150 mg", HCl salt unless ``base``; "1 mg/kg" with a patient weight) and
        interval ("24h"); ``patient`` (:class:`~neuromoa.exposure.Patient`: genotype, weight,
        age) shapes the exposure and is stated in the notes. Engagement at the
        steady-state average unbound brain concentrations of parent and metabolite together
        (:func:`neuromoa.exposure.steady_state_unbound_brain`, last interval of ``days``,
        default 14).
    species : str
        Preferred species of the affinity values (default human; fallbacks are noted).
    source : str, optional
        Reference id, origin or row key selecting non-default values for every compound
        (e.g. "tatsumi1997"); overrides ``series``.
    kp_uu : float
        Unbound brain / unbound plasma ratio (default 1, assumption; FACTS.md).
    in_vivo_scaling : mapping target → factor, optional
        Multiplies K at that target (PET occupancy is often several-fold weaker than the
        in-vitro prediction, FACTS.md); default 1 everywhere.
    targets : sequence of str, optional
        Keep only these targets (ids or HGNC symbols); default every target with a value.
    series : {"common", "default"}
        With a metabolite present: ``"common"`` uses one reference for parent and metabolite
        at a target where one holds both (Tatsumi 1997 at SERT/NET/DAT), ``"default"`` each
        compound's default value. Mixed-series rows are flagged either way. No effect on a
        concentration or plasma level of one compound.
    user_files : iterable of path-like
        Knowledge-base CSV files of your own, merged over the shipped one
        (:func:`neuromoa.kb.load_kb`).
    calibrate : bool or sequence of str
        ``True`` (default): every target with a human-PET calibration
        (:mod:`neuromoa.engagement.calibration`) reports the calibrated occupancy in
        ``occupancy`` and the free-drug value in ``occupancy_in_vitro``; ``False``: in-vitro
        everywhere; a list of targets: only those (each must have PET data, else
        :class:`~neuromoa.errors.InputError`). Not applied to ``conc`` (a concentration given at
        the target), where both columns agree.
    compartments : iterable of path-like
        CSV files (``target,compartment``) overriding the shipped compartment of a target
        (:mod:`neuromoa.engagement.compartments`); Kp,uu applies to ``brain`` targets only.

    Returns
    -------
    EngagementResult

    Examples
    --------
    >>> r = engage("amitriptyline", conc="3.45 nM")
    >>> round(r.occupancy("SERT"), 3)
    0.5
    """
    given = [name for name, v in (("conc", conc), ("plasma", plasma), ("dose", dose))
             if v is not None]
    if len(given) != 1:
        raise InputError("engage: give exactly one of conc (unbound, e.g. '3.45 nM'), plasma "
                         "(total, e.g. '80 ng/mL') or dose (e.g. '150 mg' with every='24h').")
    if every is not None and dose is None:
        raise InputError("engage: 'every' needs a dose (e.g. dose='150 mg', every='24h').")
    kp_uu = check_number(kp_uu, "kp_uu", "engage", low=0, low_open=True)
    series = _check_series(series)
    files = tuple(str(f) for f in user_files)
    kb = load_kb(files)
    comp = kb.compound(compound)
    wanted = None if targets is None else [kb.target(t).id for t in targets]
    scaling = {kb.target(t).id: check_number(v, f"in_vivo_scaling[{t}]", "engage", low=0,
                                             low_open=True)
               for t, v in (in_vivo_scaling or {}).items()}
    comps = load_compartments(tuple(compartments), known_targets=kb.targets()["id"])
    # a concentration given at the target is never calibrated: do not fit for nothing
    cals = (_chosen_calibrations(kb, calibrate)
            if conc is None or not isinstance(calibrate, bool) else {})
    exposure = None
    safety = None
    notes: list[str] = list(kb.overlay_messages)
    unbound_plasma: dict[str, float] | None = None
    if conc is not None:
        mode = "concentration"
        unbound = {comp.id: as_molar(conc, mw=comp.mw_base, what="--conc (unbound)")}
        if calibrate is not False:
            notes.append("concentration given at the target: no in-vivo calibration applied "
                         "(occupancy = occupancy_in_vitro)")
        cals = {}
    elif plasma is not None:
        mode = "plasma"
        total = as_molar(plasma, mw=comp.mw_base, what="--plasma (total)")
        fu = _unbound_fraction(comp.id)
        unbound = {comp.id: kp_uu * fu * total}
        unbound_plasma = {comp.id: fu * total}
        notes.append(f"unbound brain = Kp,uu {kp_uu:g} x fu {fu:g} x total plasma; unbound "
                     "plasma (fu x total) at peripheral, heart and plasma targets")
    else:
        mode = "dose"
        if every is None:
            raise InputError("engage: a dose needs an interval for steady state "
                             "(e.g. every='24h'); for one dose use neuromoa exposure --single.")
        regimen = Regimen.parse(resolve_dose(dose, patient), every=every, days=days, base=base)
        dose_note = daily_dose_note(comp.id, regimen)
        if dose_note is not None:
            warnings.warn(dose_note, NeuromoaWarning, stacklevel=2)
            notes.append(dose_note)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NeuromoaWarning)  # the dose note is issued above
            res = simulate_exposure(comp.id, regimen, kp_uu=kp_uu, times_h=np.array([0.0]),
                                    patient=patient)
            safety = _safety_table(kb, comp.id, regimen, species=species, source=source,
                                   series=series, patient=patient)
        unbound = {a: m["unbound_brain_cavg_M"] for a, m in res.metrics.items()}
        unbound_plasma = {a: m["unbound_cavg_M"] for a, m in res.metrics.items()}
        exposure = {"regimen": regimen.to_dict(), "description": regimen.describe(),
                    "kp_uu": kp_uu, "analytes": {a: dict(m) for a, m in res.metrics.items()},
                    "patient": res.patient.to_dict()}
        _add_tissue_partition(exposure, notes)
        notes.append(f"patient: {res.patient.describe()}")
        notes.extend(res.notes)
        notes.append("unbound brain concentrations: steady-state average over the last "
                     "dosing interval (Kp,uu x fu x Cavg) at brain targets; unbound plasma "
                     "(fu x Cavg) at peripheral, heart and plasma targets")
    if patient is not None and mode != "dose":
        notes.append("patient options not used: they shape the exposure from a dose, not a "
                     "given concentration")
    if source is not None:
        _check_source(kb, [comp.id, *unbound], source)
    table = _engagement_table(kb, comp.id, unbound, species=species, source=source,
                              scaling=scaling, series=series, unbound_plasma=unbound_plasma,
                              compartments=comps, calibrated=cals,
                              metabolite_present=len(unbound) > 1)
    if cals:
        notes.append("calibrated to human PET at " + ", ".join(
            f"{t} (factor {c.factor:.3g}, 95% CI {c.ci[0]:.3g}-{c.ci[1]:.3g}; {c.source})"
            for t, c in cals.items()) + "; every other target: in-vitro affinity, no PET data")
    several = table["series"].map(len) > 1
    one = table[several & ~table["mixed_series"]]
    if source is None and series == "common" and not one.empty:
        refs = sorted({ref for d in one["series"] for ref in d.values()})
        notes.append(f"parent and metabolite from one series ({', '.join(refs)}) at "
                     f"{', '.join(dict.fromkeys(one['target']))}: the parent's single-compound "
                     "default is set aside there (series='default' keeps it)")
    mixed = table.loc[table["mixed_series"], "target"].tolist()
    if mixed:
        notes.append("mixed series (parent and metabolite values from different references, "
                     f"no one reference holds both) at {', '.join(dict.fromkeys(mixed))}: "
                     "see each row's 'series'")
    if wanted is not None:
        missing = [t for t in wanted if t not in set(table["target"])]
        if missing:
            raise InputError(f"{comp.id} has no value at {', '.join(missing)} in the knowledge "
                             f"base; it has values at: {' '.join(dict.fromkeys(table['target']))}.")
        table = table[table["target"].isin(wanted)].reset_index(drop=True)
    return EngagementResult(compound=comp.id, mode=mode, unbound_M=unbound, targets=table,
                            exposure=exposure, safety=safety, species=species, source=source,
                            kp_uu=kp_uu, notes=tuple(notes), series=series,
                            in_vivo_scaling=scaling, user_files=files)


def _add_tissue_partition(exposure: dict[str, Any], notes: list[str]) -> None:
    """Put each analyte's predicted total brain/plasma ratio into the exposure block."""
    missing = []
    for analyte, metrics in exposure["analytes"].items():
        try:
            part = tissue_partition(analyte, "brain")
        except InputError:
            metrics["brain_to_plasma_total"] = None
            missing.append(analyte)
            continue
        metrics["brain_to_plasma_total"] = part["kp_total"]
        metrics["brain_to_plasma_total_method"] = part["method"]
    exposure["brain_to_plasma_total_note"] = (
        "total brain / total plasma (Kp) predicted from logP, pKa, fu and blood:plasma: tissue "
        "accumulation, not the unbound concentration that drives occupancy"
        + (f"; no physicochemistry for {', '.join(missing)}" if missing else ""))


def _chosen_calibrations(kb: Any, calibrate: bool | Sequence[str]) -> dict[str, Calibration]:
    """The calibrations to apply: all (True), none (False) or the named targets (checked)."""
    if calibrate is True:
        return dict(calibrations())
    if calibrate is False or calibrate is None:
        return {}
    if isinstance(calibrate, str):
        calibrate = [t for t in calibrate.split(",") if t.strip()]
    return {kb.target(t.strip()).id: calibration(kb.target(t.strip()).id) for t in calibrate}


def _unbound_fraction(compound: str) -> float:
    try:
        return pk_compound(compound).value("fu")
    except (KeyError, InputError) as exc:
        raise InputError(f"No unbound fraction in plasma for {compound!r} "
                         "(data/exposure/parameters.csv); give the unbound concentration with "
                         "--conc instead.") from exc
