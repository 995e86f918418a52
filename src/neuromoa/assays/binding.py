r"""M1 radioligand binding (CHO-K1 hM1 membranes, [3H]pirenzepine, atropine for non-specific).

Mechanism (per well, at equilibrium)
------------------------------------
Radioligand L, competitor I and receptor R with **depletion of every species** (free ≠ added);
non-specific binding is proportional to free radioligand, NS = k·[L]free, and depletes it too.
Mass balance :math:`L_t = [L](1+k) + [RL]`, so with :math:`L' = (1+k)[L]` the problem is the
one-site competition problem with :math:`K_d' = K_d(1+k)`, solved exactly (Wang 1995 cubic,
:func:`neuromoa.pharmacology.ligand_depletion_bound`)::

    [RL] = ligand_depletion_bound(R_t, L_t, K_d (1+k), I_t, K_i)
    NS   = k (L_t − [RL]) / (1 + k)
    CPM  = ([RL] + NS) · V · recovery · SA · 2.22e12 dpm/Ci · ε  (+ background)

Receptor concentration :math:`R_t = B_{max} \cdot \text{protein} / V`. The exact-depletion
analysis fits the same model (:func:`fit_exact_depletion`), which removes the bias of
Cheng–Prusoff when a large fraction of the radioligand is bound.

References
----------
Wang ZX (1995) FEBS Lett 360:111; Goldstein A, Barrett RW (1987) Mol Pharmacol 31:603;
Cheng & Prusoff (1973); Hulme EC, Trevethick MA (2010) Br J Pharmacol 161:1219 (depletion in
binding assays). Protocol: the seed document's M1 binding assay.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize

from neuromoa.assays._conditions import assay_parameters, protocol
from neuromoa.assays._kb import kb_constant, kb_ki, resolve_molar
from neuromoa.assays._noise import simulated_plates
from neuromoa.assays.constants import simulation_overrides
from neuromoa.assays.layout import design_plate, series_top
from neuromoa.assays.plates import PlateSet
from neuromoa.assays.uptake import DPM_PER_CI
from neuromoa.errors import check_number
from neuromoa.pharmacology import ic50_from_ki_binding, ligand_depletion_bound

if TYPE_CHECKING:
    from neuromoa.fitting.results import ModelFit

__all__ = ["binding_signal", "exact_ic50", "fit_exact_depletion",
           "simulate_binding"]

#: Half-width (log10 units) of the bracket searched for the exact IC50 around the
#: Cheng–Prusoff value (numerical control: depletion shifts the IC50 by far less than 10^3).
_IC50_BRACKET_LOG10 = 3.0


def binding_signal(conc_M, ki_M, *, receptor_M: float, radioligand_M: float, kd_M: float,
                   nsb_fraction: float, cpm_per_M: float, ref_conc_M=0.0,
                   ref_ki_M: float = math.inf):
    """Expected (noise-free) CPM on the filter, without counter background.

    Parameters
    ----------
    conc_M, ki_M : test competitor concentration(s) and Ki, mol/L.
    receptor_M : receptor (binding-site) concentration in the well, mol/L.
    radioligand_M, kd_M : added radioligand and its Kd, mol/L.
    nsb_fraction : k, non-specifically bound radioligand per free radioligand.
    cpm_per_M : CPM per mol/L bound (= V · recovery · SA · 2.22e12 · ε).
    ref_conc_M, ref_ki_M : reference competitor (non-specific wells); a well holds either the
        test compound or the reference.

    Returns
    -------
    (total_cpm, specific_cpm, bound_fraction) where ``bound_fraction`` = ([RL] + NS)/L_t.
    """
    conc = np.asarray(conc_M, float)
    ref = np.broadcast_to(np.asarray(ref_conc_M, float), conc.shape)
    comp = np.where(ref > 0, ref, conc)
    kic = np.where(ref > 0, ref_ki_M, ki_M)
    k = nsb_fraction
    rl = np.asarray(ligand_depletion_bound(receptor_M, radioligand_M, kd_M * (1.0 + k), comp, kic))
    ns = k * (radioligand_M - rl) / (1.0 + k)
    return (rl + ns) * cpm_per_M, rl * cpm_per_M, (rl + ns) / radioligand_M


def exact_ic50(ki_M: float, *, receptor_M: float, radioligand_M: float, kd_M: float,
               nsb_fraction: float) -> float:
    """IC50 of receptor-bound radioligand under exact depletion (root of [RL](I) = [RL](0)/2)."""
    kd_eff = kd_M * (1.0 + nsb_fraction)
    rl0 = float(ligand_depletion_bound(receptor_M, radioligand_M, kd_eff))
    guess = float(ic50_from_ki_binding(ki_M, radioligand_M, kd_M))

    def f(log_i: float) -> float:
        return float(ligand_depletion_bound(receptor_M, radioligand_M, kd_eff, 10.0**log_i,
                                            ki_M)) - 0.5 * rl0

    lo = math.log10(guess) - _IC50_BRACKET_LOG10
    hi = math.log10(guess + receptor_M) + _IC50_BRACKET_LOG10
    return 10.0 ** optimize.brentq(f, lo, hi, xtol=1e-12)


def _cpm_per_M(par: dict[str, float]) -> float:
    return (par["volume"] * par["filter_recovery"] * par["specific_activity"] * DPM_PER_CI
            * par["counting_efficiency"])


def simulate_binding(target: str = "M1", compound: str | None = None, *,
                     ki: object = None, seed: int | None = None, plate: str = "P1",
                     n_plates: int = 1, receptor_conc: object = None,
                     radioligand: object = None, kd: object = None, top: object = None,
                     well_cv: float | None = None, edge_effects: bool = False,
                     outliers: int = 0, layout: pd.DataFrame | None = None,
                     constants: dict[str, object] | None = None) -> PlateSet:
    """Simulate 96-well [3H]pirenzepine competition-binding plates (filtration assay).

    Parameters
    ----------
    target : "M1".
    compound : test compound (Ki from the knowledge base unless ``ki`` is given).
    ki : true Ki ("16 nM"); default: knowledge base (geometric mean of the range).
    seed : seed of the numpy Generator; same seed → same plates.
    plate, n_plates : plate name(s).
    receptor_conc : receptor concentration in the well ("0.32 nM"); default
        Bmax × protein / volume from parameters.csv. Raise it to see ligand depletion.
    radioligand, kd : [3H]pirenzepine concentration and Kd (defaults: parameters.csv, kb).
    top : highest test concentration (default: centred on the expected IC50).
    well_cv, edge_effects, outliers : noise options (see :mod:`neuromoa.assays._noise`).
    constants : your lab's constants instead of the shipped ones, e.g.
        ``{"specific_activity": "60 Ci/mmol", "volume": "200 uL", "counting_efficiency": 0.4}``
        (keys of :data:`neuromoa.assays.constants.CONSTANTS`); recorded in the conditions.
    layout : a design layout (default: the shipped 96-well layout).

    Returns
    -------
    PlateSet with conditions and truth (``ki_M``, ``receptor_M``, exact ``ic50_M``,
    ``depletion_fraction`` = bound/added radioligand in the total wells).
    """
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    proto = protocol("binding", target)
    par = assay_parameters("binding", proto.target)
    par.update(simulation_overrides(constants, "binding"))
    ki_M, ki_source = ((resolve_molar(ki, "ki"), "given") if ki is not None
                       else kb_ki(compound, proto.target))
    kd_M, kd_source = ((resolve_molar(kd, "kd"), "given") if kd is not None
                       else kb_constant(proto.label_constant))
    ref_ki, ref_source = kb_constant(proto.reference_inhibitor_ki_constant)
    l_M = (resolve_molar(radioligand, "radioligand") if radioligand is not None
           else par["radioligand_conc"])
    r_M = (resolve_molar(receptor_conc, "receptor_conc") if receptor_conc is not None
           else par["bmax"] * par["protein"] / par["volume"])
    cv = par["well_cv"] if well_cv is None else check_number(well_cv, "well_cv",
                                                             "simulate_binding", low=0, high=1)
    n = int(check_number(n_plates, "n_plates", "simulate_binding", low=1))
    k = par["nsb_fraction"]
    ic50 = exact_ic50(ki_M, receptor_M=r_M, radioligand_M=l_M, kd_M=kd_M, nsb_fraction=k)
    top_M = (resolve_molar(top, "top") if top is not None
             else series_top(ic50, par["top_above_ic50"], par["dose_step"]))
    design = design_plate(compound, top_M, reference_inhibitor=proto.reference_inhibitor,
                          reference_conc_M=proto.reference_inhibitor_conc_M,
                          step_log10=par["dose_step"], layout=layout)
    role = design["role"].to_numpy()
    conc = design["concentration_M"].to_numpy()
    cpm_per_M = _cpm_per_M(par)
    expected, _, bound_fraction = binding_signal(
        np.where(role == "test", conc, 0.0), ki_M, receptor_M=r_M, radioligand_M=l_M, kd_M=kd_M,
        nsb_fraction=k, cpm_per_M=cpm_per_M, ref_conc_M=np.where(role == "nsb", conc, 0.0),
        ref_ki_M=ref_ki)
    expected = np.where(role == "empty", 0.0, expected)
    depletion = float(np.max(np.where(role == "total", bound_fraction, 0.0)))
    conditions = {
        "assay": "binding", "target": proto.target, "compound": compound, "system": proto.system,
        "label": proto.label, "radioligand_M": l_M, "kd_M": kd_M,
        "reference_inhibitor": proto.reference_inhibitor,
        "reference_inhibitor_conc_M": proto.reference_inhibitor_conc_M,
        "specific_activity_Ci_per_mol": par["specific_activity"],
        "counting_efficiency": par["counting_efficiency"], "filter_recovery": par["filter_recovery"],
        "volume_L": par["volume"], "count_time_s": par["count_time"], "protein_g": par["protein"],
        "background_cpm": par["background"], "incubation_time_s": par["incubation_time"],
        "temperature_C": par["temperature"],
    }
    truth = {
        "ki_M": ki_M, "ki_source": ki_source, "kd_source": kd_source,
        "reference_inhibitor_ki_M": ref_ki, "reference_inhibitor_ki_source": ref_source,
        "receptor_M": r_M, "nsb_fraction": k, "ic50_M": ic50,
        "ic50_cheng_prusoff_M": float(ic50_from_ki_binding(ki_M, l_M, kd_M)),
        "depletion_fraction": depletion, "hill": -1.0, "well_cv": cv, "seed": seed,
        "edge_effects": bool(edge_effects)}
    return simulated_plates(design, role, conc, expected, plate=plate, n=n, seed=seed, par=par,
                            well_cv=cv, edge_effects=edge_effects, outliers=outliers,
                            conditions=conditions, truth=truth)


def fit_exact_depletion(conc_M, specific_cpm, *, radioligand_M: float, kd_M: float,
                        nsb_fraction: float, cpm_per_M: float, weights=None,
                        ki_guess_M: float | None = None) -> ModelFit:
    """Fit Ki with the exact-depletion model to specific binding (total − mean NSB), in CPM.

    The generic engine's ``exact_depletion`` model (:func:`neuromoa.fitting.fit_model`):
    ``y(I) = cpm_per_M · [RL](I; R_t, K_i) / (1 + k) + offset`` with [RL] from
    :func:`~neuromoa.pharmacology.ligand_depletion_bound` (K_d' = K_d(1+k)); the 1/(1+k) factor
    is the small rise of non-specific binding as competitor frees radioligand. Parameters
    ``ki`` and ``receptor`` (M, fitted on a log scale) and ``offset`` (CPM); weighted least
    squares (``weights`` ∝ 1/variance), 95 % interval of Ki from the asymptotic covariance of
    log Ki with a t quantile (n − 3 df).

    Parameters
    ----------
    conc_M : competitor concentrations (0 for total wells), mol/L.
    specific_cpm : specific counts per well, CPM.
    radioligand_M, kd_M : added radioligand and its Kd, mol/L.
    nsb_fraction : k (non-specifically bound per free radioligand; estimate from NSB wells).
    cpm_per_M : CPM per mol/L bound radioligand.
    weights : per-well weights (default all 1).
    ki_guess_M : starting Ki (default: the concentration where y crosses half its maximum,
        corrected by Cheng–Prusoff).

    Returns
    -------
    ModelFit
        ``fit.ki_M``, ``fit.receptor_M``, ``fit.ci95["ki"]``, ``fit.params["offset"]``,
        status, message, n, rss.
    """
    from neuromoa.fitting import fit_model

    p0 = None if ki_guess_M is None else {"ki": float(ki_guess_M)}
    return fit_model("exact_depletion", conc_M, specific_cpm, x_unit="M", weights=weights,
                     p0=p0, radioligand_M=radioligand_M, kd_M=kd_M, nsb_fraction=nsb_fraction,
                     cpm_per_M=cpm_per_M)
