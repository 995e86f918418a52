"""The ``neuromoa`` command: a typer app assembled lazily from one module per command group.

Each command module exposes ``register(app)``; this file only lists them, with the one-line
help that ``neuromoa --help`` shows (a test checks it against each command's own help). A
command's module -- and the engines it needs (pandas, numba, libRoadRunner, matplotlib) -- is
imported only when that command runs, so ``neuromoa --help`` and ``neuromoa --version`` start
in a fraction of a second. Commands parse, make one library call, render, and exit: no formula
lives in the CLI.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["app", "run", "suggest"]  # noqa: F822 - app comes from cli/_app.py (__getattr__)

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


#: Names this module lends from :mod:`neuromoa.cli._app` (imported only when asked for: the
#: fast path below runs without typer, rich and pydantic).
_APP_NAMES = frozenset({"app", "_register_all", "_REGISTERED", "_LazyGroup", "_load", "_root",
                        "_version"})


def __getattr__(name: str) -> Any:
    if name in _APP_NAMES:
        from neuromoa.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the fast path of `neuromoa fit FILE.csv --json [--out FILE.json]` -------------------

#: Curves above which ``neuromoa fit`` writes its JSON compactly and streamed
#: (``neuromoa.cli.fit.JSON_INDENT_MAX``; a test checks they agree).
FAST_JSON_INDENT_MAX = 1000


def _fast_fit_args(args: list[str]) -> tuple[str, str | None] | None:
    """(FILE, --out value or None) when ``args`` (after ``fit``) are exactly FILE, --json and at
    most one --out FILE.json; None for anything else (typer handles it)."""
    file = out = None
    as_json = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--json" and not as_json:
            as_json = True
        elif a == "--out" and out is None and i + 1 < len(args):
            out = args[i + 1]
            i += 1
        elif a.startswith("--out=") and out is None:
            out = a[len("--out="):]
        elif not a.startswith("-") and file is None:
            file = a
        else:
            return None
        i += 1
    if file is None or not as_json or not file.lower().endswith(".csv"):
        return None
    if out is not None and (not out or out.startswith("-") or
                            not out.lower().endswith(".json")):
        return None
    return file, out


def _fast_fit(args: list[str]) -> int | None:
    """Run ``neuromoa fit FILE.csv --json [--out FILE.json]`` on a canonical CSV (see
    :mod:`neuromoa.fitting._fastcsv`) without importing typer, rich, pydantic or pandas, and
    return the exit code; None when this invocation is not one of these (typer runs it).

    The output is that of :mod:`neuromoa.cli.fit` byte for byte (the same library calls:
    :func:`neuromoa.fitting.frame.fit_canonical_csv` with the command's defaults and the JSON
    writers of :mod:`neuromoa.fitting.jsonout`); tests compare the two paths. A file the fast
    reader does not take, an error, or a terminal on stderr (the command shows a progress bar
    there) goes to typer, which does everything again and says what is wrong."""
    parsed = _fast_fit_args(args)
    if parsed is None or sys.stderr.isatty():
        return None
    file, out = parsed
    from pathlib import Path

    if out is not None and Path(out).exists():
        return None  # typer refuses to overwrite it without --force, in one line

    from neuromoa.errors import NeuromoaError
    from neuromoa.fitting.frame import fit_canonical_csv

    try:
        res = fit_canonical_csv(Path(file), "4pl", unit=None, fix=None, share=(),
                                weights="none", ci="asymptotic", se="gauss-newton", bounds=None,
                                outliers=None, progress=None)
    except (NeuromoaError, OSError):
        return None
    if res is None:
        return None
    from neuromoa.fitting.jsonout import to_json, write_json

    big = len(res) > FAST_JSON_INDENT_MAX
    if out is not None:
        try:
            if big:
                with Path(out).open("wb") as fh:
                    write_json(res, fh)
                    fh.write(b"\n")
            else:
                Path(out).write_text(to_json(res, indent=2) + "\n")
        except OSError:
            return None  # typer repeats the write and reports it in one line
    if big:
        sys.stdout.flush()
        write_json(res, sys.stdout.buffer)
        sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(to_json(res, indent=2) + "\n")
    failed = [i for i, st in enumerate(res.status) if st == "failed"]
    if not failed:
        return 0
    from neuromoa.cli._common import err_console  # the command's console: the same line

    ids = ", ".join(repr(str(res.curve_ids[i])) for i in failed[:20])
    more = f" and {len(failed) - 20} more" if len(failed) > 20 else ""
    err_console.print(f"{len(failed)} of {len(res)} curve(s) failed: {ids}{more}",
                      markup=False, highlight=False)
    return 2 if len(failed) == len(res) else 1


def run() -> None:
    """Console-script entry point (``neuromoa fit FILE.csv --json`` first tries the fast
    path; everything else is the typer app)."""
    argv = sys.argv[1:]
    if argv[:1] == ["fit"]:
        code = _fast_fit(argv[1:])
        if code is not None:
            sys.stdout.flush()
            raise SystemExit(code)
    from neuromoa.cli._app import app

    app()


if __name__ == "__main__":  # pragma: no cover
    run()
