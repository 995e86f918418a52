"""Radioligand binding: Cheng–Prusoff, one-site competition, exact ligand depletion."""

from __future__ import annotations

import numpy as np

from neuromoa.pharmacology._checks import finite, nonneg, positive, scalar_or_array

__all__ = [
    "cheng_prusoff_binding",
    "cheng_prusoff_uptake",
    "ic50_from_ki_binding",
    "ic50_from_ki_uptake",
    "ligand_depletion_bound",
    "one_site_competition",
]

#: Newton steps that polish the closed-form cubic root of the depletion problem to full
#: double precision (each step squares the relative error; two are plenty from ~1e-8).
_NEWTON_POLISH_STEPS = 3


def cheng_prusoff_binding(ic50, radioligand, kd):
    r"""Inhibition constant from a competition-binding IC50 (Cheng & Prusoff 1973).

    .. math:: K_i = \frac{IC_{50}}{1 + [L]/K_d}

    Valid for a competitive inhibitor at equilibrium **without ligand depletion** (free ≈ added
    radioligand); see :func:`ligand_depletion_bound` when more than ~10 % is bound.

    Parameters
    ----------
    ic50 : IC50 of the competitor, mol/L (> 0).
    radioligand : free radioligand concentration [L], mol/L (≥ 0).
    kd : radioligand dissociation constant, mol/L (> 0).

    References
    ----------
    Cheng Y, Prusoff WH (1973) Biochem Pharmacol 22:3099–3108; caveats: Leff P, Dougall IG
    (1993) Trends Pharmacol Sci 14:110–112.

    Examples
    --------
    >>> cheng_prusoff_binding(32e-9, 14e-9, 14e-9)
    1.6e-08
    """
    i = positive(ic50, "ic50", "cheng_prusoff_binding")
    lig = nonneg(radioligand, "radioligand", "cheng_prusoff_binding")
    k = positive(kd, "kd", "cheng_prusoff_binding")
    return scalar_or_array(i / (1.0 + lig / k))


def ic50_from_ki_binding(ki, radioligand, kd):
    r"""Inverse of :func:`cheng_prusoff_binding`: :math:`IC_{50} = K_i (1 + [L]/K_d)`."""
    k_i = positive(ki, "ki", "ic50_from_ki_binding")
    lig = nonneg(radioligand, "radioligand", "ic50_from_ki_binding")
    k = positive(kd, "kd", "ic50_from_ki_binding")
    return scalar_or_array(k_i * (1.0 + lig / k))


def cheng_prusoff_uptake(ic50, substrate, km):
    r"""Inhibition constant from an uptake-inhibition IC50 (competitive inhibitor, Michaelis–Menten).

    .. math:: K_i = \frac{IC_{50}}{1 + [S]/K_m}

    References
    ----------
    Cheng Y, Prusoff WH (1973) Biochem Pharmacol 22:3099–3108 (the enzyme-kinetic case).

    Examples
    --------
    >>> round(cheng_prusoff_uptake(6.9e-9, 463e-9, 463e-9), 12)
    3.45e-09
    """
    i = positive(ic50, "ic50", "cheng_prusoff_uptake")
    s = nonneg(substrate, "substrate", "cheng_prusoff_uptake")
    k = positive(km, "km", "cheng_prusoff_uptake")
    return scalar_or_array(i / (1.0 + s / k))


def ic50_from_ki_uptake(ki, substrate, km):
    r"""Inverse of :func:`cheng_prusoff_uptake`: :math:`IC_{50} = K_i (1 + [S]/K_m)`."""
    k_i = positive(ki, "ki", "ic50_from_ki_uptake")
    s = nonneg(substrate, "substrate", "ic50_from_ki_uptake")
    k = positive(km, "km", "ic50_from_ki_uptake")
    return scalar_or_array(k_i * (1.0 + s / k))


def one_site_competition(conc, log_ki, radioligand, kd, bottom, top):
    r"""Specific binding of a radioligand displaced by a competitor (one site, no depletion).

    .. math::
        Y = \text{bottom} + \frac{\text{top} - \text{bottom}}{1 + C / IC_{50}},\quad
        IC_{50} = 10^{\log K_i}\,(1 + [L]/K_d)

    This is GraphPad Prism's "One site – Fit Ki" model. ``conc`` may be 0 (the top plateau).

    Parameters
    ----------
    conc : competitor concentration(s), mol/L (≥ 0).
    log_ki : log10 of Ki in mol/L.
    radioligand, kd : radioligand concentration and its Kd, mol/L.
    bottom, top : plateaus (any response unit).
    """
    owner = "one_site_competition"
    c = nonneg(conc, "conc", owner)
    bottom = finite(bottom, "bottom", owner)
    top = finite(top, "top", owner)
    ic50 = 10.0 ** finite(log_ki, "log_ki", owner) * (
        1.0 + nonneg(radioligand, "radioligand", "one_site_competition")
        / positive(kd, "kd", "one_site_competition"))
    return scalar_or_array(bottom + (top - bottom) / (1.0 + c / ic50))


def ligand_depletion_bound(r_tot, l_tot, kd_l, i_tot=0.0, ki=np.inf):
    r"""Exact equilibrium binding of a radioligand L and a competitor I to one receptor R, with depletion.

    Mass balance with free ≠ added for **all three** species. The free receptor concentration
    [R] is the root in (0, R_tot] of the cubic (Wang 1995)

    .. math::
        [R]^3 + a[R]^2 + b[R] + c = 0,\\
        a = K_L + K_I + L_t + I_t - R_t,\quad
        b = K_I (L_t - R_t) + K_L (I_t - R_t) + K_L K_I,\quad
        c = -K_L K_I R_t,

    taken in closed (trigonometric) form and polished by Newton steps on
    :math:`R_t - [R] - L_t[R]/(K_L+[R]) - I_t[R]/(K_I+[R]) = 0`. Without competitor the
    quadratic :math:`[RL] = \tfrac12\big(R_t+L_t+K_L-\sqrt{(R_t+L_t+K_L)^2-4R_tL_t}\big)` is used.

    Parameters
    ----------
    r_tot : total receptor (binding sites), mol/L (≥ 0).
    l_tot : total (added) radioligand, mol/L (≥ 0).
    kd_l : radioligand Kd, mol/L (> 0).
    i_tot : total (added) competitor, mol/L (≥ 0); arrays broadcast.
    ki : competitor Ki, mol/L (> 0, ``inf`` = no competitor).

    Returns
    -------
    float or ndarray: receptor-bound radioligand [RL], mol/L.

    References
    ----------
    Wang ZX (1995) FEBS Lett 360:111–114; Goldstein A, Barrett RW (1987) Mol Pharmacol 31:603.
    """
    owner = "ligand_depletion_bound"
    rt = nonneg(r_tot, "r_tot", owner)
    lt = nonneg(l_tot, "l_tot", owner)
    kl = positive(kd_l, "kd_l", owner)
    it = nonneg(i_tot, "i_tot", owner)
    kic = positive(ki, "ki", owner)
    rt, lt, kl, it, kic = np.broadcast_arrays(rt, lt, kl, it, kic)
    rt, lt, kl, it, kic = (np.array(x, dtype=float) for x in (rt, lt, kl, it, kic))

    # One-ligand quadratic (no competitor present or it does not bind).
    s = rt + lt + kl
    rl_quad = 2.0 * rt * lt / (s + np.sqrt(np.maximum(s * s - 4.0 * rt * lt, 0.0)))  # stable form
    no_comp = (it == 0.0) | np.isinf(kic)

    # Competitive cubic in free receptor R (Wang 1995), where a competitor is present.
    ki_f = np.where(no_comp, 1.0, kic)
    a = kl + ki_f + lt + it - rt
    b = ki_f * (lt - rt) + kl * (it - rt) + kl * ki_f
    c = -kl * ki_f * rt
    disc = np.maximum(a * a - 3.0 * b, 0.0)
    sq = np.sqrt(disc)
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = (-2.0 * a**3 + 9.0 * a * b - 27.0 * c) / (2.0 * sq**3)
    theta = np.arccos(np.clip(np.nan_to_num(arg, nan=1.0), -1.0, 1.0))
    r_free = np.clip(-a / 3.0 + (2.0 / 3.0) * sq * np.cos(theta / 3.0), 0.0, rt)
    for _ in range(_NEWTON_POLISH_STEPS):
        f = rt - r_free - lt * r_free / (kl + r_free) - it * r_free / (ki_f + r_free)
        df = -1.0 - lt * kl / (kl + r_free) ** 2 - it * ki_f / (ki_f + r_free) ** 2
        r_free = np.clip(r_free - f / df, 0.0, rt)
    rl_cubic = lt * r_free / (kl + r_free)
    return scalar_or_array(np.where(no_comp, rl_quad, rl_cubic))
