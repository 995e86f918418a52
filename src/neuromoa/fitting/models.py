"""Concentration–response models: pure formula functions and the registry that drives the
fitter, the CLI's ``--model`` choices and the parametrised tests.

Every model maps onto the four kernel parameters (bottom, top, log10 IC50, hill) of
:mod:`neuromoa.fitting._kernels`; a model fixes some of them and may report its location
parameter on another scale (``log_ki`` = log10 IC50 − log10(1 + [L]/Kd)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from neuromoa.errors import ParameterError
from neuromoa.pharmacology import ic50_from_ki_binding

__all__ = [
    "MODELS",
    "WEIGHTS",
    "Model",
    "get_model",
    "ki_from_ic50_binding",
    "logistic4",
    "one_site_ki_curve",
]

#: Weighting schemes: name → description. ``w`` multiplies the squared residual.
WEIGHTS = {
    "none": "w = 1 (ordinary least squares)",
    "1/y2": "w = 1/Y² (relative weighting by the observed response; Prism weights by the "
            "curve's Y, so results differ slightly)",
    "poisson": "w = 1/|Y| (Poisson weighting by the observed response, e.g. counts)",
    "sd": "w = 1/SD² with SD from the weight column (given standard deviations)",
    "given": "w from the weight column as is",
}

#: ln(10) (exact constant).
_LN10 = math.log(10.0)

#: Kernel parameter names, in kernel order.
KERNEL_PARAMS: tuple[str, ...] = ("bottom", "top", "log_ic50", "hill")
#: Index of each kernel parameter (shared by the compiled kernels and the result types).
BOTTOM, TOP, LOGC, HILL = 0, 1, 2, 3
NPAR = len(KERNEL_PARAMS)


def logistic4(x, bottom, top, log_ic50, hill):
    """Four-parameter logistic in GraphPad Prism's form, evaluated in concentration space.

    ``Y = bottom + (top − bottom) / (1 + 10^((log_ic50 − log10 X)·hill))``

    ``hill < 0`` gives a falling (inhibition) curve when ``top > bottom``. X = 0 is the limit
    X → 0 (Y = bottom for hill > 0, Y = top for hill < 0), as in R drc's ``LL.4``.

    Parameters
    ----------
    x : array_like
        Concentrations (≥ 0), in the unit whose log10 is ``log_ic50``.
    bottom, top : float
        Plateaus (response units).
    log_ic50 : float
        log10 of the concentration giving a response halfway between the plateaus.
    hill : float
        Hill slope (dimensionless).

    References
    ----------
    Motulsky H, Christopoulos A. *Fitting models to biological data using linear and nonlinear
    regression*. Oxford University Press, 2004, ch. 41. Ritz C, Baty F, Streibig JC, Gerhard D.
    Dose-response analysis using R. PLoS One 2015;10:e0146021.

    Examples
    --------
    >>> float(logistic4(1e-7, 0.0, 100.0, -7.0, -1.0))
    50.0
    >>> float(logistic4(0.0, 0.0, 100.0, -7.0, -1.0))
    100.0
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        lx = np.log10(x)
    z = math.log(10.0) * hill * (lx - log_ic50)
    with np.errstate(over="ignore", invalid="ignore"):
        f = 0.5 * (1.0 + np.tanh(0.5 * z))  # logistic σ(z), overflow-free
    zero = x == 0
    if np.any(zero):
        f = np.where(zero, 0.0 if hill > 0 else (1.0 if hill < 0 else 0.5), f)
    return bottom + (top - bottom) * f


def ki_from_ic50_binding(log_ic50, radioligand: float, kd: float):
    """Cheng–Prusoff for competitive binding on log scale: log Ki = log IC50 − log10(1 + [L]/Kd).

    ``radioligand`` and ``kd`` in the same unit (only their ratio enters).
    Reference: Cheng Y, Prusoff WH. Biochem Pharmacol 1973;22:3099.
    """
    return np.asarray(log_ic50, dtype=float) - _binding_shift(radioligand, kd)


def _binding_shift(radioligand: float, kd: float) -> float:
    """log10(1 + [L]/Kd): the distance between log IC50 and log Ki (Cheng & Prusoff 1973),
    from :func:`neuromoa.pharmacology.ic50_from_ki_binding` (IC50 of a unit Ki)."""
    return math.log10(float(ic50_from_ki_binding(1.0, radioligand, kd)))


def one_site_ki_curve(x, bottom, top, log_ki, radioligand, kd):
    """Prism's "One site – Fit Ki": homologous-free competitive binding of an unlabelled ligand.

    ``Y = bottom + (top − bottom)/(1 + 10^(log10 X − log IC50))`` with
    ``log IC50 = log10(10^log_ki · (1 + [L]/Kd))``: a 4PL with hill = −1 whose location is
    reported as log Ki (Cheng & Prusoff 1973). ``radioligand`` and ``kd`` in the unit of x.
    """
    return logistic4(x, bottom, top, log_ki + _binding_shift(radioligand, kd), -1.0)


@dataclass(frozen=True)
class Model:
    """One concentration–response model of the registry.

    Attributes
    ----------
    name : str
        Registry key (CLI ``--model``).
    title : str
        What GraphPad Prism calls it.
    params : tuple of str
        Reported parameters, in order; ``location`` is the one on the log-concentration axis.
    location : str
        ``"log_ic50"``, ``"log_ki"`` or ``"log_xb"`` (the 5PL's inflection).
    linear : str
        Name of 10^location when it is not the IC50 (``"ki"``, ``"xb"``).
    fixed : mapping
        Kernel parameters the model itself fixes (e.g. hill = −1).
    requires : tuple of str
        Keyword arguments the model needs (e.g. ``radioligand``, ``kd``).
    formula, reference : str
        For documentation and reports.
    """

    name: str
    title: str
    params: tuple[str, ...]
    location: str
    fixed: Mapping[str, float] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    formula: str = ""
    reference: str = ""
    extra: tuple[str, ...] = ()
    linear: str = ""

    @property
    def kernel_params(self) -> tuple[str, ...]:
        """Kernel parameters, in kernel order (the four of the 4PL, then ``extra``)."""
        return KERNEL_PARAMS + self.extra

    @property
    def names(self) -> tuple[str, ...]:
        """Reported parameter names, in kernel order (the location under its own name)."""
        return ("bottom", "top", self.location, "hill") + self.extra

    def shift(self, **kwargs: float) -> float:
        """log10 IC50 − location parameter (0 except for Ki models)."""
        if self.name == "one_site_ki":
            return _binding_shift(kwargs["radioligand"], kwargs["kd"])
        return 0.0

    def check_kwargs(self, kwargs: Mapping[str, object]) -> dict[str, float]:
        """Return the model's keyword arguments as floats, or raise naming the missing one."""
        unknown = sorted(set(kwargs) - set(self.requires))
        if unknown:
            raise ParameterError(f"model '{self.name}' takes no argument {unknown[0]!r}; it takes "
                                 f"{list(self.requires) or 'none'}.")
        out = {}
        for key in self.requires:
            if key not in kwargs or kwargs[key] is None:
                raise ParameterError(f"model '{self.name}' needs '{key}' with a unit, e.g. "
                                     "radioligand='1 nM', kd='0.5 nM'.")
            v = kwargs[key]
            try:
                out[key] = float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ParameterError(f"The '{key}' parameter of model '{self.name}' must be a "
                                     f"number. Got {v!r}.") from None
            if not (math.isfinite(out[key]) and out[key] > 0 or (key == "radioligand"
                                                                 and out[key] == 0)):
                raise ParameterError(f"The '{key}' parameter of model '{self.name}' must be a "
                                     f"float in {'[0' if key == 'radioligand' else '(0'}, inf). "
                                     f"Got {v!r}.")
        return out


MODELS: dict[str, Model] = {
    "4pl": Model(
        name="4pl",
        title="log(inhibitor) vs. response – variable slope (four parameters)",
        params=("bottom", "top", "log_ic50", "hill"),
        location="log_ic50",
        formula="Y = bottom + (top - bottom)/(1 + 10^((log_ic50 - log10 X)*hill))",
        reference="Motulsky & Christopoulos 2004, ch. 41; Prism 'log(inhibitor) vs. response'",
    ),
    "3pl": Model(
        name="3pl",
        title="log(inhibitor) vs. response (three parameters, hill = -1)",
        params=("bottom", "top", "log_ic50", "hill"),
        location="log_ic50",
        fixed={"hill": -1.0},
        formula="Y = bottom + (top - bottom)/(1 + 10^(log10 X - log_ic50))",
        reference="Motulsky & Christopoulos 2004, ch. 41; Prism 'log(inhibitor) vs. response'",
    ),
    "5pl": Model(
        name="5pl",
        title="asymmetric sigmoidal, 5PL (five parameters)",
        params=("bottom", "top", "log_xb", "hill", "asym"),
        location="log_xb",
        extra=("asym",),
        linear="xb",
        formula="Y = bottom + (top - bottom)/(1 + 10^((log_xb - log10 X)*hill))^asym; "
                "log_ic50 (half-maximal) = log_xb - log10(2^(1/asym) - 1)/hill",
        reference="Gottschalk & Dunn 2005 Anal Biochem 343:54; Prism 'Asymmetric sigmoidal, "
                  "5PL' (log_xb is Prism's LogXb)",
    ),
    "one_site_ki": Model(
        name="one_site_ki",
        title="One site – Fit Ki (competitive binding, Cheng–Prusoff)",
        params=("bottom", "top", "log_ki", "hill"),
        location="log_ki",
        fixed={"hill": -1.0},
        requires=("radioligand", "kd"),
        linear="ki",
        formula="Y = bottom + (top - bottom)/(1 + 10^(log10 X - log10(10^log_ki*(1 + L/Kd))))",
        reference="Cheng & Prusoff 1973 Biochem Pharmacol 22:3099; Prism 'One site - Fit Ki'",
    ),
}


def get_model(name: str | Model) -> Model:
    """Look a model up by registry name (``"4pl"``, ``"3pl"``, ``"5pl"``, ``"one_site_ki"``)."""
    if isinstance(name, Model):
        return name
    try:
        return MODELS[str(name).lower()]
    except KeyError:
        raise ParameterError(f"unknown model {name!r}; choose one of {sorted(MODELS)}.") from None


def logistic4_and_jacobian(lx, p):
    """The 4PL at log10 concentrations ``lx`` (``-inf`` = X = 0) for kernel parameters ``p``
    (bottom, top, log_ic50, hill) and its Jacobian (n, 4) with respect to them."""
    b, t, c, h = p
    with np.errstate(over="ignore", invalid="ignore"):
        z = _LN10 * h * (lx - c)
        f = 0.5 * (1.0 + np.tanh(0.5 * z))
    zero = lx == -np.inf
    f = np.where(zero, 0.0 if h > 0 else (1.0 if h < 0 else 0.5), f)
    q = f * (1 - f) * _LN10 * (t - b)
    jc = np.where(zero, 0.0, -q * h)
    jh = np.where(zero, 0.0, q * np.where(zero, 0.0, lx - c))
    return b + (t - b) * f, np.stack([1 - f, f, jc, jh], axis=1)
