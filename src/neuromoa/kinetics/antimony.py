"""Print a kinetic scheme as an Antimony model (and so, through Antimony, as SBML).

The scheme stays the one declaration: the exact solver runs it and this printer writes the same
states, rates and parameters as Antimony text -- one mass-action reaction per directed rate,
``k * state`` -- for the SBML community's tools (libRoadRunner, COPASI, ...). Each parameter is
printed on one line in the form ``name = value; name has unit; // note | source | confidence``,
which is also what the parameter tables read back.

References
----------
Smith LP et al. Antimony: a modular model definition language. *Bioinformatics* 2009;25:2452.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from neuromoa.errors import DataFileError
from neuromoa.kinetics.expressions import Expression, to_myokit
from neuromoa.kinetics.scheme import Scheme

__all__ = ["ANTIMONY_UNITS", "expand_derived", "to_antimony"]

#: SI units a printed parameter may carry -> the Antimony unit id declared in the model.
ANTIMONY_UNITS: dict[str, tuple[str, str]] = {
    "1/s": ("per_s", "1 / second"),
    "1/(M*s)": ("per_M_per_s", "litre / (mole * second)"),
    "M": ("M", "mole / litre"),
    "V": ("V", "1e3 gram * metre^2 / (second^3 * ampere)"),
    "1": ("dimensionless_", "dimensionless"),
}


def expand_derived(text: str, derived: Mapping[str, str]) -> str:
    """Substitute derived names (in declaration order, later ones may use earlier ones).

    >>> expand_derived("k * s", {"s": "c / (c + K)"})
    'k * (c / (c + K))'
    """
    expanded: dict[str, str] = {}
    for name, expr in derived.items():
        expanded[name] = _substitute(expr, expanded)
    return _substitute(text, expanded)


def _substitute(text: str, table: Mapping[str, str]) -> str:
    if not table:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b")
    return pattern.sub(lambda m: f"({table[m.group(1)]})", text)


def _line(name: str, value: float, unit: str, note: str, source: str, confidence: str,
          where: str) -> str:
    if unit not in ANTIMONY_UNITS:
        raise DataFileError(f"unit {unit!r} of {name!r} cannot be printed as Antimony; use one "
                            f"of {sorted(ANTIMONY_UNITS)} (SI)", file=where)
    comment = " | ".join(x for x in (note, source, confidence) if x)
    return f"  {name} = {value!r}; {name} has {ANTIMONY_UNITS[unit][0]}; // {comment}"


def to_antimony(scheme: Scheme, *, conditions: Mapping[str, Mapping] | None = None,
                derived: Mapping[str, str] | None = None,
                confidence: Mapping[str, str] | None = None, description: str = "") -> str:
    """Antimony text of ``scheme``: species = states, one reaction per nonzero directed rate.

    Parameters
    ----------
    scheme : Scheme
        Parameters must be in SI units of :data:`ANTIMONY_UNITS`.
    conditions : mapping, optional
        For each condition of the scheme, ``{"value", "unit", "note", "source", "confidence"}``:
        printed as parameters with their default values (a condition without an entry is an
        error: SBML needs a value).
    derived : mapping, optional
        Names used in the rate expressions, printed as assignment rules ``name := expr``.
    confidence : mapping, optional
        Parameter name -> confidence letter, printed as the last field of its comment.
    description : str
        Printed as a comment block at the top.
    """
    conditions = dict(conditions or {})
    derived = dict(derived or {})
    confidence = dict(confidence or {})
    where = scheme.source
    missing = [c for c in scheme.conditions if c not in conditions]
    if missing:
        raise DataFileError(f"conditions {missing} have no default value for the export",
                            file=where)
    lines = [f"// {row}".rstrip() for row in description.strip("\n").splitlines()]
    lines.append(f"model {scheme.name}")
    lines += ["  unit time_unit = second;", "  unit substance = mole;", "  unit volume = litre;",
              "  unit extent = mole;"]
    lines += [f"  unit {uid} = {definition};" for uid, definition in ANTIMONY_UNITS.values()]
    lines += ["", "  compartment membrane = 1;", "  membrane has litre;"]
    lines.append("  species " + ", ".join(f"{s} in membrane" for s in scheme.states) + ";")
    lines.append("  " + " ".join(f"{s} = {1 if i == 0 else 0};"
                                 for i, s in enumerate(scheme.states)))
    lines += ["", "  // conditions (set by the caller)"]
    for name in scheme.conditions:
        c = conditions[name]
        lines.append(_line(name, float(c["value"]), str(c["unit"]), str(c.get("note", "")),
                           str(c.get("source", "")), str(c.get("confidence", "")), where))
    lines += ["", "  // parameters"]
    for p in scheme.parameters:
        lines.append(_line(p.name, p.value, p.unit, p.note, p.source,
                           confidence.get(p.name, ""), where))
    if derived:
        lines += ["", "  // derived rates"]
        for name, expr in derived.items():
            Expression(expr, f"{where}, derived {name}")  # validated like a rate
            lines.append(f"  {name} := {to_myokit(expr, {})};")
    lines += ["", "  // transitions: one first-order reaction per directed rate"]
    for e in scheme.edges:
        for a, b, rate in ((e.a, e.b, e.forward), (e.b, e.a, e.backward)):
            if rate.strip() == "balance":
                raise DataFileError(f"rate {a}->{b} is 'balance'; give it explicitly to export",
                                    file=where)
            if rate.strip() in {"0", "0.0"}:
                continue
            # x compartment volume: a kinetic law is an amount per time (SBML L3)
            lines.append(f"  J_{a}_{b}: {a} -> {b}; membrane * {to_myokit(rate, {})} * {a};")
    lines.append("end")
    return "\n".join(lines) + "\n"
