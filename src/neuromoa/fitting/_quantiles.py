"""The t and F quantiles of the batch fits, from a shipped table (``data/fitting/quantiles.csv``,
tabulated by scipy) so that fitting a CSV does not import :mod:`scipy.special`; degrees of
freedom outside the table, or other levels, are computed by scipy as before (same values:
the table is scipy's output, checked entry by entry in ``tests/fitting/test_quantiles.py``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["f_quantile", "t_quantile"]


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    from neuromoa.data import read_text

    text = read_text("fitting", "quantiles.csv")
    rows = [line.split(",") for line in text.splitlines()[1:] if line]
    return np.array([[float(v) for v in r] for r in rows])


def _lookup(df: np.ndarray, col: int) -> np.ndarray | None:
    tab = _table()
    d = np.asarray(df)
    if d.size == 0:
        return np.empty(0)
    if not (np.all(d == np.floor(d)) and d.min() >= tab[0, 0] and d.max() <= tab[-1, 0]):
        return None
    return tab[(d - tab[0, 0]).astype(np.int64), col]


def t_quantile(df, q: float) -> np.ndarray:
    """``scipy.special.stdtrit(df, q)`` (from the table for q = 0.975, integer df ≤ 1000)."""
    if q == 0.975:
        out = _lookup(df, 1)
        if out is not None:
            return out
    from scipy import special

    return np.asarray(special.stdtrit(df, q), dtype=float)


def f_quantile(dfn: int, df, q: float) -> np.ndarray:
    """``scipy.special.fdtri(dfn, df, q)`` (from the table for q = 0.95, dfn 1–4, df ≤ 1000)."""
    if q == 0.95 and dfn in (1, 2, 3, 4):
        out = _lookup(df, 1 + dfn)
        if out is not None:
            return out
    from scipy import special

    return np.asarray(special.fdtri(dfn, df, q), dtype=float)
