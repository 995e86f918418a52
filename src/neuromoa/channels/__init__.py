"""Ion-channel models declared as data: gating schemes on :mod:`neuromoa.kinetics` with
drug-binding sites whose affinities are passed in (a model never names a compound).

Used by :mod:`neuromoa.ephys` (voltage clamp, neuron) and :mod:`neuromoa.cardiac`.
"""

from __future__ import annotations

from neuromoa.channels.models import (
    BOUND,
    CHANNELS,
    DRUG,
    BindingSite,
    ChannelModel,
    channel_parameters,
    load_channel,
    parse_concentrations,
)

__all__ = ["BOUND", "CHANNELS", "DRUG", "BindingSite", "ChannelModel", "channel_parameters",
           "load_channel", "parse_concentrations"]
