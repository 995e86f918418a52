"""``neuromoa serve``: the lab web app (FastAPI + Jinja2 + HTMX) over the results store.

The CLI and the web app are sibling shells (neither imports the other): this command checks the
store, then starts uvicorn on the app factory ``neuromoa.web.app:app_from_env`` with the
configuration in the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from neuromoa.cli._common import DbOption, err_console, fail, handle_errors

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port")] = 8000,
        db: DbOption = None,
        data: Annotated[Path | None, typer.Option(
            help="The server's data folder (uploads in progress, caches, the default SQLite "
                 "store); default: the platform data folder's neuromoa/web")] = None,
        token: Annotated[str | None, typer.Option(
            help="Require 'Authorization: Bearer TOKEN' (or the login form) for every page "
                 "and file; default $NEUROMOA_TOKEN")] = None,
        max_upload_mb: Annotated[float, typer.Option(help="Largest upload per file (MB)")] =
        20.0,
    ) -> None:
        """Serve the web app: upload curves, plates and ABF files; history; re-run; calculator."""
        try:
            import uvicorn
        except ImportError:
            fail("the web app needs the [web] extra: pip install 'neuromoa[web]'")
        from neuromoa.store import Store

        if data is None:
            import platformdirs

            data = Path(platformdirs.user_data_dir("neuromoa", appauthor=False)) / "web"
        data = data.resolve()
        data.mkdir(parents=True, exist_ok=True)
        url = db or os.environ.get("NEUROMOA_DB_URL")
        # one line and exit 2 if the store is unreachable or at an older schema
        Store(url or f"sqlite:///{data / 'neuromoa.db'}",
              blob_dir=None if url else data / "blobs").close()
        os.environ.update(NEUROMOA_WEB_DATA=str(data),
                          NEUROMOA_MAX_UPLOAD=str(int(max_upload_mb * 1024 * 1024)))
        if url:
            os.environ["NEUROMOA_DB_URL"] = url
        tok = token or os.environ.get("NEUROMOA_TOKEN")
        if tok:
            os.environ["NEUROMOA_TOKEN"] = tok
        if host not in ("127.0.0.1", "localhost", "::1") and not tok:
            err_console.print("warning: serving on a non-local address without --token",
                              markup=False, highlight=False)
        uvicorn.run("neuromoa.web.app:app_from_env", factory=True, host=host, port=port,
                    log_level="warning")
