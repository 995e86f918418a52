"""The shipped models of the generic engine (:data:`SHIPPED`; registered in
:data:`neuromoa.fitting.registry.FIT_MODELS`).

=================  ================================================  =====================
name               formula                                           used by
=================  ================================================  =====================
boltzmann          y = A / (1 + exp((V − V½)/k))                     ephys (h∞, g–V)
exp_decay          y = a·exp(−t/τ) + c                               ABF current decay
exp_approach       y = y∞ + A·exp(−(t − t0)/τ)                       synapse chronic course
recovery           r = 1 − a·exp(−t/τ)                               ephys recovery
exact_depletion    y = S·[RL](I; R_t, Ki, L, Kd(1+k))/(1 + k) + c     binding (Wang 1995)
logistic5          y = B + (T − B)/(1 + 10^((log_xb − log10 X)·h))^s    5PL (Gottschalk 2005)
=================  ================================================  =====================

Each formula is a pure function with the formula in its docstring; each model declares its
parameters with units, bounds and optimiser scales, and a starting-value function.
"""

from __future__ import annotations

import math

import numpy as np

from neuromoa.fitting.generic import FitModel, FitParam
from neuromoa.pharmacology import ligand_depletion_bound

__all__ = ["SHIPPED", "boltzmann", "exact_depletion_signal", "exp_approach", "exp_decay", "logistic5",
           "recovery"]


#: The shipped models, in declaration order.
SHIPPED: list[FitModel] = []


def _ship(model: FitModel) -> FitModel:
    SHIPPED.append(model)
    return model


# ---------------------------------------------------------------- Boltzmann
def boltzmann(v, v_half, slope, amplitude=1.0):
    """``y = A / (1 + exp((V − V½)/k))``: k > 0 falls with V (inactivation, h∞), k < 0 rises
    (activation). Hodgkin & Huxley, J Physiol 1952;117:500."""
    return amplitude / (1.0 + np.exp((np.asarray(v, dtype=float) - v_half) / slope))


def _boltzmann_jac(v, v_half, slope, amplitude):
    e = np.exp((np.asarray(v, dtype=float) - v_half) / slope)
    d = 1.0 + e
    g = amplitude * e / d**2
    return np.column_stack([g / slope, g * (v - v_half) / slope**2, 1.0 / d])


#: Starting |slope| of a Boltzmann fit, V (assumption: 7 mV, typical of Na+ channel h∞ and
#: g–V curves; Hille 2001, Ion Channels of Excitable Membranes, ch. 3).
BOLTZMANN_SLOPE_GUESS_V = 0.007


def _boltzmann_guess(v, y):
    amp = float(np.max(np.abs(y))) or 1.0
    falling = float(np.mean(y[v <= np.median(v)])) >= float(np.mean(y[v > np.median(v)]))
    idx = int(np.argmin(np.abs(y / amp - 0.5)))
    return [float(v[idx]), BOLTZMANN_SLOPE_GUESS_V if falling else -BOLTZMANN_SLOPE_GUESS_V, amp]


_ship(FitModel(
    name="boltzmann", title="Boltzmann (voltage dependence)", x_unit="V", formula=boltzmann,
    params=(FitParam("v_half", "V", scale=0.01, description="half-point voltage V½"),
            FitParam("slope", "V", scale=0.005, description="slope factor k"),
            FitParam("amplitude", "<y>", description="A, in the unit of y")),
    guess=_boltzmann_guess, jacobian=_boltzmann_jac, min_points=3,
    reference="Hodgkin & Huxley, J Physiol 1952;117:500"))


# ---------------------------------------------------------------- exponentials
def exp_decay(t, amplitude, tau, offset):
    """``y = a·exp(−t/τ) + c`` (t from the start of the decay)."""
    return amplitude * np.exp(-np.asarray(t, dtype=float) / tau) + offset


def _exp_decay_jac(t, amplitude, tau, offset):
    t = np.asarray(t, dtype=float)
    e = np.exp(-t / tau)
    return np.column_stack([e, amplitude * e * t / tau**2, np.ones_like(t)])


#: Smallest starting time constant of a decay fit, s (numerical control: 1 ms, below the
#: sampling of the recordings the fit is used on).
DECAY_TAU_MIN_GUESS_S = 1e-3


def _exp_decay_guess(t, y):
    c0 = float(y[-1])
    return [float(y[0]) - c0, max(float(t[-1] - t[0]) / 4.0, DECAY_TAU_MIN_GUESS_S), c0]


_ship(FitModel(
    name="exp_decay", title="single-exponential decay", x_unit="s", formula=exp_decay,
    params=(FitParam("amplitude", "<y>"), FitParam("tau", "s", description="time constant"),
            FitParam("offset", "<y>")),
    guess=_exp_decay_guess, jacobian=_exp_decay_jac, min_points=4))


def exp_approach(t, y_inf, amplitude, tau, *, t0):
    """``y = y∞ + A·exp(−(t − t0)/τ)``: relaxation from y∞ + A at t0 towards y∞."""
    return y_inf + amplitude * np.exp(-(np.asarray(t, dtype=float) - t0) / tau)


def _exp_approach_jac(t, y_inf, amplitude, tau, *, t0):
    dt = np.asarray(t, dtype=float) - t0
    e = np.exp(-dt / tau)
    return np.column_stack([np.ones_like(dt), e, amplitude * e * dt / tau**2])


#: Starting time constant of a chronic-course relaxation, days (assumption: the order of the
#: 1–3 weeks of delayed antidepressant onset; Blier & de Montigny 1994 Trends Pharmacol Sci
#: 15:220).
APPROACH_TAU_GUESS_DAYS = 7.0


def _exp_approach_guess(t, y, *, t0):
    return [float(y[-1]), float(y[0] - y[-1]), APPROACH_TAU_GUESS_DAYS]


_ship(FitModel(
    name="exp_approach", title="exponential approach to a steady state", x_unit="day",
    formula=exp_approach,
    params=(FitParam("y_inf", "<y>"), FitParam("amplitude", "<y>"), FitParam("tau", "day")),
    constants=(FitParam("t0", "day", description="time origin of the relaxation"),),
    guess=_exp_approach_guess, jacobian=_exp_approach_jac, min_points=4))


def recovery(t, amplitude, tau):
    """``r(t) = 1 − a·exp(−t/τ)``: fraction recovered after a conditioning pulse."""
    return 1.0 - amplitude * np.exp(-np.asarray(t, dtype=float) / tau)


def _recovery_jac(t, amplitude, tau):
    t = np.asarray(t, dtype=float)
    e = np.exp(-t / tau)
    return np.column_stack([-e, -amplitude * e * t / tau**2])


def _recovery_guess(t, r):
    a0 = float(np.max(1.0 - r))
    tau0 = float(t[np.argmin(np.abs((1 - r) - a0 / np.e))]) or float(np.median(t))
    return [a0, tau0]


_ship(FitModel(
    name="recovery", title="single-exponential recovery", x_unit="s", y_unit=None,
    formula=recovery,
    params=(FitParam("amplitude", "1", description="deficit a at t = 0"),
            FitParam("tau", "s", log=True, description="recovery time constant")),
    guess=_recovery_guess, jacobian=_recovery_jac, min_points=3))


# ---------------------------------------------------------------- exact depletion binding
def exact_depletion_signal(conc, ki, receptor, offset, *, radioligand, kd, nsb_fraction,
                           cpm_per_M):
    """``y(I) = S·[RL](I; R_t, K_i)/(1 + k) + c`` with [RL] the exact one-site competition
    solution under depletion of every species (Wang 1995 cubic,
    :func:`neuromoa.pharmacology.ligand_depletion_bound`) at ``K_d' = K_d(1 + k)``; S =
    ``cpm_per_M`` signal per mol/L bound, k = ``nsb_fraction``, c an offset. Wang ZX, FEBS
    Lett 1995;360:111."""
    rl = ligand_depletion_bound(receptor, radioligand, kd * (1.0 + nsb_fraction),
                                np.asarray(conc, dtype=float), ki)
    return cpm_per_M * np.asarray(rl, dtype=float) / (1.0 + nsb_fraction) + offset


#: Starting bound radioligand is clipped into [1e-6, 0.95] × added radioligand so that the
#: starting receptor concentration R = B + Kd'·B/(L − B) stays finite (numerical control).
B0_MIN_FRACTION, B0_MAX_FRACTION = 1e-6, 0.95
#: Fallback starting Ki when no well falls below half of the top (numerical control, M).
KI_FALLBACK_M = 1e-8


def _exact_depletion_guess(x, y, *, radioligand, kd, nsb_fraction, cpm_per_M):
    k = nsb_fraction
    top = float(np.max(y[x == 0])) if np.any(x == 0) else float(np.max(y))
    b0 = min(max(np.median(y[x == np.min(x)]) * (1 + k) / cpm_per_M,
                 B0_MIN_FRACTION * radioligand), B0_MAX_FRACTION * radioligand)
    r0 = b0 + kd * (1 + k) * b0 / (radioligand - b0)
    below = x[(y < 0.5 * top) & (x > 0)]
    ki0 = float(np.min(below)) / (1 + radioligand / kd) if below.size else KI_FALLBACK_M
    return [ki0, r0, 0.0]


_ship(FitModel(
    name="exact_depletion", title="one-site competition binding with exact depletion",
    x_unit="M", formula=exact_depletion_signal,
    params=(FitParam("ki", "M", log=True, description="competitor Ki"),
            FitParam("receptor", "M", log=True, description="receptor concentration R_t"),
            FitParam("offset", "<y>", description="signal offset")),
    constants=(FitParam("radioligand", "M", (0.0, math.inf)), FitParam("kd", "M", (0.0, math.inf)),
               FitParam("nsb_fraction", "1", (0.0, math.inf)),
               FitParam("cpm_per_M", "1", (0.0, math.inf),
                        description="signal (y unit) per mol/L bound radioligand")),
    guess=_exact_depletion_guess, min_points=5,
    reference="Wang 1995 FEBS Lett 360:111; Hulme & Trevethick 2010 Br J Pharmacol 161:1219"))


# ---------------------------------------------------------------- 5PL
def logistic5(x, bottom, top, log_xb, hill, asym):
    """Five-parameter logistic (Prism's "asymmetric sigmoidal, 5PL", on log10 X)::

        Y = bottom + (top − bottom) / (1 + 10^((log_xb − log10 X)·hill))^asym

    ``asym = 1`` is the 4PL; ``log_xb`` is Prism's LogXb, not the half-maximal concentration
    when asym ≠ 1 (that is ``log_xb − log10(2^(1/asym) − 1)/hill``). X = 0 is the limit X → 0.
    Gottschalk PG, Dunn JR, Anal Biochem 2005;343:54.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        lx = np.log10(x)
    z = math.log(10.0) * hill * (log_xb - lx)
    with np.errstate(invalid="ignore"):
        f = np.exp(-asym * np.logaddexp(0.0, z))  # (1 + 10^…)^−asym without overflow
    return bottom + (top - bottom) * f


def _logistic5_guess(x, y):
    pos = x > 0
    lx = np.log10(x[pos]) if pos.any() else np.zeros(1)
    lo_y = float(np.mean(y[x <= np.quantile(x, 0.25)]))
    hi_y = float(np.mean(y[x >= np.quantile(x, 0.75)]))
    return [hi_y, lo_y, float(np.median(lx)), -1.0, 1.0]


_ship(FitModel(
    name="logistic5", title="five-parameter logistic (asymmetric sigmoid)", x_unit="M",
    formula=logistic5,
    params=(FitParam("bottom", "<y>"), FitParam("top", "<y>"), FitParam("log_xb", "1"),
            FitParam("hill", "1"), FitParam("asym", "1", log=True)),
    guess=_logistic5_guess, min_points=6,
    reference="Gottschalk & Dunn 2005 Anal Biochem 343:54; Prism 'Asymmetric sigmoidal, 5PL'"))
