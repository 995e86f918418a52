"""Store fixtures: every store test runs on SQLite and on a throwaway PostgreSQL server.

The PostgreSQL server is started with ``initdb``/``pg_ctl`` in a temporary folder (as the
``postgres`` user when the tests run as root), once per session; each test gets a new database.
Without the server binaries those tests are skipped with a message — except under ``CI=true``,
where a skipped database or browser test fails the run.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the [store] extra is not installed")


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    w = shutil.which("initdb")
    return Path(w).parent if w else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """URL prefix of a throwaway PostgreSQL server (``postgresql+psycopg://postgres@...:port``)."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; install them with "
                    "`apt-get install -y postgresql`")
    base = Path(tempfile.mkdtemp(prefix="neuromoa-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(base, user="postgres")
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    port = _free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"),
                    "-o", f"-p {port} -k {base} -h 127.0.0.1 -F", "-w", "start"], check=True,
                   capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


_db_counter = itertools.count()


def new_pg_database(server: str) -> str:
    import psycopg

    name = f"t{os.getpid()}_{next(_db_counter)}"
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store_url(request, tmp_path) -> str:
    """A URL to an empty database, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def blob_dir(tmp_path) -> Path:
    return tmp_path / "blobs"
