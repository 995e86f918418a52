"""``neuromoa assay``: simulate and analyse SERT/NET uptake and M1 binding plates."""

from __future__ import annotations

import enum
import math
import warnings
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from neuromoa.cli._common import console, err_console, handle_errors, print_json, with_out
from neuromoa.data.compounds import flagship_compound

assay_app = typer.Typer(help="Virtual SERT/NET uptake and M1 binding assays: simulate plates, "
                             "analyse plates (simulated or your own), round trips.",
                        no_args_is_help=True)


class Kind(enum.StrEnum):
    uptake = "uptake"
    binding = "binding"


class FileFormat(enum.StrEnum):
    tidy = "tidy"
    grid = "grid"
    microbeta = "microbeta"
    tecan = "tecan"
    semicolon = "semicolon"
    csv = "csv"


class Wells(enum.StrEnum):
    w96 = "96"
    w384 = "384"


def _nm(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x * 1e9:.4g}"


def _fixed(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.2f}"


@assay_app.command("simulate")
@handle_errors
def simulate(
    kind: Kind = typer.Argument(..., help="uptake (SERT/NET) or binding (M1)."),
    out: Path = typer.Option(..., "--out", help="Plate file to write (CSV)."),
    target: str = typer.Option(None, "--target", help="SERT | NET (uptake), M1 (binding)."),
    compound: str | None = typer.Option(None, "--compound",
                                        help="Test compound (default: the flagship compound)."),
    ki: str = typer.Option(None, "--ki", help="True Ki, e.g. '3.45 nM' (default: knowledge base)."),
    seed: int = typer.Option(None, "--seed", help="Random seed (same seed → same file)."),
    receptor_conc: str = typer.Option(None, "--receptor-conc",
                                      help="Binding: receptor concentration, e.g. '3 nM'."),
    substrate: str = typer.Option(None, "--substrate", help="Uptake: [3H]substrate, e.g. '100 nM'."),
    km: str = typer.Option(None, "--km", help="Uptake: Km of the substrate, e.g. '463 nM'."),
    radioligand: str = typer.Option(None, "--radioligand", help="Binding: [L], e.g. '5 nM'."),
    kd: str = typer.Option(None, "--kd", help="Binding: Kd of the radioligand, e.g. '14 nM'."),
    specific_activity: str = typer.Option(None, "--specific-activity",
                                          help="Specific activity of the label, e.g. '80 Ci/mmol'."),
    volume: str = typer.Option(None, "--volume", help="Assay volume per well, e.g. '250 uL'."),
    efficiency: str = typer.Option(None, "--efficiency", help="Counting efficiency, e.g. 0.45."),
    recovery: str = typer.Option(None, "--recovery", help="Binding: filter recovery, e.g. 0.9."),
    protein: str = typer.Option(None, "--protein", help="Binding: membrane protein per well, '5 ug'."),
    count_time: str = typer.Option(None, "--count-time", help="Counting time per well, '1 min'."),
    wells: Wells = typer.Option(Wells.w96, "--wells", help="96 or 384 wells (384: the 96-well "
                                                           "design in each quadrant)."),
    n_plates: int = typer.Option(1, "--plates", help="Number of plates in the file."),
    edge_effects: bool = typer.Option(False, "--edge-effects", help="Lose signal in edge wells."),
    outliers: int = typer.Option(0, "--outliers", help="Number of outlier wells per plate."),
    well_cv: float = typer.Option(None, "--well-cv", help="Well-to-well CV (default: data file)."),
    file_format: FileFormat = typer.Option(
        FileFormat.tidy, "--format",
        help="tidy CSV; grid (8x12 + layout list); or a plate reader's export with a plate-map "
             "grid file: microbeta, tecan (tab, '<>'), semicolon (decimal comma, CRLF), csv."),
    layout_out: Path = typer.Option(None, "--layout-out",
                                    help="Grid/reader formats: layout or plate-map file path."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (files, truth)."),
) -> None:
    """Simulate plate(s) and write them with their true parameters (header + JSON sidecar)."""
    import secrets

    from neuromoa.assays import simulate_binding, simulate_uptake
    from neuromoa.assays.layout import layout_384

    drawn = seed is None
    if drawn:  # no --seed: draw one and record it, so the run can be repeated
        seed = secrets.randbelow(2**31)
    consts = {"specific_activity": specific_activity, "volume": volume,
              "counting_efficiency": efficiency, "filter_recovery": recovery,
              "protein": protein, "count_time": count_time}
    common = dict(ki=ki, seed=seed, n_plates=n_plates, edge_effects=edge_effects,
                  outliers=outliers, well_cv=well_cv, constants=consts,
                  layout=layout_384() if wells is Wells.w384 else None)
    if kind is Kind.uptake:
        ps = simulate_uptake(target or "SERT", compound, substrate=substrate, km=km, **common)
    else:
        ps = simulate_binding(target or "M1", compound, receptor_conc=receptor_conc,
                              radioligand=radioligand, kd=kd, **common)
    written = ps.write(out, format=file_format.value, layout_path=layout_out)
    truth = ps.truth(ps.plates[0])
    compound = ps.conditions(ps.plates[0]).get("compound", compound)
    if as_json:
        print_json({"written": [str(p) for p in written], "compound": compound, "truth": truth,
                    "seed": seed})
        return
    console.print(f"wrote {', '.join(str(p) for p in written)}", markup=False, highlight=False)
    if drawn:
        console.print(f"seed {seed} (drawn; recorded in the file; --seed {seed} repeats this run)",
                      markup=False, highlight=False)
    console.print(f"true Ki of {compound}: {_nm(truth['ki_M'])} nM — {truth['ki_source']}",
                  markup=False, highlight=False, soft_wrap=True)
    if kind is Kind.binding:
        console.print(f"radioligand bound in total wells: {100 * truth['depletion_fraction']:.1f}%",
                      highlight=False)


@assay_app.command("analyze")
@with_out
@handle_errors
def analyze(
    kind: Kind = typer.Argument(..., help="uptake or binding."),
    plate: Path = typer.Argument(..., help="Plate file: tidy CSV, or a reader's grid export "
                                           "(96/384 wells, several plates) with --layout."),
    layout: list[Path] = typer.Option(None, "--layout",
                                      help="Plate map: a list (well,role,compound,concentration) "
                                           "or grids labelled Role / Compound / Concentration "
                                           "(nM); repeat for maps in separate files."),
    target: str = typer.Option(None, "--target", help="SERT | NET | M1 (default: from the file)."),
    substrate: str = typer.Option(None, "--substrate", help="Uptake [S], e.g. '100 nM'."),
    km: str = typer.Option(None, "--km", help="Uptake Km, e.g. '630 nM'."),
    radioligand: str = typer.Option(None, "--radioligand", help="Binding [L], e.g. '5 nM'."),
    kd: str = typer.Option(None, "--kd", help="Binding Kd of the radioligand, e.g. '14 nM'."),
    specific_activity: str = typer.Option(None, "--specific-activity",
                                          help="Binding: specific activity, e.g. '80 Ci/mmol'."),
    volume: str = typer.Option(None, "--volume", help="Binding: assay volume, e.g. '250 uL'."),
    efficiency: str = typer.Option(None, "--efficiency", help="Binding: counting efficiency (0.45)."),
    recovery: str = typer.Option(None, "--recovery", help="Binding: filter recovery (0.9)."),
    protein: str = typer.Option(None, "--protein",
                                help="Binding: membrane protein per well ('5 ug'; gives Bmax)."),
    count_time: str = typer.Option(None, "--count-time", help="Counting time per well ('1 min')."),
    background: str = typer.Option(None, "--background",
                                   help="Counter background, CPM (default: the empty wells)."),
    constants: Path = typer.Option(None, "--constants",
                                   help="Constants file: 'key = \"value unit\"' lines (TOML) or "
                                        "'key: value'; options override it."),
    keep_outliers: bool = typer.Option(False, "--keep-outliers", help="Do not exclude ROUT outliers."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    plot: Path = typer.Option(None, "--plot", help="Write a figure (svg/png/pdf) of the first analysed plate."),
    store: bool = typer.Option(False, "--store", help="Record this run in the results store."),
    db: str = typer.Option(None, "--db", help="Store URL (default $NEUROMOA_DB_URL)."),
) -> None:
    """Analyse plate(s): IC50, Ki with 95% CI, Hill, Z', depletion and flags per plate.

    Each plate gets a status: ok, warning (analysed, but a QC check failed: see the flags and
    the message) or failed (no estimate; its one-line message is printed on stderr). Exit code:
    0 when every plate was analysed, 1 when some plates failed (listed on stderr), 2 when every
    plate failed or the file is malformed.
    """
    from neuromoa.assays import analyze_plate
    from neuromoa.errors import NeuromoaWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NeuromoaWarning)
        result = analyze_plate(kind.value, plate, layout=list(layout or []) or None, target=target,
                               substrate=substrate, km=km, radioligand=radioligand, kd=kd,
                               specific_activity=specific_activity, volume=volume,
                               efficiency=efficiency, recovery=recovery, protein=protein,
                               count_time=count_time, background=background,
                               constants=constants, exclude_outliers=not keep_outliers)
    for w in caught:
        if issubclass(w.category, NeuromoaWarning):
            err_console.print(f"warning: {w.message}", markup=False, highlight=False,
                              soft_wrap=True)
    failed = [r for r in result.results if r.status == "failed"]
    all_failed = len(failed) == len(result.results)
    if plot is not None and not all_failed:
        result.plot().savefig(plot)
    if store:  # platform hook: record the run in the results store
        from neuromoa.cli.runs import record_cli_run

        maps = {f"layout{k + 1}" if k else "layout": m for k, m in enumerate(layout or [])}
        record_cli_run(db, "assay", {"plate": plate, **maps, "constants": constants}, {
            "kind": kind.value, "target": target, "substrate": substrate, "km": km,
            "radioligand": radioligand, "kd": kd, "specific_activity": specific_activity,
            "volume": volume, "efficiency": efficiency, "recovery": recovery,
            "protein": protein, "count_time": count_time, "background": background,
            "exclude_outliers": not keep_outliers},
            result.to_frame(), target=target, figure=plot if not all_failed else None)
    if as_json:
        print_json(result.to_dict())
        _report_failed(failed, all_failed)
        return
    if all_failed:
        _report_failed(failed, all_failed)
    table = Table(title=escape(f"{kind.value} analysis of {plate.name}"))
    for col in ("plate", "compound", "status", "IC50 (nM)", "Ki (nM)", "Ki 95% CI (nM)", "Hill",
                "Z'", "flags"):
        table.add_column(col)
    for r in result.results:
        ci = f"{_nm(r.ki_ci95_M[0])}–{_nm(r.ki_ci95_M[1])}"
        flags = "; ".join(r.flags) or (r.message if r.status == "failed" else "")
        table.add_row(escape(r.plate), escape(r.compound), r.status, _nm(r.ic50_M),
                      _nm(r.ki_M), ci, _fixed(r.hill), _fixed(r.z_prime), escape(flags))
    console.print(table)
    for r in result.results:
        if r.depletion_fraction is not None and r.status != "failed":
            console.print(escape(f"{r.plate}: {100 * r.depletion_fraction:.1f}% of radioligand bound; "
                          f"Ki direct fit {_nm(r.ki_direct_M)} nM, exact-depletion fit "
                          f"{_nm(r.ki_exact_M)} nM ({_nm(r.ki_exact_ci95_M[0])}–"
                          f"{_nm(r.ki_exact_ci95_M[1])})"
                          + (f"; Bmax {r.bmax_mol_per_g * 1e9:.3g} pmol/mg protein"
                             if r.bmax_mol_per_g else "")), highlight=False, soft_wrap=True)
    for r in result.results:
        if r.status == "warning":
            console.print(f"warning: {r.message}", markup=False, highlight=False,
                          soft_wrap=True)
    _print_constants(result)
    if plot is not None:
        console.print(f"figure: {plot}", highlight=False)
    _report_failed(failed, all_failed)


def _print_constants(result) -> None:
    """The constants each analysis used, with their origins (once when plates share them)."""
    frame = result.constants_frame()
    if frame.empty:
        return
    groups: dict[tuple, list[str]] = {}
    for plate, sub in frame.groupby("plate", sort=False):
        key = tuple(zip(sub["constant"], sub["display"], sub["origin"], strict=True))
        groups.setdefault(key, []).append(str(plate))
    for key, plates in groups.items():
        t = Table(title=escape(f"constants used (plate{'s' if len(plates) > 1 else ''} "
                               f"{', '.join(plates)})"))
        for col in ("constant", "value", "origin"):
            t.add_column(col)
        for name, shown, origin in key:
            t.add_row(escape(name), escape(shown or "—"), escape(origin))
        console.print(t)


def _report_failed(failed: list, all_failed: bool) -> None:
    """One line per failed plate on stderr; exit code 2 when no plate could be analysed."""
    for r in failed:
        prefix = "error" if all_failed else "failed"
        err_console.print(f"{prefix}: {r.message}", markup=False, highlight=False,
                          soft_wrap=True)
    if all_failed:
        raise typer.Exit(2)
    if failed:  # some plates failed (listed above), the others were analysed
        raise typer.Exit(1)


@assay_app.command("round-trip")
@with_out
@handle_errors
def round_trip_cmd(
    n: int = typer.Option(200, "--n", help="Plates per case (each with its own seed)."),
    seed: int = typer.Option(0, "--seed", help="First seed."),
    case: list[str] = typer.Option(None, "--case",
                                   help="kind:target:compound, e.g. uptake:SERT:<compound> "
                                        "(repeatable; default: the Must-show cases)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Simulate n plates per case, analyse them, and print median Ki/true and CI coverage."""
    from neuromoa.assays import DEFAULT_CASES, round_trip_table
    from neuromoa.errors import ParameterError

    cases = DEFAULT_CASES
    if case:
        parsed = []
        for c in case:
            parts = c.split(":")
            if len(parts) != 3:
                raise ParameterError(f"--case {c!r}: write kind:target:compound, e.g. "
                                     "uptake:SERT:<compound>.")
            parsed.append(tuple(parts))
        cases = tuple(parsed)
    table = round_trip_table(cases, n_plates=n, seed=seed)
    if as_json:
        print_json(table.to_dict(orient="records"))
        return
    t = Table(title=f"Round trips: {n} simulated plates per case (seeds {seed}…{seed + n - 1})")
    for col in ("assay", "target", "compound", "Ki method", "true Ki (nM)", "median Ki (nM)",
                "median/true", "95% CI coverage", "coverage 95% CI", "n ok"):
        t.add_column(col)
    for r in table.itertuples(index=False):
        t.add_row(r.assay, r.target, r.compound, r.method, _nm(r.true_ki_M), _nm(r.median_ki_M),
                  f"{r.median_ratio:.3f}", f"{100 * r.coverage:.1f}%",
                  f"{100 * r.coverage_ci95_low:.1f}–{100 * r.coverage_ci95_high:.1f}%",
                  f"{r.n_ok}/{r.n_plates}")
    console.print(t)


@assay_app.command("depletion")
@with_out
@handle_errors
def depletion_cmd(
    receptor: list[str] = typer.Option(None, "--receptor-conc",
                                       help="Receptor concentrations (repeatable)."),
    n: int = typer.Option(50, "--n", help="Plates per receptor concentration."),
    seed: int = typer.Option(0, "--seed", help="First seed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Ligand depletion: Cheng–Prusoff bias, the warning, and the exact-depletion fit."""
    from neuromoa.assays import depletion_demo

    kwargs = {"receptor_concs": tuple(receptor)} if receptor else {}
    table = depletion_demo(n_plates=n, seed=seed, **kwargs)
    if as_json:
        print_json(table.to_dict(orient="records"))
        return
    t = Table(title=f"M1 radioligand binding, {flagship_compound()}: depletion ({n} plates each)")
    for col in ("receptor", "bound", "warned", "CP Ki/true", "direct Ki/true", "exact Ki/true",
                "CP coverage", "exact coverage"):
        t.add_column(col)
    for r in table.itertuples(index=False):
        t.add_row(r.receptor_conc, f"{100 * r.depletion_fraction:.1f}%", str(r.warned),
                  f"{r.cheng_prusoff_median_ratio:.3f}", f"{r.direct_median_ratio:.3f}",
                  f"{r.exact_depletion_median_ratio:.3f}", f"{100 * r.cheng_prusoff_coverage:.0f}%",
                  f"{100 * r.exact_depletion_coverage:.0f}%")
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add the ``assay`` command group to the main app."""
    app.add_typer(assay_app, name="assay")
