"""The layers contract of DESIGN.md can fail: each of its former holes now breaks lint-imports.

Each test copies the package to a temporary folder, writes one violating module (or removes a
layer), and runs ``lint-imports`` on the copy with the repository's own contract. A control run
with the contract loosened the old way (layers optional, not exhaustive, no root-import rule)
shows that the violation is caught by the setting under test and not by something else.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "neuromoa"
PYPROJECT = ROOT / "pyproject.toml"
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports")

# DESIGN.md's layers, bottom first; the contract may list only the packages that exist.
DESIGN_LAYERS = [
    {"errors"},
    {"units", "data"},
    {"pharmacology", "kinetics", "parallel"},
    {"kb", "fitting", "exposure", "channels", "io", "store"},
    {"engagement", "dosing", "assays", "ephys", "cardiac", "systems"},
    {"pathways"},
    {"report"},
    {"cli", "web"},
]


def _contract(name: str) -> dict:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == name)


def _children() -> set[str]:
    return {p.stem if p.is_file() else p.name for p in SRC.iterdir()
            if (p.is_file() and p.suffix == ".py" and p.name != "__init__.py")
            or (p.is_dir() and (p / "__init__.py").exists())}


def test_layers_follow_design_and_are_strict():
    layers = _contract("DESIGN layers")
    assert layers["containers"] == ["neuromoa"]
    assert layers["exhaustive"] is True
    listed = [set(re.split(r"\s*\|\s*", layer.strip())) for layer in layers["layers"]]
    assert not any("(" in name or ":" in name for group in listed for name in group), (
        "every layer must be required (no parentheses) and siblings independent (|)")
    # top first in the contract; DESIGN's order bottom first, with absent packages dropped
    expected = [group & _children() for group in DESIGN_LAYERS]
    assert listed[::-1] == [g for g in expected if g]
    assert set().union(*listed) == _children()


# ---------------------------------------------------------------- the three holes
def _loose(text: str) -> str:
    """The contract as it was: optional layers, not exhaustive, no rule on the root package."""
    text = text.replace("exhaustive = true", "exhaustive = false")
    text = re.sub(r'^    "([^"]+)",$',
                  lambda m: '    "' + " | ".join(f"({n.strip()})" for n in m.group(1).split("|"))
                  + '",', text, flags=re.M)
    return text.split("# The root package's lazy __getattr__")[0]


def _lint(tmp_path: Path, loose: bool = False) -> subprocess.CompletedProcess:
    config = tmp_path / "contract.toml"
    text = PYPROJECT.read_text()
    config.write_text(_loose(text) if loose else text)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    return subprocess.run([LINT, "--no-cache", "--config", str(config)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(SRC, tmp_path / "src" / "neuromoa",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return tmp_path


pytestmark = pytest.mark.skipif(LINT is None, reason="lint-imports is in the [test] extra")


def test_the_copy_passes(copy: Path):
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_layer_fails(copy: Path):
    shutil.rmtree(copy / "src" / "neuromoa" / "pathways")
    assert _lint(copy, loose=True).returncode == 0  # the old optional layer let this through
    result = _lint(copy)
    assert result.returncode != 0
    assert "Missing layer" in result.stdout and "neuromoa.pathways" in result.stdout


def test_unlisted_module_importing_cli_fails(copy: Path):
    (copy / "src" / "neuromoa" / "extra.py").write_text("from neuromoa.cli import main\n")
    assert _lint(copy, loose=True).returncode == 0  # not exhaustive: an unlisted module passed
    result = _lint(copy)
    assert result.returncode != 0
    assert "neuromoa.extra" in result.stdout and "not listed as layers" in result.stdout


def test_import_through_root_package_fails(copy: Path):
    (copy / "src" / "neuromoa" / "pharmacology" / "bad.py").write_text(
        "from neuromoa import engage\n")
    assert _lint(copy, loose=True).returncode == 0  # the root's lazy __getattr__ hid it
    result = _lint(copy)
    assert result.returncode != 0
    assert "neuromoa.pharmacology.bad is not allowed to import neuromoa" in result.stdout


# ---------------------------------------------------------------- what the linter cannot see
def _root_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Lines importing the root package: import neuromoa, from neuromoa import x, importlib."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if a.name == "neuromoa"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "neuromoa":
            found.append((node.lineno, "from neuromoa import ..."))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"} and node.args:
                arg = node.args[0]
                text = (arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                        else ast.unparse(arg))
                if re.fullmatch(r"f?['\"]?neuromoa['\"]?", text.strip()):
                    found.append((node.lineno, f"{name}({text})"))
    return found


def test_root_import_scan_finds_each_form():
    source = ("import neuromoa\nfrom neuromoa import engage\nimport importlib\n"
              "importlib.import_module('neuromoa')\n__import__('neuromoa')\n"
              "from neuromoa.kb import load_kb\nimportlib.import_module('neuromoa.kb')\n")
    assert [line for line, _ in _root_imports(ast.parse(source))] == [1, 2, 4, 5]


def test_no_module_imports_the_root_package():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "__init__.py":
            continue  # the root's own lazy __getattr__, for users
        for line, what in _root_imports(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not offenders, "import the defining module instead:\n" + "\n".join(offenders)
