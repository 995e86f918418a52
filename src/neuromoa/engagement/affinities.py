"""Which affinity value each ligand gets at a target × condition.

The knowledge base's default row, a chosen source, the metabolite's value at the same site,
one common series for parent and metabolite, and the notes that say what was chosen (see
:mod:`neuromoa.engagement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neuromoa.errors import InputError
from neuromoa.units import format_molar

__all__ = ["SERIES_MODES"]


#: How parent and metabolite values are chosen at one target (see the module docstring).
SERIES_MODES = ("common", "default")
#: Equilibrium dissociation constants (binding, or Schild KB/pA2) versus functional potencies;
#: values of different kinds are not combined at one site.
_AFFINITY_MEASURES = frozenset({"ki", "kd", "kb", "pki", "pkd", "pkb", "pa2"})


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


def _check_series(series: str) -> str:
    key = str(series).strip().lower()
    if key not in SERIES_MODES:
        raise InputError(f"Unknown series mode {series!r}; use one of {', '.join(SERIES_MODES)} "
                         "('common': one reference for parent and metabolite where one holds "
                         "both; 'default': each compound's default value).")
    return key
