"""``index.html`` → PDF with a headless Chromium (the report's print stylesheet decides the look).

Playwright's Chromium is used when its browser is installed (``playwright install chromium``),
else a ``chromium``/``chromium-browser``/``google-chrome`` on PATH. Without either, one clear
:class:`~neuromoa.errors.OutputError` says how to get one. The collapsed sections are opened in
the printed copy only (the report file itself has no scripts).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from neuromoa.errors import OutputError

__all__ = ["BROWSERS", "find_browser", "write_pdf"]

#: Executables tried, in order, when Playwright's own Chromium is not installed.
BROWSERS: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "chrome")
# Time allowed for the page to load and print (milliseconds; the full report is ~2 MB of
# inline figures: seconds on a laptop).
_TIMEOUT_MS = 120_000


def find_browser() -> str | None:
    """Path of a Chromium-family executable on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def write_pdf(index_html: str | Path, pdf: str | Path) -> Path:
    """Print ``index_html`` to ``pdf`` (A4, backgrounds, every section open); return the path."""
    source = Path(index_html).resolve()
    target = Path(pdf)
    if not source.is_file():
        raise OutputError(f"--pdf: {source} does not exist; build the report first.")
    if target.exists() and target.is_dir():
        raise OutputError(f"--pdf {pdf}: a folder of that name exists; give a file name.")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise OutputError("--pdf needs Playwright: pip install playwright && playwright install "
                          "chromium (or install chromium on PATH)") from None
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch()
        except PlaywrightError:
            exe = find_browser()
            if exe is None:
                raise OutputError("--pdf needs a headless Chromium: run 'playwright install "
                                  "chromium' or install chromium (apt-get install chromium)"
                                  ) from None
            browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(source.as_uri(), wait_until="load", timeout=_TIMEOUT_MS)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.emulate_media(media="print")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(target), format="A4", print_background=True,
                     prefer_css_page_size=True)
        finally:
            browser.close()
    return target
