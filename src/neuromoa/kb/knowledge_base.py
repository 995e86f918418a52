"""The knowledge base's queries: compounds, targets, activities, constants and references.

:class:`KnowledgeBase` answers lookups on tables that :mod:`neuromoa.kb.loader` has read and
validated; it does no I/O.

>>> from neuromoa.kb import load_kb
>>> kb = load_kb()
>>> kb.compound("Elavil").id
'amitriptyline'
>>> kb.target("HRH1").id
'H1'
>>> round(kb.affinity("amitriptyline", "SERT").value_M * 1e9, 2)
3.45
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from neuromoa.data.compounds import CompoundTable
from neuromoa.errors import InputError, UnknownTargetError, did_you_mean
from neuromoa.kb.records import Affinity, Compound, Constant, Target
from neuromoa.kb.schema import FAMILIES, split_list

__all__ = ["ACTIVITY_FRAME_COLUMNS", "KnowledgeBase", "activity_records"]

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

    def __init__(self, *, compounds: CompoundTable, targets: dict[str, Target],
                 activities: pd.DataFrame, constants: dict[str, Constant],
                 references: pd.DataFrame, overlay_messages: Sequence[str] = (),
                 user_files: Sequence[str] = ()) -> None:
        self._table = compounds
        self._compounds = {c.id: c for c in compounds}
        self._targets = dict(targets)
        self._activities = activities
        self._constants = dict(constants)
        self._references = references
        self.overlay_messages: tuple[str, ...] = tuple(overlay_messages)
        self.user_files: tuple[str, ...] = tuple(user_files)
        self._target_index = _target_index(self._targets)
        self._row_index: tuple[int, dict[Any, list[int]], dict[Any, pd.DataFrame]] | None = None

    def _rows_of(self, compound_id: str, target_id: str | None = None) -> pd.DataFrame:
        """The activity rows of a compound (at a target), in file order with their labels: the
        rows a boolean mask on the compound/target columns selects, taken once per pair and
        kept (engagement asks for the same few dozen pairs hundreds of times). Callers filter
        the frame, never modify it."""
        frame = self._activities
        if self._row_index is None or self._row_index[0] != id(frame):
            by_key: dict[tuple[str, str | None], list[int]] = {}
            comp = frame["compound"].to_numpy().tolist()
            targ = frame["target"].to_numpy().tolist()
            for i, (c, t) in enumerate(zip(comp, targ, strict=True)):
                by_key.setdefault((c, None), []).append(i)
                by_key.setdefault((c, t), []).append(i)
            self._row_index = (id(frame), by_key, {})
        _, by_key, taken = self._row_index
        key = (compound_id, target_id)
        rows = taken.get(key)
        if rows is None:
            rows = taken[key] = frame.iloc[by_key.get(key, [])]
        return rows

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
        return self._table.resolve(name)

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
            hint = did_you_mean(str(name), [*self._targets, *(
                g for t in self._targets.values() for g in t.genes)])
            raise UnknownTargetError(
                f"Unknown target {name!r}.{hint} Valid targets: {' '.join(self._targets)} "
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
        if compound is not None:  # the compound's (and target's) rows from the index
            frame = self._rows_of(self.compound(compound).id,
                                  None if target is None else self.target(target).id)
        mask = pd.Series(True, index=frame.index)
        if compound is None and target is not None:
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
        rows = self._rows_of(comp.id, targ.id)
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
        rows = self._rows_of(comp.id)
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


def _target_index(targets: dict[str, Target]) -> dict[str, str]:
    index: dict[str, str] = {}
    # Multi-gene targets first so a single-gene target owns its symbol (CHRM1 → M1).
    for t in sorted(targets.values(), key=lambda t: -len(t.genes)):
        for alias in (*t.genes, *t.uniprot, *t.synonyms, t.name):
            index[_norm(alias)] = t.id
    for t in targets.values():
        index[_norm(t.id)] = t.id
    return index


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
