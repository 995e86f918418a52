"""Units at the edges: the one pint registry and the converters to plain SI floats.

Public functions accept quantities or strings ("3.45 nM", "0.26 µM", "150 ng/mL" with a
molecular weight, "pKi 7.18", "50 mg", "24 h", "-80 mV") and convert **once**; inside the
package every number is a float in SI-derived canonical units:

=============  ==========  ======================
quantity       canonical   converter
=============  ==========  ======================
concentration  mol/L (M)   :func:`as_molar`
time           s           :func:`as_seconds`
voltage        V           :func:`as_volts`
current        A           :func:`as_amperes`
mass (dose)    g           :func:`as_grams`
=============  ==========  ======================

A bare number, a wrong dimension or an unparsable unit raises :class:`~neuromoa.errors.UnitError`:
never a guess.
"""

from __future__ import annotations

import math
import re
from numbers import Real

import pint

from neuromoa.errors import UnitError

__all__ = [
    "Q_",
    "as_amperes",
    "as_grams",
    "as_hours",
    "as_molar",
    "as_seconds",
    "as_volts",
    "format_molar",
    "parse_quantity",
    "ureg",
]

#: The package's single unit registry (pint). ``M`` is molar (mol/L) in pint's defaults.
try:  # pint's parsed-definitions cache (user cache folder) halves the registry's start-up
    ureg = pint.UnitRegistry(cache_folder=":auto:")
except Exception:  # noqa: BLE001  (unwritable or corrupt cache: parse the definitions again)
    ureg = pint.UnitRegistry()
Q_ = ureg.Quantity

_MICRO = re.compile("[\u00b5\u03bc]")  # micro sign and Greek small mu both mean micro
_NUM_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*)?$")
_PFORM = re.compile(r"^\s*p(Ki|Kd|KB|IC50|EC50|A2)\s*=?\s*([-+]?\d+\.?\d*)\s*$", re.IGNORECASE)


def parse_quantity(value: object, what: str = "value", example_unit: str = "nM") -> pint.Quantity:
    """Parse ``value`` (a pint Quantity or a string like "3.45 nM") into a Quantity.

    Raises :class:`UnitError` naming ``what`` when the value has no unit or cannot be read;
    ``example_unit`` is the unit the message suggests.
    """
    if isinstance(value, pint.Quantity):
        return Q_(value.magnitude, str(value.units))
    if isinstance(value, bool) or isinstance(value, Real):
        raise UnitError(f"{what}: {value!r} has no unit; write it with one, e.g. "
                        f"'{value} {example_unit}'.")
    if not isinstance(value, str):
        raise UnitError(f"{what}: expected a quantity such as '1 {example_unit}', "
                        f"got {type(value).__name__}.")
    text = _MICRO.sub("u", value.strip())
    m = _NUM_UNIT.match(text)
    if m is None:
        raise UnitError(f"{what}: cannot read {value!r} as a number with a unit "
                        f"(e.g. '1 {example_unit}').")
    number, unit = m.group(1), (m.group(2) or "").strip()
    if not unit:
        raise UnitError(f"{what}: {value!r} has no unit; write it with one, e.g. "
                        f"'{number} {example_unit}'.")
    unit = unit.replace("hr", "h") if unit in {"hr", "hrs"} else unit
    try:
        return Q_(float(number), ureg.parse_units(unit))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            AttributeError, TypeError, AssertionError) as exc:
        raise UnitError(f"{what}: unknown unit {unit!r} in {value!r}.") from exc


def _convert(value: object, target: str, dimension: str, what: str) -> float:
    q = parse_quantity(value, what, _EXAMPLE_UNIT[dimension])
    try:
        return float(q.to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"{what}: {value!r} is not a {dimension} (expected units like "
                        f"{_EXAMPLES[dimension]}).") from exc


_EXAMPLE_UNIT = {"concentration": "nM", "time": "h", "voltage": "mV", "current": "pA", "mass": "mg"}

_EXAMPLES = {
    "concentration": "'nM', 'uM', 'mol/L', or 'ng/mL' with a molecular weight",
    "time": "'s', 'min', 'h', 'day'",
    "voltage": "'mV', 'V'",
    "current": "'pA', 'nA', 'A'",
    "mass": "'mg', 'g'",
}


def as_molar(value: object, *, mw: float | None = None, what: str = "concentration",
             allow_zero: bool = True) -> float:
    """Convert a concentration to mol/L.

    Accepts molar units ("3.45 nM", "0.26 µM"), a p-value ("pKi 7.18" → 10^-7.18 M), or a mass
    concentration ("150 ng/mL") when ``mw`` (g/mol, of the species measured) is given.
    Negative values raise :class:`UnitError`.

    >>> round(as_molar("3.45 nM") * 1e9, 6)
    3.45
    >>> round(as_molar("277.4 ng/mL", mw=277.4) * 1e6, 6)
    1.0
    """
    if isinstance(value, str):
        pm = _PFORM.match(value)
        if pm is not None:
            return 10.0 ** (-float(pm.group(2)))
    q = parse_quantity(value, what)
    if q.check("[substance]/[length]**3"):
        x = float(q.to("mol/L").magnitude)
    elif q.check("[mass]/[length]**3"):
        if mw is None:
            raise UnitError(f"{what}: {value!r} is a mass concentration; a molecular weight is "
                            "needed to convert it to molar (give the compound).")
        x = float(q.to("g/L").magnitude) / mw
    else:
        raise UnitError(f"{what}: {value!r} is not a concentration (expected units like "
                        f"{_EXAMPLES['concentration']}).")
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        bound = "positive" if not allow_zero else "zero or positive"
        raise UnitError(f"{what}: {value!r} must be {bound} and finite.")
    return x


def as_seconds(value: object, what: str = "time") -> float:
    """Convert a duration to seconds ("24 h", "15 min", "200 ms")."""
    return _convert(value, "s", "time", what)


def as_hours(value: object, what: str = "time") -> float:
    """Convert a duration to hours ("24h", "1 day")."""
    return _convert(value, "h", "time", what)


def as_volts(value: object, what: str = "voltage") -> float:
    """Convert a potential to volts ("-80 mV" → -0.08)."""
    return _convert(value, "V", "voltage", what)


def as_amperes(value: object, what: str = "current") -> float:
    """Convert a current to amperes ("100 pA" → 1e-10)."""
    return _convert(value, "A", "current", what)


def as_grams(value: object, what: str = "dose") -> float:
    """Convert a mass (a dose) to grams ("150 mg" → 0.15); must be positive."""
    x = _convert(value, "g", "mass", what)
    if not math.isfinite(x) or x <= 0:
        raise UnitError(f"{what}: {value!r} must be a positive mass.")
    return x


def format_molar(x: float, digits: int = 3) -> str:
    """Format a molar float in the most readable unit: 3.45e-9 → '3.45 nM'."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g} M"
    # Round to the requested significant digits first, so 9.9996e-10 becomes "1 nM", not "1e+03 pM".
    x = float(f"{x:.{digits}g}")
    for scale, unit in ((1.0, "M"), (1e-3, "mM"), (1e-6, "µM"), (1e-9, "nM"), (1e-12, "pM")):
        if abs(x) >= scale * (1 - 1e-12):
            return f"{x / scale:.{digits}g} {unit}"
    return f"{x / 1e-15:.{digits}g} fM"
