"""Model fitting: one result type for every fit, a compiled batch engine for the logistic
family and a generic unit-aware engine for every other model; uncertainty, model comparison,
plate QC and plots.

* :func:`fit_curves` / :func:`fit_curve` / :func:`fit_frame` / :func:`fit_csv`: GraphPad
  Prism's four-parameter logistic and its variants (3PL, fixed or shared parameters, one-site
  "Fit Ki") for many curves at once, a compiled Levenberg–Marquardt per curve.
* :func:`fit_model`: any model of the registry :data:`FIT_MODELS` (Boltzmann, exponential
  decay / approach / recovery, exact-depletion binding, 5PL, or one you declare with
  :class:`FitModel` and :func:`register_model`).

Every fit reports estimates, standard errors, asymptotic and profile-likelihood 95 %
intervals, RSS, R², AICc and a status with flags (:class:`ModelFit`; :class:`CurveFit` for
the logistic family); :func:`compare_fits` gives the extra-sum-of-squares F test and AICc.
"""

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
