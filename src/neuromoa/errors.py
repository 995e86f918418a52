"""The neuromoa exception tree and the one place where parameters are checked.

Every error subclasses :class:`NeuromoaError` *and* the builtin a user would catch
(``ValueError``, ``KeyError``, ``RuntimeError``), so ``except ValueError`` keeps working.
Messages say what was wrong, where (file, row, well, sweep, parameter) and what to do.
Recoverable numerical trouble is a warning (:class:`NeuromoaWarning`), never silence.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = [
    "ConvergenceWarning",
    "DataFileError",
    "InputError",
    "MissingExtraError",
    "NeuromoaError",
    "NeuromoaWarning",
    "OutputError",
    "ParameterError",
    "ProtocolError",
    "ResourceError",
    "SolverError",
    "UnitError",
    "UnknownCompoundError",
    "UnknownTargetError",
    "check_number",
    "check_resources",
    "did_you_mean",
    "missing_extra",
    "require_extra",
]


class NeuromoaError(Exception):
    """Base class of every error neuromoa raises on purpose."""


class InputError(NeuromoaError, ValueError):
    """A value given by the user is not acceptable (the message says which and why)."""


class ParameterError(InputError):
    """A named parameter is outside its allowed range or of the wrong type."""


class UnitError(InputError):
    """A quantity has no unit, the wrong dimension, or a unit that cannot be parsed."""


class ProtocolError(InputError):
    """An experimental protocol (voltage steps, plate layout, regimen) is not valid."""


class DataFileError(InputError):
    """A data file (shipped or the user's) is malformed; names file, row and field."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        where = []
        if file is not None:
            where.append(f"{file}")
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        self.file, self.row, self.field = file, row, field
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ResourceError(InputError):
    """A request would need more memory or time than allowed; raised before anything is allocated."""


class OutputError(NeuromoaError, OSError):
    """An output path cannot be written safely (a file, read-only, a user's folder, locked)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _KeyLookupError(NeuromoaError, KeyError):
    """KeyError whose str() is the plain message (KeyError would add quotes)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownCompoundError(_KeyLookupError):
    """No compound of that name or synonym in the knowledge base."""


class UnknownTargetError(_KeyLookupError):
    """No target of that id or gene symbol in the knowledge base."""


class SolverError(NeuromoaError, RuntimeError):
    """A numerical engine failed in a way that cannot be reported as a per-item status."""


class MissingExtraError(NeuromoaError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install`` to run."""


#: Optional engines -> the extra of pyproject.toml that installs them (DESIGN.md, Optional extras).
EXTRAS: dict[str, str] = {
    "roadrunner": "systems", "antimony": "systems", "libsbml": "systems",
    "matplotlib": "report", "jinja2": "report", "grandalf": "report", "libsbgnpy": "report",
    "pyabf": "ephys", "pyarrow": "population",
    "SALib": "sensitivity",
}


def missing_extra(exc: BaseException) -> MissingExtraError | None:
    """The one-line :class:`MissingExtraError` for an ImportError of an optional engine, else None.

    Examples
    --------
    >>> str(missing_extra(ModuleNotFoundError("No module named 'roadrunner'", name="roadrunner")))
    "'roadrunner' is not installed (optional extra); run: pip install 'neuromoa[systems]'"
    """
    if isinstance(exc, MissingExtraError):
        return exc
    name = (getattr(exc, "name", None) or "").partition(".")[0]
    if not isinstance(exc, ImportError) or name not in EXTRAS:
        return None
    return MissingExtraError(f"{name!r} is not installed (optional extra); run: "
                             f"pip install 'neuromoa[{EXTRAS[name]}]'")


def require_extra(module: str):
    """Import and return the optional engine ``module``, or raise :class:`MissingExtraError`."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        err = missing_extra(exc)
        if err is None:
            raise
        raise err from exc


class NeuromoaWarning(UserWarning):
    """Recoverable numerical or scientific trouble the user should know about."""


class ConvergenceWarning(NeuromoaWarning):
    """An iterative method stopped before meeting its tolerance."""


def did_you_mean(word: str, choices: object) -> str:
    """`` Did you mean 'X'?`` for the closest choices (difflib, case-insensitive), or "".

    >>> did_you_mean("SER", ["SERT", "NET", "H1"])
    " Did you mean 'SERT'?"
    >>> did_you_mean("xyz", ["SERT"])
    ''
    """
    import difflib

    names = [str(c) for c in choices]  # type: ignore[attr-defined]
    lowered: dict[str, str] = {}
    for c in names:
        lowered.setdefault(c.lower(), c)
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=3, cutoff=0.6)
    picks = list(dict.fromkeys(lowered[c] for c in close))
    return f" Did you mean {' or '.join(repr(c) for c in picks)}?" if picks else ""


def check_number(value: object, name: str, owner: str, *, low: float = -math.inf,
                 high: float = math.inf, low_open: bool = False,
                 high_open: bool = False) -> float:
    """Return ``value`` as a float, or raise :class:`ParameterError` in the one message format.

    Examples
    --------
    >>> check_number(2, "kd", "cheng_prusoff", low=0, low_open=True)
    2.0
    >>> check_number(-1, "kd", "cheng_prusoff", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    neuromoa.errors.ParameterError: The 'kd' parameter of cheng_prusoff must be a float in (0, inf). Got -1.
    """
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    interval = f"{left}{_fmt(low)}, {_fmt(high)}{right}"
    msg = f"The '{name}' parameter of {owner} must be a float in {interval}. Got {value!r}."
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ParameterError(msg)
    x = float(value)
    if math.isnan(x):
        raise ParameterError(msg)
    too_low = x <= low if low_open else x < low
    too_high = x >= high if high_open else x > high
    if too_low or too_high:
        raise ParameterError(msg)
    return x


#: Largest working memory one request may ask for (bytes). Assumption: a laptop with 8 GiB
#: shares memory with other programs; 2 GiB keeps every default run far below it.
MAX_WORK_BYTES = 2 * 1024**3


def check_resources(what: str, n_values: float, *, bytes_each: float = 8.0,
                    limit_bytes: float = MAX_WORK_BYTES, hint: str = "") -> None:
    """Raise :class:`ResourceError` when ``n_values`` numbers of ``bytes_each`` exceed the budget.

    Called *before* allocating, so the message can say what the request would need.

    >>> check_resources("exposure course", 1000)
    >>> check_resources("exposure course", 1e12)
    Traceback (most recent call last):
    ...
    neuromoa.errors.ResourceError: exposure course would need 7.28 TiB of memory (1e+12 values); the limit is 2 GiB.
    """
    need = float(n_values) * bytes_each
    if not math.isfinite(need) or need > limit_bytes:
        msg = (f"{what} would need {format_bytes(need)} of memory ({float(n_values):.3g} values); "
               f"the limit is {format_bytes(limit_bytes)}.")
        raise ResourceError(msg + (f" {hint}" if hint else ""))


def format_bytes(n: float) -> str:
    """'7.3 TiB', '512 MiB', 'inf B'."""
    if not math.isfinite(n):
        return "inf B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"  # pragma: no cover


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"
