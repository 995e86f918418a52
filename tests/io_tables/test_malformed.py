"""Bad curve files through ``neuromoa fit``: each gives one line naming the file (and sheet,
row or column) and what was expected, exit 2, no traceback."""

import shutil

import pytest

from .conftest import FIXTURES, run_fit, shared_pzfx

PLATE = ",".join([""] + [str(i) for i in range(1, 13)]) + "\n" + "\n".join(
    ",".join([r] + ["100"] * 12) for r in "ABCDEFGH") + "\n"
XY_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><GraphPadPrismFile PrismXMLVersion="5.00">'
           '<Table ID="Table0" XFormat="numbers" YFormat="replicates" TableType="XY">'
           "<Title>T</Title><XColumn><Title>conc_uM</Title><Subcolumn><d>1</d><d>2</d>"
           "</Subcolumn></XColumn>")


def _xlsx(path, sheets):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


def _write(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


#: (id, file name, content or a builder, extra CLI args, text the one line must contain)
CASES = [
    ("empty", "e.csv", b"", [], "the file is empty"),
    ("blank lines", "b.csv", "\n\n  \n", [], "the file is empty"),
    ("binary junk", "j.csv", bytes(range(256)) * 4, [], "NUL bytes"),
    ("header only", "h.csv", "curve,concentration_nM,response\n", [], "no data rows"),
    ("header only tsv", "h.tsv", "curve\tconc_uM\tresponse\n", [], "no data rows"),
    ("no numeric X", "x.csv", "curve;conc_uM;response\na;abc;1\na;def;2\n", [], "no numeric X"),
    ("duplicated header", "d.tsv", "curve\tconc_uM\tresponse\tresponse\na\t1\t2\t3\n", [],
     "duplicated column name"),
    ("mixed decimals", "m.csv", "curve;conc_uM;response\na;0,1;50.5\na;1;20\n", [],
     "mixed decimal conventions"),
    ("not UTF-8", "l.csv", "curve;conc_µM;response\na;1;2\n".encode("latin-1"), [],
     "not UTF-8"),
    ("extra field", "f.tsv", "curve\tconc_uM\tresponse\na\t1\t2\t9\n", [],
     "beyond the last named column"),
    ("no unit", "u.tsv", "curve\tconcentration\tresponse\na\t1\t2\n", [], "have no unit"),
    ("no response", "r.csv", "compound;conc_uM;a;b\nx;1;2;3\n", [], "no response column"),
    ("wide without Y", "w.csv", "conc_uM\n1\n2\n", [], "no response columns"),
    ("plate grid", "p.csv", PLATE, [], "looks like a plate grid"),
    ("plate grid after instrument lines", "mb.txt", "Instrument: MicroBeta2\nPlate: 1\n\n"
     + PLATE.replace(",", "\t"), [], "row 4: looks like a plate grid"),
    ("--x missing", "c.tsv", "curve\tconc_uM\tresponse\na\t1\t2\n", ["--x", "dose"],
     "no column 'dose' for --x"),
    ("--x-unit not molar", "c.tsv", "curve\tconcentration\tresponse\na\t1\t2\n",
     ["--x-unit", "kg"], "not a molar concentration unit"),
    ("--x-unit disagrees", "c.tsv", "curve\tconc_uM\tresponse\na\t1\t2\n", ["--x-unit", "nM"],
     "disagrees with the header"),
    ("--sheet on text", "c.tsv", "curve\tconc_uM\tresponse\na\t1\t2\n", ["--sheet", "A"],
     "--sheet is for .xlsx"),
    ("--table on text", "c.tsv", "curve\tconc_uM\tresponse\na\t1\t2\n", ["--table", "A"],
     "--table is for Prism"),
    ("bad layout", "c.tsv", "curve\tconc_uM\tresponse\na\t1\t2\n", ["--layout", "tall"],
     "layout must be auto, long or wide"),
    ("legacy xls", "o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, [],
     "legacy binary .xls"),
    ("corrupt xlsx", "k.xlsx", b"PK\x03\x04" + b"junk" * 100, [],
     "not a readable .xlsx"),
    ("xlsx several sheets", "s.xlsx", {"A": [["curve", "conc_uM", "response"], ["a", 1, 2]],
                                       "B": [["x"]]}, [],
     "use --sheet NAME (sheets: 'A', 'B')"),
    ("xlsx wrong sheet", "s.xlsx", {"A": [["curve", "conc_uM", "response"], ["a", 1, 2]]},
     ["--sheet", "Data"], "no sheet 'Data'; use --sheet NAME (sheets: 'A')"),
    ("xlsx renamed .csv", "s.csv", {"A": [["curve"]], "B": [["x"]]}, [],
     "this .xlsx has 2 sheets"),
    ("xlsx empty sheet", "s.xlsx", {"A": []}, [], "the sheet is empty"),
    ("xlsx text X", "s.xlsx", {"A": [["curve", "conc_uM", "response"], ["a", "n/a", 2]]}, [],
     "no numeric X"),
    ("pzfx without XY table", "column.pzfx", "shared:column.pzfx", [], "no XY table to fit"),
    ("pzfx struck-only column", "s.pzfx", XY_HEAD + '<YColumn><Title>Y</Title><Subcolumn>'
     '<d Excluded="1">5</d><d Excluded="1">6</d></Subcolumn></YColumn></Table>'
     "</GraphPadPrismFile>", [], "every value is struck"),
    ("pzfx broken XML", "x.pzfx", '<?xml version="1.0"?><GraphPadPrismFile><Table>', [],
     "not a readable Prism .pzfx"),
    ("pzfx no such table", "t.pzfx", "fixture:prism_xy.pzfx", ["--table", "Other"],
     "no table 'Other'"),
    ("pzfx Y without X", "n.pzfx", XY_HEAD + "<YColumn><Title>Y</Title><Subcolumn><d>1</d>"
     "<d>2</d><d>3</d></Subcolumn></YColumn></Table></GraphPadPrismFile>", [],
     "has no X value"),
    ("a folder", "dir", "folder", [], "folder"),
]


@pytest.mark.parametrize(("case", "name", "content", "args", "expect"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_file_one_line_exit_2(tmp_path, case, name, content, args, expect):
    if isinstance(content, dict):
        path = tmp_path / name
        _xlsx(path, content)
    elif content == "folder":
        path = tmp_path / name
        path.mkdir()
    elif isinstance(content, str) and content.startswith(("shared:", "fixture:")):
        kind, _, fname = content.partition(":")
        src = shared_pzfx(fname) if kind == "shared" else FIXTURES / fname
        path = tmp_path / name
        shutil.copy(src, path)
    else:
        path = _write(tmp_path, name, content)
    res = run_fit(path, *args)
    lines = res.output.strip().splitlines()
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(
        res.exception, SystemExit)
    assert len(lines) == 1, res.output
    assert expect in lines[0], lines[0]
    assert name in lines[0] or str(path) in lines[0] or case == "a folder"


def test_at_least_thirty_malformed_files():
    assert len(CASES) >= 30


def test_missing_openpyxl_is_one_line_naming_the_pip_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    res = run_fit(FIXTURES / "long.xlsx", "--sheet", "Data")
    assert res.exit_code == 2
    assert res.output.strip() == ("error: reading .xlsx needs openpyxl (optional extra); run: "
                                  "pip install 'neuromoa[readers]'")


def test_store_refuses_a_run_it_could_not_repeat(tmp_path):
    res = run_fit(FIXTURES / "wide.csv", "--store", "--db", f"sqlite:///{tmp_path / 'runs.db'}")
    assert res.exit_code == 2
    assert "--store records runs that `neuromoa runs rerun` can repeat" in res.output
    assert not (tmp_path / "runs.db").exists()
