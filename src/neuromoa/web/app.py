"""The FastAPI app: upload → analysis → run page; history with search; re-run; calculator.

The app is a shell over the store and the CLI: an upload is saved in the data folder and
analysed by the same ``neuromoa`` command a user would type (``fit``/``assay analyze``/
``ephys analyze`` with ``--store``), in a child process whose environment keeps every file it
writes inside the data folder; a re-run is ``neuromoa runs rerun``. Pages are Jinja2 templates
from this package with autoescape on; HTMX (vendored in ``static/``) swaps fragments: a request
with ``HX-Request: true`` gets a fragment, never a whole page.

Security: optional bearer token (``Authorization: Bearer <token>``, or the cookie the login
form sets); with a token set every path, static files included, answers 401 without it.
Uploads are limited in size, number and type on the server; a CSP forbids inline scripts.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader

from neuromoa.store import Store, StoreError, UnknownRunError

__all__ = ["WebConfig", "app_from_env", "create_app"]

#: Default largest upload (bytes): a 384-well plate CSV or a few-minute ABF recording fit well
#: below it; larger files belong on the command line.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Files one analysis may upload (a plate grid and its layout).
MAX_FILES = 2
#: Seconds an analysis child process may run.
ANALYSIS_TIMEOUT_S = 600
#: Result rows shown on a run page (the downloads hold all of them).
TABLE_ROWS = 200
#: Cookie set by the login form.
TOKEN_COOKIE = "neuromoa_token"

#: upload kind -> (title, allowed suffixes, first-bytes check)
UPLOAD_KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "curves": ("Concentration–response curves (CSV)", (".csv",), "text"),
    "uptake": ("SERT/NET uptake plate (CSV)", (".csv",), "text"),
    "binding": ("M1 binding plate (CSV)", (".csv",), "text"),
    "abf": ("Patch-clamp recording (Axon ABF)", (".abf",), "abf"),
}

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
#: A stored report is our own self-contained HTML (inline CSS, data: images): shown sandboxed.
_REPORT_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
               "font-src data:")
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


@dataclasses.dataclass(frozen=True)
class WebConfig:
    """Where the app keeps its files and what it accepts."""

    data_dir: Path
    token: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_files: int = MAX_FILES


class UploadRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _env() -> Environment:
    env = Environment(loader=PackageLoader("neuromoa.web", "templates"), autoescape=True)
    env.filters["num"] = _num
    return env


def _num(v: Any) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:.4g}"
    return "" if v is None else str(v)


def _check_upload(kind: str, filename: str, data: bytes, cfg: WebConfig) -> None:
    title, suffixes, sniff = UPLOAD_KINDS[kind]
    suffix = Path(filename).suffix.lower()
    if suffix not in suffixes:
        raise UploadRejected(415, f"{filename!r} is not an accepted file type for {title}: "
                                  f"expected {', '.join(suffixes)}.")
    if len(data) > cfg.max_upload_bytes:
        raise UploadRejected(413, f"{filename!r} is {len(data):,} bytes; the limit is "
                                  f"{cfg.max_upload_bytes:,} bytes.")
    if not data:
        raise UploadRejected(422, f"{filename!r} is empty.")
    if sniff == "abf" and data[:4] not in (b"ABF ", b"ABF2"):
        raise UploadRejected(415, f"{filename!r} is not an Axon ABF file (it does not start "
                                  "with the ABF signature).")
    if sniff == "text":
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError:
            raise UploadRejected(415, f"{filename!r} is not a UTF-8 text CSV file.") from None
        if b"\x00" in data[:65536]:
            raise UploadRejected(415, f"{filename!r} is not a text CSV file (binary bytes).")


def _safe_filename(name: str) -> str:
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or "upload"


def create_app(store: Store | str | None = None, *, config: WebConfig | None = None) -> FastAPI:
    """Build the app over ``store`` (a :class:`~neuromoa.store.Store` or its URL).

    ``config.data_dir`` holds uploads in progress and the caches of the analysis processes; the
    default store (no URL) is a SQLite file there too.
    """
    from fastapi.staticfiles import StaticFiles

    if config is None:
        config = WebConfig(data_dir=_default_data_dir())
    data_dir = Path(config.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if store is None or isinstance(store, str):
        store = Store(store or f"sqlite:///{data_dir / 'neuromoa.db'}",
                      blob_dir=None if store else data_dir / "blobs")
    env = _env()
    app = FastAPI(title="neuromoa", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.config = store, config

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, token=config.token is not None,
                                             **ctx)
        return HTMLResponse(html, status_code=status)

    def is_hx(request: Request) -> bool:
        return request.headers.get("hx-request") == "true"

    def error(request: Request, status: int, message: str) -> HTMLResponse:
        if is_hx(request):
            return HTMLResponse(env.get_template("_error.html").render(message=message),
                                status_code=status)
        return page(request, "error.html", status, message=message)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if config.token is not None and not _authorised(request, config.token):
            if request.url.path == "/login" and request.method == "POST":
                return await call_next(request)
            html = env.get_template("login.html").render(request=request, token=True,
                                                         failed=False)
            return HTMLResponse(html, status_code=401,
                                headers={"WWW-Authenticate": "Bearer", **_headers()})
        response = await call_next(request)
        for k, v in _headers().items():
            response.headers.setdefault(k, v)
        return response

    @app.post("/login")
    async def login(request: Request):
        form = await request.form()
        given = str(form.get("token", ""))
        if config.token is None or not hmac.compare_digest(given.encode(),
                                                           config.token.encode()):
            html = env.get_template("login.html").render(request=request, token=True,
                                                         failed=True)
            return HTMLResponse(html, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
        return resp

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return page(request, "home.html", kinds=UPLOAD_KINDS, runs=store.list_runs(limit=10),
                    max_bytes=config.max_upload_bytes, max_files=config.max_files)

    @app.post("/analyze")
    async def analyze(request: Request):
        length = int(request.headers.get("content-length") or 0)
        # the multipart envelope adds a little to the files themselves
        if length > config.max_files * config.max_upload_bytes + 65536:
            return error(request, 413, f"upload of {length:,} bytes exceeds the limit of "
                                       f"{config.max_upload_bytes:,} bytes per file.")
        form = await request.form(max_files=config.max_files + 1)
        kind = str(form.get("kind", ""))
        if kind not in UPLOAD_KINDS:
            return error(request, 422, f"unknown analysis {kind!r}; choose one of "
                                       f"{', '.join(UPLOAD_KINDS)}.")
        files = [f for key in ("file", "layout") for f in form.getlist(key)
                 if hasattr(f, "filename") and f.filename]
        if not files:
            return error(request, 422, "choose a file to upload.")
        if len(files) > config.max_files:
            return error(request, 413, f"{len(files)} files; at most {config.max_files} per "
                                       "analysis.")
        job = data_dir / "uploads" / uuid.uuid4().hex
        try:
            saved: dict[str, Path] = {}
            for key in ("file", "layout"):
                f = form.get(key)
                if not (hasattr(f, "filename") and f.filename):
                    continue
                data = await f.read(config.max_upload_bytes + 1)
                _check_upload(kind, f.filename, data, config)
                dest = job / key / _safe_filename(f.filename)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
                saved[key] = dest
            if "file" not in saved:
                return error(request, 422, "choose a file to upload (the plate, curves or "
                                           "recording).")
            argv = _command(kind, saved, form, job)
            code, out, err = _run_cli(argv, store, data_dir)
        except UploadRejected as exc:
            return error(request, exc.status, str(exc))
        finally:
            shutil.rmtree(job, ignore_errors=True)
        m = re.search(r"stored run (\d+) in", err)
        if code != 0 or m is None:
            msg = next((ln[len("error: "):] for ln in err.splitlines()
                        if ln.startswith("error: ")), None) or "the analysis failed."
            return error(request, 422, f"not analysed, nothing stored: {msg}")
        url = f"/runs/{m.group(1)}"
        if is_hx(request):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request, q: str = "", kind: str = "", since: str = "", until: str = ""):
        try:
            found = store.list_runs(search=q or None, kind=kind or None, since=since or None,
                                    until=until or None, limit=200)
        except StoreError as exc:
            return error(request, 422, str(exc))
        if is_hx(request):
            return HTMLResponse(env.get_template("_runs_table.html").render(runs=found))
        return page(request, "runs.html", runs=found, q=q, kind=kind, since=since,
                    until=until)

    def _get(run_id: int):
        return store.get_run(run_id)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: int):
        try:
            rec = _get(run_id)
        except UnknownRunError as exc:
            return error(request, 404, str(exc))
        frame = store.results(run_id) if rec.artifact("results") else None
        rows = [] if frame is None else frame.head(TABLE_ROWS).to_dict(orient="records")
        cols = [] if frame is None else list(frame.columns)
        flags = _flag_help(frame)
        return page(request, "run.html", run=rec, rows=rows, cols=cols,
                    n_rows=0 if frame is None else len(frame), shown=TABLE_ROWS, flags=flags,
                    params=json.dumps(rec.parameters, indent=1, sort_keys=True))

    @app.post("/runs/{run_id}/rerun", response_class=HTMLResponse)
    def rerun_run(request: Request, run_id: int):
        try:
            _get(run_id)
        except UnknownRunError as exc:
            return error(request, 404, str(exc))
        code, out, err = _run_cli(["runs", "rerun", str(run_id), "--json"], store, data_dir)
        try:
            res = json.loads(out)
        except json.JSONDecodeError:
            msg = next((ln for ln in err.splitlines() if ln.startswith("error: ")), err[-300:])
            return error(request, 422, f"re-run failed: {msg}")
        if is_hx(request):
            return HTMLResponse(env.get_template("_rerun.html").render(res=res))
        return RedirectResponse(f"/runs/{res['new']}", status_code=303)

    @app.get("/runs/{run_id}/results.{fmt}")
    def download(request: Request, run_id: int, fmt: str):
        try:
            rec = _get(run_id)
        except UnknownRunError as exc:
            return error(request, 404, str(exc))
        art = rec.artifact("results")
        if art is None or fmt not in ("csv", "json", "parquet"):
            return error(request, 404, f"run {run_id} has no results.{fmt}.")
        name = f"run-{run_id}-results.{fmt}"
        disp = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "parquet":
            return Response(store.read_blob(art["sha256"]),
                            media_type="application/vnd.apache.parquet", headers=disp)
        frame = store.results(run_id)
        if fmt == "csv":
            return Response(frame.to_csv(index=False), media_type="text/csv", headers=disp)
        return Response(frame.to_json(orient="records"), media_type="application/json",
                        headers=disp)

    @app.get("/runs/{run_id}/files/{sha}")
    def blob(request: Request, run_id: int, sha: str):
        try:
            rec = _get(run_id)
        except UnknownRunError as exc:
            return error(request, 404, str(exc))
        for entry in [*rec.inputs, *rec.artifacts]:
            if entry["sha256"] == sha:
                name = Path(entry.get("filename") or entry.get("name")).name
                media = entry.get("media_type", "application/octet-stream")
                if media not in ("image/svg+xml", "image/png"):
                    media = "application/octet-stream"
                return Response(store.read_blob(sha), media_type=media, headers={
                    "Content-Disposition": f'inline; filename="{_safe_filename(name)}"'})
        return error(request, 404, f"run {run_id} has no file {sha[:64]!r}.")

    @app.get("/runs/{run_id}/report", response_class=HTMLResponse)
    def report_view(request: Request, run_id: int):
        """A stored report (neuromoa report --store), in the browser: sandboxed, no scripts."""
        try:
            rec = _get(run_id)
        except UnknownRunError as exc:
            return error(request, 404, str(exc))
        art = rec.artifact("report")
        if art is None:
            return error(request, 404, f"run {run_id} has no report.")
        return HTMLResponse(store.read_blob(art["sha256"]), headers={
            "Content-Security-Policy": _REPORT_CSP})

    @app.get("/engage", response_class=HTMLResponse)
    def engage_form(request: Request, compound: str = "", dose: str = "", every: str = "24h",
                    conc: str = ""):
        result = err_msg = None
        if compound:
            from neuromoa.engagement import engage
            from neuromoa.errors import NeuromoaError

            try:
                if conc:
                    res = engage(compound, conc=conc)
                else:
                    res = engage(compound, dose=dose or None, every=every or None)
                cols = ["target", "occupancy", "occupancy_low", "occupancy_high", "effect_class",
                        "consequence", "reference"]
                t = res.targets
                result = {"rows": t[[c for c in cols if c in t]].to_dict(orient="records"),
                          "cols": [c for c in cols if c in t], "notes": list(res.notes)[:10],
                          "unbound": res.unbound_M}
            except NeuromoaError as exc:
                err_msg = str(exc)
        from neuromoa.data.compounds import flagship_compound

        ctx = dict(compound=compound, dose=dose, every=every, conc=conc, result=result,
                   message=err_msg, flagship=flagship_compound())
        if is_hx(request):
            return HTMLResponse(env.get_template("_engage_result.html").render(**ctx))
        return page(request, "engage.html", **ctx)

    app.mount("/static", StaticFiles(packages=[("neuromoa.web", "static")]), name="static")
    return app


def _headers() -> dict[str, str]:
    return {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}


def _authorised(request: Request, token: str) -> bool:
    auth = request.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get(TOKEN_COOKIE,
                                                                                    "")
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def _flag_help(frame) -> dict[str, str]:
    """Each flag in a result table, explained by the message of the first row carrying it."""
    if frame is None or "flags" not in frame:
        return {}
    out: dict[str, str] = {}
    msgs = frame["message"] if "message" in frame else None
    for i, v in enumerate(frame["flags"]):
        if v is None or v != v:
            continue
        for f in re.split(r"[;,]\s*", str(v)):
            if f and f not in out:
                out[f] = str(msgs.iloc[i]) if msgs is not None else ""
    return dict(sorted(out.items()))


def _command(kind: str, saved: dict[str, Path], form, job: Path) -> list[str]:
    """The ``neuromoa`` command that analyses an upload (with --store and a figure)."""
    fig = job / "figure.svg"
    f = str(saved["file"])
    if kind == "curves":
        model = str(form.get("model") or "4pl")
        argv = ["fit", f, "--model", model, "--plot", str(fig), "--json"]
        unit = str(form.get("unit") or "").strip()
        if unit:
            argv += ["--unit", unit]
    elif kind in ("uptake", "binding"):
        argv = ["assay", "analyze", kind, f, "--plot", str(fig), "--json"]
        if "layout" in saved:
            argv += ["--layout", str(saved["layout"])]
        target = str(form.get("target") or "").strip()
        if target:
            argv += ["--target", target]
    else:
        argv = ["ephys", "analyze", f, "--mode", str(form.get("mode") or "peak"), "--plot",
                str(fig), "--json"]
        for opt in ("baseline", "window", "steady"):
            v = str(form.get(opt) or "").strip()
            if v:
                argv += [f"--{opt}", v]
    return [*argv, "--store"]


def _run_cli(argv: list[str], store: Store, data_dir: Path) -> tuple[int, str, str]:
    """Run ``neuromoa ARGV`` in a child process whose files all land in ``data_dir``."""
    cache = data_dir / "cache"
    tmp = data_dir / "tmp"
    for d in (cache, tmp):
        d.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH",
                                                        "SYSTEMROOT", "VIRTUAL_ENV")}
    env.update(NEUROMOA_DB_URL=store.url, NEUROMOA_BLOB_DIR=str(store.blob_dir),
               HOME=str(data_dir), TMPDIR=str(tmp), MPLCONFIGDIR=str(cache / "matplotlib"),
               XDG_CACHE_HOME=str(cache), XDG_DATA_HOME=str(data_dir / "share"),
               XDG_CONFIG_HOME=str(cache / "config"), NUMBA_CACHE_DIR=str(cache / "numba"),
               PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "neuromoa.cli.main", *argv], cwd=data_dir,
                          env=env, capture_output=True, text=True, timeout=ANALYSIS_TIMEOUT_S)
    return proc.returncode, proc.stdout, proc.stderr


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("neuromoa", appauthor=False)) / "web"


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` (what ``neuromoa serve`` runs): configuration from
    ``NEUROMOA_WEB_DATA``, ``NEUROMOA_DB_URL``, ``NEUROMOA_TOKEN``, ``NEUROMOA_MAX_UPLOAD``."""
    data = Path(os.environ.get("NEUROMOA_WEB_DATA") or _default_data_dir())
    cfg = WebConfig(data_dir=data, token=os.environ.get("NEUROMOA_TOKEN") or None,
                    max_upload_bytes=int(os.environ.get("NEUROMOA_MAX_UPLOAD") or
                                         MAX_UPLOAD_BYTES))
    return create_app(os.environ.get("NEUROMOA_DB_URL") or None, config=cfg)
