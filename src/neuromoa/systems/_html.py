"""A short HTML summary for result objects in notebooks (``_repr_html_``)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def summary_html(title: str, items: Mapping[str, object]) -> str:
    """A two-column table of the scalar items (lists and tables are left out)."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td>{html.escape(_fmt(v))}</td></tr>"
        for k, v in items.items()
        if isinstance(v, str | int | float | bool) or v is None)
    return f"<table><caption>{html.escape(title)}</caption>{rows}</table>"
