"""The web app: FastAPI + Jinja2 + HTMX over the same library calls and the results store.

``create_app(store)`` builds the app (``neuromoa.web.app``); ``neuromoa.web.analyses`` holds the
analyses the platform records and re-runs (no FastAPI import, the CLI uses it too).
"""

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    """Build the FastAPI app (see :func:`neuromoa.web.app.create_app`)."""
    from neuromoa.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)
