"""Suite-wide hooks."""

from __future__ import annotations

import os

import pytest


# In CI (CI=true, set by .ci/run) a browser or database test that skips is a failure: .ci/run
# installs Chromium and PostgreSQL, so a skip there means a missing install step.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if (rep.skipped and os.environ.get("CI", "").lower() == "true"
            and (item.get_closest_marker("postgresql") or item.get_closest_marker("chromium"))):
        rep.outcome = "failed"
        rep.longrepr = f"CI=true: a database/browser test must not be skipped ({rep.longrepr})"
