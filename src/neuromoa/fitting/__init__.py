"""Model fitting: one result type for every fit, a compiled batch engine for the logistic
family and a generic unit-aware engine for every other model; uncertainty, model comparison,
plate QC and plots.

* :func:`fit_curves` / :func:`fit_curve` / :func:`fit_frame` / :func:`fit_csv`: GraphPad
  Prism's four-parameter logistic and its variants (3PL, 5PL, fixed or shared parameters,
  one-site "Fit Ki") for many curves at once, a compiled Levenberg–Marquardt per curve.
* :func:`fit_model`: any model of the registry :data:`FIT_MODELS` (Boltzmann, exponential
  decay / approach / recovery, exact-depletion binding, 5PL, or one you declare with
  :class:`FitModel` and :func:`register_model`).

Every fit reports estimates, standard errors, asymptotic and profile-likelihood 95 %
intervals, RSS, R², AICc and a status with flags (:class:`ModelFit`; :class:`CurveFit` for
the logistic family); :func:`compare_fits` gives the extra-sum-of-squares F test and AICc.

The names below load their module on first use (PEP 562), so that importing one light module
of the package (a model formula, the result types) does not start numba, pandas or scipy;
importing the package still names every dependency statically for the import linter (the
``TYPE_CHECKING`` block) and ``neuromoa.fitting`` stays one layer of the contract.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neuromoa.fitting.compare import aicc, compare_fits, compare_models, f_test
    from neuromoa.fitting.engine import WEIGHTS, fit_curve, fit_curves
    from neuromoa.fitting.frame import fit_csv, fit_frame
    from neuromoa.fitting.generic import FitModel, FitParam
    from neuromoa.fitting.models import (
        MODELS,
        Model,
        get_model,
        ki_from_ic50_binding,
        logistic4,
        one_site_ki_curve,
    )
    from neuromoa.fitting.outliers import rout_outliers
    from neuromoa.fitting.plotting import plot_batch, plot_curve, plot_fit
    from neuromoa.fitting.qc import RoutResult, signal_window, z_prime
    from neuromoa.fitting.registry import FIT_MODELS, fit_model, get_fit_model, register_model
    from neuromoa.fitting.results import FLAGS, BatchFit, Comparison, CurveFit, ModelFit

#: Public name → the module that defines it.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("aicc", "compare_fits", "compare_models", "f_test"), "compare"),
    **dict.fromkeys(("WEIGHTS", "fit_curve", "fit_curves"), "engine"),
    **dict.fromkeys(("fit_csv", "fit_frame"), "frame"),
    **dict.fromkeys(("FitModel", "FitParam"), "generic"),
    **dict.fromkeys(("MODELS", "Model", "get_model", "ki_from_ic50_binding", "logistic4",
                     "one_site_ki_curve"), "models"),
    "rout_outliers": "outliers",
    **dict.fromkeys(("plot_batch", "plot_curve", "plot_fit"), "plotting"),
    **dict.fromkeys(("RoutResult", "signal_window", "z_prime"), "qc"),
    **dict.fromkeys(("FIT_MODELS", "fit_model", "get_fit_model", "register_model"), "registry"),
    **dict.fromkeys(("FLAGS", "BatchFit", "Comparison", "CurveFit", "ModelFit"), "results"),
}

__all__ = [
    "BatchFit",
    "Comparison",
    "CurveFit",
    "FIT_MODELS",
    "FLAGS",
    "FitModel",
    "FitParam",
    "MODELS",
    "Model",
    "ModelFit",
    "RoutResult",
    "WEIGHTS",
    "aicc",
    "compare_fits",
    "compare_models",
    "f_test",
    "fit_csv",
    "fit_curve",
    "fit_curves",
    "fit_frame",
    "fit_model",
    "get_fit_model",
    "get_model",
    "ki_from_ic50_binding",
    "logistic4",
    "one_site_ki_curve",
    "plot_batch",
    "plot_curve",
    "plot_fit",
    "register_model",
    "rout_outliers",
    "signal_window",
    "z_prime",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'neuromoa.fitting' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"neuromoa.fitting.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
