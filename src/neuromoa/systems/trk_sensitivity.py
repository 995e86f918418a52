"""Which assumed kinetic constants of the Trk model the headline (pAkt EC50) depends on.

Every kinetic constant of ``data/systems/trk.ant`` is an assumption (A) and the TrkA/TrkB
affinities are untraced (U: the source document's 3 uM / 14 uM, not found in Jang et al. 2009's
abstract). :func:`trk_sensitivity` scales each constant that acts on the acute pAkt response
up and down by ``factor`` and reports the fold change of the pAkt EC50 (read at 1 h, as
:func:`neuromoa.systems.trk.trk_response` does): a one-at-a-time local sensitivity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from neuromoa.errors import InputError, check_number

__all__ = ["TRK_HEADLINE_PARAMETERS", "trk_sensitivity"]

#: The constants on the path drug -> receptor -> dimer -> phospho-dimer -> pAkt (the BDNF and
#: ERK arms do not enter the pAkt EC50 at 1 h).
TRK_HEADLINE_PARAMETERS = ("Kd_A", "Kd_B", "TA_tot", "TB_tot", "kon", "kdim", "kundim", "kp",
                           "kdp", "Akt_tot", "kakt0", "kakt", "kakt_dp")


def trk_sensitivity(parameters: Sequence[str] = TRK_HEADLINE_PARAMETERS, *, factor: float = 3.0,
                    compound: str | None = None) -> pd.DataFrame:
    """Fold change of the pAkt EC50 when each parameter is multiplied / divided by ``factor``.

    Returns
    -------
    DataFrame
        ``parameter value confidence ec50_base_M ec50_up_M ec50_down_M fold_up fold_down
        log10_span`` sorted by ``log10_span`` (largest first): |log10(EC50 up / EC50 down)|.
    """
    from neuromoa.systems._model import model_parameters
    from neuromoa.systems.trk import trk_parameters, trk_response

    f = check_number(factor, "factor", "trk_sensitivity", low=1.0, low_open=True)
    table = model_parameters("trk").set_index("parameter")
    unknown = [p for p in parameters if p not in table.index]
    if unknown:
        raise InputError(f"trk_sensitivity: the trk model has no parameter(s) {unknown}.")
    kb = {k: v for k, (v, _) in trk_parameters(compound=compound).items()}

    def ec50(over: dict[str, float]) -> float:
        return float(trk_response("1 uM", compound=compound, duration="1 h", n_points=3,
                                  overrides=over).ec50_M)

    base = ec50({})
    rows = []
    for p in parameters:
        v = float(kb.get(p, table.loc[p, "value"]))
        up, down = ec50({p: v * f}), ec50({p: v / f})
        rows.append({"parameter": p, "value": v, "confidence": table.loc[p, "confidence"],
                     "ec50_base_M": base, "ec50_up_M": up, "ec50_down_M": down,
                     "fold_up": up / base, "fold_down": down / base,
                     "log10_span": abs(np.log10(up / down))})
    return pd.DataFrame(rows).sort_values("log10_span", ascending=False, ignore_index=True)
