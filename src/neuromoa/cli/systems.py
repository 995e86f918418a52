"""``neuromoa systems``: the synapse, Schild, NMDA and Trk models, and SBML export."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from neuromoa.cli._common import console, err_console, fail, handle_errors, print_json, with_out
from neuromoa.errors import NeuromoaWarning
from neuromoa.systems import (
    DEFAULT_MULTIPLES,
    DEFAULT_NOISE,
    DEFAULT_REPLICATES,
    chronic_course,
    export_sbml,
    nmda_ic50,
    schild_experiment,
    synapse_single_release,
    trk_response,
)
from neuromoa.systems.adaptation import ADAPTATION_DOSES, adaptation_courses
from neuromoa.systems.nmda_conditions import nmda_at_dose
from neuromoa.systems.trk_sensitivity import trk_sensitivity
from neuromoa.systems.validation import functional_vs_binding, validate, validation_summary
from neuromoa.units import format_molar

__all__ = ["register"]

systems_app = typer.Typer(help="Systems models: synapse and adaptation, receptor antagonism "
                               "(Schild), NMDA block, Trk signalling; SBML export.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``systems`` command group to ``app``."""
    app.add_typer(systems_app, name="systems")


def _with_notes(call: Callable[[], Any]) -> Any:
    """Run one library call; print each NeuromoaWarning it issues as a one-line note (stderr)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NeuromoaWarning)
        result = call()
    for w in caught:
        if issubclass(w.category, NeuromoaWarning):
            err_console.print(f"note: {w.message}", markup=False, highlight=False, soft_wrap=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def _multiples(text: str) -> tuple[float, ...]:
    """Parse "3,10,30,100,300" (multiples of KB) into floats; the library checks the values."""
    try:
        return tuple(float(x) for x in text.replace(";", ",").split(",") if x.strip())
    except ValueError:
        fail(f"schild: --multiples must be comma-separated numbers (multiples of KB), "
             f"e.g. \"3,10,30,100,300\"; got {text!r}.")
        raise  # unreachable: fail() exits


def _save(result, path: Path | None) -> None:
    if path is not None:
        fig_or_ax = result.plot()
        fig = getattr(fig_or_ax, "figure", fig_or_ax)
        fig.savefig(path)
        console.print(f"figure written to {path}")


@systems_app.command("synapse")
@with_out
@handle_errors
def synapse(
    transmitter: str = typer.Option("5HT", "--transmitter", help="5HT or NE."),
    conc: str | None = typer.Option(None, "--conc",
                                    help='Free compound at the synapse, e.g. "20 nM" '
                                         "(single release event with and without drug)."),
    metabolite: str = typer.Option("0 nM", "--metabolite",
                                   help="Free concentration of its metabolite with --conc."),
    dose: str | None = typer.Option(None, "--dose", help='Dose for a course, e.g. "150 mg".'),
    every: str = typer.Option("24h", "--every", help="Dosing interval for a course."),
    weeks: float = typer.Option(6.0, "--weeks", help="Length of the course in weeks."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    feedback: bool = typer.Option(True, "--feedback/--no-feedback",
                                  help="Autoreceptor feedback on firing."),
    autoreceptor: bool = typer.Option(True, "--autoreceptor/--no-autoreceptor",
                                      help="Slow autoreceptor desensitisation (course)."),
    postsynaptic: bool = typer.Option(True, "--postsynaptic/--no-postsynaptic",
                                      help="Slow post-synaptic 5-HT1A sensitisation (course)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure (SVG/PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """One release event (--conc) or a course of weeks of dosing (--dose)."""
    if (conc is None) == (dose is None):
        fail("synapse: give exactly one of --conc (release event) or --dose (course).")
    if conc is not None:
        result = synapse_single_release(transmitter, conc, compound=compound,
                                        metabolite=metabolite, feedback=feedback)
        if as_json:
            print_json(result.to_dict())
        else:
            table = Table(title=f"{result.transmitter} release event, {result.compound} "
                                f"{format_molar(result.parent_M)} (transporter occupancy "
                                f"{result.transporter_occupancy:.0%})")
            for col in ("", "peak", "half-time s", "steady"):
                table.add_column(col, justify="right")
            for label in ("baseline", "drug"):
                d = getattr(result, label)
                table.add_row(label, format_molar(d["peak_M"]), f"{d['half_time_s']:.3g}",
                              format_molar(d["steady_M"]))
            console.print(table)
            console.print(f"steady-state fold rise: {result.fold_steady:.3g}")
        _save(result, plot)
        return
    result = chronic_course(dose=dose, every=every, weeks=weeks, compound=compound,
                            transmitter=transmitter, kp_uu=kp_uu,
                            autoreceptor_desensitization=autoreceptor,
                            postsynaptic_sensitization=postsynaptic)
    if as_json:
        print_json(result.to_dict())
    else:
        t = result.table
        table = Table(title=f"{result.transmitter}: {result.regimen}, {weeks:g} weeks")
        for col in ("day", "firing", "extracellular", "post-synaptic"):
            table.add_column(col, justify="right")
        for day in sorted({0, 1, 3, 7, 14, 21, 28, 35, 42} | {int(t["days"].iloc[-1])}):
            row = t.iloc[int((t["days"] - day).abs().idxmin())]
            if row["days"] > t["days"].iloc[-1] + 1e-9:
                continue
            table.add_row(f"{row['days']:.0f}", f"{row['firing_rel']:.3f}",
                          f"{row['extracellular_rel']:.3f}", f"{row['postsynaptic_rel']:.3f}")
        console.print(table)
        console.print("fitted time constants (days): " + ", ".join(
            f"{k} {v:.2f}" for k, v in result.tau_days.items() if math.isfinite(v)))
    _save(result, plot)


@systems_app.command("schild")
@with_out
@handle_errors
def schild(
    target: str = typer.Option(..., "--target", help="M1, M2, M3, M4, M5, H1, H2 or alpha1."),
    model: str = typer.Option("gaddum", "--model", help="gaddum or operational."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="The antagonist (default: the flagship compound)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the simulated noise."),
    noise: float = typer.Option(DEFAULT_NOISE, "--noise", help="Noise SD as a fraction of Emax."),
    replicates: int = typer.Option(DEFAULT_REPLICATES, "--replicates",
                                   help="Replicates per agonist concentration."),
    multiples: str = typer.Option(",".join(f"{m:g}" for m in DEFAULT_MULTIPLES), "--multiples",
                                  help="Antagonist concentrations as multiples of KB, "
                                       'comma-separated (>= 3), e.g. "3,10,30,100,300".'),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure (SVG/PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Simulated agonist curves with the antagonist, dose ratios and Schild regression."""
    mult = _multiples(multiples)
    result = _with_notes(lambda: schild_experiment(
        target, compound=compound, model=model, seed=seed, noise=noise, replicates=replicates,
        multiples=mult))
    if result.fit_status == "failed":
        fail(result.message)
    if result.message:
        err_console.print(f"note: {result.message}", markup=False, highlight=False,
                          soft_wrap=True)
    if as_json:
        print_json(result.to_dict())
    else:
        lo, hi = result.slope_ci95
        console.print(f"{result.target} ({result.agonist}, {result.model}): pA2 {result.pa2:.2f}, "
                      f"slope {result.slope:.3f} (95% CI {lo:.3f}-{hi:.3f}); "
                      f"pKi used {result.pki_kb:.2f} [{result.kb_source}]",
                      markup=False, highlight=False)
    _save(result, plot)


@systems_app.command("nmda")
@with_out
@handle_errors
def nmda(
    ca: str = typer.Option("4 mM", "--ca", help='External Ca2+, e.g. "4 mM".'),
    voltage: str = typer.Option("-70 mV", "--voltage", help='Holding potential, e.g. "-60 mV".'),
    mode: str = typer.Option("total", "--mode",
                             help="total (both actions together, what a recording measures), "
                                  "desensitization (the Ca-dependent action alone, the one the "
                                  "published Ca2+ law describes) or trapping (pore block alone)."),
    bapta: bool = typer.Option(False, "--bapta",
                               help="Intracellular Ca2+ buffered by BAPTA (abolishes the Ca-dependent action)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure (SVG/PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """IC50 of amitriptyline on the steady-state NMDA current (calibrated on 0.25-4 mM Ca2+)."""
    result = _with_notes(lambda: nmda_ic50(ca, voltage, mode, bapta=bapta))
    if as_json:
        print_json(result.to_dict())
    else:
        ic50 = (format_molar(result.ic50_M) if math.isfinite(result.ic50_M)
                else "none below 1 M")
        console.print(f"NMDA IC50 {ic50} at {result.ca_M * 1e3:g} mM Ca2+, "
                      f"{result.voltage_V * 1e3:g} mV ({result.mode}"
                      f"{', BAPTA' if result.bapta else ''}); mechanism: {result.mechanism}")
    _save(result, plot)


@systems_app.command("trk")
@with_out
@handle_errors
def trk(
    conc: str = typer.Option("10 uM", "--conc", help='Free compound, e.g. "10 uM".'),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    duration: str = typer.Option("24 h", "--duration", help="Length of the time course."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure (SVG/PNG) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """TrkA/TrkB activation, Akt and ERK phosphorylation and slow glial BDNF."""
    result = trk_response(conc, duration=duration, compound=compound)
    if as_json:
        print_json(result.to_dict())
    else:
        c = result.course
        console.print(f"pAkt peak {c['pAkt_rel'].max():.3g}x, pERK peak {c['pERK_rel'].max():.3g}x, "
                      f"BDNF at end {c['bdnf_rel'].iloc[-1]:.3g}x; EC50 (pAkt at "
                      f"{result.ec50_time_s / 3600:g} h) {format_molar(result.ec50_M)}")
        console.print(result.note)
    _save(result, plot)


@systems_app.command("export-sbml")
@handle_errors
def export_sbml_cmd(
    model: str = typer.Option(..., "--model", help="synapse, nmda or trk."),
    out: Path = typer.Option(..., "--out", help="Output SBML file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (model, file)."),
) -> None:
    """Write a model as validated SBML Level 3."""
    path = export_sbml(model, out)
    if as_json:
        print_json({"model": model, "written": [str(path)], "format": "SBML Level 3"})
    else:
        console.print(f"SBML of {model} written to {path}")


@systems_app.command("validate")
@with_out
@handle_errors
def validate_cmd(
    data: Path | None = typer.Option(None, "--data",
                                     help="A validation dataset (CSV, columns as the shipped "
                                          "data/systems/validation.csv); default the shipped one."),
    model: str | None = typer.Option(None, "--model",
                                     help="Only this model: receptors, synapse, nmda or trk."),
    calibration: bool = typer.Option(True, "--calibration/--no-calibration",
                                     help="Show the rows the models were calibrated on "
                                          "(never counted)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Every comparison of a systems model with published data, observed beside predicted."""
    result = _with_notes(lambda: validate(data, model=model, include_calibration=calibration))
    summary = validation_summary(result)
    if as_json:
        print_json({"summary": summary, "comparisons": result.to_dict(orient="records")})
        return
    table = Table(title="systems models vs published data")
    for col in ("id", "observed", "predicted", "unit", "within", "counts", "source"):
        table.add_column(col, overflow="fold")
    for r in result.to_dict(orient="records"):
        obs = (f"{r['observed']:.3g}" if math.isfinite(r["observed"]) else
               f"{r['observed_low']:.3g}-{r['observed_high']:.3g}"
               if math.isfinite(r["observed_low"]) else "qualitative")
        pred = f"{r['predicted']:.3g}" if math.isfinite(r["predicted"]) else "none"
        within = "n/a" if r["within"] is None else ("yes" if r["within"] else "NO")
        counts = "calibration" if r["used_for_calibration"] else ("yes" if r["counts"] else "no")
        table.add_row(r["id"], obs, pred, r["unit"], within, counts, r["source"])
    console.print(table)
    console.print(f"{summary['counted']} independent comparisons from {summary['sources']} "
                  f"sources: {summary['within']} within tolerance, {summary['outside']} outside; "
                  f"{summary['calibration_rows']} calibration rows shown, "
                  f"{summary['no_prediction']} not comparable (no prediction or no number).")


@systems_app.command("functional")
@with_out
@handle_errors
def functional_cmd(
    data: Path | None = typer.Option(None, "--data",
                                     help="A validation dataset (CSV); default the shipped one."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Functional antagonism (apparent pA2) observed beside the pA2 predicted from binding."""
    result = _with_notes(lambda: functional_vs_binding(data))
    if as_json:
        print_json({"rows": result.to_dict(orient="records")})
        return
    table = Table(title="functional pA2 (observed) vs binding (predicted)")
    for col in ("id", "receptor", "species", "observed pA2", "predicted pA2", "binding pKi",
                "obs - pred", "tolerance", "within"):
        table.add_column(col, overflow="fold")
    for r in result.to_dict(orient="records"):
        def f(x: float) -> str:
            return f"{x:.2f}" if math.isfinite(x) else "none"
        obs = f(r["observed_pa2"]) + (f" ({r['observed_low']:.2f}-{r['observed_high']:.2f})"
                                      if math.isfinite(r["observed_low"]) else "")
        within = "n/a" if r["within"] is None else ("yes" if r["within"] else "NO")
        table.add_row(r["id"], r["receptor"], r["species"], obs, f(r["predicted_pa2"]),
                      f(r["binding_pki"]), f(r["difference"]), r["tolerance"], within)
    console.print(table)


@systems_app.command("adaptation")
@with_out
@handle_errors
def adaptation_cmd(
    doses: str = typer.Option(",".join(ADAPTATION_DOSES), "--doses",
                              help='Daily doses, comma-separated, e.g. "10 mg,25 mg,75 mg,150 mg".'),
    weeks: float = typer.Option(8.0, "--weeks", help="Length of each course in weeks."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    plot: Path | None = typer.Option(None, "--plot",
                                     help="Write the figure (courses with the data) here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Adaptation time constants calibrated to published time courses, and 8-week courses."""
    dose_list = [d.strip() for d in doses.split(",") if d.strip()]
    result = _with_notes(lambda: adaptation_courses(dose_list, compound=compound, weeks=weeks))
    if as_json:
        print_json(result.to_dict())
    else:
        table = Table(title="adaptation time constants (days), calibrated to the named sources")
        for col in ("parameter", "tau", "range", "model was", "observed", "drug class", "source"):
            table.add_column(col, overflow="fold")
        for r in result.calibration.to_dict(orient="records"):
            fin = math.isfinite(r["tau_days"])
            table.add_row(r["parameter"], f"{r['tau_days']:.2f}" if fin else "no data",
                          f"{r['tau_low_days']:.2f}-{r['tau_high_days']:.2f}" if fin else "",
                          f"{r['model_default_days']:.2f}", r["observed_days"], r["drug_class"],
                          r["source"])
        console.print(table)
        days = Table(title=f"{result.compound}: 5-HT firing / extracellular 5-HT / post-synaptic "
                           "signal (relative to baseline)")
        days.add_column("dose/day")
        for d in (1, 7, 14, 28, 56):
            days.add_column(f"day {d}", justify="right")
        summ = result.to_dict()["summary"]
        for dose in result.doses:
            cells = [f"{s['firing_rel']:.2f}/{s['extracellular_rel']:.2f}/"
                     f"{s['postsynaptic_rel']:.2f}" for s in summ
                     if s["dose"] == dose and s["transmitter"] == "5HT"]
            days.add_row(dose, *cells)
        console.print(days)
        held = result.held_out()
        if not held.empty:
            ht = Table(title="held out (not used to calibrate): firing recovery day at each dose")
            for col in ("dose/day", "predicted day", "observed", "within", "source"):
                ht.add_column(col, overflow="fold")
            for r in held.to_dict(orient="records"):
                day = r["predicted_recovery_day"]
                within = "n/a" if r["within"] is None else ("yes" if r["within"] else "NO")
                ht.add_row(r["dose"], f"{day:.1f}" if math.isfinite(day) else "never",
                           r["observed_days"], within, r["source"])
            console.print(ht)
    _save(result, plot)


@systems_app.command("nmda-dose")
@with_out
@handle_errors
def nmda_dose_cmd(
    dose: str = typer.Option("150 mg", "--dose", help='Daily dose, e.g. "150 mg".'),
    every: str = typer.Option("24h", "--every", help="Dosing interval."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """NMDA block at a dose: physiological Ca2+ and resting potential beside the 4 mM table."""
    frame = _with_notes(lambda: nmda_at_dose(dose, every, compound=compound, kp_uu=kp_uu))
    if as_json:
        print_json({"dose": dose, "every": every, "rows": frame.to_dict(orient="records")})
        return
    table = Table(title=f"NMDA block at {dose} every {every} (steady-state free brain "
                        f"{frame['free_brain_nM'].iloc[0]:.3g} nM)")
    for col in ("condition", "Ca2+", "V", "IC50", "inhibition", "basis"):
        table.add_column(col, overflow="fold")
    for r in frame.to_dict(orient="records"):
        table.add_row(r["condition"], r["ca"], r["voltage"], f"{r['ic50_uM']:.3g} uM",
                      f"{r['inhibition']:.2%}", r["basis"])
    console.print(table)


@systems_app.command("trk-sensitivity")
@with_out
@handle_errors
def trk_sensitivity_cmd(
    factor: float = typer.Option(3.0, "--factor", help="Scale each constant up and down by this."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Compound (default: the flagship compound)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Which assumed Trk constants the pAkt EC50 depends on (one at a time, up and down)."""
    frame = _with_notes(lambda: trk_sensitivity(factor=factor, compound=compound))
    if as_json:
        print_json({"factor": factor, "rows": frame.to_dict(orient="records")})
        return
    table = Table(title=f"pAkt EC50 (1 h) when each constant is x{factor:g} and /{factor:g} "
                        f"(base {format_molar(frame['ec50_base_M'].iloc[0])})")
    for col in ("parameter", "confidence", "EC50 fold (up)", "EC50 fold (down)", "log10 span"):
        table.add_column(col)
    for r in frame.to_dict(orient="records"):
        table.add_row(r["parameter"], r["confidence"], f"{r['fold_up']:.3g}",
                      f"{r['fold_down']:.3g}", f"{r['log10_span']:.3f}")
    console.print(table)
