"""Safe outputs (issue 17, item 4): the report folder is checked first, written into a
temporary folder and renamed into place; a user's folder is refused; Ctrl-C at any step leaves
the previous complete output (or nothing); two writers do not mix."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.errors import OutputError
from neuromoa.report import ReportConfig, Step, build_report
from neuromoa.report.figures import FigureStore
from neuromoa.report.output import MARKER, check_output_dir

runner = CliRunner()
_register_all([])

CONFIG = ReportConfig(doses=("10 mg",), quick=True, seed=3)


def _steps(tag: str) -> list[Step]:
    return [Step(f"s{i}", f"step {i}", (), "returns a value", run=lambda c, o, i=i: f"{tag}{i}")
            for i in range(3)]


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _no_leftovers(parent: Path) -> None:
    stray = [p.name for p in parent.iterdir() if p.name.startswith(".")]
    assert stray == [], stray


def test_defect_report_overwrites_a_users_folder(tmp_path):
    mine = tmp_path / "A"
    (mine / "figures").mkdir(parents=True)
    (mine / "index.html").write_text("my page")
    (mine / "report.json").write_text("{}")
    (mine / "figures" / "mine.svg").write_text("<svg/>")
    before = _snapshot(mine)
    t0 = time.perf_counter()
    res = runner.invoke(app, ["report", "--out", str(mine), "--quick"])
    assert res.exit_code == 2
    assert "not a neuromoa output" in res.output and "--force" in res.output
    assert time.perf_counter() - t0 < 30  # refused before the computation (a full one is longer)
    assert _snapshot(mine) == before


@pytest.mark.parametrize("how", ["file", "under_file"])
def test_defect_output_path_fails_after_the_computation(tmp_path, how):
    f = tmp_path / "afile"
    f.write_text("x")
    out = f if how == "file" else f / "sub" / "report"
    res = runner.invoke(app, ["report", "--out", str(out), "--quick"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert ("a file of that name exists" in res.output or "is a file" in res.output)
    assert f.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_defect_read_only_output_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="not writable"):
            check_output_dir(ro / "report")
    finally:
        ro.chmod(0o700)


def test_earlier_output_replaced_whole_and_force(tmp_path):
    out = tmp_path / "r"
    build_report(out, CONFIG, steps=_steps("a"), sections=[])
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    (out / "stale.txt").write_text("from an earlier run")
    build_report(out, CONFIG, steps=_steps("b"), sections=[])
    assert not (out / "stale.txt").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(OutputError):
        build_report(mine, CONFIG, steps=_steps("a"), sections=[])
    build_report(mine, CONFIG, steps=_steps("a"), sections=[], force=True)
    assert not (mine / "notes.txt").exists() and (mine / "index.html").is_file()
    _no_leftovers(tmp_path)


def _interrupt_points():
    # progress calls: 3 steps + "writing files" (no sections) = calls 0..3; then file writes
    return [("progress", k) for k in range(4)] + [("figures", 0), ("index", 0), ("json", 0),
                                                   ("marker", 0)]


@pytest.mark.parametrize("previous", [True, False])
@pytest.mark.parametrize(("where", "k"), _interrupt_points())
def test_defect_interrupt_leaves_a_mix_of_two_runs(tmp_path, monkeypatch, previous, where, k):
    """KeyboardInterrupt at every step: the previous complete output, or nothing."""
    out = tmp_path / "r"
    if previous:
        build_report(out, CONFIG, steps=_steps("old"), sections=[])
    before = _snapshot(out)
    calls = {"n": 0}

    def progress(desc, done, total):
        if where == "progress" and calls["n"] == k:
            raise KeyboardInterrupt
        calls["n"] += 1

    real_write_text = Path.write_text

    def write_text(self, data, *a, **kw):
        name = {"index": "index.html", "json": "report.json", "marker": MARKER}.get(where)
        if self.name == name:
            real_write_text(self, data[: len(data) // 2], *a, **kw)  # half written, then ^C
            raise KeyboardInterrupt
        return real_write_text(self, data, *a, **kw)

    def figures_write(self, folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", write_text)
    if where == "figures":
        monkeypatch.setattr(FigureStore, "write", figures_write)
    with pytest.raises(KeyboardInterrupt):
        build_report(out, CONFIG, steps=_steps("new"), sections=[], progress=progress)
    assert _snapshot(out) == before
    _no_leftovers(tmp_path)


_WRITER = textwrap.dedent("""
    import sys, time
    from neuromoa.report import ReportConfig, Step, build_report
    steps = [Step(f"s{i}", f"step {i}", (), "sleeps", run=lambda c, o: time.sleep(0.15) or 1)
             for i in range(int(sys.argv[2]))]
    def progress(desc, done, total):
        print("progress", done, flush=True)
    build_report(sys.argv[1], ReportConfig(doses=("10 mg",), quick=True), steps=steps,
                 sections=[], progress=progress)
    print("done", flush=True)
""")


def _start(out: Path, n_steps: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(out), str(n_steps)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("at_progress", [0, 2, 4])
def test_sigint_to_a_writing_process_leaves_the_previous_output(tmp_path, at_progress):
    out = tmp_path / "r"
    build_report(out, CONFIG, steps=_steps("old"), sections=[])
    before = _snapshot(out)
    proc = _start(out, 6)
    for line in proc.stdout:
        if line.strip() == f"progress {at_progress}":
            proc.send_signal(signal.SIGINT)
            break
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert _snapshot(out) == before
    _no_leftovers(tmp_path)


def test_two_concurrent_writers(tmp_path):
    out = tmp_path / "r"
    first = _start(out, 12)
    assert first.stdout.readline().startswith("progress")  # it holds the lock now
    t0 = time.perf_counter()
    with pytest.raises(OutputError, match=r"another neuromoa process \(pid \d+\) is writing"):
        build_report(out, CONFIG, steps=_steps("second"), sections=[])
    assert time.perf_counter() - t0 < 5
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert (out / MARKER).is_file() and not (out / ".r.lock").exists()
    build_report(out, CONFIG, steps=_steps("third"), sections=[])  # the lock was released


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "r"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / ".r.lock").write_text(dead + "\n")
    build_report(out, CONFIG, steps=_steps("a"), sections=[])
    assert (out / "index.html").is_file()
    _no_leftovers(tmp_path)
