"""``neuromoa ephys``: simulate voltage-clamp protocols, run the state-dependence experiment,
analyse ABF recordings, F–I curves of the DRG neuron, export channel models to Myokit.

Each command parses its options, makes one library call (:mod:`neuromoa.ephys`) and renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from neuromoa.cli._common import console, err_console, handle_errors, print_json
from neuromoa.ephys import (
    CHANNELS,
    MODES,
    PROTOCOLS,
    Recording,
    analyze_abf,
    export_myokit,
    fi_curves,
    simulate_protocol,
    state_dependence_experiment,
)
from neuromoa.errors import InputError
from neuromoa.units import as_amperes, as_volts, format_molar

__all__ = ["app", "register"]

app = typer.Typer(name="ephys", help="Ion-channel block: voltage clamp, experiment, ABF analysis, "
                  "neuron F–I, Myokit export.", no_args_is_help=True, add_completion=False)

_CHANNEL_HELP = "Channel: " + ", ".join(CHANNELS) + "."
_PROTOCOL_NAMES = [p for p in PROTOCOLS if p != "open-block"] + ["open-block"]


def register(root: typer.Typer) -> None:
    """Attach the ``ephys`` sub-app to the root command."""
    root.add_typer(app, name="ephys")


def _channel(channel: str, compound: str | None):
    """The channel by name, or with the compound's kb affinities (``--compound``)."""
    if compound is None:
        return channel
    from neuromoa.ephys.compound import channel_for_compound

    return channel_for_compound(channel, compound)


def _volts(text: str | None, what: str) -> float | None:
    return None if text is None else as_volts(text, what=what)


@app.command("simulate")
@handle_errors
def simulate(
    protocol: Annotated[str, typer.Argument(help="tonic, holding, inactivation, use-dependence, "
                                            "recovery or open-block.")],
    channel: Annotated[str, typer.Option(help=_CHANNEL_HELP)] = "nav-drg",
    conc: Annotated[list[str] | None, typer.Option(
        "--conc", help="Drug concentration with unit, e.g. '1 uM' (repeatable).")] = None,
    compound: Annotated[str | None, typer.Option(
        help="Compound whose kb affinities the channel takes (default: as declared, the "
             "flagship compound).")] = None,
    seed: Annotated[int, typer.Option(help="Noise seed.")] = 0,
    freq: Annotated[float | None, typer.Option(help="Train frequency (Hz), use-dependence.")] = None,
    pulses: Annotated[int | None, typer.Option(help="Number of pulses, use-dependence.")] = None,
    holding: Annotated[str | None, typer.Option(help="Holding potential, e.g. '-120 mV'.")] = None,
    test: Annotated[str | None, typer.Option(help="Test-step potential, e.g. '-10 mV'.")] = None,
    noise: Annotated[str | None, typer.Option(help="Recording noise rms, e.g. '10 pA'.")] = None,
    leak: Annotated[str | None, typer.Option(help="Seal/leak conductance, e.g. '0.5 nS'.")] = None,
    rs: Annotated[str | None, typer.Option(help="Series resistance, e.g. '5 MOhm' (default 0).")] = None,
    rs_compensation: Annotated[float | None, typer.Option(help="Rs compensation fraction 0-1.")] = None,
    sample_rate: Annotated[str | None, typer.Option(help="Sampling rate, e.g. '20 kHz'.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write every sample to this CSV.")] = None,
    abf: Annotated[Path | None, typer.Option(help="Write the traces as an ABF1 file.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Save a figure (svg/png).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run a voltage-clamp protocol at the given concentrations and print its measurement."""
    if protocol not in PROTOCOLS:
        raise InputError(f"protocol {protocol!r} is not one of {_PROTOCOL_NAMES}.")
    options = {"freq_Hz": freq, "pulses": pulses,
               "holding_V": _volts(holding, "--holding"), "test_V": _volts(test, "--test")}
    if protocol != "use-dependence" and (freq is not None or pulses is not None):
        raise InputError("--freq and --pulses apply to the use-dependence protocol only.")
    recording = Recording.parse(noise=noise, leak=leak, series_resistance=rs,
                                rs_compensation=rs_compensation, sample_rate=sample_rate)
    model = _channel(channel, compound)
    result = simulate_protocol(protocol, model, conc or ["1 uM"], seed=seed, recording=recording,
                               **{k: v for k, v in options.items() if v is not None})
    if out is not None:
        result.traces_frame().to_csv(out, index=False)
    if abf is not None:
        result.write_abf(str(abf))
    if plot is not None:
        result.plot().savefig(plot)
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"{result.channel}: {protocol}", title_justify="left")
    table.add_column("measurement")
    for c in result.conc_M:
        table.add_column(format_molar(float(c)), justify="right")
    for key, vals in result.measurement.items():
        if isinstance(vals, list) and len(vals) == len(result.conc_M) and not isinstance(vals[0], list):
            table.add_row(key, *[f"{v:.4g}" if isinstance(v, float) else str(v) for v in vals])
    console.print(table)


@app.command("experiment")
@handle_errors
def experiment(
    name: Annotated[str, typer.Argument(help="state-dependence")],
    channel: Annotated[str, typer.Option(help="nav-drg or nav1.5.")] = "nav-drg",
    compound: Annotated[str | None, typer.Option(
        help="Compound whose kb affinities the channel takes (default: as declared, the "
             "flagship compound).")] = None,
    seed: Annotated[int, typer.Option(help="Noise seed.")] = 0,
    plot: Annotated[Path | None, typer.Option(help="Save the concentration-response figure.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the noisy virtual state-dependence experiment and recover K_R, K_I, K_O."""
    if name != "state-dependence":
        raise InputError(f"experiment {name!r} is unknown; the only one is 'state-dependence'.")
    res = state_dependence_experiment(_channel(channel, compound), seed)
    if plot is not None:
        res.plot().savefig(plot)
    if as_json:
        print_json(res.to_dict())
        return
    table = Table(title=f"{res.channel}: state-dependent block (seed {seed})", title_justify="left")
    for col in ("state", "estimate", "model", "error"):
        table.add_column(col, justify="right")
    for state, err in res.relative_errors().items():
        table.add_row(state, format_molar(getattr(res, f"ic50_{state}_M")),
                      format_molar(res.truth[f"ic50_{state}_M"]), f"{err * 100:+.1f} %")
    console.print(table)
    for flag in res.flags:
        console.print(f"flag: {flag}", markup=False)


@app.command("analyze")
@handle_errors
def analyze(
    file: Annotated[Path, typer.Argument(help="An Axon ABF file.")],
    mode: Annotated[str, typer.Option(help="peak, response, spikes or memtest.")] = "peak",
    channel: Annotated[int, typer.Option(help="ADC channel (0-based).")] = 0,
    sweeps: Annotated[str | None, typer.Option(help="Sweeps, e.g. '0,1,5' (default all).")] = None,
    baseline: Annotated[str | None, typer.Option(help="Baseline window 'T0,T1' (s).")] = None,
    window: Annotated[str | None, typer.Option(help="Peak / spike window 'T0,T1' (s).")] = None,
    steady: Annotated[str | None, typer.Option(help="Steady-state window 'T0,T1' (s), response mode.")] = None,
    threshold: Annotated[str, typer.Option(help="Spike threshold, e.g. '0 mV' or '0'.")] = "0 mV",
    direction: Annotated[str, typer.Option(help="auto, inward or outward.")] = "auto",
    min_response: Annotated[str | None, typer.Option(
        help="Smaller |peak| is 'no response', e.g. '12 pA' (default in --mode response: 15 baseline-noise SDs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Per-sweep peaks, response kinetics, spike counts or membrane test of an ABF file."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r} is not one of {list(MODES)}.")
    sweep_list = None
    if sweeps:
        try:
            sweep_list = [int(s) for s in sweeps.split(",") if s.strip()]
        except ValueError as exc:
            raise InputError(f"--sweeps {sweeps!r} must be integers separated by commas.") from exc
    thr = 0.0 if threshold.strip() in {"0", "0.0"} else as_volts(threshold, what="--threshold")
    min_a = None if min_response is None else as_amperes(min_response, what="--min-response")
    res = analyze_abf(file, mode, channel=channel, sweeps=sweep_list, baseline=baseline,
                      window=window, steady=steady, threshold_V=thr, direction=direction,
                      min_response_A=min_a)
    if as_json:
        print_json(res.to_dict())
        _exit_for_failed_sweeps(res)
        return
    frame = res.to_frame()
    table = Table(title=escape(f"{file.name}: {mode}"), title_justify="left")
    for col in frame.columns:
        if col != "spike_times_s":
            table.add_column(col, overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else escape(str(v))
                        for k, v in row.items() if k != "spike_times_s"])
    console.print(table)
    _exit_for_failed_sweeps(res)


def _exit_for_failed_sweeps(res) -> None:
    """Exit 1 when some sweeps failed (listed on stderr), 2 when every sweep failed."""
    failed = [r for r in res.sweeps if r.get("status") == "failed"]
    if not failed:
        return
    listed = "; ".join(f"sweep {r['sweep']}: {r.get('message', '')}" for r in failed[:10])
    more = f"; and {len(failed) - 10} more" if len(failed) > 10 else ""
    err_console.print(f"{len(failed)} of {len(res.sweeps)} sweep(s) failed: {listed}{more}",
                      markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2 if len(failed) == len(res.sweeps) else 1)


@app.command("fi")
@handle_errors
def fi(
    conc: Annotated[list[str] | None, typer.Option(
        "--conc", help="Concentration with unit ('0' allowed), repeatable.")] = None,
    duration: Annotated[str, typer.Option(help="Current-step length, e.g. '1 s'.")] = "1 s",
    compound: Annotated[str | None, typer.Option(
        help="Compound whose kb affinities the neuron's channels take (default: as declared, the "
             "flagship compound).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Save the F–I figure.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Firing rate vs injected current and rheobase of the DRG neuron at each concentration."""
    from neuromoa.units import as_seconds

    neuron = None
    if compound is not None:
        from neuromoa.ephys.compound import neuron_for_compound

        neuron = neuron_for_compound(compound)
    res = fi_curves(conc or ["0", "1 uM"], duration_s=as_seconds(duration, what="--duration"),
                    neuron=neuron)
    if plot is not None:
        res.plot().savefig(plot)
    if as_json:
        print_json(res.to_dict())
        return
    table = Table(title="DRG neuron F–I", title_justify="left")
    for col in ("conc", "rest (mV)", "rheobase (pA)", "max rate (Hz)"):
        table.add_column(col, justify="right")
    for c in res.curves:
        table.add_row(format_molar(c.conc_M), f"{c.rest_V * 1e3:.1f}",
                      f"{c.rheobase_A * 1e12:.0f}", f"{c.rate_Hz.max():.0f}")
    console.print(table)


@app.command("export-myokit")
@handle_errors
def export_myokit_cmd(
    channel: Annotated[str, typer.Option(help=_CHANNEL_HELP)] = "nav-drg",
    out: Annotated[Path, typer.Option(help="Output .mmt file.")] = Path("model.mmt"),
) -> None:
    """Write a channel model (with drug-bound states) as a Myokit .mmt file."""
    path = export_myokit(channel, out)
    console.print(f"wrote {path}", markup=False)
