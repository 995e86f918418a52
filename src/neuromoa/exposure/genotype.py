"""Pharmacogenes: star-allele diplotypes → function → activity → phenotype (CPIC/PharmVar data).

The tables ship in ``data/genotype/`` with their source and version (``references.csv``):

* ``alleles.csv`` — each allele's clinical function and activity value (CYP2D6: CPIC/PharmVar,
  Caudle et al. 2020 consensus, ``*10`` = 0.25; CYP2C19: CPIC function; its activity values are
  this model's, marked as an assumption, since CPIC gives no CYP2C19 activity score);
* ``phenotypes.csv`` — CYP2D6 phenotype by activity score (PM 0, IM 0.25–1.0, NM 1.25–2.25,
  UM ≥ 2.5), CYP2C19 phenotype by the number of no-function and increased-function alleles
  (Hicks et al. 2017), and the representative diplotype used when only a phenotype is given;
* ``frequencies.csv`` — allele frequencies by ancestry (for the virtual population).

A diplotype is two alleles separated by ``/``; an allele may carry a copy number
(``*1x2``, ``*4xN`` with N ≥ 2): its activity is multiplied by the copy number (CPIC).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from neuromoa.data import read_text
from neuromoa.errors import DataFileError, InputError

__all__ = [
    "GENES",
    "Genotype",
    "GenotypeError",
    "allele_frequencies",
    "allele_table",
    "expected_phenotype_frequencies",
    "genotype_references",
    "parse_genotype",
    "phenotype_table",
]

#: The pharmacogenes the tables know (upper-case gene symbols).
GENES = ("CYP2D6", "CYP2C19")
#: Step of CYP2D6 activity values (CPIC: multiples of 0.25); a given score must be one.
ACTIVITY_STEP = 0.25
#: Activity of the reference genotype *1/*1 (two normal-function alleles, CPIC), against which
#: route clearances are stated.
REFERENCE_ACTIVITY = 2.0
_DIPLOTYPE = re.compile(r"^\s*(\*[0-9A-Za-z+*.]+?)\s*/\s*(\*[0-9A-Za-z+*.]+?)\s*$")
_COPIES = re.compile(r"^(\*[0-9A-Za-z+*.]+?)x(\d+|N)$", re.IGNORECASE)
_SCORE = re.compile(r"^\s*AS\s*=\s*([0-9.]+)\s*$", re.IGNORECASE)
#: Copy number assumed for "xN" (CPIC: ≥ 3 copies are rare; N counted as 2). Assumption.
XN_COPIES = 2


class GenotypeError(InputError):
    """An allele, diplotype, activity score or phenotype that the CPIC tables do not know."""


@dataclass(frozen=True)
class Genotype:
    """One gene's genotype as the model uses it.

    Attributes
    ----------
    gene : str
        "CYP2D6" or "CYP2C19".
    diplotype : str or None
        Star-allele diplotype ("*1/*4"); None when an activity score or phenotype was given.
    activity : float
        Sum of the two alleles' activity values (CYP2D6: the CPIC activity score).
    phenotype : str
        CPIC phenotype abbreviation (PM, IM, NM, RM, UM).
    given : str
        What the user gave (diplotype, "AS=…" or phenotype).
    """

    gene: str
    diplotype: str | None
    activity: float
    phenotype: str
    given: str

    @property
    def relative_activity(self) -> float:
        """Activity relative to *1/*1 (the scale of the route clearances)."""
        return self.activity / REFERENCE_ACTIVITY

    def to_dict(self) -> dict:
        """JSON-safe: ``{"diplotype", "activity_score", "phenotype"}`` (CYP2C19 has no score)."""
        out: dict = {"diplotype": self.diplotype}
        if self.gene == "CYP2D6":
            out["activity_score"] = self.activity
        out["phenotype"] = self.phenotype
        return out


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(read_text("genotype", name)), dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    refs = _read("references.csv")
    ref_ids = set(refs["id"])
    alleles = _read("alleles.csv")
    phen = _read("phenotypes.csv")
    freqs = _read("frequencies.csv")
    for name, frame in (("alleles.csv", alleles), ("phenotypes.csv", phen),
                        ("frequencies.csv", freqs)):
        for i, row in frame.iterrows():
            if row["gene"] not in GENES:
                raise DataFileError(f"unknown gene {row['gene']!r}", file=f"genotype/{name}",
                                    row=int(i) + 2, field="gene")
            if row["source"] not in ref_ids:
                raise DataFileError(f"source {row['source']!r} is not in genotype/references.csv",
                                    file=f"genotype/{name}", row=int(i) + 2, field="source")
    alleles = alleles.assign(activity_value=pd.to_numeric(alleles["activity_value"]))
    freqs = freqs.assign(frequency=pd.to_numeric(freqs["frequency"]))
    return alleles, phen, freqs, refs


def allele_table(gene: str | None = None) -> pd.DataFrame:
    """The allele function table (``gene allele function activity_value source confidence note``)."""
    a = _tables()[0]
    return (a if gene is None else a[a["gene"] == _gene(gene)]).reset_index(drop=True)


def phenotype_table(gene: str | None = None) -> pd.DataFrame:
    """The phenotype definitions (CPIC) with the representative diplotype of each."""
    p = _tables()[1]
    return (p if gene is None else p[p["gene"] == _gene(gene)]).reset_index(drop=True)


def genotype_references() -> pd.DataFrame:
    """Sources and versions of the genotype tables (``id citation version note``)."""
    return _tables()[3].copy()


def _gene(gene: str) -> str:
    g = str(gene).strip().upper()
    if g not in GENES:
        raise GenotypeError(f"unknown gene {gene!r}; known: {', '.join(GENES)}")
    return g


def _allele_activity(gene: str, allele: str) -> tuple[str, float, str]:
    """(canonical name, activity, function) of one allele, copies included."""
    table = allele_table(gene)
    values = dict(zip(table["allele"], table["activity_value"], strict=True))
    functions = dict(zip(table["allele"], table["function"], strict=True))
    base, copies = allele, 1
    if allele not in values:
        m = _COPIES.match(allele)
        if m:
            base = m.group(1)
            copies = XN_COPIES if m.group(2).upper() == "N" else int(m.group(2))
            if copies < 2:
                raise GenotypeError(f"{gene}: copy number in {allele!r} must be at least 2")
    if base not in values:
        raise GenotypeError(f"{gene}: unknown allele {allele!r}; known alleles: "
                            f"{', '.join(table['allele'])} (data/genotype/alleles.csv; "
                            "a copy number is written *1x2)")
    return allele, float(values[base]) * copies, functions[base]


def _phenotype_from_alleles(gene: str, functions: list[str], activity: float) -> str:
    phen = phenotype_table(gene)
    if gene == "CYP2D6":
        return _cyp2d6_phenotype(activity)
    n_no = sum(f == "no function" for f in functions)
    n_up = sum(f == "increased function" for f in functions)
    for row in phen.itertuples(index=False):
        if str(n_no) != row.no_function_alleles:
            continue
        if row.increased_function_alleles and str(n_up) != row.increased_function_alleles:
            continue
        return row.phenotype
    raise GenotypeError(f"{gene}: no phenotype rule for {n_no} no-function and {n_up} "
                        "increased-function alleles (data/genotype/phenotypes.csv)")


def _cyp2d6_phenotype(activity: float) -> str:
    for row in phenotype_table("CYP2D6").itertuples(index=False):
        if float(row.activity_min) - 1e-9 <= activity <= float(row.activity_max) + 1e-9:
            return row.phenotype
    raise GenotypeError(f"CYP2D6: activity score {activity:g} is in no CPIC phenotype band")


def parse_genotype(gene: str, text: object) -> Genotype:
    """Parse a diplotype (``"*1/*4"``, ``"*1/*1x2"``), an activity score (``"AS=1.5"``, CYP2D6)
    or a phenotype (``"PM"``, ``"IM"``, ``"NM"``, ``"RM"``, ``"UM"``).

    A phenotype stands for its representative diplotype (``phenotypes.csv``: CYP2D6 PM *4/*4,
    IM *1/*4, NM *1/*1, UM *1/*1x2). Raises :class:`GenotypeError` naming the known alleles.

    >>> parse_genotype("CYP2D6", "*1/*41").activity, parse_genotype("CYP2D6", "*1/*41").phenotype
    (1.5, 'NM')
    """
    g = _gene(gene)
    s = str(text).strip()
    if not s:
        raise GenotypeError(f"{g}: empty genotype; give a diplotype such as *1/*4 or a phenotype")
    phen = phenotype_table(g)
    if s.upper() in set(phen["phenotype"]):
        row = phen[phen["phenotype"] == s.upper()].iloc[0]
        rep = parse_genotype(g, row["representative_diplotype"])
        return Genotype(g, None, rep.activity, row["phenotype"], s.upper())
    m = _SCORE.match(s)
    if m:
        if g != "CYP2D6":
            raise GenotypeError(f"{g}: an activity score (AS=) is defined for CYP2D6 only; "
                                "give a diplotype or a phenotype")
        score = float(m.group(1))
        if not math.isfinite(score) or abs(score / ACTIVITY_STEP - round(score / ACTIVITY_STEP)) > 1e-9:
            raise GenotypeError(f"CYP2D6: activity score {m.group(1)!r} must be a multiple of "
                                f"{ACTIVITY_STEP} (CPIC)")
        return Genotype(g, None, score, _cyp2d6_phenotype(score), s)
    m = _DIPLOTYPE.match(s)
    if not m:
        raise GenotypeError(f"{g}: malformed genotype {s!r}; give a diplotype of two star alleles "
                            "('*1/*4', '*1/*1x2'), "
                            + ("an activity score ('AS=1.5') " if g == "CYP2D6" else "")
                            + f"or a phenotype ({', '.join(phen['phenotype'])})")
    a1, v1, f1 = _allele_activity(g, m.group(1))
    a2, v2, f2 = _allele_activity(g, m.group(2))
    activity = v1 + v2
    return Genotype(g, f"{a1}/{a2}", activity, _phenotype_from_alleles(g, [f1, f2], activity), s)


def allele_frequencies(gene: str, ancestry: str) -> pd.DataFrame:
    """Allele frequencies (renormalised to sum 1) of ``gene`` in ``ancestry``, with sources."""
    g = _gene(gene)
    f = _tables()[2]
    key = str(ancestry).strip().lower()
    sub = f[(f["gene"] == g) & (f["ancestry"] == key)]
    if sub.empty:
        known = sorted(set(f.loc[f["gene"] == g, "ancestry"]))
        raise GenotypeError(f"{g}: no allele frequencies for ancestry {ancestry!r}; known: "
                            f"{', '.join(known)} (data/genotype/frequencies.csv)")
    sub = sub.assign(frequency=sub["frequency"] / sub["frequency"].sum())
    return sub.reset_index(drop=True)


def expected_phenotype_frequencies(gene: str, ancestry: str) -> dict[str, float]:
    """Phenotype frequencies implied by the shipped allele frequencies (Hardy–Weinberg)."""
    freqs = allele_frequencies(gene, ancestry)
    p = freqs["frequency"].to_numpy()
    names = list(freqs["allele"])
    out: dict[str, float] = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ph = parse_genotype(gene, f"{a}/{b}").phenotype
            out[ph] = out.get(ph, 0.0) + float(p[i] * p[j])
    return dict(sorted(out.items()))


@lru_cache(maxsize=32)
def diplotype_arrays(gene: str, ancestry: str) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """For sampling: allele probabilities, allele names, the activity of every ordered pair
    (n×n) and the phenotype of every pair (flattened n×n list)."""
    freqs = allele_frequencies(gene, ancestry)
    names = list(freqs["allele"])
    n = len(names)
    act = np.empty((n, n))
    phen: list[str] = []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            gt = parse_genotype(gene, f"{a}/{b}")
            act[i, j] = gt.activity
            phen.append(gt.phenotype)
    return freqs["frequency"].to_numpy(), names, act, phen
