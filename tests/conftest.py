"""Suite-wide hooks and shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(scope="session")
def write_step_abf():
    """A writer of a small recording: three sweeps of an inward current step (pA) with noise,
    written as ABF1 by pyabf (used by the store and web tests)."""
    def write(path: Path) -> Path:
        import numpy as np
        from pyabf.abfWriter import writeABF1

        rate = 20000.0
        t = np.arange(int(0.2 * rate)) / rate
        rng = np.random.default_rng(0)
        sweeps = [np.where((t > 0.05) & (t < 0.15), -200.0 * (k + 1), 0.0) +
                  rng.normal(0, 2.0, t.size) for k in range(3)]
        writeABF1(np.asarray(sweeps), str(path), rate, units="pA")
        return path

    return write
