"""Regenerate docs/report_first_screen.png: the report's first screen in headless Chromium.

Builds the quick report into a temporary folder and screenshots its first 1280 × 900 px with
Playwright (its own Chromium when installed, else ``chromium`` on PATH). Run from the repository
root with the venv active:

    python docs/report_screenshot.py            # writes docs/report_first_screen.png

Only this script writes the tracked PNG; the tests never do.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from neuromoa.report import ReportConfig, build_report
from neuromoa.report.pdf import find_browser

#: The viewport of the screenshot (a laptop screen; CSS pixels).
VIEWPORT = {"width": 1280, "height": 900}
OUT = Path(__file__).resolve().parent / "report_first_screen.png"


def main() -> int:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        result = build_report(Path(tmp) / "report", ReportConfig(quick=True, seed=0))
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch()
            except PlaywrightError:
                exe = find_browser()
                if exe is None:
                    print("no headless Chromium: run 'playwright install chromium'",
                          file=sys.stderr)
                    return 2
                browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(Path(result.path).as_uri(), wait_until="load")
            page.screenshot(path=str(OUT))
            browser.close()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
