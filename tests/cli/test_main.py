"""The assembled `neuromoa` command: lazy loading, --version, one-line errors, missing extras."""

import subprocess
import sys
from importlib.metadata import version

import pytest

from neuromoa.cli import main


def _run(*args, pre="pass"):
    code = (f"import sys; {pre}; sys.argv = ['neuromoa', *{list(args)!r}]; "
            "from neuromoa.cli.main import run; run()")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)


def test_every_module_is_listed_for_its_commands():
    assert set(main._MODULES) == {module for module, _ in main._COMMANDS.values()}


def test_top_level_help_lists_every_command_without_importing_them():
    out = _run("--help")
    assert out.returncode == 0, out.stderr
    for command, (_, short) in main._COMMANDS.items():
        assert command in out.stdout, command
        assert short.split()[0] in out.stdout
    code = ("import sys; sys.argv = ['neuromoa', '--help']; from neuromoa.cli.main import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('pandas', 'scipy', 'numba', 'matplotlib', 'roadrunner', "
            "'pint') if m in sys.modules)\n"
            "cli = sorted(m for m in sys.modules if m.startswith('neuromoa.cli.') and "
            "m not in ('neuromoa.cli.main', 'neuromoa.cli._app'))\nprint(heavy, cli, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stderr.strip().splitlines()[-1] == "[] []"


def test_static_help_matches_each_command():
    """The one-liners --help shows without importing a command are the commands' own help."""
    import typer

    main._register_all([])
    group = typer.main.get_group(main.app)
    for name, (_, short) in main._COMMANDS.items():
        assert group.commands[name].get_short_help_str(limit=1000) == short, name


def test_a_command_loads_only_its_module():
    out = _run("fit", "--help", pre="import atexit; atexit.register(lambda: print(sorted("
               "m for m in sys.modules if m.startswith('neuromoa.cli.')), file=sys.stderr))")
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "['neuromoa.cli._app', 'neuromoa.cli._common', " \
                                                  "'neuromoa.cli.fit', 'neuromoa.cli.main']"


def test_version():
    out = _run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"neuromoa {version('neuromoa')}"


def test_unknown_command_fails_cleanly_with_a_suggestion():
    out = _run("engag")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "Did you mean 'engage'?" in out.stderr
    out = _run("no-such-command")
    assert out.returncode == 2 and "Did you mean" not in out.stderr


def test_suggest():
    assert main.suggest("SER", ["SERT", "NET", "H1"], "target") == (
        "unknown target 'SER'. Did you mean 'SERT'?")
    assert main.suggest("xyz", ["SERT"], "target") == "unknown target 'xyz'."


@pytest.mark.parametrize(("module", "args", "extra"), [
    ("roadrunner", ["systems", "trk"], "systems"),
    ("antimony", ["systems", "export-sbml", "--model", "trk", "--out", "{tmp}/m.xml"], "systems"),
    ("jinja2", ["report", "--quick", "--out", "{tmp}/r"], "report"),
])
def test_missing_extra_is_one_line(tmp_path, module, args, extra):
    """Simulate an install without the extra: the import fails, the CLI says what to install."""
    out = _run(*[a.format(tmp=tmp_path) for a in args], pre=f"sys.modules[{module!r}] = None")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"pip install 'neuromoa[{extra}]'" in lines[0]


def test_missing_extra_in_the_python_api(monkeypatch):
    from neuromoa.errors import MissingExtraError, require_extra

    monkeypatch.setitem(sys.modules, "pyabf", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'neuromoa\[ephys\]'"):
        require_extra("pyabf")
    with pytest.raises(ImportError):  # still an ImportError for code that catches that
        require_extra("pyabf")


# ---------------------------------------------------------------- uniform conventions
def _leaf_commands():
    import typer

    main._register_all([])
    found = {}

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = cmd

    walk(typer.main.get_group(main.app), [])
    return found


#: Commands that print no result: `serve` runs a web server until stopped.
NO_RESULT = {"serve"}


def test_every_command_has_json_and_out():
    missing = {name: [flag for flag in ("--json", "--out")
                      if not any(flag in p.opts for p in cmd.params)]
               for name, cmd in _leaf_commands().items() if name not in NO_RESULT}
    assert {k: v for k, v in missing.items() if v} == {}


def test_one_meaning_per_short_option():
    meaning: dict[str, set[str]] = {}
    for cmd in _leaf_commands().values():
        for p in cmd.params:
            longs = [o for o in p.opts if o.startswith("--")]
            for short in (o for o in p.opts if len(o) == 2):
                meaning.setdefault(short, set()).update(longs)
    assert {s: m for s, m in meaning.items() if len(m) > 1} == {}


@pytest.mark.parametrize(("args", "hint"), [
    (["targets", "--target", "SER"], "Did you mean 'SERT'?"),
    (["ephys", "export-myokit", "--channel", "nav-drgx", "--out", "{tmp}/m.mmt"],
     "Did you mean 'nav-drg'?"),
    (["engage", "--compound", "amitriptylin", "--conc", "3 nM"], "Did you mean"),
])
def test_did_you_mean(tmp_path, args, hint):
    out = _run(*[a.format(tmp=tmp_path) for a in args])
    assert out.returncode == 2, out.stderr
    assert hint in out.stderr and "Traceback" not in out.stderr


def test_out_writes_the_json_result_and_never_overwrites(tmp_path):
    import json

    target = tmp_path / "nmda.json"
    out = _run("systems", "nmda", "--ca", "4 mM", "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert json.loads(target.read_text())["ic50_M"] > 0
    before = target.read_text()
    again = _run("systems", "nmda", "--ca", "2 mM", "--out", str(target))
    assert again.returncode == 2 and "never overwritten" in again.stderr
    assert target.read_text() == before
