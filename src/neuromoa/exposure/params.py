"""The pharmacokinetic parameters (``data/exposure/*.csv`` and user data), loaded and validated.

Compound names, molecular weights, salt and the unbound fraction in plasma come from the one
compound identity (:mod:`neuromoa.data.compounds`); the PK parameters from
``data/exposure/parameters.csv`` (see its README) and from the ``[compound.pk]`` table of the
user-data files in force (:func:`neuromoa.data.compounds.use_user_data`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.data.compounds import (
    PK_PARAMETER_UNITS,
    CompoundIdentity,
    identity_table,
    user_data,
    user_data_files,
)
from neuromoa.errors import DataFileError, UnknownCompoundError

__all__ = ["Covariate", "PKCompound", "PKParameter", "Route", "available_compounds", "pk_compound",
           "pk_references"]

_PARAM_COLUMNS = ("compound", "parameter", "value", "unit", "low", "high", "source", "confidence",
                  "note")
_REF_COLUMNS = ("id", "citation", "note")
_CONFIDENCE = {"H", "M", "U"}
# The unit each known parameter must be given in (the kernel works in L, h, mol): the one list
# of :mod:`neuromoa.data.compounds`, which user-data files follow too.
_PARAM_UNITS = {**PK_PARAMETER_UNITS, "vc": "L", "vp": "L", "q": "L/h", "q_h": "L/h"}


@dataclass(frozen=True)
class PKParameter:
    """One sourced parameter value: ``value`` in ``unit``, optional range, source, confidence."""

    name: str
    value: float
    unit: str
    low: float | None
    high: float | None
    source: str
    confidence: str
    note: str


@dataclass(frozen=True)
class Route:
    """One metabolic route: its share of hepatic intrinsic clearance in a *1/*1 adult."""

    route: str
    enzyme: str
    fraction: float
    product: str
    source: str
    confidence: str
    note: str


@dataclass(frozen=True)
class Covariate:
    """A covariate effect: ``parameter`` (clint | volume) × f(covariate) (power or linear)."""

    parameter: str
    covariate: str
    model: str
    value: float
    reference: float
    source: str
    confidence: str
    note: str

    def factor(self, x):  # noqa: ANN001, ANN201 - float or ndarray
        """The multiplicative factor at covariate value(s) ``x``."""
        if self.model == "power":
            return (x / self.reference) ** self.value
        return 1.0 + self.value * (x - self.reference)


@dataclass(frozen=True)
class PKCompound:
    """A compound's molecular weights and pharmacokinetic parameters."""

    name: str
    synonyms: tuple[str, ...]
    mw_base: float
    mw_salt: float
    salt: str
    parameters: dict[str, PKParameter] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    covariates: tuple[Covariate, ...] = ()
    variability: dict[str, float] = field(default_factory=dict)

    @property
    def enzymes(self) -> tuple[str, ...]:
        """Enzymes with a route for this compound (empty for a compound with simple PK)."""
        return tuple(sorted({r.enzyme for r in self.routes if r.enzyme.upper().startswith("CYP")}))

    def value(self, name: str) -> float:
        """The value of parameter ``name`` (raises :class:`DataFileError` if it is missing)."""
        try:
            return self.parameters[name].value
        except KeyError as exc:
            raise DataFileError(f"no '{name}' parameter for {self.name}",
                                file="exposure/parameters.csv") from exc

    def has(self, name: str) -> bool:
        """Whether parameter ``name`` is given for this compound."""
        return name in self.parameters


def _read(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = f"exposure/{name}"
    frame = pd.read_csv(io.StringIO(read_text("exposure", name)), dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", file=path)
    return frame


def _float(text: str, *, file: str, row: int, fld: str, optional: bool = False) -> float | None:
    if text.strip() == "" and optional:
        return None
    try:
        x = float(text)
    except ValueError as exc:
        raise DataFileError(f"{text!r} is not a number", file=file, row=row, field=fld) from exc
    if not math.isfinite(x) or x <= 0:
        raise DataFileError(f"{text!r} must be a positive finite number", file=file, row=row,
                            field=fld)
    return x


def _fu_parameter(ident: CompoundIdentity) -> PKParameter | None:
    """The identity table's unbound fraction in plasma as a PK parameter (None if absent)."""
    if not math.isfinite(ident.fu):
        return None
    return PKParameter(name="fu", value=ident.fu, unit="1",
                       low=ident.fu_low if math.isfinite(ident.fu_low) else None,
                       high=ident.fu_high if math.isfinite(ident.fu_high) else None,
                       source=ident.fu_source, confidence=ident.confidence,
                       note="unbound fraction in plasma (compound identity table)")


def _shipped_rows() -> list[tuple[str, int, dict[str, str]]]:
    params = _read("parameters.csv", _PARAM_COLUMNS)
    return [("exposure/parameters.csv", int(i) + 2, dict(row)) for i, row in params.iterrows()]


def _user_rows(files: tuple[str, ...]) -> list[tuple[str, int, dict[str, str]]]:
    rows = []
    for f in files:
        if not f.lower().endswith(".toml"):
            continue
        for n, r in enumerate(user_data(f).pk, start=1):
            text = {k: ("" if isinstance(v, float) and not math.isfinite(v) else str(v))
                    for k, v in r.items()}
            rows.append((f, n, text))
    return rows


def _load(files: tuple[str, ...] = ()) -> tuple[dict[str, PKCompound], pd.DataFrame]:
    """The PK tables with these user files (cached while the files are unchanged)."""
    stamps = tuple((f, Path(f).stat().st_mtime if Path(f).is_file() else -1.0) for f in files)
    return _load_cached(stamps)


@lru_cache(maxsize=8)
def _load_cached(stamps: tuple[tuple[str, float], ...]
                 ) -> tuple[dict[str, PKCompound], pd.DataFrame]:
    files = tuple(f for f, _ in stamps)
    refs = _read("references.csv", _REF_COLUMNS)
    ref_ids = set(refs["id"])
    table = identity_table(files)
    by_name: dict[str, dict] = {}
    seen: set[tuple[str, str, str]] = set()  # a user file's row replaces a shipped one
    for file, r, row in [*_shipped_rows(), *_user_rows(files)]:
        user = file != "exposure/parameters.csv"
        try:
            ident = table.resolve(row["compound"])
        except UnknownCompoundError as exc:
            raise DataFileError(exc.args[0], file=file, row=r, field="compound") from None
        name = ident.id
        if name not in by_name:
            by_name[name] = {
                "name": name, "synonyms": ident.synonyms, "mw_base": ident.mw_base,
                "mw_salt": ident.mw(salt=True), "salt": ident.salt, "parameters": {},
            }
        pname = row["parameter"].strip()
        if pname not in _PARAM_UNITS:
            raise DataFileError(f"unknown parameter {pname!r} (known: {', '.join(_PARAM_UNITS)})",
                                file=file, row=r, field="parameter")
        if row["unit"].strip() != _PARAM_UNITS[pname]:
            raise DataFileError(f"unit of {pname} must be {_PARAM_UNITS[pname]!r}, got "
                                f"{row['unit']!r}", file=file, row=r, field="unit")
        if not user and row["source"] not in ref_ids:
            raise DataFileError(f"source {row['source']!r} is not an id in exposure/references.csv",
                                file=file, row=r, field="source")
        if row["confidence"] not in _CONFIDENCE:
            raise DataFileError(f"confidence must be one of H, M, U; got {row['confidence']!r}",
                                file=file, row=r, field="confidence")
        params = by_name[name]["parameters"]
        if (file, name, pname) in seen:
            raise DataFileError(f"duplicate parameter {pname!r} for {name}", file=file, row=r,
                                field="parameter")
        params[pname] = PKParameter(
            name=pname,
            value=_float(row["value"], file=file, row=r, fld="value"),
            unit=row["unit"].strip(),
            low=_float(row["low"], file=file, row=r, fld="low", optional=True),
            high=_float(row["high"], file=file, row=r, fld="high", optional=True),
            source=row["source"],
            confidence=row["confidence"],
            note=row["note"],
        )
        seen.add((file, name, pname))
    for name, d in by_name.items():
        fu = _fu_parameter(table.get(name))
        if fu is not None:
            d["parameters"].setdefault("fu", fu)
    _load_routes(by_name, ref_ids)
    compounds = {n: PKCompound(**d) for n, d in by_name.items()}
    return compounds, refs


_ROUTE_COLUMNS = ("compound", "route", "enzyme", "fraction", "product", "source", "confidence",
                  "note")
_COV_COLUMNS = ("compound", "parameter", "covariate", "model", "value", "reference", "source",
                "confidence", "note")
_VAR_COLUMNS = ("compound", "parameter", "omega", "source", "confidence", "note")
#: Parameters a covariate or variability row may act on.
_COV_PARAMETERS = {"clint", "volume"}
_COV_NAMES = {"weight_kg", "age_y"}
_VAR_PARAMETERS = {"clint", "volume", "ka"}
#: Route fractions of one compound must sum to 1 within this tolerance.
ROUTE_SUM_TOL = 1e-6


def _check_sources(text: str, ref_ids: set[str], *, file: str, row: int) -> None:
    for sid in text.split(";"):
        if sid.strip() not in ref_ids:
            raise DataFileError(f"source {sid!r} is not an id in exposure/references.csv",
                                file=file, row=row, field="source")


def _load_routes(by_name: dict[str, dict], ref_ids: set[str]) -> None:
    routes = _read("routes.csv", _ROUTE_COLUMNS)
    file = "exposure/routes.csv"
    per: dict[str, list[Route]] = {}
    for i, row in routes.iterrows():
        r = int(i) + 2
        name = row["compound"].strip().lower()
        if name not in by_name:
            raise DataFileError(f"compound {name!r} has no rows in exposure/parameters.csv", file=file,
                                row=r, field="compound")
        product = row["product"].strip().lower()
        if product and product not in by_name:
            raise DataFileError(f"product {product!r} has no rows in exposure/parameters.csv",
                                file=file, row=r, field="product")
        _check_sources(row["source"], ref_ids, file=file, row=r)
        frac = _float(row["fraction"], file=file, row=r, fld="fraction")
        assert frac is not None
        if frac > 1:
            raise DataFileError(f"fraction {frac} must be in (0, 1]", file=file, row=r,
                                field="fraction")
        per.setdefault(name, []).append(Route(row["route"], row["enzyme"].strip(), frac, product,
                                              row["source"], row["confidence"], row["note"]))
    for name, rs in per.items():
        total = sum(x.fraction for x in rs)
        if abs(total - 1.0) > ROUTE_SUM_TOL:
            raise DataFileError(f"route fractions of {name} sum to {total:g}, not 1", file=file)
        for need in ("q_h", "f_oral"):
            if need not in by_name[name]["parameters"]:
                raise DataFileError(f"{name} has routes but no '{need}' parameter (the hepatic "
                                    "model needs it)", file="exposure/parameters.csv")
        by_name[name]["routes"] = tuple(rs)
    covs = _read("covariates.csv", _COV_COLUMNS)
    file = "exposure/covariates.csv"
    for i, row in covs.iterrows():
        r = int(i) + 2
        name = row["compound"].strip().lower()
        if name not in by_name:
            raise DataFileError(f"compound {name!r} unknown", file=file, row=r, field="compound")
        if row["parameter"] not in _COV_PARAMETERS:
            raise DataFileError(f"parameter must be one of {sorted(_COV_PARAMETERS)}", file=file,
                                row=r, field="parameter")
        if row["covariate"] not in _COV_NAMES:
            raise DataFileError(f"covariate must be one of {sorted(_COV_NAMES)}", file=file,
                                row=r, field="covariate")
        if row["model"] not in ("power", "linear"):
            raise DataFileError("model must be power or linear", file=file, row=r, field="model")
        _check_sources(row["source"], ref_ids, file=file, row=r)
        value = _float(row["value"], file=file, row=r, fld="value")
        ref = _float(row["reference"], file=file, row=r, fld="reference")
        assert value is not None and ref is not None
        by_name[name].setdefault("covariates", ())
        by_name[name]["covariates"] += (Covariate(row["parameter"], row["covariate"],
                                                  row["model"], value, ref, row["source"],
                                                  row["confidence"], row["note"]),)
    var = _read("variability.csv", _VAR_COLUMNS)
    file = "exposure/variability.csv"
    for i, row in var.iterrows():
        r = int(i) + 2
        name = row["compound"].strip().lower()
        if name not in by_name:
            raise DataFileError(f"compound {name!r} unknown", file=file, row=r, field="compound")
        if row["parameter"] not in _VAR_PARAMETERS:
            raise DataFileError(f"parameter must be one of {sorted(_VAR_PARAMETERS)}", file=file,
                                row=r, field="parameter")
        _check_sources(row["source"], ref_ids, file=file, row=r)
        omega = _float(row["omega"], file=file, row=r, fld="omega")
        by_name[name].setdefault("variability", {})[row["parameter"]] = omega


def available_compounds() -> list[str]:
    """Names of the compounds exposure can simulate (shipped and user)."""
    return sorted(_load(user_data_files())[0])


def pk_compound(name: str) -> PKCompound:
    """The :class:`PKCompound` for ``name`` (any name of the compound identity table).

    Raises :class:`UnknownCompoundError` ("did you mean" for a misspelling; the list of
    compounds that have exposure data when the compound is known but has none).
    """
    files = user_data_files()
    compounds = _load(files)[0]
    ident = identity_table(files).resolve(name)
    if ident.id in compounds:
        return compounds[ident.id]
    raise UnknownCompoundError(
        f"No pharmacokinetic data for compound {name!r}; exposure knows "
        f"{', '.join(sorted(compounds))} (data/exposure/parameters.csv; add a [compound.pk] "
        "table to a --user-data file).")


def pk_references() -> pd.DataFrame:
    """The references the exposure parameters cite (``id citation note``)."""
    return _load(user_data_files())[1].copy()


_load.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]
