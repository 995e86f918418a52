"""Write the pathway diagrams to files (SVG and PNG), the one I/O entry of ``neuromoa.pathways``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuromoa.pathways.build import build_pathways
from neuromoa.pathways.graph import PathwayGraph
from neuromoa.pathways.render import draw_pathway, figure_to_png, figure_to_svg

__all__ = ["PathwayFiles", "write_pathways"]


@dataclass(frozen=True)
class PathwayFiles:
    """What :func:`write_pathways` wrote: per pathway, its graph and the files."""

    out_dir: str
    graphs: dict[str, PathwayGraph]
    files: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: output folder, files per pathway and each graph."""
        return {"out_dir": self.out_dir, "files": {k: list(v) for k, v in self.files.items()},
                "pathways": {k: g.to_dict() for k, g in self.graphs.items()}}

    def to_frame(self):  # noqa: ANN201 - pandas imported lazily
        """One row per written file: pathway, format, path."""
        import pandas as pd

        rows = [{"pathway": k, "format": Path(f).suffix.lstrip("."), "path": f}
                for k, v in self.files.items() for f in v]
        return pd.DataFrame(rows, columns=["pathway", "format", "path"])


def write_pathways(out_dir: str | Path, compound: str | None = None, *,
                   formats: tuple[str, ...] = ("svg", "png"), kb: Any = None,
                   occupancy: Mapping[str, float] | None = None,
                   occupancy_label: str = "") -> PathwayFiles:
    """Build every shipped pathway for ``compound`` and write ``<name>.svg`` / ``<name>.png``.

    Files are reproducible byte for byte (fixed SVG hash salt, no dates).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    graphs = build_pathways(compound, kb=kb, occupancy=occupancy, occupancy_label=occupancy_label)
    files: dict[str, list[str]] = {}
    for name, graph in graphs.items():
        fig = draw_pathway(graph)
        written = []
        for fmt in formats:
            path = out / f"pathway_{name}.{fmt}"
            if fmt == "svg":
                path.write_text(figure_to_svg(fig, f"pathway-{name}"), encoding="utf-8")
            elif fmt == "png":
                path.write_bytes(figure_to_png(fig))
            else:
                from neuromoa.errors import InputError

                raise InputError(f"unknown figure format {fmt!r}; use svg or png")
            written.append(str(path))
        files[name] = written
    return PathwayFiles(str(out), graphs, files)
