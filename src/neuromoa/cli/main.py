"""The ``neuromoa`` command: a typer app assembled from one module per command group.

Each command module exposes ``register(app)``; this file only lists them. Commands parse,
make one library call, render, and exit: no formula lives in the CLI.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="neuromoa",
    help="Amitriptyline's neuronal mechanism of action, executable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order their commands appear in --help.
_MODULES: list[str] = ["targets", "engage", "exposure", "fit", "assay", "ephys", "systems", "report",
                      "db", "runs", "serve"]

#: Top-level command name -> the module that registers it. When the first argument names a
#: command, only its module is imported, so `neuromoa fit` does not pay for libRoadRunner.
_COMMANDS: dict[str, str] = {
    "targets": "targets", "import-activities": "targets", "engage": "engage",
    "occupancy-course": "engage",
    "exposure": "exposure", "fit": "fit", "assay": "assay", "ephys": "ephys",
    "systems": "systems", "report": "report", "pathways": "report",
    "db": "db", "runs": "runs", "serve": "serve",
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
def _root() -> None:
    """neuromoa: knowledge base, exposure, engagement, fitting, virtual assays, ephys, systems, report."""


def run() -> None:
    """Console-script entry point."""
    _register_all()
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
