r"""Tissue-to-plasma partition (total Kp) of a moderate-to-strong base: Rodgers & Rowland.

Mechanistic tissue partition from physicochemistry and tissue composition (Rodgers T, Leahy D,
Rowland M. *J Pharm Sci* 2005;94:1259–1276, eq. for moderate-to-strong bases, pKa ≥ 7). The
unbound tissue-to-plasma partition is the sum of dissolution in extracellular and intracellular
water (with ion trapping in the more acidic cell), electrostatic binding to acidic phospholipids
and partition into neutral lipids and phospholipids:

.. math::

    K_{pu} = f_{EW} + \frac{(1 + 10^{pK_a - pH_{IW}}) f_{IW}}{1 + 10^{pK_a - pH_p}}
           + \frac{K_a [AP^-]_T\, 10^{pK_a - pH_{IW}}}{1 + 10^{pK_a - pH_p}}
           + \frac{P f_{NL} + (0.3P + 0.7) f_{NP}}{1 + 10^{pK_a - pH_p}},

with the acidic-phospholipid association constant :math:`K_a` taken from the blood cells
(:math:`K_{pu,BC} = (H - 1 + B{:}P)/(H f_u)`, same equation solved for :math:`K_a` with the
red-cell composition and :math:`pH_{BC}`), and :math:`K_p = f_u K_{pu}` (total tissue / total
plasma). P is the n-octanol:water partition coefficient of the neutral form. Pure: floats in,
floats out; the composition values come from the caller (shipped data with their source).
"""

from __future__ import annotations

from dataclasses import dataclass

from neuromoa.errors import ParameterError

__all__ = ["TissueComposition", "rodgers_rowland_kp_base", "rodgers_rowland_ka_base"]


@dataclass(frozen=True)
class TissueComposition:
    """Fractional tissue volumes and acidic phospholipid content (Rodgers et al. 2005 Table 1).

    ``f_ew``/``f_iw`` extra-/intracellular water, ``f_nl`` neutral lipids, ``f_np`` neutral
    phospholipids (fractions of tissue volume); ``ap`` acidic phospholipids (mg/g; only ratios
    to the red-cell value matter); ``ph`` intracellular pH.
    """

    f_ew: float
    f_iw: float
    f_nl: float
    f_np: float
    ap: float
    ph: float


def _check(name: str, value: float, low: float, high: float | None = None,
           low_open: bool = False) -> float:
    v = float(value)
    bad = v != v or v < low or (low_open and v == low) or (high is not None and v > high)
    if bad:
        rng = f"{'(' if low_open else '['}{low:g}, {high if high is not None else 'inf'}]"
        raise ParameterError(f"The '{name}' parameter of rodgers_rowland_kp_base must be in "
                             f"{rng}. Got {value!r}.")
    return v


def rodgers_rowland_ka_base(*, log_p: float, pka: float, fu: float, blood_plasma: float,
                            hematocrit: float, red_cells: TissueComposition,
                            ph_plasma: float) -> float:
    """Association constant with acidic phospholipids from the blood cells (see module)."""
    p = 10.0 ** log_p
    ion_p = 1.0 + 10.0 ** (pka - ph_plasma)
    kpu_bc = (hematocrit - 1.0 + blood_plasma) / (hematocrit * fu)
    water = (1.0 + 10.0 ** (pka - red_cells.ph)) * red_cells.f_iw / ion_p
    lipid = (p * red_cells.f_nl + (0.3 * p + 0.7) * red_cells.f_np) / ion_p
    ka = (kpu_bc - water - lipid) * ion_p / (red_cells.ap * 10.0 ** (pka - red_cells.ph))
    return max(ka, 0.0)


def rodgers_rowland_kp_base(*, log_p: float, pka: float, fu: float, blood_plasma: float,
                            hematocrit: float, tissue: TissueComposition,
                            red_cells: TissueComposition, ph_plasma: float = 7.4) -> float:
    r"""Total tissue-to-plasma partition :math:`K_p = f_u K_{pu}` of a base with pKa ≥ 7.

    Parameters
    ----------
    log_p : float
        log10 n-octanol:water partition coefficient of the neutral form.
    pka : float
        Most basic pKa (≥ 7: the equation is for moderate-to-strong bases).
    fu : float
        Unbound fraction in plasma (0 < fu ≤ 1).
    blood_plasma : float
        Blood-to-plasma concentration ratio (> 0).
    hematocrit : float
        Volume fraction of red cells (0 < H < 1).
    tissue, red_cells : TissueComposition
        Composition of the tissue and of the red blood cells.
    ph_plasma : float
        Plasma pH (default 7.4).

    Returns
    -------
    float
        :math:`K_p` (total tissue / total plasma at steady state).
    """
    _check("pka", pka, 7.0)
    _check("fu", fu, 0.0, 1.0, low_open=True)
    _check("blood_plasma", blood_plasma, 0.0, low_open=True)
    _check("hematocrit", hematocrit, 0.0, 1.0, low_open=True)
    _check("log_p", log_p, -10.0, 15.0)
    ka = rodgers_rowland_ka_base(log_p=log_p, pka=pka, fu=fu, blood_plasma=blood_plasma,
                                 hematocrit=hematocrit, red_cells=red_cells,
                                 ph_plasma=ph_plasma)
    p = 10.0 ** log_p
    ion_p = 1.0 + 10.0 ** (pka - ph_plasma)
    kpu = (tissue.f_ew
           + (1.0 + 10.0 ** (pka - tissue.ph)) * tissue.f_iw / ion_p
           + ka * tissue.ap * 10.0 ** (pka - tissue.ph) / ion_p
           + (p * tissue.f_nl + (0.3 * p + 0.7) * tissue.f_np) / ion_p)
    return fu * kpu
