"""Regenerate the pathway screenshots the README shows: ``docs/pathway_<name>.png``.

    python docs/pathway_screenshots.py            # replaces docs/pathway_*.png
    python docs/pathway_screenshots.py OUT_DIR    # writes them elsewhere instead

The regimen is 150 mg amitriptyline HCl every 24 h at steady state (the report's top dose), so
the drug → target lines show the occupancy at it. Same inputs, same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from neuromoa.pathways import write_pathways

#: The regimen the screenshots show, and their resolution (dots per inch).
DOSE, EVERY, DPI = "150 mg", "24 h", 110


def main(argv: list[str]) -> list[str]:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    result = write_pathways(out, formats=("png",), dose=DOSE, every=EVERY, force=True,
                            png_dpi=DPI)
    return [f for files in result.files.values() for f in files]


if __name__ == "__main__":
    for path in main(sys.argv[1:]):
        print(path)
