"""Units at the edges: the one quantity parser, the one pint registry, SI floats inside.

Public functions accept quantities or strings ("3.45 nM", "0.26 µM", "150 ng/mL" with a
molecular weight, "pKi 7.18", "50 mg", "24 h", "24 hrs", "-80 mV", "10 mg/kg") and convert
**once**; inside the package every number is a float in a canonical unit:

=================  ==========  ======================
field kind         canonical   converter
=================  ==========  ======================
concentration      mol/L (M)   :func:`as_molar`
time               s           :func:`as_seconds` (:func:`as_hours`)
voltage            V           :func:`as_volts`
current            A           :func:`as_amperes`
mass (dose)        g           :func:`as_grams`
body mass          kg          :func:`as_body_kg`
any kind below     its SI      :func:`to_canonical`
=================  ==========  ======================

The parser (:func:`parse_quantity`) is strict on purpose:

* a **whitelist of spellings per field kind** (:data:`KINDS`): "hrs", "hr", "h", "µM", "uM",
  "mg/kg" are listed explicitly; nothing else reaches pint, so nothing is ever *evaluated*
  ("3 nM/0", "1 nM**0.5", "1 nM*10**9", parentheses: all one-line :class:`UnitError`);
* SI prefixes are **case-sensitive** ("Mg" would be megagrams, "MM" megamolar): a spelling that
  only differs in case, or is one letter away, gets a "did you mean" and is never guessed
  ("150 Mg" and "150 gr" are errors, not tonnes or grains);
* the **whole string** is consumed ("1 nM!", "24 h<" are errors);
* the value is **finite and inside the kind's declared range** (:data:`KINDS`, overridable);
* every message is one line starting with the field's name.

The conversion factors come from pint (one registry, :data:`ureg`, made on first use); the
whitelist only chooses *which* spellings a field admits.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from numbers import Real
from typing import Any

from neuromoa.errors import UnitError

__all__ = [
    "KINDS",
    "Q_",  # noqa: F822 - made on first use by __getattr__
    "SIFactorTable",
    "UnitKind",
    "as_amperes",
    "as_body_kg",
    "as_grams",
    "as_hours",
    "as_molar",
    "as_seconds",
    "as_volts",
    "format_molar",
    "kind_of_unit",
    "parse_quantity",
    "si_factor",
    "si_factors",
    "split_quantity",
    "to_canonical",
    "ureg",  # noqa: F822 - made on first use by __getattr__
]

#: Longest quantity string read (characters); longer input is an error, never parsed.
MAX_QUANTITY_CHARS = 64
#: Range of a p-value ("pKi 7.18" = 10^-7.18 M). Assumption: -log10 of 100 M (above any
#: solubility) to -log10 of 1e-20 M (far below any measurable affinity).
P_VALUE_RANGE = (-2.0, 20.0)
#: Highest concentration admitted (mol/L). Assumption: no solution is above 100 M (pure water
#: is 55.5 M), so a larger value is a unit slip.
MAX_MOLAR = 100.0
#: Longest duration admitted (s): 100 years. Assumption: no regimen or recording is longer.
MAX_SECONDS = 100 * 365.25 * 86400.0
#: Largest single dose admitted (g). Assumption: no dose is above 10 kg (the label check warns
#: far below, at the maximum daily dose); a larger value is a unit slip.
MAX_GRAMS = 1.0e4
#: Largest body mass admitted (kg). Assumption: no patient weighs more than 1,000 kg; a larger
#: value is a unit slip (the exposure layer checks the narrower adult range itself).
MAX_BODY_KG = 1.0e3
#: Largest |voltage| (V). Assumption: membrane and command potentials stay within ±1 V.
MAX_VOLTS = 1.0
#: Largest |current| (A). Assumption: whole-cell and tissue currents stay within ±1 A.
MAX_AMPERES = 1.0

# SI prefixes as written (micro as "u"; "µ"/"μ" are mapped to it before lookup) and pint's.
_PREFIX = {"": "", "k": "kilo", "m": "milli", "u": "micro", "n": "nano", "p": "pico",
           "f": "femto", "M": "mega", "G": "giga", "d": "deci"}


def _prefixed(symbols: Iterable[str], base_written: str, base_pint: str) -> dict[str, str]:
    return {f"{p}{base_written}": f"{_PREFIX[p]}{base_pint}" for p in symbols}


@dataclass(frozen=True)
class UnitKind:
    """The spellings one kind of field admits, its canonical unit and its range (canonical)."""

    name: str
    canonical: str
    spellings: Mapping[str, str]  # written spelling -> pint expression
    low: float = -math.inf
    high: float = math.inf
    example: str = ""
    #: Spellings matched without regard to case (whole words with no prefix, e.g. "Hours").
    words: frozenset[str] = frozenset()

    def accepted(self) -> str:
        """A short list of accepted spellings for messages."""
        return ", ".join(list(self.spellings)[:12]) + (", …" if len(self.spellings) > 12 else "")


_TIME_WORDS = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "ms": "millisecond", "us": "microsecond", "ns": "nanosecond",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day", "wk": "week", "week": "week", "weeks": "week",
}

_MOLAR = {**_prefixed(("", "m", "u", "n", "p", "f"), "M", "molar"),
          **{f"{p}mol/{v}": f"{_PREFIX[p]}mole/{_PREFIX[q]}liter"
             for p in ("", "m", "u", "n", "p", "f") for v, q in (("L", ""), ("mL", "m"),
                                                                  ("l", ""), ("ml", "m"))}}
_MASS_CONC = {f"{p}g/{v}": f"{_PREFIX[p]}gram/{_PREFIX[q]}liter"
              for p in ("", "m", "u", "n", "p") for v, q in (("L", ""), ("dL", "d"), ("mL", "m"),
                                                              ("uL", "u"), ("l", ""), ("ml", "m"))}

#: Every field kind: canonical unit, admitted spellings (→ pint), declared range (canonical).
KINDS: dict[str, UnitKind] = {k.name: k for k in (
    UnitKind("concentration", "M", _MOLAR, 0.0, MAX_MOLAR, "nM"),
    UnitKind("mass_concentration", "g/L", _MASS_CONC, 0.0, math.inf, "ng/mL"),
    UnitKind("time", "s", _TIME_WORDS, 0.0, MAX_SECONDS, "h",
             frozenset(w for w in _TIME_WORDS if len(w) > 2)),
    UnitKind("mass", "g", _prefixed(("k", "", "m", "u", "n"), "g", "gram"), 0.0, MAX_GRAMS, "mg"),
    UnitKind("body_mass", "kg", {"kg": "kilogram", "g": "gram", "lb": "pound"}, 0.0,
             MAX_BODY_KG, "kg"),
    UnitKind("dose_per_weight", "mg/kg",
             {f"{p}g/kg": f"{_PREFIX[p]}gram/kilogram" for p in ("", "m", "u")}, 0.0,
             math.inf, "mg/kg"),
    UnitKind("voltage", "V", _prefixed(("", "m", "u"), "V", "volt"), -MAX_VOLTS, MAX_VOLTS,
             "mV"),
    UnitKind("current", "A", _prefixed(("", "m", "u", "n", "p", "f"), "A", "ampere"),
             -MAX_AMPERES, MAX_AMPERES, "pA"),
    UnitKind("conductance", "S", _prefixed(("", "m", "u", "n", "p"), "S", "siemens"), 0.0,
             math.inf, "nS"),
    UnitKind("resistance", "ohm", {**_prefixed(("", "k", "M", "G"), "Ohm", "ohm"),
                                   **_prefixed(("", "k", "M", "G"), "ohm", "ohm"),
                                   **_prefixed(("", "k", "M", "G"), "Ω", "ohm")},
             0.0, math.inf, "MOhm"),
    UnitKind("capacitance", "F", _prefixed(("", "u", "n", "p"), "F", "farad"), 0.0, math.inf,
             "pF"),
    UnitKind("frequency", "Hz", _prefixed(("", "k", "M"), "Hz", "hertz"), 0.0, math.inf, "kHz"),
    UnitKind("volume", "L", {**_prefixed(("", "d", "m", "u", "n"), "L", "liter"),
                             **_prefixed(("", "m", "u"), "l", "liter")}, 0.0, math.inf, "mL"),
    UnitKind("rate", "1/s", {"1/s": "1/second", "1/ms": "1/millisecond", "1/min": "1/minute",
                             "1/h": "1/hour", "/s": "1/second", "/h": "1/hour"},
             0.0, math.inf, "1/s"),
    UnitKind("second_order_rate", "1/(M*s)",
             {f"1/({p}M*s)": f"1/({_PREFIX[p]}molar*second)" for p in ("", "m", "u", "n")},
             0.0, math.inf, "1/(uM*s)"),
    UnitKind("inverse_voltage", "1/V", {"1/V": "1/volt", "1/mV": "1/millivolt"},
             example="1/mV"),
    UnitKind("dimensionless", "dimensionless", {"1": "dimensionless",
                                                "dimensionless": "dimensionless"},
             example="1"),
)}

_MICRO = re.compile("[\u00b5\u03bc]")  # micro sign and Greek small mu both mean micro
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_UNIT = re.compile(rf"^({_NUMBER})\s*(.*)$", re.DOTALL)
_PFORM = re.compile(rf"^p(Ki|Kd|KB|IC50|EC50|A2)\s*=?\s*({_NUMBER})$", re.IGNORECASE)
_SPACES_AROUND_SLASH = re.compile(r"\s*/\s*")


# ------------------------------------------------------------------------- pint registry

def _import_pint():  # noqa: ANN202 - the pint module
    """``import pint`` without importing dask. When dask is installed (``neuromoa[scaleout]``)
    ``pint.compat`` imports ``dask.base`` -- the whole dask package, with its config, YAML and
    jinja2, ~0.2 s -- only to support dask arrays of quantities, which neuromoa never makes.
    While pint is imported, ``dask`` and ``dask.base`` are stand-ins whose ``compute``,
    ``persist`` and ``visualize`` import the real ``dask.base`` when called; afterwards
    ``import dask`` is the real package."""
    import sys

    if "pint" in sys.modules or "dask" in sys.modules:
        import pint

        return pint
    import importlib
    import importlib.util
    import types

    if importlib.util.find_spec("dask") is None:
        import pint

        return pint

    def forward(name: str):  # noqa: ANN202
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module("dask.base"), name)(*args, **kwargs)

        call.__name__ = name
        return call

    stand_in = types.ModuleType("dask")
    stand_in.__spec__ = importlib.machinery.ModuleSpec("dask", None, is_package=True)
    stand_in.__path__ = []
    base = types.ModuleType("dask.base")
    base.__spec__ = importlib.machinery.ModuleSpec("dask.base", None)
    for name in ("compute", "persist", "visualize"):
        setattr(base, name, forward(name))
    stand_in.base = base
    sys.modules["dask"], sys.modules["dask.base"] = stand_in, base
    try:
        import pint
    finally:
        for key, module in (("dask.base", base), ("dask", stand_in)):
            if sys.modules.get(key) is module:
                del sys.modules[key]
    return pint


@lru_cache(maxsize=1)
def _registry():  # noqa: ANN202 - pint imported lazily (0.5 s)
    pint = _import_pint()

    try:  # pint's definition cache makes the registry ~10x faster to build on later runs
        return pint.UnitRegistry(cache_folder=":auto:")
    except OSError:  # pragma: no cover - unwritable cache folder
        return pint.UnitRegistry()


def __getattr__(name: str) -> Any:
    """``ureg`` and ``Q_`` are made on first use (creating pint's registry takes ~0.5 s)."""
    if name == "ureg":
        return _registry()
    if name == "Q_":
        return _registry().Quantity
    raise AttributeError(f"module 'neuromoa.units' has no attribute {name!r}")


@cache
def si_factor(unit: str, kind: str | None = None) -> float:
    """Factor taking a value written in the whitelisted ``unit`` to its kind's canonical unit.

    The factor comes from pint; ``kind`` limits the search (default: every kind).

    >>> si_factor("hrs", "time")
    3600.0
    >>> si_factor("uM")
    1e-06
    """
    k = _lookup(unit, kind, f"unit {unit!r}")
    expr = k.spellings[_canonical_spelling(unit, k)]
    q = _registry().Quantity(1.0, expr).to(_registry().parse_units(k.canonical)
                                            if k.canonical != "dimensionless" else "")
    return float(f"{float(q.magnitude):.15g}")  # decimal factors: drop the binary noise


def si_factors(kinds: Iterable[str]) -> SIFactorTable:
    """``{spelling: factor to canonical}`` for every spelling of ``kinds``, from pint.

    A read-only mapping whose factors are computed on first use (no pint at import time).
    """
    return SIFactorTable(tuple(kinds))


class SIFactorTable(Mapping[str, float]):
    """Read-only ``{spelling: factor to canonical unit}`` over some kinds (factors from pint)."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self._keys = {s: k for k in kinds for s in KINDS[k].spellings}

    def __getitem__(self, unit: str) -> float:
        u = _normalise_unit(unit) if isinstance(unit, str) else unit
        if u not in self._keys:
            raise KeyError(unit)
        return si_factor(u, self._keys[u])

    def __contains__(self, unit: object) -> bool:
        return isinstance(unit, str) and _normalise_unit(unit) in self._keys

    def __iter__(self):  # noqa: ANN204
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def kind_of_unit(unit: str) -> str | None:
    """The kind whose whitelist holds ``unit`` (after normalising µ and spaces), or None."""
    u = _normalise_unit(unit)
    for k in KINDS.values():
        if u in k.spellings or u.lower() in k.words:
            return k.name
    return None


def _normalise_unit(unit: str) -> str:
    u = _MICRO.sub("u", unit.strip())
    return _SPACES_AROUND_SLASH.sub("/", u)


def _canonical_spelling(unit: str, k: UnitKind) -> str:
    u = _normalise_unit(unit)
    if u in k.spellings:
        return u
    return u.lower()


def _lookup(unit: str, kinds: str | Iterable[str] | None, what: str) -> UnitKind:
    """The kind (among ``kinds``) that admits ``unit``; else a one-line "did you mean" error."""
    names = (list(KINDS) if kinds is None else [kinds] if isinstance(kinds, str)
             else list(kinds))
    u = _normalise_unit(unit)
    for n in names:
        k = KINDS[n]
        if u in k.spellings or u.lower() in k.words:
            return k
    allowed = [s for n in names for s in KINDS[n].spellings]
    label = " or ".join(n.replace("_", " ") for n in names) if kinds is not None else "quantity"
    same_case = [s for s in allowed if s.lower() == u.lower()]
    close = same_case or difflib.get_close_matches(u, allowed, n=3, cutoff=0.6)
    other = kind_of_unit(u) if kinds is not None else None
    shown = u if len(u) <= 20 else u[:20] + "…"
    if other is not None:
        msg = f"{what}: {shown!r} is a {other.replace('_', ' ')} unit, not a {label} unit"
    else:
        msg = f"{what}: unknown {label} unit {shown!r}"
    if close:
        msg += f"; did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        msg += f" (accepted: {', '.join(allowed[:12])}{', …' if len(allowed) > 12 else ''})."
    if same_case and not msg.endswith("."):
        msg += " SI prefixes are case-sensitive (M = mega, m = milli)."
    raise UnitError(msg)


# ------------------------------------------------------------------------------ parsing

def split_quantity(value: object, what: str = "value", example_unit: str = "nM"
                   ) -> tuple[float, str]:
    """Split ``"3.45 nM"`` into ``(3.45, "nM")`` with the strict grammar (number, then unit).

    The number must be finite; the unit is returned normalised (µ → u, no spaces around "/")
    but not yet checked against a whitelist. Raises :class:`UnitError` naming ``what``.
    """
    if isinstance(value, bool) or isinstance(value, Real):
        raise UnitError(f"{what}: {value!r} has no unit; write it with one, e.g. "
                        f"'{value} {example_unit}'.")
    if not isinstance(value, str):
        raise UnitError(f"{what}: expected a quantity such as '1 {example_unit}', "
                        f"got {type(value).__name__}.")
    text = value.strip()
    if len(text) > MAX_QUANTITY_CHARS:
        raise UnitError(f"{what}: {len(text)} characters is too long for a quantity "
                        f"(at most {MAX_QUANTITY_CHARS}), e.g. '1 {example_unit}'.")
    m = _NUM_UNIT.match(text)
    if m is None:
        raise UnitError(f"{what}: cannot read {value!r} as a number with a unit "
                        f"(e.g. '1 {example_unit}').")
    number, unit = m.group(1), m.group(2).strip()
    if not unit:
        raise UnitError(f"{what}: {value!r} has no unit; write it with one, e.g. "
                        f"'{number} {example_unit}'.")
    x = float(number)
    if not math.isfinite(x):
        raise UnitError(f"{what}: {value!r} is not a finite number.")
    return x, _normalise_unit(unit)


def parse_quantity(value: object, what: str = "value", example_unit: str = "nM", *,
                   kind: str | Iterable[str] | None = None) -> Any:
    """Parse ``value`` (a pint Quantity or a string like "3.45 nM") into a pint Quantity.

    ``kind`` (a key of :data:`KINDS`, or several) restricts the admitted spellings; default
    every kind. Raises :class:`UnitError` naming ``what`` when the value has no unit, is not
    finite, or its unit is not admitted (with a "did you mean" for case and typing slips).
    Nothing in the string is evaluated: only whitelisted spellings reach pint.
    """
    Q = _registry().Quantity
    if _is_quantity(value):
        mag = value.magnitude
        if not (isinstance(mag, Real) and math.isfinite(float(mag))):
            raise UnitError(f"{what}: {value!r} is not one finite number.")
        return Q(float(mag), value.units)
    x, unit = split_quantity(value, what, example_unit)
    k = _lookup(unit, kind, what)
    return Q(x, k.spellings[_canonical_spelling(unit, k)])


def _is_quantity(value: object) -> bool:
    return type(value).__name__ == "Quantity" and hasattr(value, "magnitude") \
        and hasattr(value, "units")


def to_canonical(value: object, kind: str | Iterable[str], what: str = "value", *,
                 low: float | None = None, high: float | None = None,
                 low_open: bool = False) -> float:
    """Read ``value`` as one of ``kind`` and return it in the kind's canonical unit.

    The result must be finite and in ``[low, high]`` (default: the kind's declared range;
    ``low_open`` excludes ``low``). A pint Quantity of the right dimension is accepted too.

    >>> to_canonical("24 hrs", "time") / 3600
    24.0
    >>> to_canonical("10 mg/kg", "dose_per_weight")
    10.0
    """
    names = [kind] if isinstance(kind, str) else list(kind)
    first = KINDS[names[0]]
    if _is_quantity(value):
        q = parse_quantity(value, what)
        k = next((KINDS[n] for n in names
                  if q.check(_registry().Quantity(1.0, KINDS[n].canonical
                                                  if KINDS[n].canonical != "dimensionless"
                                                  else "").dimensionality)), None)
        if k is None:
            raise UnitError(f"{what}: {value!r} is not a {first.name.replace('_', ' ')}.")
        x = float(q.to(k.canonical if k.canonical != "dimensionless" else "").magnitude)
    else:
        num, unit = split_quantity(value, what, first.example)
        k = _lookup(unit, names, what)
        x = num * si_factor(_canonical_spelling(unit, k), k.name)
    lo = k.low if low is None else low
    hi = k.high if high is None else high
    if not math.isfinite(x) or x < lo or x > hi or (low_open and x == lo):
        label = k.name.replace("_", " ")
        if lo == 0 and x <= 0:
            need = "positive" if low_open else "zero or positive"
            raise UnitError(f"{what}: {value!r} must be {need} (a {label}).")
        left = "(" if low_open else "["
        raise UnitError(f"{what}: {value!r} is outside the accepted range "
                        f"{left}{lo:g}, {hi:g}] {k.canonical} for a {label}; check the unit.")
    return x


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
        pm = _PFORM.match(value.strip())
        if pm is not None:
            p = float(pm.group(2))
            if not (P_VALUE_RANGE[0] <= p <= P_VALUE_RANGE[1]):
                raise UnitError(f"{what}: {value!r} is outside the accepted p-value range "
                                f"[{P_VALUE_RANGE[0]:g}, {P_VALUE_RANGE[1]:g}].")
            return 10.0 ** (-p)
    x = to_canonical(value, ("concentration", "mass_concentration"), what, low=0.0,
                     low_open=not allow_zero, high=math.inf)
    if _is_mass_concentration(value):
        if mw is None:
            raise UnitError(f"{what}: {value!r} is a mass concentration; a molecular weight is "
                            "needed to convert it to molar (give the compound).")
        x = x / mw
    if x > MAX_MOLAR:
        raise UnitError(f"{what}: {value!r} is above {MAX_MOLAR:g} M, more than any solution "
                        "holds; check the unit prefix.")
    return x


def _is_mass_concentration(value: object) -> bool:
    if _is_quantity(value):
        return bool(value.check("[mass]/[length]**3"))
    _, unit = split_quantity(value)
    return kind_of_unit(unit) == "mass_concentration"


def as_seconds(value: object, what: str = "time") -> float:
    """Convert a duration to seconds ("24 h", "15 min", "200 ms")."""
    return to_canonical(value, "time", what)


def as_hours(value: object, what: str = "time") -> float:
    """Convert a duration to hours ("24h", "24 hrs", "1 day").

    >>> as_hours("24 hrs")
    24.0
    """
    return to_canonical(value, "time", what) / 3600.0


def as_volts(value: object, what: str = "voltage") -> float:
    """Convert a potential to volts ("-80 mV" → -0.08)."""
    return to_canonical(value, "voltage", what)


def as_amperes(value: object, what: str = "current") -> float:
    """Convert a current to amperes ("100 pA" → 1e-10)."""
    return to_canonical(value, "current", what)


def as_body_kg(value: object, what: str = "weight") -> float:
    """Convert a body mass to kilograms ("55 kg" → 55.0, "121 lb" → 54.9); must be positive."""
    return to_canonical(value, "body_mass", what, low=0.0, low_open=True)


def as_grams(value: object, what: str = "dose") -> float:
    """Convert a mass (a dose) to grams ("150 mg" → 0.15); must be positive."""
    return to_canonical(value, "mass", what, low=0.0, low_open=True)


def format_molar(x: float, digits: int = 3) -> str:
    """Format a molar float in the most readable unit: 3.45e-9 → '3.45 nM'."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g} M"
    # Round to the requested significant digits first, so 9.9996e-10 becomes "1 nM", not "1e+03 pM".
    x = float(f"{x:.{digits}g}")
    for unit in ("M", "mM", "uM", "nM", "pM"):
        scale = si_factor(unit, "concentration")
        if abs(x) >= scale * (1 - 1e-12):
            return f"{x / scale:.{digits}g} {unit.replace('u', 'µ')}"
    return f"{x / si_factor('fM', 'concentration'):.{digits}g} fM"
