"""The web app over real HTTP in headless Chromium (Playwright, the system's /usr/bin/chromium).

A ``neuromoa serve`` process is started on a free port with its own data folder, HOME and
working directory; the tests click through uploads, history, re-run and the limits, collect
console errors, and check at the end that the server wrote nothing outside its data folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.web.conftest import XSS

pytestmark = pytest.mark.chromium

CHROMIUM = os.environ.get("NEUROMOA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Largest upload the test server accepts (MB): small, so an oversized file is quick to make.
TEST_MAX_UPLOAD_MB = 0.05
#: An analysis runs in a new process (cold imports, numba compiling into the data folder's cache
#: on the first call) on a shared 2-core machine: allow minutes, not the default 30 s.
PAGE_TIMEOUT_MS = 300_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


class Server:
    def __init__(self, root: Path, token: str | None = None) -> None:
        self.root = root
        self.data, self.home, self.cwd = root / "data", root / "home", root / "cwd"
        for d in (self.home, self.cwd):
            d.mkdir(parents=True)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HOME": str(self.home), "MPLCONFIGDIR": str(self.data / "mpl"),
               "XDG_CACHE_HOME": str(self.data / "xdg")}
        env.pop("NEUROMOA_DB_URL", None)
        env.pop("NEUROMOA_TOKEN", None)
        argv = [sys.executable, "-m", "neuromoa.cli.main", "serve", "--port", str(self.port),
                "--data", str(self.data), "--max-upload-mb", str(TEST_MAX_UPLOAD_MB)]
        if token:
            argv += ["--token", token]
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read()}")
            try:
                httpx.get(self.url + "/static/style.css", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; install it with "
                    "`apt-get install -y chromium`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("web"))
    yield s
    s.stop()
    # the server and its analyses wrote nothing outside the data folder
    assert _snapshot(s.home) == set() and _snapshot(s.cwd) == set()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.console_errors = errors
    yield pg
    context.close()
    assert errors == [], errors  # no console errors, no script ran from user data


def _upload(page, kind: str, path: Path, **fields: str) -> None:
    page.goto("/")
    page.check(f"input[name=kind][value={kind}]")
    page.set_input_files("#file", str(path))
    if fields:
        page.click("summary")
        for name, value in fields.items():
            page.fill(f"input[name={name}]", value)
    page.click("#analyse")
    page.wait_for_load_state()


def _figure_shown(page) -> bool:
    page.wait_for_selector("#figure")
    return page.eval_on_selector("#figure", "img => img.complete && img.naturalWidth > 0")


def test_upload_curve_csv_shows_results_and_figure(page, inputs):
    _upload(page, "curves", inputs["curves"])
    assert "/runs/" in page.url
    assert _figure_shown(page)
    assert page.locator("#results tbody tr").count() == 2
    assert "warning" in page.inner_text("h1") or "ok" in page.inner_text("h1")


def test_upload_plate_shows_ki_and_figure(page, inputs):
    _upload(page, "uptake", inputs["plate"])
    assert "/runs/" in page.url and "assay" in page.inner_text("h1")
    assert _figure_shown(page)
    assert "ki_M" in page.inner_text("#results thead")


def test_upload_abf_shows_sweeps_and_figure(page, inputs):
    _upload(page, "abf", inputs["abf"], baseline="0,0.04", window="0.05,0.15")
    assert "/runs/" in page.url and "ephys" in page.inner_text("h1")
    assert _figure_shown(page)
    assert page.locator("#results tbody tr").count() == 3


def test_history_search_and_rerun(page, inputs):
    _upload(page, "curves", inputs["curves"])
    run_url = page.url
    page.click("#rerun")
    page.wait_for_selector("#rerun-outcome")
    assert "identical to the stored results" in page.inner_text("#rerun-outcome")
    page.goto("/runs")
    n_all = page.locator("#runs tbody tr").count()
    assert n_all >= 2
    page.fill("#q", "rec.abf")
    page.wait_for_selector("#runs tbody tr:has-text('curves.csv')", state="detached")
    assert page.locator("#runs tbody tr").count() < n_all
    assert "rec.abf" in page.inner_text("#runs")
    assert "curves.csv" not in page.inner_text("#runs")
    page.goto(run_url)
    assert "sha256" in page.content()


def test_oversized_and_wrong_type_uploads_are_refused(page, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("curve,concentration_nM,response\n" + "A,1,1\n" * 20000)
    _upload(page, "curves", big)
    assert "limit" in page.inner_text("#error")
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello")
    _upload(page, "curves", wrong)
    assert "not an accepted file type" in page.inner_text("#error")
    # Chromium logs the two refused navigations themselves; nothing else may appear
    expected = [f"Failed to load resource: the server responded with a status of {s}"
                for s in ("413 (Request Entity Too Large)", "415 (Unsupported Media Type)")]
    assert page.console_errors == expected
    page.console_errors.clear()


def test_script_compound_name_is_text(page, inputs, server):
    _upload(page, "curves", inputs["xss"])
    assert XSS in page.inner_text("#results")  # shown literally, as text
    assert page.evaluate("document.querySelectorAll('#results script').length") == 0
    from neuromoa.store import Store

    with Store(f"sqlite:///{server.data / 'neuromoa.db'}", blob_dir=server.data / "blobs") as st:
        run_id = st.record_run("assay", parameters={}, compound=XSS, target="SERT")
    page.goto("/runs")
    page.fill("#q", "alert(1)")
    page.wait_for_selector(f"#runs a[href='/runs/{run_id}']")
    assert XSS in page.inner_text("#runs")
    page.goto(f"/runs/{run_id}")
    assert page.inner_text("#compound") == XSS
    assert page.evaluate("document.querySelectorAll('main script').length") == 0


def test_token_server_answers_401_everywhere_without_it(browser, tmp_path):
    s = Server(tmp_path, token="lab-token")
    try:
        ctx = browser.new_context(base_url=s.url)
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        pg = ctx.new_page()
        for path in ("/", "/runs", "/runs/1", "/engage", "/static/htmx.min.js",
                     "/runs/1/results.csv"):
            assert pg.goto(path).status == 401, path
        pg.goto("/")
        pg.fill("input[name=token]", "lab-token")
        pg.click("button[type=submit]")
        pg.wait_for_load_state()
        assert "Analyse a file" in pg.content()
        assert pg.goto("/static/htmx.min.js").status == 200
        ctx.close()
    finally:
        s.stop()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
