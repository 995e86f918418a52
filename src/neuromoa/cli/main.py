"""The ``neuromoa`` command: a typer app assembled from one module per command group.

Each command module exposes ``register(app)``; this file only lists them. Commands parse,
make one library call, render, and exit: no formula lives in the CLI.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="neuromoa",
    help="The neuronal mechanism of action of tricyclic antidepressants, executable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order their commands appear in --help.
_MODULES: list[str] = ["targets", "engage", "sensitivity", "compare", "exposure", "population",
                       "dose", "tdm", "fit", "assay", "ephys", "cardiac", "systems", "report"]

#: Top-level command name -> the module that registers it. When the first argument names a
#: command, only its module is imported, so `neuromoa fit` does not pay for libRoadRunner.
_COMMANDS: dict[str, str] = {
    "targets": "targets", "import-activities": "targets", "engage": "engage",
    "occupancy-course": "engage", "sensitivity": "sensitivity", "calibration": "sensitivity",
    "compare": "compare",
    "exposure": "exposure", "population": "population", "dose": "dose", "tdm": "tdm",
    "fit": "fit", "assay": "assay", "ephys": "ephys", "cardiac": "cardiac",
    "systems": "systems", "report": "report", "pathways": "report",
}


_REGISTERED: set[str] = set()


def _register_all(argv: list[str] | None = None) -> None:
    import importlib
    import sys

    args = sys.argv[1:] if argv is None else argv
    first = next((a for a in args if not a.startswith("-")), None)
    wanted = [_COMMANDS[first]] if first in _COMMANDS else _MODULES
    for name in wanted:
        if name not in _REGISTERED:
            importlib.import_module(f"neuromoa.cli.{name}").register(app)
            _REGISTERED.add(name)


@app.callback()
def _root(
    ctx: typer.Context,
    user_data: list[str] = typer.Option(
        [], "--user-data", help="Your own compound (user-data TOML: identity, PK, affinities) "
                                "or kb CSV, for every command (repeatable; also "
                                "$NEUROMOA_USER_DATA)."),
) -> None:
    """neuromoa: knowledge base, exposure, engagement, fitting, virtual assays, ephys, systems, report."""
    if user_data:
        from neuromoa.cli._common import fail
        from neuromoa.data.compounds import use_user_data
        from neuromoa.errors import NeuromoaError

        try:
            ctx.with_resource(use_user_data(user_data))
        except NeuromoaError as exc:
            fail(str(exc))


def run() -> None:
    """Console-script entry point."""
    _register_all()
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
