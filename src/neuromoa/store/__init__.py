"""Results store: SQLAlchemy models, Alembic migrations shipped here, Parquet for bulk tables.

Persists runs (inputs by checksum, parameters, version, seed, results) and knows no analysis.

>>> from neuromoa.store import Store            # doctest: +SKIP
>>> store = Store("sqlite:///lab.db")            # doctest: +SKIP
>>> run_id = store.record_run("fit", parameters={"model": "4pl"}, results=frame)  # doctest: +SKIP
"""

from neuromoa.store.core import (
    ENV_BLOBS,
    ENV_URL,
    SQL_RESULT_ROWS_MAX,
    RunRecord,
    Store,
    default_url,
    frame_to_parquet,
    parquet_to_frame,
)
from neuromoa.store.errors import StoreError, UnknownRunError

__all__ = [
    "ENV_BLOBS",
    "ENV_URL",
    "SQL_RESULT_ROWS_MAX",
    "RunRecord",
    "Store",
    "StoreError",
    "UnknownRunError",
    "default_url",
    "frame_to_parquet",
    "parquet_to_frame",
]
