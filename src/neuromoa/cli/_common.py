"""Helpers every command module shares: JSON output and the one-line error exit."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from neuromoa.errors import NeuromoaError

__all__ = ["console", "err_console", "fail", "handle_errors", "print_json"]

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


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (NaN and inf become null, numpy becomes lists)."""
    sys.stdout.write(json.dumps(_json_safe(obj), indent=2, allow_nan=False) + "\n")


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

    return wrapper  # type: ignore[return-value]
