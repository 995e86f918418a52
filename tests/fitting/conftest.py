"""Shared helpers for the fitting tests: an independent 4PL and scipy reference fits."""

import os
import warnings

import numpy as np
import pytest
from scipy.optimize import OptimizeWarning, curve_fit

#: Size multiplier for the slow statistical checks (NEUROMOA_FULL=1 → the issue's full sizes).
FULL = os.environ.get("NEUROMOA_FULL", "") not in ("", "0")

NAMES = ("bottom", "top", "log_ic50", "hill")
DESIGN = 10.0 ** np.linspace(-10.0, -5.5, 10)


def prism4(x, bottom, top, log_ic50, hill):
    """Prism's 4PL written directly from the GraphPad formula (independent of neuromoa)."""
    x = np.asarray(x, dtype=float)
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - np.log10(x)) * hill))


def scipy_fit(f, x, y, p0, sigma=None, bounds=(-np.inf, np.inf)):
    """curve_fit to tight tolerances; returns (params, standard errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        kw = dict(ftol=1e-15, xtol=1e-15, gtol=1e-15)
        if np.isfinite(np.asarray(bounds[0], float)).any() or \
                np.isfinite(np.asarray(bounds[1], float)).any():
            p, cov = curve_fit(f, x, y, p0=p0, sigma=sigma, bounds=bounds, **kw)
        else:
            p, cov = curve_fit(f, x, y, p0=p0, sigma=sigma, maxfev=100000, **kw)
    return p, np.sqrt(np.diag(cov))


def params_of(fit, names=NAMES):
    return np.array([fit.params[k] for k in names])


def simulate(rng, n_curves, noise=5.0, x=DESIGN):
    truth = np.column_stack([rng.normal(0, 3, n_curves), rng.normal(100, 3, n_curves),
                             rng.uniform(-8.5, -7.0, n_curves), rng.uniform(-1.5, -0.7, n_curves)])
    y = np.array([prism4(x, *t) for t in truth]) + rng.normal(0, noise, (n_curves, x.size))
    return truth, y


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)
