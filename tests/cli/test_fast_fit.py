"""The fast path of ``neuromoa fit FILE.csv --json [--out FILE.json]`` (cli/main.py): the same
bytes on stdout, stderr and in the --out file, and the same exit code, as the typer command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

#: Runs the console script's entry point (fast path first, typer for the rest).
FAST = ("import sys; sys.argv = ['neuromoa', *sys.argv[1:]]; "
        "from neuromoa.cli.main import run; run()")
#: Runs the typer app directly (never the fast path).
TYPER = ("import sys; sys.argv = ['neuromoa', *sys.argv[1:]]; "
         "from neuromoa.cli.main import app; app()")
#: Ten half-log concentrations (M), as benchmarks/fit_cli.py.
CONC = 10.0 ** np.linspace(-10.0, -5.5, 10)


def _csv(path: Path, n: int, seed: int = 3, bad: dict[int, int] | None = None) -> Path:
    """A canonical CSV of n 4PL curves; ``bad`` = {curve: points kept} leaves some curves
    with too few points to fit (they fail)."""
    rng = np.random.default_rng(seed)
    lines = ["curve,concentration_M,response"]
    for i in range(n):
        c = rng.uniform(-8.5, -7.0)
        h = rng.uniform(-1.5, -0.7)
        y = 100.0 / (1.0 + 10.0 ** ((c - np.log10(CONC)) * h)) + rng.normal(0, 5, CONC.size)
        keep = (bad or {}).get(i, CONC.size)
        lines += [f"c{i},{float(x)!r},{v:.6g}" for x, v in zip(CONC[:keep], y[:keep], strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(code: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, cwd=cwd,
                          env=env, timeout=600)


def _same(tmp_path: Path, args: list[str], out_name: str | None = None) -> tuple:
    """Run both paths (each with its own --out file when ``out_name``); assert identical."""
    runs, files = [], []
    for label, code in (("fast", FAST), ("typer", TYPER)):
        a = list(args)
        if out_name is not None:
            target = tmp_path / label / out_name
            target.parent.mkdir(exist_ok=True)
            a += ["--out", str(target)]
        r = _run(code, a, tmp_path)
        runs.append(r)
        files.append(target.read_bytes() if out_name is not None and target.exists() else None)
    fast, slow = runs
    assert fast.returncode == slow.returncode, (fast.stderr, slow.stderr)
    assert fast.stdout == slow.stdout
    assert fast.stderr.replace(b"/fast/", b"/typer/") == slow.stderr
    assert files[0] == files[1]
    return fast, files[0]


def test_small_file_json_is_identical(tmp_path):
    path = _csv(tmp_path / "s.csv", 5)
    r, _ = _same(tmp_path, ["fit", str(path), "--json"])
    assert r.returncode == 0 and b'"fits"' in r.stdout and b'\n  "model"' in r.stdout


def test_json_and_out_file_are_identical(tmp_path):
    path = _csv(tmp_path / "s.csv", 4)
    r, written = _same(tmp_path, ["fit", str(path), "--json"], out_name="o.json")
    assert written is not None and written.startswith(b"{") and written == r.stdout


def test_large_file_streamed_json_is_identical(tmp_path):
    """Above 1,000 curves the command writes compact JSON streamed by the compiled writer."""
    path = _csv(tmp_path / "big.csv", 1100)
    r, written = _same(tmp_path, ["fit", str(path), "--json"], out_name="big.json")
    assert r.stdout.count(b'"curve":') == 1100 and b"\n  " not in r.stdout
    assert written == r.stdout


@pytest.mark.parametrize(("bad", "code"), [({1: 2}, 1), ({0: 2, 1: 2, 2: 1}, 2)])
def test_failed_curves_same_message_and_exit_code(tmp_path, bad, code):
    path = _csv(tmp_path / "f.csv", 3, bad=bad)
    r, _ = _same(tmp_path, ["fit", str(path), "--json"])
    assert r.returncode == code
    assert b"curve(s) failed: " in r.stderr and b"'c1'" in r.stderr and b"Traceback" not in r.stderr


@pytest.mark.parametrize("case", ["missing", "out_dir", "not_canonical", "csv_out", "model",
                                  "no_json", "bad_number"])
def test_errors_and_other_invocations_are_identical(tmp_path, case):
    path = _csv(tmp_path / "s.csv", 3)
    args = {"missing": ["fit", str(tmp_path / "nope.csv"), "--json"],
            "out_dir": ["fit", str(path), "--json", "--out", str(tmp_path / "no" / "o.json")],
            "model": ["fit", str(path), "--json", "--model", "3pl"],
            "no_json": ["fit", str(path)],
            "csv_out": ["fit", str(path), "--json", "--out", str(tmp_path / "o.csv"),
                        "--force"]}.get(case)
    if case == "not_canonical":  # a unit column: the full reader
        text = path.read_text().replace("concentration_M,response", "concentration,unit,response")
        lines = text.splitlines()
        lines[1:] = [f"{a},{b},M,{c}" for a, b, c in (ln.split(",") for ln in lines[1:])]
        (tmp_path / "u.csv").write_text("\n".join(lines) + "\n")
        args = ["fit", str(tmp_path / "u.csv"), "--json"]
    if case == "bad_number":
        (tmp_path / "b.csv").write_text(path.read_text().replace(",1e-10,", ",abc,", 1))
        args = ["fit", str(tmp_path / "b.csv"), "--json"]
    r, _ = _same(tmp_path, args)
    if case in ("missing", "out_dir"):
        assert r.returncode == 2
        assert r.stderr.startswith(b"error: ") and r.stderr.count(b"\n") == 1, r.stderr


def test_fast_path_imports_no_cli_framework(tmp_path):
    path = _csv(tmp_path / "s.csv", 3)
    code = ("import sys, atexit\n"
            "atexit.register(lambda: print(sorted(m for m in ('typer', 'rich', 'pydantic', "
            "'pandas', 'click', 'numba') if m in sys.modules), file=sys.stderr))\n" + FAST)
    r = _run(code, ["fit", str(path), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().strip().splitlines()[-1] == "[]"


def test_fast_path_arguments():
    from neuromoa.cli.main import _fast_fit_args

    assert _fast_fit_args(["a.csv", "--json"]) == ("a.csv", None)
    assert _fast_fit_args(["--json", "a.CSV", "--out", "o.json"]) == ("a.CSV", "o.json")
    assert _fast_fit_args(["a.csv", "--json", "--out=o.json"]) == ("a.csv", "o.json")
    for args in (["a.csv"], ["a.csv", "--json", "--json"], ["a.txt", "--json"],
                 ["a.csv", "b.csv", "--json"], ["a.csv", "--json", "--out", "o.csv"],
                 ["a.csv", "--json", "--model", "3pl"], ["a.csv", "--json", "--out"],
                 ["a.csv", "--json", "--help"]):
        assert _fast_fit_args(args) is None, args


def test_fast_path_constants_match_the_command():
    from neuromoa.cli import fit as cli_fit
    from neuromoa.cli.main import FAST_JSON_INDENT_MAX

    assert cli_fit.JSON_INDENT_MAX == FAST_JSON_INDENT_MAX
