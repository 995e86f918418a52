"""Model comparison: the extra-sum-of-squares F test and AICc between nested fits of the same
data (any two :class:`~neuromoa.fitting.results.ModelFit`), and per curve between two settings
of the batch fitter. The statistics themselves are in :mod:`neuromoa.fitting.stats`; the
shared-versus-separate test of a global fit is in :mod:`neuromoa.fitting.globalfit`.
"""

from __future__ import annotations

from typing import Any

from neuromoa.errors import InputError, ParameterError
from neuromoa.fitting.engine import fit_curves
from neuromoa.fitting.results import Comparison, ModelFit
from neuromoa.fitting.stats import aicc, comparison, f_test

__all__ = ["aicc", "compare_fits", "compare_models", "f_test"]


def compare_fits(simple: ModelFit, complex: ModelFit) -> Comparison:
    """Compare two fits of the same data: the simpler has fewer free parameters (e.g. hill
    fixed at −1 versus free; a 4PL against a 5PL). Works for every fit result. ``preferred`` follows the F test at P < 0.05.

    Examples
    --------
    >>> from neuromoa.fitting import fit_curve
    >>> x = [1e-9, 3e-9, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6]
    >>> y = [99, 97, 88, 70, 45, 22, 8, 3]
    >>> c = compare_fits(fit_curve(x, y, fix={"hill": -1}), fit_curve(x, y))
    >>> c.df_num
    1
    """
    if simple.n != complex.n:
        raise InputError("compare_fits needs two fits of the same data points.")
    if "failed" in (simple.status, complex.status):
        raise InputError("compare_fits needs two fits that did not fail.")
    ks, kc = len(simple.se), len(complex.se)
    return comparison("simple", "complex", simple.rss, simple.df, ks, complex.rss, complex.df,
                       kc, simple.n)


def compare_models(data, simple: dict[str, Any], complex: dict[str, Any],
                   **common: Any) -> list[Comparison | None]:
    """Fit every curve of ``data`` with two nested settings and compare per curve.

    ``simple``/``complex`` are keyword dicts for :func:`fit_curves` (e.g. ``{"fix": {"hill":
    -1}}`` and ``{}``); returns one :class:`Comparison` per curve (None where a fit failed).
    """
    a = fit_curves(data, **common, **simple)
    b = fit_curves(data, **common, **complex)
    out: list[Comparison | None] = []
    for i in range(len(a)):
        fa, fb = a.fit(i), b.fit(i)
        try:
            out.append(compare_fits(fa, fb))
        except (InputError, ParameterError):
            out.append(None)
    return out


