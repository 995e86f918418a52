"""``neuromoa cardiac``: dose or plasma level → cardiac channel block → ΔAPD90, qNet, ΔQRS, ΔQTc."""

from __future__ import annotations

import typer
from rich.table import Table

from neuromoa.cli import _patient
from neuromoa.cli._common import console, fail, handle_errors, print_json, with_out

__all__ = ["register"]

app = typer.Typer(name="cardiac", invoke_without_command=True,
                  help="Cardiac risk: channel block, the ORd ventricular cell, QRS and QT.")


def register(root: typer.Typer) -> None:
    """Add the ``cardiac`` command group to ``root``."""
    root.add_typer(app, name="cardiac")


@app.callback()
@with_out
@handle_errors
def cardiac(
    ctx: typer.Context,
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound (default: the flagship compound; its "
                                             "metabolite follows)."),
    dose: str | None = typer.Option(None, "--dose", help='Each dose with its unit, e.g. "150 mg".'),
    every: str | None = typer.Option(None, "--every", help='Dosing interval, e.g. "24h" '
                                     "(values at steady-state Cmax)."),
    single: bool = typer.Option(False, "--single", help="One dose (values at the peak)."),
    plasma: str | None = typer.Option(None, "--plasma", help='Total plasma level of the parent, '
                                      'e.g. "300 ng/mL".'),
    metabolite: str | None = typer.Option(None, "--metabolite",
                                          help='Total plasma level of the metabolite, e.g. "200 ng/mL".'),
    heart_rate: float = typer.Option(60.0, "--heart-rate", help="Heart rate (bpm), 30-200."),
    channels: str | None = typer.Option(None, "--channels",
                                        help="User overlay CSV: channel,compound,ic50,unit[,state,source]."),
    time_course: bool = typer.Option(False, "--time-course",
                                     help="Also the values over the last dosing interval "
                                          "(or the first 24 h of a single dose)."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    weight: str | None = _patient.WEIGHT,
    age: str | None = _patient.AGE,
    sex: str | None = _patient.SEX,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Predict channel block, APD90, qNet, EADs, ΔQRS and ΔQTc from a dose or a plasma level."""
    if ctx.invoked_subcommand is not None:
        return
    from neuromoa.cardiac import cardiac_risk, cardiac_time_course, check_heart_rate
    from neuromoa.exposure import Regimen, resolve_dose

    check_heart_rate(heart_rate)
    patient = _patient.patient_from_options(cyp2d6, cyp2c19, weight, age, sex)
    if (dose is None) == (plasma is None):
        fail("give exactly one of --dose (with --every or --single) or --plasma.")
    if metabolite is not None and plasma is None:
        fail("--metabolite goes with --plasma (with --dose both levels come from exposure).")
    regimen = None
    if dose is not None:
        if single == (every is not None):
            fail("with --dose give exactly one of --every (e.g. --every 24h) or --single.")
        regimen = Regimen.parse(resolve_dose(dose, patient), every=every)
    if time_course and regimen is None:
        fail("--time-course needs --dose (levels over time come from exposure).")
    r = cardiac_risk(compound, regimen=regimen, plasma=plasma, metabolite=metabolite,
                     bpm=heart_rate, overlay=channels, patient=patient)
    d = r.to_dict()
    course = (cardiac_time_course(compound, regimen, bpm=heart_rate, patient=patient)
              if time_course and regimen is not None else None)
    if course is not None:
        d["time_course"] = course.to_dict(orient="records")
    if as_json:
        print_json(d)
        return
    levels = ", ".join(f"{a} {v['total_ng_mL']:.4g} ng/mL" for a, v in d["levels"].items())
    table = Table(title=f"{r.compound} at {r.bpm:g} bpm ({r.scope}: {levels})",
                  caption=f"patient: {patient.describe()}")
    for col in ("current", "block", *[f"by {a}" for a in d["levels"]]):
        table.add_column(col, justify="left" if col == "current" else "right")
    for cur, c in d["channels"].items():
        by = [("no data" if c["by_compound"][a] is None else f"{100 * c['by_compound'][a]:.1f}%")
              for a in d["levels"]]
        table.add_row(cur, f"{100 * c['block']:.1f}%", *by)
    console.print(table)
    console.print(f"APD90 {d['apd90_ms']:.1f} ms (control {d['control_apd90_ms']:.1f}, "
                  f"Δ {d['delta_apd90_ms']:+.1f}); qNet {d['qnet']:.4f} uC/uF "
                  f"(control {d['control_qnet']:.4f}); EAD {'yes' if d['ead'] else 'no'}")
    rg = d.get("ranges", {})

    def band(key: str) -> str:
        return f" [{rg[key][0]:+.1f} to {rg[key][1]:+.1f}]" if key in rg else ""

    if d["conduction_failure"]:
        console.print("QRS: conduction failure in the strand (QRS and QTc not defined)")
    else:
        console.print(f"QRS {d['qrs_ms']:.1f} ms (Δ {d['delta_qrs_ms']:+.1f}"
                      f"{band('delta_qrs_ms')}); ΔQTc {d['delta_qtc_ms']:+.1f} ms"
                      f"{band('delta_qtc_ms')} (bands: affinities 2-fold either way)")
    for lab, c in d["contributions"].items():
        console.print(f"{lab} ({c['analyte']}): ΔQRS {c['delta_qrs_ms']:+.1f} ms, "
                      f"ΔQTc {c['delta_qtc_ms']:+.1f} ms")
    if course is not None:
        tc = Table(title="over the dosing interval")
        for col in ("time h", "ΔAPD90 ms", "ΔQRS ms", "ΔQTc ms"):
            tc.add_column(col, justify="right")
        for _, row in course.iterrows():
            tc.add_row(f"{row['time_h']:.1f}", f"{row['delta_apd90_ms']:+.1f}",
                       f"{row['delta_qrs_ms']:+.1f}", f"{row['delta_qtc_ms']:+.1f}")
        console.print(tc)
    for note in d["notes"]:
        console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)


@app.command("table")
@handle_errors
def table(
    compound: str | None = typer.Option(None, "--compound", "-c",
                                        help="Compound (default: the flagship compound; its "
                                             "metabolite follows)."),
    heart_rate: float = typer.Option(60.0, "--heart-rate", help="Heart rate (bpm), 30-200."),
    out: str | None = typer.Option(None, "--out", help="Also write the table to this CSV "
                                   "(refuses to overwrite an existing file)."),
    cyp2d6: str | None = _patient.CYP2D6,
    cyp2c19: str | None = _patient.CYP2C19,
    weight: str | None = _patient.WEIGHT,
    age: str | None = _patient.AGE,
    sex: str | None = _patient.SEX,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The dose table: 10, 75, 150, 300 mg/day and single 750, 1500 mg."""
    from pathlib import Path

    from neuromoa.cardiac import check_heart_rate, dose_table

    check_heart_rate(heart_rate)
    patient = _patient.patient_from_options(cyp2d6, cyp2c19, weight, age, sex)
    if out is not None and Path(out).exists():
        fail(f"--out {out}: file exists; choose another name.")
    frame = dose_table(compound, bpm=heart_rate, patient=patient)
    compound = str(frame.attrs.get("compound", compound or ""))
    if out is not None:
        frame.to_csv(out, index=False)
    if as_json:
        print_json({"compound": compound, "heart_rate_bpm": heart_rate,
                    "patient": patient.to_dict(), "rows": frame.to_dict(orient="records")})
        return
    t = Table(title=f"{compound}: cardiac effects by dose at {heart_rate:g} bpm",
              caption=f"patient: {patient.describe()}")
    levels = [c for c in frame.columns if c.endswith("_ng_mL")]
    cols = [c for c in ("regimen", *levels, "block_INa", "block_INaL", "block_IKr",
                        "delta_apd90_ms", "delta_qrs_ms", "delta_qtc_ms", "qnet", "ead",
                        "parent_only_delta_qtc_ms", "metabolite_only_delta_qtc_ms")
            if c in frame.columns]
    for c in cols:
        t.add_column(c, justify="left" if c == "regimen" else "right")
    for _, row in frame.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if c.startswith("block_"):
                cells.append(f"{100 * v:.1f}%")
            elif isinstance(v, float):
                cells.append(f"{v:.4g}" if c == "qnet" else f"{v:.1f}")
            else:
                cells.append(str(v))
        t.add_row(*cells)
    console.print(t)


@app.command("checks")
@with_out
@handle_errors
def checks(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Validation: ORd control APD90 and rate dependence, strand CV, flecainide QRS, dofetilide QTc."""
    from neuromoa.cardiac import cardiac_checks

    frame = cardiac_checks()
    if as_json:
        print_json({"checks": frame.to_dict(orient="records")})
        return
    console.print(_checks_table(frame, "cardiac model vs published", "quantity", "confidence",
                                ".4g"))


@app.command("channels")
@with_out
@handle_errors
def channel_checks_cmd(
    seed: int = typer.Option(0, "--seed", help="Noise seed of the virtual experiments."),
    stability: bool = typer.Option(True, "--stability/--no-stability",
                                   help="Also run the +30 mV train over 20 noise seeds."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Nav1.5 and hERG models vs published amitriptyline data (Nau 2000, Jo 2000, Barber 1991)."""
    from neuromoa.ephys.published import channel_checks, plus30_stability

    frame = channel_checks(seed)
    stab = plus30_stability() if stability else None
    if as_json:
        print_json({"checks": frame.to_dict(orient="records"), "plus30_stability": stab})
        return
    console.print(_checks_table(frame, "channel models vs published (the flagship compound's "
                                "channel data)", "protocol", "role", ".3g"))
    if stab is not None:
        console.print(f"+30 mV, 5 Hz, 1 uM: use-dependent block {100 * stab['mean']:.1f}% "
                      f"(spread {stab['spread_points']:.2f} points over {len(stab['seeds'])} seeds)")


def _checks_table(frame, title: str, second: str, last: str, fmt: str) -> Table:
    """A model-vs-published table: check, ``second``, model, published, range, within, ``last``
    (numbers with the format spec ``fmt``)."""
    t = Table(title=title)
    for c in ("check", second, "model", "published", "range", "within", last):
        t.add_column(c)
    for _, r in frame.iterrows():
        t.add_row(r["check"], r[second], f"{r['model']:{fmt}}", f"{r['published']:{fmt}}",
                  f"{r['low']:{fmt}}-{r['high']:{fmt}} {r['unit']}", "yes" if r["within"] else "NO",
                  r[last])
    return t


def _parse_block(text: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            fail(f"--block: {item.strip()!r} is not CURRENT=FRACTION (e.g. INa=0.1).")
    return out


@app.command("cell")
@with_out
@handle_errors
def cell_cmd(
    block: str | None = typer.Option(None, "--block", help='Fractions blocked, e.g. "IKr=0.5,INa=0.1".'),
    heart_rate: float = typer.Option(60.0, "--heart-rate", help="Heart rate (bpm), 30-200."),
    strand: bool = typer.Option(False, "--strand", help="Also the 1D strand's conduction "
                                "velocity and pseudo-ECG QRS width."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The ORd cell (and optionally a 1D strand) with given fractional block of each current."""
    from neuromoa.cardiac import simulate_cell
    from neuromoa.cardiac.strand import strand_conduction

    b = _parse_block(block)
    r = simulate_cell(b, bpm=heart_rate)
    d = r.to_dict()
    if strand:
        d["strand"] = strand_conduction(b, bpm=heart_rate).to_dict()
    if as_json:
        print_json(d)
        return
    console.print(f"APD90 {d['apd90_ms']:.1f} ms (control {d['control_apd90_ms']:.1f}, "
                  f"Δ {d['delta_apd90_ms']:+.1f}); qNet {d['qnet_uC_uF']:.4f} uC/uF; "
                  f"EAD {'yes' if d['ead'] else 'no'}; {d['beats']} beats")
    if strand:
        s = d["strand"]
        console.print(f"strand: {'conducts' if s['conducted'] else 'conduction fails'}"
                      + (f", CV {s['cv_cm_s']:.1f} cm/s, pseudo-ECG QRS width "
                         f"{s['qrs_width_ms']:.2f} ms" if s["conducted"] else ""))


@app.command("strand")
@with_out
@handle_errors
def strand_cmd(
    heart_rate: float = typer.Option(60.0, "--heart-rate", help="Heart rate (bpm), 30-200."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The 1D strand's conduction velocity and QRS-width ratio against INa block."""
    from neuromoa.cardiac.strand import conduction_table

    frame = conduction_table(heart_rate)
    if as_json:
        print_json({"heart_rate_bpm": heart_rate, "rows": frame.to_dict(orient="records")})
        return
    t = Table(title=f"1D strand (ORd cells, TP06 INa) at {heart_rate:g} bpm")
    for c in ("INa block", "CV cm/s", "QRS width ms", "QRS ratio"):
        t.add_column(c, justify="right")
    for _, r in frame.iterrows():
        ok = bool(r["conducted"])
        t.add_row(f"{100 * r['ina_block']:.0f}%", f"{r['cv_cm_s']:.1f}" if ok else "fails",
                  f"{r['qrs_width_ms']:.2f}" if ok else "-", f"{r['qrs_ratio']:.3f}" if ok else "-")
    console.print(t)
