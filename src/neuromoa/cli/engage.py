"""``neuromoa engage``: which targets a compound engages, and how much, at a concentration or dose."""

from __future__ import annotations

import typer
from rich.table import Table

from neuromoa.cli._common import console, handle_errors, print_json
from neuromoa.engagement import engage as engage_compound
from neuromoa.units import format_molar

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``engage`` command to ``app``."""
    app.command("engage")(engage)


#: Characters of a consequence / condition shown in the table (the JSON has all of it).
_CONSEQUENCE_CHARS = 60
_CONDITION_CHARS = 13


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


@handle_errors
def engage(
    compound: str = typer.Option("amitriptyline", "--compound", "-c", help="Compound name."),
    conc: str | None = typer.Option(None, "--conc",
                                    help='Unbound concentration at the target, e.g. "3.45 nM".'),
    plasma: str | None = typer.Option(None, "--plasma",
                                      help='Total plasma concentration, e.g. "80 ng/mL" '
                                           "(converted with fu and Kp,uu)."),
    dose: str | None = typer.Option(None, "--dose", help='Dose, e.g. "150 mg" (HCl salt).'),
    every: str | None = typer.Option(None, "--every", help='Dosing interval, e.g. "24h".'),
    days: str | None = typer.Option(None, "--days", help="Regimen length in days (default 14)."),
    base: bool = typer.Option(False, "--base", help="The dose is the free base, not the salt."),
    species: str = typer.Option("human", "--species", help="Preferred species of the values."),
    source: str | None = typer.Option(None, "--source",
                                      help='Select non-default values, e.g. "tatsumi1997".'),
    kp_uu: float = typer.Option(1.0, "--kp-uu", help="Unbound brain / unbound plasma ratio."),
    target: list[str] | None = typer.Option(None, "--target", "-t",
                                            help="Show only this target (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fractional occupancy of every target, sorted, with its consequence."""
    result = engage_compound(compound, conc=conc, plasma=plasma, dose=dose, every=every,
                             days=days, base=base, species=species, source=source, kp_uu=kp_uu,
                             targets=target or None)
    if as_json:
        print_json(result.to_dict())
        return
    unbound = ", ".join(f"{k} {format_molar(v)}" for k, v in result.unbound_M.items())
    title = f"{result.compound} — unbound at the targets: {unbound}"
    if result.exposure is not None:
        title += f" ({result.exposure['description']}, steady state)"
    table = Table(title=title, caption=("by compound: " + " + ".join(result.unbound_M))
                  if len(result.unbound_M) > 1 else None)
    several = len(result.unbound_M) > 1
    rows = [(row.target, _short(row.condition or "", _CONDITION_CHARS), f"{row.occupancy:.3f}",
             f"{row.occupancy_low:.2f}–{row.occupancy_high:.2f}", format_molar(row.k_M),
             *([" + ".join(f"{v:.2f}" for v in row.occupancy_by_compound.values())]
               if several else []),
             _short(row.consequence, _CONSEQUENCE_CHARS))
            for row in result.targets.itertuples()]
    for col in ("target", "condition", "occ.", "low–high", "K", *(["by compound"] if several
                                                                 else [])):
        table.add_column(col, no_wrap=True)
    table.add_column("consequence")
    for r in rows:
        table.add_row(*r)
    console.print(table)
    if result.safety is not None and not result.safety.empty:
        st = Table(title="Cardiac safety margins (IC50 / unbound Cmax; threshold 30, Redfern 2003)")
        for col in ("target", "condition", "IC50", "unbound Cmax", "margin",
                    "combined margin", "combined block", "flag"):
            st.add_column(col, overflow="fold")
        for row in result.safety.itertuples():
            st.add_row(row.target, row.condition, format_molar(row.ic50_M),
                       format_molar(row.cmax_unbound_M), f"{row.margin:.0f}",
                       f"{row.combined_margin:.0f}", f"{row.combined_block:.4f}", row.flag)
        console.print(st)
        for row in result.safety.itertuples():
            if row.note:
                console.print(f"{row.target} ({row.condition}): {row.note}", highlight=False)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
