"""Engagement of several compounds side by side (``neuromoa compare``)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from neuromoa.engagement.core import engage
from neuromoa.errors import InputError
from neuromoa.exposure import DEFAULT_KP_UU
from neuromoa.kb import load_kb

__all__ = ["COMPARE_COLUMNS", "compare_engagement"]


#: Columns of :func:`compare_engagement`.
COMPARE_COLUMNS = [
    "target", "condition", "compound", "occupancy", "occupancy_low", "occupancy_high",
    "k_M", "reference", "unbound_M", "has_data", "consequence", "note",
]


def compare_engagement(compounds: Sequence[str], *, dose: Any = None, every: Any = None,
                       days: Any = None, conc: Any = None, base: bool = False,
                       species: str = "human", kp_uu: float = DEFAULT_KP_UU,
                       series: str = "common",
                       user_files: Iterable[str | os.PathLike[str]] = ()) -> pd.DataFrame:
    """Engagement of several compounds side by side, at one regimen or one concentration.

    Each compound goes through :func:`engage` on its own (with its metabolite when dosed), so
    the comparison uses each compound's own exposure and affinities from the knowledge base.

    Parameters
    ----------
    compounds : sequence of str
        Two or more compound names (synonyms work; a user compound needs ``user_files`` or
        :func:`neuromoa.data.compounds.use_user_data`).
    dose, every, days, base :
        The regimen every compound gets (see :func:`engage`); or ``conc``, one unbound
        concentration for all.

    Returns
    -------
    pandas.DataFrame
        Tidy, columns :data:`COMPARE_COLUMNS`: one row per target × condition × compound
        (targets in order of their highest occupancy). A compound without a value at a target
        has a row with ``has_data`` False, occupancy NaN and the note "no data".
        ``unbound_M`` is the compound's own unbound concentration at the target (parent; the
        metabolite's is in the note of :func:`engage`'s result).
    """
    names = list(compounds)
    if len(names) < 1:
        raise InputError("compare_engagement: give at least one compound.")
    files = tuple(user_files)
    kb = load_kb(files)
    ids = [kb.compound(n).id for n in names]
    if len(set(ids)) != len(ids):
        raise InputError(f"compare_engagement: a compound is named twice ({', '.join(names)}).")
    results = {cid: engage(cid, dose=dose, every=every, days=days, conc=conc, base=base,
                           species=species, kp_uu=kp_uu, series=series, user_files=files)
               for cid in ids}
    slots: dict[tuple[str, str], float] = {}
    for res in results.values():
        for row in res.targets.itertuples(index=False):
            key = (str(row.target), str(row.condition))
            slots[key] = max(slots.get(key, -1.0), float(row.occupancy))
    order = sorted(slots, key=lambda k: -slots[k])
    rows = []
    for target, condition in order:
        for cid, res in results.items():
            t = res.targets
            hit = t[(t["target"] == target) & (t["condition"] == condition)]
            if hit.empty:
                rows.append({"target": target, "condition": condition, "compound": cid,
                             "occupancy": math.nan, "occupancy_low": math.nan,
                             "occupancy_high": math.nan, "k_M": math.nan, "reference": "",
                             "unbound_M": float(res.unbound_M.get(cid, math.nan)),
                             "has_data": False, "consequence": kb.target(target).consequence,
                             "note": "no data"})
                continue
            r = hit.iloc[0]
            rows.append({"target": target, "condition": condition, "compound": cid,
                         "occupancy": float(r["occupancy"]),
                         "occupancy_low": float(r["occupancy_low"]),
                         "occupancy_high": float(r["occupancy_high"]), "k_M": float(r["k_M"]),
                         "reference": str(r["reference"]),
                         "unbound_M": float(res.unbound_M.get(cid, math.nan)),
                         "has_data": True, "consequence": str(r["consequence"]),
                         "note": str(r["note"])})
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)

