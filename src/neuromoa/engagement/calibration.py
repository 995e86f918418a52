r"""In-vivo calibration of occupancy to human PET, one potency factor per target.

The shipped PET studies (``data/engagement/pet_occupancy.csv``: study, target, tracer, region,
drug, dose, plasma level, occupancy, population, role, source) are converted to unbound plasma
concentrations with each drug's unbound fraction and in-vitro affinity
(``data/engagement/pet_drugs.csv``), and the factor :math:`f` of
:math:`\theta = C_u/(C_u + f K)` is fitted to the rows whose ``role`` is ``fit``
(:func:`neuromoa.pharmacology.fit_potency_factor`, profile-likelihood 95 % CI). Rows with
``role = holdout`` are predicted, not fitted: NET is fitted to Sekine et al. 2010 at 25 and
75 mg and tested on the 10 mg dose and on the patients' EC50 of Takano et al. 2014. SERT pools
two drugs (clomipramine and fluvoxamine, Suhara et al. 2003), so its factor is a property of
the target across drugs; the leave-one-drug-out check is reported. H1 is not calibrated, and
asking for its calibration is an error: the [11C]doxepin studies shipped (role ``check``:
ketotifen, diphenhydramine, olopatadine, hydroxyzine; ``unusable``: d-chlorpheniramine,
mirtazapine) report no plasma level at the scan in any text read, so plasma can only be derived
from separate PK studies; of those drugs only ketotifen also has a human unbound fraction and
a Ki from one assay series, and one derived point with nothing to hold out is not a
calibration. ``calibration_points`` shows what each usable row implies (``implied_factor``).

Weights: each row's standard error is ``occupancy_sd/√n``, with an assumed between-subject SD
of 0.10 where the source gives none (``assumption_occ_sd``). When the fitted rows scatter more
than their errors allow (χ²/dof > 1) the interval is widened by that ratio.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import InputError
from neuromoa.pharmacology import calibrated_occupancy, fit_potency_factor

__all__ = ["ASSUMED_OCCUPANCY_SD", "Calibration", "calibration", "calibration_points",
           "calibrations", "pet_studies"]

#: Between-subject SD of one PET occupancy (fraction) where the study gives none; project
#: assumption (references.csv ``assumption_occ_sd``).
ASSUMED_OCCUPANCY_SD = 0.10
#: Confidence level of the factor's interval.
CI_LEVEL = 0.95
_NG_PER_ML_TO_M = 1e-6  # ng/mL ÷ (g/mol) → mol/L: 1 ng/mL = 1e-6 g/L


@dataclass(frozen=True)
class Calibration:
    """The fitted in-vivo factor of one target.

    ``factor`` multiplies the in-vitro K; ``ci`` its 95 % profile-likelihood interval; ``source``
    the studies fitted (reference ids); ``drugs`` the drugs in the fit; ``n`` the rows fitted.
    """

    target: str
    factor: float
    ci: tuple[float, float]
    source: str
    drugs: tuple[str, ...]
    n: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        """``{"source", "factor", "ci"}`` (+ drugs, n, note): the JSON of a calibrated row."""
        return {"source": self.source, "factor": self.factor, "ci": list(self.ci),
                "drugs": list(self.drugs), "n": self.n, "note": self.note}


@lru_cache(maxsize=1)
def pet_studies() -> pd.DataFrame:
    """The shipped PET rows joined with their drug's K, fu and MW (a copy is returned by callers)."""
    pet = pd.read_csv(io.StringIO(read_text("engagement", "pet_occupancy.csv")))
    drugs = pd.read_csv(io.StringIO(read_text("engagement", "pet_drugs.csv")))
    frame = pet.merge(drugs[["drug", "target", "k_nM", "k_source", "fu", "fu_source",
                             "mw_base"]], on=["drug", "target"], how="left")
    sd = frame["occupancy_sd"].fillna(ASSUMED_OCCUPANCY_SD)
    n = frame["n"].fillna(1.0)
    frame["se"] = sd / np.sqrt(n)
    frame["unbound_M"] = frame["fu"] * frame["plasma_ng_mL"] * _NG_PER_ML_TO_M / frame["mw_base"]
    frame["k_M"] = frame["k_nM"] * 1e-9
    return frame


def _fit(rows: pd.DataFrame) -> tuple[float, float, float]:
    fit = fit_potency_factor(rows["unbound_M"].to_numpy(), rows["occupancy"].to_numpy(),
                             rows["k_M"].to_numpy(), rows["se"].to_numpy(), level=CI_LEVEL)
    lo, hi = fit.ci_low, fit.ci_high
    dof = fit.n - 1
    if dof > 0 and fit.chi2_min / dof > 1.0:
        # Overdispersion: widen the log-interval by sqrt(chi2/dof) (quasi-likelihood).
        w = math.sqrt(fit.chi2_min / dof)
        lf = math.log(fit.factor)
        lo = math.exp(lf - w * (lf - math.log(lo))) if lo > 0 else 0.0
        hi = math.exp(lf + w * (math.log(hi) - lf)) if math.isfinite(hi) else math.inf
    return fit.factor, lo, hi


@lru_cache(maxsize=1)
def calibrations() -> dict[str, Calibration]:
    """Every target with usable PET rows → its :class:`Calibration`."""
    pet = pet_studies()
    out: dict[str, Calibration] = {}
    for target, rows in pet[pet["role"] == "fit"].groupby("target", sort=False):
        rows = rows.dropna(subset=["unbound_M", "k_M"])
        if rows.empty:
            continue
        factor, lo, hi = _fit(rows)
        drugs = tuple(dict.fromkeys(rows["drug"]))
        held = pet[(pet["target"] == target) & (pet["role"] == "holdout")]
        note = (f"fitted to {len(rows)} PET observation(s) of {', '.join(drugs)} "
                f"({', '.join(dict.fromkeys(rows['tracer']))}, {', '.join(dict.fromkeys(rows['region']))}); "
                "assumes the factor is a property of the target, the same for the dosed "
                "compound and its metabolite")
        if not held.empty:
            note += f"; held out: {', '.join(held['study'])}"
        out[str(target)] = Calibration(
            target=str(target), factor=float(factor), ci=(float(lo), float(hi)),
            source=";".join(dict.fromkeys(rows["source"])), drugs=drugs, n=len(rows), note=note)
    return out


def calibration(target: str) -> Calibration:
    """The calibration of ``target``; :class:`~neuromoa.errors.InputError` if it has no PET data."""
    cal = calibrations()
    if target not in cal:
        pet = pet_studies()
        rows = pet[pet["target"] == target]
        if rows.empty:
            why = "no human PET occupancy study is shipped for it"
        else:
            usable = rows.dropna(subset=["unbound_M", "k_M"])
            why = ("none of its PET rows is a fit row with a plasma level measured at the scan, "
                   "a human unbound fraction and a Ki (" + ", ".join(rows["study"]) + "; "
                   f"{len(usable)} row(s) usable only as a check)")
        raise InputError(f"No in-vivo calibration for target {target!r}: {why}; calibrated "
                         f"targets: {', '.join(cal)} (data/engagement/pet_occupancy.csv).")
    return cal[target]


def calibration_points(*, leave_one_drug_out: bool = True) -> pd.DataFrame:
    """Observed vs predicted occupancy for every PET row, before and after calibration.

    Returns
    -------
    pandas.DataFrame
        ``study target drug dose_mg plasma_ng_mL plasma_kind role observed
        predicted_in_vitro predicted_calibrated factor ci_low ci_high
        predicted_leave_one_drug_out implied_factor source`` (``predicted_*`` NaN where the
        row has no plasma level, unbound fraction or Ki; ``predicted_leave_one_drug_out`` from
        the factor fitted without that row's drug, where another drug was fitted;
        ``implied_factor`` the factor that row alone implies, :math:`C_u(1-\theta)/(\theta K)`).
    """
    pet = pet_studies()
    cal = calibrations()
    rows = []
    for rec in pet.to_dict(orient="records"):
        c = cal.get(rec["target"])
        usable = np.isfinite(rec["unbound_M"]) and np.isfinite(rec["k_M"])
        pred_iv = float(calibrated_occupancy(rec["unbound_M"], rec["k_M"])) if usable else math.nan
        pred_cal = (float(calibrated_occupancy(rec["unbound_M"], rec["k_M"], c.factor))
                    if usable and c is not None else math.nan)
        lodo = math.nan
        if leave_one_drug_out and usable and c is not None:
            others = pet[(pet["target"] == rec["target"]) & (pet["role"] == "fit")
                         & (pet["drug"] != rec["drug"])].dropna(subset=["unbound_M"])
            if not others.empty:
                f_other, _, _ = _fit(others)
                lodo = float(calibrated_occupancy(rec["unbound_M"], rec["k_M"], f_other))
        rows.append({
            "study": rec["study"], "target": rec["target"], "drug": rec["drug"],
            "dose_mg": rec["dose_mg"], "plasma_ng_mL": rec["plasma_ng_mL"],
            "plasma_kind": rec["plasma_kind"], "role": rec["role"],
            "observed": rec["occupancy"], "predicted_in_vitro": pred_iv,
            "predicted_calibrated": pred_cal,
            "factor": c.factor if c is not None else math.nan,
            "ci_low": c.ci[0] if c is not None else math.nan,
            "ci_high": c.ci[1] if c is not None else math.nan,
            "predicted_leave_one_drug_out": lodo,
            "implied_factor": (rec["unbound_M"] * (1.0 - rec["occupancy"])
                               / (rec["occupancy"] * rec["k_M"]) if usable else math.nan),
            "source": rec["source"],
        })
    return pd.DataFrame(rows)


def calibration_figure(points: pd.DataFrame | None = None) -> Any:
    """Observed vs predicted PET occupancy, before (open) and after (filled) calibration.

    One panel per calibrated target; squares are held-out rows, circles fitted rows; the title
    gives the factor and its 95 % CI. Returns a matplotlib ``Figure`` (needs the ``report``
    extra).
    """
    from matplotlib.figure import Figure

    pts = calibration_points() if points is None else points
    pts = pts[pts["predicted_in_vitro"].notna() & pts["target"].isin(list(calibrations()))]
    targets = list(dict.fromkeys(pts["target"]))
    fig = Figure(figsize=(4.2 * max(1, len(targets)), 4.2))
    axes = fig.subplots(1, max(1, len(targets)), squeeze=False)[0]
    for ax, target in zip(axes, targets, strict=False):
        rows = pts[pts["target"] == target]
        for role, marker in (("fit", "o"), ("holdout", "s")):
            r = rows[rows["role"] == role]
            if r.empty:
                continue
            ax.scatter(r["observed"], r["predicted_in_vitro"], marker=marker, facecolors="none",
                       edgecolors="tab:red", label=f"in vitro ({role})")
            ax.scatter(r["observed"], r["predicted_calibrated"], marker=marker,
                       color="tab:blue", label=f"calibrated ({role})")
            for rec in r.itertuples():
                ax.annotate(f"{rec.drug} {rec.dose_mg} mg", (rec.observed, rec.predicted_calibrated),
                            fontsize=6, xytext=(3, -8), textcoords="offset points")
        ax.plot([0, 1], [0, 1], color="0.5", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("observed occupancy (PET)")
        ax.set_ylabel("predicted occupancy")
        c = calibrations()[target]
        ax.set_title(f"{target}: factor {c.factor:.2f} (95% CI {c.ci[0]:.2f}-{c.ci[1]:.2f})\n"
                     f"{c.source}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
