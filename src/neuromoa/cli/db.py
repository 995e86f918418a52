"""``neuromoa db``: create or upgrade the results store's schema (Alembic, shipped in the package)."""

from __future__ import annotations

from typing import Annotated

import typer

from neuromoa.cli._common import DbOption, console, handle_errors, print_json, with_out

__all__ = ["DbOption", "register"]

db_app = typer.Typer(help="The results store's database: upgrade, current revision, check.",
                     no_args_is_help=True)


@db_app.command("upgrade")
@with_out
@handle_errors
def upgrade(db: DbOption = None,
            revision: Annotated[str, typer.Option(help="Target revision")] = "head",
            as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Apply the store's migrations (creates a new store; upgrades an older one in place)."""
    from neuromoa.store import Store

    store = Store(db, upgrade=False)
    before = store.current_revision()
    after = store.upgrade(revision)
    if as_json:
        print_json({"url": store._safe_url, "before": before, "after": after})
        return
    console.print(f"{store._safe_url}: revision {before or 'empty'} -> {after}",
                  markup=False, highlight=False)


@db_app.command("current")
@with_out
@handle_errors
def current(db: DbOption = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Show the store's schema revision and the revision this neuromoa needs."""
    from neuromoa.store import Store

    store = Store(db, upgrade=False)
    info = {"url": store._safe_url, "current": store.current_revision(),
            "head": store.head_revision(), "blob_dir": str(store.blob_dir)}
    if as_json:
        print_json(info)
        return
    for k, v in info.items():
        console.print(f"{k}: {v}", markup=False, highlight=False)


@db_app.command("check")
@with_out
@handle_errors
def check(db: DbOption = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Check the store's consistency (result rows and blob files of every run)."""
    from neuromoa.cli._common import fail
    from neuromoa.store import Store

    store = Store(db)
    problems = store.check()
    if as_json:
        print_json({"runs": store.count_runs(), "problems": problems})
    if problems:
        fail(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
    if not as_json:
        console.print(f"{store.count_runs()} runs, consistent", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
