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
_MODULES: list[str] = ["targets", "engage", "exposure", "ephys", "systems", "assay", "fit"]


def _register_all() -> None:
    import importlib

    for name in _MODULES:
        importlib.import_module(f"neuromoa.cli.{name}").register(app)


@app.callback()
def _root() -> None:
    """neuromoa: knowledge base, exposure, engagement, fitting, virtual assays, ephys, systems, report."""


def run() -> None:
    """Console-script entry point."""
    _register_all()
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
