"""``neuromoa compare``: the engagement of several compounds side by side (one library call)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import typer
from rich.table import Table

from neuromoa.cli._common import _json_safe, console, fail, handle_errors, print_json

__all__ = ["register"]


def json_text(doc: object) -> str:
    """The JSON text ``--json`` prints (NaN → null)."""
    import json

    return json.dumps(_json_safe(doc), indent=2, allow_nan=False) + "\n"


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to ``app``."""
    app.command("compare")(compare)


#: Rows shown in the table when --all is not given (the JSON and --out hold every row).
_TOP_ROWS = 15


@handle_errors
def compare(
    compounds: list[str] = typer.Argument(..., help="Two or more compounds (names or synonyms)."),
    dose: str | None = typer.Option(None, "--dose", help='Dose of each, e.g. "75 mg" (salt).'),
    every: str | None = typer.Option(None, "--every", help='Dosing interval, e.g. "24h".'),
    days: str | None = typer.Option(None, "--days", help="Regimen length in days (default 14)."),
    conc: str | None = typer.Option(None, "--conc",
                                    help='One unbound concentration for all, e.g. "10 nM".'),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    user_data: list[Path] | None = typer.Option(
        None, "--user-data", help="Your own compounds/activities (TOML or CSV; repeatable)."),
    show_all: bool = typer.Option(False, "--all", help="Show every target, not the top 15."),
    out: Path | None = typer.Option(None, "--out", help="Write the result here: the JSON object "
                                    "for a .json name, else the tidy table as CSV (never "
                                    "overwrites)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Occupancy of every target for each compound at the same regimen (or concentration)."""
    from neuromoa.data.compounds import use_user_data
    from neuromoa.engagement import compare_engagement
    from neuromoa.errors import NeuromoaWarning

    if (dose is None) == (conc is None):
        fail("give either --dose (with --every) or --conc.")
    if out is not None and out.exists():
        fail(f"{out} exists; choose another --out (neuromoa never overwrites your files).")
    with use_user_data(user_data or ()), warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuromoaWarning)
        frame = compare_engagement(compounds, dose=dose, every=every, days=days, conc=conc,
                                   base=base, kp_uu=kp_uu)
    ids = list(dict.fromkeys(frame["compound"]))
    condition = f"{dose} every {every}" if dose is not None and every else (dose or conc)
    doc = {"compounds": ids, "condition": condition, "rows": frame.to_dict(orient="records")}
    if out is not None:
        if out.suffix.lower() == ".json":
            out.write_text(json_text(doc), encoding="utf-8")
        else:
            frame.to_csv(out, index=False)
    if as_json:
        print_json(doc)
        return
    table = Table(title=f"Engagement side by side ({condition}; occupancy, unbound at target)")
    table.add_column("target")
    table.add_column("condition")
    for cid in ids:
        table.add_column(cid, justify="right")
    slots = list(dict.fromkeys(zip(frame["target"], frame["condition"], strict=True)))
    shown = slots if show_all else slots[:_TOP_ROWS]
    for target, cond in shown:
        sub = frame[(frame["target"] == target) & (frame["condition"] == cond)]
        cells = []
        for cid in ids:
            occ = float(sub.loc[sub["compound"] == cid, "occupancy"].iloc[0])
            cells.append("no data" if math.isnan(occ) else f"{occ:.2f}")
        table.add_row(target, cond if len(cond) <= 22 else cond[:21] + "…", *cells)
    console.print(table)
    if len(shown) < len(slots):
        console.print(f"{len(slots) - len(shown)} more target rows: --all, --json or --out.",
                      markup=False, highlight=False)
    if out is not None:
        console.print(f"wrote {out}", markup=False, highlight=False)
