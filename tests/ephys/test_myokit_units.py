"""The Myokit export: a unit on every variable, Myokit's strict unit check passes, and the file
carries the channel's protocol."""

from __future__ import annotations

import pytest

myokit = pytest.importorskip("myokit")

from neuromoa.channels import CHANNELS, load_channel  # noqa: E402
from neuromoa.ephys import build_protocol, export_myokit, myokit_text  # noqa: E402


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_units_on_every_variable_and_check_units_passes(channel, tmp_path):
    model, protocol, _ = myokit.load(str(export_myokit(channel, tmp_path / f"{channel}.mmt")))
    missing = [v.qname() for v in model.variables(deep=True) if v.unit() is None]
    assert missing == []
    model.check_units(myokit.UNIT_STRICT)  # raises myokit.IncompatibleUnitError otherwise
    assert protocol is not None


def test_the_check_can_fail():
    """Dropping the ms -> s conversion's unit makes Myokit's strict check fail."""
    text = myokit_text("nav-drg").replace("1e-3 [s/ms] * (", "1e-3 * (", 1)
    model = myokit.parse_model(text.split("[[protocol]]")[0])
    with pytest.raises(myokit.IncompatibleUnitError):
        model.check_units(myokit.UNIT_STRICT)


@pytest.mark.parametrize("channel", ["nav-drg", "herg"])
def test_protocol_is_the_tonic_protocol(channel, tmp_path):
    _, protocol, _ = myokit.load(str(export_myokit(channel, tmp_path / "m.mmt")))
    proto = build_protocol("tonic", load_channel(channel))
    levels = [e.level() for e in protocol.events()]
    assert levels[0] == pytest.approx(proto.holding_V * 1e3)
    assert levels[1:-1] == pytest.approx([s.voltage_V * 1e3 for s in proto.steps])
    assert levels[-1] == pytest.approx(proto.holding_V * 1e3)
    assert protocol.events()[1].duration() == pytest.approx(proto.steps[0].duration_s * 1e3)
