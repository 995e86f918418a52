"""The knowledge base: load and validate the shipped files, overlay the user's, answer queries.

>>> kb = load_kb()
>>> kb.compound("Elavil").id
'amitriptyline'
>>> kb.target("HRH1").id
'H1'
>>> round(kb.affinity("amitriptyline", "SERT").value_M * 1e9, 2)
3.45
"""

from __future__ import annotations

import csv
import functools
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError, UnknownCompoundError, UnknownTargetError
from neuromoa.kb.records import Affinity, Compound, Constant, Target
from neuromoa.kb.schema import (
    ACTIVITY_COLUMNS,
    COMPOUND_COLUMNS,
    CONSTANT_COLUMNS,
    FAMILIES,
    P_UNIT,
    REFERENCE_COLUMNS,
    TARGET_COLUMNS,
    Column,
    check_measure_unit,
    concentration_to_molar,
    constant_to_si,
    read_rows,
    split_list,
)

__all__ = ["ACTIVITY_FRAME_COLUMNS", "KnowledgeBase", "activity_records", "load_kb"]

_SHIPPED = "neuromoa/data/kb/"
#: Columns of :meth:`KnowledgeBase.activities`, contract columns first.
ACTIVITY_FRAME_COLUMNS = [
    "compound", "target", "gene", "species", "measure", "condition", "state", "low_M",
    "high_M", "value_M", "text", "unit", "mode", "reference", "citation", "correction",
    "confidence", "origin", "user",
    "key", "family", "doc_target", "doc_table", "doc_row", "doc_reference",
    "corrected_species", "corrected_condition", "corrected_reference", "effective_species",
    "is_default", "replaces", "note", "consequence", "effect_class",
]
_UNSPECIFIED = "not specified"

# Columns a user's activity file may omit, with the value they take.
_USER_ACTIVITY_DEFAULTS = {"origin": "user", "is_default": "true", "confidence": "U"}
# A user file may leave ``unit`` empty for a p-measure (pKi ...): it then means pK.
_USER_EMPTY_OK = {"unit": ""}
# Extra columns a user activity file may carry: a citation for a reference id of its own.
_USER_ACTIVITY_COLUMNS = (*ACTIVITY_COLUMNS, Column("citation", False))


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _species_key(text: str) -> str:
    t = _norm(text)
    return t if t else _UNSPECIFIED


class KnowledgeBase:
    """Compounds, targets, activities, constants and references, validated and indexed.

    Build it with :func:`load_kb`. All lookups accept names, synonyms, ids and HGNC symbols
    case-insensitively; unknown names raise :class:`UnknownCompoundError` /
    :class:`UnknownTargetError` listing the valid choices.
    """

    def __init__(self, *, compounds: dict[str, Compound], targets: dict[str, Target],
                 activities: pd.DataFrame, constants: dict[str, Constant],
                 references: pd.DataFrame, overlay_messages: Sequence[str] = (),
                 user_files: Sequence[str] = ()) -> None:
        self._compounds = dict(compounds)
        self._targets = dict(targets)
        self._activities = activities
        self._constants = dict(constants)
        self._references = references
        self.overlay_messages: tuple[str, ...] = tuple(overlay_messages)
        self.user_files: tuple[str, ...] = tuple(user_files)
        self._compound_index = _compound_index(self._compounds)
        self._target_index = _target_index(self._targets)

    # ----------------------------------------------------------------- lookups
    def __repr__(self) -> str:
        n_user = int(self._activities["user"].sum())
        return (f"KnowledgeBase({len(self._compounds)} compounds, {len(self._targets)} targets, "
                f"{len(self._activities)} activities ({n_user} user), "
                f"{len(self._constants)} constants, {len(self._references)} references)")

    @property
    def compound_ids(self) -> tuple[str, ...]:
        """Ids of every compound, in file order."""
        return tuple(self._compounds)

    @property
    def target_ids(self) -> tuple[str, ...]:
        """Ids of every target, in file order."""
        return tuple(self._targets)

    @property
    def constant_names(self) -> tuple[str, ...]:
        """Names of every constant, in file order."""
        return tuple(self._constants)

    def compound(self, name: str) -> Compound:
        """Return the compound with this id, name, synonym, InChIKey or PubChem CID.

        Raises
        ------
        UnknownCompoundError
            With the list of valid compound ids.
        """
        if isinstance(name, Compound):
            return name
        key = _norm(str(name))
        cid = self._compound_index.get(key)
        if cid is None:
            raise UnknownCompoundError(
                f"Unknown compound {name!r}; valid compounds: {', '.join(self._compounds)} "
                "(synonyms and brand names also work; add your own with a compounds CSV).")
        return self._compounds[cid]

    def target(self, name: str) -> Target:
        """Return the target with this id, HGNC symbol, name or synonym (case-insensitive).

        Raises
        ------
        UnknownTargetError
            With the list of valid target ids.
        """
        if isinstance(name, Target):
            return name
        tid = self._target_index.get(_norm(str(name)))
        if tid is None:
            raise UnknownTargetError(
                f"Unknown target {name!r}; valid targets: {' '.join(self._targets)} "
                "(HGNC symbols such as SLC6A4 or HRH1 also work).")
        return self._targets[tid]

    def constant(self, name: str) -> Constant:
        """Return the named assay/model constant (e.g. ``"km_5ht_sert"``).

        Raises
        ------
        InputError
            With the list of valid names.
        """
        try:
            return self._constants[name]
        except KeyError:
            raise InputError(f"Unknown constant {name!r}; valid constants: "
                             f"{', '.join(self._constants)}.") from None

    # ----------------------------------------------------------------- tables
    @property
    def references(self) -> pd.DataFrame:
        """Every reference: ``id citation doi pmid url kind note`` (a copy)."""
        return self._references.copy()

    def compounds(self) -> pd.DataFrame:
        """Every compound as a DataFrame (one row per compound, tuples joined with ';')."""
        return pd.DataFrame([_flat(c.to_dict()) for c in self._compounds.values()])

    def targets(self, family: str | None = None) -> pd.DataFrame:
        """Every target (optionally of one ``family``) as a DataFrame."""
        rows = [_flat(t.to_dict()) for t in self._targets.values()]
        frame = pd.DataFrame(rows)
        if family is not None:
            frame = frame[frame["family"] == _check_family(family)]
        return frame.reset_index(drop=True)

    def constants(self) -> pd.DataFrame:
        """Every constant as a DataFrame (``name value unit value_si ... reference``)."""
        return pd.DataFrame([c.to_dict() for c in self._constants.values()])

    def activities(self, compound: str | None = None, target: str | None = None,
                   family: str | None = None, measure: str | None = None,
                   species: str | None = None, origin: str | None = None, *,
                   default_only: bool = False) -> pd.DataFrame:
        """Activity rows as a DataFrame, filtered by any combination of fields.

        Parameters
        ----------
        compound, target : str, optional
            Names, synonyms, ids or HGNC symbols (resolved as in :meth:`compound`/:meth:`target`).
        family : str, optional
            ``transporter``, ``GPCR``, ``ion channel`` or ``receptor tyrosine kinase``.
        measure : str, optional
            ``Ki``, ``KD``, ``IC50``, ``pKi`` ... (case-insensitive).
        species : str, optional
            Matches the species as printed or as corrected (case-insensitive), e.g. ``"human"``.
        origin : str, optional
            ``document`` (the source document's tables), ``facts`` or ``user``.
        default_only : bool
            Keep only the default row of each compound/target/condition/species.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`ACTIVITY_FRAME_COLUMNS`; ``low_M``/``high_M``/``value_M`` in mol/L
            (``value_M`` the geometric mean of low and high) beside the original ``text`` and
            ``unit``.
        """
        frame = self._activities
        mask = pd.Series(True, index=frame.index)
        if compound is not None:
            mask &= frame["compound"] == self.compound(compound).id
        if target is not None:
            mask &= frame["target"] == self.target(target).id
        if family is not None:
            mask &= frame["family"] == _check_family(family)
        if measure is not None:
            mask &= frame["measure"].str.lower() == _norm(measure)
        if species is not None:
            sp = _species_key(species)
            mask &= (frame["species"].map(_species_key) == sp) | (
                frame["corrected_species"].map(_norm) == sp)
        if origin is not None:
            if _norm(origin) not in ("document", "facts", "user"):
                raise InputError(f"Unknown origin {origin!r}; use document, facts or user.")
            mask &= frame["origin"] == _norm(origin)
        if default_only:
            mask &= frame["is_default"]
        return frame[mask].reset_index(drop=True).copy()

    def affinity(self, compound: str, target: str, *, condition: str | None = None,
                 species: str = "human", source: str | None = None) -> Affinity:
        """The affinity of ``compound`` at ``target``: the default row unless ``source`` says.

        Parameters
        ----------
        compound, target : str
            Names, synonyms, ids or HGNC symbols.
        condition : str, optional
            State or condition (``"inactivated"``, ``"open"``, ``"4 mM external Ca2+"``, ``"-30
            mV"``), matched case-insensitively against the printed condition and the state, then
            as a substring of the printed and corrected condition. Needed when the selected rows
            have several conditions and none is unspecified.
        species : str
            Preferred species (default human). Rows of that species (as corrected) win, then rows
            whose species is not specified, then any other species: the returned
            :attr:`Affinity.species` says which was used (e.g. ``Rat`` for the Na+ channel
            triple measured on rat Nav1.4).
        source : str, optional
            A reference id (``"tatsumi1997"``, ``"jo2000"``), an origin (``"document"``,
            ``"facts"``, ``"user"``) or a row key; selects among non-default rows too.

        Raises
        ------
        InputError
            No row for the pair, no row from ``source`` or ambiguous conditions (the message
            lists the choices).
        """
        comp = self.compound(compound)
        targ = self.target(target)
        rows = self._activities[(self._activities["compound"] == comp.id)
                                & (self._activities["target"] == targ.id)]
        if rows.empty:
            have = sorted(self._activities.loc[self._activities["compound"] == comp.id,
                                               "target"].unique())
            raise InputError(f"No activity of {comp.id} at {targ.id} in the knowledge base; "
                             f"{comp.id} has values at: {' '.join(have) or 'no target'}.")
        if source is not None:
            src = _norm(source)
            pick = rows.apply(lambda r: src in {_norm(x) for x in (
                *split_list(r["reference"]), *split_list(r["corrected_reference"]),
                r["origin"], r["key"])}, axis=1)
            if not pick.any():
                choices = sorted({*rows["origin"], *rows["key"]}
                                 | {x for v in rows["reference"] for x in split_list(v)}
                                 | {x for v in rows["corrected_reference"] for x in split_list(v)})
                raise InputError(f"No activity of {comp.id} at {targ.id} from source "
                                 f"{source!r}; sources available: {', '.join(choices)}.")
            rows = rows[pick]
        else:
            rows = rows[rows["is_default"]]
        rows = _select_species(rows, species)
        rows = _select_condition(rows, condition, comp.id, targ.id)
        return self._affinity_from_row(rows.iloc[0])

    def affinities(self, compound: str, *, species: str = "human",
                   source: str | None = None) -> list[Affinity]:
        """One :class:`Affinity` per target and condition of ``compound``: what engagement uses.

        For every target × condition that has a default row, the value from ``source`` when
        that source has one for the same target and condition (e.g. ``source="tatsumi1997"``
        swaps SERT/NET/DAT to the Tatsumi series and keeps the rest), else the default; among
        species the preference of :meth:`affinity` applies (``species``, then not specified,
        then any, e.g. human α1 4.4 nM rather than rat 182 nM; rat Nav1.4 for the Na+ triple).

        Returns
        -------
        list of Affinity
            In file order of the targets' first rows.
        """
        comp = self.compound(compound)
        rows = self._activities[self._activities["compound"] == comp.id]
        if rows.empty:
            return []
        cond = rows["condition"].map(_norm).replace(_UNSPECIFIED, "")
        groups = rows.assign(_cond=cond).groupby(["target", "_cond"], sort=False)
        src = _norm(source) if source is not None else None
        out: list[Affinity] = []
        for _key, group in groups:
            if not group["is_default"].any():
                continue
            chosen = group[group["is_default"]]
            if src is not None:
                match = group.apply(lambda r: src in {_norm(x) for x in (
                    *split_list(r["reference"]), *split_list(r["corrected_reference"]),
                    r["origin"], r["key"])}, axis=1)
                if match.any():
                    chosen = group[match]
            row = _select_species(chosen, species).iloc[0]
            out.append(self._affinity_from_row(row))
        return out

    def _affinity_from_row(self, row: pd.Series) -> Affinity:
        return Affinity(
            compound=row["compound"], target=row["target"], value_M=float(row["value_M"]),
            low_M=float(row["low_M"]), high_M=float(row["high_M"]), measure=row["measure"],
            condition=row["condition"], species=row["effective_species"],
            reference=row["reference"], text=row["text"], unit=row["unit"], state=row["state"],
            mode=row["mode"], corrected_reference=row["corrected_reference"],
            correction=row["correction"], confidence=row["confidence"], origin=row["origin"],
            key=row["key"], citation=row["citation"], user=bool(row["user"]))

    def citation(self, reference_ids: str) -> str:
        """The citation text(s) of ``;``-separated reference ids, joined with `` | ``."""
        cites = self._references.set_index("id")["citation"]
        return " | ".join(str(cites[i]) for i in split_list(reference_ids) if i in cites.index)


# --------------------------------------------------------------------- selection helpers
def _select_species(rows: pd.DataFrame, species: str) -> pd.DataFrame:
    want = _species_key(species)
    eff = rows["effective_species"].map(_species_key)
    for mask in (eff == want, eff == _UNSPECIFIED):
        if mask.any():
            return rows[mask]
    return rows


def _select_condition(rows: pd.DataFrame, condition: str | None, comp: str,
                      targ: str) -> pd.DataFrame:
    conds = list(dict.fromkeys(rows["condition"]))
    if condition is not None:
        want = _norm(condition)
        exact = (rows["condition"].map(_norm) == want) | (rows["state"].map(_norm) == want)
        if not exact.any():
            exact = rows["condition"].map(_norm).str.contains(want, regex=False) | rows[
                "corrected_condition"].map(_norm).str.contains(want, regex=False)
        if not exact.any():
            shown = ", ".join(repr(c or "unspecified") for c in conds)
            raise InputError(f"No activity of {comp} at {targ} under condition {condition!r}; "
                             f"conditions available: {shown}.")
        return rows[exact]
    if len(conds) <= 1:
        return rows
    unspecified = rows["condition"].map(_norm).isin(("", _UNSPECIFIED))
    if unspecified.any():
        return rows[unspecified]
    shown = ", ".join(repr(c) for c in conds)
    raise InputError(f"{comp} at {targ} has several conditions ({shown}); choose one with "
                     "condition=... (CLI: --condition).")


def _check_family(family: str) -> str:
    for fam in FAMILIES:
        if _norm(family) == fam.lower():
            return fam
    raise InputError(f"Unknown family {family!r}; use one of {', '.join(FAMILIES)}.")


def _flat(d: dict[str, object]) -> dict[str, object]:
    return {k: ";".join(v) if isinstance(v, list) else v for k, v in d.items()}


def _compound_index(compounds: dict[str, Compound]) -> dict[str, str]:
    index: dict[str, str] = {}
    for c in compounds.values():
        for alias in (*c.synonyms, c.inchikey, str(c.pubchem_cid) if c.pubchem_cid else ""):
            if alias:
                index.setdefault(_norm(alias), c.id)
    for c in compounds.values():  # ids and names win over synonyms
        index[_norm(c.name)] = c.id
        index[_norm(c.id)] = c.id
    return index


def _target_index(targets: dict[str, Target]) -> dict[str, str]:
    index: dict[str, str] = {}
    # Multi-gene targets first so a single-gene target owns its symbol (CHRM1 → M1).
    for t in sorted(targets.values(), key=lambda t: -len(t.genes)):
        for alias in (*t.genes, *t.uniprot, *t.synonyms, t.name):
            index[_norm(alias)] = t.id
    for t in targets.values():
        index[_norm(t.id)] = t.id
    return index


# --------------------------------------------------------------------- loading
def _read(file: str, text: str, columns: tuple[Column, ...],
          defaults: dict[str, str] | None = None) -> list[tuple[int, dict[str, object]]]:
    return list(read_rows(text, file, columns, defaults=defaults))


def _user_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    p = Path(path)
    if not p.is_file():
        raise DataFileError("file not found.", file=str(p))
    try:
        return str(p), p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text CSV file.", file=str(p)) from None


def _header(text: str) -> set[str]:
    lines = text.lstrip("\ufeff").splitlines()
    first = next(csv.reader(lines[:1]), []) if lines else []
    return {h.strip() for h in first}


def _build_compound(file: str, line: int, r: dict[str, object], refs: set[str],
                    user: bool) -> Compound:
    for ref in r["reference"]:  # type: ignore[union-attr]
        if ref not in refs:
            raise DataFileError(f"reference {ref!r} is not in references.csv.", file=file,
                                row=line, field="reference")
    if not r["mw_base"] > 0:  # type: ignore[operator]
        raise DataFileError("molecular weight must be positive (g/mol).", file=file, row=line,
                            field="mw_base")
    mw_salt = r["mw_salt"]
    if isinstance(mw_salt, float) and math.isfinite(mw_salt) and mw_salt < r["mw_base"]:  # type: ignore[operator]
        raise DataFileError("the salt's molecular weight is below the base's.", file=file,
                            row=line, field="mw_salt")
    return Compound(
        id=_norm(str(r["id"])), name=str(r["name"]), mw_base=float(r["mw_base"]),  # type: ignore[arg-type]
        mw_salt=float(mw_salt), salt=str(r["salt"]), pubchem_cid=int(r["pubchem_cid"]),  # type: ignore[arg-type]
        inchikey=str(r["inchikey"]), role=str(r["role"]), parent=_norm(str(r["parent"])),
        synonyms=tuple(r["synonyms"]), inchikey_confidence=str(r["inchikey_confidence"] or "U"),  # type: ignore[arg-type]
        reference=";".join(r["reference"]), note=str(r["note"]), user=user)  # type: ignore[arg-type]


def _build(user_files: Sequence[str | os.PathLike[str]]) -> KnowledgeBase:
    # references
    ref_file = _SHIPPED + "references.csv"
    ref_rows = _read(ref_file, read_text("kb", "references.csv"), REFERENCE_COLUMNS)
    references: dict[str, dict[str, object]] = {}
    for line, r in ref_rows:
        rid = str(r["id"])
        if rid in references:
            raise DataFileError(f"duplicate reference id {rid!r}.", file=ref_file, row=line,
                                field="id")
        references[rid] = r
    refs = set(references)

    def check_refs(file: str, line: int, field: str, ids: Iterable[str]) -> None:
        for ref in ids:
            if ref not in refs:
                raise DataFileError(f"reference {ref!r} is not in references.csv.", file=file,
                                    row=line, field=field)

    # compounds
    comp_file = _SHIPPED + "compounds.csv"
    compounds: dict[str, Compound] = {}
    for line, r in _read(comp_file, read_text("kb", "compounds.csv"), COMPOUND_COLUMNS):
        c = _build_compound(comp_file, line, r, refs, user=False)
        if c.id in compounds:
            raise DataFileError(f"duplicate compound id {c.id!r}.", file=comp_file, row=line,
                                field="id")
        compounds[c.id] = c

    # user files: sort into compounds and activities by their header
    messages: list[str] = []
    compound_file = dict.fromkeys(compounds, comp_file)
    user_activity_texts: list[tuple[str, str]] = []
    for path in user_files:
        file, text = _user_text(path)
        header = _header(text)
        if "mw_base" in header:
            for line, r in _read(file, text, COMPOUND_COLUMNS,
                                 defaults={"reference": "", "role": "drug"}):
                c = _build_compound(file, line, r, refs, user=True)
                if c.id in compounds:
                    messages.append(f"{file} row {line}: compound {c.id!r} replaces the "
                                    "shipped record.")
                compounds[c.id] = c
                compound_file[c.id] = file
        elif "target" in header or "compound" in header:
            user_activity_texts.append((file, text))
        else:
            raise DataFileError("not a knowledge-base file: an activities file needs columns "
                                "compound, target, species, measure, low, high, unit, reference; "
                                "a compounds file needs id, name, mw_base.", file=file, row=1)
    for c in compounds.values():
        if c.parent and c.parent not in compounds:
            raise DataFileError(f"parent compound {c.parent!r} of {c.id!r} is unknown.",
                                file=compound_file[c.id], field="parent")

    # targets
    targ_file = _SHIPPED + "targets.csv"
    targets: dict[str, Target] = {}
    for line, r in _read(targ_file, read_text("kb", "targets.csv"), TARGET_COLUMNS):
        check_refs(targ_file, line, "reference", r["reference"])  # type: ignore[arg-type]
        tid = str(r["id"])
        if tid in targets:
            raise DataFileError(f"duplicate target id {tid!r}.", file=targ_file, row=line,
                                field="id")
        targets[tid] = Target(
            id=tid, name=str(r["name"]), genes=tuple(r["genes"]),  # type: ignore[arg-type]
            uniprot=tuple(r["uniprot"]), family=str(r["family"]),  # type: ignore[arg-type]
            consequence=str(r["consequence"]), effect_class=str(r["effect_class"]),
            reference=";".join(r["reference"]), confidence=str(r["confidence"]),  # type: ignore[arg-type]
            synonyms=tuple(r["synonyms"]), note=str(r["note"]))  # type: ignore[arg-type]
    comp_index = _compound_index(compounds)
    targ_index = _target_index(targets)

    # constants
    const_file = _SHIPPED + "constants.csv"
    constants: dict[str, Constant] = {}
    for line, r in _read(const_file, read_text("kb", "constants.csv"), CONSTANT_COLUMNS):
        check_refs(const_file, line, "reference", r["reference"])  # type: ignore[arg-type]
        name = str(r["name"])
        if name in constants:
            raise DataFileError(f"duplicate constant {name!r}.", file=const_file, row=line,
                                field="name")
        unit = str(r["unit"])
        si = {f: (constant_to_si(float(r[f]), unit, file=const_file, row=line, field=f)  # type: ignore[arg-type]
                  if math.isfinite(float(r[f])) else math.nan)  # type: ignore[arg-type]
              for f in ("value", "low", "high")}
        if math.isfinite(si["low"]) and math.isfinite(si["high"]) and not (
                si["low"] <= si["value"] <= si["high"]):
            raise DataFileError("value must lie within [low, high].", file=const_file, row=line,
                                field="value")
        constants[name] = Constant(
            name=name, value=float(r["value"]), unit=unit, value_si=si["value"],  # type: ignore[arg-type]
            reference=";".join(r["reference"]), confidence=str(r["confidence"]),  # type: ignore[arg-type]
            note=str(r["note"]), low_si=si["low"], high_si=si["high"])

    # activities: shipped, then user overlays
    act_file = _SHIPPED + "activities.csv"
    records: list[dict[str, object]] = []
    by_key: dict[str, int] = {}

    def add_rows(file: str, text: str, user: bool) -> None:
        columns = _USER_ACTIVITY_COLUMNS if user else ACTIVITY_COLUMNS
        defaults = dict(_USER_ACTIVITY_DEFAULTS) if user else None
        if user:
            defaults = {**_USER_ACTIVITY_DEFAULTS, **_USER_EMPTY_OK, "key": "", "text": ""}
            for name in _USER_EMPTY_OK:  # may be empty, but the column must be there
                if name not in _header(text):
                    raise DataFileError("required column is missing from the header.",
                                        file=file, row=1, field=name)
        for line, r in _read(file, text, columns, defaults=defaults):
            rec = _activity_record(file, line, r, user, comp_index, targ_index, targets,
                                   refs, references)
            key = str(rec["key"])
            if key in by_key:
                if not user:
                    raise DataFileError(f"duplicate key {key!r}.", file=file, row=line,
                                        field="key")
                old = records[by_key[key]]
                messages.append(f"{file} row {line}: replaces shipped row {key!r} "
                                f"({old['compound']} at {old['target']}).")
                rec["replaces"] = key
                records[by_key[key]] = rec
                continue
            if rec["is_default"]:
                slot = _slot(rec)
                for idx, other in enumerate(records):
                    if other["is_default"] and _slot(other) == slot:
                        if not user or other["user"]:
                            raise DataFileError(
                                f"a second default row for {slot[0]} at {slot[1]} "
                                f"(condition {rec['condition'] or 'unspecified'!r}, species "
                                f"{rec['effective_species']!r}; first: {other['key']!r}); set is_default "
                                "to false on one of them.", file=file, row=line,
                                field="is_default")
                        other["is_default"] = False
                        rec["replaces"] = other["key"]
                        messages.append(
                            f"{file} row {line}: replaces the shipped default {other['key']!r} "
                            f"for {slot[0]} at {slot[1]} (kept, selectable with "
                            f"source={other['key']!r}).")
                        records[idx] = other
            by_key[key] = len(records)
            records.append(rec)

    add_rows(act_file, read_text("kb", "activities.csv"), user=False)
    for file, text in user_activity_texts:
        add_rows(file, text, user=True)

    frame = pd.DataFrame.from_records(records, columns=ACTIVITY_FRAME_COLUMNS)
    frame = frame.astype({"low_M": float, "high_M": float, "value_M": float, "user": bool,
                          "is_default": bool, "doc_row": "Int64"})
    ref_frame = pd.DataFrame([{c.name: (";".join(v) if isinstance(v := r[c.name], tuple)
                                        else v) for c in REFERENCE_COLUMNS}
                              for r in references.values()])
    return KnowledgeBase(compounds=compounds, targets=targets, activities=frame,
                         constants=constants, references=ref_frame, overlay_messages=messages,
                         user_files=[str(p) for p in user_files])


def _slot(rec: dict[str, object]) -> tuple[str, str, str, str]:
    """Overlay key: compound, target, condition ('Not Specified' = empty), effective species."""
    cond = _norm(str(rec["condition"]))
    return (str(rec["compound"]), str(rec["target"]), "" if cond == _UNSPECIFIED else cond,
            _species_key(str(rec["effective_species"])))


def _activity_record(file: str, line: int, r: dict[str, object], user: bool,
                     comp_index: dict[str, str], targ_index: dict[str, str],
                     targets: dict[str, Target], refs: set[str],
                     references: dict[str, dict[str, object]]) -> dict[str, object]:
    comp = comp_index.get(_norm(str(r["compound"])))
    if comp is None:
        raise DataFileError(f"unknown compound {r['compound']!r}; known: "
                            f"{', '.join(sorted(set(comp_index.values())))} (add it with a "
                            "compounds CSV).", file=file, row=line, field="compound")
    tid = targ_index.get(_norm(str(r["target"])))
    if tid is None:
        raise DataFileError(f"unknown target {r['target']!r}; known: "
                            f"{' '.join(targets)}.", file=file, row=line, field="target")
    ref_ids = tuple(r["reference"])  # type: ignore[arg-type]
    citation = str(r.get("citation", "") or "")
    for ref in ref_ids:
        if ref not in refs:
            if user and citation:
                references[ref] = {"id": ref, "citation": citation, "doi": "", "pmid": "",
                                   "url": "", "kind": "user", "note": f"from {file}"}
                refs.add(ref)
                continue
            hint = " or give a 'citation' column" if user else ""
            raise DataFileError(f"reference {ref!r} is not in references.csv; use a known "
                                f"id{hint}.", file=file, row=line, field="reference")
    for ref in r["corrected_reference"]:  # type: ignore[union-attr]
        if ref not in refs:
            raise DataFileError(f"reference {ref!r} is not in references.csv.", file=file,
                                row=line, field="corrected_reference")
    low, high = float(r["low"]), float(r["high"])  # type: ignore[arg-type]
    unit = check_measure_unit(str(r["measure"]), str(r["unit"]), file=file, row=line)
    if low > high:
        raise DataFileError(f"low ({low:g}) is greater than high ({high:g}).", file=file,
                            row=line, field="low")
    if unit == P_UNIT:
        low_m = concentration_to_molar(high, unit, file=file, row=line, field="high")
        high_m = concentration_to_molar(low, unit, file=file, row=line, field="low")
    else:
        low_m = concentration_to_molar(low, unit, file=file, row=line, field="low")
        high_m = concentration_to_molar(high, unit, file=file, row=line, field="high")
    if not (low_m > 0 and high_m > 0):
        raise DataFileError("values must be positive concentrations.", file=file, row=line,
                            field="low")
    target = targets[tid]
    genes = tuple(r["gene"]) or target.genes  # type: ignore[arg-type]
    species = str(r["species"])
    corrected_species = str(r["corrected_species"])
    key = str(r["key"]) or f"user:{Path(file).name}:{line}"
    text = str(r["text"]) or (f"{low:g}" if low == high else f"{low:g}-{high:g}")
    origin = "user" if user else str(r["origin"])
    cites = [str(references[i]["citation"]) for i in ref_ids]
    return {
        "compound": comp, "target": tid, "gene": ";".join(genes), "species": species,
        "measure": r["measure"], "condition": str(r["condition"]), "state": str(r["state"]),
        "low_M": low_m, "high_M": high_m, "value_M": low_m if low_m == high_m else math.sqrt(low_m * high_m), "text": text,
        "unit": unit, "mode": str(r["mode"]), "reference": ";".join(ref_ids),
        "citation": " | ".join(cites), "correction": str(r["correction"]),
        "confidence": str(r["confidence"]), "origin": origin, "user": user, "key": key,
        "family": target.family, "doc_target": str(r["doc_target"]),
        "doc_table": str(r["doc_table"]), "doc_row": (int(r["doc_row"]) or None),  # type: ignore[call-overload]
        "doc_reference": str(r["doc_reference"]), "corrected_species": corrected_species,
        "corrected_condition": str(r["corrected_condition"]),
        "corrected_reference": ";".join(r["corrected_reference"]),  # type: ignore[arg-type]
        "effective_species": corrected_species or species, "is_default": bool(r["is_default"]),
        "replaces": "", "note": str(r["note"]), "consequence": target.consequence,
        "effect_class": target.effect_class,
    }


@functools.lru_cache(maxsize=1)
def _default_kb() -> KnowledgeBase:
    return _build(())


def load_kb(user_files: Iterable[str | os.PathLike[str]] = ()) -> KnowledgeBase:
    """Load the shipped knowledge base, validated, with optional user files merged over it.

    Parameters
    ----------
    user_files : iterable of path-like
        CSV files in the activities schema (see ``data/kb/README.md``; a user file may omit
        ``key``, ``text``, ``origin``, ``is_default`` (default true) and ``confidence``
        (default U), and may add a ``citation`` column for a reference id of its own) or in the
        compounds schema (recognised by its ``mw_base`` column). User activity rows are marked
        ``user=True``/``origin="user"``; a user row for an existing compound/target/condition/
        species replaces the shipped default (which stays selectable by its key) and the
        :attr:`KnowledgeBase.overlay_messages` say so.

    Returns
    -------
    KnowledgeBase
        Without user files, one cached instance.

    Raises
    ------
    DataFileError
        Naming file, row (line number, header = 1) and field.
    """
    files = tuple(user_files)
    if not files:
        return _default_kb()
    return _build(files)


def activity_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of an activities frame as JSON-safe dicts (NaN/NA → None, numpy → Python)."""
    out: list[dict[str, object]] = []
    for rec in frame.to_dict(orient="records"):
        clean: dict[str, object] = {}
        for k, v in rec.items():
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                clean[str(k)] = None
            elif hasattr(v, "item"):
                clean[str(k)] = v.item()
            else:
                clean[str(k)] = v
        out.append(clean)
    return out
