"""Sums of exponentials: the closed-form algebra behind linear pharmacokinetics.

Every linear, time-invariant compartmental model responds to a unit input with a sum of
exponentials, :math:`h(t) = \\sum_i c_i e^{-\\lambda_i t}` for :math:`t \\ge 0`. First-order
absorption, metabolite formation and distribution are convolutions of such sums, and
convolutions of exponentials are again exponentials:

.. math::

    e^{-a t} \\ast e^{-b t} = \\frac{e^{-a t} - e^{-b t}}{b - a}\\quad (a \\ne b).

Repeated dosing is superposition of shifted copies; dosing to steady state is the geometric
series :math:`\\sum_i c_i e^{-\\lambda_i t}/(1 - e^{-\\lambda_i \\tau})`. No ODE solver is
needed (Gibaldi & Perrier, *Pharmacokinetics*, 2nd ed., 1982, ch. 1-3 and appendix on
Laplace transforms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from neuromoa.errors import ParameterError

__all__ = ["PolyExp"]

#: Two rates closer than this (relative) are replaced by m(1 ∓ δ/2) around their mean m before
#: a convolution, because the closed form divides by (b - a). The symmetric split makes the error
#: second order, t e^{-mt}·(δ m t)²/24, plus a rounding error ~1e-16/(δ m t): both far below any
#: pharmacokinetic uncertainty (assumption, checked against t·e^{-at} in the tests).
RATE_SEPARATION = 1e-6


@dataclass(frozen=True)
class PolyExp:
    """A sum of exponentials :math:`h(t) = \\sum_i c_i e^{-\\lambda_i t}` for t >= 0, 0 before.

    Parameters
    ----------
    coefs : tuple of float
        Coefficients :math:`c_i` (any unit, e.g. mol/L per mol dosed).
    rates : tuple of float
        Rate constants :math:`\\lambda_i > 0` (1/h).
    """

    coefs: tuple[float, ...]
    rates: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.coefs) != len(self.rates):
            raise ParameterError("PolyExp: coefs and rates must have the same length.")
        for r in self.rates:
            if not (np.isfinite(r) and r > 0):
                raise ParameterError(f"PolyExp: every rate must be a finite float in (0, inf). Got {r!r}.")

    @classmethod
    def exponential(cls, coef: float, rate: float) -> PolyExp:
        """One term :math:`c e^{-\\lambda t}`."""
        return cls((float(coef),), (float(rate),))

    def __add__(self, other: PolyExp) -> PolyExp:
        return PolyExp(self.coefs + other.coefs, self.rates + other.rates)

    def scale(self, factor: float) -> PolyExp:
        """Multiply every coefficient by ``factor``."""
        return PolyExp(tuple(c * factor for c in self.coefs), self.rates)

    def convolve(self, other: PolyExp) -> PolyExp:
        """Convolution :math:`(h \\ast g)(t) = \\int_0^t h(s) g(t-s) ds`, in closed form."""
        coefs: list[float] = []
        rates: list[float] = []
        for ca, a in zip(self.coefs, self.rates, strict=True):
            for cb, b in zip(other.coefs, other.rates, strict=True):
                ra, rb = a, b
                if abs(rb - ra) <= RATE_SEPARATION * max(ra, rb):
                    m = 0.5 * (ra + rb)
                    ra, rb = m * (1.0 - 0.5 * RATE_SEPARATION), m * (1.0 + 0.5 * RATE_SEPARATION)
                factor = ca * cb / (rb - ra)
                coefs += [factor, -factor]
                rates += [ra, rb]
        return PolyExp(tuple(coefs), tuple(rates))

    # --- evaluation -------------------------------------------------------------------------
    def __call__(self, t: np.ndarray | float) -> np.ndarray:
        """Evaluate at times ``t`` (h); zero for t < 0."""
        t = np.asarray(t, dtype=float)
        c = np.asarray(self.coefs)
        lam = np.asarray(self.rates)
        tt = np.clip(t, 0.0, None)[..., None]
        out = np.sum(c * np.exp(-lam * tt), axis=-1)
        return np.where(t >= 0.0, out, 0.0)

    def superpose(self, t: np.ndarray, dose_times: Sequence[float],
                  amounts: Sequence[float] | float = 1.0) -> np.ndarray:
        """:math:`\\sum_n A_n h(t - t_n)`: repeated inputs at ``dose_times`` (h)."""
        t = np.asarray(t, dtype=float)
        tn = np.asarray(dose_times, dtype=float)
        an = np.broadcast_to(np.asarray(amounts, dtype=float), tn.shape)
        c = np.asarray(self.coefs)
        lam = np.asarray(self.rates)
        dt = t[..., None] - tn  # (..., n_doses)
        resp = np.sum(c * np.exp(-lam * np.clip(dt, 0.0, None)[..., None]), axis=-1)
        return np.sum(np.where(dt >= 0.0, resp, 0.0) * an, axis=-1)

    def after_doses(self, dose_times: Sequence[float], amounts: Sequence[float] | float = 1.0
                    ) -> PolyExp:
        r"""The superposed response as one sum of exponentials in time since the last dose.

        For :math:`t \ge t_N`, :math:`\sum_n A_n h(t - t_n) = \sum_i c_i'
        e^{-\lambda_i (t - t_N)}` with :math:`c_i' = c_i \sum_n A_n e^{-\lambda_i (t_N - t_n)}`
        (exact; used to evaluate the last dosing interval cheaply).
        """
        tn = np.asarray(dose_times, dtype=float)
        an = np.broadcast_to(np.asarray(amounts, dtype=float), tn.shape)
        lam = np.asarray(self.rates)
        weights = np.sum(an[:, None] * np.exp(-lam[None, :] * (tn.max() - tn)[:, None]), axis=0)
        return PolyExp(tuple(float(x) for x in np.asarray(self.coefs) * weights), self.rates)

    def integral(self, t0: float, t1: float, dose_times: Sequence[float] = (0.0,),
                 amounts: Sequence[float] | float = 1.0) -> float:
        """Exact :math:`\\int_{t_0}^{t_1}` of the superposed response (h · unit of coefs)."""
        tn = np.asarray(dose_times, dtype=float)
        an = np.broadcast_to(np.asarray(amounts, dtype=float), tn.shape)
        c = np.asarray(self.coefs)
        lam = np.asarray(self.rates)
        total = 0.0
        for tk, a in zip(tn, an, strict=True):
            lo = max(t0, tk)
            if t1 <= lo:
                continue
            total += a * float(np.sum(c / lam * (np.exp(-lam * (lo - tk)) - np.exp(-lam * (t1 - tk)))))
        return total

    def auc_inf(self) -> float:
        """:math:`\\int_0^\\infty h = \\sum_i c_i/\\lambda_i`."""
        return float(np.sum(np.asarray(self.coefs) / np.asarray(self.rates)))

    def steady_state(self, t: np.ndarray | float, tau: float) -> np.ndarray:
        """Response at time ``t`` after a dose at steady state of dosing every ``tau`` h.

        :math:`h_{ss}(t) = \\sum_i c_i e^{-\\lambda_i t} / (1 - e^{-\\lambda_i \\tau})`, 0 <= t < tau.
        """
        t = np.asarray(t, dtype=float)
        c = np.asarray(self.coefs)
        lam = np.asarray(self.rates)
        acc = c / (1.0 - np.exp(-lam * tau))
        return np.sum(acc * np.exp(-lam * t[..., None]), axis=-1)
