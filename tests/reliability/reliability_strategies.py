"""Shared hypothesis strategies and oracles for the reliability tests and the fuzz benchmark.

The oracle of the quantity parser is written independently of ``neuromoa.units``' lookup code:
a string is accepted iff it is ``<number> <spelling>`` with a spelling listed for the field
kind, and its value is the number times pint's own conversion of that spelling's pint name.
"""

from __future__ import annotations

import math
import re
from functools import cache

from hypothesis import strategies as st

from neuromoa.units import KINDS, ureg

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", re.S)

#: Characters that broke the old parser (expression syntax, junk, look-alikes, unicode).
NASTY = list("()*/^!<>%#=,;:[]{}'\"\\|&~`?@$ \t\n") + ["**", "/0", "e999", "µ", "μ", "Ω",
                                                        "\u200b", "\x00", "１", "٣", "nan",
                                                        "inf", "1e-999999", "**0.5",
                                                        "*10**999999999"]


def oracle(text: str, kind: str) -> float | None:
    """The value ``text`` must give for ``kind`` (canonical unit), or None if it must fail."""
    m = _NUMBER.match(text)
    if m is None or len(text.strip()) > 64:
        return None
    num, unit = m.group(1), m.group(2)
    unit = re.sub(r"\s*/\s*", "/", unit.replace("µ", "u").replace("μ", "u"))
    k = KINDS[kind]
    expr = k.spellings.get(unit)
    if expr is None and unit.lower() in k.words:
        expr = k.spellings[unit.lower()]
    if expr is None:
        return None
    x = float(num)
    if not math.isfinite(x):
        return None
    v = x * _pint_factor(expr, k.canonical)
    if not math.isfinite(v) or v < k.low or v > k.high:
        return None
    return v


@cache
def _pint_factor(expr: str, canonical: str) -> float:
    target = "" if canonical == "dimensionless" else canonical
    return float(ureg.Quantity(1.0, expr).to(target).magnitude)


def numbers() -> st.SearchStrategy[str]:
    """Number texts: integers, decimals, exponents, signs."""
    return st.one_of(
        st.integers(-10**6, 10**6).map(str),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6,
                  max_value=1e6).map(repr),
        st.builds(lambda a, e: f"{a}e{e}", st.integers(0, 999), st.integers(-30, 30)),
    )


def spellings(kind: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(KINDS[kind].spellings))


def quantity_texts(kind: str) -> st.SearchStrategy[str]:
    """Valid-looking and mutated quantity strings for ``kind``."""
    valid = st.builds(lambda n, sp, sep: f"{n}{sep}{sp}", numbers(), spellings(kind),
                      st.sampled_from(["", " ", "  "]))
    other = st.builds(lambda n, sp: f"{n} {sp}", numbers(),
                      st.sampled_from(sorted({s for k in KINDS.values() for s in k.spellings})))
    mutated = st.builds(_mutate, valid, st.sampled_from(NASTY), st.integers(0, 40),
                        st.sampled_from(["insert", "append", "replace", "swapcase", "prefix"]))
    return st.one_of(valid, other, mutated, st.text(max_size=30))


def _mutate(text: str, junk: str, pos: int, how: str) -> str:
    pos = pos % (len(text) + 1)
    if how == "insert":
        return text[:pos] + junk + text[pos:]
    if how == "append":
        return text + junk
    if how == "replace" and text:
        return text[:pos] + junk + text[pos + 1:]
    if how == "swapcase":
        return text.swapcase()
    return junk + text
