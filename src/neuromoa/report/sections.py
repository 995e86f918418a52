"""The report's sections: each a function of the step outcomes returning its HTML body.

Sections only select, order and format what the steps returned (the modules' result objects,
their ``to_frame()``/``to_dict()``/``plot()``); they compute nothing. A section whose steps are
unavailable shows the reason instead of its content.
"""

from __future__ import annotations

import math
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from markupsafe import Markup

from neuromoa.report.assemble import SectionContext, SectionSpec
from neuromoa.report.figures import figure_from_plot
from neuromoa.report.humanize import format_value, humanize_rows
from neuromoa.report.plots import engagement_figure

__all__ = ["SECTIONS", "SOFTWARE", "summary_classes"]

#: Distributions whose versions Methods lists (the engines the results depend on).
SOFTWARE: tuple[str, ...] = ("neuromoa", "numpy", "scipy", "pandas", "pint", "matplotlib",
                             "jinja2", "rich", "typer", "pyabf", "numba", "libroadrunner",
                             "antimony", "python-libsbml")

# Occupancy above which the summary calls a target "substantially engaged". Assumption: half
# occupancy, the usual threshold for a pharmacologically relevant effect in receptor theory.
SUBSTANTIAL_OCCUPANCY = 0.5
# Occupancy below which the summary calls engagement negligible. Assumption: 5% occupancy is
# within the uncertainty of the affinities and exposure (a factor of ~2 in K or C).
NEGLIGIBLE_OCCUPANCY = 0.05
# How many targets the summary sentence names per regimen (assumption: readability).
TOP_TARGETS = 5


# Condition texts that say nothing (the document's "Not Specified") are not shown.
_EMPTY_CONDITIONS = {"", "not specified", "nan", "none"}


def _records(frame: Any, *, clean: bool = True) -> list[dict[str, Any]]:
    if frame is None:
        return []
    rows = [dict(r) for r in frame.to_dict(orient="records")]
    for r in rows if clean else ():
        if "condition" in r and str(r["condition"]).strip().lower() in _EMPTY_CONDITIONS:
            r["condition"] = ""
    return rows


def _per_day(config, dose: str) -> str:
    every = config.every.replace(" ", "")
    return f"{dose}/day" if every in ("24h", "1d") else f"{dose} every {config.every}"


# --------------------------------------------------------------------------- 1 summary
#: Effect classes counted as side-effect targets above SUBSTANTIAL_OCCUPANCY: a target that
#: causes a side effect is one whatever else it does (issue 11: H1 is "mixed").
SIDE_EFFECT_CLASSES = ("adverse", "mixed")
#: Effect classes counted as therapeutic targets.
THERAPEUTIC_CLASSES = ("therapeutic", "mixed")


def summary_classes(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The summary's lists from one regimen's engagement rows (one rule, used by the text).

    ``side_effect``: class adverse or mixed with occupancy ≥ SUBSTANTIAL_OCCUPANCY;
    ``therapeutic``: class therapeutic or mixed with occupancy ≥ NEGLIGIBLE_OCCUPANCY;
    ``unexplained``: class therapeutic below NEGLIGIBLE_OCCUPANCY (occupancy cannot explain them);
    ``negligible``: every row below NEGLIGIBLE_OCCUPANCY.
    """
    occ = [(r, _num(r.get("occupancy"))) for r in rows]
    return {
        "side_effect": [r for r, o in occ if r.get("effect_class") in SIDE_EFFECT_CLASSES
                        and o >= SUBSTANTIAL_OCCUPANCY],
        "therapeutic": [r for r, o in occ if r.get("effect_class") in THERAPEUTIC_CLASSES
                        and o >= NEGLIGIBLE_OCCUPANCY],
        "unexplained": [r for r, o in occ if r.get("effect_class") == "therapeutic"
                        and o < NEGLIGIBLE_OCCUPANCY],
        "negligible": [r for r, o in occ if o < NEGLIGIBLE_OCCUPANCY],
    }


def _summary(ctx: SectionContext) -> Markup:
    note = ctx.note("engagement", "exposure", "margins", "population")
    regimens = []
    assumptions: dict[str, Any] = {}
    reference = ctx.value("therapeutic") if ctx.ok("therapeutic") else None
    if ctx.ok("engagement"):
        engagement = ctx.value("engagement")
        exposure = ctx.value("exposure") if ctx.ok("exposure") else {}
        margins = ctx.value("margins") if ctx.ok("margins") else {}
        for dose in ctx.config.doses:
            result = engagement[dose]
            rows = _records(result.targets)
            classes = summary_classes(rows)
            expo = exposure.get(dose)
            metrics = dict(expo.metrics) if expo is not None else {}
            total = None
            position = ""
            if reference is not None and metrics:
                parts = [metrics[a]["cavg_ng_mL"] for a in reference["analytes"] if a in metrics]
                total = float(sum(parts)) if parts else None
                if total is not None:
                    position = ("below" if total < reference["total_low_ng_mL"] else "above"
                                if total > reference["total_high_ng_mL"] else "within")
            calibrated = [r for r in rows if r.get("calibration")]
            regimens.append({
                "dose": dose, "label": _per_day(ctx.config, dose), "top": rows[:TOP_TARGETS],
                "therapeutic": classes["therapeutic"], "adverse": classes["side_effect"],
                "unexplained": classes["unexplained"], "negligible": classes["negligible"],
                "calibrated": calibrated,
                "unbound": dict(result.unbound_M), "metrics": metrics,
                "total_ng_mL": total, "position": position,
                "margins": _records(margins[dose]) if dose in margins else [],
            })
        last = engagement[ctx.config.doses[-1]]
        rows = _records(last.targets)
        assumptions = {
            "kp_uu": last.kp_uu,
            "calibrated": [r for r in rows if r.get("calibration")],
            "uncalibrated": [r for r in rows if not r.get("calibration")
                             and _num(r.get("occupancy")) >= NEGLIGIBLE_OCCUPANCY],
            "no_metabolite": sorted({str(r["target"]) for r in rows
                                     if str(r.get("metabolite", "")).startswith(
                                         "metabolite not included")}),
            "brain": sorted({str(r["target"]) for r in rows if r.get("compartment") == "brain"}),
            "outside": sorted({str(r["target"]) for r in rows
                               if r.get("compartment") not in (None, "", "brain")}),
            "tissue": {a: m.get("brain_to_plasma_total") for a, m in
                       ((last.exposure or {}).get("analytes") or {}).items()},
            "tissue_method": next((m.get("brain_to_plasma_total_method") for m in
                                   ((last.exposure or {}).get("analytes") or {}).values()
                                   if m.get("brain_to_plasma_total_method")), ""),
        }
        matrix = _matrix(ctx)
    else:
        matrix = None
    # patients: who the exposure assumes, and the population panel (neuromoa.exposure)
    first = next(iter(ctx.value("exposure").values()), None) if ctx.ok("exposure") else None
    patient = first.patient.describe() if first is not None and hasattr(first, "patient") else ""
    population = _records(ctx.value("population")) if ctx.ok("population") else []
    first = _first_screen(regimens, matrix)
    cardiac = _cardiac_rows(ctx)
    if first is not None and cardiac:
        first["heart"] = cardiac[-1]
    return ctx.render("sections/summary.html.j2", note=note, regimens=regimens, matrix=matrix,
                      cardiac=cardiac, cardiac_note=ctx.note("cardiac"),
                      first=first, sections=[(s.key, s.number, s.title) for s in SECTIONS],
                      substantial=SUBSTANTIAL_OCCUPANCY, negligible=NEGLIGIBLE_OCCUPANCY,
                      patient=patient, population=population,
                      assumptions=assumptions, reference=reference)


def _cardiac_rows(ctx: SectionContext) -> list[dict[str, Any]]:
    """One row per regimen of the cardiac step: levels, ΔQRS, ΔQTc with their ranges."""
    if not ctx.ok("cardiac"):
        return []
    rows = []
    for dose, res in ctx.value("cardiac").items():
        d = res.to_dict()
        ranges = d.get("ranges") or {}
        rows.append({"dose": dose, "label": _per_day(ctx.config, dose),
                     "levels": {a: lv.get("total_ng_mL") for a, lv in (d.get("levels") or {}).items()},
                     "qrs": d.get("delta_qrs_ms"), "qrs_range": ranges.get("delta_qrs_ms"),
                     "qtc": d.get("delta_qtc_ms"), "qtc_range": ranges.get("delta_qtc_ms"),
                     "apd": d.get("delta_apd90_ms"), "ead": d.get("ead"),
                     "qrs_text": format_value(d.get("delta_qrs_ms"), "ms",
                                              ranges.get("delta_qrs_ms")),
                     "qtc_text": format_value(d.get("delta_qtc_ms"), "ms",
                                              ranges.get("delta_qtc_ms")),
                     "scope": d.get("scope", ""), "assumptions": list(d.get("assumptions") or [])})
    return rows


#: Colour map of the first screen's occupancy table (sequential, colour-blind safe, prints in
#: grey levels) and the occupancy above which its cell text turns white (readability).
OCCUPANCY_CMAP = "Blues"
_WHITE_TEXT_ABOVE = 0.55


def occupancy_colour(occupancy: float) -> tuple[str, str]:
    """(background, text colour) of a first-screen cell: darker blue for higher occupancy."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    x = min(max(_num(occupancy), 0.0), 1.0) if math.isfinite(_num(occupancy)) else 0.0
    return to_hex(colormaps[OCCUPANCY_CMAP](0.05 + 0.85 * x)), (
        "#ffffff" if x > _WHITE_TEXT_ABOVE else "#1d2329")


def _first_screen(regimens: list[dict[str, Any]], matrix: dict[str, Any] | None
                  ) -> dict[str, Any] | None:
    """What the first screen says: the lowest and highest regimen's key numbers (all from the
    engagement rows) and the compact targets × regimens table (targets engaged at any dose)."""
    if not regimens or matrix is None:
        return None
    low, high = regimens[0], regimens[-1]
    top_low = max(low["adverse"], key=lambda r: _num(r.get("occupancy")), default=None)
    within = [r for r in regimens if r["position"] == "within"]
    rows = []
    for row in matrix["rows"]:
        occ = {d: _num(o.get("occupancy")) for d, o in row["occ"].items()}
        if max(occ.values(), default=0.0) < NEGLIGIBLE_OCCUPANCY:
            continue
        cells = []
        for dose in matrix["doses"]:
            o = row["occ"].get(dose)
            bg, fg = occupancy_colour(o.get("occupancy") if o else math.nan)
            cells.append({"dose": dose, "o": o, "bg": bg, "fg": fg})
        rows.append({**row, "cells": cells})
    scale = [(x / 4, *occupancy_colour(x / 4)) for x in range(5)]
    return {"low": low, "high": high, "top_low": top_low, "within": within, "rows": rows,
            "doses": matrix["doses"], "labels": [r["label"] for r in regimens],
            "scale": scale, "hidden": len(matrix["rows"]) - len(rows)}


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _matrix(ctx: SectionContext) -> dict[str, Any]:
    """Targets × regimens occupancy table, rows in the order of the highest regimen."""
    engagement = ctx.value("engagement")
    doses = list(ctx.config.doses)
    frames = {d: _records(engagement[d].targets) for d in doses}
    order: list[tuple[str, str]] = []
    info: dict[tuple[str, str], dict[str, Any]] = {}
    for dose in reversed(doses):
        for r in frames[dose]:
            key = (str(r.get("target")), str(r.get("condition") or ""))
            if key not in info:
                order.append(key)
                info[key] = {"target": key[0], "condition": key[1],
                             "effect_class": r.get("effect_class", ""),
                             "compartment": r.get("compartment", ""),
                             "consequence": r.get("consequence", ""), "occ": {}}
    for dose in doses:
        for r in frames[dose]:
            key = (str(r.get("target")), str(r.get("condition") or ""))
            info[key]["occ"][dose] = r
    return {"doses": doses, "rows": [info[k] for k in order]}


# --------------------------------------------------------------------------- 2 data
def _data(ctx: SectionContext) -> Markup:
    note = ctx.note("kb")
    tables = {}
    other = []
    metabolites: dict[str, list[dict[str, Any]]] = {}
    if ctx.ok("kb"):
        acts = ctx.value("kb")["activities"]
        rows = _records(acts, clean=False)
        for table in ("1", "2"):
            chosen = [r for r in rows if str(r.get("doc_table", "")) == f"Table {table}"]
            tables[table] = sorted(chosen, key=lambda r: _num(r.get("doc_row")))
        other = [r for r in rows if not str(r.get("doc_table", "")).startswith("Table ")]
        metabolites = {name: _records(frame, clean=False)
                       for name, frame in ctx.value("kb").get("metabolites", {}).items()}
    return ctx.render("sections/data.html.j2", note=note, tables=tables, other=other,
                      metabolites=metabolites)


# --------------------------------------------------------------------------- 3 pathways
def _pathways(ctx: SectionContext) -> Markup:
    from neuromoa.pathways import PATHWAYS, draw_pathway

    note = ctx.note("pathways")
    figs = []
    if ctx.ok("pathways"):
        left_out = [p for p in PATHWAYS if p not in ctx.value("pathways")]
        if left_out:
            note = Markup('<p class="note">Not drawn: {} — {} has no value in the knowledge '
                          'base at any of its targets.</p>').format(", ".join(left_out),
                                                                   ctx.config.compound)
        for name, graph in ctx.value("pathways").items():
            html = ctx.figures.add(f"pathway_{name}", draw_pathway(graph, title=False),
                                   graph.caption,
                                   "calc:pathways", png=True)
            figs.append({"name": name, "title": graph.title, "html": html})
    return ctx.render("sections/pathways.html.j2", note=note, figs=figs)


# --------------------------------------------------------------------------- 4 engagement
def _engagement(ctx: SectionContext) -> Markup:
    from neuromoa.report.plots import interval_figure

    note = ctx.note("curves", "therapeutic", "interval", "calibration")
    fig = None
    therapeutic = ctx.value("therapeutic") if ctx.ok("therapeutic") else None
    if ctx.ok("curves"):
        classes = {}
        markers = {}
        if ctx.ok("kb"):
            kb = ctx.value("kb")["kb"]
            targets = kb.targets()
            classes = dict(zip(targets["id"], targets["effect_class"], strict=True))
        if ctx.ok("engagement"):
            for dose, res in ctx.value("engagement").items():
                markers[_per_day(ctx.config, dose)] = float(res.unbound_M[res.compound])
        shade = None
        shade_label = ""
        if therapeutic is not None:
            shade = (therapeutic["unbound_low_M"], therapeutic["unbound_high_M"])
            shade_label = "parent + metabolite clinical reference range (Hiemke 2018), unbound share"
        fig = ctx.figures.add(
            "engagement_vs_concentration",
            engagement_figure(ctx.value("curves"), classes=classes, shade=shade,
                              shade_label=shade_label, markers=markers),
            f"Fractional occupancy of every target against the unbound concentration of "
            f"{ctx.config.compound} alone. Grey band: the clinical therapeutic reference range of "
            f"parent + metabolite in plasma (AGNP consensus, Hiemke 2018), the "
            f"{ctx.config.compound} share at the model's steady-state ratio, as unbound "
            f"concentration; dotted lines: steady-state unbound brain concentration at each "
            f"regimen.", "calc:curves")
    interval = []
    if ctx.ok("calibration"):
        from neuromoa.engagement.calibration import calibration_figure

        interval.append(ctx.figures.add(
            "pet_calibration", calibration_figure(ctx.value("calibration")),
            "Human PET occupancy against prediction: free-drug theory with the in-vitro affinity "
            "(open) and after the per-target in-vivo calibration (filled); circles fitted, "
            "squares held out. NET: Sekine 2010 (fitted at two doses) and Takano 2014 (held out); "
            "SERT: Suhara 2003 (two drugs, pooled). H1 has no usable PET study.",
            "calc:calibration"))
    if ctx.ok("exposure"):
        from neuromoa.report.plots import panels_figure

        interval.append(ctx.figures.add(
            "exposure_courses", panels_figure(ctx.value("exposure")),
            "Total plasma concentration of drug and metabolite over the simulated days at each "
            "regimen (the exposure behind the steady-state engagement).", "calc:exposure"))
    if ctx.ok("interval"):
        courses = {_per_day(ctx.config, dose): frame
                   for dose, frame in ctx.value("interval").items()}
        interval.append(ctx.figures.add(
            "occupancy_interval", interval_figure(courses),
            "Occupancy of each target (parent and metabolite competing) over one dosing interval "
            "at steady state, at each regimen; targets that stay below 0.02 are left out.",
            "calc:interval"))
    population = _population_engagement(ctx)
    return ctx.render("sections/engagement.html.j2", note=note, fig=fig, therapeutic=therapeutic,
                      interval=interval, population=population,
                      population_note=ctx.note("population_engagement"))


#: Words of the CYP2D6 phenotypes in the population table's headers.
PHENOTYPE_WORDS = {"all": "All patients", "PM": "Poor metabolisers (PM)",
                   "IM": "Intermediate (IM)", "NM": "Normal (NM)", "UM": "Ultrarapid (UM)"}


def _population_engagement(ctx: SectionContext) -> dict[str, Any] | None:
    """Occupancy by CYP2D6 phenotype at each regimen: table rows (median and 5–95 % range as
    text, traced to the step) and the figure."""
    from neuromoa.report.plots import population_figure

    if not ctx.ok("population_engagement"):
        return None
    value = ctx.value("population_engagement")
    table = value["table"]
    source = "calc:population_engagement"
    phenotypes = list(dict.fromkeys(table["cyp2d6_phenotype"].astype(str)))
    first = table[table["dose"] == ctx.config.doses[0]]
    counts = {str(r["cyp2d6_phenotype"]): int(r["n"]) for r in _records(first)
              if str(r["target"]) == str(table["target"].iloc[0])}
    headers = [f"{PHENOTYPE_WORDS.get(ph, ph)}: {counts.get(ph, 0)} patients (fraction)"
               for ph in phenotypes]
    rows = []
    for target in value["targets"]:
        for dose in ctx.config.doses:
            part = {str(r["cyp2d6_phenotype"]): r for r in _records(table[
                (table["target"].astype(str) == target) & (table["dose"] == dose)])}
            cells = []
            for ph in phenotypes:
                r = part.get(ph)
                cells.append(ctx.prov.text(f"{r['p50']:.2f} ({r['p5']:.2f}–{r['p95']:.2f})",
                                           source) if r else Markup("—"))
            rows.append({"target": target, "label": _per_day(ctx.config, dose), "cells": cells})
    ctx.results["population_engagement"] = {
        "n": value["n"], "seed": value["seed"], "ancestry": value["ancestry"],
        "by_phenotype": [{k: _json_safe(v) for k, v in r.items()} for r in _records(table)]}
    fig = ctx.figures.add(
        "population_engagement",
        population_figure(table, {d: _per_day(ctx.config, d) for d in ctx.config.doses}),
        f"Steady-state average occupancy across {value['n']} virtual patients per regimen "
        f"({value['ancestry'].capitalize()} genotype frequencies, seed {value['seed']}): "
        "median (dot) and 5–95 % of patients (bar) for each CYP2D6 phenotype and for everyone.",
        source)
    return {"headers": headers, "rows": rows, "fig": fig, "n": value["n"],
            "seed": value["seed"], "ancestry": value["ancestry"], "quick": ctx.config.quick}


# --------------------------------------------------------------------------- 5, 6 cards
# How many scalar results of a card's to_dict() the report prints beside its figure.
MAX_CARD_NUMBERS = 18
# A figure wider than this × its height gets the full width, its numbers below it.
WIDE_FIGURE_RATIO = 1.8
# Lists of numbers up to this length are printed (one value per concentration, say).
MAX_LIST_NUMBERS = 10
# Records of a list of records (one per plate, per concentration) printed.
MAX_RECORDS = 4


def _is_scalar(v: Any) -> bool:
    return isinstance(v, int | float | str) and not isinstance(v, bool)


def _is_number_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and 0 < len(v) <= MAX_LIST_NUMBERS and all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in v)


def _scalars(d: Any, wanted: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(name, value) pairs of the scalar entries of ``d``: one nesting level (dotted names),
    the first records of a list of records (``plates[0].ki_M``), and short lists of numbers."""
    out: list[tuple[str, Any]] = []
    if not isinstance(d, dict):
        return out

    def add(prefix: str, value: Any) -> None:
        if _is_scalar(value) or _is_number_list(value):
            out.append((prefix, value))

    for key, value in d.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                add(f"{key}.{sub}", v)
        elif isinstance(value, list | tuple) and value and isinstance(value[0], dict):
            for i, record in enumerate(value[:MAX_RECORDS]):
                for sub, v in record.items():
                    add(f"{key}[{i}].{sub}", v)
        else:
            add(str(key), value)
    if wanted and any(k in wanted for k, _ in out):
        out = [(k, v) for k, v in out if k in wanted]
    return [(k, v) for k, v in out if not (isinstance(v, str) and len(v) > 80)][:MAX_CARD_NUMBERS]


def _json_safe(value: Any) -> Any:
    """A table value for report.json: numbers (NaN as None), strings, lists of them."""
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    x = _num(value)
    return x if math.isfinite(x) else None


def _cards(ctx: SectionContext, step: str) -> list[dict[str, Any]]:
    out = []
    for i, card in enumerate(ctx.value(step)):
        entry: dict[str, Any] = {"title": card.title, "figure": None, "numbers": [], "error": "",
                                 "wide": False}
        try:
            fig = figure_from_plot(card.result, **card.plot)
            width, height = fig.get_size_inches()
            entry["wide"] = width > WIDE_FIGURE_RATIO * height
            entry["figure"] = ctx.figures.add(f"{step}_{i + 1}", fig, card.caption, f"calc:{step}")
        except Exception as exc:  # noqa: BLE001 - one figure must not lose the section
            entry["error"] = f"figure not available: {type(exc).__name__}: {exc}"
        try:
            pairs = _scalars(card.result.to_dict(), card.numbers)
            ctx.results[f"{step}_{i + 1}"] = {k: _json_safe(v) for k, v in pairs}
            entry["numbers"] = [
                (row.key, row.label, ctx.prov.text(row.shown, f"calc:{step}") if row.numeric
                 else row.shown, row.numeric)
                for row in humanize_rows(pairs)]
        except Exception as exc:  # noqa: BLE001
            entry["error"] += f" numbers not available: {type(exc).__name__}: {exc}"
        out.append(entry)
    return out


def _card_section(ctx: SectionContext, groups: tuple[tuple[str, str], ...]) -> Markup:
    blocks = []
    for step, heading in groups:
        blocks.append({"step": step, "heading": heading, "note": ctx.note(step),
                       "cards": _cards(ctx, step) if ctx.ok(step) else []})
    return ctx.render("sections/cards.html.j2", blocks=blocks)


def _protocols(ctx: SectionContext) -> Markup:
    return _card_section(ctx, (("uptake", "SERT / NET uptake"),
                               ("binding", "M1 radioligand binding"),
                               ("patch", "Whole-cell patch clamp of Na+ currents"),
                               ("fi", "Excitability: F–I curves")))


def _models(ctx: SectionContext) -> Markup:
    cards = _card_section(ctx, (("synapse", "Monoamine synapse"),
                                ("chronic", "Weeks of dosing: adaptation"),
                                ("schild", "Receptor antagonism: Schild analysis"),
                                ("nmda", "NMDA receptor"),
                                ("trk", "TrkA/TrkB signalling")))
    return cards + _validation(ctx)


def _observed(r: dict[str, Any]) -> str:
    low, high, obs = _num(r.get("observed_low")), _num(r.get("observed_high")), _num(
        r.get("observed"))
    if math.isfinite(low) and math.isfinite(high):
        return f"{format_value(low)}–{format_value(high)}"
    return format_value(obs) if math.isfinite(obs) else "—"


def _validation(ctx: SectionContext) -> Markup:
    """The systems validation table (neuromoa.systems.validate) in words."""
    rows = []
    summary: dict[str, Any] = {}
    message = ""
    if ctx.ok("validation"):
        value = ctx.value("validation")
        summary, message = value["summary"], value["message"]
        for r in _records(value["table"], clean=False):
            within = r.get("within")
            pred = _num(r.get("predicted"))
            if within is None or (isinstance(within, float) and math.isnan(within)):
                shown, cls = "no prediction", ""
            else:
                shown, cls = ("yes", "therapeutic") if bool(within) else ("no", "adverse")
            counts = bool(r.get("counts"))
            why = ("" if counts else " (calibration)" if bool(r.get("used_for_calibration"))
                   else " (unverified)" if str(r.get("verified")) == "unverified" else "")
            rows.append({
                "model": str(r.get("model", "")),
                "observable": str(r.get("observable", "")).replace("_", " "),
                "condition": str(r.get("condition") or ""), "species": str(r.get("species") or ""),
                "observed": _observed(r), "predicted": format_value(pred) if math.isfinite(pred)
                else "—", "unit": str(r.get("unit", "")), "tolerance": str(r.get("tolerance", "")),
                "within": shown, "within_class": cls, "counts": ("yes" if counts else "no") + why,
                "source": str(r.get("source", ""))})
    return ctx.render("sections/validation.html.j2", rows=rows, summary=summary,
                      message=message, note=ctx.note("validation"))


# --------------------------------------------------------------------------- 7 methods
def _versions() -> list[tuple[str, str]]:
    out = [("python", platform.python_version())]
    for dist in SOFTWARE:
        try:
            out.append((dist, version(dist)))
        except PackageNotFoundError:
            out.append((dist, "not installed"))
    return out


# Parameter-table columns that hold identifiers (shown as code) and column names in words.
_CODE_COLUMNS = {"name", "parameter", "key", "id", "symbol"}
_COLUMN_WORDS = {"value_si": "value (SI unit)"}
# Significant figures of the parameter tables (the parameters' own precision, assumption).
_PARAMETER_DIGITS = 4


def _cell(value: Any) -> str:
    """A parameter-table cell: floats with four significant figures (never e-notation), the rest
    as text."""
    if isinstance(value, float):
        return format_value(value, digits=_PARAMETER_DIGITS)
    return str(value)


def _methods(ctx: SectionContext) -> Markup:
    refs = []
    if ctx.ok("kb"):
        refs = _records(ctx.value("kb")["references"])
    steps = [{"step": s, "outcome": ctx.outcomes.get(s.name)} for s in ctx.steps.values()]
    inputs = [("compound", ctx.config.compound), ("doses", ", ".join(ctx.config.doses)),
              ("every", ctx.config.every), ("days", f"{ctx.config.days:g}"),
              ("quick", "yes" if ctx.config.quick else "no"), ("seed", str(ctx.config.seed)),
              ("substantial_occupancy", f"{SUBSTANTIAL_OCCUPANCY:g} (summary wording; assumption: "
                                        "half occupancy, the usual threshold of a relevant effect)"),
              ("negligible_occupancy", f"{NEGLIGIBLE_OCCUPANCY:g} (summary wording; assumption: "
                                       "within the uncertainty of affinities and exposure)")]
    constants = _records(ctx.value("kb")["kb"].constants()) if ctx.ok("kb") else []
    parameters = []
    if ctx.ok("parameters"):
        for name, frame in ctx.value("parameters").items():
            rows = frame.astype(object).where(frame.notna(), "").values.tolist()
            columns = [str(c) for c in frame.columns]
            parameters.append({"name": name, "columns": [_COLUMN_WORDS.get(c, c) for c in columns],
                               "code": [i == 0 or c in _CODE_COLUMNS for i, c in enumerate(columns)],
                               "rows": [[_cell(v) for v in row] for row in rows]})
    return ctx.render("sections/methods.html.j2", steps=steps, inputs=inputs,
                      versions=_versions(), refs=refs, constants=constants,
                      parameters=parameters, parameters_note=ctx.note("parameters"))


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("summary", 1, "Summary: what it does at each regimen",
                ("engagement", "exposure", "margins", "population", "therapeutic", "cardiac"),
                _summary),
    SectionSpec("data", 2, "The quantitative data: Tables 1 and 2 from the knowledge base",
                ("kb",), _data, collapsible=True),
    SectionSpec("pathways", 3, "Pathway diagrams", ("pathways",), _pathways),
    SectionSpec("engagement", 4, "Engagement vs concentration and over a dosing interval",
                ("curves", "therapeutic", "interval", "calibration", "population_engagement"),
                _engagement),
    SectionSpec("protocols", 5, "The three protocols, run virtually",
                ("uptake", "binding", "patch", "fi"), _protocols, collapsible=True),
    SectionSpec("models", 6, "Mechanistic models",
                ("synapse", "chronic", "schild", "nmda", "trk", "validation"),
                _models, collapsible=True),
    SectionSpec("methods", 7, "Methods, parameters, software and references", (), _methods,
                collapsible=True),
)
