"""Plain text of values for user-facing messages (no numpy reprs such as ``np.int64(-1)``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["jsonable", "plain"]


def plain(value: Any) -> str:
    """Show ``value`` as a user would type it: numbers bare (``-1``, ``0.5``), text quoted
    (``'abc'``), numpy scalars and tuples/lists of them unwrapped.

    Examples
    --------
    >>> plain(np.int64(-1)), plain(np.float64(2.5)), plain("abc"), plain((np.float64(1), 0))
    ('-1', '2.5', "'abc'", '(1.0, 0)')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, tuple | list):
        inner = ", ".join(plain(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def jsonable(v: Any) -> Any:
    """A JSON-native value: numpy scalars unwrapped, other objects as their text."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)
