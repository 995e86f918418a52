"""A fast reader for the canonical long CSV of ``neuromoa fit`` (numpy and the standard
library only: no pandas), used before the full reader of :mod:`neuromoa.fitting.io`.

It accepts exactly one layout and hands everything else to the full reader (returns None):

* a UTF-8 file without BOM, quotes, CR, tabs, spaces or NUL bytes, ending in a newline or not;
* the header ``curve,concentration_<unit>,response`` (or ``concentration_<unit>,response``:
  one curve) with ``<unit>`` one of M, mM, uM, µM, μM, nM, pM, fM;
* every data line with exactly the header's number of fields, no blank line;
* every concentration and response a plain decimal number (digits, ``.``, ``e``/``E``,
  sign; at most :data:`MAX_NUMBER` characters), concentrations ≥ 0.

Curve ids stay text, never type-inferred: ``01`` and ``1``, ``NA``, ``None`` and the empty id
are distinct curves (the full reader's rule). Numbers are parsed by numpy's string → float64
fast path of Clinger (1990) when exact, Python's ``float`` otherwise (both correctly
rounded, as pandas' reader). Row numbers are the file's line numbers
(header = line 1), as in the full reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neuromoa.fitting._jit import native, njit
from neuromoa.fitting._units import _PLAIN_MOLAR

__all__ = ["CurveColumns", "read_canonical"]

#: Longest number field the fast path parses (characters; 17 significant digits, a sign, a
#: point and a four-character exponent fit in 24). Longer fields go to the full reader.
MAX_NUMBER = 32
#: Longest curve id the fast path keeps (bytes); longer ids go to the full reader.
MAX_ID = 256
#: Most curves in one file: the full reader's limit (:data:`neuromoa.fitting.io.MAX_CURVES`;
#: a test checks they agree). A larger file goes to the full reader, which names the limit.
MAX_CURVES = 10_000_000
#: Bytes that send a file to the full reader: quote, CR, tab, space, NUL (checked on every data
#: line by :func:`_fields`; a header with one of them is not the canonical header).
_SPECIAL = (b'"', b"\r", b"\t", b" ", b"\x00")
#: Bytes allowed in a number field: 0-9 . e E + -.
_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[np.frombuffer(b"0123456789.eE+-", dtype=np.uint8)] = True


@dataclass(frozen=True)
class CurveColumns:
    """A parsed long table: curve codes (first-appearance order) and their text ids, the
    concentrations (in ``unit``) and responses, and each row's file line number."""

    codes: np.ndarray      # int64, one per row
    ids: np.ndarray        # object array of str, one per curve
    x: np.ndarray          # float64, ≥ 0, finite
    y: np.ndarray          # float64, finite
    lines: np.ndarray      # int64 file line numbers (header = 1)
    unit: str
    has_curve: bool

    def __len__(self) -> int:
        return int(self.x.size)

    def to_frame(self):
        """The table as the full reader returns it (a DataFrame indexed by line number)."""
        import pandas as pd

        cols = {}
        if self.has_curve:
            cols["curve"] = self.ids[self.codes]
        cols["concentration"] = self.x
        cols["response"] = self.y
        return pd.DataFrame(cols, index=pd.Index(self.lines))


#: Exact powers of ten of a float64 (10^0 … 10^22): a decimal with at most
#: :data:`FAST_DIGITS` significant digits and a power of ten in this range is m·10^k or m/10^k
#: in one correctly rounded operation (Clinger 1990, "How to read floating point numbers
#: accurately", PLDI).
_POW10 = np.array([10.0 ** k for k in range(23)])
#: Significant digits of the one-operation path (10^15 < 2^53: the mantissa is exact).
FAST_DIGITS = 15
#: Distinct longer numbers (e.g. 17-digit concentrations) remembered for Python's ``float``.
SLOW_TABLE = 256


@njit(cache=True, nogil=True)
def _parse_one(buf, a, b, table_s, table_e, table_h, ntab):  # pragma: no cover
    """Parse ``buf[a:b]``: (value, code, ntab). code -1: the value (a plain decimal with <=
    FAST_DIGITS significant digits and |exponent| <= 22, exactly rounded); code >= 0: a long
    number, its index in the table of distinct long numbers (value NaN; ``ntab`` entries now);
    -2: a long number and the table is full (parse it alone); -3: not a plain decimal."""
    j = a
    neg = False
    if j < b and (buf[j] == 43 or buf[j] == 45):
        neg = buf[j] == 45
        j += 1
    m = 0
    nd = 0
    frac = 0
    seen = False
    point = False
    while j < b:
        c = buf[j]
        if 48 <= c <= 57:
            seen = True
            if nd > 0 or c != 48:
                if nd < 19:
                    m = m * 10 + (c - 48)
                nd += 1
                if point:
                    frac += 1
                elif nd > 19:
                    frac -= 1
            elif point:
                frac += 1
        elif c == 46 and not point:
            point = True
        else:
            break
        j += 1
    if not seen:
        return np.nan, -3, ntab
    e10 = 0
    if j < b:
        if buf[j] != 101 and buf[j] != 69:
            return np.nan, -3, ntab
        j += 1
        eneg = False
        if j < b and (buf[j] == 43 or buf[j] == 45):
            eneg = buf[j] == 45
            j += 1
        if j >= b:
            return np.nan, -3, ntab
        while j < b:
            c = buf[j]
            if not 48 <= c <= 57:
                return np.nan, -3, ntab
            if e10 < 100000:
                e10 = e10 * 10 + (c - 48)
            j += 1
        if eneg:
            e10 = -e10
    k = e10 - frac
    if nd == 0:
        return (-0.0 if neg else 0.0), -1, ntab
    if nd <= 15 and -22 <= k <= 22:
        v = float(m)
        v = v * _POW10[k] if k >= 0 else v / _POW10[-k]
        return (-v if neg else v), -1, ntab
    # a long number: look it up among the distinct long numbers seen so far
    h = np.uint64(1469598103934665603)
    for q in range(a, b):
        h = (h ^ np.uint64(buf[q])) * np.uint64(1099511628211)
    code = -2
    for t in range(ntab):
        if table_h[t] == h and table_e[t] - table_s[t] == b - a:
            same = True
            for q in range(b - a):
                if buf[table_s[t] + q] != buf[a + q]:
                    same = False
                    break
            if same:
                code = t
                break
    if code == -2 and ntab < table_h.size:
        table_s[ntab], table_e[ntab], table_h[ntab] = a, b, h
        code = ntab
        ntab += 1
    return np.nan, code, ntab


@njit(cache=True, nogil=True)
def _parse_numbers(buf, start, end, out, slow_code, table_s, table_e, table_h):  # pragma: no cover
    """Parse ``buf[start[i]:end[i]]`` into ``out[i]`` with :func:`_parse_one`: long numbers
    get ``slow_code[i]`` = their index in the table of distinct long numbers (or -2 when the
    table is full: parse it alone), the others -1. Returns -1 on a field that is not a plain
    decimal, else the number of table entries."""
    ntab = 0
    for i in range(start.size):
        v, code, ntab = _parse_one(buf, start[i], end[i], table_s, table_e, table_h, ntab)
        if code == -3:
            return -1
        slow_code[i] = code
        out[i] = v
    return ntab


@njit(cache=True, nogil=True)
def _group_ids(buf, start, end, codes, first):  # pragma: no cover
    """Curve codes in order of first appearance: ``codes[i]`` for field i, ``first[c]`` the
    field where code c first appears. Equal to the previous field: same code; else a hash
    table (FNV-1a over the bytes, open addressing, bytes compared). Returns the number of
    codes."""
    n = start.size
    size = 1
    while size < 2 * n + 2:
        size *= 2
    slots = np.full(size, -1, dtype=np.int64)
    ncode = 0
    for i in range(n):
        a, b = start[i], end[i]
        if i > 0 and b - a == end[i - 1] - start[i - 1]:
            same = True
            p = start[i - 1]
            for q in range(b - a):
                if buf[a + q] != buf[p + q]:
                    same = False
                    break
            if same:
                codes[i] = codes[i - 1]
                continue
        h = np.uint64(1469598103934665603)
        for q in range(a, b):
            h = (h ^ np.uint64(buf[q])) * np.uint64(1099511628211)
        k = np.int64(h & np.uint64(size - 1))
        while True:
            c = slots[k]
            if c < 0:
                slots[k] = ncode
                first[ncode] = i
                codes[i] = ncode
                ncode += 1
                break
            f = first[c]
            if end[f] - start[f] == b - a:
                same = True
                for q in range(b - a):
                    if buf[start[f] + q] != buf[a + q]:
                        same = False
                        break
                if same:
                    codes[i] = c
                    break
            k = (k + 1) & (size - 1)
    return ncode


@njit(cache=True, nogil=True)
def _scan(buf, start, nf, ids, x, y, xcode, ycode, xts, xte, xth, yts, yte, yth, ntabs
          ):  # pragma: no cover
    """One pass over the data lines from ``buf[start:]`` (each ends in a newline): the curve
    id's bounds (``ids[0, r]``, ``ids[1, r]``, when ``nf`` is 3) and the two numbers of every
    line parsed by :func:`_parse_one` into ``x``/``y`` (long numbers: ``xcode``/``ycode`` >= 0
    index the tables of distinct long numbers, whose sizes go to ``ntabs``; a full table:
    code = -3 - the field's start). Returns the number of lines, or -1 when a line has another
    number of fields, holds a quote, CR, tab, space or NUL byte, an empty or non-decimal number
    or a field longer than MAX_NUMBER (MAX_ID for the id): the full reader takes such files."""
    n = buf.size
    i = start
    row = 0
    nx = 0
    ny = 0
    xlast = -1
    first_num = nf - 2
    while i < n:
        f = 0
        fs = i
        while True:
            c = buf[i]
            if c == 10 or c == 44:
                if f >= nf:
                    return -1
                if f < first_num:
                    if i - fs > MAX_ID:
                        return -1
                    ids[0, row] = fs
                    ids[1, row] = i
                else:
                    if i == fs or i - fs > MAX_NUMBER:
                        return -1
                    if f == first_num:
                        # concentrations repeat in the same order curve after curve: try the
                        # long number after the previous row's before parsing (same bytes, same
                        # table entry as the lookup would find: the entries are distinct)
                        code = -1
                        if xlast >= 0 and nx > 0:
                            cand = xlast + 1 if xlast + 1 < nx else 0
                            if xte[cand] - xts[cand] == i - fs:
                                code = cand
                                base = xts[cand]
                                for q in range(i - fs):
                                    if buf[base + q] != buf[fs + q]:
                                        code = -1
                                        break
                        if code >= 0:
                            v = np.nan
                        else:
                            v, code, nx = _parse_one(buf, fs, i, xts, xte, xth, nx)
                        xlast = code
                    else:
                        v, code, ny = _parse_one(buf, fs, i, yts, yte, yth, ny)
                    if code == -3:
                        return -1
                    if code == -2:
                        code = -3 - fs
                    if f == first_num:
                        x[row] = v
                        xcode[row] = code
                    else:
                        y[row] = v
                        ycode[row] = code
                f += 1
                if c == 10:
                    break
                fs = i + 1
            elif c == 34 or c == 13 or c == 9 or c == 32 or c == 0:
                return -1
            i += 1
        if f != nf:
            return -1
        i += 1
        row += 1
    ntabs[0] = nx
    ntabs[1] = ny
    return row


#: The kernels through their native entry points (no numba start-up; see ``_jit``).
_parse_numbers_native = native(__name__, "_parse_numbers", "u1[:] i8[:] i8[:] f8[:] i8[:] i8[:] i8[:] u8[:]", "i8")
_group_ids_native = native(__name__, "_group_ids", "u1[:] i8[:] i8[:] i8[:] i8[:]", "i8")
_scan_native = native(__name__, "_scan", "u1[:] i8 i8 i8[:,:] f8[:] f8[:] i8[:] i8[:] i8[:] i8[:] "
                      "u8[:] i8[:] i8[:] u8[:] i8[:]", "i8")


def _resolve(data: bytes, out: np.ndarray, code: np.ndarray, ts: np.ndarray, te: np.ndarray,
             ntab: int) -> np.ndarray | None:
    """Fill in the long numbers :func:`_scan` left as NaN with Python's ``float`` (correctly
    rounded), or None when a number is not finite."""
    if ntab:  # distinct long numbers
        vals = np.array([float(data[ts[t]:te[t]]) for t in range(ntab)])
        has = code >= 0
        out[has] = vals[code[has]]
    for i in np.flatnonzero(code <= -3):  # the table was full: the field alone
        a = int(-3 - code[i])
        b = a
        while data[b] not in (44, 10):
            b += 1
        out[i] = float(data[a:b])
    if not np.isfinite(out).all():
        return None
    return out


def read_canonical(path: str | Path, unit: str | None = None) -> CurveColumns | None:
    """Read the canonical layout (see the module), or None to use the full reader.

    ``unit`` (CLI ``--unit``) must be None or the header's unit (a conversion goes through
    the full reader)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None  # the full reader raises its own error
    if not data or data.startswith(b"\xef\xbb\xbf"):
        return None
    nl0 = data.find(b"\n")
    if nl0 < 0:
        return None
    head = data[:nl0].split(b",")
    if len(head) == 3 and head[0] == b"curve" and head[2] == b"response":
        has_curve, conc = True, head[1]
    elif len(head) == 2 and head[1] == b"response":
        has_curve, conc = False, head[0]
    else:
        return None
    if not conc.startswith(b"concentration_"):
        return None
    try:
        used = conc[len(b"concentration_"):].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not _PLAIN_MOLAR.match(used) or (unit is not None and unit != used):
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    nrow = data.count(b"\n") - 1  # data lines (the header's newline excluded)
    if nrow <= 0:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    nf = 3 if has_curve else 2
    # one pass: every line's id bounds and numbers (anything unusual: None, the full reader)
    ids = np.empty((2, nrow if has_curve else 0), dtype=np.int64)
    x, y = np.empty(nrow), np.empty(nrow)
    xcode, ycode = np.empty(nrow, dtype=np.int64), np.empty(nrow, dtype=np.int64)
    xts, xte, yts, yte = (np.empty(SLOW_TABLE, dtype=np.int64) for _ in range(4))
    xth, yth = np.empty(SLOW_TABLE, dtype=np.uint64), np.empty(SLOW_TABLE, dtype=np.uint64)
    ntabs = np.zeros(2, dtype=np.int64)
    if _scan_native(buf, nl0 + 1, nf, ids, x, y, xcode, ycode, xts, xte, xth, yts, yte, yth,
                    ntabs) != nrow:
        return None
    x = _resolve(data, x, xcode, xts, xte, int(ntabs[0]))
    y = _resolve(data, y, ycode, yts, yte, int(ntabs[1])) if x is not None else None
    if x is None or y is None or (x < 0).any() or np.signbit(x).any():
        return None
    if has_curve:
        id_s, id_e = ids[0], ids[1]
        codes = np.empty(nrow, dtype=np.int64)
        first = np.empty(nrow, dtype=np.int64)
        ncode = _group_ids_native(buf, id_s, id_e, codes, first)
        if ncode > MAX_CURVES:
            return None
        fs, fe = id_s[first[:ncode]].tolist(), id_e[first[:ncode]].tolist()
        try:
            ids = np.array([data[a:b].decode("utf-8") for a, b in zip(fs, fe, strict=True)],
                           dtype=object)
        except UnicodeDecodeError:
            return None
    else:
        codes = np.zeros(nrow, dtype=np.int64)
        ids = np.array([0], dtype=object)
    return CurveColumns(codes=codes, ids=ids, x=x, y=y, lines=np.arange(2, 2 + nrow),
                        unit=used, has_curve=has_curve)
