"""Every command the README shows runs, in a temporary folder, and leaves the repository clean.

Each ```bash / ```sh block of README.md is one test: its commands run in order (one shell each,
so a failing command is named) in a temporary folder laid out like the repository root
(its tracked folders and ``../shared`` are links to the real ones, read only), exactly as a
user pastes them from the root. Checked for each command:

* exit status 0, or 2 when the README shows ``# error: ...`` under it (``# exit: N`` for another);
* the README's ``# error:`` and ``# stderr:`` lines appear on stderr, ``# note:`` lines in the
  output;
* every file it creates is git-ignored (so pasting the README at the repository root leaves
  ``git status`` clean), and no tracked file of the repository changes.

Not run: ``make`` (it is what runs this suite), pytest itself, and system package installs.
Long blocks (the full report, 200-plate tables, benchmarks) are marked ``slow``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = (ROOT / ".." / "shared").resolve()
#: Seconds one command may take (the full report's target is 3 min on the 2-core machine).
TIMEOUT_S = 900
#: Commands the suite does not run, by their first word(s).
NOT_RUN = ("make ", "apt-get ", "sudo ",
           "neuromoa serve ")  # a server runs until stopped; tests/web drive it for real
#: A command is long (its block is marked slow) when it matches this.
LONG = re.compile(r"benchmarks/|--n 200|neuromoa report (?!.*--quick)|--million"
                  # blocks of 20-45 s each (measured): the 8-week adaptation, the ORd dose table,
                  # six-week synapse courses, 100-pulse trains, a never-seen compound end to end
                  r"|systems adaptation|neuromoa cardiac|systems synapse|--pulses 100"
                  r"|--user-data examples/user_compound.toml exposure")
#: An inline expectation after a command: ``cmd   # error: message``.
_INLINE_ERROR = re.compile(r"\s#\s*error:\s*(.*)$")
_EXPECT = re.compile(r"^#\s*(error|stderr|note|exit):\s*(.*)$")


@dataclass
class Command:
    line: int
    text: str
    expect_rc: int = 0
    expect_stderr: list[str] = field(default_factory=list)
    expect_output: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int
    commands: list[Command]

    @property
    def slow(self) -> bool:
        return any(LONG.search(c.text) for c in self.commands)


def _runs(text: str) -> bool:
    words = text.split()
    if not words or text.startswith(NOT_RUN) or "pytest" in words:
        return False
    return True


def parse_blocks(markdown: str) -> list[Block]:
    """The README's shell blocks as lists of commands (heredocs and continuations joined)."""
    lines = markdown.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if re.match(r"^```(bash|sh)\s*$", lines[i]):
            start, body = i + 1, []
            i += 1
            while not lines[i].startswith("```"):
                body.append((i + 1, lines[i]))
                i += 1
            blocks.append(Block(start, _commands(body)))
        i += 1
    return [b for b in blocks if b.commands]


def _commands(body: list[tuple[int, str]]) -> list[Command]:
    out: list[Command] = []
    k = 0
    while k < len(body):
        lineno, text = body[k]
        stripped = text.strip()
        k += 1
        expect = _EXPECT.match(stripped)
        if expect and out:
            kind, message = expect.groups()
            message = message.split("...")[0].strip()
            if kind == "error":
                out[-1].expect_rc = 2
            if kind == "exit":  # "# exit: 1 (why)": a documented non-zero status
                out[-1].expect_rc = int(message.split()[0])
                continue
            if message:
                (out[-1].expect_output if kind == "note" else out[-1].expect_stderr).append(message)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        parts = [text]
        heredoc = re.search(r"<<-?'?(\w+)'?", text)
        while parts[-1].rstrip().endswith("\\") and k < len(body):
            parts.append(body[k][1])
            k += 1
        if heredoc:
            while k < len(body) and body[k][1].strip() != heredoc.group(1):
                parts.append(body[k][1])
                k += 1
            parts.append(body[k][1])
            k += 1
        command = "\n".join(parts)
        if _runs(command.strip()):
            out.append(Command(lineno, command))
            inline = _INLINE_ERROR.search(parts[0]) if not heredoc else None
            if inline:
                out[-1].expect_rc = 2
                message = inline.group(1).split("...")[0].strip()
                if message:
                    out[-1].expect_stderr.append(message)
    return out


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_commands():
    """The parser finds the README's blocks (a broken parser must not pass silently)."""
    assert len(BLOCKS) >= 12
    texts = "\n".join(c.text for b in BLOCKS for c in b.commands)
    for expected in ("neuromoa report", "neuromoa targets", "neuromoa exposure", "neuromoa fit",
                     "neuromoa engage", "neuromoa assay", "neuromoa ephys", "neuromoa systems"):
        assert expected in texts, expected
    assert not re.search(r"^make |pytest", texts, re.M)


def test_first_screen_is_make_demo_and_make_test():
    first = README.read_text(encoding="utf-8").split("```bash", 1)[1].split("```", 1)[0]
    assert [ln.split("#")[0].strip() for ln in first.strip().splitlines()] == [
        "make demo", "make test"]


#: The repository's tracked top-level folders (src, benchmarks, examples, docs, ...), linked
#: into the sandbox so that the README's relative paths work as from the repository root.
LINKED = sorted({Path(f).parts[0] for f in subprocess.run(
    ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    if len(Path(f).parts) > 1})


def _sandbox(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    work.mkdir()
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    return work


def _git_status() -> str:
    """Status of what the sandbox links to (the only way a command could reach the repository)."""
    return subprocess.run(["git", "status", "--porcelain", "--", *LINKED], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def _created(work: Path) -> list[str]:
    links = set(LINKED)
    return sorted(p.name + ("/" if p.is_dir() else "") for p in work.iterdir()
                  if p.name not in links)


def _ignored(paths: list[str]) -> set[str]:
    if not paths:
        return set()
    out = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=ROOT,
                         capture_output=True, text=True)
    return set(out.stdout.split())


def _params():
    for block in BLOCKS:
        # Long blocks (benchmarks, full reports) run with `make test-readme`, not in `make test`:
        # together they take far longer than the suite's 10-minute budget on 2 cores.
        marks = [pytest.mark.slow, pytest.mark.readme_long] if block.slow else []
        yield pytest.param(block, id=f"README-line-{block.line}", marks=marks)


def _exports(text: str) -> dict[str, str] | None:
    """``{NAME: value}`` when the command is only ``export NAME=value ...``, else None."""
    words = shlex.split(text, comments=True)
    if len(words) < 2 or words[0] != "export" or not all(
            re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", w) for w in words[1:]):
        return None
    return dict(w.split("=", 1) for w in words[1:])


def test_exports_are_carried():
    assert _exports("export A=1 B='x y'  # note") == {"A": "1", "B": "x y"}
    assert _exports("neuromoa db upgrade") is None
    assert _exports("export A=1 && neuromoa x") is None


@pytest.mark.parametrize("block", list(_params()))
def test_readme_block(block: Block, tmp_path: Path):
    work = _sandbox(tmp_path)
    # XDG_DATA_HOME: the default results store (platformdirs) lives in this test's folder, never
    # in the user's own ~/.local/share/neuromoa
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "200", "MPLBACKEND": "Agg", "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    before = _git_status()
    for cmd in block.commands:
        if "../shared" in cmd.text and not SHARED.is_dir():
            pytest.skip(f"README line {cmd.line} reads ../shared, which is not checked out here")
        exported = _exports(cmd.text)
        if exported is not None:  # each command has its own shell: carry `export` to the next
            env.update(exported)
            continue
        res = subprocess.run(["bash", "-c", cmd.text], cwd=work, env=env, capture_output=True,
                             text=True, timeout=TIMEOUT_S)
        where = f"README line {cmd.line}: {cmd.text.splitlines()[0]}"
        assert res.returncode == cmd.expect_rc, f"{where}\n{res.stderr[-2000:]}"
        if cmd.expect_rc:
            assert "Traceback" not in res.stderr, where
        stderr = " ".join(res.stderr.split())
        for message in cmd.expect_stderr:
            assert " ".join(message.split()) in stderr, f"{where}: {message!r} not in {stderr!r}"
        output = " ".join((res.stdout + res.stderr).split())
        for message in cmd.expect_output:
            assert " ".join(message.split()) in output, f"{where}: {message!r} not in the output"
        created = _created(work)
        not_ignored = sorted(set(created) - _ignored(created))
        assert not not_ignored, (f"{where} writes {not_ignored}, which would show in git status "
                                 "when pasted at the repository root: write elsewhere or ignore")
    assert _git_status() == before, "a README command changed the repository"


def test_ignore_check_can_fail(tmp_path: Path):
    assert _ignored(["neuromoa-report/", "README.md", "plate.csv"]) == {"neuromoa-report/",
                                                                       "plate.csv"}


def test_shell_quoting_survives():
    """A command with quotes and a continuation is kept whole."""
    block = parse_blocks('```bash\nneuromoa a --x "1 nM" \\\n    --y 2\n# error: bad\n```\n')[0]
    assert shlex.split(block.commands[0].text.replace("\\\n", "")) == [
        "neuromoa", "a", "--x", "1 nM", "--y", "2"]
    assert block.commands[0].expect_rc == 2 and block.commands[0].expect_stderr == ["bad"]
