r"""SERT / NET uptake assay (HEK293 cells, [3H]5-HT / [3H]noradrenaline): mechanism and simulator.

Mechanism (per well)
--------------------
The inhibitor is equilibrated with the cells during the pre-incubation, so its concentration is
constant when the radiolabelled substrate is added; uptake is linear over the short incubation
(initial-rate conditions; the simulator checks that < 10 % of the substrate is taken up)::

    J_spec = Vmax · S / (Km (1 + I/Ki + I_ref/Ki_ref) + S)           (Michaelis–Menten, competitive)
    J_ns   = k_ns · S                                                   (non-specific accumulation)
    n      = (J_spec + J_ns) · t_uptake                                 (mol per well)
    CPM    = n · SA · 2.22e12 dpm/Ci · ε  (+ background)

so that specific uptake falls with a Hill slope of exactly 1 and
:math:`IC_{50} = K_i (1 + [S]/K_m)` (Cheng & Prusoff 1973). Noise: :mod:`neuromoa.assays._noise`.

References
----------
Michaelis & Menten 1913; Cheng Y, Prusoff WH (1973) Biochem Pharmacol 22:3099. Protocol: the
seed document's SERT/NET uptake assay. Parameter sources: ``data/assays/parameters.csv``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from neuromoa.assays._conditions import assay_parameters, protocol
from neuromoa.assays._kb import kb_constant, kb_ki, resolve_molar
from neuromoa.assays._noise import simulated_plates
from neuromoa.assays.constants import simulation_overrides
from neuromoa.assays.layout import design_plate, series_top
from neuromoa.assays.plates import PlateSet
from neuromoa.errors import NeuromoaWarning, check_number
from neuromoa.pharmacology import ic50_from_ki_uptake, michaelis_menten_rate

__all__ = ["DPM_PER_CI", "simulate_uptake", "uptake_signal"]

#: Disintegrations per minute per curie (1 Ci = 3.7e10 Bq = 2.22e12 dpm; definition).
DPM_PER_CI = 2.22e12

#: Fraction of substrate taken up above which initial-rate (linear) conditions no longer hold
#: (assumption: the usual < 10 % rule for initial velocities).
_LINEAR_UPTAKE_LIMIT = 0.10


def uptake_signal(conc_M, ki_M, *, substrate_M: float, km_M: float, vmax_mol_s: float,
                  ns_clearance_L_s: float, time_s: float, specific_activity_Ci_mol: float,
                  counting_efficiency: float, ref_conc_M=0.0, ref_ki_M: float = math.inf):
    """Expected (noise-free) CPM retained by the cells, without counter background.

    Parameters
    ----------
    conc_M : test inhibitor concentration(s), mol/L.
    ki_M : its Ki, mol/L.
    substrate_M, km_M : radiolabelled substrate concentration and its Km, mol/L.
    vmax_mol_s : transporter Vmax per well, mol/s.
    ns_clearance_L_s : non-specific uptake clearance per well, L/s.
    time_s : uptake time, s.
    specific_activity_Ci_mol : Ci/mol; counting_efficiency : CPM/DPM.
    ref_conc_M, ref_ki_M : a second (reference) inhibitor, e.g. in the non-specific wells.

    Returns
    -------
    (total_cpm, specific_cpm) : arrays.
    """
    rate = michaelis_menten_rate(substrate_M, vmax_mol_s, km_M,
                                 inhibitors=(np.asarray(conc_M, float), np.asarray(ref_conc_M, float)),
                                 kis=(ki_M, np.asarray(ref_ki_M, float)))
    to_cpm = time_s * specific_activity_Ci_mol * DPM_PER_CI * counting_efficiency
    specific = np.asarray(rate, float) * to_cpm
    nonspecific = ns_clearance_L_s * substrate_M * to_cpm
    return specific + nonspecific, specific


def simulate_uptake(target: str = "SERT", compound: str | None = None, *,
                    ki: object = None, seed: int | None = None, plate: str = "P1",
                    n_plates: int = 1, substrate: object = None, km: object = None,
                    top: object = None, well_cv: float | None = None,
                    edge_effects: bool = False, outliers: int = 0,
                    layout: pd.DataFrame | None = None,
                    constants: dict[str, object] | None = None) -> PlateSet:
    """Simulate 96-well [3H]substrate uptake plates (see the module docstring for the mechanism).

    Parameters
    ----------
    target : "SERT" or "NET".
    compound : test compound (its Ki comes from the knowledge base unless ``ki`` is given).
    ki : true Ki of the test compound ("3.45 nM"); default: knowledge base (geometric mean of
        the reported range), recorded in the plate's truth as ``ki_source``.
    seed : seed of the numpy Generator; same seed → same plates (and same file bytes).
    plate, n_plates : name of the (first) plate and number of plates ("P1", "P2", ...).
    substrate, km : substrate concentration and its Km (defaults: parameters.csv and the
        knowledge base).
    top : highest test concentration (default: ~10^2.25 × expected IC50 on the half-log grid).
    well_cv : well-to-well CV (default parameters.csv); edge_effects, outliers : optional defects.
    constants : your lab's constants instead of the shipped ones, e.g.
        ``{"specific_activity": "60 Ci/mmol", "volume": "200 uL", "counting_efficiency": 0.4}``
        (keys of :data:`neuromoa.assays.constants.CONSTANTS`); recorded in the conditions.
    layout : a design layout (default :func:`~neuromoa.assays.layout.default_layout`).

    Returns
    -------
    PlateSet with ``meta[plate] = {"conditions": ..., "truth": ...}``.
    """
    from neuromoa.data.compounds import flagship_compound

    compound = compound or flagship_compound()
    proto = protocol("uptake", target)
    par = assay_parameters("uptake", proto.target)
    par.update(simulation_overrides(constants, "uptake"))
    ki_M, ki_source = ((resolve_molar(ki, "ki"), "given") if ki is not None
                       else kb_ki(compound, proto.target))
    km_M, km_source = ((resolve_molar(km, "km"), "given") if km is not None
                       else kb_constant(proto.label_constant))
    ref_ki, ref_source = kb_constant(proto.reference_inhibitor_ki_constant)
    s_M = resolve_molar(substrate, "substrate") if substrate is not None else par["substrate_conc"]
    cv = par["well_cv"] if well_cv is None else check_number(well_cv, "well_cv", "simulate_uptake",
                                                             low=0, high=1)
    n = int(check_number(n_plates, "n_plates", "simulate_uptake", low=1))
    ic50 = float(ic50_from_ki_uptake(ki_M, s_M, km_M))
    top_M = (resolve_molar(top, "top") if top is not None
             else series_top(ic50, par["top_above_ic50"], par["dose_step"]))
    design = design_plate(compound, top_M, reference_inhibitor=proto.reference_inhibitor,
                          reference_conc_M=proto.reference_inhibitor_conc_M,
                          step_log10=par["dose_step"], layout=layout)
    role = design["role"].to_numpy()
    test_conc = np.where(role == "test", design["concentration_M"].to_numpy(), 0.0)
    ref_conc = np.where(role == "nsb", design["concentration_M"].to_numpy(), 0.0)
    common = dict(substrate_M=s_M, km_M=km_M, vmax_mol_s=par["vmax"],
                  ns_clearance_L_s=par["nonspecific_clearance"], time_s=par["uptake_time"],
                  specific_activity_Ci_mol=par["specific_activity"],
                  counting_efficiency=par["counting_efficiency"])
    expected, _ = uptake_signal(test_conc, ki_M, ref_conc_M=ref_conc, ref_ki_M=ref_ki, **common)
    expected = np.where(role == "empty", 0.0, expected)
    taken_up = float(np.max(expected)) / (common["specific_activity_Ci_mol"] * DPM_PER_CI
                                          * common["counting_efficiency"])
    fraction_taken_up = taken_up / (s_M * par["volume"])
    if fraction_taken_up > _LINEAR_UPTAKE_LIMIT:
        warnings.warn(f"simulate_uptake: {100 * fraction_taken_up:.0f}% of the substrate is taken "
                      "up; initial-rate (linear) conditions assumed by the model no longer hold.",
                      NeuromoaWarning, stacklevel=2)
    conditions = {
        "assay": "uptake", "target": proto.target, "compound": compound, "system": proto.system,
        "label": proto.label, "substrate_M": s_M, "km_M": km_M,
        "reference_inhibitor": proto.reference_inhibitor,
        "reference_inhibitor_conc_M": proto.reference_inhibitor_conc_M,
        "specific_activity_Ci_per_mol": par["specific_activity"],
        "counting_efficiency": par["counting_efficiency"], "count_time_s": par["count_time"],
        "background_cpm": par["background"], "uptake_time_s": par["uptake_time"],
        "preincubation_time_s": par["preincubation_time"], "temperature_C": par["temperature"],
        "volume_L": par["volume"],
    }
    truth = {
        "ki_M": ki_M, "ki_source": ki_source, "km_source": km_source,
        "reference_inhibitor_ki_M": ref_ki, "reference_inhibitor_ki_source": ref_source,
        "ic50_M": ic50, "hill": -1.0, "well_cv": cv, "seed": seed,
        "edge_effects": bool(edge_effects), "fraction_substrate_taken_up": fraction_taken_up}
    return simulated_plates(design, role, design["concentration_M"], expected, plate=plate, n=n,
                            seed=seed, par=par, well_cv=cv, edge_effects=edge_effects,
                            outliers=outliers, conditions=conditions, truth=truth)
