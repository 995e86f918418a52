"""Units of the logistic engine's inputs: the concentration unit of x and the concentration
constants of the Fit-Ki model, checked through pint (:mod:`neuromoa.units`, imported only
when a unit has to be checked or converted)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

from neuromoa.errors import ParameterError, UnitError

__all__ = ["UNIT_COLUMN", "concentration_constants", "molar_factor", "unit_from_column"]

#: A concentration column with its unit in the name: ``concentration_nM``, ``conc_M``,
#: ``concentration (uM)``, ``concentration[nM]`` (the CSV reader's rule, plus ``conc``).
UNIT_COLUMN = re.compile(r"^(?:concentration|conc)[_\s\[(]+([^\])]+)[\])]?$", re.IGNORECASE)


#: Decimal exponents of the SI prefixes of the common molar units, read without loading pint
#: (BIPM, The International System of Units, 9th ed., 2019, Table 7; "u", "µ" and "μ" all
#: mean micro). Every other spelling goes through pint.
_PREFIX_EXP = {"": 0, "m": -3, "u": -6, "\u00b5": -6, "\u03bc": -6, "n": -9, "p": -12,
               "f": -15}
_PLAIN_MOLAR = re.compile("^([mun\u00b5\u03bcpf]?)M$")


@lru_cache(maxsize=64)
def molar_factor(unit: str, target: str, what: str = "unit") -> float:
    """Factor taking a value in ``unit`` to ``target``; both must be molar concentration
    units (mol/volume), else :class:`~neuromoa.errors.UnitError` naming ``what``.

    ``M``, ``mM``, ``uM``/``µM``, ``nM``, ``pM``, ``fM`` are read directly (so that fitting a
    CSV does not load pint's registry); everything else through pint.

    >>> molar_factor("nM", "M"), molar_factor("uM", "nM"), molar_factor("mol/L", "mM")
    (1e-09, 1000.0, 1000.0)
    """
    a, b = _PLAIN_MOLAR.match(unit.strip()), _PLAIN_MOLAR.match(target.strip())
    if a and b:
        return float(f"1e{_PREFIX_EXP[a.group(1)] - _PREFIX_EXP[b.group(1)]}")
    from neuromoa.units import parse_quantity

    for u in (unit, target):
        q = parse_quantity(f"1 {u}", what)
        if not q.check("[substance]/[length]**3"):
            raise UnitError(f"{what}: {u!r} is not a molar concentration unit (e.g. nM, uM, M).")
    return float(parse_quantity(f"1 {unit}", what).to(target).magnitude)


def unit_from_column(name: str) -> str | None:
    """The unit in a column name such as ``concentration_nM`` (None if it has none)."""
    m = UNIT_COLUMN.match(str(name).strip())
    return m.group(1).strip() if m else None


def concentration_constants(kwargs: dict[str, Any], used: str,
                            keys: tuple[str, ...] = ("radioligand", "kd")) -> dict[str, Any]:
    """Model keyword arguments with the concentration constants ``keys`` as floats in the
    data's unit ``used``.

    Each is a pint quantity or a string with a unit (``kd="0.5 nM"``), or a float under its
    name with the unit as suffix (``kd_nM=0.5``, ``kd_M=5e-10``). A bare float (``kd=0.5``)
    is an error naming the constant: never a guessed unit.
    """
    out = {k: v for k, v in kwargs.items() if not any(k.startswith(f"{c}_") for c in keys)}
    for key in keys:
        suffixed = [k for k in kwargs if k.startswith(f"{key}_")]
        if len(suffixed) + (key in kwargs and kwargs[key] is not None) > 1:
            raise ParameterError(f"give '{key}' once (got {[key, *suffixed]}).")
        if suffixed:
            k = suffixed[0]
            try:
                val = float(kwargs[k])
            except (TypeError, ValueError):
                raise ParameterError(f"{k} must be a number; got {kwargs[k]!r}.") from None
            out[key] = val * molar_factor(k[len(key) + 1:], used, k)
            continue
        v = kwargs.get(key)
        if v is None:
            continue
        if isinstance(v, bool | int | float | np.number):
            raise UnitError(f"{key}={v!r} has no unit; write it with one ({key}='{v} nM') or "
                            f"pass {key}_{used}={v!r} (in the data's unit, {used}).")
        from neuromoa.units import parse_quantity

        q = parse_quantity(v, key)
        out[key] = float(q.magnitude) * molar_factor(f"{q.units:~}", used, key)
    return out
