"""Write the pathway diagrams to files (SVG, PNG, SBGN-ML), the one I/O entry of ``neuromoa.pathways``.

Every file is written atomically (to a temporary file in the same folder, then renamed), and an
existing file is never replaced unless ``force=True``: all target paths are checked before the
first one is written, so a refusal leaves the folder as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuromoa.errors import InputError, OutputError
from neuromoa.pathways.build import build_pathways, pathway_names
from neuromoa.pathways.graph import PathwayGraph
from neuromoa.pathways.render import draw_pathway, figure_to_png, figure_to_svg, pathway_diagram

__all__ = ["FORMATS", "PathwayFiles", "write_pathways"]

#: Output formats: file suffix per format.
FORMATS: dict[str, str] = {"svg": "svg", "png": "png", "sbgn": "sbgn"}


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


def _file_mode(path: Path) -> int:
    """The mode a new file gets here: the replaced file's, else 0o666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # mkstemp makes 0o600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_pathways(out_dir: str | Path, compound: str | None = None, *,
                   formats: Sequence[str] = ("svg", "png"), kb: Any = None,
                   occupancy: Mapping[str, float] | None = None,
                   occupancy_label: str = "", names: Sequence[str] | None = None,
                   dose: str | None = None, every: str = "24 h",
                   force: bool = False, png_dpi: int = 150) -> PathwayFiles:
    """Build the pathways for ``compound`` and write ``pathway_<name>.<svg|png|sbgn>``.

    Parameters
    ----------
    formats : sequence of "svg", "png", "sbgn"
        SBGN-ML is Activity Flow, laid out as drawn (:mod:`neuromoa.pathways.sbgn`).
    names : sequence of str, optional
        Pathways to write (default every shipped one the compound has values for).
    dose, every : str, optional
        A regimen: drug → target edges weighted by the occupancy at it (see
        :func:`neuromoa.pathways.build_pathway`).
    force : bool
        Replace existing files; otherwise an existing file is an :class:`OutputError` raised
        before anything is written.
    png_dpi : int
        Resolution of the PNG files.

    Files are reproducible byte for byte (fixed SVG hash salt, no dates).
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError(f"unknown format {bad[0]!r}; choose from {', '.join(FORMATS)}")
    known = pathway_names()
    unknown = [n for n in (names or ()) if n not in known]
    if unknown:
        from neuromoa.errors import did_you_mean

        raise InputError(f"unknown pathway {unknown[0]!r}; choose from {', '.join(known)}."
                         f"{did_you_mean(unknown[0], known)}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder; choose another --out")
    graphs = build_pathways(compound, kb=kb, occupancy=occupancy, occupancy_label=occupancy_label,
                            dose=dose, every=every)
    if names:
        missing = [n for n in names if n not in graphs]
        if missing:
            raise InputError(f"pathway {missing[0]!r} cannot be drawn: the compound has no "
                             "value in the knowledge base at any of its targets")
        graphs = {n: graphs[n] for n in names}
    targets = {name: [out / f"pathway_{name}.{FORMATS[f]}" for f in dict.fromkeys(formats)]
               for name in graphs}
    if not force:
        existing = [p for paths in targets.values() for p in paths if p.exists()]
        if existing:
            raise OutputError(f"{existing[0]} exists; use --force to replace it "
                              f"({len(existing)} file(s) would be replaced)")
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}
    for name, graph in graphs.items():
        diagram = pathway_diagram(graph)
        fig = draw_pathway(graph, diagram=diagram)
        for path in targets[name]:
            fmt = path.suffix.lstrip(".")
            if fmt == "svg":
                data = figure_to_svg(fig, f"pathway-{name}").encode("utf-8")
            elif fmt == "png":
                data = figure_to_png(fig, dpi=png_dpi)
            else:
                from neuromoa.pathways.sbgn import sbgn_to_string

                data = sbgn_to_string(graph, diagram=diagram).encode("utf-8")
            _write_atomic(path, data)
        files[name] = [str(p) for p in targets[name]]
    return PathwayFiles(str(out), graphs, files)
