"""The batch fitter: tidy table in, one compiled Levenberg–Marquardt fit per curve, columns out.

:func:`fit_curves` groups rows by curve (no Python loop per curve: the data become flat
arrays with offsets and the compiled kernel walks them in chunks), and :func:`fit_curve` is
the one-curve convenience. Uncertainty, flags and statuses are computed by column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from neuromoa.errors import InputError, ParameterError, UnitError
from neuromoa.fitting import _kernels as K
from neuromoa.fitting._fastcsv import CurveColumns
from neuromoa.fitting._quantiles import f_quantile, t_quantile
from neuromoa.fitting._text import plain
from neuromoa.fitting._threads import split_map
from neuromoa.fitting._units import concentration_constants, molar_factor, unit_from_column
from neuromoa.fitting.globalfit import global_fit
from neuromoa.fitting.models import WEIGHTS, Model, get_model
from neuromoa.fitting.results import FLAGS, BatchFit, CurveFit, status_codes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WEIGHTS", "fit_curve", "fit_curves"]

#: Hill slopes outside this |range| are flagged 'hill_implausible' (assumption: a one-site
#: mass-action interaction has |hill| = 1; 0.3–5 covers published cooperative/negative
#: cooperative fits; Motulsky & Christopoulos 2004 ch. 41 discuss |hill| far from 1).
HILL_PLAUSIBLE = (0.3, 5.0)
#: |hill| beyond this, or an infinite condition number, means no finite optimum: 'unstable'.
HILL_RUNAWAY = 50.0
#: Scaled condition number of JᵀWJ above which the fit is 'unstable' (assumption: 1e12 leaves
#: ~4 significant digits of float64 for the covariance).
COND_UNSTABLE = 1e12
#: A plateau counts as defined when the fitted curve at a tested concentration comes within
#: this fraction of the span from it (assumption, in the spirit of Prism's "ambiguous" rule).
PLATEAU_REACH = 0.2
#: Levenberg–Marquardt iteration cap per curve (assumption; typical fits need 5–20).
MAX_ITER = 200
#: Starting-value grid: nodes over the tested log-concentration range and |hill| values.
START_GRID_C = 7
START_GRID_HILL = (1.0,)
#: Retry grid for curves whose first fit was not clean (denser; both more slopes).
RETRY_GRID_C = 15
RETRY_GRID_HILL = (0.5, 1.0, 2.0, 4.0)
#: Profile intervals are searched this many decades either side of the estimate; beyond it
#: the interval is reported open (±inf) and flagged 'ci_open' (assumption).
PROFILE_SPAN = 8.0
#: Curves per compiled call; bounds the working memory of a screen (assumption).
CHUNK = 65536
#: Confidence level of every interval (95 %).
LEVEL = 0.95
#: Significance level of the test for a concentration-dependent effect: a curve whose fit is
#: not better than a flat line (extra-sum-of-squares F test, P ≥ this) is 'no_effect' / 'flat'
#: and gets no IC50 (as drc's ``noEffect``; Ritz et al. 2015; 5 % is the conventional level).
NO_EFFECT_ALPHA = 0.05

#: Flags that judge the estimates; cleared when no estimates are reported ('no_effect'/'flat').
_ESTIMATE_FLAGS = (FLAGS["ic50_outside_range"] | FLAGS["hill_implausible"]
                   | FLAGS["plateau_undefined"] | FLAGS["unstable"] | FLAGS["not_converged"]
                   | FLAGS["ci_open"] | FLAGS["hill_at_limit"])


def _kernel_name(name: str, model: Model) -> str:
    if name == model.location:
        return "log_ic50"
    if name in model.kernel_params:
        return name
    raise ParameterError(f"model '{model.name}' has no parameter {name!r}; its parameters are "
                         f"{list(model.params)}.")


def _resolve_fixed(model: Model, fix: Mapping[str, float] | None, shift: float) -> dict[int, float]:
    out: dict[int, float] = {}
    for name, v in model.fixed.items():
        out[model.kernel_params.index(name)] = float(v)
    for name, v in (fix or {}).items():
        kn = _kernel_name(name, model)
        if kn in model.fixed:
            raise ParameterError(f"parameter {name!r} is already fixed by model '{model.name}'.")
        val = float(v)
        if not math.isfinite(val):
            raise ParameterError(f"fixed value of {name!r} must be finite. Got {plain(v)}.")
        out[model.kernel_params.index(kn)] = val + (shift if kn == "log_ic50" else 0.0)
    return out


def _resolve_bounds(model: Model, bounds: Mapping[str, tuple[float, float]] | None,
                    shift: float) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(len(model.kernel_params), -np.inf)
    hi = np.full(len(model.kernel_params), np.inf)
    for name, pair in (bounds or {}).items():
        kn = _kernel_name(name, model)
        k = model.kernel_params.index(kn)
        a, b = (float(pair[0]) if pair[0] is not None else -np.inf,
                float(pair[1]) if pair[1] is not None else np.inf)
        if not a < b:
            raise ParameterError(f"bounds of {name!r} must satisfy low < high. Got {plain(pair)}.")
        off = shift if kn == "log_ic50" else 0.0
        lo[k], hi[k] = a + off, b + off
    return lo, hi


def _row_label(index: pd.Index, pos: int) -> str:
    return f"row {index[pos]}"


def _prepare(data: pd.DataFrame | CurveColumns, curve: str, x: str, y: str,
             weight: str | None, weights: str, k_free: int, needs_c: bool):
    """Validate and pack a tidy table into flat arrays sorted by (curve, concentration)."""
    if weights not in WEIGHTS:
        raise ParameterError(f"weights must be one of {sorted(WEIGHTS)}. Got {weights!r}.")
    if isinstance(data, CurveColumns):  # the fast reader's columns: all numbers finite, x ≥ 0
        if weights in ("sd", "given"):
            raise InputError(f"weights={weights!r} needs a column of "
                             f"{'standard deviations' if weights == 'sd' else 'weights'}.")
        codes, uniques, xv, yv = data.codes, data.ids, data.x, data.y
        nrow = xv.size
        xmiss = ymiss = np.zeros(nrow, dtype=bool)
        index = data.lines
        wcol = None

        def xcell(pos: int) -> object:
            return xv[pos]

        def ycell(pos: int) -> object:
            return yv[pos]
    else:
        codes, uniques, xv, yv, xmiss, ymiss, wcol, index, xcell, ycell = _frame_columns(
            data, curve, x, y, weight, weights)
        nrow = xv.size
    ncurve = len(uniques)
    return _pack(codes, uniques, ncurve, nrow, xv, yv, xmiss, ymiss, wcol, index, xcell,
                 ycell, weights, k_free, needs_c)


def _frame_columns(data: pd.DataFrame, curve: str, x: str, y: str, weight: str | None,
                   weights: str):
    """The columns of a DataFrame as arrays (curve codes and ids, numbers, missing masks)."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"fit_curves needs a pandas DataFrame; got {type(data).__name__}.")
    for col in (x, y):
        if col not in data.columns:
            raise InputError(f"column {col!r} not found; the table has {list(data.columns)}. "
                             f"Name the columns with x=..., y=....")
    nrow = len(data)
    if nrow == 0:
        raise InputError("no data rows: the table has columns "
                         f"{[str(c) for c in data.columns]} but no rows to fit.")
    if curve in data.columns:
        ids_col = data[curve]
        codes, uniques = pd.factorize(ids_col, sort=False, use_na_sentinel=True)
        uniques = np.asarray(uniques)
        if uniques.dtype.kind not in "iuO":
            uniques = uniques.astype(object)
        if (codes < 0).any():  # missing curve ids form their own curve
            codes = np.where(codes < 0, len(uniques), codes)
            uniques = np.append(uniques.astype(object), "<missing id>").astype(object)
    else:
        codes = np.zeros(nrow, dtype=np.int64)
        uniques = np.array([0], dtype=object)
    xraw = data[x]
    yraw = data[y]
    xv = pd.to_numeric(xraw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    yv = pd.to_numeric(yraw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    xmiss = xraw.isna().to_numpy()
    ymiss = yraw.isna().to_numpy()
    wcol = None
    if weights in ("sd", "given"):
        wname = weight or ("sd" if weights == "sd" and "sd" in data.columns else "weight")
        if wname not in data.columns:
            raise InputError(f"weights={weights!r} needs a column {wname!r} of "
                             f"{'standard deviations' if weights == 'sd' else 'weights'}.")
        wcol = pd.to_numeric(data[wname], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return (codes, uniques, xv, yv, xmiss, ymiss, wcol, data.index,
            lambda pos: xraw.iloc[pos], lambda pos: yraw.iloc[pos])


def _pack(codes, uniques, ncurve, nrow, xv, yv, xmiss, ymiss, wcol, index, xcell, ycell,
          weights: str, k_free: int, needs_c: bool) -> dict:
    """Flag bad rows, group rows by curve and summarise each curve (arrays of every source)."""
    bad_x = ~np.isfinite(xv) | (xv < 0)
    bad_y = np.isnan(yv) & ~ymiss | np.isinf(yv)
    use = ~ymiss & ~bad_y
    wv = np.ones(nrow)
    with np.errstate(divide="ignore", invalid="ignore"):
        if weights == "1/y2":
            wv = 1.0 / yv**2
        elif weights == "poisson":
            wv = 1.0 / np.abs(yv)
        elif weights == "sd":
            wv = 1.0 / wcol**2
        elif weights == "given":
            wv = wcol.copy()
    bad_w = use & ~(np.isfinite(wv) & (wv > 0))
    bad_row = bad_x | bad_y | bad_w
    reasons: dict[int, str] = {}
    for ci in sorted(set(codes[bad_row].tolist())):  # (np.unique would import numpy.ma)
        pos = int(np.flatnonzero(bad_row & (codes == ci))[0])
        where = _row_label(index, pos)
        if bad_x[pos]:
            what = ("is missing" if xmiss[pos] else
                    f"{plain(xcell(pos))} is not a number" if np.isnan(xv[pos]) else
                    f"{plain(xcell(pos))} is negative" if xv[pos] < 0 else
                    f"{plain(xcell(pos))} is not finite")
            reasons[int(ci)] = f"{where}: concentration {what}; fix or remove the row."
        elif bad_y[pos]:
            reasons[int(ci)] = (f"{where}: response {plain(ycell(pos))} is not a finite number; "
                                "fix it or leave the cell empty (missing).")
        else:
            reasons[int(ci)] = (f"{where}: weight for weights={weights!r} is not a positive "
                                f"finite number (response {plain(ycell(pos))}); "
                                "use weights='none' or fix the value.")
    missing_curves = np.zeros(ncurve, bool)
    missing_curves[codes[ymiss]] = True
    keep = use & ~bad_row
    # group rows by curve (stable: replicate order kept); skip the sort when already grouped
    kc = codes[keep]
    grouped = bool(kc.size == 0 or np.all(kc[1:] >= kc[:-1]))
    identity = grouped and bool(keep.all())
    order = np.arange(kc.size) if grouped else np.argsort(kc, kind="stable")
    sel = order if keep.all() else np.flatnonzero(keep)[order]
    if identity:
        xs, ys, ws = xv, yv, wv
    else:
        kc = kc[order]
        xs, ys, ws = xv[sel], yv[sel], wv[sel]
    counts = np.bincount(kc, minlength=ncurve)
    offsets = np.zeros(ncurve + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    with np.errstate(divide="ignore"):
        lx = np.log10(xs)
    # per-curve summaries for statuses (reduceat over non-empty segments only)
    nonempty = counts > 0
    starts = offsets[:-1][nonempty]
    ymin = np.full(ncurve, np.nan)
    ymax = np.full(ncurve, np.nan)
    xlo = np.full(ncurve, np.inf)    # lowest positive log10 concentration
    xhi = np.full(ncurve, -np.inf)   # highest log10 concentration
    xall_lo = np.full(ncurve, np.inf)  # lowest concentration, zero included
    if xs.size:
        ymin[nonempty] = np.minimum.reduceat(ys, starts)
        ymax[nonempty] = np.maximum.reduceat(ys, starts)
        xlo[nonempty] = np.minimum.reduceat(np.where(xs > 0, lx, np.inf), starts)
        xhi[nonempty] = np.maximum.reduceat(lx, starts)
        xall_lo[nonempty] = np.minimum.reduceat(xs, starts)
    fail = np.zeros(ncurve, bool)
    fail[list(reasons)] = True
    few = ~fail & (counts < k_free)
    for ci in np.flatnonzero(few):
        reasons[int(ci)] = (f"curve {plain(uniques[ci])} has {int(counts[ci])} usable point(s); the model "
                            f"has {k_free} free parameters and needs at least that many "
                            "(more for standard errors). Fix parameters or add data.")
    fail |= few
    const = ~fail & (ymin == ymax)
    for ci in np.flatnonzero(const):
        reasons[int(ci)] = (f"curve {plain(uniques[ci])}: all responses are equal ({ymin[ci]:g}); "
                            "there is no concentration–response relationship to fit.")
    fail |= const
    if needs_c:
        nox = ~fail & ((xall_lo >= 10.0 ** xhi) | ~np.isfinite(xlo))
        for ci in np.flatnonzero(nox):
            reasons[int(ci)] = (f"curve {plain(uniques[ci])} needs at least two distinct "
                                "concentrations, one of them above zero, to locate an IC50.")
        fail |= nox
    return dict(ids=uniques, rows=_LazyRows(index, sel), lx=lx, x=xs, y=ys, w=ws, offsets=offsets, counts=counts,
                fail=fail, reasons=reasons, missing=missing_curves,
                xrange=np.stack([xlo, xhi], axis=1), vehicle=xall_lo == 0)


class _LazyRows:
    """Row labels of the packed points, built only when asked (outlier reports)."""

    def __init__(self, index: pd.Index, sel: np.ndarray) -> None:
        self._index = index
        self._sel = sel
        self._rows: np.ndarray | None = None

    def __getitem__(self, item):
        if self._rows is None:
            self._rows = np.asarray(self._index)[self._sel]
        return self._rows[item]


def _quantile_by_df(fn, df: np.ndarray) -> np.ndarray:
    """Evaluate ``fn(df)`` once per distinct degrees of freedom (a screen has few)."""
    d = np.maximum(df, 1)
    uniq, inv = np.unique(d, return_inverse=True)
    return np.asarray(fn(uniq), dtype=float)[inv]


def _canonical(free: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Report top ≥ bottom (swap plateaus, negate hill) when plateaus and hill are free and
    unbounded (otherwise the swapped curve might break a fix or a bound)."""
    return bool(free[K.BOTTOM] and free[K.TOP] and free[K.HILL]
                and not (np.isfinite(lo[[0, 1, 3]]).any() or np.isfinite(hi[[0, 1, 3]]).any()))


def _fit_part(data: tuple, opts: tuple, outs: tuple, warm: bool, a: int, b: int) -> None:
    """Fit curves [a, b) of a chunk into their rows of ``outs`` (the kernel releases the GIL,
    so parts run on threads; each curve's fit does not depend on the split)."""
    lx, y, w, off, todo, pinit = data
    K.fit_batch_native(lx, y, w, off[a:b + 1], todo[a:b], pinit[a:b], *opts, *(o[a:b] for o in outs),
                warm)


def _run_kernel(pk: dict, todo: np.ndarray, pinit: np.ndarray, free: np.ndarray, lo, hi,
                observed: bool, grid_c: int, grid_h: np.ndarray, out: dict,
                progress: Callable[[int, int], None] | None, done0: int = 0,
                total: int | None = None, warm: bool = False) -> None:
    offsets = pk["offsets"]
    ncurve = len(offsets) - 1
    total = ncurve if total is None else total
    idx_all = np.flatnonzero(todo)
    for a in range(0, idx_all.size, CHUNK):
        idx = idx_all[a:a + CHUNK]
        # contiguous block of curves [c0, c1) containing this chunk
        c0, c1 = int(idx[0]), int(idx[-1]) + 1
        s, e = int(offsets[c0]), int(offsets[c1])
        sub_off = offsets[c0:c1 + 1] - s
        sub_todo = np.zeros(c1 - c0, bool)
        sub_todo[idx - c0] = True
        n = c1 - c0
        op = np.empty((n, K.NPAR))
        oc = np.empty((n, K.NPAR, K.NPAR))
        orss = np.empty(n)
        oit = np.zeros(n, dtype=np.int64)
        ocode = np.zeros(n, dtype=np.int64)
        ocond = np.empty(n)
        ost = np.empty((n, 4))
        split_map(partial(_fit_part, (pk["lx"][s:e], pk["y"][s:e], pk["w"][s:e], sub_off,
                                      sub_todo, pinit[c0:c1]),
                          (free, lo, hi, MAX_ITER, grid_c, grid_h, observed,
                           _canonical(free, lo, hi)),
                          (op, oc, orss, oit, ocode, ocond, ost), warm), n)
        sel = idx - c0
        out["p"][idx] = op[sel]
        out["cov"][idx] = oc[sel]
        out["rss"][idx] = orss[sel]
        out["code"][idx] = ocode[sel]
        out["cond"][idx] = ocond[sel]
        out["stats"][idx] = ost[sel]
        if progress is not None:
            progress(done0 + a + idx.size, total)


def fit_curves(data: pd.DataFrame | CurveColumns, model: str | Model = "4pl", *,
               fix: Mapping[str, float] | None = None, share: Iterable[str] = (),
               weights: str = "none", curve: str = "curve", x: str = "concentration",
               y: str = "response", weight: str | None = None, ci: str = "asymptotic",
               se: str = "gauss-newton", bounds: Mapping[str, tuple[float, float]] | None = None,
               outliers: str | None = None, unit: str | None = None,
               progress: Callable[[int, int], None] | None = None,
               **model_kwargs: Any) -> BatchFit:
    """Fit a concentration–response model to every curve of a tidy table.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per well/point: ``curve`` id (optional column: absent = one curve),
        concentration ``x`` (≥ 0, any consistent unit; 0 = vehicle control, used as the
        X → 0 limit), response ``y`` (missing values are skipped and flagged), optional
        ``weight`` column.
    model : {"4pl", "3pl", "one_site_ki"}
        See :data:`neuromoa.fitting.MODELS`. ``one_site_ki`` needs ``radioligand`` and ``kd``
        (same unit as x) and fits log Ki directly.
    fix : dict, optional
        Parameters held constant, e.g. ``{"hill": -1, "bottom": 0}``; locations in log10 of
        the data unit.
    share : iterable of str
        Parameters common to all curves (a global fit), e.g. ``("bottom", "top")``; the
        result's ``comparison`` tests shared against separate fits.
    weights : {"none", "1/y2", "poisson", "sd", "given"}
        Weighting scheme (:data:`WEIGHTS`).
    ci : {"asymptotic", "profile"}
        Interval for the location parameter (log IC50 / log Ki): estimate ± t·SE, or the
        F-based profile-likelihood interval (Prism's). Other parameters: asymptotic.
    se : {"gauss-newton", "hessian"}
        Covariance s²(JᵀWJ)⁻¹ (Prism, curve_fit) or s²H⁻¹ with the observed Hessian (drc).
    bounds : dict, optional
        ``{"hill": (-5, 0)}``: box constraints (the optimiser projects onto them).
    outliers : {None, "flag", "exclude"}
        ROUT outlier detection (Q = 1 %): ``"flag"`` reports them and keeps them in the fit,
        ``"exclude"`` refits without them; either way they are listed per curve.
    unit : str
        Molar concentration unit of ``x`` (``"nM"``, ``"M"``…), checked with pint and echoed in
        the results; may be omitted when the column name carries it (``concentration_nM``).
        Numbers without a unit are an error.
    progress : callable, optional
        ``progress(done, total)`` called after each compiled chunk.

    Returns
    -------
    BatchFit
        Per-curve estimates, SEs, 95 % CIs, RSS, R², AICc, n, df, status, flags.

    Notes
    -----
    Model: ``Y = bottom + (top − bottom)/(1 + 10^((log_ic50 − log10 X)·hill))`` (Prism).
    Each curve is fitted by a compiled Levenberg–Marquardt from variable-projection starting
    values (see :mod:`neuromoa.fitting._kernels`); curves whose first fit is not clean are
    refitted from a denser start grid and the lower RSS kept. Results are in canonical form
    top ≥ bottom when both plateaus and hill are free (the same curve with plateaus swapped
    and hill negated).

    References
    ----------
    Motulsky H, Christopoulos A. Fitting models to biological data using linear and nonlinear
    regression. OUP 2004. Ritz C et al. PLoS One 2015;10:e0146021.

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> conc = np.array([0, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5])
    >>> resp = 100 / (1 + conc / 1e-7)
    >>> res = fit_curves(pd.DataFrame({"concentration": conc, "response": resp}), unit="M")
    >>> round(res.fits[0].params["log_ic50"], 6)
    -7.0
    """
    if isinstance(data, CurveColumns):
        if unit is not None and unit != data.unit:  # convert the numbers to ``unit``
            import dataclasses

            data = dataclasses.replace(data, x=data.x * molar_factor(data.unit, unit, "unit"),
                                       unit=unit)
        unit = data.unit
        if share:  # the global fit reads the table's columns
            data = data.to_frame()
    if (unit is None and not isinstance(data, CurveColumns) and hasattr(data, "columns")
            and x not in data.columns):
        # the default column absent: a column named with its unit (concentration_nM, conc_M)
        x = next((str(c) for c in data.columns if unit_from_column(str(c))), x)
    if unit is None:
        unit = unit_from_column(x)
        if unit is None:
            raise UnitError(f"fit_curves: the concentrations in column {x!r} have no unit; pass "
                            "unit= (e.g. unit='nM') or name the column like 'concentration_nM' "
                            "(fit_frame applies the CSV's column rules).")
    molar_factor(unit, unit, "unit")  # a molar concentration unit, or UnitError
    mdl = get_model(model)
    kw = mdl.check_kwargs(concentration_constants(model_kwargs, unit, mdl.requires))
    shift = mdl.shift(**kw)
    if ci not in ("asymptotic", "profile"):
        raise ParameterError(f"ci must be 'asymptotic' or 'profile'. Got {ci!r}.")
    if se not in ("gauss-newton", "hessian"):
        raise ParameterError(f"se must be 'gauss-newton' or 'hessian'. Got {se!r}.")
    if outliers not in (None, "flag", "exclude"):
        raise ParameterError(f"outliers must be None, 'flag' or 'exclude'. Got {outliers!r}.")
    fixed = _resolve_fixed(mdl, fix, shift)
    lo, hi = _resolve_bounds(mdl, bounds, shift)
    for k, v in fixed.items():
        if not lo[k] <= v <= hi[k]:
            raise ParameterError(f"fixed {mdl.kernel_params[k]} = {plain(v)} lies outside its "
                                 "bounds.")
    npar = len(mdl.kernel_params)
    if npar > K.NPAR and (ci == "profile" or share or outliers is not None):
        raise ParameterError(f"model '{mdl.name}' has asymptotic intervals only and no shared "
                             "parameters or ROUT outliers; use ci='asymptotic' (or "
                             "fit_model('logistic5', ...) for a profile interval).")
    free = np.ones(npar, dtype=np.bool_)
    for k in fixed:
        free[k] = False
    share = tuple(share)
    shared_k = [mdl.kernel_params.index(_kernel_name(s, mdl)) for s in share]
    for k in shared_k:
        if not free[k]:
            raise ParameterError(f"parameter {mdl.kernel_params[k]!r} is fixed; it cannot also be "
                                 "shared.")
    k_free = int(free.sum())
    pk = _prepare(data, curve, x, y, weight, weights, k_free, needs_c=bool(free[K.LOGC]))
    ncurve = len(pk["ids"])
    pinit5 = np.zeros((ncurve, npar))
    if npar > K.NPAR:
        pinit5[:, K.NPAR:] = 1.0  # the 4PL start of the extra (asymmetry) parameter
    for k, v in fixed.items():
        pinit5[:, k] = v
    pinit = np.ascontiguousarray(pinit5[:, :K.NPAR])
    free5, lo5, hi5 = free, lo, hi
    free, lo, hi = free5[:K.NPAR].copy(), lo5[:K.NPAR].copy(), hi5[:K.NPAR].copy()
    out = {"p": np.full((ncurve, K.NPAR), np.nan),
           "cov": np.full((ncurve, K.NPAR, K.NPAR), np.nan),
           "rss": np.full(ncurve, np.nan), "code": np.full(ncurve, -1, dtype=np.int64),
           "cond": np.full(ncurve, np.inf), "stats": np.full((ncurve, 4), np.nan)}
    todo = ~pk["fail"]
    hgrid = _hill_grid(START_GRID_HILL, lo, hi)
    observed = se == "hessian"
    _run_kernel(pk, todo, pinit, free, lo, hi, observed, START_GRID_C, hgrid, out, progress)
    # retry curves that did not end cleanly from a denser grid; keep the lower RSS
    suspicious = todo & ((out["code"] != K.OK) | (out["cond"] > COND_UNSTABLE)
                         | (np.abs(out["p"][:, K.HILL]) > HILL_RUNAWAY))
    if suspicious.any():
        retry = {key: np.empty_like(val) for key, val in out.items()}  # filled where retried
        rgrid = _hill_grid(RETRY_GRID_HILL, lo, hi)
        _run_kernel(pk, suspicious, pinit, free, lo, hi, observed, RETRY_GRID_C, rgrid, retry,
                    None)
        better = suspicious & (retry["rss"] < out["rss"])
        for key in out:
            out[key][better] = retry[key][better]
    if npar > K.NPAR:  # the 5PL: refine the 4PL fits (the compiled five-parameter kernel)
        out = _refine5(pk, todo, out, pinit5, free5, lo5, hi5, _canonical(free, lo, hi))
        free, lo, hi = free5, lo5, hi5
        at_limit = np.zeros(ncurve, dtype=bool)
    else:
        at_limit = _slope_limit(pk, todo, pinit, free, lo, hi, observed, out)
    outlier_rows: dict[int, list[int]] = {}
    if outliers is not None:
        from neuromoa.fitting.qc import _rout_batch

        outlier_rows = _rout_batch(pk, todo, out, free, lo, hi, exclude=outliers == "exclude",
                                   refit=lambda sub_todo, w: _refit_weighted(
                                       pk, sub_todo, w, pinit, free, lo, hi, observed, out))
    return _finish(mdl, kw, pk, out, free, lo, hi, fixed, todo, ci, se, unit, shared_k,
                   share, outlier_rows, at_limit, data=data, curve=curve, x=x, y=y, weight=weight,
                   weights=weights, progress=progress)


def _refine5(pk, todo, out, pinit5, free5, lo5, hi5, both_ways: bool) -> dict:
    """Five-parameter fits warm-started from the four-parameter ones (asym = 1, or its fixed
    value). With plateaus and slope free and unbounded the 5PL also starts from the swapped
    orientation of the same 4PL curve (plateaus exchanged, hill negated: a different 5PL
    family) and the lower RSS is kept."""
    from neuromoa.fitting import _kernels5 as K5

    n = len(todo)
    npar = pinit5.shape[1]
    start = pinit5.copy()
    fin = np.isfinite(out["p"]).all(axis=1)
    start[fin, :K.NPAR] = out["p"][fin]
    run = todo & fin
    res = None
    for orientation in (0, 1) if both_ways else (0,):
        st = start.copy()
        if orientation:
            st[:, [K.BOTTOM, K.TOP]] = st[:, [K.TOP, K.BOTTOM]]
            st[:, K.HILL] = -st[:, K.HILL]
        o = {"p": np.full((n, npar), np.nan), "cov": np.full((n, npar, npar), np.nan),
             "rss": np.full(n, np.nan), "code": np.full(n, -1, dtype=np.int64),
             "cond": np.full(n, np.inf), "stats": np.full((n, 4), np.nan)}
        offs = pk["offsets"]
        for a in range(0, n, CHUNK):
            b = min(a + CHUNK, n)
            s, e = int(offs[a]), int(offs[b])
            K5.fit_batch5(pk["lx"][s:e], pk["y"][s:e], pk["w"][s:e], offs[a:b + 1] - s,
                          run[a:b], st[a:b], free5, lo5, hi5, MAX_ITER, o["p"][a:b],
                          o["cov"][a:b], o["rss"][a:b], o["code"][a:b], o["cond"][a:b],
                          o["stats"][a:b])
        if res is None:
            res = o
        else:
            better = run & (o["rss"] < res["rss"])
            for key in res:
                res[key][better] = o[key][better]
    # curves the 4PL pass could not start keep its verdict
    res["rss"][~run] = out["rss"][~run]
    res["code"][~run] = out["code"][~run]
    return res


def _slope_limit(pk, todo, pinit, free, lo, hi, observed, out) -> np.ndarray:
    """Curves whose least-squares slope is unbounded although the location is pinned.

    A curve that jumps between two tested concentrations with one point on the way (inside
    the 10–90 % transition) has no finite optimum: the RSS keeps falling as |hill| → ∞ while
    log IC50 converges (the point on the transition pins it). The optimiser then runs off
    (not converged, ill-conditioned). Such curves are refitted with the slope held at its
    limit ±HILL_RUNAWAY (the sign of the run-off), as a constrained fit in Prism: bottom, top and
    log IC50 are estimated given that slope, hill is reported at the limit without an SE
    (flag 'hill_at_limit'). Curves with no point on the transition stay 'unstable' (their
    location is not determined). Only when the user left hill free and unbounded.
    """
    mask = np.zeros(len(todo), dtype=bool)
    if not (free[K.HILL] and free[K.LOGC] and lo[K.HILL] == -np.inf and hi[K.HILL] == np.inf):
        return mask
    h = np.abs(out["p"][:, K.HILL])
    cand = (todo & np.isfinite(out["rss"]) & (h > HILL_PLAUSIBLE[1])
            & ((out["code"] != K.OK) | (out["cond"] > COND_UNSTABLE) | (h > HILL_RUNAWAY))
            & (out["stats"][:, 3] >= 1))
    if not cand.any():
        return mask
    free_h = free.copy()
    free_h[K.HILL] = False
    # warm start from where the optimiser ran off, the slope moved to the limit and the
    # location moved so that the fitted fraction at the points stays as it was
    p_h = np.where(np.isfinite(out["p"]), out["p"], 0.0)
    h_old = p_h[cand, K.HILL]
    h_new = np.sign(h_old) * HILL_RUNAWAY
    x_mid = _transition_point(pk, cand, out["p"])
    p_h[cand, K.LOGC] = x_mid - (x_mid - p_h[cand, K.LOGC]) * h_old / h_new
    p_h[cand, K.HILL] = h_new
    trial = {key: np.empty_like(val) for key, val in out.items()}
    _run_kernel(pk, cand, p_h, free_h, lo, hi, observed, RETRY_GRID_C, np.array([1.0]), trial,
                None, warm=True)
    good = cand & (trial["code"] == K.OK) & (trial["cond"] <= COND_UNSTABLE) & (
        trial["stats"][:, 3] >= 1)
    for key in out:
        out[key][good] = trial[key][good]
    return good


def _transition_point(pk, rows, p) -> np.ndarray:
    """For each curve in ``rows``: the tested log concentration closest to the fitted
    location (the point that pins it when the slope runs off)."""
    offs = pk["offsets"]
    out = np.empty(int(rows.sum()))
    for j, i in enumerate(np.flatnonzero(rows)):
        lx = pk["lx"][offs[i]:offs[i + 1]]
        fin = lx[np.isfinite(lx)]
        out[j] = fin[np.argmin(np.abs(fin - p[i, K.LOGC]))] if fin.size else p[i, K.LOGC]
    return out


def _hill_grid(mags: tuple[float, ...], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Starting slopes. With both plateaus free and unbounded the sign is redundant (the
    plateaus swap), so positive magnitudes suffice; with bounds both signs are tried and
    slopes outside the hill bounds are moved inside them."""
    bounded = bool(np.isfinite(lo).any() or np.isfinite(hi).any())
    cand = list(mags) + ([-m for m in mags] if bounded else [])
    inside = [h for h in cand if lo[K.HILL] <= h <= hi[K.HILL]]
    if not inside:
        a, b = lo[K.HILL], hi[K.HILL]
        mid = 0.5 * (a + b) if np.isfinite(a) and np.isfinite(b) else (
            a + 1.0 if np.isfinite(a) else b - 1.0)
        inside = [mid if mid != 0 else 0.5 * (b if np.isfinite(b) else a)]
    return np.array(inside, dtype=float)


def _refit_weighted(pk, sub_todo, w_new, pinit, free, lo, hi, observed, out) -> None:
    """Refit ``sub_todo`` curves with modified weights (0 = excluded point)."""
    pk2 = dict(pk)
    pk2["w"] = w_new
    _run_kernel(pk2, sub_todo, pinit, free, lo, hi, observed, START_GRID_C,
                _hill_grid(RETRY_GRID_HILL, lo, hi), out, None)
    pk["w"] = w_new


def _finish(mdl, kw, pk, out, free, lo, hi, fixed, todo, ci, se_method, unit, shared_k, share,
            outlier_rows, at_limit=None, **orig) -> BatchFit:
    ncurve = len(pk["ids"])
    offsets = pk["offsets"]
    counts = pk["counts"].copy()
    if outlier_rows:
        # excluded points carry zero weight: they do not count towards n
        zero_w = (pk["w"] == 0).astype(np.int64)
        if zero_w.any():
            counts -= np.add.reduceat(zero_w, offsets[:-1].clip(max=max(len(zero_w) - 1, 0))) \
                * (pk["counts"] > 0)
    k_free = int(free.sum())
    n = counts
    df = np.where(todo, n - k_free, 0)
    p = out["p"]
    cov = out["cov"]
    rss = out["rss"]
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(df > 0, rss / df, np.nan)
    cov_s = cov * s2[:, None, None]
    diag = np.diagonal(cov_s, axis1=1, axis2=2)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.where(diag >= 0, diag, np.nan))
    se[:, ~free] = np.nan
    at_limit = np.zeros(ncurve, bool) if at_limit is None else at_limit
    se[at_limit, K.HILL] = np.nan  # held at its limit: no standard error
    tq = np.where(df > 0, _quantile_by_df(lambda d: t_quantile(d, 0.5 + LEVEL / 2), df),
                  np.nan)
    ci_lo = p - tq[:, None] * se
    ci_hi = p + tq[:, None] * se
    a_lo, a_hi = ci_lo.copy(), ci_hi.copy()
    # statistics (sst and the fitted-fraction summaries come from the kernel)
    st = out["stats"]
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(todo, 1.0 - rss / st[:, 0], np.nan)
        kk = k_free + 1  # AICc counts the variance as a parameter (Prism; Burnham & Anderson)
        aicc = np.where(todo & (n - kk - 1 > 0),
                        n * np.log(rss / n) + 2 * kk + 2 * kk * (kk + 1) / (n - kk - 1), np.nan)
    bits = np.zeros(ncurve, dtype=np.int64)
    bits[pk["missing"]] |= FLAGS["missing_values"]
    fitted = todo & np.isfinite(rss)
    bits[fitted & (df == 0)] |= FLAGS["too_few_points"]
    bits[fitted & (out["code"] == K.NOT_CONVERGED)] |= FLAGS["not_converged"]
    hill = np.abs(p[:, K.HILL])
    # no finite optimum: singular/ill-conditioned, runaway slope, or a free slope with no data
    # point inside the 10-90 % transition (the curve is a step between two concentrations)
    steep = free[K.HILL] & free[K.LOGC] & (st[:, 3] < 1) & (hill > HILL_PLAUSIBLE[1])
    unstable = fitted & ((out["cond"] > COND_UNSTABLE) | (out["code"] == K.SINGULAR)
                         | (free[K.HILL] & (hill > HILL_RUNAWAY)) | steep)
    bits[unstable] |= FLAGS["unstable"]
    if free[K.HILL]:
        bits[fitted & ((hill < HILL_PLAUSIBLE[0]) | (hill > HILL_PLAUSIBLE[1]))] |= \
            FLAGS["hill_implausible"]
    if free[K.LOGC]:
        xr = pk["xrange"]
        bits[fitted & ((p[:, K.LOGC] < xr[:, 0]) | (p[:, K.LOGC] > xr[:, 1]))] |= \
            FLAGS["ic50_outside_range"]
    # plateau reach: the fitted fraction f over the tested concentrations (zero dose = limit)
    # must come within PLATEAU_REACH of 0 (bottom) and of 1 (top)
    fmin, fmax = st[:, 1], st[:, 2]
    und = fitted & ((free[K.BOTTOM] & (fmin > PLATEAU_REACH))
                    | (free[K.TOP] & (fmax < 1 - PLATEAU_REACH)))
    bits[und] |= FLAGS["plateau_undefined"]
    bits[fitted & at_limit] |= FLAGS["hill_at_limit"]
    for i in outlier_rows:
        if outlier_rows[i]:
            bits[i] |= FLAGS["outliers"]
    # a concentration-dependent effect at all? Extra-sum-of-squares F test of the fit against
    # a flat line (the weighted mean: RSS = st[:, 0], one parameter; drc's noEffect). Without
    # one there is no IC50: 'no_effect' when the flat line includes vehicle rows (the treated
    # responses match the uninhibited level: IC50 > highest tested concentration), else 'flat'.
    dfn = k_free - 1
    if dfn >= 1:
        # P ≥ alpha  ⇔  F ≤ the F(dfn, df) quantile at 1 − alpha (one quantile per distinct df)
        testable = fitted & (df > 0)
        fcrit = _quantile_by_df(lambda d: f_quantile(dfn, d, 1.0 - NO_EFFECT_ALPHA), df)
        with np.errstate(divide="ignore", invalid="ignore"):
            fstat = np.maximum(st[:, 0] - rss, 0.0) / dfn / (rss / np.maximum(df, 1))
        none = testable & (fstat <= fcrit)
        # no estimates are reported for these curves: drop the flags that judge estimates
        bits[none] &= ~_ESTIMATE_FLAGS
        bits[none & pk["vehicle"]] |= FLAGS["no_effect"]
        bits[none & ~pk["vehicle"]] |= FLAGS["flat"]
    # profile-likelihood interval for the location parameter
    if ci == "profile" and free[K.LOGC]:
        pt = fitted & (df > 0) & ~unstable & ~at_limit  # at the limit: asymptotic only
        fq = _quantile_by_df(lambda d: f_quantile(1, d, LEVEL), df)
        thr = np.where(pt, rss * (1.0 + fq / np.maximum(df, 1)), np.nan)
        plo = np.full(ncurve, np.nan)
        phi = np.full(ncurve, np.nan)
        # the profile runs in the kernel's (uncanonical) space; the location is unaffected
        K.profile_batch(pk["lx"], pk["y"], pk["w"], offsets, pt, p, rss, thr, se[:, K.LOGC],
                        free, lo, hi, MAX_ITER, PROFILE_SPAN, plo, phi)
        ci_lo[pt, K.LOGC] = plo[pt]
        ci_hi[pt, K.LOGC] = phi[pt]
        bits[pt & ~(np.isfinite(plo) & np.isfinite(phi))] |= FLAGS["ci_open"]
    status = status_codes(fitted, bits)
    reasons = dict(pk["reasons"])
    for i in np.flatnonzero(todo & ~np.isfinite(rss)):
        reasons[int(i)] = "the fit produced no finite residual sum of squares."
    notes: dict[int, str] = {}
    for i, rows in outlier_rows.items():
        if rows:
            notes[i] = f"ROUT outliers (Q = 1 %) at {', '.join(f'row {r}' for r in rows)}"
    bits = np.where(fitted, bits, bits & FLAGS["missing_values"])
    fit = BatchFit(
        model=mdl, model_kwargs=kw, curve_ids=pk["ids"], free=free, params=p, cov=cov_s, se=se,
        ci_low=ci_lo, ci_high=ci_hi, ci_low_asym=a_lo, ci_high_asym=a_hi, rss=rss, r2=r2,
        aicc=aicc, n=n, df=df, status_code=status, flag_bits=bits, reasons=reasons,
        notes=notes, xrange=pk["xrange"], data_x=pk["x"], data_y=pk["y"], offsets=offsets,
        unit=unit, se_method=se_method, ci_method=ci, shared=share, outliers=outlier_rows)
    if shared_k:
        fit = global_fit(fit, pk, shared_k, fixed, lo, hi, orig)
    return fit


def fit_curve(x, y, model: str | Model = "4pl", *, weight=None, unit: str = "M",
              **kwargs: Any) -> CurveFit:
    """Fit one concentration–response curve; same options as :func:`fit_curves`.

    Parameters
    ----------
    x, y : array_like
        Concentrations (≥ 0; 0 = vehicle) and responses (replicates: repeat x). ``x`` may be
        a pint quantity (its unit is then used).
    unit : str
        Unit of plain numbers in ``x``: mol/L (``"M"``) unless stated, the package's
        convention for concentrations (``conc_M`` everywhere); checked to be molar.
    weight : array_like, optional
        Per-point weights (``weights="given"``) or SDs (``weights="sd"``).

    Examples
    --------
    >>> fit = fit_curve([1e-9, 1e-8, 1e-7, 1e-6, 1e-5], [98, 91, 52, 9, 2])
    >>> fit.status, round(fit.params["hill"], 2)
    ('ok', -1.07)
    """
    if hasattr(x, "magnitude") and hasattr(x, "units"):  # a pint Quantity carries its unit
        unit = f"{x.units:~}"
        x = x.magnitude
    xa = np.asarray(x, dtype=object).ravel()
    ya = np.asarray(y, dtype=object).ravel()
    if xa.shape != ya.shape:
        raise InputError(f"x and y must have the same length; got {xa.size} and {ya.size}.")
    frame = {"concentration": xa, "response": ya}
    if weight is not None:
        frame["weight"] = np.asarray(weight, dtype=float).ravel()
        kwargs.setdefault("weight", "weight")
    import pandas as pd

    res = fit_curves(pd.DataFrame(frame), model, unit=unit, **kwargs)
    return res.fit(0)
