"""The registry of the generic engine's models, and :func:`fit_model` by name.

:data:`FIT_MODELS` holds the shipped models of :mod:`neuromoa.fitting.library`; a user's
model is added with :func:`register_model` (or passed to :func:`fit_model` directly).
"""

from __future__ import annotations

from typing import Any

from neuromoa.errors import ParameterError
from neuromoa.fitting import generic
from neuromoa.fitting.generic import FitModel
from neuromoa.fitting.library import SHIPPED
from neuromoa.fitting.results import ModelFit

__all__ = ["FIT_MODELS", "fit_model", "get_fit_model", "register_model"]

#: Registered generic models: name → model (the shipped ones first).
FIT_MODELS: dict[str, FitModel] = {m.name: m for m in SHIPPED}


def register_model(model: FitModel) -> FitModel:
    """Add ``model`` to :data:`FIT_MODELS` (a name is registered once)."""
    if model.name in FIT_MODELS and FIT_MODELS[model.name] is not model:
        raise ParameterError(f"a fit model named {model.name!r} is already registered.")
    FIT_MODELS[model.name] = model
    return model


def get_fit_model(name: str | FitModel) -> FitModel:
    """Look a generic model up by name (a :class:`FitModel` is returned as is)."""
    if isinstance(name, FitModel):
        return name
    try:
        return FIT_MODELS[str(name)]
    except KeyError:
        raise ParameterError(f"unknown fit model {name!r}; choose one of "
                             f"{sorted(FIT_MODELS)}.") from None


def fit_model(model: str | FitModel, x: Any, y: Any, **kwargs: Any) -> ModelFit:
    """Fit a registered model (by name, e.g. ``"boltzmann"``) or a :class:`FitModel`; see
    :func:`neuromoa.fitting.generic.fit_model` for the options and the result.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 0.05, 11)
    >>> fit = fit_model("exp_decay", t, 2.0 * np.exp(-t / 0.01) + 0.5, x_unit="s")
    >>> fit.status, round(fit.params["tau"], 6), fit.units["tau"]
    ('ok', 0.01, 's')
    """
    return generic.fit_model(get_fit_model(model), x, y, **kwargs)
