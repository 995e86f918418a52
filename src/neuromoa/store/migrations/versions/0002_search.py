"""Search: a run's compound and target, re-run lineage, and small result tables in SQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("compound", sa.String(200), nullable=True))
        batch.add_column(sa.Column("target", sa.String(100), nullable=True))
        batch.add_column(sa.Column("rerun_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_runs_rerun_of_runs"), "runs", ["rerun_of"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(op.f("ix_runs_compound"), ["compound"])
        batch.create_index(op.f("ix_runs_target"), ["target"])
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("compound", sa.String(200), nullable=True),
        sa.Column("target", sa.String(100), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE",
                                name=op.f("fk_results_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
    )
    op.create_index("ix_results_run_id_item", "results", ["run_id", "item"])
    op.create_index(op.f("ix_results_compound"), "results", ["compound"])


def downgrade() -> None:
    op.drop_table("results")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index(op.f("ix_runs_target"))
        batch.drop_index(op.f("ix_runs_compound"))
        batch.drop_constraint(op.f("fk_runs_rerun_of_runs"), type_="foreignkey")
        batch.drop_column("rerun_of")
        batch.drop_column("target")
        batch.drop_column("compound")
