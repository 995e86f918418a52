"""Compiled float → JSON-number text, for writing a million fits quickly.

Python's ``float.__repr__`` costs ~1 µs a number on this machine; a screen's JSON has ~20
numbers a curve. This kernel writes each float with 16 significant digits (float64 carries
15.95; the value read back differs by at most ~1 unit in the 16th digit), trailing zeros
stripped, positional for 1e-5 ≤ |v| < 1e16 and scientific otherwise; NaN and ±inf become
``null`` (JSON has no such numbers).
"""

from __future__ import annotations

import math

import numpy as np

from neuromoa.fitting._jit import native, njit
from neuromoa.fitting._threads import split_map

__all__ = ["format_numbers", "format_records", "format_rows", "format_rows_bytes"]

#: Significant digits written (float64 holds 15.95 decimal digits).
DIGITS = 16
_P15 = 10**15
_P16 = 10**16
#: Positional notation for decimal exponents in [POS_MIN, POS_MAX], as Python's repr does.
POS_MIN, POS_MAX = -5, 15
#: log10(2): a binary exponent times this is the decimal exponent (±1).
_LOG10_2 = math.log10(2.0)
#: Powers of ten that float64 holds exactly (10**0 … 10**22), for the common exponents.
_EXACT = 22
_POW10 = np.array([10.0**i for i in range(_EXACT + 1)])
#: Scale by 10**k in two steps beyond this exponent (10**309 would overflow).
_SPLIT = 280
#: Longest text of one number: sign, 16 digits, point, "e-308", leading "0.0000".
MAX_LEN = 32


@njit(cache=True)
def _write_int(buf, pos, v):
    """Write the non-negative integer v at buf[pos:]; return the new position."""
    if v == 0:
        buf[pos] = 48
        return pos + 1
    k = 0
    while v > 0:  # digits in reverse, then flip in place
        buf[pos + k] = 48 + v % 10
        v //= 10
        k += 1
    i, j = pos, pos + k - 1
    while i < j:
        t = buf[i]
        buf[i] = buf[j]
        buf[j] = t
        i += 1
        j -= 1
    return pos + k


@njit(cache=True)
def _num(buf, pos, v, digits):
    """Write float v at buf[pos:]; return the new position."""
    if not math.isfinite(v):
        buf[pos] = 110  # null
        buf[pos + 1] = 117
        buf[pos + 2] = 108
        buf[pos + 3] = 108
        return pos + 4
    if v == 0.0:
        buf[pos] = 48
        buf[pos + 1] = 46
        buf[pos + 2] = 48
        return pos + 3
    if v < 0.0:
        buf[pos] = 45
        pos += 1
        v = -v
    e = int(math.floor((math.frexp(v)[1] - 1) * _LOG10_2))  # off by one at most: fixed below
    n = 0
    for _ in range(3):  # correct a log10 off-by-one near powers of ten
        k = DIGITS - 1 - e
        if 0 <= k <= _EXACT:
            s = v * _POW10[k]
        elif -_EXACT <= k < 0:
            s = v / _POW10[-k]
        elif k > _SPLIT:  # two steps keep 10**k finite for tiny v
            s = (v * 10.0 ** (k - _SPLIT)) * 10.0**_SPLIT
        elif k >= 0:
            s = v * 10.0**k
        elif k < -_SPLIT:
            s = (v / 10.0 ** (-k - _SPLIT)) / 10.0**_SPLIT
        else:
            s = v / 10.0 ** (-k)
        n = int(s + 0.5)
        if n >= _P16:
            e += 1
        elif n < _P15:
            e -= 1
        else:
            break
    if n >= _P16:
        n //= 10
    for j in range(DIGITS - 2, -1, -2):  # two digits per division
        q = n // 100
        r = n - 100 * q
        digits[j] = r // 10
        digits[j + 1] = r - 10 * (r // 10)
        n = q
    nd = DIGITS
    while nd > 1 and digits[nd - 1] == 0:
        nd -= 1
    if POS_MIN <= e <= POS_MAX:
        if e < 0:
            buf[pos] = 48
            buf[pos + 1] = 46
            pos += 2
            for _ in range(-e - 1):
                buf[pos] = 48
                pos += 1
            for j in range(nd):
                buf[pos] = 48 + digits[j]
                pos += 1
        else:
            for j in range(e + 1):
                buf[pos] = 48 + (digits[j] if j < nd else 0)
                pos += 1
            buf[pos] = 46
            pos += 1
            if nd > e + 1:
                for j in range(e + 1, nd):
                    buf[pos] = 48 + digits[j]
                    pos += 1
            else:
                buf[pos] = 48
                pos += 1
    else:
        buf[pos] = 48 + digits[0]
        pos += 1
        if nd > 1:
            buf[pos] = 46
            pos += 1
            for j in range(1, nd):
                buf[pos] = 48 + digits[j]
                pos += 1
        buf[pos] = 101  # e
        pos += 1
        if e < 0:
            buf[pos] = 45
            pos += 1
            e = -e
        else:
            buf[pos] = 43
            pos += 1
        if e < 10:
            buf[pos] = 48
            pos += 1
        pos = _write_int(buf, pos, e)
    return pos


@njit(cache=True)
def _format(a, buf, starts):
    digits = np.empty(DIGITS, np.uint8)
    pos = 0
    for i in range(a.size):
        starts[i] = pos
        pos = _num(buf, pos, a[i], digits)
    starts[a.size] = pos
    return pos


@njit(cache=True)
def _records(a, is_int, pre, pre_off, buf, starts):
    """Row i → Σ_j prefix_j + number a[i, j] (integers for is_int columns)."""
    digits = np.empty(DIGITS, np.uint8)
    pos = 0
    for i in range(a.shape[0]):
        starts[i] = pos
        for j in range(a.shape[1]):
            for q in range(pre_off[j], pre_off[j + 1]):
                buf[pos] = pre[q]
                pos += 1
            v = a[i, j]
            if is_int[j] and math.isfinite(v):
                if v < 0:
                    buf[pos] = 45
                    pos += 1
                    v = -v
                pos = _write_int(buf, pos, int(v))
            else:
                pos = _num(buf, pos, v, digits)
    starts[a.shape[0]] = pos
    return pos


def format_numbers(values) -> list[str]:
    """JSON texts of the floats in ``values`` (any shape, flattened C order)."""
    a = np.ascontiguousarray(values, dtype=np.float64).ravel()
    buf = np.empty(a.size * MAX_LEN + 1, np.uint8)
    starts = np.empty(a.size + 1, np.int64)
    end = _format(a, buf, starts)
    text = buf[:end].tobytes().decode("ascii")
    st = starts.tolist()
    return [text[st[i]:st[i + 1]] for i in range(a.size)]


def format_records(values, prefixes: list[str], is_int=None) -> list[str]:
    """One text per row of ``values`` (n, k): ``prefixes[j]`` then the number in column j,
    for every j (integers written without a fraction where ``is_int[j]``)."""
    a = np.ascontiguousarray(values, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != len(prefixes):
        raise ValueError("format_records needs an (n, len(prefixes)) array.")
    pb = [p.encode("utf-8") for p in prefixes]
    pre = np.frombuffer(b"".join(pb), dtype=np.uint8) if any(pb) else np.zeros(0, np.uint8)
    pre_off = np.zeros(len(pb) + 1, np.int64)
    np.cumsum([len(p) for p in pb], out=pre_off[1:])
    flags = np.zeros(a.shape[1], np.bool_) if is_int is None else np.asarray(is_int, np.bool_)
    per_row = int(pre_off[-1]) + a.shape[1] * MAX_LEN
    buf = np.empty(a.shape[0] * per_row + 1, np.uint8)
    starts = np.empty(a.shape[0] + 1, np.int64)
    end = _records(a, flags, pre, pre_off, buf, starts)
    text = buf[:end].tobytes().decode("utf-8")
    st = starts.tolist()
    return [text[st[i]:st[i + 1]] for i in range(a.shape[0])]


@njit(cache=True)
def _copy(buf, pos, src, a, b):
    for q in range(a, b):
        buf[pos] = src[q]
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def _rows(a, is_int, pre, pre_off, tb, toff, tidx, tpre, tpre_off, nhead, suffix, buf):
    """A JSON array body: rows joined by ',', each row = head text columns, number columns,
    tail text columns, suffix. Text column j of row i is string tidx[i, j] of the table."""
    digits = np.empty(DIGITS, np.uint8)
    pos = 0
    ntext = tidx.shape[1]
    for i in range(a.shape[0]):
        if i > 0:
            buf[pos] = 44
            pos += 1
        for j in range(nhead):
            pos = _copy(buf, pos, tpre, tpre_off[j], tpre_off[j + 1])
            t = tidx[i, j]
            pos = _copy(buf, pos, tb, toff[t], toff[t + 1])
        for j in range(a.shape[1]):
            pos = _copy(buf, pos, pre, pre_off[j], pre_off[j + 1])
            v = a[i, j]
            if is_int[j] and math.isfinite(v):
                if v < 0:
                    buf[pos] = 45
                    pos += 1
                    v = -v
                pos = _write_int(buf, pos, int(v))
            else:
                pos = _num(buf, pos, v, digits)
        for j in range(nhead, ntext):
            pos = _copy(buf, pos, tpre, tpre_off[j], tpre_off[j + 1])
            t = tidx[i, j]
            pos = _copy(buf, pos, tb, toff[t], toff[t + 1])
        pos = _copy(buf, pos, suffix, 0, suffix.size)
    return pos


#: :func:`_rows` through its native entry point (no numba start-up; see ``_jit``).
_rows_native = native(__name__, "_rows", "f8[:,:] b1[:] u1[:] i8[:] u1[:] i8[:] i8[:,:] u1[:] i8[:] i8 u1[:] u1[:]", "i8")


def _pack(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    data = [s.encode("utf-8") for s in strings]
    off = np.zeros(len(data) + 1, np.int64)
    if data:
        np.cumsum([len(d) for d in data], out=off[1:])
    joined = b"".join(data)
    return (np.frombuffer(joined, np.uint8) if joined else np.zeros(0, np.uint8)), off


def format_rows(values, prefixes: list[str], is_int, texts: list[str], text_index,
                text_prefixes: list[str], nhead: int, suffix: str) -> str:
    """As :func:`format_rows_bytes`, decoded to ``str``."""
    return bytes(format_rows_bytes(values, prefixes, is_int, texts, text_index, text_prefixes,
                                   nhead, suffix)).decode("utf-8")


def format_rows_bytes(values, prefixes: list[str], is_int, texts: list[str], text_index,
                      text_prefixes: list[str], nhead: int, suffix: str) -> memoryview:
    """JSON text of many objects, comma-joined (see :func:`_rows`).

    ``texts`` is a table of ready-made JSON texts; ``text_index`` (n, m) picks, per row, one
    table entry for each of the m text columns (the first ``nhead`` before the numbers)."""
    a = np.ascontiguousarray(values, dtype=np.float64)
    pre, pre_off = _pack(prefixes)
    tb, toff = _pack(texts)
    tpre, tpre_off = _pack(text_prefixes)
    tidx = np.ascontiguousarray(text_index, dtype=np.int64)
    suf = np.frombuffer(suffix.encode("utf-8"), np.uint8) if suffix else np.zeros(0, np.uint8)
    tlen = np.diff(toff)
    per_row = int(pre_off[-1]) + a.shape[1] * MAX_LEN + int(tpre_off[-1]) + suf.size + 1
    isint = np.asarray(is_int, np.bool_)

    def part(i: int, j: int) -> memoryview:  # rows [i, j) (the formatter is nogil)
        text_bytes = int(tlen[tidx[i:j]].sum()) if tidx.size else 0
        buf = np.empty((j - i) * per_row + text_bytes + 1, np.uint8)
        end = _rows_native(a[i:j], isint, pre, pre_off, tb, toff, tidx[i:j], tpre, tpre_off, nhead,
                    suf, buf)
        return memoryview(buf)[:end]

    parts = split_map(part, a.shape[0])
    return parts[0] if len(parts) == 1 else memoryview(b",".join(parts))
