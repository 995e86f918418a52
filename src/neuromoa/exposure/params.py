"""The shipped pharmacokinetic parameters (``data/exposure/*.csv``), loaded and validated.

Exposure sits in the same layer as the knowledge base and may not import it, so the few
compound facts it needs (molecular weights, salt) live in its own data files, each value with
a source and a confidence (see ``data/exposure/README.md``).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, UnknownCompoundError

__all__ = ["Covariate", "PKCompound", "PKParameter", "Route", "available_compounds", "pk_compound",
           "pk_references"]

_COMPOUND_COLUMNS = ("compound", "synonyms", "mw_base_g_mol", "mw_salt_g_mol", "salt", "source",
                     "confidence", "note")
_PARAM_COLUMNS = ("compound", "parameter", "value", "unit", "low", "high", "source", "confidence",
                  "note")
_REF_COLUMNS = ("id", "citation", "note")
_CONFIDENCE = {"H", "M", "U"}
# The unit each known parameter must be given in (the kernel works in L, h, mol).
_PARAM_UNITS = {"ka": "1/h", "cl_f": "L/h", "v_f": "L", "cl": "L/h", "t_half": "h", "f_oral": "1",
                "fu": "1", "max_daily_dose": "mg/day", "vc": "L", "vp": "L", "q": "L/h",
                "q_h": "L/h"}
#: A simple compound may give the fraction of a dose (molar) that reaches the circulation as a
#: metabolite: parameter ``fm_<metabolite>`` (unit 1), the metabolite being another compound.
_FM_PREFIX = "fm_"


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


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, PKCompound], pd.DataFrame]:
    refs = _read("references.csv", _REF_COLUMNS)
    ref_ids = set(refs["id"])
    comps = _read("compounds.csv", _COMPOUND_COLUMNS)
    params = _read("parameters.csv", _PARAM_COLUMNS)
    by_name: dict[str, dict] = {}
    for i, row in comps.iterrows():
        r = int(i) + 2  # header is line 1
        file = "exposure/compounds.csv"
        name = row["compound"].strip().lower()
        if name in by_name:
            raise DataFileError(f"duplicate compound {name!r}", file=file, row=r, field="compound")
        if row["source"] and row["confidence"] not in _CONFIDENCE:
            raise DataFileError(f"confidence must be one of H, M, U; got {row['confidence']!r}",
                                file=file, row=r, field="confidence")
        by_name[name] = {
            "name": name,
            "synonyms": tuple(s.strip() for s in row["synonyms"].split(";") if s.strip()),
            "mw_base": _float(row["mw_base_g_mol"], file=file, row=r, fld="mw_base_g_mol"),
            "mw_salt": _float(row["mw_salt_g_mol"], file=file, row=r, fld="mw_salt_g_mol"),
            "salt": row["salt"].strip(),
            "parameters": {},
        }
    for i, row in params.iterrows():
        r = int(i) + 2
        file = "exposure/parameters.csv"
        name = row["compound"].strip().lower()
        if name not in by_name:
            raise DataFileError(f"compound {name!r} is not in exposure/compounds.csv", file=file,
                                row=r, field="compound")
        pname = row["parameter"].strip()
        if pname not in _PARAM_UNITS and not pname.startswith(_FM_PREFIX):
            raise DataFileError(f"unknown parameter {pname!r} (known: {', '.join(_PARAM_UNITS)}, "
                                "fm_<metabolite>)", file=file, row=r, field="parameter")
        want_unit = _PARAM_UNITS.get(pname, "1")
        if row["unit"].strip() != want_unit:
            raise DataFileError(f"unit of {pname} must be {want_unit!r}, got "
                                f"{row['unit']!r}", file=file, row=r, field="unit")
        if row["source"] not in ref_ids:
            raise DataFileError(f"source {row['source']!r} is not an id in exposure/references.csv",
                                file=file, row=r, field="source")
        if row["confidence"] not in _CONFIDENCE:
            raise DataFileError(f"confidence must be one of H, M, U; got {row['confidence']!r}",
                                file=file, row=r, field="confidence")
        if pname in by_name[name]["parameters"]:
            raise DataFileError(f"duplicate parameter {pname!r} for {name}", file=file, row=r,
                                field="parameter")
        by_name[name]["parameters"][pname] = PKParameter(
            name=pname,
            value=_float(row["value"], file=file, row=r, fld="value"),
            unit=row["unit"].strip(),
            low=_float(row["low"], file=file, row=r, fld="low", optional=True),
            high=_float(row["high"], file=file, row=r, fld="high", optional=True),
            source=row["source"],
            confidence=row["confidence"],
            note=row["note"],
        )
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
            raise DataFileError(f"compound {name!r} is not in exposure/compounds.csv", file=file,
                                row=r, field="compound")
        product = row["product"].strip().lower()
        if product and product not in by_name:
            raise DataFileError(f"product {product!r} is not in exposure/compounds.csv",
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
    """Names of the compounds exposure can simulate."""
    return sorted(_load()[0])


def pk_compound(name: str) -> PKCompound:
    """The :class:`PKCompound` for ``name`` or one of its synonyms (case-insensitive).

    Raises :class:`UnknownCompoundError` listing the compounds that have exposure data.
    """
    compounds = _load()[0]
    key = str(name).strip().lower()
    if key in compounds:
        return compounds[key]
    for comp in compounds.values():
        if key in (s.lower() for s in comp.synonyms):
            return comp
    raise UnknownCompoundError(
        f"No pharmacokinetic data for compound {name!r}; exposure knows "
        f"{', '.join(sorted(compounds))} (data/exposure/compounds.csv).")


def pk_references() -> pd.DataFrame:
    """The references the exposure parameters cite (``id citation note``)."""
    return _load()[1].copy()
