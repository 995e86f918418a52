"""The affinity audit (issue 11) as data, and the occupancy changes its corrections cause.

``data/engagement/affinity_audit.csv`` lists every knowledge-base row that gives > 0.2 occupancy
at 150 mg/day or drives a safety margin, with the source it was checked against (species,
tissue, measure), the verdict and the row engagement uses. Corrected rows keep their original
text in the knowledge base with the correction beside it (column ``correction``) and are no
longer the default; :func:`audit_occupancy_changes` recomputes the in-vitro occupancy with the
original row (selected by its key) and with the corrected default.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import pandas as pd

from neuromoa.data import read_text
from neuromoa.engagement.core import engage
from neuromoa.errors import NeuromoaWarning

__all__ = ["affinity_audit", "audit_occupancy_changes"]


def affinity_audit() -> pd.DataFrame:
    """The audit table: ``key compound target value_as_shipped why_audited checked_source
    species tissue measure verdict used_for_engagement note``."""
    return pd.read_csv(io.StringIO(read_text("engagement", "affinity_audit.csv")), dtype=str,
                       keep_default_na=False)


def audit_occupancy_changes(compound: str | None = None,
                            doses: Sequence[str] = ("10 mg", "150 mg"),
                            every: str = "24h") -> pd.DataFrame:
    """In-vitro occupancy before and after each correction of the audit, at each dose.

    Returns
    -------
    pandas.DataFrame
        ``target dose original_key corrected_key occupancy_before occupancy_after``.
    """
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    audit = affinity_audit()
    fixed = audit[audit["used_for_engagement"].str.contains("(corrected", regex=False)
                  & (audit["compound"] == compound)]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        for dose in doses:
            after = engage(compound, dose=dose, every=every, calibrate=False)
            for rec in fixed.to_dict(orient="records"):
                before = engage(compound, dose=dose, every=every, calibrate=False,
                                source=rec["key"], targets=[rec["target"]])
                rows.append({
                    "target": rec["target"], "dose": dose, "original_key": rec["key"],
                    "corrected_key": rec["used_for_engagement"].split(" ")[0],
                    "occupancy_before": before.targets.iloc[0]["occupancy_in_vitro"],
                    "occupancy_after": after.targets.set_index("target")
                    .loc[rec["target"], "occupancy_in_vitro"],
                })
    return pd.DataFrame(rows)
