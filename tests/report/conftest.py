"""Shared fixtures of the report tests: one quick report per session, and an HTML checker.

The checker parses the report's HTML with the standard library: ids, data-sources, and the
numbers of sections 1–2 that lack a source.
"""



from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from neuromoa.report import build_report

# A numeric token: digits (with decimals or an exponent) not glued to letters, "/" or "-"
# — so identifiers like "M1", "Kv7.2/7.3", "5-HT" or "Ca2+" are not numbers, while "3.45 nM",
# "11–24 nM", "[8]" and "−80 mV" are.
NUMBER = re.compile(r"(?<![\w./-])\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?(?![\w/-]|\.\d)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Structural labels allowed without a source (they are names, not data).
LABEL = re.compile(r"^(Table|Figure) \d+$|^Further rows$")


class ReportParser(HTMLParser):
    """Collects ids, data-source values, and numbers in sections 1–2 lacking a source."""

    def __init__(self, sections=("1", "2")) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = set(sections)
        self.stack: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.sources: list[str] = []
        self.unsourced: list[tuple[str, str]] = []  # (section, text)
        self.sourced_numbers: dict[str, int] = {}
        self.bad_labels: list[str] = []
        self._label_text: list[str] | None = None
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if "data-source" in a:
            self.sources.append(a["data-source"])
        if "data-label" in a:
            self._label_text = []
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if "data-source" in a:
            self.sources.append(a["data-source"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                closed = self.stack[i:]
                del self.stack[i:]
                if self._label_text is not None and any("data-label" in a for _, a in closed):
                    text = "".join(self._label_text).strip()
                    if not LABEL.match(text):
                        self.bad_labels.append(text)
                    self._label_text = None
                return

    def _section(self):
        section = None
        in_body = False
        for _, a in self.stack:
            if "data-section" in a:
                section = a["data-section"]
            if "section-body" in a.get("class", "").split():
                in_body = True
        return section if in_body else None

    def handle_data(self, data):
        if self._label_text is not None:
            self._label_text.append(data)
        section = self._section()
        if section not in self.sections:
            return
        if any(t in ("style", "script") for t, _ in self.stack):
            return
        tokens = NUMBER.findall(data)
        if not tokens:
            return
        if any("data-source" in a or "data-label" in a for _, a in self.stack):
            self.sourced_numbers[section] = self.sourced_numbers.get(section, 0) + len(tokens)
            return
        self.unsourced.append((section, data.strip()))


def parse(html: str, sections=("1", "2")) -> ReportParser:
    p = ReportParser(sections)
    p.feed(html)
    p.close()
    return p


def make_config():
    """Quick settings, two regimens: the smallest report that still exercises every section."""
    from neuromoa.report import ReportConfig

    return ReportConfig(doses=("10 mg", "150 mg"), quick=True, seed=7)


@pytest.fixture(scope="session")
def report_config():
    return make_config()


@pytest.fixture(scope="session")
def html_parse():
    return parse


def _start_second_run(out) -> subprocess.Popen:
    """Start the same report in a fresh interpreter with another hash seed (runs alongside)."""
    config = make_config()
    code = ("import sys; from neuromoa.report import ReportConfig, build_report; "
            f"build_report(sys.argv[1], ReportConfig(doses={config.doses!r}, quick=True, "
            f"seed={config.seed}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    src = os.path.dirname(os.path.dirname(__import__("neuromoa").__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", code, str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory):
    """The quick report built in this process; a second, independent run starts alongside it."""
    out = tmp_path_factory.mktemp("report")
    second_out = tmp_path_factory.mktemp("report_again")
    second = _start_second_run(second_out)
    result = build_report(out, make_config(), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    html = (out / "index.html").read_text(encoding="utf-8")
    yield result, html, (second, second_out)
    if second.poll() is None:
        second.kill()
        second.communicate()
