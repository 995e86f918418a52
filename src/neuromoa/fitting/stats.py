"""Statistics shared by every fit: AICc, the extra-sum-of-squares F test, the t and F
quantiles of the intervals, and :class:`~neuromoa.fitting.results.Comparison` of two fits.

No fitting here (the engines import this module, never the other way round).
"""

from __future__ import annotations

import math

from neuromoa.errors import ParameterError
from neuromoa.fitting.results import Comparison

__all__ = ["aicc", "comparison", "f_quantile", "f_test", "t_quantile"]

#: Significance level at which the F test prefers the more complex model (conventional 5 %).
F_ALPHA = 0.05


def aicc(rss: float, n: int, k: int) -> float:
    """Corrected Akaike information criterion of a least-squares fit.

    ``AICc = n·ln(RSS/n) + 2K + 2K(K+1)/(n−K−1)`` with K = k + 1 (the fitted parameters plus
    the residual variance), as Prism (Motulsky & Christopoulos 2004, ch. 22; Burnham &
    Anderson 2002). NaN when n ≤ K + 1.

    >>> aicc(10.0, 10, 2)  # 10·ln(1) + 2·3 + 2·3·4/(10 − 3 − 1)
    10.0
    """
    kk = k + 1
    if n - kk - 1 <= 0 or not rss > 0:
        return float("nan")
    return n * math.log(rss / n) + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1)


def f_test(rss_simple: float, df_simple: int, rss_complex: float, df_complex: int
           ) -> tuple[float, int, int, float]:
    """Extra-sum-of-squares F test of nested least-squares fits.

    ``F = ((RSS_s − RSS_c)/(df_s − df_c)) / (RSS_c/df_c)``; returns (F, df_num, df_den, p).
    Reference: Motulsky & Christopoulos 2004, ch. 22.
    """
    dn = int(df_simple - df_complex)
    dd = int(df_complex)
    if dn <= 0 or dd <= 0:
        raise ParameterError(f"F test needs df_simple > df_complex > 0; got {df_simple} and "
                             f"{df_complex}.")
    if rss_complex <= 0:
        return float("inf"), dn, dd, 0.0
    f = ((rss_simple - rss_complex) / dn) / (rss_complex / dd)
    from scipy import special  # imported when a test is run (not on the batch-fit path)

    return float(f), dn, dd, float(special.fdtrc(dn, dd, max(f, 0.0)))


def comparison(name_s: str, name_c: str, rss_s: float, df_s: int, k_s: int, rss_c: float,
               df_c: int, k_c: int, n: int) -> Comparison:
    """F test and AICc of a simpler (``_s``) against a more complex (``_c``) fit of n points."""
    f, dn, dd, p = f_test(rss_s, df_s, rss_c, df_c)
    a_s, a_c = aicc(rss_s, n, k_s), aicc(rss_c, n, k_c)
    delta = a_s - a_c
    prob = 1.0 / (1.0 + math.exp(-0.5 * delta)) if math.isfinite(delta) else float("nan")
    pref = name_c if p < F_ALPHA else name_s
    return Comparison(simple=name_s, complex=name_c, f=f, df_num=dn, df_den=dd, p=p,
                      aicc_simple=a_s, aicc_complex=a_c, aicc_delta=delta,
                      prob_simple=1.0 - prob if math.isfinite(prob) else prob, preferred=pref)


def t_quantile(df: int, level: float) -> float:
    """Two-sided ``level`` quantile of Student's t with ``df`` degrees of freedom."""
    from scipy import special

    return float(special.stdtrit(df, 0.5 + level / 2)) if df > 0 else float("nan")


def f_quantile(dfn: int, dfd: int, level: float) -> float:
    """``level`` quantile of F(dfn, dfd)."""
    from scipy import special

    return float(special.fdtri(dfn, dfd, level)) if dfd > 0 else float("nan")
