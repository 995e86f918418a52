"""The compound's channel affinities, taken from the knowledge base at run time.

A channel declaration (``nav-drg``, ``kv1.1``, ...) holds the gating and the binding *sites*;
which drug binds, and how tightly, is the compound's data: :func:`channel_for_compound` reads
the compound's rows at the channel's ``kb_target`` (one row per site: the site label is the
kb condition, e.g. resting / open / inactivated for ``nav-drg``; a single ``all`` site takes
the row without a condition) and returns the channel with those affinities.
:func:`neuron_for_compound` does the same for the current-clamp neuron (its Na+ channel and K+
gates). A site without a value for the compound raises :class:`NoChannelData` ("no data").
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from neuromoa.channels import ChannelModel, load_channel
from neuromoa.data.compounds import flagship_compound, resolve_compound
from neuromoa.ephys.neuron import NeuronModel
from neuromoa.errors import InputError

__all__ = ["NoChannelData", "channel_affinities", "channel_for_compound", "neuron_for_compound"]


#: Relative difference below which a kb affinity is the declared one (float rounding of the
#: µM → M conversion only).
_SAME_REL = 1e-12


class NoChannelData(InputError):
    """The knowledge base has no value of the compound at a channel site."""


@dataclasses.dataclass(frozen=True)
class CompoundChannel(ChannelModel):
    """A channel whose site affinities were replaced from the kb (kept in its mutant too)."""

    overrides: tuple[tuple[str, float], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()

    def inactivation_deficient(self) -> ChannelModel:
        """The mutant without inactivated states, with the same compound affinities."""
        base = super().inactivation_deficient()
        names = {p.name for p in base.scheme.parameters}
        values = {k: v for k, v in self.overrides if k in names}
        return dataclasses.replace(base, scheme=base.scheme.with_parameters(**values),
                                   compound=self.compound)


def channel_affinities(channel: str | ChannelModel, compound: str | None = None
                       ) -> dict[str, tuple[float, str]]:
    """Parameter name -> (K in M, source text) of every binding site of ``channel``.

    Raises
    ------
    NoChannelData
        When a site has no value for the compound.
    """
    from neuromoa.kb import load_kb

    model = load_channel(channel) if isinstance(channel, str) else channel
    cid = resolve_compound(compound or flagship_compound()).id
    kb = load_kb()
    out: dict[str, tuple[float, str]] = {}
    for site in model.sites:
        if not site.from_kb:       # a declared assumption of the model, not compound data
            continue
        condition = site.kb_query
        try:
            aff = kb.affinity(cid, model.kb_target, condition=condition)
        except InputError:
            raise NoChannelData(f"no data: the knowledge base has no value of {cid} at "
                                f"{model.kb_target}" + (f" ({site.label} state)" if condition
                                                        else "")) from None
        out[site.affinity] = (float(aff.value_M), f"neuromoa.kb: {cid} {aff.measure} "
                                                  f"{aff.text} {aff.unit} ({aff.source})")
    return out


def channel_for_compound(channel: str | ChannelModel, compound: str | None = None
                         ) -> ChannelModel:
    """``channel`` with the site affinities of ``compound`` (default the flagship) from the kb."""
    model = load_channel(channel) if isinstance(channel, str) else channel
    cid = resolve_compound(compound or flagship_compound()).id
    affs = channel_affinities(model, cid)
    declared = model.scheme.parameter_values
    # a kb value equal to the declared default up to unit-conversion rounding keeps the declared
    # float, so the flagship compound's runs stay byte-identical to the channel as declared
    values = {k: (declared[k] if math.isclose(v, declared[k], rel_tol=_SAME_REL) else v)
              for k, (v, _) in affs.items()}
    fields = {f.name: getattr(model, f.name) for f in dataclasses.fields(ChannelModel)}
    fields.update(scheme=model.scheme.with_parameters(**values), compound=cid)
    return CompoundChannel(**fields, overrides=tuple(values.items()),
                           sources=tuple((k, s) for k, (_, s) in affs.items()))


def neuron_for_compound(compound: str | None = None,
                        neuron: NeuronModel | None = None) -> NeuronModel:
    """The current-clamp neuron with the compound's Na+ and K+ channel affinities from the kb.

    K+ gates declared with a channel take that channel's kb value (no value: no block there,
    said in :attr:`NeuronModel.rows`); the Na+ channel must have values (else
    :class:`NoChannelData`).
    """
    nm = neuron if neuron is not None else NeuronModel.default()
    cid = resolve_compound(compound or flagship_compound()).id
    na = channel_for_compound(nm.na_channel, cid)
    gates = []
    notes: list[tuple[Any, ...]] = []
    for gate in nm.potassium:
        channel = _gate_channel(gate.name)
        if channel is None:
            gates.append(gate)
            continue
        try:
            k = next(iter(channel_affinities(channel, cid).values()))[0]
        except NoChannelData as exc:
            k = float("inf")
            notes.append((f"{gate.name}.block_K", k, "M", k, str(exc)))
        if math.isfinite(k) and math.isclose(k, gate.block_K_M, rel_tol=_SAME_REL):
            k = gate.block_K_M  # the declared value (see channel_for_compound)
        gates.append(dataclasses.replace(gate, block_K_M=k))
    return dataclasses.replace(nm, potassium=tuple(gates), na_model=na,
                               rows=tuple(nm.rows) + tuple(notes))


def _gate_channel(gate_name: str) -> str | None:
    """The declared channel of a K+ gate of the default neuron (None for a plain HH gate)."""
    return _GATE_CHANNELS().get(gate_name)


def _GATE_CHANNELS() -> Mapping[str, str]:  # noqa: N802 - a lazily built constant
    import tomllib

    from neuromoa.data import read_text

    spec = tomllib.loads(read_text("ephys", "neuron_drg.toml"))["neuron"]
    return {str(k["name"]): str(k["channel"]) for k in spec["potassium"] if k.get("channel")}
