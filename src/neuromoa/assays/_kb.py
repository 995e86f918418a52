"""The knowledge-base values the assays need (Ki of compounds, Km, Kd), with their source text."""

from __future__ import annotations

import math

from neuromoa.errors import ParameterError
from neuromoa.units import as_molar, format_molar

__all__ = ["kb_constant", "kb_ki"]


def _kb():
    from neuromoa.kb import load_kb

    return load_kb()


def kb_ki(compound: str, target: str) -> tuple[float, str]:
    """Ki (mol/L) of ``compound`` at ``target`` from the knowledge base, and a sentence saying which.

    A named constant ``ki_<compound>_<target>`` (the protocols' reference compounds, e.g.
    ``ki_desipramine_net``) is preferred; otherwise the knowledge base's default affinity row,
    whose ``value_M`` is the geometric mean of the reported range.
    """
    kb = _kb()
    name = f"ki_{str(compound).strip().lower()}_{str(target).strip().lower()}"
    if name in set(kb.constant_names):
        return kb_constant(name)
    aff = kb.affinity(compound, target)
    value = float(aff.value_M)
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"The knowledge base has no usable Ki of {compound} at {target}; "
                             "give one with --ki.")
    low, high = getattr(aff, "low_M", value), getattr(aff, "high_M", value)
    rng = (f"geometric mean of {format_molar(low)}–{format_molar(high)}"
           if low and high and not math.isclose(low, high) else "single value")
    ref = getattr(aff, "reference", "") or ""
    measure = getattr(aff, "measure", "Ki") or "Ki"
    return value, (f"knowledge base {measure} of {compound} at {target}: {format_molar(value)} "
                   f"({rng}; {ref})")


def kb_constant(name: str) -> tuple[float, str]:
    """A knowledge-base constant in SI (mol/L for Km, Kd, Ki) and a sentence saying which."""
    c = _kb().constant(name)
    value = float(c.value_si)
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(f"The knowledge-base constant {name!r} is not a positive number.")
    return value, f"knowledge base {name} = {format_molar(value)} ({getattr(c, 'reference', '')})"


def resolve_molar(value: object, what: str) -> float:
    """A user-supplied concentration ("3.45 nM" or a quantity) → mol/L (must be > 0)."""
    return as_molar(value, what=what, allow_zero=False)
