"""The assembled `neuromoa` command: every group reachable, lazy registration consistent."""

import subprocess
import sys

from neuromoa.cli import main


def _help(*args):
    return subprocess.run([sys.executable, "-m", "neuromoa.cli.main", *args], capture_output=True,
                          text=True, timeout=120)


def test_every_module_is_listed_for_its_commands():
    assert set(main._COMMANDS.values()) == set(main._MODULES)


def test_top_level_help_lists_every_command():
    out = _help("--help")
    assert out.returncode == 0, out.stderr
    for command in main._COMMANDS:
        assert command in out.stdout, command


def test_a_command_loads_only_its_module():
    code = ("import sys; sys.argv=['neuromoa','fit','--help']; from neuromoa.cli import main; "
            "main._register_all(); print(sorted(main._REGISTERED))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['fit']"


def test_unknown_command_fails_cleanly():
    out = _help("no-such-command")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
