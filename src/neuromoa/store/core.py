"""The results store: one URL, transactional run records, content-addressed blobs.

A store is a SQL database (SQLite file by default, PostgreSQL for a shared lab server) plus a
blob folder. Raw inputs, result tables (Parquet), figures and reports are written to the blob
folder under their sha256 *before* the run's SQL transaction commits; the commit is the one
moment a run becomes visible. A crash or SIGKILL before it leaves at most an unreferenced blob
(harmless, and reused by the next run with the same bytes), never a half-recorded run.

The store knows no analysis: callers hand it parameters, input bytes and result tables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, create_engine, event, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from neuromoa.store.errors import StoreError, UnknownRunError
from neuromoa.store.models import Artifact, Blob, Experiment, Project, Result, Run, RunInput

__all__ = ["ENV_BLOBS", "ENV_URL", "RunRecord", "Store", "default_url"]

#: Environment variable naming the store's database URL (the CLI's ``--db`` wins).
ENV_URL = "NEUROMOA_DB_URL"
#: Environment variable naming the blob folder (default: beside a SQLite file, or the
#: platform data folder).
ENV_BLOBS = "NEUROMOA_BLOB_DIR"
#: Result tables with at most this many rows are also mirrored row by row in SQL (searchable);
#: larger ones (screens, populations) live only in their Parquet file.
SQL_RESULT_ROWS_MAX = 1000
#: Seconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 60
#: Seconds to wait for a PostgreSQL server before reporting it unreachable.
CONNECT_TIMEOUT_S = 5
#: Columns a result table may carry that the SQL mirror indexes for search.
_ITEM_COLUMNS = ("curve", "plate", "sweep", "item", "target")


def _data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("neuromoa", appauthor=False))


def default_url() -> str:
    """``$NEUROMOA_DB_URL`` or a SQLite file ``neuromoa.db`` in the platform data folder."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"sqlite:///{_data_dir() / 'neuromoa.db'}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("neuromoa")
    except PackageNotFoundError:  # running from a source tree without installation
        return "unknown"


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One stored run, as read back: metadata, inputs and artifacts (no bulk data)."""

    id: int
    kind: str
    command: str
    parameters: dict[str, Any]
    software_version: str
    seed: int | None
    status: str
    message: str
    n_items: int
    created_at: str
    compound: str | None
    target: str | None
    rerun_of: int | None
    project: str | None
    experiment: str | None
    inputs: tuple[dict[str, Any], ...]
    artifacts: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"inputs": [dict(i) for i in self.inputs],
                                           "artifacts": [dict(a) for a in self.artifacts]}

    def artifact(self, kind: str) -> dict[str, Any] | None:
        return next((a for a in self.artifacts if a["kind"] == kind), None)


def _record(run: Run) -> RunRecord:
    exp = run.experiment
    return RunRecord(
        id=run.id, kind=run.kind, command=run.command, parameters=dict(run.parameters),
        software_version=run.software_version, seed=run.seed, status=run.status,
        message=run.message, n_items=run.n_items,
        created_at=run.created_at.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")
        if run.created_at.tzinfo is None else run.created_at.isoformat(timespec="seconds"),
        compound=run.compound, target=run.target, rerun_of=run.rerun_of,
        project=exp.project.name if exp is not None else None,
        experiment=exp.name if exp is not None else None,
        inputs=tuple({"role": i.role, "filename": i.filename, "sha256": i.sha256,
                      "size": i.blob.size} for i in run.inputs),
        artifacts=tuple({"kind": a.kind, "name": a.name, "sha256": a.sha256,
                         "n_rows": a.n_rows, "size": a.blob.size,
                         "media_type": a.blob.media_type} for a in run.artifacts),
    )


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    """A result table as Parquet bytes (zstd, no index); the same frame gives the same bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def parquet_to_frame(data: bytes) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data)).to_pandas()


def _json_cell(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, float | int | str | bool):
        return v
    return str(v)


class Store:
    """A results store at ``url`` (default :func:`default_url`).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL: ``sqlite:///path/neuromoa.db`` or ``postgresql+psycopg://user@host/db``.
    blob_dir : path, optional
        Where blobs go; default ``$NEUROMOA_BLOB_DIR``, else ``<db file>.blobs/`` beside a
        SQLite file, else ``blobs/`` in the platform data folder.
    upgrade : bool or "always"
        ``True``: apply migrations when the database is empty (a new store); a store at an
        older revision is never upgraded silently: it raises :class:`StoreError` naming
        ``neuromoa db upgrade``. ``"always"``: upgrade it. ``False``: no check (for migrations).
    """

    def __init__(self, url: str | None = None, *, blob_dir: str | Path | None = None,
                 upgrade: bool | str = True) -> None:
        self.url = url or default_url()
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise StoreError(f"database URL {self.url!r} is not a SQLAlchemy URL; use "
                             "sqlite:///path/neuromoa.db or postgresql+psycopg://user@host/db."
                             ) from None
        self.backend = parsed.get_backend_name()
        if self.backend not in ("sqlite", "postgresql"):
            raise StoreError(f"database URL {self.url!r}: only sqlite and postgresql are "
                             "supported.")
        if blob_dir is None:
            blob_dir = os.environ.get(ENV_BLOBS)
        if blob_dir is None:
            if self.backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
                blob_dir = Path(parsed.database).with_name(Path(parsed.database).name + ".blobs")
            else:
                blob_dir = _data_dir() / "blobs"
        self.blob_dir = Path(blob_dir)
        self.engine = self._make_engine(parsed)
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except (OperationalError, SQLAlchemyError) as exc:
            self.engine.dispose()
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise StoreError(f"cannot reach the database {parsed.render_as_string()}: "
                             f"{reason}") from None
        if upgrade is False:  # opened for `neuromoa db`: no schema check
            return
        head = self.head_revision()
        current = self.current_revision()
        if current is None:
            if self._has_tables():
                raise StoreError(f"the database {self._safe_url} has tables but no neuromoa "
                                 "schema revision; it is not a neuromoa store.")
            self.upgrade()
        elif current != head:
            if upgrade == "always":
                self.upgrade()
            else:
                raise StoreError(f"the store {self._safe_url} is at schema revision {current}; "
                                 f"this neuromoa needs {head}: run `neuromoa db upgrade "
                                 f"--db {self._safe_url}` (back up the file first).")

    # --- engine -----------------------------------------------------------------------
    @property
    def _safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def _make_engine(self, parsed) -> Engine:
        if self.backend == "sqlite":
            if parsed.database not in (None, "", ":memory:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record) -> None:
                # Let SQLAlchemy, not pysqlite, decide when transactions begin.
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn) -> None:
                # Take the write lock at BEGIN: two writers queue instead of deadlocking.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        return create_engine(parsed, pool_pre_ping=True,
                             connect_args={"connect_timeout": CONNECT_TIMEOUT_S})

    def _has_tables(self) -> bool:
        from sqlalchemy import inspect

        return bool(set(inspect(self.engine).get_table_names()) - {"alembic_version"})

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- migrations -------------------------------------------------------------------
    @staticmethod
    def _alembic_config(connection=None):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location",
                            str(resources.files("neuromoa.store") / "migrations"))
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, revision: str = "head") -> str | None:
        """Apply migrations up to ``revision``; returns the revision reached."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(self._alembic_config(conn), revision)
        return self.current_revision()

    # --- blobs ------------------------------------------------------------------------
    def _blob_path(self, sha: str) -> Path:
        return self.blob_dir / sha[:2] / sha

    def _write_blob(self, data: bytes) -> str:
        """Write ``data`` under its sha256 (atomic rename); returns the digest."""
        sha = _sha256(data)
        path = self._blob_path(sha)
        if path.exists() and path.stat().st_size == len(data):
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return sha

    def read_blob(self, sha: str) -> bytes:
        """The bytes stored under ``sha``, checked against it."""
        path = self._blob_path(sha)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"blob {sha} is missing from {self.blob_dir}; the blob folder "
                             "does not belong to this database.") from None
        if _sha256(data) != sha:
            raise StoreError(f"blob {sha} in {self.blob_dir} does not match its checksum "
                             "(the file was altered).")
        return data

    @staticmethod
    def _ensure_blob(session: Session, sha: str, size: int, media_type: str) -> None:
        if session.get(Blob, sha) is None:
            session.add(Blob(sha256=sha, size=size, media_type=media_type))
            session.flush()

    # --- writing ----------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def _experiment(self, session: Session, project: str | None,
                    experiment: str | None) -> Experiment | None:
        if project is None and experiment is None:
            return None
        pname = project or "default"
        proj = session.scalar(select(Project).where(Project.name == pname))
        if proj is None:
            proj = Project(name=pname)
            session.add(proj)
            session.flush()
        ename = experiment or "default"
        exp = session.scalar(select(Experiment).where(Experiment.project_id == proj.id,
                                                      Experiment.name == ename))
        if exp is None:
            exp = Experiment(project=proj, name=ename)
            session.add(exp)
            session.flush()
        return exp

    def record_run(self, kind: str, *, parameters: Mapping[str, Any],
                   inputs: Mapping[str, str | Path | tuple[str, bytes]] | None = None,
                   results: pd.DataFrame | None = None,
                   artifacts: Sequence[tuple[str, str, bytes, str]] = (),
                   seed: int | None = None, command: str = "", status: str = "ok",
                   message: str = "", compound: str | None = None, target: str | None = None,
                   project: str | None = None, experiment: str | None = None,
                   rerun_of: int | None = None) -> int:
        """Record one run in one transaction; returns its id.

        Parameters
        ----------
        inputs : mapping role -> path, or role -> (filename, bytes)
            Raw input files, kept verbatim and content-addressed.
        results : DataFrame, optional
            The result table: always stored as Parquet (artifact ``results``); mirrored row by
            row in SQL when it has at most :data:`SQL_RESULT_ROWS_MAX` rows.
        artifacts : sequence of (kind, name, bytes, media_type)
            Figures, reports, other files.
        """
        staged_inputs: list[tuple[str, str, str, int]] = []
        for role, src in (inputs or {}).items():
            if isinstance(src, tuple):
                name, data = src
            else:
                p = Path(src)
                name, data = p.name, p.read_bytes()
            staged_inputs.append((role, name, self._write_blob(data), len(data)))
        staged_art: list[tuple[str, str, str, int, str, int | None]] = []
        if results is not None:
            data = frame_to_parquet(results)
            staged_art.append(("results", "results.parquet", self._write_blob(data), len(data),
                               "application/vnd.apache.parquet", len(results)))
        for akind, name, data, media in artifacts:
            staged_art.append((akind, name, self._write_blob(data), len(data), media, None))
        rows = []
        if results is not None and len(results) <= SQL_RESULT_ROWS_MAX:
            rows = self._result_rows(results, compound, target)
        try:
            with self.session() as session:
                for _, _, sha, size in staged_inputs:
                    self._ensure_blob(session, sha, size, "application/octet-stream")
                for _, _, sha, size, media, _ in staged_art:
                    self._ensure_blob(session, sha, size, media)
                run = Run(kind=kind, command=command, parameters=dict(parameters),
                          software_version=_software_version(), seed=seed, status=status,
                          message=message, n_items=0 if results is None else len(results),
                          compound=compound, target=target, rerun_of=rerun_of,
                          experiment=self._experiment(session, project, experiment))
                run.inputs = [RunInput(role=r, filename=n, sha256=s)
                              for r, n, s, _ in staged_inputs]
                run.artifacts = [Artifact(kind=k, name=n, sha256=s, n_rows=nr)
                                 for k, n, s, _, _, nr in staged_art]
                session.add(run)
                session.flush()
                if rows:
                    session.execute(Result.__table__.insert(),
                                    [dict(r, run_id=run.id) for r in rows])
                run_id = run.id
        except OperationalError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise StoreError(f"could not record the run in {self._safe_url}: {reason}; "
                             "nothing was stored.") from None
        return run_id

    @staticmethod
    def _result_rows(frame: pd.DataFrame, compound: str | None,
                     target: str | None) -> list[dict[str, Any]]:
        item_col = next((c for c in _ITEM_COLUMNS if c in frame.columns), None)
        records = frame.to_dict(orient="records")
        out = []
        for i, rec in enumerate(records):
            values = {str(k): _json_cell(v) for k, v in rec.items()}
            out.append({
                "item": str(rec[item_col]) if item_col else str(i),
                "status": _json_cell(rec.get("status")),
                "compound": _json_cell(rec.get("compound", compound)),
                "target": _json_cell(rec.get("target", target)),
                "values": values,
            })
        return out

    # --- reading ----------------------------------------------------------------------
    def _load(self, session: Session, run_id: int) -> Run:
        run = session.scalar(select(Run).where(Run.id == run_id).options(
            selectinload(Run.inputs).selectinload(RunInput.blob),
            selectinload(Run.artifacts).selectinload(Artifact.blob),
            selectinload(Run.experiment).selectinload(Experiment.project)))
        if run is None:
            raise UnknownRunError(f"no run {run_id} in the store {self._safe_url}; "
                                  "`neuromoa runs list` shows the stored runs.")
        return run

    def get_run(self, run_id: int) -> RunRecord:
        with Session(self.engine) as session:
            return _record(self._load(session, int(run_id)))

    def list_runs(self, *, search: str | None = None, kind: str | None = None,
                  since: dt.date | str | None = None, until: dt.date | str | None = None,
                  limit: int | None = 100) -> list[RunRecord]:
        """Stored runs, newest first; ``search`` matches compound, target, kind, command or
        an input's file name (case-insensitive substring)."""
        q = select(Run).order_by(Run.id.desc()).options(
            selectinload(Run.inputs).selectinload(RunInput.blob),
            selectinload(Run.artifacts).selectinload(Artifact.blob),
            selectinload(Run.experiment).selectinload(Experiment.project))
        if kind:
            q = q.where(Run.kind == kind)
        if search:
            pat = f"%{search.lower()}%"
            in_results = select(Result.run_id).where(func.lower(Result.compound).like(pat))
            in_inputs = select(RunInput.run_id).where(func.lower(RunInput.filename).like(pat))
            q = q.where(or_(func.lower(Run.compound).like(pat), func.lower(Run.target).like(pat),
                            func.lower(Run.kind).like(pat), func.lower(Run.command).like(pat),
                            Run.id.in_(in_results), Run.id.in_(in_inputs)))
        if since:
            q = q.where(Run.created_at >= _as_datetime(since))
        if until:
            q = q.where(Run.created_at < _as_datetime(until) + dt.timedelta(days=1))
        if limit:
            q = q.limit(limit)
        with Session(self.engine) as session:
            return [_record(r) for r in session.scalars(q)]

    def count_runs(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count(Run.id))) or 0)

    def results(self, run_id: int) -> pd.DataFrame:
        """A run's result table (from its Parquet artifact)."""
        rec = self.get_run(run_id)
        art = rec.artifact("results")
        if art is None:
            raise StoreError(f"run {run_id} ({rec.kind}) has no result table.")
        return parquet_to_frame(self.read_blob(art["sha256"]))

    def input_bytes(self, run_id: int, role: str | None = None) -> tuple[str, bytes]:
        rec = self.get_run(run_id)
        for i in rec.inputs:
            if role is None or i["role"] == role:
                return i["filename"], self.read_blob(i["sha256"])
        raise StoreError(f"run {run_id} has no input {role!r}.")

    def export(self, run_id: int, folder: str | Path) -> list[Path]:
        """Write a run's inputs, artifacts and ``run.json`` into ``folder`` (new files only)."""
        import json

        rec = self.get_run(run_id)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for sub, entries in (("inputs", rec.inputs), ("artifacts", rec.artifacts)):
            for e in entries:
                dest = folder / sub / Path(e["filename" if sub == "inputs" else "name"]).name
                if dest.exists():
                    raise StoreError(f"{dest} exists; export into an empty folder.")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(self.read_blob(e["sha256"]))
                written.append(dest)
        meta = folder / "run.json"
        if meta.exists():
            raise StoreError(f"{meta} exists; export into an empty folder.")
        meta.write_text(json.dumps(rec.to_dict(), indent=2) + "\n")
        written.append(meta)
        return written

    def check(self) -> list[str]:
        """Consistency problems (empty list = consistent): runs whose result rows or blob
        files do not match what the run row says."""
        problems = []
        with Session(self.engine) as session:
            counts = dict(session.execute(select(Result.run_id, func.count(Result.id))
                                          .group_by(Result.run_id)).all())
            for run in session.scalars(select(Run).options(selectinload(Run.artifacts),
                                                           selectinload(Run.inputs))):
                n_sql = counts.get(run.id, 0)
                if run.n_items <= SQL_RESULT_ROWS_MAX and any(
                        a.kind == "results" for a in run.artifacts) and n_sql != run.n_items:
                    problems.append(f"run {run.id}: {n_sql} result rows, expected {run.n_items}")
                for entry in [*run.inputs, *run.artifacts]:
                    if not self._blob_path(entry.sha256).exists():
                        problems.append(f"run {run.id}: blob {entry.sha256} missing")
        return problems


def _as_datetime(value: dt.date | str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise StoreError(f"date {value!r} is not YYYY-MM-DD.") from None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
