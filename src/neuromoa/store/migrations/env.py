"""Alembic environment for the neuromoa results store (shipped inside the package).

The store passes an open connection in ``config.attributes["connection"]``; SQLite gets
``render_as_batch`` so that ALTERs become copy-and-move table rebuilds.
"""

from alembic import context

from neuromoa.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes one
    raise RuntimeError("neuromoa's migrations run through neuromoa.store (neuromoa db upgrade).")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
