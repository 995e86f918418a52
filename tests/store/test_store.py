"""The results store on SQLite and PostgreSQL: round trip, migrations, crashes, concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from neuromoa.store import Store, StoreError, UnknownRunError

WRITER = str(Path(__file__).with_name("_writer.py"))


def _frame(n: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"curve": [f"c{i}" for i in range(n)], "status": ["ok"] * (n - 1) +
                         ["failed"], "ic50": [1e-9 * (i + 1) for i in range(n - 1)] + [np.nan],
                         "compound": ["amitriptyline"] * n})


def test_record_and_read_back(store_url, blob_dir):
    store = Store(store_url, blob_dir=blob_dir)
    raw = b"curve,concentration_nM,response\r\nA,1,100\r\n"  # verbatim, CRLF kept
    rid = store.record_run("fit", parameters={"model": "4pl", "fix": {"hill": -1.0}},
                           inputs={"curves": ("plate 1.csv", raw)}, results=_frame(),
                           seed=12345, compound="amitriptyline", target="SERT",
                           project="screen", experiment="day 1")
    rec = store.get_run(rid)
    assert rec.kind == "fit" and rec.seed == 12345 and rec.n_items == 5
    assert rec.parameters == {"model": "4pl", "fix": {"hill": -1.0}}
    assert (rec.project, rec.experiment) == ("screen", "day 1")
    assert rec.software_version
    name, data = store.input_bytes(rid, "curves")
    assert (name, data) == ("plate 1.csv", raw)
    import hashlib

    assert rec.inputs[0]["sha256"] == hashlib.sha256(raw).hexdigest()
    pd.testing.assert_frame_equal(store.results(rid), _frame())
    assert [r.id for r in store.list_runs(search="AMITRIPT")] == [rid]
    assert [r.id for r in store.list_runs(search="sert")] == [rid]
    assert store.list_runs(search="nortriptyline") == []
    assert store.list_runs(kind="ephys") == []
    assert [r.id for r in store.list_runs(since="2000-01-01")] == [rid]
    assert store.list_runs(until="2000-01-01") == []
    assert store.check() == []
    with pytest.raises(UnknownRunError, match="no run 999"):
        store.get_run(999)


def test_same_input_stored_once_and_tampering_detected(store_url, blob_dir):
    store = Store(store_url, blob_dir=blob_dir)
    a = store.record_run("fit", parameters={}, inputs={"curves": ("a.csv", b"x")})
    b = store.record_run("fit", parameters={}, inputs={"curves": ("b.csv", b"x")})
    sha = store.get_run(a).inputs[0]["sha256"]
    assert store.get_run(b).inputs[0]["sha256"] == sha
    assert len(list(blob_dir.rglob(sha))) == 1
    next(blob_dir.rglob(sha)).write_bytes(b"y")
    with pytest.raises(StoreError, match="does not match its checksum"):
        store.input_bytes(a)


def test_bulk_results_go_to_parquet_only(store_url, blob_dir):
    from sqlalchemy import func, select

    from neuromoa.store import SQL_RESULT_ROWS_MAX
    from neuromoa.store.models import Result

    store = Store(store_url, blob_dir=blob_dir)
    big = pd.DataFrame({"curve": np.arange(SQL_RESULT_ROWS_MAX + 1).astype(str),
                        "ic50": np.linspace(1e-9, 1e-6, SQL_RESULT_ROWS_MAX + 1)})
    rid = store.record_run("fit", parameters={}, results=big)
    small = store.record_run("fit", parameters={}, results=_frame(3))
    with store.engine.connect() as conn:
        counts = dict(conn.execute(select(Result.run_id, func.count()).group_by(Result.run_id)).all())
    assert counts == {small: 3}
    pd.testing.assert_frame_equal(store.results(rid), big)
    assert store.get_run(rid).artifact("results")["n_rows"] == len(big)


def test_alembic_upgrade_from_empty_and_from_previous_revision(store_url, blob_dir):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from neuromoa.cli.main import _register_all, app
    from neuromoa.store.models import Base

    empty = Store(store_url, blob_dir=blob_dir, upgrade=False)
    assert empty.current_revision() is None
    assert empty.upgrade("0001") == "0001"
    with empty.engine.begin() as conn:  # a run written by the previous version
        conn.execute(text(
            "INSERT INTO runs (kind, command, parameters, software_version, status, "
            "message, n_items, created_at) VALUES ('fit', 'neuromoa fit old.csv', "
            "'{\"model\": \"4pl\"}', '0.0.9', 'ok', '', 0, '2026-01-02 03:04:05')"))
    empty.close()
    with pytest.raises(StoreError, match="neuromoa db upgrade"):
        Store(store_url, blob_dir=blob_dir)
    _register_all(["db"])
    res = CliRunner().invoke(app, ["db", "upgrade", "--db", store_url])
    assert res.exit_code == 0, res.output
    assert "0001 -> 0002" in res.output
    store = Store(store_url, blob_dir=blob_dir)
    assert store.current_revision() == store.head_revision() == "0002"
    (old,) = store.list_runs()
    assert (old.software_version, old.parameters, old.compound) == ("0.0.9", {"model": "4pl"},
                                                                    None)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []
    assert store.record_run("fit", parameters={}) > old.id


def test_unreachable_or_bad_url_is_one_line_exit_2(tmp_path):
    from neuromoa.cli.main import _register_all, app

    _register_all(["runs"])
    for url, msg in [("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot reach"),
                     ("mysql://x@y/z", "only sqlite and postgresql"),
                     ("not a url", "not a SQLAlchemy URL")]:
        res = CliRunner().invoke(app, ["runs", "list", "--db", url])
        assert res.exit_code == 2, res.output
        lines = [ln for ln in res.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and msg in lines[0] and "Traceback" not in res.output


def _spawn(url: str, blob_dir: Path, n: int, tag: str, rows: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, WRITER, url, str(blob_dir), str(n), tag, str(rows)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_writers_1000_runs_each_lose_nothing(store_url, blob_dir):
    Store(store_url, blob_dir=blob_dir).close()  # create the schema once
    n = 1000
    procs = [_spawn(store_url, blob_dir, n, tag, 2) for tag in ("w1", "w2")]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    store = Store(store_url, blob_dir=blob_dir)
    assert store.count_runs() == 2 * n
    params = {(r.parameters["writer"], r.parameters["i"]) for r in store.list_runs(limit=None)}
    assert params == {(w, i) for w in ("w1", "w2") for i in range(n)}
    assert store.check() == []


def test_sigkill_mid_write_leaves_store_consistent(store_url, blob_dir):
    from sqlalchemy import func, select

    from neuromoa.store.models import Result, Run

    Store(store_url, blob_dir=blob_dir).close()
    rng = np.random.default_rng(7)
    for attempt in range(3):
        p = _spawn(store_url, blob_dir, 10**6, f"k{attempt}", 800)
        assert p.stdout.readline().strip() == "first"
        time.sleep(float(rng.uniform(0.05, 0.5)))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL
    store = Store(store_url, blob_dir=blob_dir)
    assert store.check() == []
    with store.engine.connect() as conn:
        n_items = dict(conn.execute(select(Run.id, Run.n_items)).all())
        rows = dict(conn.execute(select(Result.run_id, func.count()).group_by(Result.run_id)).all())
    assert len(n_items) >= 3
    assert rows == n_items  # every visible run has all 800 result rows, none has fewer
    for rid in n_items:
        assert len(store.results(rid)) == 800
    # the store still takes writes after the crashes
    assert store.record_run("fit", parameters={}) > max(n_items)
