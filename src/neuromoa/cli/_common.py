"""Helpers every command module shares: JSON output and the one-line error exit."""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from neuromoa.errors import NeuromoaError, missing_extra

__all__ = ["DbOption", "StoreFlag", "console", "err_console", "fail", "handle_errors",
           "print_json", "with_out"]

#: The ``--db`` option every store-aware command shares (here, not in cli/db.py, so that an
#: analysis command does not import the store commands' modules).
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Store URL (sqlite:///file.db, postgresql+psycopg://user@host/db); "
                 "default $NEUROMOA_DB_URL, else neuromoa.db in the platform data folder.")]

#: The ``--store`` flag every analysis command shares.
StoreFlag = Annotated[bool, typer.Option(
    "--store", help="Record this run (inputs, parameters, results) in the results store "
                    "(--db or $NEUROMOA_DB_URL).")]

#: Width used when stdout is not a terminal (pipes, CI logs): wide enough for our tables.
_PIPE_WIDTH = 160

# markup=False: every string shown is text, never rich markup, so a user's name such as
# "[red]x" or "[/bold]" is printed as written (issue 17); no command uses markup on purpose.
console = (Console(markup=False) if sys.stdout.isatty()
           else Console(width=_PIPE_WIDTH, markup=False))
err_console = (Console(stderr=True, markup=False) if sys.stderr.isatty()
               else Console(stderr=True, width=_PIPE_WIDTH, markup=False))

F = TypeVar("F", bound=Callable[..., Any])


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return _json_safe(obj.item())
    if hasattr(obj, "tolist"):  # numpy array
        return _json_safe(obj.tolist())
    return obj


#: Where the running command's JSON result goes (set by ``--out``; None = stdout).
_OUT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("neuromoa_out", default=None)


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (NaN and inf become null, numpy becomes lists).

    Under ``--out FILE`` (see :func:`with_out`) the JSON goes to FILE instead, which must not
    exist yet (a user's file is never overwritten), and stdout says where it went.
    """
    text = json.dumps(_json_safe(obj), indent=2, allow_nan=False) + "\n"
    out = _OUT.get()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        with open(out, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        fail(f"{out} exists; choose another --out or remove it (it is never overwritten).")
    sys.stdout.write(f"wrote {out}\n")


def with_out(func: F) -> F:
    """Give a command that prints a result an ``--out FILE`` option: the JSON result to FILE.

    The command must have a ``--json`` flag (parameter ``as_json``) and print its JSON with
    :func:`print_json`; ``--out`` turns the flag on and sends that JSON to the file.
    """
    sig = inspect.signature(func, eval_str=True)  # typer reads the evaluated annotations
    if "as_json" not in sig.parameters or "out" in sig.parameters:
        raise TypeError(f"with_out: {func.__name__} needs an as_json flag and no out parameter")
    option = typer.Option(None, "--out", help="Write the JSON result to this file (it must not "
                                              "exist; never overwritten).")
    extra = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=option,
                              annotation=Path | None)

    @functools.wraps(func)
    def wrapper(*args: Any, out: Path | None = None, **kwargs: Any) -> Any:
        if out is None:
            return func(*args, **kwargs)
        if Path(out).exists():
            fail(f"{out} exists; choose another --out or remove it (it is never overwritten).")
        token = _OUT.set(Path(out))
        try:
            return func(*args, **{**kwargs, "as_json": True})
        finally:
            _OUT.reset(token)

    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**getattr(func, "__annotations__", {}), "out": Path | None}
    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int = 2) -> None:
    """Print one line to stderr and exit non-zero."""
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Decorator: a user mistake (NeuromoaError, FileNotFoundError) becomes one line, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NeuromoaError as exc:
            fail(str(exc))
        except FileNotFoundError as exc:
            fail(f"file not found: {exc.filename or exc}")
        except ImportError as exc:  # an optional engine (neuromoa[systems], [report], ...)
            err = missing_extra(exc)
            if err is None:
                raise
            fail(str(err))

    return wrapper  # type: ignore[return-value]
