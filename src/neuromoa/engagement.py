"""Target engagement: compound × (concentration | plasma level | dose) → occupancy of every target.

For each target (one row per state or condition for channels) with a value for the compound,
the fractional occupancy at the unbound concentration at the target. Where parent and metabolite
are both present (a dose of amitriptyline gives nortriptyline too) they compete for the site
(Gaddum 1937):

.. math::

    \\theta_i = \\frac{C_i/K_i}{1 + \\sum_j C_j/K_j}, \\qquad \\theta = \\sum_i \\theta_i ,

which for one ligand is Hill–Langmuir with n = 1, :math:`C/(C + K)`. K is the Ki/KD; for
channels the functional IC50 stands in for the affinity (block of a single site with Hill
slope 1), and the ``note`` column says so. A range (M1–M5 11–24 nM, H1 0.5–1.1 nM) gives
``occupancy_low`` (at the high K) and ``occupancy_high`` (at the low K); ``occupancy`` uses
the geometric mean. The knowledge base's default row is used unless ``source=`` selects
another (e.g. ``"tatsumi1997"``: SERT 4.3 nM instead of the document's 3.45 nM); the
``reference`` column says which row was used and ``series`` which reference each compound's
value came from.

Parent and metabolite together (FACTS.md: "choose one series when comparing parent and
metabolite"): with ``series="common"`` (the default) a target where one reference holds values
for every ligand present uses that reference for all of them (Tatsumi 1997 at SERT/NET/DAT,
as :mod:`neuromoa.systems` does), and the note says the parent's single-compound default was
set aside; where no reference holds both (or a value is the user's own, from ``user_files``),
each compound keeps its default and the row is flagged ``mixed_series`` with a note. ``series="default"`` keeps every compound's default
(flagged where mixed). A binding constant (Ki/KD) is never combined with a functional IC50 at
one site: the second ligand is left out there, with a note (nortriptyline's binding KD at the
unspecified "muscarinic" row against amitriptyline's functional IC50).

Concentrations: ``conc`` is the unbound concentration at the target; ``plasma`` a total plasma
level, converted with the unbound fraction and Kp,uu (:math:`C_{u,brain} = K_{p,uu} f_u C`,
Smith, Di & Kerns 2010); ``dose`` + ``every`` the steady-state average unbound brain
concentrations of parent *and* metabolite from :mod:`neuromoa.exposure`.

Safety margins (:func:`safety_margins`): IC50 / unbound Cmax for hERG and the cardiac Na+
channel (Nav1.5/hH1, inactivated and resting), with the combined parent + metabolite block,
each flagged against its own level: hERG against the 30-fold threshold (Redfern et al. 2003,
Cardiovasc Res 58:32), Nav1.5 against the ~15-fold level at which QRS prolongation appears on
average (Harmer et al. 2011, Br J Pharmacol 164:260); both levels are knowledge-base constants
(``herg_margin_threshold``, ``qrs_nav15_ratio``) with their sources.
"""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.errors import InputError, NeuromoaWarning, ParameterError, check_number
from neuromoa.exposure import (
    DEFAULT_KP_UU,
    Regimen,
    daily_dose_note,
    pk_compound,
    simulate_exposure,
)
from neuromoa.kb import load_kb
from neuromoa.pharmacology import (
    combined_fractional_block,
    competitive_occupancy,
    occupancy,
    safety_margin,
)
from neuromoa.units import as_molar, format_molar

__all__ = [
    "SERIES_MODES",
    "EngagementResult",
    "engage",
    "engagement_curves",
    "engagement_time_course",
    "safety_margins",
]

#: Safety-margin level per target: the knowledge-base constant holding it and the citation
#: shown in the flag. hERG: provisional 30-fold threshold, IC50 / unbound Cmax (Redfern et al.
#: 2003); Nav1.5: QRS prolongation on average at unbound Cmax ~15-fold below the IC50 (Harmer
#: et al. 2011). Values and sources in data/kb/constants.csv.
SAFETY_LEVELS = {"hERG": ("herg_margin_threshold", "threshold (Redfern 2003)"),
                 "Nav1.5": ("qrs_nav15_ratio", "QRS level (Harmer 2011)")}
#: Targets whose margins are computed (cardiac liabilities).
SAFETY_TARGETS = tuple(SAFETY_LEVELS)
#: How parent and metabolite values are chosen at one target (see the module docstring).
SERIES_MODES = ("common", "default")
#: Equilibrium dissociation constants (binding, or Schild KB/pA2) versus functional potencies;
#: values of different kinds are not combined at one site.
_AFFINITY_MEASURES = frozenset({"ki", "kd", "kb", "pki", "pkd", "pkb", "pa2"})

TARGET_COLUMNS = [
    "target", "condition", "species", "occupancy", "occupancy_low", "occupancy_high",
    "consequence", "effect_class", "family", "measure", "k_M", "k_low_M", "k_high_M",
    "reference", "series", "mixed_series", "occupancy_by_compound", "note",
]


@dataclass(frozen=True)
class EngagementResult:
    """Per-target engagement of a compound (and its metabolite) at one exposure.

    Attributes
    ----------
    compound : str
        The compound given (dosed or at the stated concentration).
    mode : str
        ``"concentration"`` (unbound at the target), ``"plasma"`` or ``"dose"``.
    unbound_M : dict[str, float]
        Unbound concentration at the targets (brain) of each ligand present (mol/L).
    targets : pandas.DataFrame
        One row per target and condition, sorted by occupancy (columns :data:`TARGET_COLUMNS`).
    exposure : dict or None
        For a dose: the regimen and the exposure metrics of each analyte.
    safety : pandas.DataFrame or None
        For a dose: :func:`safety_margins`.
    species, source : str or None
        The species asked for and the source selected (``None`` = the knowledge base default).
    kp_uu : float
    series : str
        ``"common"`` or ``"default"`` (:data:`SERIES_MODES`).
    in_vivo_scaling : dict[str, float]
        Factor applied to K per target id (empty = 1 everywhere).
    user_files : tuple of str
        User knowledge-base files merged over the shipped one.
    notes : tuple of str
        Caveats of the whole run (mixed series, dose above the label, conversions).
    """

    compound: str
    mode: str
    unbound_M: dict[str, float]
    targets: pd.DataFrame
    exposure: dict[str, Any] | None = None
    safety: pd.DataFrame | None = None
    species: str = "human"
    source: str | None = None
    kp_uu: float = DEFAULT_KP_UU
    notes: tuple[str, ...] = field(default_factory=tuple)
    series: str = "common"
    in_vivo_scaling: dict[str, float] = field(default_factory=dict)
    user_files: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The targets table (a copy)."""
        return self.targets.copy()

    def top(self) -> str:
        """Id of the most occupied target."""
        return str(self.targets.iloc[0]["target"])

    def occupancy(self, target: str, condition: str | None = None) -> float:
        """Total occupancy of ``target`` (first matching condition unless ``condition``)."""
        rows = self.targets[self.targets["target"] == target]
        if condition is not None:
            rows = rows[rows["condition"].str.lower() == condition.lower()]
        if rows.empty:
            raise InputError(f"No engagement row for target {target!r}"
                             + (f" condition {condition!r}" if condition else "")
                             + f"; targets: {' '.join(dict.fromkeys(self.targets['target']))}.")
        return float(rows.iloc[0]["occupancy"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``compound unbound_M exposure targets`` (+ ``safety_margins`` for a dose)."""
        out: dict[str, Any] = {
            "compound": self.compound,
            "mode": self.mode,
            "species": self.species,
            "source": self.source,
            "kp_uu": self.kp_uu,
            "series": self.series,
            "in_vivo_scaling": dict(self.in_vivo_scaling),
            "user_files": list(self.user_files),
            "unbound_M": dict(self.unbound_M),
        }
        if self.exposure is not None:
            out["exposure"] = self.exposure
        out["targets"] = _records(self.targets)
        if self.safety is not None:
            out["safety_margins"] = _records(self.safety)
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of occupancy per target/condition with the low–high range."""
        from matplotlib.figure import Figure

        if ax is None:
            fig = Figure(figsize=(7, 0.3 * len(self.targets) + 1.5))
            ax = fig.add_subplot(1, 1, 1)
        t = self.targets.iloc[::-1]
        labels = [f"{a} ({c})" if c else a for a, c in zip(t["target"], t["condition"],
                                                          strict=True)]
        y = np.arange(len(t))
        occ = t["occupancy"].to_numpy()
        err = np.vstack([occ - t["occupancy_low"].to_numpy(), t["occupancy_high"].to_numpy() - occ])
        ax.barh(y, occ, xerr=err, color="tab:blue", ecolor="0.3")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel("fractional occupancy")
        ax.set_title(f"{self.compound}: " + ", ".join(
            f"{k} {v * 1e9:.3g} nM" for k, v in self.unbound_M.items()) + " unbound")
        return ax.figure

    def _repr_html_(self) -> str:
        cols = ["target", "condition", "occupancy", "occupancy_low", "occupancy_high",
                "consequence"]
        return f"<b>{html.escape(str(self.compound))}</b>" + self.targets[cols].to_html(index=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, float) and not math.isfinite(v):
                clean[k] = None
            elif hasattr(v, "item") and not isinstance(v, dict | list | str):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


# ------------------------------------------------------------------------- target rows
def _slots(kb: Any, compound: str) -> list[tuple[str, str]]:
    """(target, condition) pairs of the compound's default rows, in knowledge-base order."""
    rows = kb.activities(compound=compound, default_only=True)
    return list(dict.fromkeys(zip(rows["target"], rows["condition"], strict=True)))


def _affinity(kb: Any, compound: str, target: str, condition: str | None, species: str,
              source: str | None) -> tuple[Any, str]:
    """The affinity row for a slot, with a note when the source or condition had to fall back."""
    note = ""
    if source is not None:
        try:
            return kb.affinity(compound, target, condition=condition or None, species=species,
                               source=source), ""
        except InputError:
            note = f"no {compound} value from source {source!r} here; default used"
    return kb.affinity(compound, target, condition=condition or None, species=species), note


def _check_source(kb: Any, compounds: Sequence[str], source: str) -> None:
    """Raise unless ``source`` names a reference, origin or row key of one of ``compounds``."""
    known: set[str] = set()
    shown: set[str] = set()
    for c in dict.fromkeys(compounds):
        rows = kb.activities(compound=c)
        for col in ("reference", "corrected_reference", "origin", "key"):
            for v in rows[col]:
                ids = {x.strip().lower() for x in str(v).split(";") if x.strip()}
                known.update(ids)
                if col != "key":
                    shown.update(ids)
    if source.strip().lower() not in known:
        raise InputError(f"Unknown source {source!r} for {', '.join(dict.fromkeys(compounds))}; "
                         f"use a reference id, an origin or a row key, e.g. "
                         f"{', '.join(sorted(shown))}.")


def _metabolite_affinity(kb: Any, ligand: str, target: str, condition: str, species: str,
                         source: str | None) -> tuple[Any | None, str]:
    """The other ligand's value at the same target: same condition, else its only condition."""
    have = kb.activities(compound=ligand, target=target)
    if have.empty:
        return None, f"{ligand}: no value at {target} in the knowledge base (ignored here)"
    for cond in ([condition, None] if condition else [None]):
        for src in ([source, None] if source else [None]):
            try:
                aff = kb.affinity(ligand, target, condition=cond, species=species, source=src)
            except InputError:
                continue
            note = ""
            if (cond is None and condition and aff.condition.lower() != condition.lower()
                    and not (_unspecified(aff.condition) and _unspecified(condition))):
                note = (f"{ligand} value measured under {aff.condition or 'unspecified'!r}, "
                        f"applied to {condition!r}")
            return aff, note
    return None, f"{ligand}: no usable value at {target} for {condition!r} (ignored here)"


def _series_ids(kb: Any, compound: str, target: str) -> set[str]:
    """Reference ids (as given and as corrected) of every row of ``compound`` at ``target``."""
    rows = kb.activities(compound=compound, target=target)
    return {x.strip() for col in ("reference", "corrected_reference") for v in rows[col]
            for x in str(v).split(";") if x.strip()}


def _subtype_note(kb: Any, aff: Any) -> str:
    """A note when the value was measured without subtype resolution (more genes than the
    target's), e.g. nortriptyline's human-brain muscarinic KD applied to M1 (Cusack 1994)."""
    rows = kb.activities(compound=aff.compound, target=aff.target)
    rows = rows[rows["key"] == aff.key]
    if rows.empty:
        return ""
    measured = {g.strip().upper() for g in str(rows.iloc[0]["gene"]).split(";") if g.strip()}
    own = {g.upper() for g in kb.target(aff.target).genes}
    if measured and own and own < measured:
        return (f"{aff.compound}: value not subtype-resolved (measured at "
                f"{', '.join(sorted(measured))}) applied to {aff.target} ({aff.source}, "
                f"confidence {aff.confidence})")
    return ""


def _slot_affinities(kb: Any, ligands: Sequence[str], target: str, condition: str,
                     species: str, source: str | None, series: str
                     ) -> tuple[dict[str, Any], list[str], bool]:
    """The value of each ligand at one target × condition, the notes, and the mixed flag.

    The first ligand is the compound given; the others (its metabolite) compete with it. See
    the module docstring for how ``series`` chooses between defaults and one common series.
    """
    comp = ligands[0]
    aff, note0 = _affinity(kb, comp, target, condition, species, source)
    notes = [note0] if note0 else []
    affs = {comp: aff}
    for lig in ligands[1:]:
        other, note = _metabolite_affinity(kb, lig, target, aff.condition, species, source)
        if note:
            notes.append(note)
        if other is not None:
            affs[lig] = other
    # A user's own row is what they asked for: it is never swapped for a shipped series.
    if (source is None and series == "common" and len({a.source for a in affs.values()}) > 1
            and not any(a.user for a in affs.values())):
        common = set.intersection(*(_series_ids(kb, lig, target) for lig in affs))
        for ref in sorted(common):
            try:
                swapped = {lig: kb.affinity(lig, target, condition=a.condition or None,
                                            species=species, source=ref)
                           for lig, a in affs.items()}
            except InputError:
                continue
            notes.append(f"one series for {' and '.join(affs)}: {ref} (FACTS.md: one series "
                         f"when comparing parent and metabolite); {comp}'s single-compound "
                         f"default {format_molar(aff.value_M)} ({aff.source}, {aff.key}) "
                         "set aside here")
            affs, aff = swapped, swapped[comp]
            break
    for lig in list(affs)[1:]:
        if _is_affinity(affs[lig].measure) != _is_affinity(aff.measure):
            notes.append(f"{lig}: its {affs[lig].measure} ({affs[lig].source}) is not combined "
                         f"with {comp}'s {aff.measure} ({aff.source}): binding constant and "
                         "functional potency differ in kind (ignored here)")
            del affs[lig]
    for a in affs.values():
        sub = _subtype_note(kb, a)
        if sub:
            notes.append(sub)
    mixed = len({a.source for a in affs.values()}) > 1
    if mixed:
        notes.append("mixed series: " + ", ".join(f"{lig} {a.source}" for lig, a in affs.items())
                     + " (no one reference holds both here; compare parent and metabolite "
                     "with care)")
    return affs, notes, mixed


def _unspecified(condition: str) -> bool:
    return condition.strip().lower() in ("", "not specified")


def _is_affinity(measure: str) -> bool:
    return measure.strip().lower() in _AFFINITY_MEASURES


def _engagement_table(kb: Any, compound: str, unbound: Mapping[str, float], *, species: str,
                      source: str | None, scaling: Mapping[str, float], series: str
                      ) -> pd.DataFrame:
    comp = kb.compound(compound).id
    ligands = [comp] + [c for c in unbound if c != comp]
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
        present = [lig for lig in ligands if lig in affs]
        concs = np.array([unbound[lig] for lig in present])
        k_mid = np.array([affs[lig].value_M for lig in present]) * scale
        k_low = np.array([affs[lig].low_M for lig in present]) * scale
        k_high = np.array([affs[lig].high_M for lig in present]) * scale
        theta = np.asarray(competitive_occupancy(concs, k_mid))
        occ_low = float(np.sum(competitive_occupancy(concs, k_high)))
        occ_high = float(np.sum(competitive_occupancy(concs, k_low)))
        targ = kb.target(target)
        refs = [f"{lig}: {affs[lig].source} ({affs[lig].key})" for lig in present]
        rows.append({
            "target": target,
            "condition": aff.condition,
            "species": aff.species,
            "occupancy": float(theta.sum()),
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
           user_files: Iterable[str | os.PathLike[str]] = ()) -> EngagementResult:
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
        Dose ("150 mg", HCl salt unless ``base``) and interval ("24h"): engagement at the
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
    exposure = None
    safety = None
    notes: list[str] = list(kb.overlay_messages)
    if conc is not None:
        mode = "concentration"
        unbound = {comp.id: as_molar(conc, mw=comp.mw_base, what="--conc (unbound)")}
    elif plasma is not None:
        mode = "plasma"
        total = as_molar(plasma, mw=comp.mw_base, what="--plasma (total)")
        fu = _unbound_fraction(comp.id)
        unbound = {comp.id: kp_uu * fu * total}
        notes.append(f"unbound brain = Kp,uu {kp_uu:g} x fu {fu:g} x total plasma")
    else:
        mode = "dose"
        if every is None:
            raise InputError("engage: a dose needs an interval for steady state "
                             "(e.g. every='24h'); for one dose use neuromoa exposure --single.")
        regimen = Regimen.parse(dose, every=every, days=days, base=base)
        dose_note = daily_dose_note(comp.id, regimen)
        if dose_note is not None:
            warnings.warn(dose_note, NeuromoaWarning, stacklevel=2)
            notes.append(dose_note)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NeuromoaWarning)  # the dose note is issued above
            res = simulate_exposure(comp.id, regimen, kp_uu=kp_uu, times_h=np.array([0.0]))
            safety = _safety_table(kb, comp.id, regimen, species=species, source=source,
                                   series=series)
        unbound = {a: m["unbound_brain_cavg_M"] for a, m in res.metrics.items()}
        exposure = {"regimen": regimen.to_dict(), "description": regimen.describe(),
                    "kp_uu": kp_uu, "analytes": {a: dict(m) for a, m in res.metrics.items()}}
        notes.append("unbound brain concentrations: steady-state average over the last "
                     "dosing interval (Kp,uu x fu x Cavg)")
    if source is not None:
        _check_source(kb, [comp.id, *unbound], source)
    table = _engagement_table(kb, comp.id, unbound, species=species, source=source,
                              scaling=scaling, series=series)
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


def _check_series(series: str) -> str:
    key = str(series).strip().lower()
    if key not in SERIES_MODES:
        raise InputError(f"Unknown series mode {series!r}; use one of {', '.join(SERIES_MODES)} "
                         "('common': one reference for parent and metabolite where one holds "
                         "both; 'default': each compound's default value).")
    return key


def _unbound_fraction(compound: str) -> float:
    try:
        return pk_compound(compound).value("fu")
    except (KeyError, InputError) as exc:
        raise InputError(f"No unbound fraction in plasma for {compound!r} "
                         "(data/exposure/parameters.csv); give the unbound concentration with "
                         "--conc instead.") from exc


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
                           user_files: Iterable[str | os.PathLike[str]] = ()) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        ``time_h`` (h after the last dose), ``target``, ``condition``, ``occupancy`` and one
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
    ligands = [comp] + [a for a in unbound if a != comp]
    if source is not None:
        _check_source(kb, ligands, source)
    frames = []
    for target, condition in _slots(kb, comp):
        affs, _, _ = _slot_affinities(kb, ligands, target, condition, species, source, series)
        present = [lig for lig in ligands if lig in affs]
        concs = np.column_stack([unbound[lig] for lig in present])
        ks = np.array([affs[lig].value_M for lig in present])
        theta = competitive_occupancy(concs, ks).sum(axis=-1)
        frame = pd.DataFrame({"time_h": tau, "target": target,
                              "condition": affs[comp].condition, "occupancy": theta})
        for analyte, c in unbound.items():
            frame[f"unbound_{analyte}_M"] = c
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def safety_margins(compound: str, regimen: Regimen, *, species: str = "human",
                   source: str | None = None, series: str = "common",
                   user_files: Iterable[str | os.PathLike[str]] = ()) -> pd.DataFrame:
    """Cardiac safety margins (hERG, Nav1.5) at a regimen's unbound peak plasma concentrations.

    margin = IC50 / unbound Cmax (plasma; the heart sees plasma, so Kp,uu does not apply), for
    the compound and, when it is formed, the metabolite; the combined block of both at their
    peaks is :math:`f = S/(1+S)`, :math:`S = \\sum_i C_{u,max,i}/IC_{50,i}`, and the combined
    margin :math:`1/S` (the factor by which both exposures could rise before S = 1).
    Flag: hERG combined margin against the provisional 30-fold threshold (Redfern et al.
    2003); Nav1.5 against the ~15-fold level at which QRS widening appears on average (Harmer
    et al. 2011). Both levels are knowledge-base constants with their sources
    (:data:`SAFETY_LEVELS`). Using each analyte's own Cmax is conservative (the peaks are a
    few hours apart). ``series`` and ``user_files`` as in :func:`engage`; a dose above the
    labelled maximum warns (:class:`~neuromoa.errors.NeuromoaWarning`) and still computes.

    Returns
    -------
    pandas.DataFrame
        ``target condition ic50_M cmax_unbound_M margin metabolite metabolite_ic50_M
        metabolite_cmax_unbound_M metabolite_margin combined_block combined_margin level
        level_source flag series mixed_series reference note``, smallest combined margin first.
    """
    if not isinstance(regimen, Regimen):
        raise ParameterError("safety_margins: 'regimen' must be a Regimen "
                             "(e.g. Regimen.parse('150 mg', every='24 h')).")
    kb = load_kb(tuple(user_files))
    comp = kb.compound(compound).id
    dose_note = daily_dose_note(comp, regimen)
    if dose_note is not None:
        warnings.warn(dose_note, NeuromoaWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)  # the dose note is issued above
        return _safety_table(kb, comp, regimen, species=species, source=source,
                             series=_check_series(series))


def _safety_table(kb: Any, comp: str, regimen: Regimen, *, species: str, source: str | None,
                  series: str) -> pd.DataFrame:
    res = simulate_exposure(comp, regimen, times_h=np.array([0.0]))
    cmax_u = {a: m["unbound_cmax_M"] for a, m in res.metrics.items()}
    ligands = [comp] + [a for a in cmax_u if a != comp]
    rows = []
    for target, condition in _slots(kb, comp):
        if target not in SAFETY_LEVELS:
            continue
        const_name, level_source = SAFETY_LEVELS[target]
        level_const = kb.constant(const_name)
        level = float(level_const.value_si)
        affs, notes, mixed = _slot_affinities(kb, ligands, target, condition, species, source,
                                              series)
        aff = affs[comp]
        met = next((lig for lig in ligands[1:] if lig in affs), None)
        met_aff = affs.get(met) if met is not None else None
        concs = [cmax_u[lig] for lig in affs]
        ic50s = [a.value_M for a in affs.values()]
        ratio_sum = float(np.sum(np.asarray(concs) / np.asarray(ic50s)))
        combined_margin = 1.0 / ratio_sum if ratio_sum > 0 else math.inf
        margin = float(safety_margin(aff.value_M, cmax_u[comp]))
        side = "below" if combined_margin < level else "above"
        flag = f"{side} {level:g}-fold {level_source}"
        if target == "Nav1.5":
            notes.append("QRS widening expected on average (Harmer 2011: unbound Cmax ~15-fold "
                         "below the Nav1.5 IC50)" if side == "below" else
                         "above the ~15-fold level at which QRS widening appears on average "
                         "(Harmer 2011)")
        rows.append({
            "target": target,
            "condition": aff.condition,
            "ic50_M": aff.value_M,
            "cmax_unbound_M": cmax_u[comp],
            "margin": margin,
            "metabolite": met,
            "metabolite_ic50_M": met_aff.value_M if met_aff is not None else math.nan,
            "metabolite_cmax_unbound_M": cmax_u[met] if met is not None else math.nan,
            "metabolite_margin": (float(safety_margin(met_aff.value_M, cmax_u[met]))
                                  if met is not None and met_aff is not None else math.nan),
            "combined_block": float(combined_fractional_block(concs, ic50s)),
            "combined_margin": combined_margin,
            "level": level,
            "level_source": f"{const_name} ({level_const.reference})",
            "flag": flag,
            "series": {lig: a.source for lig, a in affs.items()},
            "mixed_series": mixed,
            "reference": "; ".join(f"{lig}: {a.source} ({a.key})" for lig, a in affs.items()),
            "note": "; ".join(notes),
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("combined_margin", kind="stable").reset_index(drop=True)
