"""Receptor occupancy: Hill–Langmuir, several ligands at one site (Gaddum), two-state affinity."""

from __future__ import annotations

import numpy as np

from neuromoa.errors import ParameterError
from neuromoa.pharmacology._checks import (
    finite,
    nonneg,
    positive,
    same_length_last_axis,
    scalar_or_array,
)

__all__ = ["apparent_k_two_state", "competitive_occupancy", "occupancy"]


def occupancy(conc, k, hill=1.0):
    r"""Fractional occupancy of a site by one ligand (Hill–Langmuir).

    .. math:: \theta = \frac{C^{n}}{C^{n} + K^{n}}

    Parameters
    ----------
    conc : float or array, mol/L, ≥ 0
        Free (unbound) ligand concentration at the site.
    k : float or array, mol/L, > 0
        Equilibrium dissociation constant (Ki, Kd) or, for functional block, the IC50.
    hill : float, > 0
        Hill coefficient n (1 for simple mass action).

    Returns
    -------
    float or ndarray in [0, 1].

    References
    ----------
    Hill AV (1910) J Physiol 40:iv–vii; Langmuir I (1918) J Am Chem Soc 40:1361.

    Examples
    --------
    >>> occupancy(3.45e-9, 3.45e-9)
    0.5
    """
    c = nonneg(conc, "conc", "occupancy")
    kk = positive(k, "k", "occupancy")
    n = positive(hill, "hill", "occupancy")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (c / kk) ** n
        theta = np.where(np.isinf(r), 1.0, r / (1.0 + r))
    return scalar_or_array(theta)


def competitive_occupancy(concs, ks):
    r"""Occupancy of one site by each of several competing ligands (Gaddum 1937).

    .. math:: \theta_i = \frac{C_i/K_i}{1 + \sum_j C_j/K_j}

    Parameters
    ----------
    concs, ks : array_like, mol/L
        Free concentrations (≥ 0) and dissociation constants (> 0; ``inf`` means the ligand
        does not bind) of the ligands; the **last axis** indexes the ligand, leading axes
        broadcast (e.g. a time course of shape ``(n_times, n_ligands)``).

    Returns
    -------
    ndarray, same shape as the broadcast inputs: the fraction of sites occupied by each
    ligand. ``theta.sum(-1)`` is the total occupancy.

    References
    ----------
    Gaddum JH (1937) J Physiol 89:7P.

    Examples
    --------
    >>> competitive_occupancy([1e-9, 1e-9], [1e-9, 1e-9]).round(4).tolist()
    [0.3333, 0.3333]
    """
    c = finite(concs, "concs", "competitive_occupancy", low=0.0)
    kk = positive(ks, "ks", "competitive_occupancy")
    same_length_last_axis(c, kk, ("concs", "ks"), "competitive_occupancy")
    c, kk = np.broadcast_arrays(c, kk)
    r = c / kk
    return r / (1.0 + r.sum(axis=-1, keepdims=True))


def apparent_k_two_state(h_rest, k_rest, k_inact):
    r"""Apparent affinity of a drug for a channel distributed between resting and inactivated states.

    .. math:: \frac{1}{K_{app}} = \frac{h}{K_R} + \frac{1 - h}{K_I}

    where *h* is the fraction of channels available (not inactivated) at the holding potential.
    Inverting two measurements (two holding potentials, known *h*) gives K_R and K_I.

    References
    ----------
    Bean BP, Cohen CJ, Tsien RW (1983) J Gen Physiol 81:613–642.

    Examples
    --------
    >>> apparent_k_two_state(1.0, 33e-6, 0.51e-6) == 33e-6
    True
    """
    h = np.asarray(h_rest, dtype=float)
    if np.any(np.isnan(h)) or np.any((h < 0) | (h > 1)):
        raise ParameterError("The 'h_rest' parameter of apparent_k_two_state must be a float in "
                             f"[0, 1]. Got {h_rest!r}.")
    kr = positive(k_rest, "k_rest", "apparent_k_two_state")
    ki = positive(k_inact, "k_inact", "apparent_k_two_state")
    return scalar_or_array(1.0 / (h / kr + (1.0 - h) / ki))
