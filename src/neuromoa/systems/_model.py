"""Models declared once, in Antimony: loading, the parameter table, SBML export and validation.

Each model is one shipped Antimony file under ``neuromoa/data/systems/``. Every parameter is
declared on one line in a fixed format that this module reads::

    name = value; name has unit; // what it is | source | confidence

(confidence: H primary source, M secondary, U unverified, A assumption, C calibrated to the
cited number). The same file is what libRoadRunner simulates (through Antimony's SBML), what
:func:`model_parameters` tabulates and what :func:`export_sbml` writes, so the three cannot drift.

References
----------
Smith LP et al. Antimony: a modular model definition language. *Bioinformatics* 2009;25:2452.
Welsh C et al. libRoadRunner 2.0. *Bioinformatics* 2023;39:btac770.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError, SolverError, require_extra

__all__ = [
    "MODELS",
    "antimony_source",
    "export_sbml",
    "model_parameters",
    "new_runner",
    "register_printed",
    "runtime_overrides",
    "sbml_string",
    "validate_sbml",
]

#: Registry: model name -> Antimony file (in ``neuromoa/data/systems``) and its model id.
MODELS: dict[str, str] = {"synapse": "synapse.ant", "nmda": "nmda.toml", "trk": "trk.ant"}
#: Models declared as a kinetic scheme (not Antimony): name -> the function printing them as
#: Antimony (registered by the model's module, e.g. :func:`neuromoa.systems.nmda.nmda_antimony`).
_PRINTED: dict[str, Callable[[], str]] = {}


def register_printed(model: str, printer: Callable[[], str]) -> None:
    """Declare that ``model``'s Antimony text is printed by ``printer`` from its scheme."""
    _PRINTED[model] = printer

_PARAM_LINE = re.compile(
    r"^\s*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*;"
    r"\s*(?P=name)\s+has\s+(?P<unit>\w+)\s*;\s*//\s*(?P<desc>[^|]*)\|(?P<source>[^|]*)"
    r"(?:\|\s*(?P<conf>[HMUAC]))?\s*$"
)
#: Readable forms of the unit ids the model files declare.
_UNIT_TEXT = {"M": "M", "per_s": "1/s", "per_M_per_s": "1/(M·s)", "M_per_s": "M/s", "s": "s",
              "V": "V", "dimensionless_": "1"}
_CONFIDENCE = {"H": "primary source", "M": "secondary source", "U": "unverified",
               "A": "assumption", "C": "calibrated to the cited number"}


def _check_name(model: str) -> str:
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    return model


def antimony_source(model: str) -> str:
    """Return the Antimony text of a shipped model (``"synapse"``, ``"nmda"``, ``"trk"``)."""
    if _check_name(model) in _PRINTED:
        return _PRINTED[model]()
    return read_text("systems", MODELS[model])


@functools.cache
def sbml_string(model: str) -> str:
    """Translate the model's Antimony declaration to SBML Level 3 (string)."""
    antimony = require_extra("antimony")
    text = antimony_source(model)
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise DataFileError(antimony.getLastError().strip(), file=f"systems/{MODELS[model]}")
    sbml = antimony.getSBMLString(model)
    if not sbml:
        raise DataFileError(f"Antimony produced no SBML for model {model!r}",
                            file=f"systems/{MODELS[model]}")
    return sbml


@functools.cache
def _declared(model: str) -> pd.DataFrame:
    file = f"systems/{MODELS[_check_name(model)]}"
    rows = []
    for lineno, line in enumerate(antimony_source(model).splitlines(), start=1):
        m = _PARAM_LINE.match(line)
        if m is None:
            continue
        source = m["source"].strip()
        if not source:
            raise DataFileError("parameter has no source", file=file, row=lineno, field=m["name"])
        conf = m["conf"] or "U"
        if m["unit"] not in _UNIT_TEXT:
            raise DataFileError(f"unknown unit id {m['unit']!r}; use one of {sorted(_UNIT_TEXT)}",
                                file=file, row=lineno, field=m["name"])
        rows.append({"parameter": m["name"], "value": float(m["value"]),
                     "unit": _UNIT_TEXT[m["unit"]],
                     "description": m["desc"].strip(), "source": source,
                     "confidence": conf, "confidence_text": _CONFIDENCE[conf], "line": lineno})
    return pd.DataFrame(rows)


_SOURCE_CONFIDENCE = re.compile(r"confidence ([HMUAC])\b")


def runtime_overrides(model: str) -> dict[str, tuple[float, str]]:
    """The values the simulations set at run time from :mod:`neuromoa.kb` (name -> (value, source))."""
    if _check_name(model) == "synapse":
        from neuromoa.systems.synapse import synapse_parameters

        return synapse_parameters()
    if model == "trk":
        from neuromoa.systems.trk import trk_parameters

        return trk_parameters()
    return {}


def model_parameters(model: str, overrides: Mapping[str, tuple[float, str]] | None = None,
                     *, runtime: bool = True) -> pd.DataFrame:
    """Parameter table of a model, read from its declaration.

    Parameters
    ----------
    model : {"synapse", "nmda", "trk"}
    overrides : mapping name -> (value, source), optional
        Further values (e.g. a user's); they replace the declared value and source.
    runtime : bool
        Show the values the simulations use: the knowledge base's Ki, Km and Trk affinities
        replace the declared defaults (default True; False gives the file as declared).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter value unit description source confidence confidence_text line``.
    """
    table = _declared(_check_name(model)).copy()
    merged = dict(runtime_overrides(model)) if runtime else {}
    merged.update(overrides or {})
    for name, (value, source) in merged.items():
        hit = table["parameter"] == name
        if not hit.any():
            raise InputError(f"model {model!r} has no parameter {name!r}.")
        table.loc[hit, "value"] = float(value)
        table.loc[hit, "source"] = source
        # a value from the knowledge base carries the kb row's confidence: the table says the
        # same as the kb (e.g. U for the untraced Trk affinities), not the placeholder's A
        conf = _SOURCE_CONFIDENCE.search(str(source))
        if conf is not None:
            table.loc[hit, "confidence"] = conf.group(1)
            table.loc[hit, "confidence_text"] = _CONFIDENCE[conf.group(1)]
    return table.reset_index(drop=True)


def new_runner(model: str, values: Mapping[str, float] | None = None):
    """A fresh :class:`roadrunner.RoadRunner` for ``model`` with ``values`` set (SI floats)."""
    roadrunner = require_extra("roadrunner")
    rr = roadrunner.RoadRunner(sbml_string(_check_name(model)))
    for name, value in (values or {}).items():
        try:
            rr.setValue(name, float(value))
        except RuntimeError as exc:
            raise InputError(f"model {model!r} has no settable quantity {name!r}.") from exc
    return rr


def validate_sbml(sbml: str) -> list[str]:
    """Check an SBML string with libsbml (all consistency categories, units included).

    Returns the list of messages of severity error or fatal (empty when valid); warnings
    (e.g. undeclared units of literal numbers) are not returned.
    """
    libsbml = require_extra("libsbml")
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    errors = []
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {err.getLine()}: {err.getMessage().strip()}")
    return errors


def export_sbml(model: str, path: str | Path) -> Path:
    """Write the model as SBML Level 3 to ``path`` after validating it with libsbml.

    Raises :class:`~neuromoa.errors.SolverError` if libsbml reports an error.
    """
    sbml = sbml_string(_check_name(model))
    errors = validate_sbml(sbml)
    if errors:
        raise SolverError(f"SBML of model {model!r} does not validate: {errors[0]}")
    out = Path(path)
    if out.parent and not out.parent.exists():
        raise InputError(f"export-sbml: folder {str(out.parent)!r} does not exist; create it first.")
    out.write_text(sbml, encoding="utf-8")
    return out
