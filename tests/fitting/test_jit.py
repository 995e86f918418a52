"""Native entry points of the compiled kernels (fitting/_jit.py): bit-for-bit the numba
dispatcher's results, kept on disk and loaded by a later process without importing numba,
and a fallback to numba for anything the entry point does not take."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from neuromoa.fitting import _fastcsv as FC
from neuromoa.fitting import _jsontext as JT
from neuromoa.fitting import _kernels as K
from neuromoa.fitting._jit import LazyKernel, native, njit


@njit(cache=False)
def _floor_div(a, k):  # a test kernel that raises ZeroDivisionError for k == 0
    return a[0] // k


_floor_div_native = native(__name__, "_floor_div", "i8[:] i8", "i8")


def _batch(n: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    lx = np.tile(np.linspace(-10.0, -5.5, 10), n)
    c = np.repeat(rng.uniform(-8.5, -7.0, n), 10)
    h = np.repeat(rng.uniform(-1.5, -0.7, n), 10)
    y = 100.0 / (1.0 + 10.0 ** ((c - lx) * h)) + rng.normal(0, 5, lx.size)
    y[:10] = 50.0  # a flat curve (singular or not converged)
    off = np.arange(0, lx.size + 1, 10, dtype=np.int64)
    return lx, y, np.ones_like(y), off


def _fit_args(n: int):
    lx, y, w, off = _batch(n)
    nc = off.size - 1
    outs = (np.empty((nc, 4)), np.empty((nc, 4, 4)), np.empty(nc), np.zeros(nc, np.int64),
            np.zeros(nc, np.int64), np.empty(nc), np.empty((nc, 4)))
    free = np.ones(4, bool)
    return [lx, y, w, off, np.ones(nc, bool), np.zeros((nc, 4)), free,
            np.full(4, -np.inf), np.full(4, np.inf), 200, 9, np.array([0.5, 1.0, 2.0]),
            False, True, *outs, False], outs


def test_fit_batch_native_is_bit_for_bit_numba():
    args_a, outs_a = _fit_args(300)
    args_b, outs_b = _fit_args(300)
    K.fit_batch_native(*args_a)
    K.fit_batch(*args_b)
    for a, b in zip(outs_a, outs_b, strict=True):
        np.testing.assert_array_equal(a, b)  # NaN where NaN, every bit of every number
    assert np.isfinite(outs_a[0][1:]).all()


def test_csv_and_json_kernels_native_match_numba():
    data = b"".join(f"c{i % 7},{(i * 0.37) ** 2:.17g},{i}\n".encode() for i in range(500))
    buf = np.frombuffer(data, np.uint8)
    nl = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], nl[:-1] + 1)).astype(np.int64)
    commas = np.flatnonzero(buf == 44).reshape(-1, 2)
    x_s, x_e = commas[:, 0] + 1, np.ascontiguousarray(commas[:, 1])
    res = []
    for fn in (FC._parse_numbers_native, FC._parse_numbers):
        out, code = np.empty(500), np.empty(500, np.int64)
        tabs = np.empty(8, np.int64), np.empty(8, np.int64), np.empty(8, np.uint64)
        res.append((fn(buf, x_s, x_e, out, code, *tabs), out, code))
    assert res[0][0] == res[1][0] > 0  # 17-digit numbers go to the table of long numbers
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_array_equal(res[0][2], res[1][2])
    ids = []
    for fn in (FC._group_ids_native, FC._group_ids):
        codes, first = np.empty(500, np.int64), np.empty(500, np.int64)
        ids.append((fn(buf, starts, np.ascontiguousarray(commas[:, 0]), codes, first), codes))
    assert ids[0][0] == ids[1][0] == 7
    np.testing.assert_array_equal(ids[0][1], ids[1][1])
    vals = np.array([[0.1, -2.5e-300, np.nan, 3.0], [1e16, 12345.678, -np.inf, 7.0]])
    texts = []
    for fn in (JT._rows_native, JT._rows):
        pre, pre_off = JT._pack(['"a":', ',"b":', ',"c":', ',"n":'])
        tb, toff = JT._pack(['"x"', '"y"'])
        tpre, tpre_off = JT._pack(['{"id":'])
        suf = np.frombuffer(b"}", np.uint8)
        out = np.empty(1000, np.uint8)
        end = fn(vals, np.array([False, False, False, True]), pre, pre_off, tb, toff,
                 np.array([[0], [1]], np.int64), tpre, tpre_off, 1, suf, out)
        texts.append(out[:end].tobytes())
    assert texts[0] == texts[1]
    assert texts[0].startswith(b'{"id":"x"') and b'"a":0.1,' in texts[0]
    assert b'"c":null,"n":3}' in texts[0] and b'"n":7}' in texts[0]


def test_fallbacks_give_numba_results_and_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROMOA_CACHE_DIR", str(tmp_path))
    a = np.array([7, 0], np.int64)
    assert _floor_div_native(a, 2) == 3
    with pytest.raises(ZeroDivisionError):  # raised inside the entry point: numba's error
        _floor_div_native(a, 0)
    with pytest.raises(TypeError):
        _floor_div_native(a)
    assert _floor_div_native(a.astype(np.float64).astype(np.int64)[::-1], 2) == 0
    # a strided writable array (maybe an output) goes to numba, which writes in place
    args, outs = _fit_args(20)
    strided = np.empty((40, 4))[::2]
    args[14] = strided
    K.fit_batch_native(*args)
    ref_args, ref_outs = _fit_args(20)
    K.fit_batch(*ref_args)
    np.testing.assert_array_equal(strided, ref_outs[0])


def test_lazy_kernel_forwards_to_numba():
    assert isinstance(_floor_div, LazyKernel) or hasattr(_floor_div, "signatures")
    assert _floor_div(np.array([9], np.int64), 4) == 2
    assert "_floor_div" in repr(_floor_div) or "CPUDispatcher" in repr(_floor_div)


@pytest.mark.parametrize("native_on", ["1", "0"])
def test_a_later_process_loads_the_object_file_without_numba(tmp_path, native_on):
    """The first process compiles the entry point and writes it under NEUROMOA_CACHE_DIR; the
    next loads it (numba not imported) with the same result. NEUROMOA_NATIVE=0: numba."""
    code = ("import sys, numpy as np\n"
            "from neuromoa.fitting._fastcsv import _group_ids_native as g\n"
            "buf = np.frombuffer(b'a,b,a,c,b', np.uint8)\n"
            "s = np.array([0, 2, 4, 6, 8]); e = s + 1\n"
            "codes = np.empty(5, np.int64); first = np.empty(5, np.int64)\n"
            "print(g(buf, s, e, codes, first), codes.tolist(), 'numba' in sys.modules)\n")
    env = {**os.environ, "NEUROMOA_CACHE_DIR": str(tmp_path), "NEUROMOA_NATIVE": native_on}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, timeout=600, check=True).stdout.split("\n")[0]
            for _ in range(2)]
    files = sorted(p.name for p in tmp_path.iterdir())
    if native_on == "1":
        assert len(files) == 1 and files[0].startswith("_fastcsv._group_ids-")
        assert runs == ["3 [0, 1, 0, 2, 1] True", "3 [0, 1, 0, 2, 1] False"]
    else:
        assert files == []
        assert runs == ["3 [0, 1, 0, 2, 1] True"] * 2


def test_kernel_sources_are_closed_under_the_package_imports():
    """Every module that defines kernels is hashed into the object files' names, and so is
    every module of the package those modules import (constants compiled into a kernel)."""
    import re
    from pathlib import Path

    from neuromoa.fitting import _jit

    here = Path(_jit.__file__).parent
    listed = set(_jit.KERNEL_SOURCES)
    users = {p.name for p in here.glob("*.py")
             if "from neuromoa.fitting._jit import" in p.read_text()}
    assert users <= listed, users - listed
    for name in listed:
        text = (here / name).read_text()
        for mod in re.findall(r"from neuromoa\.fitting\.(\w+) import", text):
            assert f"{mod}.py" in listed, (name, mod)
