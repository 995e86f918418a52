"""The generic, unit-aware fitting engine: any registered model, one result type.

A model is declared once (:class:`FitModel`): its parameters (:class:`FitParam`: name, unit,
bounds, optimiser scale, log scale or not), the units of x and y, the constants it needs
(with units), a pure formula function (formula in its docstring), a starting-value function
and optionally an analytic Jacobian. :func:`fit_model` fits it by MINPACK Levenberg–Marquardt
(:func:`scipy.optimize.least_squares`, ``method="lm"``; the trust-region reflective method when
a parameter is bounded) and returns a :class:`~neuromoa.fitting.results.ModelFit` with the
statistics every fit in neuromoa reports: estimates, SEs, asymptotic and profile-likelihood
95 % intervals, flags, status, RSS, R², AICc (compare two fits with
:func:`neuromoa.fitting.compare_fits`: extra-sum-of-squares F test and AICc).

The logistic family (4PL, 3PL, one-site Fit Ki) has its own compiled batch path,
:func:`neuromoa.fitting.fit_curves`, which returns the subclass
:class:`~neuromoa.fitting.results.CurveFit` of the same result type.

Units are never guessed: x (and y where the model declares a y unit) come as pint
quantities or with ``x_unit=``/``y_unit=``; a constant is a quantity, a string such as
``"1 nM"``, or a bare float passed under its name with the unit suffix in the model's unit
(``kd_M=1e-9``: the SI-suffix convention of the package). A bare float under the bare name
is an error naming the constant.

References: Moré JJ, The Levenberg–Marquardt algorithm: implementation and theory, Lecture
Notes in Mathematics 630, 1978 (MINPACK). Motulsky H, Christopoulos A, Fitting models to
biological data using linear and nonlinear regression, OUP 2004 (ch. 17–23: SEs, intervals,
F test, AICc). Venzon DJ, Moolgavkar SH, Appl Stat 1988;37:87 (profile likelihood).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuromoa.errors import InputError, ParameterError, UnitError
from neuromoa.fitting import stats
from neuromoa.fitting.results import ModelFit

__all__ = ["FitModel", "FitParam", "failed_fit", "fit_model"]

#: Confidence level of every interval (95 %).
LEVEL = 0.95
#: MINPACK tolerances (ftol = xtol = gtol) of the engine: well below data noise, above
#: float64 round-off of a sum of squares (assumption; scipy's default is 1e-8).
TOL = 1e-10
#: Function-evaluation cap per fit, per free parameter (assumption: 100 × MINPACK's default
#: of 100 per parameter for lmdif).
MAX_NFEV_PER_PARAM = 10000
#: Scaled condition number of JᵀWJ above which the fit is flagged 'unstable' (assumption:
#: 1e12 leaves ~4 significant digits of float64 for the covariance; as the 4PL engine).
COND_UNSTABLE = 1e12
#: An estimate within this fraction of its bound's scale counts as 'at_bound' (assumption).
AT_BOUND_RTOL = 1e-6
#: Profile intervals are searched this many SEs either side of the estimate (then by
#: doubling up to PROFILE_MAX_STEPS); beyond it the interval is open (assumption).
PROFILE_START_SE = 1.0
PROFILE_MAX_STEPS = 12

#: Flags of a generic fit: name → explanation.
FIT_FLAGS: dict[str, str] = {
    "too_few_points": "no more points than free parameters: no residual degrees of freedom, "
                      "so no standard errors or intervals",
    "not_converged": "the optimiser stopped before meeting its tolerances, so no estimates are "
                     "reported (its last values are under 'raw')",
    "unstable": "the parameters are not determined separately by the data (singular or "
                "ill-conditioned JᵀWJ), so no estimates are reported (see 'raw')",
    "at_bound": "an estimate lies on its bound (the constraint is active: its SE and interval "
                "do not describe the data)",
    "ci_open": "a profile-likelihood interval is open on one side (the data do not bound it)",
}
#: Flags that fail a fit (no estimates reported).
FAIL = ("not_converged", "unstable")


@dataclass(frozen=True)
class FitParam:
    """One parameter (or constant) of a model.

    ``unit`` in pint spelling ("V", "s", "M", "1" for dimensionless); the placeholders
    ``"<x>"`` and ``"<y>"`` mean "the unit of x / of y as given". ``log``: optimised as
    ln(value) (the value must be > 0; SE by the delta method, interval on the log scale).
    ``scale``: typical size for the optimiser's step scaling (MINPACK ``diag``).
    """

    name: str
    unit: str
    bounds: tuple[float, float] = (-math.inf, math.inf)
    log: bool = False
    scale: float | None = None
    description: str = ""


@dataclass(frozen=True)
class FitModel:
    """A model of the generic engine (declare once, fit anywhere).

    ``formula(x, *params, **constants)`` is pure and vectorised (formula in its docstring);
    ``guess(x, y, **constants)`` returns starting values in declaration order; ``jacobian``
    (optional) returns ∂formula/∂params as an (n, k) array.
    """

    name: str
    title: str
    params: tuple[FitParam, ...]
    formula: Callable[..., np.ndarray]
    guess: Callable[..., Any]
    x_unit: str
    y_unit: str | None = None
    constants: tuple[FitParam, ...] = ()
    jacobian: Callable[..., np.ndarray] | None = None
    reference: str = ""
    min_points: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> FitParam:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(f"model '{self.name}' has no parameter {name!r}; its parameters "
                             f"are {list(self.names)}.")


# ---------------------------------------------------------------- units
def _factor(unit: str, target: str, what: str) -> float:
    """Multiplier from ``unit`` to ``target`` (1 without pint when they are spelt alike)."""
    if unit == target:
        return 1.0
    from neuromoa.units import parse_quantity

    q = parse_quantity(f"1 {unit}", what)
    try:
        return float(q.to(target).magnitude)
    except Exception as exc:  # pint's DimensionalityError; pint is imported lazily here
        raise UnitError(f"{what}: {unit!r} cannot be converted to {target!r}.") from exc


def _values(v: Any, unit: str | None, target: str | None, what: str) -> tuple[np.ndarray, str]:
    """(magnitudes in ``target``, the unit they were given in) of data ``v``."""
    if hasattr(v, "magnitude") and hasattr(v, "units"):  # a pint Quantity
        given = str(v.units)
        mags = np.asarray(v.magnitude, dtype=float).ravel()
        if unit is not None:
            raise UnitError(f"{what}: give the unit once (a quantity, or {what}_unit=), "
                            "not both.")
    else:
        if unit is None:
            if target is None:
                return np.asarray(v, dtype=float).ravel(), ""
            raise UnitError(f"{what}: numbers without a unit; pass {what}_unit= (e.g. "
                            f"{what}_unit={target!r}) or a pint quantity.")
        given = str(unit)
        mags = np.asarray(v, dtype=float).ravel()
    if target is None:
        return mags, given
    return mags * _factor(given, target, what), given


def _constant(model: FitModel, c: FitParam, given: Mapping[str, Any], x_unit: str) -> float:
    unit = x_unit if c.unit == "<x>" else c.unit
    suffixed = f"{c.name}_{unit}"
    if suffixed in given:
        v = given[suffixed]
        try:
            val = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"{suffixed} must be a number (in {unit}); got {v!r}.") from None
    elif c.name in given:
        v = given[c.name]
        if unit == "1" and isinstance(v, int | float | np.number) and not isinstance(v, bool):
            val = float(v)  # a dimensionless constant is a plain number
        elif isinstance(v, bool) or isinstance(v, int | float | np.number):
            raise UnitError(f"model '{model.name}': constant '{c.name}' = {v!r} has no unit; "
                            f"write it as a quantity ('{v} {unit}') or pass {suffixed}={v!r}.")
        else:
            from neuromoa.units import parse_quantity

            q = parse_quantity(v, f"model '{model.name}': constant '{c.name}'", unit)
            try:
                val = float(q.to(unit).magnitude)
            except Exception as exc:
                raise UnitError(f"model '{model.name}': constant '{c.name}' = {v!r} is not "
                                f"convertible to {unit}.") from exc
    else:
        raise ParameterError(f"model '{model.name}' needs the constant '{c.name}' (in {unit}): "
                             f"pass {c.name}='… {unit}' or {suffixed}=….")
    lo, hi = c.bounds
    if not (math.isfinite(val) and lo <= val <= hi):
        raise ParameterError(f"model '{model.name}': constant '{c.name}' must be a finite "
                             f"value in [{lo}, {hi}] {unit}; got {val!r}.")
    return val


# ---------------------------------------------------------------- the fit
def failed_fit(m: FitModel, message: str, n: int, *, x_unit: str | None = None,
               y_unit: str | None = None) -> ModelFit:
    """A "failed" result (no estimates) for data a model cannot be fitted to."""
    nan = float("nan")
    return ModelFit(model=m.name, params={p.name: nan for p in m.params}, se={}, ci95={},
                    status="failed", message=message, flags=[], rss=nan, r2=nan, aicc=nan,
                    n=int(n), df=0, unit=x_unit or m.x_unit,
                    units=_units(m, x_unit or m.x_unit, y_unit or m.y_unit or ""))


def _units(m: FitModel, xu: str, yu: str) -> dict[str, str]:
    return {p.name: xu if p.unit == "<x>" else (yu if p.unit == "<y>" else p.unit)
            for p in m.params}


def fit_model(model: FitModel, x: Any, y: Any, *, x_unit: str | None = None,
              y_unit: str | None = None, weights: Any = None, p0: Any = None,
              fix: Mapping[str, float] | None = None,
              bounds: Mapping[str, tuple[float, float]] | None = None,
              ci: str = "asymptotic", tol: float = TOL, **constants: Any) -> ModelFit:
    """Fit a registered (or given) model to one data set by weighted least squares.

    Parameters
    ----------
    model : FitModel
        The model (:func:`neuromoa.fitting.fit_model` also takes a registry name, e.g.
        ``"boltzmann"``, ``"exp_decay"``, ``"exact_depletion"``).
    x, y : array_like or pint Quantity
        Data. Numbers need ``x_unit=`` (and ``y_unit=`` when the model declares a y unit);
        they are converted to the model's units.
    weights : array_like, optional
        Per-point weights (∝ 1/variance); default 1.
    p0 : mapping or sequence, optional
        Starting values (default: the model's guess function).
    fix : mapping, optional
        Parameters held at a value (model units).
    bounds : mapping, optional
        ``{name: (low, high)}`` in model units, on top of the model's own bounds.
    ci : {"asymptotic", "profile"}
        Reported interval: estimate ± t(0.975, df)·SE, or the F-based profile likelihood.
    **constants
        The model's constants (quantities, strings with units, or ``name_<unit>=float``).

    Returns
    -------
    ModelFit
        Estimates (model units), SEs, 95 % intervals, flags, status, RSS, R², AICc.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 0.05, 11)
    >>> from neuromoa.fitting import get_fit_model
    >>> decay = get_fit_model("exp_decay")
    >>> fit = fit_model(decay, t, 2.0 * np.exp(-t / 0.01) + 0.5, x_unit="s")
    >>> fit.status, round(fit.params["tau"], 6), fit.units["tau"]
    ('ok', 0.01, 's')
    """
    m = model
    if not isinstance(m, FitModel):
        raise ParameterError(f"fit_model needs a FitModel here; got {type(m).__name__} (names "
                             "are resolved by neuromoa.fitting.fit_model).")
    if ci not in ("asymptotic", "profile"):
        raise ParameterError(f"ci must be 'asymptotic' or 'profile'. Got {ci!r}.")
    xv, xu = _values(x, x_unit, m.x_unit, "x")
    yv, yu = _values(y, y_unit, m.y_unit, "y")
    if xv.shape != yv.shape:
        raise InputError(f"x and y must have the same length; got {xv.size} and {yv.size}.")
    names = m.names
    known = {c.name for c in m.constants}
    for key in constants:
        base = key.rsplit("_", 1)[0] if key not in known else key
        if key not in known and base not in known:
            raise ParameterError(f"model '{m.name}' takes no argument {key!r}; its constants "
                                 f"are {sorted(known) or 'none'}.")
    consts = {c.name: _constant(m, c, constants, m.x_unit) for c in m.constants}
    w = np.ones_like(yv) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.shape != yv.shape:
        raise InputError(f"weights must have one value per point; got {w.size} for {yv.size}.")
    ok = np.isfinite(xv) & np.isfinite(yv) & np.isfinite(w) & (w > 0)
    xv, yv, w = xv[ok], yv[ok], w[ok]
    n = int(yv.size)
    units = _units(m, m.x_unit, m.y_unit or yu)
    fixed = {}
    for k, v in (fix or {}).items():
        m.param(k)
        fixed[k] = float(v)
    free = [p for p in m.params if p.name not in fixed]
    k_free = len(free)
    if n < max(k_free, m.min_points, 1):
        return failed_fit(m, f"{n} usable points for {k_free} free parameters"
                          + (f" (the model needs {m.min_points})" if m.min_points else ""), n,
                          x_unit=m.x_unit, y_unit=m.y_unit or yu)
    # starting values
    if p0 is None:
        start = np.asarray(m.guess(xv, yv, **consts), dtype=float)
    elif isinstance(p0, Mapping):
        start = np.asarray(m.guess(xv, yv, **consts), dtype=float)
        for k, v in p0.items():
            start[names.index(m.param(k).name)] = float(v)
    else:
        start = np.asarray(p0, dtype=float).ravel()
    if start.size != len(names):
        raise ParameterError(f"model '{m.name}' has {len(names)} parameters; got "
                             f"{start.size} starting values.")
    for k, v in fixed.items():
        start[names.index(k)] = v
    lo = np.array([p.bounds[0] for p in free], dtype=float)
    hi = np.array([p.bounds[1] for p in free], dtype=float)
    for k, (a, b) in (bounds or {}).items():
        j = [p.name for p in free].index(m.param(k).name) if k not in fixed else None
        if j is None:
            raise ParameterError(f"parameter {k!r} is fixed; it cannot also be bounded.")
        lo[j], hi[j] = max(lo[j], float(a)), min(hi[j], float(b))
    is_log = np.array([p.log for p in free], dtype=bool)
    fidx = np.array([names.index(p.name) for p in free], dtype=int)
    for j, p in enumerate(free):
        if p.log and not start[fidx[j]] > 0:
            raise ParameterError(f"model '{m.name}': parameter '{p.name}' is fitted on a log "
                                 f"scale and needs a positive start; got {start[fidx[j]]!r}.")
    th0 = np.where(is_log, np.log(np.where(is_log, start[fidx], 1.0)), start[fidx])
    with np.errstate(divide="ignore"):
        tlo = np.where(is_log, np.log(np.maximum(lo, 0.0)), lo)
        thi = np.where(is_log, np.log(np.where(hi > 0, hi, np.inf)), hi)
    # optimiser step scales: declared, else the start's size (log parameters: 1 on ln scale)
    spread = float(np.ptp(yv)) if n else 1.0
    scale = np.array([p.scale if p.scale is not None else (
        1.0 if p.log else (abs(start[fidx[j]]) or (spread if p.unit == "<y>" else 1.0) or 1.0))
        for j, p in enumerate(free)], dtype=float)
    sw = np.sqrt(w)

    def full(theta: np.ndarray) -> np.ndarray:
        p = start.copy()
        p[fidx] = np.where(is_log, np.exp(theta), theta)
        return p

    def resid(theta: np.ndarray) -> np.ndarray:
        return sw * (np.asarray(m.formula(xv, *full(theta), **consts), dtype=float) - yv)

    jac: Any = "2-point"
    if m.jacobian is not None:
        def jac(theta: np.ndarray) -> np.ndarray:
            p = full(theta)
            j = np.asarray(m.jacobian(xv, *p, **consts), dtype=float)[:, fidx]
            return sw[:, None] * j * np.where(is_log, p[fidx], 1.0)[None, :]

    if k_free == 0:
        theta = th0
        nfev, converged = 1, True
    else:
        sol = _solve(resid, jac, th0, tlo, thi, scale, tol, k_free)
        theta, nfev, converged = sol.x, int(sol.nfev), bool(sol.status > 0)
    r = resid(theta)
    rss = float(r @ r)
    df = n - k_free
    pfull = full(theta)
    flags: list[str] = []
    if df <= 0:
        flags.append("too_few_points")
    if not converged or not math.isfinite(rss) or not np.all(np.isfinite(pfull)):
        flags.append("not_converged")
    # covariance on the optimiser's scale, then reported scale (delta method for log params)
    cov_th = np.full((k_free, k_free), np.nan)
    if k_free and math.isfinite(rss):
        jj = _jac_at(resid, jac, theta)
        a = jj.T @ jj
        d = np.sqrt(np.clip(np.diag(a), 0.0, None))
        if np.all(d > 0) and np.all(np.isfinite(a)):
            an = a / np.outer(d, d)
            cond = float(np.linalg.cond(an))
            if cond < COND_UNSTABLE:
                cov_th = np.linalg.inv(an) / np.outer(d, d)
            else:
                flags.append("unstable")
        else:
            flags.append("unstable")
    s2 = rss / df if df > 0 else float("nan")
    cov_th = cov_th * s2
    se_th = np.sqrt(np.clip(np.diag(cov_th), 0.0, None)) if k_free else np.empty(0)
    tq = stats.t_quantile(df, LEVEL)
    est = pfull[fidx]
    se_rep = np.where(is_log, est * se_th, se_th)
    a_lo = np.where(is_log, np.exp(theta - tq * se_th), theta - tq * se_th)
    a_hi = np.where(is_log, np.exp(theta + tq * se_th), theta + tq * se_th)
    for j in range(k_free):
        span = max(abs(thi[j] - tlo[j]) if np.isfinite(thi[j] - tlo[j]) else 0.0, 1.0)
        if (theta[j] - tlo[j] <= AT_BOUND_RTOL * span or thi[j] - theta[j] <= AT_BOUND_RTOL
                * span) and "at_bound" not in flags:
            flags.append("at_bound")
    ci95_asym = {p.name: (float(a_lo[j]), float(a_hi[j])) for j, p in enumerate(free)}
    ci95 = dict(ci95_asym)
    failed = any(f in flags for f in FAIL)
    if ci == "profile" and not failed and df > 0:
        thr = rss * (1.0 + stats.f_quantile(1, df, LEVEL) / df)
        for j, p in enumerate(free):
            lim = _profile(resid, jac, theta, j, se_th[j], tlo, thi, scale, tol, thr)
            if not all(np.isfinite(lim)):
                if "ci_open" not in flags:
                    flags.append("ci_open")
            ci95[p.name] = tuple(float(np.exp(v)) if p.log else float(v) for v in lim)
    status = "failed" if failed else ("warning" if flags else "ok")
    ybar = float(np.sum(w * yv) / np.sum(w)) if n else float("nan")
    sst = float(np.sum(w * (yv - ybar) ** 2))
    params = {nm: float(v) for nm, v in zip(names, pfull, strict=True)}
    raw: dict[str, float] = {}
    if failed:
        raw = params
        params = {nm: float("nan") for nm in names}
    message = "; ".join(f"{f}: {FIT_FLAGS[f]}" for f in flags)
    se = {p.name: float("nan") if failed else float(se_rep[j]) for j, p in enumerate(free)}
    if failed:
        ci95 = {k: (float("nan"), float("nan")) for k in ci95}
        ci95_asym = dict(ci95)
    return ModelFit(model=m.name, params=params, se=se, ci95=ci95, status=status,
                    message=message, flags=flags, rss=rss,
                    r2=1.0 - rss / sst if sst > 0 else float("nan"),
                    aicc=stats.aicc(rss, n, k_free), n=n, df=df, unit=m.x_unit, units=units,
                    ci_method=ci, ci95_asymptotic=ci95_asym, raw=raw, cov=cov_th, nfev=nfev)


def _solve(resid, jac, th0, tlo, thi, scale, tol, k):
    from scipy import optimize  # heavy; only generic fits need it

    bounded = bool(np.isfinite(tlo).any() or np.isfinite(thi).any())
    kw = dict(ftol=tol, xtol=tol, gtol=tol, x_scale=scale, max_nfev=MAX_NFEV_PER_PARAM * k)
    if bounded:
        x0 = np.clip(th0, np.nextafter(tlo, np.inf), np.nextafter(thi, -np.inf))
        return optimize.least_squares(resid, x0, jac=jac, bounds=(tlo, thi), method="trf", **kw)
    return optimize.least_squares(resid, th0, jac=jac, method="lm", **kw)


def _jac_at(resid, jac, theta) -> np.ndarray:
    if callable(jac):
        return np.asarray(jac(theta), dtype=float)
    from scipy.optimize._numdiff import approx_derivative

    return approx_derivative(resid, theta, method="3-point")


def _profile(resid, jac, theta, j, se, tlo, thi, scale, tol, thr) -> tuple[float, float]:
    """Profile-likelihood limits of parameter ``j`` (optimiser scale): where the RSS
    minimised over the other parameters crosses ``thr``; ±inf when it does not."""
    from scipy import optimize

    k = theta.size
    others = [i for i in range(k) if i != j]

    def prss(v: float, start: np.ndarray) -> tuple[float, np.ndarray]:
        def sub(t):
            th = theta.copy()
            th[others] = t
            th[j] = v
            return resid(th)

        sj = None
        if callable(jac):
            def sj(t):
                th = theta.copy()
                th[others] = t
                th[j] = v
                return jac(th)[:, others]
        if not others:
            r = sub(np.empty(0))
            return float(r @ r), start
        sol = _solve(sub, sj if sj is not None else "2-point", start, tlo[others], thi[others],
                     scale[others], tol, len(others))
        return float(2.0 * sol.cost), sol.x

    out = []
    step0 = se * PROFILE_START_SE if (math.isfinite(se) and se > 0) else 0.1 * max(
        abs(theta[j]), 1.0)
    for sgn in (-1.0, 1.0):
        start = theta[others].copy()
        inner, step, found = theta[j], step0, None
        for _ in range(PROFILE_MAX_STEPS):
            v = theta[j] + sgn * step
            if not tlo[j] <= v <= thi[j]:
                break
            r, st = prss(v, start)
            if r > thr:
                found = v
                break
            inner, start, step = v, st, 2.0 * step
        if found is None:
            out.append(sgn * math.inf)
            continue
        out.append(float(optimize.brentq(lambda v, s0=start: prss(v, s0)[0] - thr, inner, found,
                                         xtol=1e-10 * max(abs(found), 1.0))))
    return out[0], out[1]
