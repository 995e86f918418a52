"""Safety margins against functional block (hERG, cardiac Na+)."""

from __future__ import annotations

import numpy as np

from neuromoa.pharmacology._checks import nonneg, positive, same_length_last_axis, scalar_or_array

__all__ = ["combined_fractional_block", "safety_margin"]


def safety_margin(ic50, cmax_unbound):
    r"""Safety margin: :math:`IC_{50} / C_{max,u}` (unbound peak plasma concentration).

    A hERG margin below 30 is the provisional threshold for concern (Redfern WS et al. 2003,
    Cardiovasc Res 58:32–45). Returns ``inf`` for zero exposure.

    >>> safety_margin(4.78e-6, 4.78e-8)
    100.0
    """
    i = positive(ic50, "ic50", "safety_margin")
    c = nonneg(cmax_unbound, "cmax_unbound", "safety_margin")
    with np.errstate(divide="ignore"):
        return scalar_or_array(np.where(c > 0, i / np.where(c > 0, c, 1.0), np.inf))


def combined_fractional_block(concs, ic50s):
    r"""Fractional block of one channel by several blockers competing for one site.

    .. math:: f = \frac{\sum_i C_i/IC_{50,i}}{1 + \sum_i C_i/IC_{50,i}}

    (Gaddum competition with Hill slope 1; the last axis indexes the compound.)

    >>> round(combined_fractional_block([1e-6, 1e-6], [1e-6, 1e-6]), 6)
    0.666667
    """
    c = nonneg(concs, "concs", "combined_fractional_block")
    i = positive(ic50s, "ic50s", "combined_fractional_block")
    same_length_last_axis(c, i, ("concs", "ic50s"), "combined_fractional_block")
    r = np.sum(c / i, axis=-1)
    return scalar_or_array(r / (1.0 + r))
