"""The ``neuromoa`` command: a typer app assembled lazily from one module per command group.

Each command module exposes ``register(app)``; this file only lists them, with the one-line
help that ``neuromoa --help`` shows (a test checks it against each command's own help). A
command's module -- and the engines it needs (pandas, numba, libRoadRunner, matplotlib) -- is
imported only when that command runs, so ``neuromoa --help`` and ``neuromoa --version`` start
in a fraction of a second. Commands parse, make one library call, render, and exit: no formula
lives in the CLI.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["app", "run", "suggest"]

#: Top-level command name -> (the module that registers it, the one line --help shows), in the
#: order of ``neuromoa --help``.
_COMMANDS: dict[str, tuple[str, str]] = {
    "targets": ("targets", "List the targets of a compound with affinity, species, condition "
                           "and source."),
    "import-activities": ("targets", "Convert a GtoPdb or ChEMBL export into a user activities "
                                     "CSV for --user-data."),
    "engage": ("engage", "Fractional occupancy of every target, sorted, with its consequence."),
    "occupancy-course": ("engage", "Occupancy of every target over the last dosing interval at "
                                   "steady state."),
    "sensitivity": ("sensitivity", "Which input drives a target's steady-state occupancy: Sobol "
                                   "indices (SALib) + MC interval."),
    "calibration": ("sensitivity", "Human-PET calibration: observed vs predicted occupancy "
                                   "before and after, per study."),
    "compare": ("compare", "Occupancy of every target for each compound at the same regimen (or "
                           "concentration)."),
    "exposure": ("exposure", "Plasma concentration-time course and metrics (Cmax, tmax, Cmin, "
                             "Cavg, AUC, t1/2)."),
    "population": ("population", "Steady-state levels of n virtual patients (genotype, "
                                 "covariates, variability)."),
    "dose": ("dose", "Daily dose (tablet strengths) whose population median lands in the range, "
                     "beside CPIC."),
    "tdm": ("tdm", "MAP individual clearance from measured levels, predicted steady state, dose "
                   "for the target."),
    "fit": ("fit", "Fit concentration–response curves (4PL, fixed/shared parameters, Fit Ki) "
                   "with SEs, 95 % CIs, flags and statuses."),
    "assay": ("assay", "Virtual SERT/NET uptake and M1 binding assays: simulate plates, analyse "
                       "plates (simulated or your own), round trips."),
    "ephys": ("ephys", "Ion-channel block: voltage clamp, experiment, ABF analysis, neuron F–I, "
                       "Myokit export."),
    "cardiac": ("cardiac", "Cardiac risk: channel block, the ORd ventricular cell, QRS and QT."),
    "systems": ("systems", "Systems models: synapse and adaptation, receptor antagonism "
                           "(Schild), NMDA block, Trk signalling; SBML export."),
    "report": ("report", "Write the report: DIR/index.html (self-contained) and DIR/figures/."),
    "pathways": ("pathways", "Write the three pathway diagrams (SVG, PNG, SBGN-ML) generated "
                             "from the knowledge base."),
    "db": ("db", "The results store's database: upgrade, current revision, check."),
    "runs": ("runs", "Runs recorded in the results store: list, show, export, rerun."),
    "serve": ("serve", "Serve the web app: upload curves, plates and ABF files; history; "
                       "re-run; calculator."),
}
#: Command modules, in the order their commands appear in --help.
_MODULES: list[str] = list(dict.fromkeys(module for module, _ in _COMMANDS.values()))


def suggest(word: str, choices: Any, what: str) -> str:
    """``unknown <what> 'word'.`` plus "Did you mean ...?" when a choice is close (difflib)."""
    from neuromoa.errors import did_you_mean

    return f"unknown {what} {word!r}.{did_you_mean(word, choices)}"


def _load(ctx: Any, name: str) -> Any:
    """Import the command's module and return its click command."""
    module = importlib.import_module(f"neuromoa.cli.{_COMMANDS[name][0]}")
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    module.register(holder)
    return typer.main.get_group(holder).get_command(ctx, name)


class _LazyGroup(TyperGroup):
    """Lists every command from :data:`_COMMANDS`; imports one only when it is invoked."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*_COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in _COMMANDS:
            return None
        try:
            command = _load(ctx, cmd_name)
        except ImportError as exc:  # an optional engine of this command is not installed
            from neuromoa.errors import missing_extra

            err = missing_extra(exc)
            if err is None:
                raise
            from neuromoa.cli._common import fail

            fail(str(err))
        if command is not None:
            self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx: Any, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            ctx.fail(suggest(name, self.list_commands(ctx), "command")
                     + " neuromoa --help lists them.")
        return super().resolve_command(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # click's plain layout (not typer's rich panels, which would import every command)
        super(TyperGroup, self).format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, self.commands[name].get_short_help_str(limit=formatter.width)
                 if name in self.commands else _COMMANDS[name][1])
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="neuromoa",
    cls=_LazyGroup,
    help="The neuronal mechanism of action of tricyclic antidepressants, executable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("neuromoa")
        except PackageNotFoundError:  # a source tree that was never installed
            text = "unknown (not installed)"
        sys.stdout.write(f"neuromoa {text}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    user_data: list[str] = typer.Option(
        [], "--user-data", help="Your own compound (user-data TOML: identity, PK, affinities) "
                                "or kb CSV, for every command (repeatable; also "
                                "$NEUROMOA_USER_DATA)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
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


_REGISTERED: set[str] = set()


def _register_all(argv: list[str] | None = None) -> None:
    """Register command modules on :data:`app` eagerly (for in-process runners such as tests).

    With ``argv`` naming a command, only its module; otherwise every module. The console script
    does not need this: the group loads a command's module when it is invoked.
    """
    args = sys.argv[1:] if argv is None else argv
    first = next((a for a in args if not a.startswith("-")), None)
    wanted = [_COMMANDS[first][0]] if first in _COMMANDS else _MODULES
    for name in wanted:
        if name not in _REGISTERED:
            importlib.import_module(f"neuromoa.cli.{name}").register(app)
            _REGISTERED.add(name)


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
