"""Electrophysiology of amitriptyline's ion-channel block.

Channel models declared as data with state-dependent drug binding (modulated-receptor
hypothesis, detailed balance on every cycle), an exact voltage-clamp solver
(:mod:`neuromoa.kinetics`), the standard protocols, the virtual state-dependence experiment,
a DRG-like current-clamp neuron, analysis of real ABF recordings and Myokit export.

Quick start::

    from neuromoa.ephys import simulate_protocol, state_dependence_experiment, fi_curves
    r = simulate_protocol("use-dependence", "nav-drg", ["1 uM"], freq_Hz=10, pulses=100)
    r.measurement["block_last_pulse"]
    state_dependence_experiment("nav-drg", seed=1).to_dict()
    fi_curves(["0", "1 uM"]).to_dict()
"""

from __future__ import annotations

from neuromoa.channels import (
    CHANNELS,
    ChannelModel,
    channel_parameters,
    load_channel,
    parse_concentrations,
)
from neuromoa.ephys.abf import (
    CR_MEASURES,
    MODES,
    AbfAnalysis,
    BatchAnalysis,
    ConcentrationResponse,
    analyze_abf,
    analyze_recordings,
    concentration_response,
    human_frame,
    parse_window,
    plot_recording,
    recording_paths,
    save_figure,
    summary_frame,
)
from neuromoa.ephys.analysis import (
    boltzmann,
    boltzmann_fit,
    fit_ic50,
    peak_in_window,
    percent_inhibition,
    state_affinities_from_two_holdings,
)
from neuromoa.ephys.experiment import StateDependenceResult, state_dependence_experiment
from neuromoa.ephys.myokit_export import export_myokit, myokit_names, myokit_text
from neuromoa.ephys.neuron import (
    FICurve,
    FIResult,
    NeuronModel,
    NeuronTrace,
    fi_curves,
    rheobase,
    simulate_neuron,
)
from neuromoa.ephys.protocols import PROTOCOLS, Step, VoltageProtocol, build_protocol
from neuromoa.ephys.voltage_clamp import ClampResult, Recording, run_protocol, simulate_protocol

__all__ = [
    "CHANNELS",
    "CR_MEASURES",
    "MODES",
    "PROTOCOLS",
    "AbfAnalysis",
    "BatchAnalysis",
    "ChannelModel",
    "ClampResult",
    "ConcentrationResponse",
    "FICurve",
    "FIResult",
    "NeuronModel",
    "NeuronTrace",
    "Recording",
    "StateDependenceResult",
    "Step",
    "VoltageProtocol",
    "analyze_abf",
    "analyze_recordings",
    "boltzmann",
    "boltzmann_fit",
    "build_protocol",
    "channel_parameters",
    "concentration_response",
    "export_myokit",
    "fi_curves",
    "fit_ic50",
    "human_frame",
    "load_channel",
    "myokit_names",
    "myokit_text",
    "parse_concentrations",
    "parse_window",
    "peak_in_window",
    "percent_inhibition",
    "plot_recording",
    "recording_paths",
    "rheobase",
    "run_protocol",
    "save_figure",
    "simulate_neuron",
    "simulate_protocol",
    "state_affinities_from_two_holdings",
    "state_dependence_experiment",
    "summary_frame",
]
