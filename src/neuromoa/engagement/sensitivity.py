r"""Uncertainty (seeded Monte Carlo) and global sensitivity (Sobol, SALib) of one occupancy.

The steady-state occupancy of a target by a dosed compound and its metabolite is a function of
a handful of uncertain inputs; each is varied log-uniformly between sourced bounds:

* ``K <compound>`` – the affinity of each ligand at the target: the knowledge base's range
  where it gives one, else :data:`DEFAULT_K_FOLD`-fold either way (assumption);
* ``fu <compound>`` – unbound fraction in plasma (``data/exposure/parameters.csv`` low–high);
* ``CL/F <parent>``, ``CL <metabolite>`` – clearances (same file, low–high);
* ``fm <metabolite>`` – fraction of the dose converted (the ``fm`` parameter, or the summed
  share of the metabolic routes whose product is the metabolite; no range published:
  :data:`FM_FOLD`-fold, assumption);
* ``Kp,uu`` – 0.3–1 (FACTS.md, U) at an uncalibrated brain target;
* ``calibration factor`` – its 95 % CI at a calibrated target (the factor absorbs Kp,uu, and
  the affinity of the drug the calibration was fitted to is not varied on its own).

Linear pharmacokinetics make the steady-state average concentration proportional to
:math:`F\cdot Dose/CL` (and, for the metabolite, to :math:`f_m/CL_m`), so each sample rescales
the model's own average unbound concentrations (:func:`~neuromoa.engagement.engage`) instead
of re-simulating; total clearance is held at the popPK value when fu varies (CL/F is of total
drug). The clearance ranges are the typical value's uncertainty, not between-patient
variability (the population options of the exposure work are not used here). Occupancy is
Gaddum competition, as in :func:`~neuromoa.engagement.engage`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.engagement.calibration import calibrations
from neuromoa.engagement.compartments import load_compartments
from neuromoa.engagement.core import engage
from neuromoa.errors import InputError, NeuromoaError, NeuromoaWarning, check_number
from neuromoa.exposure import pk_compound
from neuromoa.kb import load_kb

__all__ = ["DEFAULT_DRAWS", "DEFAULT_K_FOLD", "FM_FOLD", "KP_UU_RANGE", "SensitivityResult",
           "engagement_intervals", "occupancy_sensitivity"]

#: Fold uncertainty of a single-valued affinity either way (assumption: the typical spread of
#: Ki values for one compound and receptor between laboratories is about two-fold).
DEFAULT_K_FOLD = 2.0
#: Fold uncertainty of the converted fraction either way (assumption; "about a quarter",
#: Burch & Hullin 1981, no interval published).
FM_FOLD = 1.5
#: Plausible Kp,uu of the tricyclics (FACTS.md: 0.3–1, U).
KP_UU_RANGE = (0.3, 1.0)


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol indices and a Monte Carlo interval of one target's occupancy.

    ``indices``: one row per input (``input low high S1 S1_conf ST ST_conf``, sorted by ST);
    ``occupancy``: the point value of :func:`engage`; ``interval``: 2.5 %, 50 %, 97.5 %
    percentiles of the Monte Carlo sample; ``calibrated``: whether the PET factor is applied.
    """

    compound: str
    target: str
    regimen: str
    occupancy: float
    interval: tuple[float, float, float]
    indices: pd.DataFrame
    calibrated: bool
    n_base: int
    seed: int
    notes: tuple[str, ...]

    def top(self, k: int = 3) -> list[str]:
        """The ``k`` inputs with the largest total-effect index."""
        return list(self.indices["input"].head(k))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        return {"compound": self.compound, "target": self.target, "regimen": self.regimen,
                "occupancy": self.occupancy,
                "interval": {"p2.5": self.interval[0], "p50": self.interval[1],
                             "p97.5": self.interval[2]},
                "calibrated": self.calibrated, "n_base": self.n_base, "seed": self.seed,
                "top3": self.top(3),
                "indices": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                             for k, v in rec.items()}
                            for rec in self.indices.to_dict(orient="records")],
                "notes": list(self.notes)}

    def to_frame(self) -> pd.DataFrame:
        """The indices table (a copy)."""
        return self.indices.copy()


def _salib() -> tuple[Any, Any]:
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise NeuromoaError("Sensitivity analysis needs SALib: pip install 'neuromoa[sensitivity]'"
                            ) from exc
    return sample, analyze


def _range(pk: Any, name: str) -> tuple[float, float, float]:
    p = pk.parameters[name]
    lo = p.low if p.low is not None and not math.isnan(p.low) else p.value
    hi = p.high if p.high is not None and not math.isnan(p.high) else p.value
    return p.value, lo, hi


def occupancy_sensitivity(compound: str, *, dose: str, every: str, target: str,
                          n_base: int = 1024, seed: int = 0,
                          condition: str | None = None) -> SensitivityResult:
    """Sobol first-order and total indices of ``target``'s steady-state occupancy; MC interval.

    Parameters
    ----------
    compound, dose, every : str
        As :func:`~neuromoa.engagement.engage` (``"amitriptyline"``, ``"150 mg"``, ``"24h"``).
    target : str
        Target id or HGNC symbol; an unknown one is an :class:`~neuromoa.errors.InputError`.
    n_base : int
        Saltelli base sample size (a power of two; N·(D + 2) model runs).
    seed : int
        Seed of the sample (same seed, same numbers).
    condition : str, optional
        Condition row of a channel target (default: the first row).
    """
    n = int(check_number(n_base, "n_base", "occupancy_sensitivity", low=16))
    if n & (n - 1):
        raise InputError(f"occupancy_sensitivity: n_base must be a power of two (got {n}).")
    kb = load_kb()
    tid = kb.target(target).id
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        res = engage(compound, dose=dose, every=every, targets=[tid])
    rows = res.targets
    if condition is not None:
        rows = rows[rows["condition"].str.lower() == condition.lower()]
        if rows.empty:
            raise InputError(f"No {tid} row with condition {condition!r} for {compound}.")
    row = rows.iloc[0]
    names, bounds, model, notes, cal = _uncertain_inputs(kb, res, row)
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    sample, analyze = _salib()
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    vals = {nm: 10.0 ** x[:, i] for i, nm in enumerate(names)}

    y = model(vals, x.shape[0])
    si = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    indices = pd.DataFrame({
        "input": names,
        "low": [10.0 ** b[0] for b in bounds], "high": [10.0 ** b[1] for b in bounds],
        "S1": si["S1"], "S1_conf": si["S1_conf"], "ST": si["ST"], "ST_conf": si["ST_conf"],
    }).sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    mc = {nm: 10.0 ** rng.uniform(b[0], b[1], 4000) for nm, b in zip(names, bounds,
                                                                      strict=True)}
    ymc = model(mc, 4000)
    interval = tuple(float(q) for q in np.percentile(ymc, [2.5, 50, 97.5]))
    if cal is not None:
        notes.append(f"calibrated target: factor {cal.factor:.3g} varied over its 95% CI "
                     f"{cal.ci[0]:.3g}-{cal.ci[1]:.3g} ({cal.source}); Kp,uu is inside it")
    notes.append("clearance ranges are the typical value's uncertainty, not between-patient "
                 "variability")
    return SensitivityResult(compound=res.compound, target=tid, regimen=res.exposure["description"],
                             occupancy=float(row["occupancy"]), interval=interval,
                             indices=indices, calibrated=cal is not None, n_base=n, seed=seed,
                             notes=tuple(notes))


def _uncertain_inputs(kb: Any, res: Any, row: Any,
                      keyed: dict[str, tuple[float, float, float]] | None = None
                      ) -> tuple[list[str], list[tuple[float, float]], Any, list[str], Any]:
    """The uncertain inputs of one engagement row: names, log10 bounds, the vectorised model
    ``model(values: dict[name, array], size) -> occupancy array``, notes, the calibration.
    ``keyed``: knowledge-base row key → (value, low, high) in mol/L, to skip the lookups."""
    comp = res.compound
    ligands = list(row["occupancy_by_compound"])
    tid = str(row["target"])
    compartment = row["compartment"] or load_compartments().get(tid, "brain")
    scale = float(dict(getattr(res, "in_vivo_scaling", None) or {}).get(tid, 1.0))
    cal = calibrations().get(tid) if row["calibration"] is not None else None
    plasma_u = {a: m["unbound_cavg_M"] for a, m in res.exposure["analytes"].items()}

    names: list[str] = []
    bounds: list[tuple[float, float]] = []
    notes: list[str] = []

    def add(name: str, lo: float, hi: float) -> None:
        if hi > lo > 0:
            names.append(name)
            bounds.append((math.log10(lo), math.log10(hi)))

    ks: dict[str, float] = {}
    for lig in ligands:
        rk = None
        for part in str(row["reference"]).split(";"):
            if part.strip().startswith(f"{lig}:") and "(" in part:
                rk = part.split("(")[-1].rstrip(")").strip()
        if keyed is not None and rk in keyed:
            value, low, high = keyed[rk]
        else:
            try:
                aff = kb.affinity(lig, tid, condition=row["condition"] or None)
            except InputError:  # the metabolite's row may sit under another condition label
                aff = None
            if rk is not None:
                aff = _row_affinity(kb, lig, tid, rk, aff)
            if aff is None:
                aff = kb.affinity(lig, tid)
            value, low, high = aff.value_M, aff.low_M, aff.high_M
        ks[lig] = value * scale
        if cal is not None and lig in cal.drugs:
            notes.append(f"K {lig}: not varied (the PET calibration was fitted with it; only "
                         "the product factor x K is determined, and the factor's CI carries it)")
            continue
        if high > low:
            add(f"K {lig}", low * scale, high * scale)
        else:
            add(f"K {lig}", ks[lig] / DEFAULT_K_FOLD, ks[lig] * DEFAULT_K_FOLD)
            notes.append(f"K {lig}: single value, {DEFAULT_K_FOLD:g}-fold either way "
                         "(assumption)")
    pk = {a: pk_compound(a) for a in ligands}
    base_fu = {}
    for lig in ligands:
        v, lo, hi = _range(pk[lig], "fu")
        base_fu[lig] = v
        add(f"fu {lig}", lo, hi)
    v, lo, hi = _range(pk[comp], "cl_f") if pk[comp].has("cl_f") else _range(pk[comp], "cl")
    base_cl = {comp: v}
    add(f"CL/F {comp}", lo, hi)
    met = [lig for lig in ligands if lig != comp]
    base_fm = None
    for m in met:
        v, lo, hi = _range(pk[m], "cl")
        base_cl[m] = v
        add(f"CL {m}", lo, hi)
        # the converted fraction: "fm_<metabolite>" or, with one metabolite, "fm"
        # or, where clearance is partitioned by route and enzyme, the summed share of the
        # routes whose product is the metabolite (the metabolite level scales with it)
        fm_name = next((n for n in (f"fm_{m}", "fm") if pk[comp].has(n)), None)
        route_share = sum(r.fraction for r in pk[comp].routes if r.product == m)
        if fm_name is not None:
            base_fm = pk[comp].value(fm_name)
        elif route_share > 0:
            base_fm = route_share
        if base_fm is not None:
            add(f"fm {m}", base_fm / FM_FOLD, min(1.0, base_fm * FM_FOLD))
    if cal is not None:
        add("calibration factor", cal.ci[0], cal.ci[1])
    elif compartment == "brain":
        add("Kp,uu", *KP_UU_RANGE)

    def model(v: dict[str, np.ndarray], size: int) -> np.ndarray:
        ratio = np.zeros(size)
        for lig in ligands:
            c = np.full(size, plasma_u[lig])
            c = c * v.get(f"fu {lig}", base_fu[lig]) / base_fu[lig]
            if lig == comp:
                c = c * base_cl[comp] / v.get(f"CL/F {comp}", base_cl[comp])
            else:
                c = c * base_cl[lig] / v.get(f"CL {lig}", base_cl[lig])
                if base_fm is not None:
                    c = c * v.get(f"fm {lig}", base_fm) / base_fm
            k = v.get(f"K {lig}", ks[lig])
            if cal is not None:
                k = k * v.get("calibration factor", cal.factor)
            elif compartment == "brain":
                c = c * v.get("Kp,uu", res.kp_uu)
            ratio = ratio + c / k
        return ratio / (1.0 + ratio)

    return names, bounds, model, notes, cal


def _row_affinity(kb: Any, lig: str, target: str, key: str, fallback: Any) -> Any:
    try:
        return kb.affinity(lig, target, source=key)
    except InputError:
        return fallback


def sensitivity_table(compound: str, *, dose: str, every: str, targets: Sequence[str],
                      n_base: int = 1024, seed: int = 0) -> pd.DataFrame:
    """Top three inputs (by total Sobol index) and the MC interval for several targets."""
    out = []
    for t in targets:
        r = occupancy_sensitivity(compound, dose=dose, every=every, target=t, n_base=n_base,
                                  seed=seed)
        top = r.indices.head(3)
        out.append({"target": r.target, "occupancy": r.occupancy,
                    "p2.5": r.interval[0], "p97.5": r.interval[2], "calibrated": r.calibrated,
                    **{f"top{i + 1}": f"{a} (ST {s:.2f})" for i, (a, s) in
                       enumerate(zip(top["input"], top["ST"], strict=True))}})
    return pd.DataFrame(out)


#: Monte Carlo draws of :func:`engagement_intervals` by default (the CLI's ``--uncertainty``).
DEFAULT_DRAWS = 1000


def engagement_intervals(result: Any, *, n_draws: int = DEFAULT_DRAWS, seed: int = 0) -> Any:
    """Add a seeded Monte Carlo interval to every target of a dose-form engagement result.

    Each row's uncertain inputs are those of :func:`occupancy_sensitivity` (the affinity
    range of every ligand or :data:`DEFAULT_K_FOLD`-fold, unbound fractions, clearances, the
    metabolite's converted fraction, the calibration factor's 95 % CI at a calibrated target
    and Kp,uu 0.3–1 at an uncalibrated brain target), drawn log-uniformly; the interval is the
    2.5/50/97.5 % percentiles. Each row has its own child of ``numpy.random.SeedSequence(seed)``
    (same seed, same numbers, whatever the order of the rows).

    Parameters
    ----------
    result : EngagementResult
        From :func:`~neuromoa.engagement.engage` with ``dose`` (the only form with the
        exposure inputs to vary); another mode is an :class:`~neuromoa.errors.InputError`.
    n_draws : int
        Draws per target (≥ 100).
    seed : int
        Seed (≥ 0).

    Returns
    -------
    EngagementResult
        A copy whose targets gain ``occupancy_p2_5``, ``occupancy_p50``, ``occupancy_p97_5``
        and ``uncertainty`` (``{"n_draws", "seed", "inputs"}``), with a note.
    """
    import dataclasses

    n = int(check_number(n_draws, "n_draws", "engagement_intervals", low=100))
    sd = int(check_number(seed, "seed", "engagement_intervals", low=0))
    if result.mode != "dose" or result.exposure is None:
        raise InputError("engagement_intervals: needs a dose-form result (engage(..., dose=, "
                         f"every=)); got mode {result.mode!r}: a concentration given at the "
                         "target has no exposure inputs to vary.")
    kb = load_kb()
    acts = kb.activities()
    keyed = {str(k): (float(v), float(lo_), float(hi_)) for k, v, lo_, hi_ in
             zip(acts["key"], acts["value_M"], acts["low_M"], acts["high_M"], strict=True)}
    frame = result.targets.copy()
    children = np.random.SeedSequence(sd).spawn(len(frame))
    lo, mid, hi, info = [], [], [], []
    for (_, row), child in zip(frame.iterrows(), children, strict=True):
        names, bounds, model, _notes, _cal = _uncertain_inputs(kb, result, row, keyed)
        rng = np.random.default_rng(child)
        draws = {nm: 10.0 ** rng.uniform(b[0], b[1], n) for nm, b in zip(names, bounds,
                                                                          strict=True)}
        y = model(draws, n)
        q = np.percentile(y, [2.5, 50.0, 97.5])
        lo.append(float(q[0]))
        mid.append(float(q[1]))
        hi.append(float(q[2]))
        info.append({"n_draws": n, "seed": sd, "inputs": list(names)})
    frame["occupancy_p2_5"] = lo
    frame["occupancy_p50"] = mid
    frame["occupancy_p97_5"] = hi
    frame["uncertainty"] = info
    note = (f"interval per target: 2.5-97.5 % of {n} seeded Monte Carlo draws (seed {sd}) over "
            "the affinity ranges, unbound fractions, clearances, converted fraction, the PET "
            "factor's 95% CI (calibrated targets) or Kp,uu 0.3-1 (other brain targets); "
            "typical-value uncertainty, not between-patient variability")
    return dataclasses.replace(result, targets=frame, notes=(*result.notes, note))
