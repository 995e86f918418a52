"""Shared helpers of the reader tests: the fixture folder, the shared Prism files, the CLI."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

FIXTURES = Path(__file__).parent / "fixtures"
#: Real Prism files (MIT, pzfx R package test data; see their README and LICENSE).
SHARED_PZFX = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pzfx"

_register_all([])
_runner = CliRunner()


def run_fit(*args):
    """``neuromoa fit ARGS`` in-process; returns the click Result."""
    return _runner.invoke(app, ["fit", *map(str, args)])


def shared_pzfx(name: str) -> Path:
    """A file of the shared Prism folder; skips (only this test) when the folder is absent."""
    for base in (SHARED_PZFX, Path("/work/shared/data/pzfx")):
        if (base / name).exists():
            return base / name
    pytest.skip(f"shared Prism file {name} not present")
