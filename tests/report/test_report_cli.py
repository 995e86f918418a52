"""The shells: `neuromoa report` and `neuromoa pathways` — bad input is one line, exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

runner = CliRunner()
_register_all([])  # every command module, whatever pytest's argv is


@pytest.mark.parametrize(("args", "message"), [
    (["--dose", "10"], "has no unit"),
    (["--dose", "-5 mg"], "positive"),
    (["--every", "often"], "interval 'often'"),
    (["--compound", "aspirin"], "Unknown compound 'aspirin'"),
])
def test_bad_input_is_one_line(tmp_path, args, message):
    result = runner.invoke(app, ["report", "--quick", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "index.html").exists()


def test_pathways_command_writes_six_files(tmp_path):
    result = runner.invoke(app, ["pathways", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"pathway_{n}.{e}" for n in ("reuptake", "antagonism", "neurotrophic")
                           for e in ("png", "svg"))
    assert '"reuptake"' in result.output
