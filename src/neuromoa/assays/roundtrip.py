"""Round trips: simulate plates with a known Ki, analyse them, and check what comes back.

For n plates (seeds ``seed, seed+1, …``) the summary gives the median recovered Ki relative to
the truth and the fraction of 95 % CIs that contain the truth, with its exact (Clopper–Pearson)
95 % interval: with n = 200 a perfectly calibrated interval covers 190 ± 3 (binomial SD) times.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuromoa.assays.analysis import analyze_plate
from neuromoa.assays.binding import simulate_binding
from neuromoa.assays.uptake import simulate_uptake
from neuromoa.errors import NeuromoaWarning, ParameterError, check_number

__all__ = ["DEFAULT_CASES", "RoundTripResult", "depletion_demo", "round_trip", "round_trip_table"]

def _default_cases() -> tuple[tuple[str, str, str], ...]:
    import csv

    from neuromoa.data import read_text

    rows = csv.DictReader(read_text("assays", "round_trip_cases.csv").splitlines())
    return tuple((r["kind"], r["target"], r["compound"]) for r in rows)


#: The Must-show cases (``data/assays/round_trip_cases.csv``): the flagship compound at SERT,
#: NET (uptake) and M1 (binding), and the protocols' reference inhibitors at their targets.
DEFAULT_CASES: tuple[tuple[str, str, str], ...] = _default_cases()

#: Acceptance of a round trip (issue 4): median Ki within 10 % of the truth, 93–97 % coverage.
MEDIAN_TOLERANCE = 0.10
COVERAGE_RANGE = (0.93, 0.97)
_CI_LEVEL = 0.95

_SIMULATORS = {"uptake": simulate_uptake, "binding": simulate_binding}


@dataclass(frozen=True, eq=False)
class RoundTripResult:
    """Per-plate recoveries and their summary for one (assay, target, compound).

    ``plates`` has one row per simulated plate: ``seed status method ki_M ki_low_M ki_high_M
    covered``; ``method`` is "cheng_prusoff" (the reported ``ki_M``), and for binding also
    "direct" (one-site Ki fit) and "exact_depletion".
    """

    assay: str
    target: str
    compound: str
    true_ki_M: float
    ki_source: str
    n_plates: int
    seed: int
    plates: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per method: n_ok, median Ki, median/true, coverage and its 95 % interval."""
        rows = []
        for method, d in self.plates.groupby("method", sort=False):
            ok = d[d["status"] != "failed"]
            n_ok = len(ok)
            covered = int(ok["covered"].sum())
            med = float(np.median(ok["ki_M"])) if n_ok else math.nan
            if n_ok:
                ci = stats.binomtest(covered, n_ok).proportion_ci(_CI_LEVEL, method="exact")
                low, high = float(ci.low), float(ci.high)
            else:
                low = high = math.nan
            coverage = covered / n_ok if n_ok else math.nan
            ratio = med / self.true_ki_M
            rows.append({
                "assay": self.assay, "target": self.target, "compound": self.compound,
                "method": method, "true_ki_M": self.true_ki_M, "n_plates": len(d),
                "n_ok": n_ok, "median_ki_M": med, "median_ratio": ratio,
                "coverage": coverage, "coverage_ci95_low": low, "coverage_ci95_high": high,
                "median_ok": bool(abs(ratio - 1.0) <= MEDIAN_TOLERANCE),
                "coverage_ok": bool(COVERAGE_RANGE[0] <= coverage <= COVERAGE_RANGE[1]),
            })
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """The per-plate table (a copy)."""
        return self.plates.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (not the per-plate rows)."""
        s = self.summary()
        return {"assay": self.assay, "target": self.target, "compound": self.compound,
                "true_ki_M": self.true_ki_M, "ki_source": self.ki_source,
                "n_plates": self.n_plates, "seed": self.seed,
                "summary": s.replace({np.nan: None}).to_dict(orient="records")}

    def plot(self, ax=None):
        """Recovered Ki / true Ki per plate with its CI (sorted), for the reported Ki."""
        from matplotlib.figure import Figure

        if ax is None:
            ax = Figure(figsize=(6, 4)).add_subplot()
        d = self.plates[(self.plates["method"] == "cheng_prusoff")
                        & (self.plates["status"] != "failed")].sort_values("ki_M")
        i = np.arange(len(d))
        t = self.true_ki_M
        ax.vlines(i, d["ki_low_M"] / t, d["ki_high_M"] / t,
                  colors=np.where(d["covered"], "C0", "C3"), lw=0.8)
        ax.plot(i, d["ki_M"] / t, ".", color="k", ms=2)
        ax.axhline(1.0, color="grey")
        ax.set_yscale("log")
        ax.set_xlabel("plate (sorted by recovered Ki)")
        ax.set_ylabel("Ki / true Ki (95% CI)")
        ax.set_title(f"{self.compound} at {self.target}: {len(d)} plates")
        return ax.figure


def _row(seed: int, status: str, method: str, ki: float | None, ci, truth: float) -> dict:
    ki = math.nan if ki is None else float(ki)
    low, high = (math.nan, math.nan) if ci is None else (float(ci[0]), float(ci[1]))
    covered = bool(low <= truth <= high) if math.isfinite(low) and math.isfinite(high) else False
    return {"seed": seed, "status": status, "method": method, "ki_M": ki, "ki_low_M": low,
            "ki_high_M": high, "covered": covered}


def round_trip(kind: str, target: str, compound: str, n_plates: int = 200, seed: int = 0, *,
               ki: object = None, **simulate_kwargs: Any) -> RoundTripResult:
    """Simulate ``n_plates`` plates (seeds ``seed … seed+n−1``), analyse each, compare with truth.

    Parameters
    ----------
    kind : "uptake" or "binding".
    target, compound : as for :func:`~neuromoa.assays.simulate_uptake` /
        :func:`~neuromoa.assays.simulate_binding`.
    n_plates : number of plates (each with its own seed).
    seed : first seed.
    ki : true Ki (default: the knowledge base).
    **simulate_kwargs : passed to the simulator (e.g. ``receptor_conc="3 nM"``, ``well_cv``).

    Returns
    -------
    RoundTripResult (``summary()`` gives the table).
    """
    k = str(kind).strip().lower()
    if k not in _SIMULATORS:
        raise ParameterError(f"Unknown assay {kind!r}; expected 'uptake' or 'binding'.")
    n = int(check_number(n_plates, "n_plates", "round_trip", low=1))
    rows: list[dict] = []
    truth = math.nan
    source = ""
    for i in range(n):
        s = int(seed) + i
        ps = _SIMULATORS[k](target, compound, ki=ki, seed=s, **simulate_kwargs)
        t = ps.truth(ps.plates[0])
        truth, source = float(t["ki_M"]), str(t["ki_source"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NeuromoaWarning)  # depletion warnings: in the flags
            res = analyze_plate(k, ps, strict=False).results[0]
        rows.append(_row(s, res.status, "cheng_prusoff", res.ki_M, res.ki_ci95_M, truth))
        if k == "binding":
            rows.append(_row(s, res.status if res.ki_direct_M is not None else "failed",
                             "direct", res.ki_direct_M, res.ki_direct_ci95_M, truth))
            exact_ok = res.ki_exact_M is not None and math.isfinite(res.ki_exact_M)
            rows.append(_row(s, res.status if exact_ok else "failed", "exact_depletion",
                             res.ki_exact_M, res.ki_exact_ci95_M, truth))
    return RoundTripResult(k, target, compound, truth, source, n, int(seed), pd.DataFrame(rows))


def round_trip_table(cases=DEFAULT_CASES, n_plates: int = 200, seed: int = 0) -> pd.DataFrame:
    """The Must-show table: :meth:`RoundTripResult.summary` of every case, concatenated."""
    return pd.concat([round_trip(kind, target, compound, n_plates, seed).summary()
                      for kind, target, compound in cases], ignore_index=True)


def depletion_demo(receptor_concs=("0.08 nM", "0.3 nM", "1 nM", "3 nM", "10 nM"), *,
                   compound: str | None = None, n_plates: int = 50,
                   seed: int = 0) -> pd.DataFrame:
    """Raise the M1 receptor concentration until > 10 % of [3H]pirenzepine is bound.

    For each receptor concentration: the fraction bound, whether the analysis warned, and the
    median recovered Ki / true Ki by Cheng–Prusoff, by the direct one-site fit and by the
    exact-depletion fit, with each method's CI coverage.
    """
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    rows = []
    for rc in receptor_concs:
        rt = round_trip("binding", "M1", compound, n_plates, seed, receptor_conc=rc)
        ps = simulate_binding("M1", compound, seed=seed, receptor_conc=rc)
        truth = ps.truth(ps.plates[0])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", NeuromoaWarning)
            res = analyze_plate("binding", ps, strict=False).results[0]
        row: dict[str, Any] = {"receptor_conc": rc, "receptor_M": truth["receptor_M"],
                               "depletion_fraction": truth["depletion_fraction"],
                               "measured_depletion_fraction": res.depletion_fraction,
                               "warned": any(issubclass(w.category, NeuromoaWarning)
                                             for w in caught)}
        summ = rt.summary().set_index("method")
        for method in ("cheng_prusoff", "direct", "exact_depletion"):
            row[f"{method}_median_ratio"] = float(summ.loc[method, "median_ratio"])
            row[f"{method}_coverage"] = float(summ.loc[method, "coverage"])
        rows.append(row)
    return pd.DataFrame(rows)
