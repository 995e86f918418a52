"""A compound is data: no shipped compound name or synonym appears in the code.

Every name and synonym of the identity table (``data/identity/compounds.csv``) is searched for
in ``src/neuromoa`` outside ``data/``: in every string literal that is not a docstring and in
every identifier (comments and docstrings may name compounds). Short all-capital abbreviations
(AMI, AT, NT ...) are matched case-sensitively and only in string literals, where they would be
a lookup key; everything else case-insensitively as a whole word.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from neuromoa.data.compounds import compound_names

SRC = Path(__file__).resolve().parents[2] / "src" / "neuromoa"
#: Text files outside data/ that the code renders (templates): searched whole.
TEXT_SUFFIXES = (".j2", ".html")


def _patterns(names):
    abbrev = sorted({n for n in names if n.isupper() and len(n) <= 4})
    words = sorted({n for n in names if n not in abbrev}, key=len, reverse=True)
    bound_l, bound_r = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
    word = re.compile(bound_l + "(" + "|".join(map(re.escape, words)) + ")" + bound_r, re.I)
    abbr = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, abbrev)) + r")(?![A-Za-z0-9_])")
    return word, abbr


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.add(body[0].lineno)
        # attribute docstrings: a bare string statement right after an assignment
        body = getattr(node, "body", None)
        for i, stmt in enumerate(body if isinstance(body, list) else []):
            if i and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                    and isinstance(stmt.value.value, str):
                lines.add(stmt.lineno)
    return lines


def offending(path: Path, word: re.Pattern, abbr: re.Pattern) -> list[str]:
    """``file:line: token`` for every compound name in code (not docstring, not comment)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in TEXT_SUFFIXES:
        return [f"{path}:{i}: {m.group(0)!r}" for i, line in enumerate(text.splitlines(), 1)
                for m in [word.search(line)] if m]
    docs = _docstring_lines(ast.parse(text))
    hits = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.STRING and tok.start[0] not in docs:
            m = word.search(tok.string) or abbr.search(tok.string)
        elif tok.type == tokenize.NAME:
            m = word.search(tok.string)
        else:
            continue
        if m:
            where = path.relative_to(SRC) if path.is_relative_to(SRC) else path
            hits.append(f"{where}:{tok.start[0]}: {m.group(0)!r} in {tok.string[:60]!r}")
    return hits


def _code_files():
    for p in sorted(SRC.rglob("*")):
        rel = p.relative_to(SRC)
        if rel.parts[0] == "data" or "__pycache__" in rel.parts or not p.is_file():
            continue
        if p.suffix == ".py" or p.suffix in TEXT_SUFFIXES:
            yield p


def test_no_compound_name_in_code():
    names = compound_names(shipped_only=True)
    assert "amitriptyline" in names and "Endep" in names and "NT" in names  # read from the table
    word, abbr = _patterns(names)
    hits = [h for p in _code_files() for h in offending(p, word, abbr)]
    assert not hits, "compound names in code (move them to data/):\n" + "\n".join(hits)


@pytest.mark.parametrize("snippet,found", [
    ('x = "amitriptyline"\n', True),                    # a string literal
    ("def f(amitriptyline_M): pass\n", True),           # an identifier
    ('key = "AT"\n', True),                             # an abbreviation as a lookup key
    ('"""Amitriptyline in a docstring."""\n', False),   # docstrings may name compounds
    ("# Tofranil in a comment\n", False),               # so may comments
    ('label = "ATP"\n', False),                         # a longer word is no abbreviation
    ("_EDGE_LABEL_AT = 1\n", False),                    # nor part of an identifier
    ('msg = "neither a parameter nor a condition"\n', False),
])
def test_the_check_can_fail(tmp_path, snippet, found):
    word, abbr = _patterns(compound_names(shipped_only=True))
    mod = tmp_path / "mod.py"
    mod.write_text(snippet, encoding="utf-8")
    assert bool(offending(mod, word, abbr)) is found
