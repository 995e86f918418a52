"""Concentration–response fitting: models, a compiled batch fitter, uncertainty, model
comparison, plate QC and plots.

The engine fits GraphPad Prism's four-parameter logistic (and variants: fixed parameters,
one-site "Fit Ki") to many curves at once with a compiled Levenberg–Marquardt per curve, and
reports estimates, standard errors (Gauss–Newton or observed Hessian), asymptotic and
profile-likelihood 95 % intervals, RSS, R², AICc, and a status with flags for each curve.
"""

from neuromoa.fitting.compare import aicc, compare_fits, compare_models, f_test
from neuromoa.fitting.engine import WEIGHTS, fit_curve, fit_curves
from neuromoa.fitting.models import (
    MODELS,
    Model,
    get_model,
    ki_from_ic50_binding,
    logistic4,
    one_site_ki_curve,
)
from neuromoa.fitting.qc import RoutResult, rout_outliers, signal_window, z_prime
from neuromoa.fitting.results import FLAGS, BatchFit, Comparison, CurveFit

__all__ = [
    "BatchFit",
    "Comparison",
    "CurveFit",
    "FLAGS",
    "MODELS",
    "Model",
    "RoutResult",
    "WEIGHTS",
    "aicc",
    "compare_fits",
    "compare_models",
    "f_test",
    "fit_curve",
    "fit_curves",
    "get_model",
    "ki_from_ic50_binding",
    "logistic4",
    "one_site_ki_curve",
    "rout_outliers",
    "signal_window",
    "z_prime",
]
