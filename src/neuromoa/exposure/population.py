"""A virtual patient population at steady state: genotypes, covariates, variability — vectorised.

Each patient gets a CYP2D6 and a CYP2C19 diplotype drawn allele by allele from the shipped
frequencies of the chosen ancestry (Hardy–Weinberg; ``data/genotype/frequencies.csv``), a
weight, age and sex from ``data/exposure/population.csv``, and log-normal random effects on
intrinsic clearance, volume and ka (``data/exposure/variability.csv``: assumptions marked U
where no popPK value was at hand). Steady-state Cmin/Cavg/Cmax of every analyte come from the
closed form of :mod:`.disposition` — numpy over all patients, no loop, no ODE.

Randomness: patients are drawn in blocks of :data:`BLOCK` with the generator of
``numpy.random.SeedSequence(seed, spawn_key=(block,))`` (the block-th child of the seed), so the
same seed gives the same patients whatever the chunking. :func:`simulate_chunk` is pure: a
scheduler (Dask, multiprocessing) can map it over :func:`chunks`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.data.compounds import metabolites_of
from neuromoa.errors import DataFileError, ParameterError
from neuromoa.exposure.disposition import compound_terms, enzymes_of, steady_state_arrays
from neuromoa.exposure.genotype import Genotype, diplotype_arrays
from neuromoa.exposure.params import pk_compound
from neuromoa.exposure.regimen import Regimen

__all__ = [
    "BLOCK",
    "ChunkSpec",
    "PopulationSpec",
    "chunks",
    "population_panel",
    "simulate_chunk",
    "simulate_population",
    "summarize_population",
    "therapeutic_range",
]

#: Patients per random-number block (one SeedSequence child each).
BLOCK = 1024
#: Default patients per chunk (memory: ~ chunk × 49 grid points × 7 exponentials floats).
DEFAULT_CHUNK = 16 * BLOCK
#: Quantiles reported by the summary.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: g/L → ng/mL.
NG_PER_ML_PER_G_PER_L = 1e6
#: Largest population accepted in one call (memory guard; use chunks for more).
MAX_N = 50_000_000
_ETA_PARAMETERS = ("clint", "volume", "ka")


@dataclass(frozen=True)
class PopulationSpec:
    """What to simulate: a compound, a regimen at steady state, n patients of one ancestry.

    ``cyp2d6``/``cyp2c19`` fix the genotype of every patient (else drawn from the frequencies);
    ``variability=False`` switches the random effects off (covariates still drawn).
    """

    compound: str
    regimen: Regimen
    n: int
    ancestry: str = "european"
    cyp2d6: Genotype | None = None
    cyp2c19: Genotype | None = None
    variability: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int | np.integer) or not (
                1 <= int(self.n) <= MAX_N):
            raise ParameterError(f"population size --n must be an integer in 1..{MAX_N}; got "
                                 f"{self.n!r}")
        if not self.regimen.repeated:
            raise ParameterError("a population is simulated at steady state: give a dosing "
                                 "interval (--every)")


@dataclass(frozen=True)
class ChunkSpec:
    """One chunk of a population: patients ``first_block*BLOCK`` … (whole blocks)."""

    population: PopulationSpec
    first_block: int
    n_blocks: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first_patient(self) -> int:
        return self.first_block * BLOCK

    @property
    def n_patients(self) -> int:
        return max(0, min(self.population.n - self.first_patient, self.n_blocks * BLOCK))


def chunks(spec: PopulationSpec, chunk_size: int = DEFAULT_CHUNK) -> list[ChunkSpec]:
    """Split ``spec`` into chunks of whole blocks (``chunk_size`` rounded up to a block)."""
    per = max(1, math.ceil(chunk_size / BLOCK))
    n_blocks = math.ceil(spec.n / BLOCK)
    return [ChunkSpec(spec, b, min(per, n_blocks - b)) for b in range(0, n_blocks, per)]


@lru_cache(maxsize=1)
def _covariate_table() -> dict[str, dict[str, float]]:
    t = pd.read_csv(io.StringIO(read_text("exposure", "population.csv")), dtype=str,
                    keep_default_na=False)
    need = {"weight_kg", "age_y", "sex"}
    if set(t["variable"]) != need:
        raise DataFileError(f"variables must be {sorted(need)}", file="exposure/population.csv")
    return {row["variable"]: {k: _num(row[k]) for k in ("p1", "p2", "low", "high")}
            for _, row in t.iterrows()}


def _num(text: str) -> float:
    return float(text) if text != "" else float("nan")


def _draw_block(spec: PopulationSpec, seed: int, block: int, count: int,
                genes: dict[str, tuple]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
    out: dict[str, np.ndarray] = {}
    for gene, (p, _names, _act, _phen) in genes.items():
        idx = rng.choice(len(p), size=(count, 2), p=p)
        lo, hi = idx.min(axis=1), idx.max(axis=1)  # canonical order of the two alleles
        out[gene] = lo * len(p) + hi
    cov = _covariate_table()
    w = cov["weight_kg"]
    weight = w["p1"] * np.exp(w["p2"] * rng.standard_normal(count))
    out["weight_kg"] = np.clip(weight, w["low"], w["high"])
    a = cov["age_y"]
    out["age_y"] = rng.uniform(a["p1"], a["p2"], count)
    out["female"] = rng.random(count) < cov["sex"]["p1"]
    out["z"] = rng.standard_normal((count, 8))  # fixed width: adding an eta keeps old streams
    return out


def simulate_chunk(chunk: ChunkSpec, seed: int) -> pd.DataFrame:
    """Simulate one chunk: a pure function of (chunk, seed) → one row per patient.

    Columns: ``patient cyp2d6_diplotype cyp2d6_activity_score cyp2d6_phenotype
    cyp2c19_diplotype cyp2c19_phenotype weight_kg age_y sex``, the sampled parameters
    (``<compound>_cl_L_h`` …) and per analyte ``<analyte>_cmin_ng_mL _cavg_ng_mL _cmax_ng_mL``
    at steady state.
    """
    spec = chunk.population
    n = chunk.n_patients
    if n <= 0:
        raise ParameterError("empty chunk")
    comp = pk_compound(spec.compound)
    genes = {g: diplotype_arrays(g, spec.ancestry) for g in ("CYP2D6", "CYP2C19")}
    draws = [_draw_block(spec, seed, b, min(BLOCK, spec.n - b * BLOCK), genes)
             for b in range(chunk.first_block, chunk.first_block + chunk.n_blocks)
             if b * BLOCK < spec.n]
    d = {k: np.concatenate([x[k] for x in draws]) for k in draws[0]}
    frame: dict[str, Any] = {"patient": np.arange(chunk.first_patient, chunk.first_patient + n)}
    activity: dict[str, np.ndarray] = {}
    for gene, fixed in (("CYP2D6", spec.cyp2d6), ("CYP2C19", spec.cyp2c19)):
        p, names, act, phen = genes[gene]
        key = gene.lower()
        if fixed is not None:
            dip = np.full(n, fixed.diplotype or fixed.given, dtype=object)
            acts = np.full(n, fixed.activity)
            phens = np.full(n, fixed.phenotype, dtype=object)
        else:
            pair_names = np.array([f"{a}/{b}" for a in names for b in names], dtype=object)
            dip = pair_names[d[gene]]
            acts = act.ravel()[d[gene]]
            phens = np.asarray(phen, dtype=object)[d[gene]]
        frame[f"{key}_diplotype"] = dip
        if gene == "CYP2D6":
            frame[f"{key}_activity_score"] = acts
        frame[f"{key}_phenotype"] = phens
        activity[gene] = acts / 2.0  # relative to *1/*1 (activity 2)
    frame["weight_kg"] = d["weight_kg"]
    frame["age_y"] = d["age_y"]
    frame["sex"] = np.where(d["female"], "female", "male")
    have = enzymes_of(comp)
    activity = {g: a for g, a in activity.items() if g in have}
    eta: dict[tuple[str, str], np.ndarray] = {}
    if spec.variability:
        mets = ({r.product for r in comp.routes if r.product} if comp.routes
                else set(metabolites_of(comp.name)) if comp.has("fm") else set())
        names_all = [comp.name] + sorted(mets)
        col = 0
        for cname in names_all:
            omegas = pk_compound(cname).variability
            for par in _ETA_PARAMETERS:
                if par in omegas and col < d["z"].shape[1]:
                    eta[(cname, par)] = omegas[par] * d["z"][:, col]
                col += 1
    terms, params = compound_terms(comp, n, activity=activity, weight_kg=d["weight_kg"],
                                   age_y=d["age_y"], eta=eta)
    frame.update(params)
    dose_mol = spec.regimen.dose_g / (comp.mw_salt if spec.regimen.salt else comp.mw_base)
    tau = spec.regimen.interval_h
    assert tau is not None
    for analyte, t in terms.items():
        ss = steady_state_arrays(t, dose_mol, tau)
        to_ng = pk_compound(analyte).mw_base * NG_PER_ML_PER_G_PER_L
        for m in ("cmin", "cavg", "cmax"):
            frame[f"{analyte}_{m}_ng_mL"] = ss[f"{m}_M"] * to_ng
    return pd.DataFrame(frame)


def simulate_population(spec: PopulationSpec, seed: int = 0, *,
                        chunk_size: int = DEFAULT_CHUNK, scheduler: Any = None) -> pd.DataFrame:
    """All patients of ``spec`` (rows in patient order), chunk by chunk.

    ``scheduler``: None runs in-process; ``"local"``, ``"tcp://host:port"`` or a Dask ``Client``
    run the same chunks through :func:`neuromoa.parallel.map_chunks`; otherwise any object
    with ``map(func, iterable)``
    (``concurrent.futures`` executor, a Dask client's ``map`` + ``gather`` wrapper) runs
    :func:`simulate_chunk` on each chunk. The result does not depend on ``chunk_size``.
    """
    parts = chunks(spec, chunk_size)
    if scheduler is None or isinstance(scheduler, str) or hasattr(scheduler, "gather"):
        from neuromoa.parallel import map_chunks  # in-process, "local", tcp://…, a Dask Client

        frames = map_chunks(simulate_chunk, parts, scheduler, seed=seed)
    else:
        frames = list(scheduler.map(simulate_chunk, parts, [seed] * len(parts)))
    return pd.concat(frames, ignore_index=True)


def therapeutic_range(compound: str) -> dict[str, Any]:
    """The sourced reference range of ``compound``'s summed analytes (AGNP, Hiemke 2018)."""
    t = pd.read_csv(io.StringIO(read_text("exposure", "therapeutic_ranges.csv")), dtype=str,
                    keep_default_na=False)
    row = t[t["compound"] == pk_compound(compound).name]
    if row.empty:
        raise ParameterError(f"no therapeutic range for {compound!r} "
                             "(data/exposure/therapeutic_ranges.csv)")
    r = row.iloc[0]
    return {"analytes": r["analytes"].split("+"), "low_ng_mL": float(r["low_ng_mL"]),
            "high_ng_mL": float(r["high_ng_mL"]), "alert_ng_mL": float(r["alert_ng_mL"]),
            "sample": r["sample"], "source": r["source"]}


def summarize_population(df: pd.DataFrame, spec: PopulationSpec) -> dict[str, Any]:
    """Quantiles of every level, and the fraction of patients in range and above the alert level.

    The range is compared with the **trough** (Cmin) of the summed analytes, the sample the AGNP
    ranges refer to; overall, by CYP2D6 phenotype and by CYP2C19 phenotype.
    """
    try:
        rng_ = therapeutic_range(spec.compound)
    except ParameterError:  # a user's compound without a range: levels only
        comp = pk_compound(spec.compound)
        rng_ = {"analytes": [comp.name], "low_ng_mL": math.nan, "high_ng_mL": math.nan,
                "alert_ng_mL": math.nan, "sample": "trough at steady state",
                "source": "none: no therapeutic range for this compound (fractions are NaN)"}
    level_cols = [c for c in df.columns if c.endswith("_ng_mL")]
    q = {c: {f"p{int(round(p * 100))}": float(v) for p, v in
             zip(QUANTILES, np.quantile(df[c].to_numpy(), QUANTILES), strict=True)}
         for c in level_cols}
    total = sum(df[f"{a}_cmin_ng_mL"] for a in rng_["analytes"] if f"{a}_cmin_ng_mL" in df)
    in_range = (total >= rng_["low_ng_mL"]) & (total <= rng_["high_ng_mL"])
    above = total > rng_["alert_ng_mL"]

    has_range = math.isfinite(rng_["low_ng_mL"])

    def frac(x: pd.Series) -> float:
        return float(x.mean()) if has_range else math.nan

    def fractions(mask: pd.Series) -> dict[str, float]:
        return {"n": int(mask.sum()), "in_range": frac(in_range[mask]),
                "above_alert": frac(above[mask]),
                "below_range": frac(total[mask] < rng_["low_ng_mL"]),
                "median_trough_ng_mL": float(total[mask].median())}

    everyone = pd.Series(True, index=df.index)
    by = {}
    for gene in ("cyp2d6", "cyp2c19"):
        col = df[f"{gene}_phenotype"]
        by[gene] = {str(ph): fractions(col == ph) for ph in sorted(col.unique())}
        by[gene + "_frequency"] = {str(k): float(v) for k, v in
                                   col.value_counts(normalize=True).sort_index().items()}
    reg = spec.regimen
    regimen = (f"{reg.dose_g * 1e3:g} mg ({'salt' if reg.salt else 'base'}) every "
               f"{reg.interval_h:g} h, steady state")
    return {"compound": pk_compound(spec.compound).name, "regimen": regimen,
            "n": int(len(df)), "ancestry": spec.ancestry,
            "range": {**rng_, "level": " + ".join(rng_["analytes"]) + " trough (Cmin)"},
            "quantiles": q, "overall": fractions(everyone), "by_phenotype": by,
            "assumptions": "steady state; genotype frequencies, covariate distributions and "
                           "variability from data/genotype and data/exposure (U rows are "
                           "assumptions)"}


def population_panel(compound: str, doses: list[str] | tuple[str, ...], every: str = "24 h", *,
                     n: int = 20_000, seed: int = 0, ancestry: str = "european") -> pd.DataFrame:
    """A tidy table for a report's population panel: per regimen and CYP2D6 phenotype.

    Columns: ``dose every cyp2d6_phenotype fraction n median_trough_ng_mL p5_trough_ng_mL
    p95_trough_ng_mL in_range above_alert range_low_ng_mL range_high_ng_mL alert_ng_mL
    range_source`` (trough = the summed analytes of the compound's
    therapeutic range; phenotype "all" for everyone). A compound without a shipped range (a
    user's compound) gets its own trough and NaN fractions.
    """
    rows = []
    try:
        rng_ = therapeutic_range(compound)
    except ParameterError:
        rng_ = {"analytes": [pk_compound(compound).name], "low_ng_mL": math.nan,
                "high_ng_mL": math.nan, "alert_ng_mL": math.nan, "source": ""}
    has_range = math.isfinite(rng_["low_ng_mL"])
    for dose in doses:
        spec = PopulationSpec(compound, Regimen.parse(dose, every=every), n, ancestry=ancestry)
        df = simulate_population(spec, seed)
        total = sum(df[f"{a}_cmin_ng_mL"] for a in rng_["analytes"] if f"{a}_cmin_ng_mL" in df)
        groups = [("all", np.ones(len(df), bool))] + [
            (str(ph), (df["cyp2d6_phenotype"] == ph).to_numpy())
            for ph in sorted(df["cyp2d6_phenotype"].unique())]
        for ph, mask in groups:
            t = total[mask]
            rows.append({"dose": dose, "every": every, "cyp2d6_phenotype": ph,
                         "fraction": float(mask.mean()), "n": int(mask.sum()),
                         "median_trough_ng_mL": float(t.median()),
                         "p5_trough_ng_mL": float(t.quantile(0.05)),
                         "p95_trough_ng_mL": float(t.quantile(0.95)),
                         "in_range": float(((t >= rng_["low_ng_mL"])
                                            & (t <= rng_["high_ng_mL"])).mean())
                         if has_range else math.nan,
                         "above_alert": float((t > rng_["alert_ng_mL"]).mean())
                         if has_range else math.nan,
                         "range_low_ng_mL": rng_["low_ng_mL"],
                         "range_high_ng_mL": rng_["high_ng_mL"],
                         "alert_ng_mL": rng_["alert_ng_mL"], "range_source": rng_["source"]})
    return pd.DataFrame(rows)
