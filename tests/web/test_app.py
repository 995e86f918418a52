"""The web app in-process (httpx ASGITransport): pages, uploads, limits, escaping, token."""

from __future__ import annotations

import hashlib

import pytest
from tests.web.conftest import XSS, call


def _upload(app, kind: str, path, name: str | None = None, data: bytes | None = None,
            **fields):
    files = {"file": (name or path.name, data if data is not None else path.read_bytes())}
    return call(app, "POST", "/analyze", data={"kind": kind, **fields}, files=files)


def test_home_page_is_whole_and_locked_down(make_app):
    app = make_app()
    r = call(app, "GET", "/")
    assert r.status_code == 200
    assert "<html" in r.text and 'src="/static/htmx.min.js"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    js = call(app, "GET", "/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:200] and "Zero-Clause BSD" in js.text


def test_curve_upload_is_analysed_stored_and_reproducible(make_app, inputs):
    app = make_app()
    r = _upload(app, "curves", inputs["curves"])
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = call(app, "GET", url)
    assert page.status_code == 200
    assert hashlib.sha256(inputs["curves"].read_bytes()).hexdigest() in page.text
    assert 'id="figure"' in page.text and 'id="results"' in page.text
    store = app.state.store
    run_id = int(url.rsplit("/", 1)[1])
    rec = store.get_run(run_id)
    fig = call(app, "GET", f"/runs/{run_id}/files/{rec.artifact('figure')['sha256']}")
    assert fig.status_code == 200 and fig.headers["content-type"].startswith("image/svg")
    csv = call(app, "GET", f"/runs/{run_id}/results.csv")
    assert csv.text.splitlines()[0].startswith("curve,status")
    assert len(csv.text.strip().splitlines()) == 3  # header + curves A and B
    rr = call(app, "POST", f"/runs/{run_id}/rerun", headers={"HX-Request": "true"})
    assert rr.status_code == 200 and "<html" not in rr.text
    assert "identical to the stored results" in rr.text


def test_history_search_returns_a_fragment_to_htmx(make_app):
    app = make_app()
    store = app.state.store
    store.record_run("fit", parameters={}, compound="amitriptyline", target="SERT")
    store.record_run("fit", parameters={}, compound="nortriptyline", target="NET")
    whole = call(app, "GET", "/runs", params={"q": "nortrip"})
    assert "<html" in whole.text and "nortriptyline" in whole.text
    assert "amitriptyline" not in whole.text.split('id="runs"')[1]
    frag = call(app, "GET", "/runs", params={"q": "SERT"}, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text
    assert "amitriptyline" in frag.text and "nortriptyline" not in frag.text
    bad = call(app, "GET", "/runs", params={"since": "yesterday"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_user_strings_are_escaped(make_app, inputs):
    app = make_app()
    app.state.store.record_run("fit", parameters={"note": XSS}, compound=XSS)
    for url in ("/", "/runs", "/runs/1"):
        text = call(app, "GET", url).text
        assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    r = _upload(app, "curves", inputs["xss"])
    assert r.status_code == 303
    text = call(app, "GET", r.headers["location"]).text
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize(("kind", "name", "data", "status", "message"), [
    ("curves", "curves.exe", b"curve,concentration_nM,response\n", 415, "not an accepted"),
    ("curves", "curves.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", 415, "not a"),
    ("abf", "rec.abf", b"curve,concentration\n1,2\n", 415, "not an Axon ABF"),
    ("curves", "empty.csv", b"", 422, "empty"),
    ("curves", "bad.csv", b"curve,concentration_nM\nA,1\n", 422, "nothing stored"),
    ("nonsense", "x.csv", b"a\n", 422, "unknown analysis"),
])
def test_bad_uploads_are_refused_and_store_nothing(make_app, tmp_path, kind, name, data,
                                                   status, message):
    app = make_app()
    r = _upload(app, kind, tmp_path, name=name, data=data)
    assert r.status_code == status, r.text
    assert message in r.text
    assert app.state.store.count_runs() == 0
    assert not list((tmp_path / "data" / "uploads").glob("*/*"))  # nothing left behind


def test_upload_limits(make_app, inputs):
    app = make_app(max_upload_bytes=100)
    r = _upload(app, "curves", inputs["curves"])
    assert r.status_code == 413 and "limit" in r.text
    files = [("file", ("a.csv", b"x")), ("layout", ("b.csv", b"x")), ("layout", ("c.csv", b"x"))]
    r = call(app, "POST", "/analyze", data={"kind": "uptake"}, files=files)
    assert r.status_code == 413 and "at most 2" in r.text


def test_unknown_run_is_404_with_message(make_app):
    app = make_app()
    for url in ("/runs/77", "/runs/77/results.csv", "/runs/77/files/abc"):
        r = call(app, "GET", url)
        assert r.status_code == 404 and "no run 77" in r.text


def test_token_guards_every_page_and_file(make_app, inputs):
    app = make_app(token="s3cret")
    app.state.store.record_run("fit", parameters={}, inputs={"curves": inputs["curves"]})
    sha = app.state.store.get_run(1).inputs[0]["sha256"]
    paths = ["/", "/runs", "/runs/1", "/runs/1/results.csv", f"/runs/1/files/{sha}", "/engage",
             "/static/htmx.min.js", "/static/style.css", "/no/such/page"]
    for p in paths:
        r = call(app, "GET", p)
        assert r.status_code == 401, p
        assert "s3cret" not in r.text
    assert call(app, "POST", "/analyze").status_code == 401
    assert call(app, "POST", "/runs/1/rerun").status_code == 401
    assert call(app, "GET", "/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = call(app, "GET", "/runs/1", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and sha in ok.text
    bad = call(app, "POST", "/login", data={"token": "nope"})
    assert bad.status_code == 401
    good = call(app, "POST", "/login", data={"token": "s3cret"})
    assert good.status_code == 303 and "neuromoa_token" in good.headers["set-cookie"]
    assert call(app, "GET", "/", headers={"Cookie": "neuromoa_token=s3cret"}).status_code == 200


def test_engagement_calculator(make_app):
    app = make_app()
    r = call(app, "GET", "/engage", params={"compound": "amitriptyline", "dose": "150 mg",
                                            "every": "24h"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "SERT" in r.text and "Assumes" in r.text
    r = call(app, "GET", "/engage", params={"compound": XSS, "conc": "1 nM"})
    assert r.status_code == 200 and XSS not in r.text and "&lt;script&gt;" in r.text
    assert 'class="error"' in r.text


def test_stored_report_is_viewable_sandboxed(make_app):
    app = make_app()
    html = b"<html><body><h1>Report</h1><script>alert(1)</script></body></html>"
    rid = app.state.store.record_run("report", parameters={"compound": "amitriptyline"},
                                     artifacts=[("report", "index.html", html, "text/html")])
    assert 'id="view-report"' in call(app, "GET", f"/runs/{rid}").text
    r = call(app, "GET", f"/runs/{rid}/report")
    assert r.status_code == 200 and r.content == html
    assert r.headers["content-security-policy"].startswith("sandbox")
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none'


def test_upload_check_property(tmp_path):
    """Random bytes: the server-side check accepts exactly what the rules allow."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from neuromoa.web.app import UploadRejected, WebConfig, _check_upload

    cfg = WebConfig(data_dir=tmp_path, max_upload_bytes=64)

    @settings(max_examples=200, deadline=None)
    @given(st.binary(max_size=100), st.sampled_from(["curves", "abf"]),
           st.sampled_from(["a.csv", "a.abf", "a.txt", "a.CSV"]))
    def check(data, kind, name):
        suffix_ok = name.lower().endswith(".csv" if kind == "curves" else ".abf")
        if kind == "abf":
            content_ok = data[:4] in (b"ABF ", b"ABF2")
        else:
            try:
                data.decode("utf-8")
                content_ok = b"\x00" not in data
            except UnicodeDecodeError:
                content_ok = False
        allowed = suffix_ok and 0 < len(data) <= 64 and content_ok
        try:
            _check_upload(kind, name, data, cfg)
            accepted = True
        except UploadRejected:
            accepted = False
        assert accepted == allowed

    check()
