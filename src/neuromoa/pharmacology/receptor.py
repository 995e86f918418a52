"""Receptor antagonism: Gaddum, the operational model, dose ratios and Schild regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neuromoa.errors import ParameterError
from neuromoa.pharmacology._checks import finite, nonneg, positive, scalar_or_array

__all__ = ["SchildFit", "dose_ratio", "gaddum_response", "operational_response", "schild_fit"]

#: Two-sided 95 % intervals.
_CI_LEVEL = 0.95


def dose_ratio(antagonist, kb):
    r"""Schild dose ratio of a competitive antagonist: :math:`DR = 1 + [B]/K_B`.

    References
    ----------
    Arunlakshana O, Schild HO (1959) Br J Pharmacol 14:48–58.

    >>> dose_ratio(4e-9, 1e-9)
    5.0
    """
    b = nonneg(antagonist, "antagonist", "dose_ratio")
    k = positive(kb, "kb", "dose_ratio")
    return scalar_or_array(1.0 + b / k)


def gaddum_response(agonist, ka, antagonist=0.0, kb=np.inf, emax=1.0, hill=1.0):
    r"""Agonist response proportional to its occupancy in the presence of a competitive antagonist.

    .. math:: E = E_{max}\frac{[A]^n}{[A]^n + \big(K_A(1 + [B]/K_B)\big)^n}

    References
    ----------
    Gaddum JH (1937) J Physiol 89:7P; Schild HO (1947) Br J Pharmacol 2:189.
    """
    a = nonneg(agonist, "agonist", "gaddum_response")
    k = positive(ka, "ka", "gaddum_response")
    b = nonneg(antagonist, "antagonist", "gaddum_response")
    kbb = positive(kb, "kb", "gaddum_response")
    n = positive(hill, "hill", "gaddum_response")
    em = finite(emax, "emax", "gaddum_response", low=0.0)
    kapp = k * (1.0 + b / kbb)
    return scalar_or_array(em * a**n / (a**n + kapp**n))


def operational_response(agonist, ka, tau, emax=1.0, n=1.0, antagonist=0.0, kb=np.inf):
    r"""Operational model of agonism (Black & Leff 1983) with a competitive antagonist.

    .. math::
        E = \frac{E_m \tau^n [A]^n}{\big([A] + K_A(1 + [B]/K_B)\big)^n + \tau^n [A]^n}

    ``tau`` is the transducer ratio (receptor reserve: EC50 = K_A/(1+τ) for n = 1). A competitive
    antagonist shifts the curve rightwards in parallel with dose ratio 1 + [B]/K_B at any τ.

    References
    ----------
    Black JW, Leff P (1983) Proc R Soc Lond B 220:141–162; Kenakin T (2014) A Pharmacology Primer.
    """
    a = nonneg(agonist, "agonist", "operational_response")
    k = positive(ka, "ka", "operational_response")
    t = positive(tau, "tau", "operational_response")
    nn = positive(n, "n", "operational_response")
    b = nonneg(antagonist, "antagonist", "operational_response")
    kbb = positive(kb, "kb", "operational_response")
    em = finite(emax, "emax", "operational_response", low=0.0)
    occ_term = (a + k * (1.0 + b / kbb)) ** nn
    ta = (t * a) ** nn
    return scalar_or_array(em * ta / (occ_term + ta))


@dataclass(frozen=True)
class SchildFit:
    """Schild regression of log10(DR − 1) on log10[B].

    Attributes
    ----------
    pa2 : −log10 of the antagonist concentration giving DR = 2 (x-intercept), free slope.
    slope, slope_se, slope_ci95 : the regression slope (1 for simple competition) and its SE and 95 % CI.
    intercept : regression intercept.
    pkb : pKB with the slope constrained to 1 (mean of log(DR − 1) − log[B]).
    n : number of antagonist concentrations used.
    """

    pa2: float
    slope: float
    slope_se: float
    intercept: float
    slope_ci95: tuple[float, float]
    pkb: float
    n: int

    def to_dict(self) -> dict:
        return {"pa2": self.pa2, "slope": self.slope, "slope_se": self.slope_se,
                "slope_ci95": list(self.slope_ci95), "intercept": self.intercept,
                "pkb": self.pkb, "n": self.n}


def schild_fit(antagonist_concs, dose_ratios) -> SchildFit:
    r"""Schild regression: :math:`\log(DR-1) = s\log[B] - s\log K_B`.

    Parameters
    ----------
    antagonist_concs : antagonist concentrations, mol/L (> 0), at least 3.
    dose_ratios : measured dose ratios (EC50 with / EC50 without antagonist), each > 1.

    References
    ----------
    Arunlakshana O, Schild HO (1959) Br J Pharmacol 14:48–58.
    """
    b = positive(antagonist_concs, "antagonist_concs", "schild_fit").ravel()
    dr = np.asarray(dose_ratios, dtype=float).ravel()
    if b.size != dr.size:
        raise ParameterError(f"schild_fit: {b.size} antagonist concentrations but {dr.size} dose ratios.")
    if b.size < 3:
        raise ParameterError(f"schild_fit needs at least 3 antagonist concentrations; got {b.size}.")
    if np.any(~np.isfinite(dr)) or np.any(dr <= 1.0):
        raise ParameterError("The 'dose_ratios' parameter of schild_fit must be finite and > 1 "
                             f"(no shift cannot be regressed). Got {dose_ratios!r}.")
    from scipy import stats  # deferred: scipy.stats costs ~0.4 s to import

    x = np.log10(b)
    y = np.log10(dr - 1.0)
    reg = stats.linregress(x, y)
    df = b.size - 2
    tcrit = stats.t.ppf(0.5 + _CI_LEVEL / 2.0, df) if df > 0 else np.inf
    slope_se = float(reg.stderr) if df > 0 else np.inf
    return SchildFit(
        pa2=float(reg.intercept / reg.slope),
        slope=float(reg.slope),
        slope_se=slope_se,
        intercept=float(reg.intercept),
        slope_ci95=(float(reg.slope - tcrit * slope_se), float(reg.slope + tcrit * slope_se)),
        pkb=float(np.mean(y - x)),
        n=int(b.size),
    )
