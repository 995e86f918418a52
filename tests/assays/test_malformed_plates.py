"""Malformed plate files, plate maps and constants through the CLI: one line, exit 2, no traceback.

A bad well in one plate of a multi-plate file fails that plate only (exit 1, the plate marked on
stderr) while the good plates are analysed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuromoa.cli.main import app

F = Path(__file__).parent / "fixtures"
GRID = (F / "tecan_uptake.txt").read_text()
MAP = (F / "tecan_uptake_map.csv").read_text()
OK_MAP = "tecan_uptake_map.csv"


def _edit_grid(old: str, new: str) -> str:
    assert old in GRID
    return GRID.replace(old, new, 1)


def _edit_map(old: str, new: str) -> str:
    assert old in MAP
    return MAP.replace(old, new, 1)


_ROW_B = GRID.splitlines()[7]  # "B\t..." of the Tecan fixture (line 8)
_B2 = _ROW_B.split("\t")[2]

#: name → (plate file text or bytes, map text or None for the fixture's map, extra options,
#:         words the one-line error must hold)
CASES: dict[str, tuple[object, object, list[str], list[str]]] = {
    "no grid": ("Application: Tecan i-control\nDevice: infinite\n", None, [],
                ["nor a plate reader's grid", "bad.txt"]),
    "row letter repeated": (_edit_grid("\nC\t", "\nB\t"), None, [],
                            ["row B comes after row B", "row 9"]),
    "row too long": (_edit_grid(_ROW_B, _ROW_B + "\t17\t18"), None, [],
                     ["14 values", "12 columns", "row 8"]),
    "not a row letter": (_edit_grid("\nC\t", "\nX\t"), None, [],
                         ["'X' is not a plate row letter"]),
    "header not followed by rows": ("Plate: P1\n<>\t1\t2\t3\n\nEnd Time:\n", None, [],
                                    ["not followed by rows"]),
    "two plates one name": (GRID + "\nPlate: P1\n<>\t1\nA\t5\n", None, [],
                            ["two grids are named plate 'P1'"]),
    "count not a number": (_edit_grid(f"B\t{_ROW_B.split(chr(9))[1]}\t{_B2}\t",
                                      f"B\t{_ROW_B.split(chr(9))[1]}\tOVER\t"), None, [],
                           ["B2 (plate P1)", "'OVER' is not a number", "row 8"]),
    "negative count": (_edit_grid(f"\t{_B2}\t", "\t-5\t"), None, [],
                       ["B2", "negative"]),
    "grid without a map": (GRID, "", [], ["plate-reader grid export", "--layout"]),
    "map label unknown": (GRID, _edit_map("Compound", "Stuff"), [], ["labelled 'Stuff'"]),
    "map without roles": (GRID, MAP.split("Compound", 1)[1].join(["Compound", ""]), [],
                          ["no role map"]),
    "map conc without unit": (GRID, _edit_map("Concentration (nM)", "Concentration"), [],
                              ["has no unit", "Concentration (nM)"]),
    "map unknown role": (GRID, _edit_map("B,total,test", "B,total,tset"), [],
                         ["B2", "unknown role 'tset'", "row 4"]),
    "map role blank but filled": (GRID, _edit_map("B,total,test", "B,total,"), [],
                                  ["B2", "leaves it blank"]),
    "map 96 for a 384 plate": ((F / "plate384.txt").read_text(), None, [],
                               ["does not cover", "96 wells"]),
    "a second role map": (GRID, MAP + "\nRole\n,1\nA,total\n", [], ["second role map"]),
    "binary file": (b"\x00\x01\x02plate", None, [], ["not a text file"]),
    "an xlsx file": (b"PK\x03\x04rest-of-zip", None, [], ["Excel", "export the sheet"]),
    "empty file": ("", None, [], ["bad.txt"]),
    "constant with a wrong unit": (GRID, None, ["--specific-activity", "60 Ci"],
                                   ["specific activity", "Ci/mmol"]),
    "efficiency above 1": (GRID, None, ["--efficiency", "1.5"], ["fraction in (0, 1]"]),
    "constants file unknown key": (GRID, None, ["--constants", "CONST:colour = \"blue\"\n"],
                                   ["unknown constant 'colour'", "const.toml"]),
    "constants file bad value": (GRID, None, ["--constants", "CONST:km = \"fast\"\n"],
                                 ["const.toml", "Km"]),
    "uptake target without a protocol": (GRID, None, ["--target", "DAT"],
                                         ["substrate concentration", "'DAT'", "--substrate"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_input_is_one_line_exit_2(tmp_path, name):
    plate, mapping, options, words = CASES[name]
    p = tmp_path / "bad.txt"
    if isinstance(plate, bytes):
        p.write_bytes(plate)
    else:
        p.write_text(str(plate))
    args = ["assay", "analyze", "uptake", str(p)]
    if mapping is None:  # the Tecan fixture's 96-well map
        args += ["--layout", str(F / OK_MAP)]
    elif mapping != "":
        m = tmp_path / "map.csv"
        m.write_text(str(mapping))
        args += ["--layout", str(m)]
    opts = []
    for o in options:
        if o.startswith("CONST:"):
            c = tmp_path / "const.toml"
            c.write_text(o[len("CONST:"):])
            o = str(c)
        opts.append(o)
    if "--target" not in opts:
        opts += ["--target", "SERT"]
    res = CliRunner().invoke(app, [*args, *opts])
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1, err
    for w in words:
        assert w in err, (w, err)


def test_bad_plate_in_a_multiplate_file_is_marked_and_the_others_analysed(tmp_path):
    text = (F / "multiplate.txt").read_text()
    lines = text.splitlines()
    i = lines.index("Plate: P1-2") + 3  # row B of the second plate
    cells = lines[i].split(",")
    cells[3] = "n/a"
    lines[i] = ",".join(cells)
    p = tmp_path / "three.txt"
    p.write_text("\n".join(lines) + "\n")
    res = CliRunner().invoke(app, ["assay", "analyze", "uptake", str(p), "--layout",
                                   str(F / "multiplate_map.csv"), "--target", "SERT", "--json"])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("failed: three.txt")
    assert "B3 (plate P1-2)" in err[0] and "'n/a'" in err[0]
    plates = {r["plate"]: r["status"] for r in json.loads(res.stdout)["plates"]}
    assert plates["P1-2"] == "failed"
    assert plates["P1-1"] != "failed" and plates["P1-3"] != "failed"
