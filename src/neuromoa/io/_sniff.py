"""What kind of curve file is this? A cheap look at the first bytes (standard library only, no
pandas: ``neuromoa fit`` calls it before choosing the canonical fast path).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["HEAD_BYTES", "sniff_kind"]

#: Bytes read to sniff a file: enough for a header and a few dozen rows.
HEAD_BYTES = 65536

#: Column names of the canonical CSV (neuromoa.fitting.io.read_curve_table's); a header with any
#: other column (e.g. ``compound``, ``replicate``) goes to the general reader, which maps it.
_CANONICAL = frozenset({b"curve", b"concentration", b"response", b"unit", b"weight", b"sd"})
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .xls (OLE2 compound file) signature


def sniff_kind(path: str | Path) -> str:
    """``"xlsx"``, ``"xls"`` (legacy binary Excel), ``"pzfx"``, ``"binary"``, ``"empty"``,
    ``"canonical-csv"`` (comma-separated text whose header names a ``response`` column: the
    format of :func:`neuromoa.fitting.fit_csv`) or ``"text"`` (anything else textual: the
    general reader sniffs it further).

    A missing path raises ``FileNotFoundError``; a folder gives ``"folder"``."""
    p = Path(path)
    if p.is_dir():
        return "folder"
    with p.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        return "empty"
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    text_head = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text_head.startswith(b"<"):
        return "pzfx" if b"GraphPadPrismFile" in head[:4096] else "text"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text (Excel's "Unicode text"): the general reader decodes it
    if b"\x00" in head[:8192]:
        return "binary"
    first = text_head.split(b"\n", 1)[0].rstrip(b"\r")
    if b";" in first or b"\t" in first or b"," not in first:
        return "text"
    cells = [c.strip().strip(b'"').lower() for c in first.split(b",")]
    if b"response" not in cells:
        return "text"
    known = all(c in _CANONICAL or c.startswith((b"concentration", b"conc_")) for c in cells)
    return "canonical-csv" if known else "text"
