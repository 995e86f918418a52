"""Result objects of the fitter: :class:`CurveFit` (one curve) and :class:`BatchFit` (many).

A :class:`BatchFit` keeps its numbers in columns (numpy arrays), so a million-curve screen
costs a few arrays, not a million objects; :attr:`BatchFit.fits` builds the per-curve objects
on demand.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from neuromoa.fitting._text import jsonable as _jsonable
from neuromoa.fitting.flags import (
    FAIL_FLAGS,
    FAILED,
    FLAG_TEXT,
    FLAGS,
    NO_EFFECT_FLAGS,
    OK,
    WARNING,
    flag_names,
    status_codes,
)
from neuromoa.fitting.models import BOTTOM, HILL, LOGC, NPAR, TOP, Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BatchFit", "Comparison", "CurveFit", "FAILED", "FAIL_FLAGS", "FLAGS", "FLAG_TEXT", "ModelFit",
           "NO_EFFECT_FLAGS", "OK", "WARNING", "flag_names", "status_codes"]

def _f(v: Any) -> float | None:
    """JSON-safe float (NaN/inf → None)."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Comparison:
    """Extra-sum-of-squares F test and AICc between a simpler and a more complex fit.

    ``f = ((RSS_simple − RSS_complex)/(df_simple − df_complex)) / (RSS_complex/df_complex)``,
    ``p`` its upper-tail probability on (df_num, df_den); ``aicc_delta = AICc_simple −
    AICc_complex`` (positive → the complex model is more likely; ``prob_simple`` is the Akaike
    weight of the simple one). Reference: Motulsky & Christopoulos 2004, ch. 22–23.
    """

    simple: str
    complex: str
    f: float
    df_num: int
    df_den: int
    p: float
    aicc_simple: float
    aicc_complex: float
    aicc_delta: float
    prob_simple: float
    preferred: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (NaN → None)."""
        return {"simple": self.simple, "complex": self.complex, "f": _f(self.f),
                "df_num": int(self.df_num), "df_den": int(self.df_den), "p": _f(self.p),
                "aicc_simple": _f(self.aicc_simple), "aicc_complex": _f(self.aicc_complex),
                "aicc_delta": _f(self.aicc_delta), "prob_simple": _f(self.prob_simple),
                "preferred": self.preferred}

    def to_frame(self) -> pd.DataFrame:
        """One-row table."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


@dataclass(frozen=True, eq=False, kw_only=True)
class ModelFit:
    """The fit of one model to one data set: the one result type of every fit in neuromoa.

    The generic engine (:func:`neuromoa.fitting.fit_model`) returns it for any registered
    model; the compiled logistic engine returns its subclass :class:`CurveFit`.

    Attributes
    ----------
    model : str
        Registry name of the model.
    params : dict
        Estimates, each in the unit ``units[name]`` (NaN when withheld: status "failed").
    se : dict
        Standard errors of the free parameters, s²(JᵀWJ)⁻¹ with s² = RSS/df (parameters fitted
        on a log scale: delta method).
    ci95 : dict
        95 % intervals of the free parameters (``ci_method``: "asymptotic" = estimate ± t·SE,
        on the log scale for log-scale parameters; "profile" = F-based profile likelihood).
    ci95_asymptotic : dict
        The asymptotic intervals, whatever ``ci_method`` is.
    status, message, flags :
        "ok", "warning" (see ``flags``) or "failed" (no estimates; the optimiser's values are
        in ``raw``).
    rss, r2, aicc, n, df :
        Weighted residual sum of squares, R², AICc (parameters + variance), points, residual
        degrees of freedom.
    units : dict
        Unit of every parameter (pint spelling; "1" = dimensionless).
    unit : str or None
        Unit of the independent variable x.
    """

    model: str
    params: dict[str, float]
    se: dict[str, float]
    ci95: dict[str, tuple[float, float]]
    status: str
    message: str
    flags: list[str]
    rss: float
    r2: float
    aicc: float
    n: int
    df: int
    unit: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    se_method: str = "gauss-newton"
    ci_method: str = "asymptotic"
    ci95_asymptotic: dict[str, tuple[float, float]] = field(default_factory=dict)
    raw: dict[str, float] = field(default_factory=dict)
    cov: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    nfev: int = 0

    @property
    def reported(self) -> bool:
        """True when the fit has estimates (not failed, not withheld)."""
        return self.status != "failed" and not self.raw

    def __getattr__(self, name: str) -> float:
        """``fit.<param>_<unit>``: the estimate in that unit, e.g. ``fit.ki_M``, ``fit.tau_s``,
        and ``fit.ic50_<unit>`` of a curve fit (only the unit the value is in: the suffix is
        checked, never assumed)."""
        params = self.__dict__.get("params")
        units = self.__dict__.get("units")
        if params is not None and "_" in name and not name.startswith("_"):
            for p, u in (units or {}).items():
                if name == f"{p}_{u}" and p in params:
                    return params[p]
        unit = self.__dict__.get("unit")
        if unit and name == f"ic50_{unit}" and "ic50" in self.__dict__:
            return self.__dict__["ic50"]  # CurveFit.ic50 is in the data's unit
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (NaN → None)."""
        return {"model": self.model, "status": self.status, "message": self.message,
                "params": {k: _f(v) for k, v in self.params.items()},
                "units": dict(self.units),
                "se": {k: _f(v) for k, v in self.se.items()},
                "ci95": {k: [_f(lo), _f(hi)] for k, (lo, hi) in self.ci95.items()},
                "rss": _f(self.rss), "r2": _f(self.r2), "aicc": _f(self.aicc),
                "n": int(self.n), "df": int(self.df), "flags": list(self.flags),
                "se_method": self.se_method, "ci_method": self.ci_method, "unit": self.unit,
                "raw": {k: _f(v) for k, v in self.raw.items()} if self.raw else None}

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: estimate, unit, SE, 95 % CI."""
        import pandas as pd

        rows = [{"parameter": k, "estimate": v, "unit": self.units.get(k, ""),
                 "se": self.se.get(k, float("nan")),
                 "ci_low": self.ci95.get(k, (float("nan"),) * 2)[0],
                 "ci_high": self.ci95.get(k, (float("nan"),) * 2)[1]}
                for k, v in self.params.items()]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        import html

        body = ", ".join(f"{k} = {v:.4g} {self.units.get(k, '')}".strip()
                         for k, v in self.params.items())
        return f"<b>ModelFit</b> {html.escape(self.model)}: {self.status}; {html.escape(body)}"


@dataclass(frozen=True, eq=False, kw_only=True)
class CurveFit(ModelFit):
    """The fit of one concentration–response curve.

    Attributes
    ----------
    curve : object
        Curve id.
    model : str
        Registry name of the model.
    params : dict
        Estimates (``bottom top log_ic50 hill``, plus ``log_ki`` for Ki models), canonical
        form ``top ≥ bottom`` when both plateaus and the slope are free. Locations are log10 of
        the data's concentration unit (``unit``).
    se : dict
        Standard errors of the free parameters (``se_method``: ``"gauss-newton"`` s²(JᵀWJ)⁻¹
        as Prism/curve_fit, or ``"hessian"`` s²H⁻¹ as drc), s² = RSS/df.
    ci95 : dict
        95 % intervals of the free parameters: asymptotic (estimate ± t(0.975, df)·SE), the
        location parameter by profile likelihood when ``ci_method == "profile"``.
    ic50 : float
        10**log_ic50 in the data's unit (NaN when no estimate is reported).
    status : str
        ``"ok"``, ``"warning"`` (see ``flags``/``message``) or ``"failed"`` (no estimates).
        A fit with no finite optimum (``unstable``) or that did not converge
        (``not_converged``) is ``"failed"``; a curve with no concentration-dependent effect
        (``no_effect``, ``flat``) is ``"warning"``. In both cases ``params``, ``se``,
        ``ci95`` and ``ic50`` are NaN and the optimiser's values are in ``raw``.
    raw : dict
        The optimiser's parameter values when the estimates are withheld (empty otherwise):
        not estimates, only where the optimiser stopped.
    ic50_gt : float
        For ``no_effect``: the highest tested concentration (IC50 > ic50_gt); NaN otherwise.
    """

    curve: Any
    ic50: float
    outliers: list[int] = field(default_factory=list)
    ic50_gt: float = float("nan")
    x: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    y: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    kernel_params: np.ndarray = field(default_factory=lambda: np.full(4, np.nan), repr=False)
    kernel_cov: np.ndarray = field(default_factory=lambda: np.full((4, 4), np.nan), repr=False)

    def predict(self, x) -> np.ndarray:
        """Fitted response at concentrations ``x`` (data unit; 0 allowed)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            lx = np.log10(x.ravel())
        p = np.asarray(self.kernel_params, float)
        if p.size > NPAR:
            from neuromoa.fitting._kernels5 import model_eval5

            return model_eval5(lx, p).reshape(x.shape)
        from neuromoa.fitting._kernels import model_eval

        return model_eval(lx, p).reshape(x.shape)

    def band(self, x, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise confidence band of the curve (delta method, t quantile with df).

        ``var Ŷ(x) = ∇Ŷᵀ Σ ∇Ŷ`` with Σ the parameter covariance (Prism's confidence bands,
        Motulsky & Christopoulos 2004 ch. 14)."""
        from scipy import special

        x = np.asarray(x, dtype=float).ravel()
        yhat = self.predict(x)
        cov = np.asarray(self.kernel_cov, float)
        if self.df <= 0 or not np.all(np.isfinite(cov)):
            return np.full_like(yhat, np.nan), np.full_like(yhat, np.nan)
        if len(self.kernel_params) > NPAR:  # 5PL: central differences of the model
            jac = self._numeric_jacobian(x)
        else:
            b, t, c, h = self.kernel_params
            with np.errstate(divide="ignore"):
                lx = np.log10(x)
            f = (yhat - b) / (t - b) if t != b else np.zeros_like(yhat)
            g = f * (1 - f) * math.log(10.0) * (t - b)
            fin = np.isfinite(lx)
            jac = np.stack([1 - f, f, np.where(fin, -g * h, 0.0),
                            np.where(fin, g * np.where(fin, lx - c, 0.0), 0.0)], axis=1)
        var = np.einsum("ij,jk,ik->i", jac, cov, jac)
        half = special.stdtrit(self.df, 0.5 + level / 2) * np.sqrt(np.maximum(var, 0.0))
        return yhat - half, yhat + half

    def _numeric_jacobian(self, x: np.ndarray) -> np.ndarray:
        """∂Ŷ/∂p at ``x`` by central differences (step 1e-6 of each parameter's size)."""
        from neuromoa.fitting._kernels5 import model_eval5

        with np.errstate(divide="ignore"):
            lx = np.log10(x)
        p = np.asarray(self.kernel_params, float)
        cols = []
        for k in range(p.size):
            d = 1e-6 * max(abs(p[k]), 1.0)
            hi, lo = p.copy(), p.copy()
            hi[k] += d
            lo[k] -= d
            cols.append((model_eval5(lx, hi) - model_eval5(lx, lo)) / (2 * d))
        return np.stack(cols, axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary with the CLI's keys (NaN → None)."""
        d: dict[str, Any] = {"curve": _jsonable(self.curve), "model": self.model,
                             "status": self.status, "message": self.message}
        for k, v in self.params.items():
            d[k] = _f(v)
        d["ic50"] = _f(self.ic50)
        if "log_ki" in self.params:
            d["ki"] = _f(10.0 ** self.params["log_ki"]) if math.isfinite(
                self.params["log_ki"]) else None
        d["se"] = {k: _f(v) for k, v in self.se.items()}
        d["ci95"] = {k: [_f(lo), _f(hi)] for k, (lo, hi) in self.ci95.items()}
        d.update({"rss": _f(self.rss), "r2": _f(self.r2), "aicc": _f(self.aicc),
                  "n": int(self.n), "df": int(self.df), "flags": list(self.flags),
                  "se_method": self.se_method, "ci_method": self.ci_method,
                  "outliers": [int(i) for i in self.outliers],
                  "ic50_gt": _f(self.ic50_gt),
                  "raw": {k: _f(v) for k, v in self.raw.items()} if self.raw else None})
        if self.unit is not None:
            d["unit"] = self.unit
        return d

    def to_frame(self) -> pd.DataFrame:
        """The data with fitted values and residuals."""
        import pandas as pd

        yhat = (self.predict(self.x) if self.reported else np.full(len(self.x), np.nan))
        return pd.DataFrame({"curve": self.curve, "concentration": self.x, "response": self.y,
                             "fitted": yhat, "residual": self.y - yhat})

    def _repr_html_(self) -> str:
        loc = "log_ki" if "log_ki" in self.params else "log_ic50"
        v = self.params.get(loc, float("nan"))
        return (f"<b>CurveFit</b> {html.escape(str(self.curve))}: {self.status}; {loc} = {v:.4g}, "
                f"hill = {self.params.get('hill', float('nan')):.3g}, R² = {self.r2:.4f}")


@dataclass(frozen=True, eq=False)
class BatchFit:
    """Many curve fits, stored by column.

    ``params``/``se``/``ci_low``/``ci_high`` are (N, 4) arrays in kernel order
    (bottom, top, log_ic50, hill) in canonical form; :meth:`to_frame` and :attr:`fits`
    give the named view. ``comparison`` holds the shared-vs-separate test of a global fit.
    """

    model: Model
    model_kwargs: dict[str, float]
    curve_ids: np.ndarray
    free: np.ndarray
    params: np.ndarray
    cov: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_low_asym: np.ndarray
    ci_high_asym: np.ndarray
    rss: np.ndarray
    r2: np.ndarray
    aicc: np.ndarray
    n: np.ndarray
    df: np.ndarray
    status_code: np.ndarray
    flag_bits: np.ndarray
    reasons: dict[int, str]
    notes: dict[int, str]
    xrange: np.ndarray
    data_x: np.ndarray
    data_y: np.ndarray
    offsets: np.ndarray
    unit: str | None = None
    se_method: str = "gauss-newton"
    ci_method: str = "asymptotic"
    shared: tuple[str, ...] = ()
    comparison: Comparison | None = None
    outliers: dict[int, list[int]] = field(default_factory=dict)
    #: "agonist" or "inhibitor" for every curve (``--effect``), or None = by curve direction.
    effect_given: str | None = None

    STATUS = ("ok", "warning", "failed")

    @cached_property
    def effect(self) -> np.ndarray:
        """Per-curve "agonist" (response rises with concentration: an EC50), "inhibitor" (it
        falls: an IC50), or "" when no estimate is reported; ``effect_given`` overrides the
        direction for every reported curve."""
        p = self.params
        with np.errstate(invalid="ignore"):
            rise = (p[:, TOP] - p[:, BOTTOM]) * p[:, HILL] if len(p) else np.empty(0)
        lab = np.where(rise > 0, "agonist", "inhibitor").astype(object)
        if self.effect_given is not None:
            lab[:] = self.effect_given
        lab[self.withheld | ~np.isfinite(rise)] = ""
        return lab

    @property
    def potency_label(self) -> np.ndarray:
        """Per-curve "ec50" (agonist), "ic50" (inhibitor) or ""."""
        return np.array([{"agonist": "ec50", "inhibitor": "ic50"}.get(e, "")
                         for e in self.effect.tolist()], dtype=object)

    def with_checks(self, bounds: dict[str, tuple[float, float]] | None = None,
                    effect: str | None = None) -> BatchFit:
        """This batch with Prism's result checks added to the flags of reported curves:
        ``at_bound`` (a parameter at a ``bounds`` limit), ``poor_fit`` (R² < POOR_FIT_R2 or
        runs test P < RUNS_ALPHA), ``ambiguous`` (dependency > 0.9999); statuses follow.
        ``effect`` ("agonist"/"inhibitor") overrides the EC50/IC50 label of every curve."""
        import dataclasses

        from neuromoa.fitting.flags import (
            AMBIGUOUS_DEPENDENCY,
            POOR_FIT_R2,
            RUNS_ALPHA,
            dependency,
            runs_test,
            runs_test_4pl,
        )

        if effect not in (None, "agonist", "inhibitor"):
            from neuromoa.errors import ParameterError

            raise ParameterError(f"effect must be 'agonist' or 'inhibitor'; got {effect!r}.")
        n = len(self)
        bits = self.flag_bits.astype(np.int64).copy()
        rep = ~self.withheld & (self.status_code != FAILED)
        if n:
            p, _, _, _ = self._views()
            if bounds:
                names = list(self.model.names)
                at = np.zeros(n, bool)
                for name, (lo, hi) in bounds.items():
                    if name not in names:
                        continue
                    v = p[:, names.index(name)]
                    for b in (lo, hi):
                        if b is not None and np.isfinite(b):
                            at |= np.abs(v - b) <= 1e-6 * max(1.0, abs(b))
                bits[rep & at] |= FLAGS["at_bound"]
            xs = self.data_x
            inner = np.ones(xs.size, bool)  # x ascending within every curve (the engine's pack)
            starts = self.offsets[1:-1]
            inner[starts[starts < xs.size]] = False
            sorted_x = bool(np.all((np.diff(xs) >= 0) | ~inner[1:])) if xs.size > 1 else True
            if self.params.shape[1] == NPAR and sorted_x:
                pr = runs_test_4pl(xs, self.data_y, self.offsets, self.params, rep)
            else:
                pr = runs_test(xs, self.data_y - self._fitted_all(rep), self.offsets)
            with np.errstate(invalid="ignore"):
                poor = (self.r2 < POOR_FIT_R2) | (pr < RUNS_ALPHA)
            bits[rep & poor] |= FLAGS["poor_fit"]
            dep = dependency(self.cov, self.free)
            with np.errstate(invalid="ignore"):
                amb = (dep > AMBIGUOUS_DEPENDENCY) & (self.df > 0)
            bits[rep & amb] |= FLAGS["ambiguous"]
        code = self.status_code.copy()
        code[(code == OK) & (bits != 0)] = WARNING
        new = dataclasses.replace(self, flag_bits=bits.astype(self.flag_bits.dtype),
                                  status_code=code, effect_given=effect)
        if hasattr(self, "read_notes"):
            object.__setattr__(new, "read_notes", self.read_notes)
        return new

    def with_effect(self, effect: str | None) -> BatchFit:
        """This batch with every reported curve labelled ``effect`` ("agonist": EC50,
        "inhibitor": IC50); None = by curve direction."""
        import dataclasses

        if effect not in (None, "agonist", "inhibitor"):
            from neuromoa.errors import ParameterError

            raise ParameterError(f"effect must be 'agonist' or 'inhibitor'; got {effect!r}.")
        new = dataclasses.replace(self, effect_given=effect)
        if hasattr(self, "read_notes"):
            object.__setattr__(new, "read_notes", self.read_notes)
        return new

    def _fitted_all(self, rows: np.ndarray) -> np.ndarray:
        """Fitted values at every data point of the curves marked in ``rows`` (NaN elsewhere);
        the 4-parameter logistic vectorised (f = 1/(1 + e^(−ln10·hill·(log X − c))), the
        kernel's formula, X = 0 its limit), other models curve by curve."""
        fitted = np.full(self.data_y.shape, np.nan)
        counts = np.diff(self.offsets)
        if self.params.shape[1] > NPAR:
            for i in np.flatnonzero(rows):
                s, e = int(self.offsets[i]), int(self.offsets[i + 1])
                fitted[s:e] = self.fit_values(i)
            return fitted
        cid = np.repeat(np.arange(len(self)), counts)
        sel = rows[cid]
        p = self.params[cid[sel]]
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            lx = np.log10(self.data_x[sel])
            z = np.log(10.0) * p[:, HILL] * (lx - p[:, LOGC])
            f = np.where(np.isneginf(lx), np.where(p[:, HILL] > 0, 0.0,
                                                   np.where(p[:, HILL] < 0, 1.0, 0.5)),
                         0.5 * (1.0 + np.tanh(z / 2.0)))
        fitted[sel] = p[:, BOTTOM] + (p[:, TOP] - p[:, BOTTOM]) * f
        return fitted

    def fit_values(self, i: int) -> np.ndarray:
        """Fitted responses of curve ``i`` at its data's concentrations."""
        s, e = int(self.offsets[i]), int(self.offsets[i + 1])
        x = self.data_x[s:e]
        with np.errstate(divide="ignore"):
            lx = np.log10(x)
        p = np.asarray(self.params[i], float)
        if p.size > NPAR:
            from neuromoa.fitting._kernels5 import model_eval5

            return model_eval5(lx, p)
        from neuromoa.fitting._kernels import model_eval

        return model_eval(lx, p)

    def __len__(self) -> int:
        return len(self.curve_ids)

    @property
    def status(self) -> np.ndarray:
        """Per-curve status strings."""
        return np.array(self.STATUS, dtype=object)[self.status_code]

    @property
    def shift(self) -> float:
        return self.model.shift(**self.model_kwargs)

    @cached_property
    def withheld(self) -> np.ndarray:
        """Curves whose estimates are not reported: failed, or no concentration-dependent
        effect (``no_effect``/``flat``). Their rows of ``params`` hold the optimiser's values
        (the ``raw`` of the views) where it ran, NaN where it did not."""
        return (self.status_code == FAILED) | ((self.flag_bits.astype(np.int64)
                                                 & NO_EFFECT_FLAGS) != 0)

    @cached_property
    def ic50_gt(self) -> np.ndarray:
        """Highest tested concentration (data unit) of ``no_effect`` curves (IC50 > it);
        NaN for the others."""
        ne = (self.flag_bits.astype(np.int64) & FLAGS["no_effect"]) != 0
        with np.errstate(over="ignore"):
            return np.where(ne, 10.0 ** self.xrange[:, 1], np.nan)

    def _views(self) -> tuple[np.ndarray, ...]:
        """Reported (params, se, ci_low, ci_high) in named units (location shifted), NaN
        where withheld."""
        wh = self.withheld[:, None]
        p = np.where(wh, np.nan, self.params)
        lo = np.where(wh, np.nan, self.ci_low)
        hi = np.where(wh, np.nan, self.ci_high)
        se = np.where(wh, np.nan, self.se)
        shift = self.shift
        p[:, LOGC] -= shift
        lo[:, LOGC] -= shift
        hi[:, LOGC] -= shift
        return p, se, lo, hi

    def _log_ic50(self, p: np.ndarray) -> np.ndarray:
        """log10 of the half-maximal concentration for rows ``p`` (reported units, the
        location already shifted): the location plus the Fit-Ki shift, or for the 5PL
        ``log_xb − log10(2^(1/asym) − 1)/hill`` (Gottschalk & Dunn 2005)."""
        p = np.atleast_2d(np.asarray(p, dtype=float))
        if "asym" in self.model.extra:
            with np.errstate(all="ignore"):
                return p[:, LOGC] - np.log10(2.0 ** (1.0 / p[:, 4]) - 1.0) / p[:, HILL]
        return p[:, LOGC] + self.shift

    def _raw_named(self, i: int) -> dict[str, float]:
        """The optimiser's values of a withheld curve (empty if reported or never fitted)."""
        if not self.withheld[i] or not np.isfinite(self.params[i]).any():
            return {}
        loc = self.model.location
        names = self.model.names
        p = self.params[i].copy()
        p[LOGC] -= self.shift
        raw = {nm: float(p[k]) for k, nm in enumerate(names)}
        if loc != "log_ic50":
            raw["log_ic50"] = float(self._log_ic50(p)[0])
        return raw

    def message(self, i: int) -> str:
        """The explanation for curve ``i``: failure reason, or its warnings."""
        if i in self.reasons:
            return self.reasons[i]
        parts = [f"{name}: {FLAG_TEXT[name]}" for name in flag_names(int(self.flag_bits[i]))]
        if i in self.notes:
            parts.append(self.notes[i])
        return "; ".join(parts)

    def flags(self, i: int) -> list[str]:
        """Flag names of curve ``i``."""
        return flag_names(int(self.flag_bits[i]))

    def _named(self, i: int) -> tuple[dict, dict, dict, dict]:
        shift = self.shift
        loc = self.model.location
        names = self.model.names
        p = self.params[i].copy()
        lo, hi = self.ci_low[i].copy(), self.ci_high[i].copy()
        alo, ahi = self.ci_low_asym[i].copy(), self.ci_high_asym[i].copy()
        sei = self.se[i].copy()
        if self.withheld[i]:
            for arr in (p, lo, hi, alo, ahi, sei):
                arr[:] = np.nan
        p[LOGC] -= shift
        lo[LOGC] -= shift
        hi[LOGC] -= shift
        alo[LOGC] -= shift
        ahi[LOGC] -= shift
        params = {nm: float(p[k]) for k, nm in enumerate(names)}
        if loc != "log_ic50":
            params["log_ic50"] = float(self._log_ic50(p)[0])
        se = {nm: float(sei[k]) for k, nm in enumerate(names) if self.free[k]}
        ci = {nm: (float(lo[k]), float(hi[k])) for k, nm in enumerate(names) if self.free[k]}
        aci = {nm: (float(alo[k]), float(ahi[k])) for k, nm in enumerate(names) if self.free[k]}
        return params, se, ci, aci

    def fit(self, i: int) -> CurveFit:
        """The :class:`CurveFit` of curve number ``i`` (position, not id)."""
        params, se, ci, aci = self._named(i)
        s, e = self.offsets[i], self.offsets[i + 1]
        return CurveFit(
            curve=_jsonable(self.curve_ids[i]), model=self.model.name, params=params, se=se,
            ci95=ci, ic50=float(10.0 ** (params["log_ic50"])) if math.isfinite(
                params["log_ic50"]) else float("nan"),
            status=self.STATUS[self.status_code[i]], message=self.message(i),
            flags=self.flags(i), rss=float(self.rss[i]), r2=float(self.r2[i]),
            aicc=float(self.aicc[i]), n=int(self.n[i]), df=int(self.df[i]), unit=self.unit,
            se_method=self.se_method, ci_method=self.ci_method, ci95_asymptotic=aci,
            outliers=list(self.outliers.get(i, [])), raw=self._raw_named(i),
            ic50_gt=float(self.ic50_gt[i]),
            x=self.data_x[s:e].copy(), y=self.data_y[s:e].copy(),
            kernel_params=self.params[i].copy(), kernel_cov=self.cov[i].copy())

    @cached_property
    def fits(self) -> list[CurveFit]:
        """Per-curve :class:`CurveFit` objects (built on first access)."""
        return [self.fit(i) for i in range(len(self))]

    def __getitem__(self, curve_id: Any) -> CurveFit:
        """The fit of the curve with id ``curve_id``."""
        idx = np.flatnonzero(self.curve_ids.astype(object) == curve_id)
        if idx.size == 0:
            from neuromoa.errors import InputError

            raise InputError(f"no curve {curve_id!r} in this batch.")
        return self.fit(int(idx[0]))

    def to_frame(self) -> pd.DataFrame:
        """One row per curve: curve, status, message, estimates, SEs, 95 % CI, statistics.

        Withheld curves (failed, ``no_effect``, ``flat``) have NaN estimates (blank in a CSV);
        ``ic50_gt`` holds the highest tested concentration of ``no_effect`` curves, and the
        ``raw_*`` columns the optimiser's values of withheld curves (NaN otherwise)."""
        import pandas as pd

        shift = self.shift
        loc = self.model.location
        names = self.model.names
        p, se, lo, hi = self._views()
        wh = self.withheld
        cols: dict[str, Any] = {"curve": self.curve_ids, "status": self.status,
                                "message": self._messages()}
        for k, nm in enumerate(names):
            cols[nm] = p[:, k]
        with np.errstate(over="ignore"):
            lic50 = self._log_ic50(p) if len(p) else np.empty(0)
            if loc != "log_ic50":
                cols["log_ic50"] = lic50
                cols[self.model.linear] = 10.0 ** p[:, LOGC]
            cols["ic50"] = 10.0 ** lic50
        cols["ic50_gt"] = self.ic50_gt
        for k, nm in enumerate(names):
            if self.free[k]:
                cols[f"{nm}_se"] = se[:, k]
                cols[f"{nm}_ci_low"] = lo[:, k]
                cols[f"{nm}_ci_high"] = hi[:, k]
        bits = self.flag_bits.astype(np.int64)
        ubits, inv = np.unique(bits, return_inverse=True)
        flag_text = np.array([",".join(flag_names(int(b))) for b in ubits], dtype=object)
        cols.update({"rss": self.rss, "r2": self.r2, "aicc": self.aicc, "n": self.n,
                     "df": self.df, "flags": flag_text[inv] if len(self) else [],
                     "effect": self.effect})
        if self.unit is not None:
            cols["unit"] = self.unit
        for k, nm in enumerate(names):
            raw = np.where(wh, self.params[:, k], np.nan)
            cols[f"raw_{nm}"] = raw - shift if k == LOGC else raw
        return pd.DataFrame(cols)

    def points_frame(self) -> pd.DataFrame:
        """One row per data point: curve, concentration (``unit``), response, fitted value and
        residual (fitted NaN for curves with no reported estimates)."""
        import pandas as pd

        counts = np.diff(self.offsets)
        fitted = self._fitted_all(~self.withheld)
        return pd.DataFrame({"curve": np.repeat(self.curve_ids, counts),
                             "concentration": self.data_x, "response": self.data_y,
                             "fitted": fitted, "residual": self.data_y - fitted})

    def records(self) -> list[dict[str, Any]]:
        """Per-curve JSON-safe dictionaries (the CLI's ``fits``), built by column.

        Keys: ``curve status message bottom top log_ic50 ic50 hill`` (+ ``log_ki ki``),
        ``ic50_gt``, ``se`` and ``ci95`` (free parameters), ``rss r2 aicc n df flags``,
        ``raw`` (+ ``outliers`` when ROUT ran). Withheld curves (failed, ``no_effect``,
        ``flat``) have null estimates and their optimiser values in ``raw`` (else null)."""
        n = len(self)
        loc = self.model.location
        names = self.model.names
        p, se, lo, hi = self._views()

        def col(a) -> list:
            a = np.asarray(a, dtype=float)
            return np.where(np.isfinite(a), a, np.nan).astype(object).tolist()

        def clean(v):
            return None if v != v else v  # NaN -> None

        pc = [[clean(v) for v in col(p[:, k])] for k in range(self.params.shape[1])]
        with np.errstate(over="ignore"):
            lic50 = self._log_ic50(p) if n else np.empty(0)
            ic50 = [clean(v) for v in col(10.0 ** lic50)]
        gt = [clean(v) for v in col(self.ic50_gt)]
        free_k = [k for k in range(self.params.shape[1]) if self.free[k]]
        sec = {k: [clean(v) for v in col(se[:, k])] for k in free_k}
        loc_ = {k: [clean(v) for v in col(lo[:, k])] for k in free_k}
        hic = {k: [clean(v) for v in col(hi[:, k])] for k in free_k}
        stats_ = [[clean(v) for v in col(a)] for a in (self.rss, self.r2, self.aicc)]
        nn = self.n.astype(int).tolist()
        dd = self.df.astype(int).tolist()
        ids = [_jsonable(v) for v in self.curve_ids.tolist()]
        status = self.status.tolist()
        bits = self.flag_bits.tolist()
        flag_cache: dict[int, list[str]] = {}
        extra_ki = loc != "log_ic50"
        wh = self.withheld.tolist()
        eff = self.effect.tolist()
        if extra_ki:
            lic = [clean(v) for v in col(lic50)]
            with np.errstate(over="ignore"):
                kis = [clean(v) for v in col(10.0 ** p[:, LOGC])]
        out = []
        for i in range(n):
            b = bits[i]
            if b not in flag_cache:
                flag_cache[b] = flag_names(b)
            r: dict[str, Any] = {"curve": ids[i], "status": status[i],
                                 "message": self.message(i) if (b or i in self.reasons) else ""}
            for k, nm in enumerate(names):
                r[nm] = pc[k][i]
            if extra_ki:
                r["log_ic50"] = lic[i]
                r[self.model.linear] = kis[i]
            r["ic50"] = ic50[i]
            r["ic50_gt"] = gt[i]
            r["se"] = {names[k]: sec[k][i] for k in free_k}
            r["ci95"] = {names[k]: [loc_[k][i], hic[k][i]] for k in free_k}
            r["rss"] = stats_[0][i]
            r["r2"] = stats_[1][i]
            r["aicc"] = stats_[2][i]
            r["n"] = nn[i]
            r["df"] = dd[i]
            r["flags"] = list(flag_cache[b])
            r["effect"] = eff[i]
            if self.outliers:
                r["outliers"] = list(self.outliers.get(i, []))
            raw = self._raw_named(i) if wh[i] else {}
            r["raw"] = {k: _f(v) for k, v in raw.items()} if raw else None
            out.append(r)
        return out

    def _messages(self) -> list[str]:
        """All curves' messages, built once per distinct set of flags."""
        bits = self.flag_bits.astype(np.int64)
        if not len(bits):
            return []
        ubits, inv = np.unique(bits, return_inverse=True)
        texts = np.array([self.message_for_bits(int(b)) for b in ubits], dtype=object)[inv]
        for i in set(self.reasons) | set(self.notes):
            texts[i] = self.message(i)
        return texts.tolist()

    def message_for_bits(self, bits: int) -> str:
        """The warning text for a set of flags (no failure reason, no notes)."""
        return "; ".join(f"{name}: {FLAG_TEXT[name]}" for name in flag_names(int(bits)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: ``model``, ``unit``, ``fits`` and ``comparison``."""
        return {"model": self.model.name, "unit": self.unit,
                "se_method": self.se_method, "ci_method": self.ci_method,
                "shared": list(self.shared), "fits": self.records(),
                "comparison": self.comparison.to_dict() if self.comparison else None}

    def summary(self) -> dict[str, int]:
        """Counts of curves by status."""
        counts = np.bincount(self.status_code, minlength=3)
        return {s: int(c) for s, c in zip(self.STATUS, counts, strict=True)}

    def _repr_html_(self) -> str:
        s = self.summary()
        return (f"<b>BatchFit</b> ({self.model.name}): {len(self)} curves, {s['ok']} ok, "
                f"{s['warning']} warning, {s['failed']} failed")
