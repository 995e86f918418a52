"""Every number the report prints carries where it came from.

Numbers are rendered through :class:`Provenance` helpers that wrap them in
``<span class="num" data-source="...">``. A source is one of

- ``ref:<id>`` — a knowledge-base row with reference ``<id>``; the References list of the report
  has an element ``id="ref-<id>"``;
- ``calc:<step>`` — a computation named in Methods, which has an element ``id="calc-<step>"``;
- ``input:<name>`` — an input of the report (dose, seed, …), listed in Methods with
  ``id="input-<name>"``.

A value with several sources lists them separated by spaces (``"ref:doc9 ref:doc10"``).

The test suite parses the HTML and checks that every numeric token of sections 1–2 sits inside an
element with a ``data-source`` and that every source resolves to an element of the page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from markupsafe import Markup, escape

from neuromoa.pathways.build import format_molar_range
from neuromoa.units import format_molar

__all__ = ["Provenance", "SOURCE_PREFIXES", "source_anchor"]

#: Allowed source kinds and the id prefix of the element each resolves to.
SOURCE_PREFIXES: dict[str, str] = {"ref": "ref-", "calc": "calc-", "input": "input-"}

_MISSING = "—"
# Ratios at or above this print as whole numbers ("21,200-fold" rather than "2.12e+04-fold").
_WHOLE_FOLD = 100.0
# Positive fractions below this print as "<0.01" (two decimals would show a misleading 0.00).
_SMALLEST_FRACTION_SHOWN = 0.005



def source_anchor(source: str) -> str:
    """The element id a ``data-source`` value resolves to: ``"ref:doc8"`` → ``"ref-doc8"``."""
    kind, _, key = source.partition(":")
    if kind not in SOURCE_PREFIXES or not key:
        raise ValueError(f"data source {source!r} must be one of "
                         f"{', '.join(k + ':<id>' for k in SOURCE_PREFIXES)}")
    return SOURCE_PREFIXES[kind] + _slug(key)


def _slug(key: str) -> str:
    out = []
    for ch in key:
        out.append(ch if ch.isalnum() or ch in "-_." else "_")
    return "".join(out)


def _finite(value: object) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class Provenance:
    """Render numbers with their source, and remember every source used.

    One instance per report; jinja templates get its methods as globals (``num``, ``conc``,
    ``frac``, ``pct``, ``text``). ``used`` is the set of sources rendered so far.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()

    @staticmethod
    def ref_source(reference: object) -> str:
        """``data-source`` for a kb reference field: "doc9;doc10" → "ref:doc9 ref:doc10"."""
        ids = [r.strip() for r in str(reference or "").replace(",", ";").split(";") if r.strip()]
        if not ids:
            raise ValueError("a knowledge-base value without a reference cannot be shown "
                             "with its source")
        return " ".join(f"ref:{r}" for r in ids)

    def _span(self, shown: str, source: str, title: str = "") -> Markup:
        for one in source.split():
            source_anchor(one)  # validates the form
            self.used.add(one)
        attr_title = f' title="{escape(title)}"' if title else ""
        return Markup('<span class="num" data-source="{}"{}>{}</span>').format(
            source, Markup(attr_title), shown)

    def num(self, value: object, source: str, fmt: str = "{:.3g}", unit: str = "",
            title: str = "") -> Markup:
        """A plain number, ``fmt``-formatted, with an optional unit after it."""
        x = _finite(value)
        if x is None:
            return Markup(_MISSING)
        shown = fmt.format(x) + (f" {unit}" if unit else "")
        return self._span(shown, source, title)

    def conc(self, value_m: object, source: str, digits: int = 3, title: str = "") -> Markup:
        """A molar concentration in its most readable unit (3.45e-9 → "3.45 nM")."""
        x = _finite(value_m)
        if x is None:
            return Markup(_MISSING)
        return self._span(format_molar(x, digits), source, title)

    def conc_range(self, low_m: object, high_m: object, source: str, title: str = "") -> Markup:
        """A concentration range "11–24 nM" (a single value when low == high)."""
        lo, hi = _finite(low_m), _finite(high_m)
        if lo is None or hi is None:
            return self.conc(lo if hi is None else hi, source, title=title)
        if lo == hi:
            return self.conc(lo, source, title=title)
        shown = format_molar_range(lo, hi)
        return self._span(shown, source, title)

    def fold(self, value: object, source: str, title: str = "") -> Markup:
        """A ratio as "N-fold": three significant figures below 100, whole numbers above."""
        x = _finite(value)
        if x is None:
            return Markup(_MISSING)
        shown = f"{x:.3g}" if abs(x) < _WHOLE_FOLD else f"{x:,.0f}"
        return self._span(f"{shown}-fold", source, title)

    def frac(self, value: object, source: str, title: str = "") -> Markup:
        """A fraction in [0, 1] with two decimals (occupancy); "<0.01" for tiny positive values."""
        x = _finite(value)
        if x is not None and 0.0 < x < _SMALLEST_FRACTION_SHOWN:
            return self._span(f"<{_SMALLEST_FRACTION_SHOWN * 2:.2f}", source, title)
        return self.num(value, source, "{:.2f}", title=title)

    def pct(self, value: object, source: str, title: str = "") -> Markup:
        """A fraction shown as a percentage with no decimals."""
        x = _finite(value)
        if x is None:
            return Markup(_MISSING)
        return self._span(f"{100.0 * x:.0f}%", source, title)

    def text(self, value: object, source: str, title: str = "") -> Markup:
        """Verbatim text that contains digits (e.g. the document's "~66.1 (pKi 7.18)")."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return Markup(_MISSING)
        return self._span(escape(str(value)), source, title)

    def refs(self, ids: Iterable[str] | str, numbers: dict[str, int] | None = None) -> Markup:
        """Links to reference ids, each carrying ``ref:<id>``: "[doc8]" or "[3]" with ``numbers``.

        ``ids`` may be one kb reference field ("doc9;doc10").
        """
        if isinstance(ids, str):
            ids = ids.replace(",", ";").split(";")
        parts = []
        for rid in ids:
            rid = str(rid).strip()
            if not rid:
                continue
            shown = str(numbers[rid]) if numbers and rid in numbers else rid
            self.used.add(f"ref:{rid}")
            parts.append(Markup('<a class="ref" href="#{}" data-source="ref:{}">{}</a>').format(
                source_anchor(f"ref:{rid}"), rid, shown))
        if not parts:
            return Markup("")
        return Markup("[") + Markup(", ").join(parts) + Markup("]")
