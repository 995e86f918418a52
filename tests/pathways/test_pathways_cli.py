"""`neuromoa pathways`: formats, names, --force; bad input is one line and exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app

runner = CliRunner()
_register_all([])


def test_sbgn_format_for_one_diagram(tmp_path):
    result = runner.invoke(app, ["pathways", "antagonism", "--format", "sbgn", "--out",
                                 str(tmp_path), "--dose", "150 mg"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["pathway_antagonism.sbgn"]
    assert "antagonism: " in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["antagonsim"], "unknown pathway 'antagonsim'"),
    (["--format", "pdf"], "unknown format 'pdf'"),
    (["--dose", "lots"], "lots"),
    (["--compound", "aspirin"], "aspirin"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    result = runner.invoke(app, ["pathways", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.strip().count("\n") == 0 and result.output.startswith("error:")
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_an_existing_file_is_not_replaced_without_force(tmp_path):
    mine = tmp_path / "pathway_reuptake.svg"
    mine.write_text("my own file", encoding="utf-8")
    result = runner.invoke(app, ["pathways", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "exists; use --force" in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert mine.read_text(encoding="utf-8") == "my own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pathway_reuptake.svg"]  # nothing else
    result = runner.invoke(app, ["pathways", "reuptake", "--out", str(tmp_path), "--force",
                                 "-f", "svg"])
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8").startswith("<svg")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["pathways", "--out", str(f)])
    assert result.exit_code == 2 and "is a file" in result.output
