"""`neuromoa report --pdf`: the report printed by a headless Chromium, or one clear line without.

The printing test runs where a Chromium is present (Playwright's own, or ``chromium`` on PATH;
marked ``chromium`` like the browser test); the missing-browser test runs everywhere by hiding
both.
"""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import _register_all, app
from neuromoa.errors import OutputError
from neuromoa.report.pdf import find_browser, write_pdf

runner = CliRunner()
_register_all([])


def _playwright_chromium() -> bool:
    try:
        from pathlib import Path

        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    with sync_playwright() as p:
        return Path(p.chromium.executable_path).exists()


HAVE_BROWSER = find_browser() is not None or _playwright_chromium()


@pytest.mark.chromium
@pytest.mark.skipif(not HAVE_BROWSER, reason="no headless Chromium (playwright install chromium)")
def test_the_report_prints_to_pdf(quick_report, tmp_path):
    result, html, _ = quick_report
    pdf = write_pdf(result.path, tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    # every section printed (the collapsed ones opened): many A4 pages, not one screen
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) >= 5


def test_no_browser_is_one_line_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", "--quick", "--pdf", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "--pdf needs" in result.output and "chromium" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # refused before any work


def test_write_pdf_refuses_a_missing_report(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_pdf(tmp_path / "nothing" / "index.html", tmp_path / "x.pdf")
