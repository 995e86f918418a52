"""NMDA block at a dose, at physiological conditions beside the source table's.

Uses only the public functions of :mod:`neuromoa.systems.nmda` (:func:`nmda_ic50`,
:func:`nmda_open_fraction`) and the unbound brain concentration of :mod:`neuromoa.exposure`.
The Ca2+ law behind the model is Stepanenko et al. 2019 (*Sci Rep* 9:19454): whole-cell
recordings from cultured cortical neurons, 0.25-4 mM external Ca2+; the model is calibrated
there and the physiological 1.2 mM lies inside that range.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NMDA_CONDITIONS", "nmda_at_dose"]

#: (label, external Ca2+, holding/resting potential, where it comes from)
NMDA_CONDITIONS: tuple[tuple[str, str, str, str], ...] = (
    ("source table", "4 mM", "-70 mV",
     "Stepanenko 2019 Ca2+ law, quoted at 4 mM (the source document's row); -70 mV holding"),
    ("physiological", "1.2 mM", "-70 mV",
     "extracellular Ca2+ of brain interstitial fluid ~1.2 mM (issue 18; assumption, not traced) "
     "at a cortical pyramidal resting potential of -70 mV (assumption)"),
    ("physiological, depolarised", "1.2 mM", "-50 mV",
     "as physiological, during depolarisation towards firing threshold (-50 mV; assumption)"),
    ("trapping recording", "0.25 mM", "0 mV",
     "Stepanenko 2019 trapping-block condition (the source document's 220 uM row)"),
)


def nmda_at_dose(dose: str = "150 mg", every: str = "24 h", *, compound: str | None = None,
                 kp_uu: float = 1.0) -> pd.DataFrame:
    """IC50 and fractional inhibition of the NMDA current at the steady-state unbound brain
    concentration of ``dose`` every ``every``, for each of :data:`NMDA_CONDITIONS`.

    Returns
    -------
    DataFrame
        ``condition ca voltage ic50_uM free_brain_nM inhibition basis`` — ``inhibition`` is
        1 - open fraction with drug / without (model mode "total"). Assumes the compound's own
        concentration only (the metabolite's NMDA action is not in the model) and Kp,uu
        ``kp_uu`` (default 1, assumption).
    """
    from neuromoa.data.compounds import flagship_compound, resolve_compound
    from neuromoa.exposure import Regimen
    from neuromoa.exposure.model import steady_state_unbound_brain
    from neuromoa.systems.nmda import nmda_ic50, nmda_open_fraction

    cid = resolve_compound(compound or flagship_compound()).id
    free = float(steady_state_unbound_brain(cid, Regimen.parse(dose, every=every),
                                            kp_uu=kp_uu)[cid])
    rows: list[dict[str, Any]] = []
    for label, ca, v, basis in NMDA_CONDITIONS:
        ic50 = nmda_ic50(ca, v, "total").ic50_M
        o = np.asarray(nmda_open_fraction(ca, v, [0.0, free]), dtype=float)
        rows.append({"condition": label, "ca": ca, "voltage": v, "ic50_uM": ic50 * 1e6,
                     "free_brain_nM": free * 1e9, "inhibition": 1.0 - o[1] / o[0],
                     "basis": basis})
    return pd.DataFrame(rows)
