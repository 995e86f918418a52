"""Receptor antagonism by amitriptyline: simulated agonist curves, dose ratios, Schild regression.

For each GPCR target (M1-M5, H1, H2, alpha1) the natural agonist (acetylcholine, histamine,
noradrenaline; potencies in ``data/systems/agonists.csv``) is applied in the presence of
amitriptyline at the affinity the knowledge base gives, either through

* the **Gaddum** occupancy model, E = Emax [A]/([A] + KA (1 + [B]/KB)), with KA = EC50; or
* the **operational model** (Black & Leff 1983) with receptor reserve, EC50 = KA/(1 + tau),
  tau = KA/EC50 - 1 from the agonist's affinity and potency.

The virtual experiment adds Gaussian noise (seeded), fits all curves together with shared
bottom, top and slope and one log EC50 per curve (:func:`neuromoa.fitting.fit_curves` with
``share``: a parallel shift, the design of a Schild experiment), forms dose ratios DR = EC50(B)/EC50(0) and regresses log(DR - 1) on log[B]
(:func:`neuromoa.pharmacology.schild_fit`). A competitive antagonist gives slope 1 and
pA2 = pKB, which the tests check for every target.

References
----------
Arunlakshana O, Schild HO. *Br J Pharmacol* 1959;14:48. Black JW, Leff P. *Proc R Soc Lond B*
1983;220:141. Gaddum JH. *J Physiol* 1937;89:7P.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError, UnknownTargetError, check_number
from neuromoa.fitting import fit_curves
from neuromoa.pharmacology import gaddum_response, operational_response, schild_fit
from neuromoa.systems._html import summary_html
from neuromoa.units import format_molar

__all__ = ["DEFAULT_MULTIPLES", "DEFAULT_NOISE", "DEFAULT_REPLICATES", "GPCR_TARGETS",
           "SchildResult", "agonist_table", "schild_experiment"]

#: The GPCR targets of the source document, in its order.
GPCR_TARGETS = ("M1", "M2", "M3", "M4", "M5", "H1", "H2", "alpha1")
_MODELS = ("gaddum", "operational")
#: Antagonist concentrations as multiples of KB (dose ratios 4-301): the usual Schild design
#: of >= 3 concentrations half a log or more apart (assumption: design choice).
DEFAULT_MULTIPLES = (3.0, 10.0, 30.0, 100.0, 300.0)
#: Noise SD as a fraction of the maximal response (assumption: a good functional assay).
DEFAULT_NOISE = 0.03
#: Replicates per agonist concentration (assumption: quadruplicates; with quarter-log steps the
#: SD of pA2 over 160 simulated experiments is 0.021 log units, largest error 0.068).
DEFAULT_REPLICATES = 4
#: Agonist range: quarter-log steps from EC50/1000 to EC50 x DRmax x 1000 (assumption: design).
_STEP_LOG = 0.25
_SPAN_LOG = 3.0


def agonist_table() -> pd.DataFrame:
    """The shipped agonist potencies: ``target agonist pec50 pka tau reference confidence note``.

    ``tau`` (operational transducer ratio) is derived: KA/EC50 - 1.
    """
    file = "systems/agonists.csv"
    table = pd.read_csv(io.StringIO(read_text("systems", "agonists.csv")))
    missing = set(GPCR_TARGETS) - set(table["target"])
    if missing:
        raise DataFileError(f"no agonist for target(s) {sorted(missing)}", file=file)
    if np.any(table["pec50"] <= table["pka"]):
        row = int(np.argmax(table["pec50"] <= table["pka"])) + 2
        raise DataFileError("pec50 must exceed pka (receptor reserve, tau > 0)", file=file,
                            row=row, field="pec50")
    table["tau"] = 10.0 ** (table["pec50"] - table["pka"]) - 1.0
    return table


def _target(name: str) -> str:
    for t in GPCR_TARGETS:
        if str(name).strip().lower() == t.lower():
            return t
    raise UnknownTargetError(f"schild: unknown target {name!r}; choose one of "
                             f"{', '.join(GPCR_TARGETS)}.")


@dataclass(frozen=True)
class SchildResult:
    """A simulated Schild experiment and its analysis.

    Attributes
    ----------
    pa2, slope, slope_ci95 : Schild regression (free slope).
    pkb : pKB with the slope fixed at 1.
    pki_kb : -log10 of the knowledge base's affinity used as truth.
    dose_ratios : DataFrame ``antagonist_M ec50_M dose_ratio expected_dose_ratio status message``
        (one row per curve; ``status`` ok, warning or failed, as the curve fit reported it or
        as the checks of :func:`schild_experiment` found it).
    data : tidy DataFrame ``curve antagonist_M agonist_M response``.
    fit_status : str
        ``ok``, ``warning`` (the fit flagged something, e.g. not converged; the numbers are
        reported) or ``failed`` (no usable EC50 shift: ``pa2``, ``slope``, ``pkb`` are NaN).
    message : str
        Empty when ok; else what went wrong, per curve ("fit failed at noise 5: ...").
    """

    target: str
    agonist: str
    model: str
    kb_M: float
    kb_source: str
    pa2: float
    slope: float
    slope_ci95: tuple[float, float]
    pkb: float
    pki_kb: float
    seed: int | None
    dose_ratios: pd.DataFrame = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    fit: dict[str, float] = field(default_factory=dict, repr=False)
    fit_status: str = "ok"
    message: str = ""
    compound: str = ""

    def _repr_html_(self) -> str:
        d = self.to_dict()
        if "tau_days" in d:
            d.update({f"tau_{k}_days": v for k, v in d["tau_days"].items()})
        return summary_html(f"Schild: {self.target} ({self.model})", d)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``pa2``, ``slope``, ``slope_ci95``, ``pki_kb`` and the details."""
        return {"pa2": self.pa2, "slope": self.slope, "slope_ci95": list(self.slope_ci95),
                "pki_kb": self.pki_kb, "pkb": self.pkb, "target": self.target,
                "agonist": self.agonist, "model": self.model, "kb_M": self.kb_M,
                "kb_source": self.kb_source, "seed": self.seed, "fit_status": self.fit_status,
                "message": self.message, "dose_ratios": self.dose_ratios.to_dict(orient="list"), "fit": dict(self.fit),
                "compound": self.compound}

    def to_frame(self) -> pd.DataFrame:
        """Dose-ratio table."""
        return self.dose_ratios.copy()

    def plot(self, fig=None):
        """Left: agonist curves with fitted lines; right: Schild plot."""
        from matplotlib.figure import Figure

        fig = fig or Figure(figsize=(8, 3.2), layout="constrained")
        if self.fit_status == "failed":
            ax = fig.subplots()
            for i, (b, sub) in enumerate(self.data.groupby("antagonist_M", sort=True)):
                ax.semilogx(sub["agonist_M"], sub["response"], ".", color=f"C{i}", ms=3,
                            label=format_molar(b))
            ax.set_xlabel(f"{self.agonist} (M)")
            ax.set_ylabel("response (fraction of maximum)")
            ax.legend(frameon=False, fontsize=7, title=self.compound or "antagonist", title_fontsize=7)
            ax.set_title(f"{self.target}: global fit failed (no Schild analysis)", fontsize=9)
            return fig
        ax1, ax2 = fig.subplots(1, 2)
        grid = np.logspace(np.log10(self.data["agonist_M"].min()),
                           np.log10(self.data["agonist_M"].max()), 200)
        for i, (b, sub) in enumerate(self.data.groupby("antagonist_M", sort=True)):
            ax1.semilogx(sub["agonist_M"], sub["response"], ".", color=f"C{i}", ms=3)
            ec50 = float(self.dose_ratios.loc[self.dose_ratios["antagonist_M"] == b,
                                              "ec50_M"].iloc[0])
            ax1.semilogx(grid, _four_pl(np.log10(grid), self.fit["bottom"], self.fit["top"],
                                        math.log10(ec50), self.fit["hill"]), color=f"C{i}",
                         label=format_molar(b))
        ax1.set_xlabel(f"{self.agonist} (M)")
        ax1.set_ylabel("response (fraction of maximum)")
        ax1.legend(frameon=False, fontsize=7, title=self.compound or "antagonist", title_fontsize=7)
        dr = self.dose_ratios[self.dose_ratios["antagonist_M"] > 0]
        x = np.log10(dr["antagonist_M"])
        ax2.plot(x, np.log10(dr["dose_ratio"] - 1), "o")
        xx = np.linspace(x.min(), x.max(), 10)
        ax2.plot(xx, self.slope * (xx + self.pa2), "-")
        ax2.set_xlabel(f"log [{self.compound or 'antagonist'}] (M)")
        ax2.set_ylabel("log (DR − 1) (dimensionless)")
        ax2.set_title(f"{self.target}: pA2 {self.pa2:.2f}, slope {self.slope:.2f} "
                      f"(pKi {self.pki_kb:.2f})", fontsize=9)
        return fig


def _four_pl(logx, bottom, top, log_ec50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ec50 - logx) * hill))


def _global_fit(data: pd.DataFrame) -> dict[str, Any]:
    """Shared bottom, top and slope, one log EC50 per curve (:func:`neuromoa.fitting.fit_curves`).

    Floating-point overflow inside the optimiser (very noisy data drive the slope and EC50 to
    extremes) is silenced here: the result's finiteness is checked by the caller instead.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        batch = fit_curves(data.rename(columns={"agonist_M": "concentration"}), "4pl",
                           share=("bottom", "top", "hill"), unit="M")
        frame = batch.to_frame().sort_values("curve", key=lambda c: c.astype(int))
    return {"bottom": float(frame["bottom"].iloc[0]), "top": float(frame["top"].iloc[0]),
            "hill": float(frame["hill"].iloc[0]),
            "log_ec50": frame["log_ic50"].to_numpy(float),
            "rss": float(frame["rss"].sum()),
            "statuses": [str(s) for s in frame["status"]],
            "messages": ["" if pd.isna(m) else str(m) for m in frame["message"]]}


def _check_fit(fit: dict[str, Any], b: np.ndarray, kb: float, log_range: tuple[float, float]
               ) -> tuple[list[str], list[str], np.ndarray]:
    """Per-curve status and message, and log10 dose ratios, of a global fit.

    A curve fails when its fit failed, its log EC50 is not finite or lies outside the tested
    agonist range (an extrapolated shift is no measurement), or, for an antagonist curve, its
    dose ratio is not above 1 (log(DR - 1) undefined); the shared parameters must be finite.
    """
    lo, hi = log_range
    log_ec50 = fit["log_ec50"]
    shared_ok = all(math.isfinite(fit[k]) for k in ("bottom", "top", "hill"))
    statuses, messages = [], []
    log_dr = log_ec50 - log_ec50[0]
    for i, bi in enumerate(b):
        status, msg = fit["statuses"][i], fit["messages"][i]
        if status == "failed":
            msg = msg or "the curve fit failed"
        elif not shared_ok:
            status, msg = "failed", "shared bottom/top/slope not finite"
        elif not math.isfinite(log_ec50[i]):
            status, msg = "failed", "EC50 not finite"
        elif not lo <= log_ec50[i] <= hi:
            status, msg = "failed", (f"log10 EC50/M {log_ec50[i]:.3g} outside the tested "
                                     f"agonist range ({lo:.3g} to {hi:.3g})")
        elif bi > 0 and math.isfinite(log_dr[i]) and log_dr[i] <= 0:
            status, msg = "failed", (f"dose ratio {10.0 ** log_dr[i]:.3g} <= 1 (no rightward "
                                     f"shift to regress)")
        statuses.append(status)
        messages.append(msg)
    return statuses, messages, log_dr


def _summary(messages: list[str], b: np.ndarray, kb: float) -> str:
    """One line: each distinct message once, with the curves it concerns."""
    groups: dict[str, list[str]] = {}
    for i, (msg, bi) in enumerate(zip(messages, b, strict=True)):
        if msg:
            groups.setdefault(msg, []).append(
                f"curve {i} ({'control' if bi == 0 else f'{bi / kb:g} x KB'})")
    return "; ".join(f"{', '.join(curves)}: {msg}" for msg, curves in groups.items())


def schild_experiment(target: str, *, compound: str | None = None, model: str = "gaddum",
                      multiples: Any = DEFAULT_MULTIPLES, noise: float = DEFAULT_NOISE,
                      replicates: int = DEFAULT_REPLICATES, seed: int | None = 0,
                      kb_M: float | None = None, source: str | None = None) -> SchildResult:
    """Simulate and analyse a Schild experiment for one GPCR target.

    Parameters
    ----------
    target : {"M1", "M2", "M3", "M4", "M5", "H1", "H2", "alpha1"}
    compound : str, optional
        The antagonist (its affinity at ``target`` from :mod:`neuromoa.kb`; default the
        flagship compound).
    model : {"gaddum", "operational"}
        Occupancy (Gaddum) or operational model with receptor reserve (tau from the agonist table).
    multiples : sequence of float
        Antagonist concentrations as multiples of KB (>= 3 values).
    noise : float
        Gaussian noise SD as a fraction of Emax (>= 0).
    replicates : int
        Replicates per agonist concentration (>= 1).
    seed : int or None
        Seed (with the target and model) of :func:`numpy.random.default_rng`; same seed,
        same data.
    kb_M : float, optional
        Antagonist KB (M) instead of the knowledge base's affinity.
    source : str, optional
        kb source selector for the affinity.

    Returns
    -------
    SchildResult
        With ``fit_status`` ``failed`` (and NaN ``pa2``, ``slope``, ``pkb``) and a ``message``
        "fit failed at noise X: curve i (...): why" when the global fit gives no usable shift
        (very noisy data); a batch over targets therefore never aborts for one experiment.
    """
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    tgt = _target(target)
    if model not in _MODELS:
        raise InputError(f"schild: unknown model {model!r}; choose gaddum or operational.")
    check_number(noise, "noise", "schild_experiment", low=0)
    n_rep = check_number(replicates, "replicates", "schild_experiment", low=1)
    if n_rep != int(n_rep):
        raise InputError(f"schild: replicates must be a whole number; got {replicates!r}.")
    n_rep = int(n_rep)
    try:
        mult = np.asarray(multiples, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(f"schild: multiples must be numbers (multiples of KB); got "
                         f"{multiples!r}.") from None
    if mult.size < 3 or not np.all(np.isfinite(mult)) or np.any(mult <= 0):
        raise InputError("schild: give at least 3 positive, finite antagonist multiples of KB.")
    if np.unique(mult).size != mult.size:
        raise InputError("schild: antagonist multiples of KB must all differ.")
    ag = agonist_table().set_index("target").loc[tgt]
    if kb_M is None:
        from neuromoa.kb import load_kb

        aff = load_kb().affinity(compound, tgt, source=source)
        kb = float(aff.value_M)
        kb_source = f"neuromoa.kb: {aff.measure} {aff.text} {aff.unit} ({aff.source})"
    else:
        kb = check_number(kb_M, "kb_M", "schild_experiment", low=0, low_open=True)
        kb_source = "given"
    ec50 = 10.0 ** -float(ag["pec50"])
    ka = 10.0 ** -float(ag["pka"])
    tau = float(ag["tau"])
    b = np.concatenate([[0.0], kb * mult])
    lo = math.log10(ec50) - _SPAN_LOG
    hi = math.log10(ec50 * (1.0 + b[-1] / kb)) + _SPAN_LOG
    agonist = 10.0 ** np.arange(lo, hi + 1e-9, _STEP_LOG)
    # one independent stream per (seed, target, model): targets are separate experiments
    rng = np.random.default_rng(None if seed is None else
                                [int(seed), GPCR_TARGETS.index(tgt), _MODELS.index(model)])
    rows = []
    for i, bi in enumerate(b):
        if model == "gaddum":
            mean = gaddum_response(agonist, ec50, bi, kb)
        else:
            # normalised so that the maximal response is 1 (Em tau/(1+tau) = 1)
            mean = operational_response(agonist, ka, tau, emax=(1.0 + tau) / tau, antagonist=bi,
                                        kb=kb)
        for _ in range(n_rep):
            resp = np.asarray(mean) + rng.normal(0.0, noise, agonist.size)
            rows.append(pd.DataFrame({"curve": i, "antagonist_M": bi, "agonist_M": agonist,
                                      "response": resp}))
    data = pd.concat(rows, ignore_index=True)
    fit = _global_fit(data)
    statuses, messages, log_dr = _check_fit(fit, b, kb, (math.log10(agonist[0]),
                                                         math.log10(agonist[-1])))
    with np.errstate(over="ignore", invalid="ignore"):  # a failed curve may be out of range
        ec50s = 10.0 ** fit["log_ec50"]
        dr = 10.0 ** log_dr
    table = pd.DataFrame({"antagonist_M": b, "ec50_M": ec50s, "dose_ratio": dr,
                          "expected_dose_ratio": 1.0 + b / kb, "status": statuses,
                          "message": messages})
    details = _summary(messages, b, kb)
    if "failed" in statuses:
        status = "failed"
        message = f"schild {tgt}: fit failed at noise {noise:g}: {details}"
        pa2 = slope = pkb = math.nan
        ci: tuple[float, float] = (math.nan, math.nan)
    else:
        sch = schild_fit(b[1:], dr[1:])
        pa2, slope, pkb, ci = sch.pa2, sch.slope, sch.pkb, tuple(sch.slope_ci95)
        status = "warning" if "warning" in statuses else "ok"
        message = f"schild {tgt}: fit warning at noise {noise:g}: {details}" if details else ""
    return SchildResult(target=tgt, agonist=str(ag["agonist"]), model=model, kb_M=kb,
                        kb_source=kb_source, pa2=pa2, slope=slope, slope_ci95=ci, pkb=pkb,
                        pki_kb=-math.log10(kb), seed=seed, dose_ratios=table, data=data,
                        fit={"bottom": fit["bottom"], "top": fit["top"], "hill": fit["hill"],
                             "rss": fit["rss"], "tau": tau, "ka_M": ka, "ec50_M": ec50},
                        fit_status=status, message=message, compound=str(compound))
