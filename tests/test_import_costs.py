"""What the fast commands do not import: pint without dask (units.py), engage without the
exposure models' heavy parts at option time (cli/_patient.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest


def _modules_after(code: str) -> list[str]:
    probe = (code + "\nimport sys\nprint(sorted(m for m in ('dask', 'dask.base', 'pint', "
             "'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=300, check=True)
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own printed list


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask not installed")
def test_pint_through_units_does_not_import_dask_and_dask_still_works():
    code = ("from neuromoa import units\nq = units._registry().Quantity(3, 'nM').to('M')\n"
            "assert abs(q.magnitude - 3e-9) < 1e-21\n")
    assert _modules_after(code) == ["pint"]
    code += ("import pint.compat, dask, dask.base\n"
             "assert dask.base.compute is not pint.compat.compute\n"
             "assert pint.compat.compute(5) == (5,)\n"  # forwards to the real dask.base
             "assert dask.__spec__.origin.endswith('__init__.py')\n")
    assert _modules_after(code) == ["dask", "dask.base", "pint"]


def test_engage_command_imports_neither_dask_nor_numba():
    code = ("import sys\nsys.argv = ['neuromoa', 'engage', '--compound', 'amitriptyline', "
            "'--conc', '3.45 nM']\nfrom neuromoa.cli.main import run\n"
            "try:\n    run()\nexcept SystemExit as e:\n    assert not e.code, e.code\n")
    assert _modules_after(code) == ["pint"]
