"""No merge-conflict marker survives in a tracked text file (many branches merge into main)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return [ROOT / f for f in out if (ROOT / f).suffix in {".py", ".md", ".toml", ".csv", ".j2",
                                                              ".html", ".ant", ".txt", ".cfg"}]


def test_marker_pattern_catches_a_conflict() -> None:
    assert MARKER.search("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> branch\n")
    assert not MARKER.search("a table rule\n=======-\n")


def test_no_conflict_markers_in_tracked_files() -> None:
    hits = [str(p.relative_to(ROOT)) for p in _tracked_text_files()
            if p.is_file() and MARKER.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert hits == []
