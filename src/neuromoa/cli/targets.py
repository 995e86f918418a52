"""``neuromoa targets``: the knowledge base's activities of a compound, as a table or JSON.

Parse → one library call (:func:`neuromoa.kb.load_kb` and its ``activities`` query) → render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from neuromoa.cli._common import console, err_console, handle_errors, print_json, with_out
from neuromoa.errors import InputError
from neuromoa.kb import activity_records, import_chembl, import_gtopdb, load_kb, write_activities
from neuromoa.units import format_molar

__all__ = ["import_activities", "register", "targets"]

#: Keys of each activity in ``--json`` output (the contract's keys first).
JSON_KEYS = ("target", "gene", "species", "measure", "condition", "low_M", "high_M", "text",
             "reference", "value_M", "unit", "state", "mode", "compound", "corrected_species",
             "corrected_condition", "corrected_reference", "correction", "citation",
             "confidence", "origin", "user", "is_default", "key", "doc_table", "doc_row",
             "doc_reference", "family", "replaces", "consequence", "effect_class")


@with_out
@handle_errors
def targets(
    compound: Annotated[str | None, typer.Option(
        "--compound", "-c", help="Compound name or synonym (default: every compound).")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Target id or HGNC symbol, e.g. SERT or SLC6A4.")] = None,
    family: Annotated[str | None, typer.Option(
        help="transporter, GPCR, 'ion channel' or 'receptor tyrosine kinase'.")] = None,
    measure: Annotated[str | None, typer.Option(help="Ki, KD, IC50, pKi ...")] = None,
    species: Annotated[str | None, typer.Option(help="Human, Rat, 'Not Specified'.")] = None,
    origin: Annotated[str | None, typer.Option(help="document, facts or user.")] = None,
    user_data: Annotated[list[Path] | None, typer.Option(
        "--user-data", help="CSV of your own activities or compounds (repeatable).")] = None,
    defaults_only: Annotated[bool, typer.Option(
        "--defaults-only", help="Only the default value of each target/condition.")] = False,
    consequences: Annotated[bool, typer.Option(
        "--consequences", help="Add the consequence of engaging each target.")] = False,
    catalogue: Annotated[bool, typer.Option(
        "--list-targets", help="List the target catalogue (genes, UniProt, family, "
        "consequence, source) instead of activities.")] = False,
    compounds: Annotated[bool, typer.Option(
        "--list-compounds", help="List the compound identity table (names, synonyms, salts, "
        "identifiers, logP, pKa, fu, metabolites) instead of activities.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the targets of a compound with affinity, species, condition and source."""
    kb = load_kb(user_files=user_data or ())
    if compounds:
        _render_compounds(kb.compounds(), as_json)
        return
    if catalogue:
        _render_catalogue(kb.targets(family=family), as_json)
        return
    frame = kb.activities(compound=compound, target=target, family=family, measure=measure,
                          species=species, origin=origin, default_only=defaults_only)
    name = kb.compound(compound).id if compound is not None else None
    if as_json:
        rows = [{k: r.get(k) for k in JSON_KEYS} for r in activity_records(frame)]
        print_json({"compound": name, "activities": rows,
                    "overlay": list(kb.overlay_messages)})
        return
    for message in kb.overlay_messages:
        err_console.print(f"note: {message}", markup=False, highlight=False)
    title = f"Activities of {name}" if name else "Activities"
    table = Table(title=title, title_justify="left")
    columns = ["target", "species", "measure", "condition", "as printed", "unit", "molar",
               "mode", "source", "conf", "default"]
    if name is None:
        columns.insert(0, "compound")
    if consequences:
        columns.append("consequence")
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in activity_records(frame):
        low, high = float(r["low_M"]), float(r["high_M"])  # type: ignore[arg-type]
        molar = format_molar(low) if low == high else f"{format_molar(low)}–{format_molar(high)}"
        source = str(r["corrected_reference"] or r["reference"])
        if r["doc_reference"]:
            source = f"{r['doc_reference']} → {source}" if r["corrected_reference"] else str(
                r["doc_reference"])
        species_text = str(r["species"])
        if r["corrected_species"]:
            species_text += f" ({r['corrected_species']})"
        cells = [str(r["target"]), species_text, str(r["measure"]), str(r["condition"] or ""),
                 str(r["text"]), str(r["unit"]), molar, str(r["mode"]), source,
                 str(r["confidence"]), "yes" if r["is_default"] else ""]
        if name is None:
            cells.insert(0, str(r["compound"]))
        if consequences:
            cells.append(f"{r['consequence']} [{r['effect_class']}]")
        table.add_row(*cells)
    console.print(table)


def _render_compounds(frame: pd.DataFrame, as_json: bool) -> None:
    records = frame.to_dict(orient="records")
    if as_json:
        print_json({"compounds": records})
        return
    table = Table(title="Compounds (data/identity/compounds.csv)", title_justify="left")
    for col in ("id", "role", "parent", "synonyms", "salt", "MW base/salt", "CAS", "PubChem",
                "ChEBI", "logP", "pKa", "fu", "user"):
        table.add_column(col, overflow="fold")

    def num(v: object, fmt: str = "{:g}") -> str:
        return "" if v is None or v != v else fmt.format(v)

    for c in records:
        table.add_row(c["id"], c["role"], c["parent"] or "", c["synonyms"], c["salt"] or "",
                      f"{num(c['mw_base'])}/{num(c['mw_salt'])}", c["cas"],
                      str(c["pubchem_cid"] or ""), c["chebi"], num(c["logp"]), num(c["pka"]),
                      num(c["fu"]), "yes" if c["user"] else "")
    console.print(table)


def _render_catalogue(frame: pd.DataFrame, as_json: bool) -> None:
    records = frame.to_dict(orient="records")
    if as_json:
        print_json({"targets": records})
        return
    table = Table(title="Targets", title_justify="left")
    for col in ("id", "genes", "uniprot", "family", "consequence", "effect", "source", "conf"):
        table.add_column(col, overflow="fold")
    for t in records:
        table.add_row(t["id"], t["genes"], t["uniprot"], t["family"], t["consequence"],
                      t["effect_class"], t["reference"], t["confidence"])
    console.print(table)


_IMPORTERS = {"gtopdb": import_gtopdb, "chembl": import_chembl}


@handle_errors
def import_activities(
    source: Annotated[Path, typer.Argument(help="GtoPdb interactions or ChEMBL activity export.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="User activities CSV to write.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="gtopdb or chembl.")] = "gtopdb",
    compound: Annotated[str | None, typer.Option(
        "--compound", "-c", help="Keep only this compound's rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Convert a GtoPdb or ChEMBL export into a user activities CSV for --user-data."""
    importer = _IMPORTERS.get(fmt.lower())
    if importer is None:
        raise InputError(f"Unknown --format {fmt!r}; use gtopdb or chembl.")
    frame = importer(source, compound=compound)
    written = write_activities(frame, out)
    skipped = frame[frame["status"] != "ok"]
    if as_json:
        print_json({"source": str(source), "out": str(out), "written": written,
                    "skipped": [{"key": r["key"], "message": r["message"]}
                                for r in skipped.to_dict(orient="records")]})
        return
    console.print(f"wrote {written} row(s) to {out}; skipped {len(skipped)}", markup=False)
    for r in skipped.to_dict(orient="records"):
        err_console.print(f"skipped {r['key']}: {r['message']}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``targets`` and ``import-activities`` commands to the neuromoa app."""
    app.command("targets")(targets)
    app.command("import-activities")(import_activities)
