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

from neuromoa.cli._common import console, err_console, handle_errors, print_json, with_out
from neuromoa.ephys import (
    CHANNELS,
    MODES,
    PROTOCOLS,
    Recording,
    analyze_abf,
    analyze_recordings,
    concentration_response,
    export_myokit,
    fi_curves,
    human_frame,
    parse_window,
    plot_recording,
    recording_paths,
    save_figure,
    simulate_protocol,
    state_dependence_experiment,
    summary_frame,
)
from neuromoa.ephys.abf import human_column
from neuromoa.errors import InputError, NeuromoaError
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
    plot: Annotated[Path | None, typer.Option(help="Save a figure (.svg, .pdf or .png at 300 dpi).")] = None,
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
        save_figure(result.plot(), plot)
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
@with_out
@handle_errors
def experiment(
    name: Annotated[str, typer.Argument(help="state-dependence")],
    channel: Annotated[str, typer.Option(help="nav-drg or nav1.5.")] = "nav-drg",
    compound: Annotated[str | None, typer.Option(
        help="Compound whose kb affinities the channel takes (default: as declared, the "
             "flagship compound).")] = None,
    seed: Annotated[int, typer.Option(help="Noise seed.")] = 0,
    plot: Annotated[Path | None, typer.Option(
        help="Save the concentration-response figure (.svg, .pdf or .png at 300 dpi).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the noisy virtual state-dependence experiment and recover K_R, K_I, K_O."""
    if name != "state-dependence":
        raise InputError(f"experiment {name!r} is unknown; the only one is 'state-dependence'.")
    res = state_dependence_experiment(_channel(channel, compound), seed)
    if plot is not None:
        save_figure(res.plot(), plot)
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


def _sweep_list(sweeps: str | None) -> list[int] | None:
    if not sweeps:
        return None
    try:
        return [int(s) for s in sweeps.split(",") if s.strip()]
    except ValueError as exc:
        raise InputError(f"--sweeps {sweeps!r} must be integers separated by commas.") from exc


def _fmt(v) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        return f"{v:.0f}" if 1e4 <= abs(v) < 1e9 else f"{v:.4g}"
    return escape(str(v))


def _print_frame(frame, title: str) -> None:
    table = Table(title=escape(title), title_justify="left")
    for col in frame.columns:
        table.add_column(escape(str(col)), overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[_fmt(v) for v in row.tolist()])
    console.print(table)


def _print_analysis(res) -> None:
    frame = res.to_frame().drop(columns=["spike_times_s"], errors="ignore")
    _print_frame(human_frame(frame), f"{Path(res.file).name}: {res.mode}")
    summ = summary_frame(res)
    if not summ.empty:
        lines = []
        for q in summ.itertuples(index=False):
            name, factor = human_column(q.quantity)
            sem = "" if q.sem is None or q.sem != q.sem else f" ± {q.sem * factor:.4g}"
            lines.append(f"{name}: {q.mean * factor:.4g}{sem} (n = {q.n})")
        console.print("mean ± SEM over ok sweeps: " + "; ".join(lines), markup=False,
                      highlight=False, soft_wrap=True)


def _print_cr(cr) -> None:
    table = human_frame(cr.to_frame())
    _print_frame(table, f"concentration-response ({cr.measure})")
    fit = cr.fit
    lo, hi = fit.ci95.get("log_ic50", (float("nan"), float("nan")))
    ci = ("" if lo != lo else f" (95 % CI {format_molar(10 ** lo)} to {format_molar(10 ** hi)})")
    value = format_molar(fit.ic50) if fit.ic50 == fit.ic50 else "not estimated"
    console.print(f"{cr.parameter.upper()} {value}{ci}; Hill {fit.params.get('hill', float('nan')):.3g}; "
                  f"status {fit.status}{': ' + fit.message if fit.message else ''}",
                  markup=False, highlight=False, soft_wrap=True)
    for a in cr.assumptions:
        console.print(f"assumes: {a}", markup=False, highlight=False, soft_wrap=True)
    if cr.excluded:
        left = "; ".join(f"{e['file']} sweep {e['sweep']} ({e['reason']})" for e in cr.excluded[:8])
        more = f"; and {len(cr.excluded) - 8} more" if len(cr.excluded) > 8 else ""
        console.print(f"left out: {left}{more}", markup=False, highlight=False, soft_wrap=True)


@app.command("info")
@with_out
@handle_errors
def info(
    files: Annotated[list[Path], typer.Argument(help="ABF or NWB files, or folders of them.")],
    plot: Annotated[Path | None, typer.Option(
        help="Save the sweeps of the (first) file as a figure (.svg, .pdf or .png at 300 dpi).")] = None,
    channel: Annotated[int, typer.Option(help="Channel to plot (0-based).")] = 0,
    sweeps: Annotated[str | None, typer.Option(help="Sweeps to plot, e.g. '0,1,5' (default all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (SI units).")] = False,
) -> None:
    """What a recording holds: channels with units, sweeps, sampling rate, protocol and epochs."""
    from neuromoa.io import recording_info

    paths = recording_paths(files)
    infos, failed = [], []
    for p in paths:
        try:
            infos.append(recording_info(p))
        except (NeuromoaError, FileNotFoundError) as exc:
            if len(paths) == 1:
                raise
            failed.append({"file": str(p), "message": str(exc)})
    if plot is not None and infos:
        save_figure(plot_recording(infos[0].file, channel=channel, sweeps=_sweep_list(sweeps)), plot)
    if as_json:
        if len(paths) == 1:
            print_json(infos[0].to_dict())
        else:
            print_json({"files": [i.to_dict() for i in infos], "failed": failed})
    else:
        for inf in infos:
            _print_info(inf)
    _exit_for_failed_files(failed, len(paths))


def _print_info(inf) -> None:
    rate = inf.sample_rate_Hz
    lines = [f"{inf.file}", f"  format      {inf.format}", f"  protocol    {inf.protocol or '(none)'}",
             f"  sweeps      {inf.sweep_count} × {inf.sweep_length_s:.4g} s"
             + (f", one every {inf.sweep_interval_s:.4g} s" if inf.sweep_interval_s else ""),
             f"  sampling    {rate / 1e3:.4g} kHz ({1e3 / rate:.4g} ms per sample)"
             if rate == rate and rate > 0 else "  sampling    unknown"]
    if inf.recorded:
        lines.append(f"  recorded    {inf.recorded}")
    for n in inf.notes:
        lines.append(f"  note        {n}")
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
    _print_frame(inf.channels_frame(), "channels")
    ep = inf.epochs_frame()
    if not ep.empty:
        unit = ep["level_unit"].iloc[0]
        factor = {"V": 1e3, "A": 1e12}.get(unit, 1.0)
        shown = {"V": "mV", "A": "pA"}.get(unit, unit)
        table = ep.assign(**{
            "start (s)": ep["start_s"], "end (s)": ep["end_s"],
            f"level ({shown})": ep["level_SI"] * factor,
            f"step per sweep ({shown})": ep["level_step_SI"].map(
                lambda v: None if v is None or v != v else v * factor)})
        _print_frame(table[["epoch", "type", "start (s)", "end (s)", f"level ({shown})",
                            f"step per sweep ({shown})"]], "protocol epochs (command, sweep 0)")


def _exit_for_failed_files(failed: list[dict], n: int) -> None:
    """Exit 1 when some files failed (listed on stderr), 2 when all did."""
    if not failed:
        return
    listed = "; ".join(f["message"] for f in failed[:10])
    err_console.print(f"{len(failed)} of {n} file(s) failed: {listed}", markup=False,
                      highlight=False, soft_wrap=True)
    raise typer.Exit(2 if len(failed) == n else 1)


@app.command("analyze")
@with_out
@handle_errors
def analyze(
    files: Annotated[list[Path], typer.Argument(help="ABF or NWB files, or folders of them.")],
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
    conc_map: Annotated[Path | None, typer.Option(
        "--conc-map", help="CSV mapping sweeps (column 'sweep') or files ('file') to a "
                           "concentration ('concentration_uM', or values with units): fit a "
                           "concentration-response curve.")] = None,
    measure: Annotated[str, typer.Option(help="With --conc-map: 'peak' or 'steady' current.")] = "peak",
    free_bottom: Annotated[bool, typer.Option(
        "--free-bottom", help="With --conc-map and control sweeps: fit the bottom plateau "
                              "(default: 0, complete block).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (SI units).")] = False,
    plot: Annotated[Path | None, typer.Option(
        help="Save a figure (.svg, .pdf or .png at 300 dpi): the sweeps with the windows, or "
             "the concentration-response curve with --conc-map.")] = None,
    store: Annotated[bool, typer.Option("--store", help="Record this run in the results store.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default $NEUROMOA_DB_URL).")] = None,
) -> None:
    """Per-sweep peaks, response kinetics, spike counts or membrane test of ABF/NWB files
    (pA, mV, MΩ, pF in the table; SI in the JSON), mean ± SEM over sweeps, and a
    concentration-response fit with --conc-map."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r} is not one of {list(MODES)}.")
    sweep_list = _sweep_list(sweeps)
    thr = 0.0 if threshold.strip() in {"0", "0.0"} else as_volts(threshold, what="--threshold")
    min_a = None if min_response is None else as_amperes(min_response, what="--min-response")
    cmap = None
    if conc_map is not None:
        from neuromoa.io import read_concentration_map

        cmap = read_concentration_map(conc_map)
    options = {"channel": channel, "sweeps": sweep_list, "baseline": baseline, "window": window,
               "steady": steady, "threshold_V": thr, "direction": direction,
               "min_response_A": min_a}
    paths = recording_paths(files)
    single = len(paths) == 1
    if single:
        results, failed = [analyze_abf(paths[0], mode, **options)], []
    else:
        batch = analyze_recordings(paths, mode, **options)
        results, failed = list(batch.results), list(batch.failed)
    cr = None
    if cmap is not None and results:
        cr = concentration_response(results, cmap, measure=measure, fix_bottom=not free_bottom,
                                    map_file=str(conc_map))
    if plot is not None:
        if cr is not None:
            fig = cr.plot()
        elif single:
            wins = {k: parse_window(v, k) for k, v in (("baseline", baseline), ("window", window),
                                                       ("steady", steady)) if v}
            fig = plot_recording(paths[0], channel=channel, sweeps=sweep_list, windows=wins)
        else:
            fig = results[0].plot() if results else None
            for r in results[1:]:
                r.plot(ax=fig.axes[0])
        if fig is not None:
            save_figure(fig, plot)
    if store and single:  # platform hook: record the run in the results store
        from neuromoa.cli.runs import ephys_frame, record_cli_run

        record_cli_run(db, "ephys", {"recording": paths[0]}, {
            "mode": mode, "channel": channel, "sweeps": sweep_list, "baseline": baseline,
            "window": window, "steady": steady, "threshold_V": thr, "direction": direction,
            "min_response_A": min_a}, ephys_frame(results[0]), figure=plot)
    if as_json:
        payload = results[0].to_dict() if single else {
            "files": [r.to_dict() for r in results], "failed": failed}
        if cr is not None:
            payload["concentration_response"] = cr.to_dict()
        print_json(payload)
    else:
        for res in results:
            _print_analysis(res)
        if cr is not None:
            _print_cr(cr)
    _exit_for_failed_files(failed, len(paths))
    for res in results:
        _exit_for_failed_sweeps(res, last=res is results[-1])


def _exit_for_failed_sweeps(res, last: bool = True) -> None:
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
@with_out
@handle_errors
def fi(
    conc: Annotated[list[str] | None, typer.Option(
        "--conc", help="Concentration with unit ('0' allowed), repeatable.")] = None,
    duration: Annotated[str, typer.Option(help="Current-step length, e.g. '1 s'.")] = "1 s",
    compound: Annotated[str | None, typer.Option(
        help="Compound whose kb affinities the neuron's channels take (default: as declared, the "
             "flagship compound).")] = None,
    plot: Annotated[Path | None, typer.Option(help="Save the F–I figure (.svg, .pdf or .png at 300 dpi).")] = None,
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
        save_figure(res.plot(), plot)
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
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (channel, file).")] = False,
) -> None:
    """Write a channel model (with drug-bound states) as a Myokit .mmt file."""
    path = export_myokit(channel, out)
    if as_json:
        print_json({"channel": channel, "written": [str(path)], "format": "Myokit .mmt"})
    else:
        console.print(f"wrote {path}", markup=False)
