"""The report's steps: each one calls the library function that computes it (see :mod:`steps`).

The plotting grids and virtual-experiment sizes below are named constants; every scientific
number comes from the modules called (and through them from the knowledge base).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuromoa.report.steps import ReportConfig, Step, StepOutcome

__all__ = ["CURVE_RANGE_M", "Card", "ROUND_TRIP_NUMBERS", "SIZES", "STEPS"]

# Concentration grid of the engagement curves (unbound, M). Assumption: 10 pM–100 µM spans every
# affinity in the knowledge base (0.5 nM H1 to 220 µM NMDA trapping block) with a decade spare.
CURVE_RANGE_M: tuple[float, float, int] = (1e-11, 1e-3, 161)

#: Virtual-experiment sizes, (quick, full). Assumption: quick keeps the whole report ≤ 30 s on a
#: 2-core machine, full ≤ 3 min; the modules' own tests establish accuracy at larger sizes.
SIZES: dict[str, tuple[int, int]] = {
    "round_trip_plates": (3, 200),
    "schild_targets": (2, 8),
    "uptake_targets": (1, 2),
    # Virtual patients per regimen of the occupancy-by-phenotype table. Assumption: 1000 give the
    # medians of the rarest phenotype (PM/UM ~5 %, ~50 patients) to a few hundredths of
    # occupancy; 20000 (as the population panel) to well under one hundredth.
    "population_engagement": (1000, 20000),
}

# Concentrations of the patch-clamp protocols and the F–I curves (assumption: bracket the
# Na+ channel IC50s of the knowledge base, 0.26–33 µM, and the therapeutic range below them).
PATCH_CONCS: tuple[str, ...] = ("0 uM", "0.3 uM", "1 uM", "3 uM", "10 uM")
FI_CONCS: tuple[str, ...] = ("0 uM", "1 uM", "3 uM")
FI_CONCS_QUICK: tuple[str, ...] = ("0 uM", "1 uM")  # the Must-show pair (rheobase rises at 1 µM)
# Concentration of the Trk time course (the document's TrkA value is 3 µM, TrkB 14 µM).
TRK_CONC = "10 uM"


#: The round-trip results printed beside its figure (all scalars when none of these exist).
ROUND_TRIP_NUMBERS: tuple[str, ...] = tuple(
    f"summary[{i}].{k}" for i in range(2) for k in (
        "method", "true_ki_M", "n_plates", "n_ok", "median_ki_M", "median_ratio", "coverage",
        "coverage_ci95_low", "coverage_ci95_high")) + ("ki_source",)


@dataclass(frozen=True)
class Card:
    """One result shown in sections 5–6: its title, the result object and a caption.

    ``plot`` holds keyword arguments for the result's ``plot()``; ``numbers`` names the
    ``to_dict()`` entries to print beside the figure (all scalar entries when empty).
    """

    title: str
    result: Any
    caption: str
    plot: dict[str, Any] = field(default_factory=dict)
    numbers: tuple[str, ...] = ()


def _kb(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.kb import load_kb

    kb = load_kb()
    compound = kb.compound(config.compound)
    compounds = kb.compounds()
    metabolites = [str(c) for c, parent in zip(compounds["id"], compounds["parent"], strict=True)
                   if str(parent) == compound.id]
    return {"kb": kb, "compound": compound,
            "activities": kb.activities(compound=compound.id),
            "metabolites": {m: kb.activities(compound=m) for m in metabolites},
            "references": kb.references}


def _regimen(config: ReportConfig, dose: str) -> Any:
    from neuromoa.exposure import Regimen

    return Regimen.parse(dose=dose, every=config.every, days=config.days)


def _exposure(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.exposure import simulate_exposure

    return {dose: simulate_exposure(config.compound, _regimen(config, dose))
            for dose in config.doses}


#: Virtual patients per regimen in the population panel (quick / full report). Assumption:
#: enough for the medians and in-range fractions of the CYP2D6 phenotypes (PM ~5 %) to ±1-2 %.
POPULATION_N_QUICK = 4096
POPULATION_N = 20000


def _population(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> Any:
    from neuromoa.exposure import population_panel

    n = POPULATION_N_QUICK if config.quick else POPULATION_N
    return population_panel(config.compound, config.doses, config.every, n=n, seed=config.seed)


def _population_engagement(config: ReportConfig,
                           outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    """Occupancy of the headline targets across virtual patients, by CYP2D6 phenotype."""
    import pandas as pd

    from neuromoa.engagement.population import (
        DEFAULT_POPULATION_TARGETS,
        engagement_by_phenotype,
        population_engagement,
    )
    from neuromoa.exposure import PopulationSpec, Regimen, simulate_population
    from neuromoa.report.steps import StepUnavailable

    targets = [t for t in DEFAULT_POPULATION_TARGETS if _has_activity(outcomes, t)]
    if not targets:
        raise StepUnavailable(f"the knowledge base has no value of {config.compound} at "
                              f"{', '.join(DEFAULT_POPULATION_TARGETS)}")
    n = config.size(*SIZES["population_engagement"])
    frames = []
    ancestry = ""
    for dose in config.doses:
        spec = PopulationSpec(config.compound, Regimen.parse(dose, every=config.every), n)
        ancestry = spec.ancestry
        occupancy = population_engagement(simulate_population(spec, config.seed),
                                          config.compound, dose=dose, every=config.every,
                                          targets=targets)
        frames.append(engagement_by_phenotype(occupancy).assign(dose=dose))
    return {"table": pd.concat(frames, ignore_index=True), "n": n, "seed": config.seed,
            "targets": targets, "ancestry": ancestry}


def _engagement(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.engagement import engage

    return {dose: engage(config.compound, dose=dose, every=config.every)
            for dose in config.doses}


def _margins(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.engagement import safety_margins

    return {dose: safety_margins(config.compound, _regimen(config, dose))
            for dose in config.doses}


def _cardiac(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    """ΔQRS and ΔQTc at each regimen (neuromoa.cardiac; the uncertainty ranges in full mode)."""
    from neuromoa.cardiac import cardiac_risk

    return {dose: cardiac_risk(config.compound, regimen=_regimen(config, dose),
                               contributions=False, uncertainty=not config.quick)
            for dose in config.doses}


def _validation(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> Any:
    """The systems models against the published data they were not calibrated on."""
    from neuromoa.systems import validate, validation_summary

    table = validate()
    table = table[table["compound"].astype(str).str.lower().isin(
        {config.compound.lower(), _compound_id(config, outcomes).lower()})]
    # A compound without published observations is "no data" in the section, not a failure.
    summary = validation_summary(table) if not table.empty else {}
    return {"table": table, "summary": summary,
            "message": "" if summary else f"no published systems observation of "
                                          f"{config.compound} in data/systems/validation.csv"}


def _curves(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> Any:
    from neuromoa.engagement import engagement_curves

    low, high, n = CURVE_RANGE_M
    return engagement_curves(config.compound, np.geomspace(low, high, n))




@dataclass(frozen=True)
class NoData:
    """A card's result where the knowledge base has no value for the compound: says so."""

    what: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``no_data`` (the message)."""
        return {"no_data": self.message}

    def plot(self, ax: Any = None) -> Any:
        """A small panel with the message (no axes)."""
        import textwrap

        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 1.1))
        ax = fig.add_subplot(1, 1, 1)
        ax.axis("off")
        ax.text(0.5, 0.5, "\n".join(textwrap.wrap(f"{self.what}: {self.message}", 90)),
                ha="center", va="center", fontsize=9)
        return fig


def _no_data(what: str, message: str) -> list[Card]:
    return [Card(f"{what}: no data", NoData(what, message),
                 f"{message}. The section runs for every compound; it shows results where the "
                 "knowledge base has the compound's values.")]


def _compound_id(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> str:
    """The report compound's id (from the kb step; the name as given if that did not run)."""
    if "kb" in outcomes and outcomes["kb"].ok:
        return str(outcomes["kb"].value["compound"].id)
    return config.compound


def _has_activity(outcomes: Mapping[str, StepOutcome], target: str) -> bool:
    """Whether the kb has a value of the report's compound at ``target``."""
    acts = outcomes["kb"].value["activities"] if "kb" in outcomes and outcomes["kb"].ok else None
    return acts is None or bool((acts["target"] == target).any())


def _therapeutic(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any] | None:
    from neuromoa.engagement.reference_range import clinical_reference_range
    from neuromoa.errors import InputError

    try:
        rr = clinical_reference_range(config.compound)
    except InputError:
        return None  # no data: the engagement section says so (no band on the curves)
    comp = config.compound
    return {"range": rr, "reference": rr.reference, "total_low_ng_mL": rr.total_low_ng_mL,
            "total_high_ng_mL": rr.total_high_ng_mL, "alert_ng_mL": rr.alert_ng_mL,
            "analytes": list(rr.analytes), "share": dict(rr.share),
            "unbound_low_M": rr.unbound_low_M[comp], "unbound_high_M": rr.unbound_high_M[comp],
            "note": rr.note}


def _calibration(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> Any:
    from neuromoa.engagement.calibration import calibration_points

    return calibration_points()


def _interval(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.engagement import engagement_time_course

    return {dose: engagement_time_course(config.compound, _regimen(config, dose))
            for dose in config.doses}


def _card_value(outcomes: Mapping[str, StepOutcome], step: str, index: int) -> dict[str, Any]:
    """``to_dict()`` of card ``index`` of ``step`` ({} when the step did not run)."""
    if step in outcomes and outcomes[step].ok and len(outcomes[step].value) > index:
        return outcomes[step].value[index].result.to_dict()
    return {}


def _pathways(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    from neuromoa.pathways import build_pathways
    from neuromoa.units import format_molar

    occupancy = None
    label = ""
    top = _regimen_label(config, config.doses[-1])
    if "engagement" in outcomes and outcomes["engagement"].ok:
        targets = outcomes["engagement"].value[config.doses[-1]].targets
        occupancy = {}
        for target, occ in zip(targets["target"], targets["occupancy"], strict=True):
            occupancy.setdefault(str(target), float(occ))  # rows are sorted: highest first
        label = f"{config.doses[-1]} every {config.every} (steady state)"
    # The models' answers, written on the process nodes they quantify.
    notes: dict[str, str] = {}
    for index, node in ((0, "synaptic_5ht"), (1, "synaptic_ne")):
        fold = _card_value(outcomes, "synapse", index).get("fold_steady")
        if isinstance(fold, int | float):
            notes[node] = f"synapse model: steady state ×{fold:.2g} at {top}"
    tau = _card_value(outcomes, "chronic", 0).get("tau_days")
    if isinstance(tau, dict) and tau:
        parts = [f"{v:.2g} d ({k})" for k, v in tau.items() if isinstance(v, int | float)]
        if parts:
            notes["adaptation"] = "course model: τ " + ", ".join(parts)
    ec50 = _card_value(outcomes, "trk", 0).get("ec50_M")
    if isinstance(ec50, int | float):
        notes["autophosphorylation"] = f"Trk model: EC50 {format_molar(ec50)}"
    return build_pathways(config.compound, kb=outcomes["kb"].value["kb"], occupancy=occupancy,
                          occupancy_label=label, notes=notes)


def _regimen_label(config: ReportConfig, dose: str) -> str:
    """"150 mg/day" for daily dosing, else "50 mg every 12 h"."""
    daily = config.every.replace(" ", "") in ("24h", "1d")
    return f"{dose}/day" if daily else f"{dose} every {config.every}"


def _top_unbound(outcomes: Mapping[str, StepOutcome], config: ReportConfig) -> dict[str, float]:
    """Unbound brain concentrations (M) at the highest regimen, from the engagement step."""
    if "engagement" in outcomes and outcomes["engagement"].ok:
        return dict(outcomes["engagement"].value[config.doses[-1]].unbound_M)
    return {}


def _uptake(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.assays import analyze_plate, round_trip, simulate_uptake

    cards = []
    targets = [t for t in ("SERT", "NET") if _has_activity(outcomes, t)]
    if not targets:
        return _no_data("Uptake", f"the knowledge base has no value of {config.compound} at "
                                  "SERT or NET")
    for target in targets[: config.size(*SIZES["uptake_targets"])]:
        plates = simulate_uptake(target=target, compound=config.compound, seed=config.seed)
        analysis = analyze_plate("uptake", plates)
        trip = round_trip("uptake", target, config.compound,
                          config.size(*SIZES["round_trip_plates"]), config.seed)
        cards += [
            Card(f"{target} uptake: plate and fitted curve", analysis,
                 f"Simulated [3H]substrate uptake at {target} on one 96-well plate (counts per "
                 "minute), and specific uptake (% of control) with the fitted curve and its 95% "
                 "band; IC50 → Ki by Cheng–Prusoff."),
            Card(f"{target} uptake: recovered vs true Ki", trip,
                 "Ki recovered from independently simulated plates against the true Ki.",
                 numbers=ROUND_TRIP_NUMBERS),
        ]
    return cards


def _binding(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.assays import analyze_plate, round_trip, simulate_binding

    if not _has_activity(outcomes, "M1"):
        return _no_data("M1 binding", f"the knowledge base has no value of {config.compound} "
                                      "at M1")
    plates = simulate_binding(target="M1", compound=config.compound, seed=config.seed)
    analysis = analyze_plate("binding", plates)
    trip = round_trip("binding", "M1", config.compound, config.size(*SIZES["round_trip_plates"]),
                      config.seed)
    return [
        Card("M1 binding: plate and fitted curve", analysis,
             "Simulated radioligand competition binding at human M1 (CHO-K1 membranes; the "
             "protocol's radioligand, data/assays), "
             "counts per well, and specific binding with the one-site fit; Ki by Cheng–Prusoff."),
        Card("M1 binding: recovered vs true Ki", trip,
             "Ki recovered from independently simulated plates against the true Ki.",
             numbers=ROUND_TRIP_NUMBERS),
    ]


def _patch(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.ephys import simulate_protocol, state_dependence_experiment
    from neuromoa.ephys.compound import NoChannelData, channel_for_compound

    try:  # the channel with the compound's resting/open/inactivated values from the kb
        channel = channel_for_compound("nav-drg", config.compound)
    except NoChannelData as exc:
        return _no_data("Na+ channel", str(exc).removeprefix("no data: "))
    cards = []
    for protocol, caption in (
            ("tonic", "Tonic block from −120 mV: Na+ currents at increasing concentrations."),
            ("use-dependence", "Use-dependent block in a pulse train."),
            ("inactivation", "Steady-state inactivation with and without drug.")):
        result = simulate_protocol(protocol, channel, list(PATCH_CONCS), seed=config.seed)
        cards.append(Card(f"Patch clamp: {protocol}", result, caption))
    cards.append(Card("State dependence (virtual experiment)",
                      state_dependence_experiment(channel, seed=config.seed),
                      "Resting, inactivated and open-state IC50 recovered from a noisy virtual "
                      "experiment, against the model's own values."))
    return cards


def _fi(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.ephys import fi_curves
    from neuromoa.ephys.compound import NoChannelData, neuron_for_compound

    try:  # the neuron's Na+ and K+ channels with the compound's values from the kb
        neuron = neuron_for_compound(config.compound)
    except NoChannelData as exc:
        return _no_data("DRG neuron", str(exc).removeprefix("no data: "))
    concs = FI_CONCS_QUICK if config.quick else FI_CONCS
    return [Card("F–I curves of the DRG neuron", fi_curves(list(concs), neuron=neuron),
                 "Firing rate against injected current; rheobase rises with block.")]


def _synapse(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.data.compounds import metabolites_of
    from neuromoa.systems import synapse_single_release, synapse_steady_state

    if not (_has_activity(outcomes, "SERT") or _has_activity(outcomes, "NET")):
        return _no_data("Synapse", f"the knowledge base has no value of {config.compound} at "
                                   "SERT or NET")
    unbound = _top_unbound(outcomes, config)
    cid = _compound_id(config, outcomes)
    kwargs: dict[str, Any] = {"compound": cid}
    if unbound:
        # The synapse model takes the compound and its metabolite (either may be absent: 0 M).
        mets = metabolites_of(cid)
        kwargs["conc"] = f"{unbound.get(cid, 0.0)} M"
        kwargs["metabolite"] = f"{unbound.get(mets[0], 0.0) if mets else 0.0} M"
    cards = []
    for transmitter in ("5HT", "NE"):
        cards.append(Card(f"Synapse ({transmitter}): one release event", synapse_single_release(
            transmitter, **kwargs), f"Extracellular {transmitter} after one release, with and "
            f"without drug at the unbound brain concentrations of "
            f"{_regimen_label(config, config.doses[-1])}."))
    cards.append(Card("Synapse (5HT): steady state vs concentration",
                      synapse_steady_state("5HT", compound=cid),
                      "Steady-state extracellular 5-HT against drug concentration."))
    return cards


def _chronic(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.systems import chronic_course

    if not (_has_activity(outcomes, "SERT") or _has_activity(outcomes, "NET")):
        return _no_data("Weeks of dosing", f"the knowledge base has no value of "
                                           f"{config.compound} at SERT or NET")
    course = chronic_course(dose=config.doses[-1], every=config.every,
                            compound=config.compound)
    return [Card(f"Six-week course at {config.doses[-1]}", course,
                 "Firing, extracellular 5-HT and post-synaptic signal over weeks of dosing.")]


def _schild(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.systems import GPCR_TARGETS, schild_experiment

    targets = [t for t in GPCR_TARGETS if _has_activity(outcomes, t)]
    if not targets:
        return _no_data("Schild analysis", f"the knowledge base has no value of "
                                           f"{config.compound} at a GPCR")
    targets = targets[: config.size(*SIZES["schild_targets"])]
    return [Card(f"Schild analysis at {t}", schild_experiment(t, compound=config.compound,
                                                              seed=config.seed),
                 f"Agonist concentration–response at {t} with {config.compound}, and the "
                 "Schild plot.")
            for t in targets]


def _nmda(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.data.compounds import flagship_compound
    from neuromoa.systems import nmda_ic50

    if not _has_activity(outcomes, "NMDA"):
        return _no_data("NMDA", f"the knowledge base has no value of {config.compound} at NMDA")
    flagship = flagship_compound()
    if _compound_id(config, outcomes) != flagship:
        return _no_data("NMDA", f"the NMDA model's drug parameters are calibrated to "
                                f"{flagship}'s Ca2+-dependent IC50s (Stepanenko 2019); "
                                f"{config.compound}'s NMDA values are in the engagement table, "
                                "no calibration for it is available")
    return [
        Card("NMDA: Ca2+-dependent desensitisation (4 mM Ca2+)", nmda_ic50("4 mM"),
             "Inhibition of the steady-state NMDA current at 4 mM external Ca2+."),
        Card("NMDA: trapping block at 0 mV (0.25 mM Ca2+)",
             nmda_ic50("0.25 mM", "0 mV", "trapping"),
             "Trapping open-channel block at 0 mV, 0.25 mM Ca2+."),
    ]


def _trk(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> list[Card]:
    from neuromoa.systems import trk_response

    if not (_has_activity(outcomes, "TrkA") or _has_activity(outcomes, "TrkB")):
        return _no_data("Trk", f"the knowledge base has no value of {config.compound} at TrkA "
                               "or TrkB")
    cid = _compound_id(config, outcomes)
    cards = [Card(f"Trk signalling at {TRK_CONC}", trk_response(TRK_CONC, compound=cid),
                  f"pAkt, pERK and glial BDNF after free {cid} at {TRK_CONC}, a concentration "
                  "chosen near the flagship compound's TrkA/TrkB values (3 µM / 14 µM).")]
    unbound = _top_unbound(outcomes, config)
    if config.compound in unbound:
        conc = unbound[config.compound]
        cards.append(Card(f"Trk signalling at the unbound brain concentration of "
                          f"{_regimen_label(config, config.doses[-1])}",
                          trk_response(f"{conc} M", compound=cid),
                          "The same model at the steady-state free brain concentration of the "
                          "highest regimen: far below the Trk affinities, so little activation."))
    return cards


def _parameters(config: ReportConfig, outcomes: Mapping[str, StepOutcome]) -> dict[str, Any]:
    import pandas as pd

    tables: dict[str, Any] = {}
    if "exposure" in outcomes and outcomes["exposure"].ok:
        first = next(iter(outcomes["exposure"].value.values()))
        if getattr(first, "parameters", None):
            tables["exposure model"] = pd.DataFrame([dict(p) for p in first.parameters])
    try:
        from neuromoa.systems import MODELS, model_parameters
    except ImportError:
        MODELS, model_parameters = (), None
    for model in MODELS:
        tables[f"systems model: {model}"] = model_parameters(model)
    try:
        from neuromoa.ephys import CHANNELS, channel_parameters
    except ImportError:
        CHANNELS, channel_parameters = (), None
    for channel in CHANNELS:
        tables[f"ion channel: {channel}"] = channel_parameters(channel)
    return tables


STEPS: tuple[Step, ...] = (
    Step("kb", "Knowledge base", ("neuromoa.kb:load_kb",),
         "neuromoa.kb.load_kb(): the shipped compounds, targets, activities and references; "
         "activities of the compound as a table, values normalised to molar.",
         _kb,
         equations=("value_M = √(low_M · high_M)  (geometric mean of a range)",
                    "Ki = 10^(−pKi) M",)),
    Step("exposure", "Exposure at each regimen", ("neuromoa.exposure:simulate_exposure",
                                                   "neuromoa.exposure:Regimen"),
         "neuromoa.exposure.simulate_exposure(compound, Regimen.parse(dose, every, days)): plasma "
         "concentration–time course of parent and metabolite, total and unbound; steady-state "
         "metrics over the last dosing interval.",
         _exposure,
         equations=("C_u = f_u · C   (free-drug hypothesis)",
                    "C_u,brain = Kp,uu · C_u")),
    Step("engagement", "Target engagement at each regimen", ("neuromoa.engagement:engage",),
         "neuromoa.engagement.engage(compound, dose, every): steady-state unbound brain "
         "concentrations of parent and metabolite and the fractional occupancy of every target, "
         "both ligands competing (Gaddum).",
         _engagement,
         equations=("θ_i = (C_i/K_i) / (1 + Σ_j C_j/K_j)   (Gaddum 1937)",
                    "θ = C^n / (C^n + K^n)   (Hill–Langmuir, one ligand)")),
    Step("margins", "Safety margins", ("neuromoa.engagement:safety_margins",
                                       "neuromoa.exposure:Regimen"),
         "neuromoa.engagement.safety_margins(compound, regimen): IC50 over unbound Cmax for hERG "
         "and the cardiac Na+ channel, parent and metabolite combined, flagged against the "
         "30-fold threshold (Redfern 2003).",
         _margins,
         equations=("margin = IC50 / C_max,u",
                    "combined block = Σ(C_i/IC50_i) / (1 + Σ C_i/IC50_i)")),
    Step("cardiac", "ECG changes at each regimen", ("neuromoa.cardiac:cardiac_risk",
                                                    "neuromoa.exposure:Regimen"),
         "neuromoa.cardiac.cardiac_risk(compound, regimen): channel block at the steady-state "
         "peak (parent + metabolite, unbound), the O'Hara–Rudy ventricular cell for ΔAPD90, "
         "ΔQTc from ΔAPD90 and ΔQRS from the Na+ current block; in full mode with the range over "
         "the affinity uncertainty.",
         _cardiac, equations=("ΔQTc ≈ ΔAPD90 of the ORd cell (O'Hara 2011)",
                              "QRS ∝ 1 / CV,  CV ∝ (1 − INa block)^0.5")),
    Step("curves", "Engagement vs concentration", ("neuromoa.engagement:engagement_curves",),
         "neuromoa.engagement.engagement_curves(compound, concs_M): occupancy of every target and "
         "condition over an unbound-concentration grid (10 pM–1 mM).",
         _curves, equations=("θ = C^n / (C^n + K^n)",)),
    Step("calibration", "In-vivo calibration to human PET",
         ("neuromoa.engagement:engage", "neuromoa.engagement.calibration:calibration_points"),
         "neuromoa.engagement.calibration.calibration_points(): every shipped PET study, observed "
         "occupancy against the free-drug prediction and the calibrated one (factor fitted per "
         "target, profile-likelihood 95% CI; held-out rows predicted, not fitted).",
         _calibration, equations=("θ = C_u / (C_u + f · K)",)),
    Step("therapeutic", "Clinical reference range (parent + metabolite) as unbound concentration",
         ("neuromoa.engagement:engage",
          "neuromoa.engagement.reference_range:clinical_reference_range"),
         "neuromoa.engagement.reference_range.clinical_reference_range(compound): the AGNP "
         "therapeutic reference range of parent + metabolite (80-200 ng/mL, Hiemke 2018), split by "
         "the model's steady-state analyte ratio and converted to unbound concentrations.",
         _therapeutic, equations=("C_u,i = f_u,i · share_i · C_total / MW_i",),
         after=("kb",)),
    Step("population", "Virtual population by CYP2D6 phenotype",
         ("neuromoa.exposure:population_panel",),
         "neuromoa.exposure.population_panel(compound, doses, every): steady-state "
         "troughs of drug + metabolite in virtual patients (genotypes drawn from the European "
         "allele frequencies, covariates and between-subject variability), by CYP2D6 phenotype, "
         "against the AGNP reference range.",
         _population,
         equations=("CL_int = CL_int,ref · Σ_r f_r · activity_r / activity_*1/*1",
                    "F_H = Q_H / (Q_H + CL_int);  CL = Q_H · CL_int / (Q_H + CL_int)")),
    Step("population_engagement", "Occupancy across a virtual population by CYP2D6 phenotype",
         ("neuromoa.engagement.population:population_engagement",
          "neuromoa.exposure:simulate_population"),
         "neuromoa.exposure.simulate_population(PopulationSpec(compound, regimen, n), seed) → "
         "neuromoa.engagement.population.population_engagement → engagement_by_phenotype: "
         "steady-state average occupancy of the headline targets in every virtual patient "
         "(each patient's unbound parent and metabolite levels, the affinities, compartments and "
         "PET calibrations of engage), summarised as quantiles per CYP2D6 phenotype. Unbound "
         "fractions and Kp,uu are not varied between patients.",
         _population_engagement, after=("kb",),
         equations=("θ = R / (1 + R),  R = Σ_i r_i · C_u,i(patient)   (Gaddum)",
                    "r_i = θ_i,ref / ((1 − θ_ref) · C_u,i,ref)   (one engage() per regimen)")),
    Step("interval", "Occupancy over a dosing interval",
         ("neuromoa.engagement:engagement_time_course", "neuromoa.exposure:Regimen"),
         "neuromoa.engagement.engagement_time_course(compound, regimen): occupancy of every "
         "target over the last dosing interval at steady state, parent and metabolite competing.",
         _interval),
    Step("uptake", "SERT/NET uptake assay (virtual)", ("neuromoa.assays:simulate_uptake",
                                                          "neuromoa.assays:analyze_plate",
                                                          "neuromoa.assays:round_trip"),
         "neuromoa.assays.simulate_uptake → analyze_plate → round_trip: Michaelis–Menten uptake "
         "with competitive inhibition on a 96-well plate with counting noise, the IC50 fit and "
         "Ki, and recovery over independently seeded plates.",
         _uptake, equations=("J = Vmax·S / (Km·(1 + I/Ki) + S)",
                             "Ki = IC50 / (1 + [S]/Km)   (Cheng & Prusoff 1973)")),
    Step("binding", "M1 radioligand binding assay (virtual)",
         ("neuromoa.assays:simulate_binding", "neuromoa.assays:analyze_plate",
          "neuromoa.assays:round_trip"),
         "neuromoa.assays.simulate_binding → analyze_plate → round_trip: equilibrium competition "
         "binding with exact ligand depletion, one-site fit and Ki.",
         _binding, equations=("Ki = IC50 / (1 + [L]/Kd)   (Cheng & Prusoff 1973)",
                              "bound radioligand: exact cubic with depletion (Wang 1995)")),
    Step("patch", "Whole-cell patch clamp (virtual)",
         ("neuromoa.ephys:simulate_protocol", "neuromoa.ephys:state_dependence_experiment"),
         "neuromoa.ephys.simulate_protocol on the DRG Na+ channel model (modulated receptor, exact "
         "matrix-exponential propagation) and the state-dependence virtual experiment.",
         _patch, equations=("dP/dt = Q(V, C)·P, P(t+Δt) = exp(Q·Δt)·P   (piecewise-constant V)",
                            "1/Kapp = h/K_R + (1 − h)/K_I")),
    Step("fi", "F–I curves (current clamp)", ("neuromoa.ephys:fi_curves",),
         "neuromoa.ephys.fi_curves: firing rate of the DRG neuron model against injected current "
         "at several concentrations.", _fi),
    Step("synapse", "Monoamine synapse", ("neuromoa.systems:synapse_single_release",
                                          "neuromoa.systems:synapse_steady_state"),
         "neuromoa.systems.synapse_single_release / synapse_steady_state: release, reuptake "
         "(Michaelis–Menten with competitive inhibition by parent and metabolite) and "
         "autoreceptor feedback, on libRoadRunner.",
         _synapse, equations=("J = Vmax·S / (Km·(1 + Σ Ij/Kij) + S)",)),
    Step("chronic", "Six-week course", ("neuromoa.systems:chronic_course",),
         "neuromoa.systems.chronic_course: the synapse driven by the exposure model over weeks, "
         "with autoreceptor desensitisation and post-synaptic 5-HT1A sensitisation.",
         _chronic),
    Step("schild", "Schild analysis", ("neuromoa.systems:schild_experiment",
                                       "neuromoa.systems:GPCR_TARGETS"),
         "neuromoa.systems.schild_experiment: simulated agonist curves with the compound, dose "
         "ratios and Schild regression.",
         _schild, equations=("DR = 1 + [B]/KB;  log(DR − 1) = log[B] − log KB   "
                             "(Arunlakshana & Schild 1959)",)),
    Step("nmda", "NMDA receptor", ("neuromoa.systems:nmda_ic50",),
         "neuromoa.systems.nmda_ic50: kinetic NMDA model with Ca2+-dependent desensitisation "
         "enhanced by the drug and voltage-dependent trapping block (drug parameters calibrated "
         "to the flagship compound).", _nmda),
    Step("trk", "TrkA/TrkB signalling", ("neuromoa.systems:trk_response",),
         "neuromoa.systems.trk_response: binding, dimerisation, autophosphorylation, Akt/ERK "
         "and glial BDNF, mass action on libRoadRunner.", _trk),
    Step("validation", "Systems models against published data",
         ("neuromoa.systems:validate", "neuromoa.systems:validation_summary"),
         "neuromoa.systems.validate(): each model run under each published observation's "
         "protocol (data/systems/validation.csv), observed beside predicted, within the row's "
         "tolerance; rows used for calibration or not checked against the source do not count.",
         _validation, after=("kb",)),
    Step("pathways", "Pathway diagrams", ("neuromoa.pathways:build_pathways",),
         "neuromoa.pathways.build_pathways(compound): drug → targets (kb affinity and mode of "
         "action; edge width = occupancy at the highest regimen, from the engagement step) → "
         "processes (data/pathways; annotated with the synapse and Trk models' results when "
         "they ran) → consequences (kb targets table), laid out by rank.",
         _pathways, after=("kb",)),
    Step("parameters", "Model parameters", (),
         "ExposureResult.parameters, neuromoa.systems.model_parameters and "
         "neuromoa.ephys.channel_parameters: every parameter of every model with its unit and "
         "source.", _parameters),
)
