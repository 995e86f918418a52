r"""Plate analysis: raw counts → % of control → IC50 → Ki with 95 % CIs, QC flags, figures.

Steps for each plate and test compound
--------------------------------------
1. Controls: total (vehicle) and non-specific (reference inhibitor) wells; **Z′** =
   1 − 3(σ_total + σ_nsb)/|μ_total − μ_nsb| (Zhang et al. 1999). Z′ < 0.5 is flagged, and the
   plate is still analysed (status "warning").
2. Specific signal = counts − mean(NSB); % of control = 100 · specific / (mean(total) − mean(NSB)).
3. **Residual model.** Counts carry Poisson noise (variance = CPM / t_count) and multiplicative
   well-to-well variability (CV ≈ 5–10 %), so the variance grows with the signal:
   :math:`\sigma^2(\mu) = \mu/t + CV^2(\mu - b)^2`. The CV is estimated from the plate's own
   control wells; the curve is fitted once unweighted, then refitted with weights
   :math:`1/\sigma^2(\hat\mu)` (one iteratively-reweighted step). An unweighted fit would treat
   the noisy top and the quiet bottom alike and mis-state the uncertainty of log IC50.
4. **4PL fit** (bottom, top, log10 IC50, Hill all free) of % of control on the test wells plus
   the total wells at concentration 0; 95 % CI of log10 IC50 from the fitting engine's profile
   likelihood. ROUT outliers (Q = 1 %) among the *test* wells are excluded and listed; control
   wells are never removed (they define 100 %, 0 % and Z′): a flagged control well is kept and
   reported (``control_outliers_kept``).
5. **Ki**: uptake Ki = IC50/(1 + [S]/Km); binding Ki = IC50/(1 + [L]/Kd) (Cheng & Prusoff
   1973), with Km/Kd treated as known (the CI of Ki is the CI of IC50 divided by the same
   factor). Both assume a competitive one-site interaction, i.e. a Hill slope of −1 on the %
   of control curve (Leff & Dougall 1993): when the 95 % CI of the fitted Hill slope excludes
   −1 the plate is flagged ``hill_not_unity`` (the Ki is still reported). Binding also reports the direct one-site Ki fit and the **exact-depletion** fit
   (:func:`neuromoa.assays.binding.fit_exact_depletion`).
6. **Depletion** (binding): fraction of added radioligand bound in the total wells; above 10 %
   a :class:`~neuromoa.errors.NeuromoaWarning` and a flag report the Cheng–Prusoff bias
   (Ki_CP / Ki_exact − 1).

Status: "ok"; "warning" — analysed, but a QC check failed (Z′ < 0.5, plateau mismatch,
``hill_not_unity``, ligand or competitor depletion, an outlying control well, or a fitting
warning; ``message`` says which, in one line); "failed" — no estimate (too few wells, a bad
well in the file, fit failure; ``message`` names the plate and well).

References
----------
Cheng Y, Prusoff WH (1973) Biochem Pharmacol 22:3099. Leff P, Dougall IG (1993) Trends
Pharmacol Sci 14:110. Zhang JH, Chung TD, Oldenburg KR (1999)
J Biomol Screen 4:67. Motulsky H, Christopoulos A (2004) *Fitting models to biological data*
(weighting, ch. 14). Hulme EC, Trevethick MA (2010) Br J Pharmacol 161:1219.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.assays._conditions import assay_parameters
from neuromoa.assays._fit import CurveSummary, fit_4pl, fit_one_site_ki, outlier_mask, plate_z_prime
from neuromoa.assays.binding import exact_ic50, fit_exact_depletion
from neuromoa.assays.constants import (
    CONSTANTS,
    OPTION_OF,
    Constant,
    MissingConstantError,
    constant_key,
    parse_constant,
    read_constants_file,
    resolve_constants,
)
from neuromoa.assays.plates import PlateSet, read_plates
from neuromoa.assays.uptake import DPM_PER_CI
from neuromoa.errors import (
    DataFileError,
    NeuromoaError,
    NeuromoaWarning,
    ParameterError,
    ProtocolError,
)
from neuromoa.pharmacology import (
    cheng_prusoff_binding,
    cheng_prusoff_uptake,
    ic50_from_ki_binding,
)

__all__ = ["AssayAnalysis", "PlateResult", "analyze_plate"]

#: Fewest control wells of each kind for a standard deviation (and so Z′).
_MIN_CONTROLS = 2
#: Fewest test wells / distinct concentrations for a 4-parameter fit.
_MIN_TEST_WELLS = 5
_MIN_TEST_CONCS = 4
_SECONDS_PER_MINUTE = 60.0
#: Fitted plateaus further than this from 100 % / 0 % of control are flagged (assumption: ~5×
#: the typical SE of a plateau on the default plate; catches edge effects on the control
#: columns and mis-assigned controls).
_PLATEAU_TOLERANCE_PCT = 15.0
_NAN2 = (math.nan, math.nan)
#: Hill slope of a competitive one-site interaction on a falling % of control curve (the
#: law of mass action; the premise of Cheng & Prusoff 1973, see Leff & Dougall 1993).
_COMPETITIVE_HILL = -1.0
#: Plate status values: "ok" (no QC problem), "warning" (analysed, but a QC check failed; see
#: ``flags`` and ``message``), "failed" (no estimate; ``message`` says why).
STATUSES = ("ok", "warning", "failed")


@dataclass(frozen=True)
class PlateResult:
    """Analysis of one test compound on one plate (see :func:`analyze_plate`).

    Concentrations in mol/L; CIs are 95 % (low, high). ``ki_M`` is the Cheng–Prusoff Ki;
    binding adds ``ki_direct_M`` (one-site Ki fit) and ``ki_exact_M`` (exact depletion).
    """

    plate: str
    compound: str
    status: str
    message: str
    ic50_M: float = math.nan
    ic50_ci95_M: tuple[float, float] = _NAN2
    ki_M: float = math.nan
    ki_ci95_M: tuple[float, float] = _NAN2
    hill: float = math.nan
    hill_ci95: tuple[float, float] = _NAN2
    z_prime: float = math.nan
    flags: tuple[str, ...] = ()
    depletion_fraction: float | None = None
    ki_direct_M: float | None = None
    ki_direct_ci95_M: tuple[float, float] | None = None
    ki_exact_M: float | None = None
    ki_exact_ci95_M: tuple[float, float] | None = None
    cheng_prusoff_bias: float | None = None
    n_test_wells: int = 0
    excluded_wells: tuple[str, ...] = ()
    truth_ki_M: float | None = None
    bmax_mol_per_g: float | None = None
    constants: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    curve: CurveSummary | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary in the contract's shape (binding-only keys only for binding)."""
        out: dict[str, Any] = {
            "plate": self.plate, "compound": self.compound, "status": self.status,
            "message": self.message, "ic50_M": _num(self.ic50_M),
            "ic50_ci95_M": [_num(v) for v in self.ic50_ci95_M], "ki_M": _num(self.ki_M),
            "ki_ci95_M": [_num(v) for v in self.ki_ci95_M], "hill": _num(self.hill),
            "hill_ci95": [_num(v) for v in self.hill_ci95],
            "z_prime": _num(self.z_prime), "flags": list(self.flags),
            "n_test_wells": self.n_test_wells, "excluded_wells": list(self.excluded_wells),
        }
        if self.depletion_fraction is not None:
            out.update({
                "depletion_fraction": _num(self.depletion_fraction),
                "ki_direct_M": _num(self.ki_direct_M),
                "ki_direct_ci95_M": [_num(v) for v in (self.ki_direct_ci95_M or _NAN2)],
                "ki_exact_M": _num(self.ki_exact_M),
                "ki_exact_ci95_M": [_num(v) for v in (self.ki_exact_ci95_M or _NAN2)],
                "cheng_prusoff_bias": _num(self.cheng_prusoff_bias),
            })
        if self.bmax_mol_per_g is not None:
            out["bmax_mol_per_g"] = _num(self.bmax_mol_per_g)
        if self.truth_ki_M is not None:
            out["true_ki_M"] = _num(self.truth_ki_M)
        if self.constants:
            out["constants"] = {k: dict(v) for k, v in self.constants.items()}
        return out


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


@dataclass(frozen=True, eq=False)
class AssayAnalysis:
    """Result of :func:`analyze_plate`: one :class:`PlateResult` per plate and test compound.

    Attributes
    ----------
    assay : "uptake" or "binding".
    results : the per-plate results.
    wells : the well table with ``specific_cpm``, ``percent_of_control`` and ``used`` columns.
    plates : the PlateSet analysed.
    """

    assay: str
    results: tuple[PlateResult, ...]
    wells: pd.DataFrame
    plates: PlateSet

    def to_dict(self) -> dict[str, Any]:
        """``{"assay", "source", "plates": [...]}`` (JSON-safe)."""
        return {"assay": self.assay, "source": self.plates.source,
                "plates": [r.to_dict() for r in self.results]}

    def to_frame(self) -> pd.DataFrame:
        """One row per plate and compound; CIs split into ``_low``/``_high`` columns."""
        rows = []
        for r in self.results:
            d = r.to_dict()
            d.pop("constants", None)  # one row per constant: AssayAnalysis.constants_frame()
            for key in [k for k in d if k.endswith("_ci95_M")]:
                low, high = d.pop(key)
                stem = key[: -len("_ci95_M")]
                d[f"{stem}_ci95_low_M"], d[f"{stem}_ci95_high_M"] = low, high
            d["hill_ci95_low"], d["hill_ci95_high"] = d.pop("hill_ci95")
            d["flags"] = ";".join(d["flags"])
            d["excluded_wells"] = ";".join(d["excluded_wells"])
            rows.append(d)
        return pd.DataFrame(rows)

    def constants_frame(self) -> pd.DataFrame:
        """Every constant each plate's analysis used: ``plate constant label value unit display
        origin`` (one row per plate and constant)."""
        rows = []
        seen: set[str] = set()
        for r in self.results:
            if r.plate in seen or not r.constants:
                continue
            seen.add(r.plate)
            for key, c in r.constants.items():
                rows.append({"plate": r.plate, "constant": key, **c})
        return pd.DataFrame(rows, columns=["plate", "constant", "label", "value", "unit",
                                           "display", "origin"])

    def plot(self, plate: str | None = None, compound: str | None = None):
        """Figure: plate heat map and the fitted curve with the 95 % CI of IC50."""
        from neuromoa.assays.plots import analysis_figure

        return analysis_figure(self, plate=plate, compound=compound)

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


# --------------------------------------------------------------------------- helpers


def _variance_model(total: np.ndarray, nsb: np.ndarray, count_minutes: float,
                    background: float) -> float:
    """Pooled CV² of the multiplicative well factor, from the controls (Poisson part removed)."""
    num, den = 0.0, 0
    for group in (total, nsb):
        if group.size < _MIN_CONTROLS:
            continue
        mu = float(np.mean(group))
        signal = mu - background
        if signal <= 0:
            continue
        excess = float(np.var(group, ddof=1)) - mu / count_minutes
        num += (group.size - 1) * excess / signal**2
        den += group.size - 1
    return max(num / den, 0.0) if den else 0.0


def _weights(mu_counts: np.ndarray, cv2: float, count_minutes: float,
             background: float) -> np.ndarray:
    mu = np.maximum(mu_counts, background)
    var = mu / count_minutes + cv2 * (mu - background) ** 2
    return 1.0 / np.maximum(var, np.finfo(float).tiny)


def _resolve(kind: str, name: str, cond: dict[str, Any], ps: PlateSet, user: dict[str, Any],
             const_files: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Assay constants for one plate: the user's values > constants files > the plate file's
    header/sidecar > the conditions stored with a simulated plate > shipped defaults (see
    :mod:`neuromoa.assays.constants`)."""
    stored = {spec.key: cond[spec.cond_key] for spec in CONSTANTS if spec.cond_key in cond}
    if cond.get("target"):
        stored["target"] = cond["target"]
    files = [*const_files, *ps.constants]
    if stored:
        files.append((f"file: {ps.source} (conditions of plate {name})", stored))
    consts = resolve_constants(kind, user=user, files=files)
    out: dict[str, Any] = {"target": consts["target"].value or None, "constants": consts,
                           "par": assay_parameters(kind)}
    if kind == "uptake":
        out["substrate_M"] = float(consts["substrate"].value)
        out["km_M"] = float(consts["km"].value)
    else:
        out["radioligand_M"] = float(consts["radioligand"].value)
        out["kd_M"] = float(consts["kd"].value)
        conversion = ("volume", "filter_recovery", "specific_activity", "counting_efficiency")
        out["conversion_assumed"] = any(consts[k].origin.startswith("default")
                                        for k in conversion)
        out["cpm_per_M"] = (float(consts["volume"].value) * float(consts["filter_recovery"].value)
                            * float(consts["specific_activity"].value) * DPM_PER_CI
                            * float(consts["counting_efficiency"].value))
        out["volume_L"] = float(consts["volume"].value)
        out["protein_g"] = float(consts["protein"].value) if "protein" in consts else None
    out["count_minutes"] = float(consts["count_time"].value) / _SECONDS_PER_MINUTE
    out["background_cpm"] = (float(consts["background"].value) if "background" in consts
                             else math.nan)
    return out


def _status(fit: CurveSummary, problems: list[str], name: str) -> tuple[str, str]:
    """``("warning", message)`` when the fit or any QC check is unhappy, else ``("ok", "")``."""
    parts = [p for p in (fit.message, *problems) if p]
    if fit.status == "warning" or problems:
        return "warning", f"plate {name}: " + "; ".join(parts) + "."
    return "ok", "; ".join(parts)


def _off(summary: CurveSummary, name: str, expected: float) -> bool:
    """A plateau further than the tolerance from ``expected`` and outside its own 95 % CI."""
    value = getattr(summary, name)
    low, high = (summary.fit.ci95.get(name, (value, value)) if summary.fit is not None
                 else (value, value))
    return abs(value - expected) > _PLATEAU_TOLERANCE_PCT and not (low <= expected <= high)


def _as_plateset(plate: object, layout) -> PlateSet:
    if isinstance(plate, PlateSet):
        return plate
    if isinstance(plate, str | Path):
        return read_plates(plate, layout=layout)
    if isinstance(plate, pd.DataFrame):
        return PlateSet(plate.reset_index(drop=True), {}, "table")
    raise ParameterError(f"analyze_plate: 'plate' must be a file path, a PlateSet or a "
                         f"DataFrame, got {type(plate).__name__}.")


# --------------------------------------------------------------------------- one plate


def _analyze_one(kind: str, name: str, compound: str, w: pd.DataFrame, cfg: dict[str, Any],
                 exclude_outliers: bool, truth_ki: float | None) -> tuple[PlateResult, pd.DataFrame]:
    par = cfg["par"]
    role = w["role"].to_numpy()
    counts = w["counts_cpm"].to_numpy(float)
    conc = w["concentration_M"].to_numpy(float)
    is_total, is_nsb = role == "total", role == "nsb"
    is_test = (role == "test") & (w["compound"].to_numpy() == compound)
    consts: dict[str, Constant] = dict(cfg["constants"])
    bg = cfg["background_cpm"]
    if not math.isfinite(bg):
        empty = counts[(role == "empty") & np.isfinite(counts)]
        bg = float(np.median(empty)) if empty.size else 0.0
        origin = (f"measured: median of the {empty.size} empty wells" if empty.size
                  else "assumed: 0 CPM (no empty wells and none given; --background)")
        consts["background"] = Constant("background", "counter background", bg, "cpm", origin)
    base = dict(plate=name, compound=compound, truth_ki_M=truth_ki,
                constants={k: c.to_dict() for k, c in consts.items()})
    frame = w.assign(specific_cpm=np.nan, percent_of_control=np.nan, used=False)
    for label, mask in (("total", is_total), ("nsb", is_nsb)):
        if mask.sum() < _MIN_CONTROLS:
            return PlateResult(status="failed", message=(
                f"plate {name}: {int(mask.sum())} '{label}' control well(s); at least "
                f"{_MIN_CONTROLS} are needed (role '{label}')."), **base), frame
    tot, nsb = counts[is_total], counts[is_nsb]
    zp = plate_z_prime(tot, nsb)
    flags: list[str] = []
    problems: list[str] = []  # one sentence per QC failure: makes the status 'warning'
    if not (zp >= par["z_prime_threshold"]):
        flags.append(f"z_prime_below_{par['z_prime_threshold']:g}")
        problems.append(f"Z′ = {zp:.2f} < {par['z_prime_threshold']:g}: the control window is "
                        "small next to its noise (Zhang 1999), so the IC50/Ki are unreliable")
    mu_t, mu_n = float(np.mean(tot)), float(np.mean(nsb))
    window = mu_t - mu_n
    if not window > 0:
        return PlateResult(status="failed", z_prime=zp, flags=tuple(flags), message=(
            f"plate {name}: total wells ({mu_t:.0f} CPM) are not above non-specific wells "
            f"({mu_n:.0f} CPM); check the roles."), **base), frame
    if is_test.sum() < _MIN_TEST_WELLS or np.unique(conc[is_test]).size < _MIN_TEST_CONCS:
        return PlateResult(status="failed", z_prime=zp, flags=tuple(flags), message=(
            f"plate {name}: compound {compound!r} has {int(is_test.sum())} test wells at "
            f"{np.unique(conc[is_test]).size} concentrations; a curve needs ≥ {_MIN_TEST_WELLS} "
            f"wells at ≥ {_MIN_TEST_CONCS} concentrations."), **base), frame
    minutes = cfg["count_minutes"]
    cv2 = _variance_model(tot, nsb, minutes, bg)
    use = is_test | is_total
    x = np.where(is_total, 0.0, conc)[use]
    raw = counts[use]
    y = 100.0 * (raw - mu_n) / window
    first = fit_4pl(x, y)
    wts = None
    if first.status != "failed":
        mu_hat = mu_n + first.predict(x) * window / 100.0
        wts = _weights(mu_hat, cv2, minutes, bg)
    fit = fit_4pl(x, y, wts) if wts is not None else first
    used = np.ones(x.size, bool)
    excluded: tuple[str, ...] = ()
    if exclude_outliers and fit.status != "failed":
        flagged = outlier_mask(x, y, fit, wts)
        # Control wells define 100 % (and Z′); they are never removed as outliers, only reported.
        control = is_total[use]
        kept = tuple(w["well"].to_numpy()[use][flagged & control])
        if kept:
            flags.append("control_outliers_kept:" + ",".join(kept))
            problems.append(f"the outlier test (ROUT) flags control well(s) {', '.join(kept)} "
                            "(role 'total'); control wells are kept, check them")
        out = flagged & ~control
        if out.any():
            excluded = tuple(w["well"].to_numpy()[use][out])
            used = ~out
            flags.append("outliers_excluded:" + ",".join(excluded))
            fit = fit_4pl(x[used], y[used], None if wts is None else wts[used])
    frame.loc[use, "specific_cpm"] = raw - mu_n
    frame.loc[use, "percent_of_control"] = y
    frame.loc[frame.index[use], "used"] = used
    if fit.status == "failed":
        return PlateResult(status="failed", message=f"plate {name}: {fit.message}", z_prime=zp,
                           flags=tuple(flags), n_test_wells=int(is_test.sum()),
                           excluded_wells=excluded, curve=fit, **base), frame
    flags.extend(f"fit:{f}" for f in fit.flags)
    # Plateaus of the test wells alone (the main fit shares its top with the total wells).
    only_test = used & (x > 0)
    alone = fit_4pl(x[only_test], y[only_test], None if wts is None else wts[only_test],
                    ci="asymptotic")
    if alone.status != "failed" and (_off(alone, "top", 100.0) or _off(alone, "bottom", 0.0)):
        flags.append(f"plateau_mismatch:top={alone.top:.0f}%,bottom={alone.bottom:.0f}%"
                     "(controls differ from the curve's plateaus: edge effects?)")
        problems.append(f"the curve's own plateaus (top {alone.top:.0f} %, bottom "
                        f"{alone.bottom:.0f} %) disagree with the controls (100 %, 0 %); check for "
                        "edge effects or mis-assigned controls")
    hill_low, hill_high = fit.hill_ci95
    if math.isfinite(hill_low) and not (hill_low <= _COMPETITIVE_HILL <= hill_high):
        flags.append(f"hill_not_unity:{fit.hill:.2f}({hill_low:.2f}..{hill_high:.2f})")
        problems.append(
            f"the Hill slope {fit.hill:.2f} (95 % CI {hill_low:.2f} to {hill_high:.2f}) excludes "
            f"{_COMPETITIVE_HILL:g}: Cheng–Prusoff assumes a competitive one-site interaction "
            "(Leff & Dougall 1993), so the Ki may not be valid; check the mechanism or report "
            "the IC50")
    ic50 = 10.0**fit.log_center
    ic50_ci = (10.0 ** fit.log_center_ci95[0], 10.0 ** fit.log_center_ci95[1])
    if kind == "uptake":
        factor = ic50 / float(cheng_prusoff_uptake(ic50, cfg["substrate_M"], cfg["km_M"]))
        status, message = _status(fit, problems, name)
        return PlateResult(status=status, message=message, ic50_M=ic50, ic50_ci95_M=ic50_ci,
                           ki_M=ic50 / factor, ki_ci95_M=(ic50_ci[0] / factor, ic50_ci[1] / factor),
                           hill=fit.hill, hill_ci95=fit.hill_ci95, z_prime=zp, flags=tuple(flags),
                           n_test_wells=int(is_test.sum()), excluded_wells=excluded, curve=fit,
                           **base), frame
    # ---- binding
    L, kd = cfg["radioligand_M"], cfg["kd_M"]
    factor = ic50 / float(cheng_prusoff_binding(ic50, L, kd))
    direct = fit_one_site_ki(x[used], y[used], L, kd, None if wts is None else wts[used])
    cpm_per_M = cfg["cpm_per_M"]
    ns_bound = max(mu_n - bg, 0.0) / cpm_per_M
    k = ns_bound / max(L - ns_bound, np.finfo(float).tiny)
    depletion = max(mu_t - bg, 0.0) / cpm_per_M / L
    exact = fit_exact_depletion(
        x[used], (raw - mu_n)[used], radioligand_M=L, kd_M=kd, nsb_fraction=k,
        cpm_per_M=cpm_per_M, weights=None if wts is None else wts[used],
        ki_guess_M=ic50 / factor)
    ki_cp = ic50 / factor
    bias = math.nan
    impossible = depletion > 1.0
    if impossible:
        c = cfg["constants"]
        flags.append(f"constants_inconsistent:{100 * depletion:.0f}%_of_radioligand_bound")
        problems.append(
            f"with the constants used (specific activity {c['specific_activity'].display()}, "
            f"volume {c['volume'].display()}, efficiency {c['counting_efficiency'].display()}, "
            f"recovery {c['filter_recovery'].display()}, [L] {c['radioligand'].display()}) the "
            f"total wells would hold {100 * depletion:.0f}% of the added radioligand, which is "
            "impossible: check these constants (depletion and the exact-depletion Ki not "
            "reported)")
    if exact.status != "failed" and not impossible:
        # Model-based bias of Cheng-Prusoff at the fitted receptor concentration (smooth in the
        # well-determined R_t, unlike the noisy ratio of two estimates).
        ic50_exact = exact_ic50(exact.ki_M, receptor_M=exact.receptor_M, radioligand_M=L,
                                kd_M=kd, nsb_fraction=k)
        bias = ic50_exact / float(ic50_from_ki_binding(exact.ki_M, L, kd)) - 1.0
    if not impossible and depletion <= par["depletion_warning_fraction"] \
            and bias > par["depletion_warning_fraction"]:
        flags.append(f"competitor_depletion:cheng_prusoff_bias:{100 * bias:+.0f}%")
        problems.append(f"the competitor is depleted by the receptor; the Cheng–Prusoff Ki is "
                        f"biased by {100 * bias:+.0f}% (use ki_exact_M)")
        warnings.warn(
            f"plate {name}: the receptor concentration (fitted {exact.receptor_M * 1e9:.3g} nM) is "
            f"not small next to the IC50 of {compound}; the Cheng–Prusoff Ki is biased by "
            f"{100 * bias:+.0f}% (use ki_exact_M).", NeuromoaWarning, stacklevel=3)
    if not impossible and depletion > par["depletion_warning_fraction"]:
        flags.append(f"ligand_depletion:{100 * depletion:.1f}%_bound;"
                     f"cheng_prusoff_bias:{100 * bias:+.0f}%")
        problems.append(f"{100 * depletion:.1f}% of the radioligand is bound; the Cheng–Prusoff "
                        f"Ki is biased by {100 * bias:+.0f}% (use ki_exact_M)")
        warnings.warn(
            f"plate {name}: {100 * depletion:.1f}% of the radioligand is bound (> "
            f"{100 * par['depletion_warning_fraction']:.0f}%); free ≠ added, so the Cheng–Prusoff Ki "
            f"is biased by {100 * bias:+.0f}% relative to the exact-depletion fit (use ki_exact_M).",
            NeuromoaWarning, stacklevel=3)
    if direct.status == "failed":
        flags.append("direct_ki_fit_failed")
    if cfg.get("conversion_assumed"):
        flags.append("depletion_from_default_counting_conversion(see the constants' origins)")
    if exact.status == "failed":
        flags.append("exact_depletion_fit_failed")
    bmax = None
    if cfg.get("protein_g") and exact.status != "failed" and not impossible:
        bmax = float(exact.receptor_M) * cfg["volume_L"] / cfg["protein_g"]  # mol/g
    status, message = _status(fit, problems, name)
    return PlateResult(
        status=status, message=message, ic50_M=ic50, ic50_ci95_M=ic50_ci, ki_M=ki_cp,
        ki_ci95_M=(ic50_ci[0] / factor, ic50_ci[1] / factor), hill=fit.hill,
        hill_ci95=fit.hill_ci95, z_prime=zp,
        flags=tuple(flags), depletion_fraction=depletion,
        ki_direct_M=10.0**direct.log_center,
        ki_direct_ci95_M=(10.0 ** direct.log_center_ci95[0], 10.0 ** direct.log_center_ci95[1]),
        ki_exact_M=math.nan if impossible else exact.ki_M,
        ki_exact_ci95_M=(_NAN2 if impossible else exact.ci95.get("ki", (math.nan, math.nan))),
        cheng_prusoff_bias=bias, bmax_mol_per_g=bmax,
        n_test_wells=int(is_test.sum()), excluded_wells=excluded, curve=fit, **base), frame


def analyze_plate(kind: str, plate: object, *, layout: object = None, target: str | None = None,
                  substrate: object = None, km: object = None, radioligand: object = None,
                  kd: object = None, specific_activity: object = None, volume: object = None,
                  efficiency: object = None, recovery: object = None, protein: object = None,
                  count_time: object = None, background: object = None,
                  constants: object = None, exclude_outliers: bool = True,
                  strict: bool = True) -> AssayAnalysis:
    """Analyse uptake or binding plates: IC50, Ki with 95 % CIs, Z′, depletion, flags.

    Parameters
    ----------
    kind : "uptake" or "binding".
    plate : a plate file (tidy CSV or 8 × 12 grid with ``layout``), a
        :class:`~neuromoa.assays.plates.PlateSet` or a tidy DataFrame.
    layout : layout file for grid files (or tidy files without roles).
    target : SERT | NET | M1 (default: the file's conditions; M1 for binding).
    substrate, km : uptake substrate concentration and Km ("100 nM"); default: the file's
        conditions, then parameters.csv and the knowledge base.
    radioligand, kd : binding radioligand concentration and Kd; same defaults.
    specific_activity, volume, efficiency, recovery, protein : binding counts → moles
        ("80 Ci/mmol", "250 uL", 0.45, 0.9, "5 ug"); count_time ("1 min"), background (CPM).
    constants : a constants file (TOML or ``key: value`` lines) or a dict of such values; see
        :mod:`neuromoa.assays.constants`. Each constant used is in ``PlateResult.constants``
        with its origin (``user``, ``file: …``, ``default: <source>``); one the analysis needs
        with no value for the target raises :class:`~neuromoa.assays.constants.MissingConstantError`.
    exclude_outliers : drop wells the fitting engine's ROUT test flags (listed in ``flags``).
    strict : raise :class:`~neuromoa.errors.ProtocolError` when the input holds a single
        plate/compound and it cannot be analysed (the CLI's one-line error); ``False`` returns
        the failed result instead.

    Returns
    -------
    AssayAnalysis — a batch: each plate/compound carries ``status`` ("ok"; "warning": analysed,
    but a QC check failed — Z′ < 0.5, plateaus unlike the controls, Hill CI excluding −1,
    ligand/competitor depletion, an outlying control well, or a fit warning; "failed": no
    estimate) and a one-line ``message``. A plate with a bad well (see
    :func:`~neuromoa.assays.plates.read_plates`) or too few wells fails alone; the others are
    analysed. Raises only for a malformed file, or (``strict``) when the input is a single plate
    and compound and it fails.

    Examples
    --------
    >>> ps = simulate_uptake("SERT", "amitriptyline", seed=1)          # doctest: +SKIP
    >>> analyze_plate("uptake", ps).to_dict()["plates"][0]["ki_M"]      # doctest: +SKIP
    """
    k = str(kind).strip().lower()
    if k not in ("uptake", "binding"):
        raise ParameterError(f"Unknown assay {kind!r}; expected 'uptake' or 'binding'.")
    ps = _as_plateset(plate, layout)
    user = {"target": target, "substrate": substrate, "km": km, "radioligand": radioligand,
            "kd": kd, "specific_activity": specific_activity, "volume": volume,
            "counting_efficiency": efficiency, "filter_recovery": recovery, "protein": protein,
            "count_time": count_time, "background": background}
    const_files: list[tuple[str, dict[str, Any]]] = []
    if isinstance(constants, dict):
        for name, value in constants.items():
            key = constant_key(name)
            if key is None:
                raise ParameterError(f"analyze_plate: unknown constant {name!r}; known: "
                                     f"{', '.join(OPTION_OF)}.")
            if user.get(key) is None:
                user[key] = value
    elif constants is not None:
        const_files.append((f"file: {Path(str(constants)).name}",
                            read_constants_file(constants)))  # type: ignore[arg-type]
    for key, value in user.items():  # a bad option is the user's, not a plate's: raise once
        if value is not None:
            parse_constant(key, value, OPTION_OF.get(key, key))
    missing: list[str] = []
    results: list[PlateResult] = []
    frames: list[pd.DataFrame] = []
    for name in ps.all_plates:
        if name in ps.errors:  # a bad well: this plate fails, the others are analysed
            results.append(PlateResult(plate=name, compound="", status="failed",
                                       message=ps.errors[name]))
            continue
        w = ps.wells[ps.wells["plate"] == name]
        cond = ps.conditions(name)
        cond_kind = cond.get("assay")
        if cond_kind and cond_kind != k:
            raise ProtocolError(f"{ps.source}: plate {name} is a {cond_kind} plate; analyse it "
                                f"with '{cond_kind}', not '{k}'.")
        try:  # a plate whose conditions cannot be resolved fails alone (issue 17)
            cfg = _resolve(k, name, cond, ps, user, const_files)
        except MissingConstantError as exc:
            missing.append(str(exc))
            results.append(PlateResult(plate=name, compound="", status="failed",
                                       message=f"plate {name}: {exc}"))
            continue
        except NeuromoaError as exc:
            results.append(PlateResult(plate=name, compound="", status="failed",
                                       message=f"plate {name}: {exc}"))
            continue
        truth_ki = ps.truth(name).get("ki_M")
        compounds = list(dict.fromkeys(w.loc[w["role"] == "test", "compound"].tolist())) or [""]
        for compound in compounds:
            res, frame = _analyze_one(k, name, compound, w, cfg, exclude_outliers,
                                      None if truth_ki is None else float(truth_ki))
            results.append(res)
            frames.append(frame)
    if missing and len(missing) == len(results):  # the same constant lacks for every plate
        raise MissingConstantError(missing[0])
    if strict and len(results) == 1 and results[0].status == "failed":
        if results[0].plate in ps.errors:
            raise DataFileError(results[0].message)
        raise ProtocolError(f"{ps.source}: {results[0].message}")
    wells = (pd.concat(frames, ignore_index=True) if frames else
             ps.wells.assign(specific_cpm=np.nan, percent_of_control=np.nan, used=False))
    return AssayAnalysis(k, tuple(results), wells, ps)
