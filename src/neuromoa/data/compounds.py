"""Compound identity: one table of names, synonyms, salts, identifiers, physicochemistry, metabolites.

Every layer that names a compound resolves it here: the knowledge base (affinities), exposure
(pharmacokinetic parameters), engagement, the models and the report. The shipped table is
``data/identity/compounds.csv`` (column dictionary in ``data/identity/README.md``); a user adds a
compound with a *user-data* file (TOML, see :func:`read_user_data`) that carries its identity,
pharmacokinetic parameters and affinities in one place.

>>> resolve_compound("Endep").id
'amitriptyline'
>>> resolve_compound("NT").id
'nortriptyline'
>>> metabolites_of("imipramine")
('desipramine',)
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import functools
import io
import math
import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, UnknownCompoundError

__all__ = [
    "IDENTITY_COLUMNS",
    "PK_PARAMETER_UNITS",
    "USER_DATA_ENV",
    "Compound",
    "CompoundIdentity",
    "CompoundTable",
    "UserData",
    "active_user_files",
    "compound_names",
    "flagship_compound",
    "identity_table",
    "metabolites_of",
    "read_user_data",
    "resolve_compound",
    "use_user_data",
]

_SHIPPED = "neuromoa/data/identity/compounds.csv"
#: Columns of the identity table, in file order.
IDENTITY_COLUMNS = (
    "id", "name", "role", "parent", "flagship", "synonyms", "salt", "mw_base", "mw_salt",
    "mw_source", "cas", "pubchem_cid", "chebi", "inchikey", "inchikey_confidence",
    "identifier_source", "logp", "logp_source", "pka", "pka_source", "fu", "fu_low", "fu_high",
    "fu_source", "confidence", "note",
)
_REQUIRED = ("id", "name", "mw_base")
_ROLES = ("drug", "metabolite", "reference")
_CONFIDENCE = ("H", "M", "U", "A")
#: Environment variable naming user-data files (``os.pathsep``-separated) that every command
#: merges over the shipped data, as ``--user-data`` does.
USER_DATA_ENV = "NEUROMOA_USER_DATA"
#: The pharmacokinetic parameters a user-data file may give, with the unit each must be in
#: (the exposure kernel works in L, h, mol). ``ka`` + ``cl_f`` + ``v_f``: one-compartment oral
#: model with apparent (popPK) parameters; ``ka`` + ``cl`` + ``t_half`` + ``f_oral``: systemic
#: disposition; ``fm``: fraction of a dose (molar) that reaches the circulation as the
#: compound's metabolite (the identity table's parent link), with ``f_oral`` splitting it
#: between first pass and systemic elimination.
PK_PARAMETER_UNITS: dict[str, str] = {
    "ka": "1/h", "cl_f": "L/h", "v_f": "L", "cl": "L/h", "t_half": "h", "f_oral": "1",
    "fm": "1", "max_daily_dose": "mg/day",
}


def _norm(text: object) -> str:
    return " ".join(str(text).strip().lower().split())


@dataclass(frozen=True)
class CompoundIdentity:
    """One compound: names, salt, identifiers and physicochemistry, each with its source.

    ``mw_salt``, ``logp``, ``pka``, ``fu`` and its range are NaN when not stored;
    ``pubchem_cid`` is 0 when unknown. ``parent`` is the id of the drug a metabolite comes
    from (``""`` otherwise); ``user`` says the record came from a user file (``origin``).
    """

    id: str
    name: str
    role: str = "drug"
    parent: str = ""
    flagship: bool = False
    synonyms: tuple[str, ...] = ()
    salt: str = ""
    mw_base: float = math.nan
    mw_salt: float = math.nan
    mw_source: str = ""
    cas: str = ""
    pubchem_cid: int = 0
    chebi: str = ""
    inchikey: str = ""
    inchikey_confidence: str = "U"
    identifier_source: str = ""
    logp: float = math.nan
    logp_source: str = ""
    pka: float = math.nan
    pka_source: str = ""
    fu: float = math.nan
    fu_low: float = math.nan
    fu_high: float = math.nan
    fu_source: str = ""
    confidence: str = "U"
    note: str = ""
    user: bool = False
    origin: str = _SHIPPED

    @property
    def names(self) -> tuple[str, ...]:
        """Id, display name and every synonym."""
        return (self.id, self.name, *self.synonyms)

    def mw(self, salt: bool = False) -> float:
        """Molecular weight (g/mol) of the base, or of the salt (the base when none is stored)."""
        if salt and math.isfinite(self.mw_salt):
            return self.mw_salt
        return self.mw_base

    @property
    def salt_factor(self) -> float:
        """Base / salt molecular weight: the base fraction of a dose stated as the salt."""
        return self.mw_base / self.mw(salt=True)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe (NaN → None, tuples → lists)."""
        out: dict[str, object] = {}
        for k, v in asdict(self).items():
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            elif isinstance(v, tuple):
                v = list(v)
            out[k] = v
        return out


@dataclass(frozen=True)
class UserData:
    """What one user-data file adds: compounds, PK parameter rows and activity rows.

    ``pk`` rows: ``compound parameter value unit low high source confidence note``;
    ``activities`` rows are in the knowledge base's user activity schema (``data/kb/README.md``).
    """

    file: str
    compounds: tuple[CompoundIdentity, ...] = ()
    pk: tuple[dict[str, object], ...] = ()
    activities: tuple[dict[str, str], ...] = ()

    def activities_csv(self) -> str:
        """The activity rows as CSV text in the knowledge base's user schema ("" if none)."""
        if not self.activities:
            return ""
        cols = list(dict.fromkeys(k for row in self.activities for k in row))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        for row in self.activities:
            writer.writerow({c: row.get(c, "") for c in cols})
        return buf.getvalue()


#: The public name of a compound's identity record (``neuromoa.Compound``).
Compound = CompoundIdentity


class CompoundTable:
    """The compounds known to this run (shipped plus user), indexed by every name."""

    def __init__(self, compounds: Mapping[str, CompoundIdentity]) -> None:
        self._compounds = dict(compounds)
        index: dict[str, str] = {}
        display: dict[str, str] = {}
        for c in self._compounds.values():
            for alias in (*c.synonyms, c.inchikey, c.cas, c.chebi and f"CHEBI:{c.chebi}",
                          str(c.pubchem_cid) if c.pubchem_cid else ""):
                if alias:
                    index.setdefault(_norm(alias), c.id)
                    display.setdefault(_norm(alias), str(alias))
        for c in self._compounds.values():  # ids and names win over synonyms
            for alias in (c.name, c.id):
                index[_norm(alias)] = c.id
                display[_norm(alias)] = c.name
        self._index = index
        self._display = display

    def __contains__(self, name: object) -> bool:
        return _norm(name) in self._index

    def __iter__(self) -> Iterator[CompoundIdentity]:
        return iter(self._compounds.values())

    def __len__(self) -> int:
        return len(self._compounds)

    @property
    def ids(self) -> tuple[str, ...]:
        """Compound ids in table order."""
        return tuple(self._compounds)

    def get(self, compound_id: str) -> CompoundIdentity:
        """The record of an id (no synonym resolution)."""
        return self._compounds[compound_id]

    def resolve(self, name: object) -> CompoundIdentity:
        """The compound with this id, name, synonym, CAS, ChEBI, InChIKey or PubChem CID.

        Raises :class:`UnknownCompoundError` with the closest names ("did you mean") and the
        list of compounds.
        """
        if isinstance(name, CompoundIdentity):
            return name
        cid = self._index.get(_norm(name))
        if cid is None:
            close = difflib.get_close_matches(_norm(name), list(self._index), n=3, cutoff=0.6)
            hint = ""
            if close:
                picks = list(dict.fromkeys(
                    self._display[c] if self._display[c] == self._compounds[self._index[c]].name
                    else f"{self._display[c]} ({self._index[c]})" for c in close))
                hint = f" Did you mean {' or '.join(repr(p) for p in picks)}?"
            raise UnknownCompoundError(
                f"Unknown compound {str(name)!r}.{hint} Known compounds: "
                f"{', '.join(self._compounds)} (synonyms and brand names also work; add your "
                "own with --user-data FILE).")
        return self._compounds[cid]

    def metabolites(self, name: object) -> tuple[str, ...]:
        """Ids of the compounds whose ``parent`` is this compound, in table order."""
        cid = self.resolve(name).id
        return tuple(c.id for c in self._compounds.values() if c.parent == cid)

    def flagship(self) -> str:
        """Id of the flagship compound (the default of every command)."""
        for c in self._compounds.values():
            if c.flagship:
                return c.id
        return next(iter(self._compounds))

    def names(self) -> tuple[str, ...]:
        """Every id, name and synonym (for completion and checks)."""
        return tuple(dict.fromkeys(n for c in self._compounds.values() for n in c.names))

    def to_frame(self):  # -> pandas.DataFrame (pandas imported lazily: this module is light)
        """One row per compound, columns :data:`IDENTITY_COLUMNS` plus ``user``."""
        import pandas as pd

        rows = []
        for c in self._compounds.values():
            d = c.to_dict()
            d["synonyms"] = ";".join(c.synonyms)
            rows.append({k: d[k] for k in (*IDENTITY_COLUMNS, "user")})
        return pd.DataFrame(rows, columns=[*IDENTITY_COLUMNS, "user"])


# ------------------------------------------------------------------ parsing
def _float(value: object, *, file: str, row: int | None, fld: str, positive: bool = True,
           required: bool = False) -> float:
    text = "" if value is None else str(value).strip()
    if text == "":
        if required:
            raise DataFileError("a value is required.", file=file, row=row, field=fld)
        return math.nan
    try:
        x = float(text)
    except ValueError:
        raise DataFileError(f"{text!r} is not a number.", file=file, row=row, field=fld) from None
    if not math.isfinite(x) or (positive and x <= 0):
        raise DataFileError(f"{text!r} must be a {'positive ' if positive else ''}finite number.",
                            file=file, row=row, field=fld)
    return x


def _split(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(s.strip() for s in str(value or "").split(";") if s.strip())


def _bool(value: object, *, file: str, row: int | None, fld: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _norm(value or "")
    if text in ("", "false", "no", "0"):
        return False
    if text in ("true", "yes", "1"):
        return True
    raise DataFileError(f"{value!r} is not true/false.", file=file, row=row, field=fld)


def _identity(raw: Mapping[str, object], *, file: str, row: int | None,
              user: bool) -> CompoundIdentity:
    """Validate one identity record (CSV row or TOML table) and build it."""
    for name in _REQUIRED:
        if str(raw.get(name, "") or "").strip() == "":
            raise DataFileError("a value is required.", file=file, row=row, field=name)
    cid = _norm(raw["id"])
    role = _norm(raw.get("role") or "drug")
    if role not in _ROLES:
        raise DataFileError(f"role must be one of {', '.join(_ROLES)}; got {raw.get('role')!r}.",
                            file=file, row=row, field="role")
    conf = str(raw.get("confidence") or "U").strip()
    ikc = str(raw.get("inchikey_confidence") or "U").strip()
    for fld, val in (("confidence", conf), ("inchikey_confidence", ikc)):
        if val not in _CONFIDENCE:
            raise DataFileError(f"must be one of {', '.join(_CONFIDENCE)}; got {val!r}.",
                                file=file, row=row, field=fld)
    mw_base = _float(raw.get("mw_base"), file=file, row=row, fld="mw_base", required=True)
    mw_salt = _float(raw.get("mw_salt"), file=file, row=row, fld="mw_salt")
    if math.isfinite(mw_salt) and mw_salt < mw_base:
        raise DataFileError("the salt's molecular weight is below the base's.", file=file,
                            row=row, field="mw_salt")
    cid_text = str(raw.get("pubchem_cid") or "").strip()
    if cid_text and not cid_text.isdigit():
        raise DataFileError(f"{cid_text!r} is not a PubChem CID (a positive integer).",
                            file=file, row=row, field="pubchem_cid")
    fu = _float(raw.get("fu"), file=file, row=row, fld="fu")
    fu_low = _float(raw.get("fu_low"), file=file, row=row, fld="fu_low")
    fu_high = _float(raw.get("fu_high"), file=file, row=row, fld="fu_high")
    for fld, val in (("fu", fu), ("fu_low", fu_low), ("fu_high", fu_high)):
        if math.isfinite(val) and val > 1:
            raise DataFileError(f"an unbound fraction lies in (0, 1]; got {val:g}.", file=file,
                                row=row, field=fld)
    if math.isfinite(fu_low) and math.isfinite(fu_high) and not fu_low <= fu <= fu_high:
        raise DataFileError("fu must lie within [fu_low, fu_high].", file=file, row=row,
                            field="fu")
    sourced = {"mw_base": "mw_source", "logp": "logp_source", "pka": "pka_source",
               "fu": "fu_source"}
    logp = _float(raw.get("logp"), file=file, row=row, fld="logp", positive=False)
    pka = _float(raw.get("pka"), file=file, row=row, fld="pka", positive=False)
    values = {"mw_base": mw_base, "logp": logp, "pka": pka, "fu": fu}
    # ``source`` (or ``reference``, the knowledge base's name for it) sources every value
    # that has no source of its own
    default_source = str(raw.get("source", "") or raw.get("reference", "") or "").strip()
    sources = {}
    for value_field, source_field in sourced.items():
        src = str(raw.get(source_field, "") or "").strip() or default_source
        if math.isfinite(values[value_field]) and not src:
            raise DataFileError(f"{value_field} needs a source ({source_field} or source).",
                                file=file, row=row, field=source_field)
        sources[source_field] = src
    return CompoundIdentity(
        id=cid, name=str(raw["name"]).strip(), role=role, parent=_norm(raw.get("parent") or ""),
        flagship=_bool(raw.get("flagship"), file=file, row=row, fld="flagship"),
        synonyms=_split(raw.get("synonyms")), salt=str(raw.get("salt") or "").strip(),
        mw_base=mw_base, mw_salt=mw_salt, cas=str(raw.get("cas") or "").strip(),
        pubchem_cid=int(cid_text) if cid_text else 0, chebi=str(raw.get("chebi") or "").strip(),
        inchikey=str(raw.get("inchikey") or "").strip(), inchikey_confidence=ikc,
        identifier_source=str(raw.get("identifier_source") or default_source).strip(),
        logp=logp, pka=pka, fu=fu, fu_low=fu_low, fu_high=fu_high, confidence=conf,
        note=str(raw.get("note") or "").strip(), user=user, origin=file, **sources)


def parse_identity_csv(text: str, file: str, *, user: bool) -> list[CompoundIdentity]:
    """Parse identity rows from CSV text (header = line 1; errors name file, row and field)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}.", file=file, row=1)
    if not user:
        absent = [c for c in IDENTITY_COLUMNS if c not in header]
        if absent:
            raise DataFileError(f"missing column(s) {', '.join(absent)}.", file=file, row=1)
    out = []
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip(): (v or "") for k, v in row.items()}
        out.append(_identity(clean, file=file, row=line, user=user))
    return out


# ------------------------------------------------------------------ user data (TOML)
def _pk_rows(cid: str, table: Mapping[str, object], file: str,
             default_source: str) -> list[dict[str, object]]:
    rows = []
    for pname, spec in table.items():
        where = f"compound {cid!r} pk.{pname}"
        if pname not in PK_PARAMETER_UNITS:
            raise DataFileError(f"{where}: unknown parameter (known: "
                                f"{', '.join(PK_PARAMETER_UNITS)}).", file=file, field=pname)
        if not isinstance(spec, Mapping):
            spec = {"value": spec}
        unit = str(spec.get("unit", PK_PARAMETER_UNITS[pname])).strip()
        if unit != PK_PARAMETER_UNITS[pname]:
            raise DataFileError(f"{where}: unit must be {PK_PARAMETER_UNITS[pname]!r}, got "
                                f"{unit!r}.", file=file, field=pname)
        source = str(spec.get("source", "") or default_source).strip()
        if not source:
            raise DataFileError(f"{where}: needs a source (or a source for the compound).",
                                file=file, field=pname)
        value = _float(spec.get("value"), file=file, row=None, fld=f"pk.{pname}.value",
                       required=True)
        rows.append({"compound": cid, "parameter": pname, "value": value, "unit": unit,
                     "low": _float(spec.get("low"), file=file, row=None, fld=f"pk.{pname}.low"),
                     "high": _float(spec.get("high"), file=file, row=None,
                                    fld=f"pk.{pname}.high"),
                     "source": source, "confidence": str(spec.get("confidence", "U")),
                     "note": str(spec.get("note", "")), "user": True})
    return rows


_ACTIVITY_KEYS = ("compound", "target", "species", "measure", "low", "high", "unit",
                  "condition", "state", "mode", "reference", "citation", "confidence",
                  "is_default", "note", "gene", "key", "text")


def _activity_row(raw: Mapping[str, object], default_compound: str, file: str,
                  n: int) -> dict[str, str]:
    where = f"affinity #{n}"
    unknown = [k for k in raw if k not in (*_ACTIVITY_KEYS, "value")]
    if unknown:
        raise DataFileError(f"{where}: unknown key(s) {', '.join(unknown)}.", file=file,
                            field=unknown[0])
    row = {k: "" for k in _ACTIVITY_KEYS}
    for k, v in raw.items():
        if k != "value":
            row[k] = "true" if v is True else "false" if v is False else str(v)
    if "value" in raw:
        if "low" in raw or "high" in raw:
            raise DataFileError(f"{where}: give value, or low and high, not both.", file=file,
                                field="value")
        row["low"] = row["high"] = str(raw["value"])
    row["compound"] = row["compound"] or default_compound
    for need in ("compound", "target", "measure", "low", "reference"):
        if not row[need]:
            raise DataFileError(f"{where}: {need} is required.", file=file, field=need)
    row["species"] = row["species"] or "Human"
    row["mode"] = row["mode"] or "inhibitor"
    row["is_default"] = row["is_default"] or "true"
    row["confidence"] = row["confidence"] or "U"
    return row


def read_user_data(path: str | os.PathLike[str]) -> UserData:
    """Read a user-data TOML file: ``[[compound]]`` tables (identity + ``[compound.pk]``) and
    ``[[affinity]]`` tables. The format is documented in the README ("Your own compound") with a
    worked example in ``examples/user_compound.toml``.

    Raises
    ------
    DataFileError
        Naming the file and the field (and the compound or affinity entry).
    """
    p = Path(path)
    file = str(p)
    if not p.is_file():
        raise DataFileError("file not found.", file=file)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text file.", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"not valid TOML: {exc}.", file=file) from None
    extra = [k for k in doc if k not in ("compound", "affinity")]
    if extra:
        raise DataFileError(f"unknown table(s) {', '.join(extra)}; a user-data file has "
                            "[[compound]] and [[affinity]] tables.", file=file, field=extra[0])
    comps: list[CompoundIdentity] = []
    pk: list[dict[str, object]] = []
    for i, raw in enumerate(doc.get("compound", []), start=1):
        if not isinstance(raw, Mapping):
            raise DataFileError("[[compound]] entries must be tables.", file=file)
        fields = {k: v for k, v in raw.items() if k != "pk"}
        unknown = [k for k in fields if k not in (*IDENTITY_COLUMNS, "source")]
        if unknown:
            raise DataFileError(f"compound #{i}: unknown key(s) {', '.join(unknown)}.",
                                file=file, field=unknown[0])
        try:
            ident = _identity(fields, file=file, row=None, user=True)
        except DataFileError as exc:
            raise DataFileError(f"compound #{i}: {exc.args[0]}", file=file) from None
        comps.append(ident)
        pk += _pk_rows(ident.id, raw.get("pk", {}), file, str(raw.get("source", "") or ""))
    default = comps[0].id if len(comps) == 1 else ""
    acts = tuple(_activity_row(raw, default, file, n)
                 for n, raw in enumerate(doc.get("affinity", []), start=1))
    if not comps and not acts:
        raise DataFileError("no [[compound]] or [[affinity]] table.", file=file)
    return UserData(file=file, compounds=tuple(comps), pk=tuple(pk), activities=acts)


# ------------------------------------------------------------------ the active overlay
_ACTIVE: list[str] = []


def active_user_files() -> tuple[str, ...]:
    """User-data files in force: those of :func:`use_user_data`, then ``$NEUROMOA_USER_DATA``."""
    env = tuple(p for p in os.environ.get(USER_DATA_ENV, "").split(os.pathsep) if p.strip())
    return tuple(dict.fromkeys((*_ACTIVE, *env)))


@contextlib.contextmanager
def use_user_data(files: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, ...]]:
    """Merge these user-data files over the shipped data for every lookup inside the block.

    The knowledge base (:func:`neuromoa.kb.load_kb`), exposure and every model read them, so a
    user compound works everywhere (``--user-data`` on the CLI does this).
    """
    paths = tuple(str(Path(f)) for f in files)
    for p in paths:  # fail early, naming the file
        if p.lower().endswith(".toml"):
            read_user_data(p)
        elif not Path(p).is_file():
            raise DataFileError("file not found.", file=p)
    before = list(_ACTIVE)
    _ACTIVE[:] = [*paths, *before]
    try:
        yield paths
    finally:
        _ACTIVE[:] = before


def user_data_files(extra: Sequence[str | os.PathLike[str]] = ()) -> tuple[str, ...]:
    """The active user files plus ``extra`` (deduplicated, in order)."""
    return tuple(dict.fromkeys((*active_user_files(), *(str(x) for x in extra))))


@functools.lru_cache(maxsize=32)
def _user_data_cached(path: str, mtime: float) -> UserData:
    return read_user_data(path)


def user_data(path: str) -> UserData:
    """:func:`read_user_data`, cached while the file is unchanged."""
    p = Path(path)
    mtime = p.stat().st_mtime if p.is_file() else -1.0
    return _user_data_cached(str(p), mtime)


# ------------------------------------------------------------------ the table
@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[CompoundIdentity, ...]:
    rows = parse_identity_csv(read_text("identity", "compounds.csv"), _SHIPPED, user=False)
    seen: set[str] = set()
    for line, c in enumerate(rows, start=2):
        if c.id in seen:
            raise DataFileError(f"duplicate compound id {c.id!r}.", file=_SHIPPED, row=line,
                                field="id")
        seen.add(c.id)
    if sum(c.flagship for c in rows) != 1:
        raise DataFileError("exactly one compound must have flagship = true.", file=_SHIPPED,
                            field="flagship")
    return tuple(rows)


def _check_parents(table: Mapping[str, CompoundIdentity]) -> None:
    for c in table.values():
        if c.parent and c.parent not in table:
            raise DataFileError(f"parent compound {c.parent!r} of {c.id!r} is unknown.",
                                file=c.origin, field="parent")


def _stamp(files: Sequence[str]) -> tuple[tuple[str, float], ...]:
    return tuple((f, Path(f).stat().st_mtime if Path(f).is_file() else -1.0) for f in files)


@functools.lru_cache(maxsize=16)
def _table(stamped: tuple[tuple[str, float], ...]) -> CompoundTable:
    comps = {c.id: c for c in _shipped()}
    for f, _mtime in stamped:
        if f.lower().endswith(".toml"):
            for c in user_data(f).compounds:
                comps[c.id] = c
        else:  # a knowledge-base compounds CSV (recognised by its mw_base column)
            try:
                text = Path(f).read_text(encoding="utf-8") if Path(f).is_file() else ""
            except UnicodeDecodeError:
                raise DataFileError("not a UTF-8 text CSV file; save it as UTF-8.",
                                    file=f) from None
            first = text.lstrip("\ufeff").splitlines()[:1]
            if first and "mw_base" in {h.strip() for h in next(csv.reader(first))}:
                for c in parse_identity_csv(text, f, user=True):
                    comps[c.id] = c
    _check_parents(comps)
    return CompoundTable(comps)


def identity_table(user_files: Sequence[str | os.PathLike[str]] = ()) -> CompoundTable:
    """The compound table: shipped, then the active user data, then ``user_files``."""
    return _table(_stamp(user_data_files(user_files)))


def resolve_compound(name: object,
                     user_files: Sequence[str | os.PathLike[str]] = ()) -> CompoundIdentity:
    """The compound called ``name`` (id, name, synonym, brand, abbreviation or identifier).

    Raises
    ------
    UnknownCompoundError
        With "did you mean" suggestions for a misspelling.
    """
    return identity_table(user_files).resolve(name)


def metabolites_of(name: object) -> tuple[str, ...]:
    """Ids of the known metabolites of ``name`` (parent → metabolite links of the table)."""
    return identity_table().metabolites(name)


def flagship_compound() -> str:
    """Id of the flagship compound (the default of every command and model)."""
    return identity_table().flagship()


def compound_names(shipped_only: bool = False) -> tuple[str, ...]:
    """Every id, name and synonym of the table (shipped only if ``shipped_only``)."""
    if shipped_only:
        return tuple(dict.fromkeys(n for c in _shipped() for n in c.names))
    return identity_table().names()

