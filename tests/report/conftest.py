"""Shared fixtures: one quick report per test session (building it is the slow part)."""

from __future__ import annotations

import datetime as dt

import pytest
from report_testutil import make_config

from neuromoa.report import build_report


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = build_report(out, make_config(), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return result, (out / "index.html").read_text(encoding="utf-8")
