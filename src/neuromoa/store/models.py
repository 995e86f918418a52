"""The results store's tables as typed SQLAlchemy 2 declarative models.

A *run* is one analysis: its kind (``fit``, ``assay``, ``ephys``, ``report``, ...), the
parameters it was called with, the software version and seed, the raw input files it read
(content-addressed by sha256 and kept verbatim as blobs) and the artifacts it produced
(result tables as Parquet, figures, reports), also blobs referenced by checksum. Small result
tables are mirrored row by row in ``results`` so the history can be searched in SQL.

Constraint names follow one ``naming_convention`` so Alembic migrations can name and drop them
on every backend (SQLite batch mode included).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Artifact", "Base", "Blob", "Experiment", "Project", "Result", "Run", "RunInput"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Length of a hex sha256 digest.
SHA256_HEX = 64


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON}


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    experiments: Mapped[list[Experiment]] = relationship(back_populates="project")


class Experiment(Base):
    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship(back_populates="experiments")


class Blob(Base):
    """A file kept verbatim on disk under the store's blob folder, named by its sha256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(SHA256_HEX), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiments.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    command: Mapped[str] = mapped_column(Text, default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    software_version: Mapped[str] = mapped_column(String(40))
    seed: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    n_items: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                    index=True)
    # revision 0002: what the run is about, for the history's search
    compound: Mapped[str | None] = mapped_column(String(200), index=True)
    target: Mapped[str | None] = mapped_column(String(100), index=True)
    rerun_of: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))

    experiment: Mapped[Experiment | None] = relationship()
    inputs: Mapped[list[RunInput]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunInput.id")
    artifacts: Mapped[list[Artifact]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Artifact.id")


class RunInput(Base):
    __tablename__ = "run_inputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)

    run: Mapped[Run] = relationship(back_populates="inputs")
    blob: Mapped[Blob] = relationship()


class Artifact(Base):
    __tablename__ = "artifacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    n_rows: Mapped[int | None] = mapped_column(BigInteger)

    run: Mapped[Run] = relationship(back_populates="artifacts")
    blob: Mapped[Blob] = relationship()


class Result(Base):
    """One row of a small result table (revision 0002), mirrored in SQL for search."""

    __tablename__ = "results"
    __table_args__ = (Index("ix_results_run_id_item", "run_id", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(20))
    compound: Mapped[str | None] = mapped_column(String(200), index=True)
    target: Mapped[str | None] = mapped_column(String(100))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
