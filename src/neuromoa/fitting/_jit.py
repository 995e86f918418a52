"""Compiled kernels without numba's start-up: a lazy ``njit`` and native entry points.

Importing numba costs ~0.2 s of CPU and its first call (CPU target initialisation, then loading
a cached overload) another ~0.35 s, whatever the size of the job: for ``neuromoa fit`` on a
file that is more than the fits of 100,000 curves. Two tools keep that off the common paths:

* :func:`njit` -- ``numba.njit`` that imports numba only when a kernel is first called (or
  compiled into another): until then a kernel is a :class:`LazyKernel`. When numba is needed
  every lazy kernel of the package becomes its numba dispatcher at once (module globals
  included), so kernels that call each other compile as usual.
* :func:`native` -- a C entry point to a kernel (a ``numba.cfunc`` wrapper over its arrays'
  data pointers and shapes) whose machine code is kept on disk. A later process loads it with
  llvmlite alone (~0.04 s, numba not imported) and calls it through ctypes (the GIL released,
  so parts run on threads). The first process compiles it (with numba; about as long as numba's
  own cache fill) and writes the object file. It is the same machine code numba would run (the
  same LLVM module: the kernel's own overload, called from the wrapper), and a test checks the
  results are bit-for-bit those of the numba dispatcher.

The object file's name is a hash of everything its code depends on: the source of the modules
kernels compile from (:data:`KERNEL_SOURCES`: the kernels and the constants they read), the kernel and its
argument types, the Python, numpy, numba and llvmlite versions, the CPU (name and features) and
every ``NUMBA_*`` setting; any change compiles a new one. Files live in ``__pycache__`` beside
this module when it is writable (as numba's cache), else in ``$NEUROMOA_CACHE_DIR`` or
``$XDG_CACHE_HOME/neuromoa`` (default ``~/.cache/neuromoa``); ``NEUROMOA_CACHE_DIR`` set wins.
``NEUROMOA_NATIVE=0`` turns the native path off (every call goes to the numba dispatcher), as
does ``NUMBA_DISABLE_JIT=1``. Any failure of the native path (no llvmlite symbol, a file that
cannot be written) falls back to the numba dispatcher: slower, never different.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["LazyKernel", "materialize", "native", "njit"]

#: Every lazy kernel made by :func:`njit`, in creation order.
_LAZY: list[LazyKernel] = []
_LOCK = threading.RLock()
_MATERIALIZED = False


class LazyKernel:
    """A kernel whose numba dispatcher is made on first use (see the module)."""

    def __init__(self, fn: Callable, options: dict[str, Any]) -> None:
        self.py_func = fn
        self.options = options
        self.dispatcher: Any = None
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.dispatcher is None:
            materialize()
        return self.dispatcher(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # signatures, inspect_types, ... of numba
        if name.startswith("__"):
            raise AttributeError(name)
        if self.dispatcher is None:
            materialize()
        return getattr(self.dispatcher, name)

    def __repr__(self) -> str:
        return f"<lazy numba kernel {self.__module__}.{self.__qualname__}>"


def njit(*args: Any, **options: Any) -> Any:
    """``numba.njit`` (same options) that imports numba on the kernel's first call."""
    if args and callable(args[0]) and not options:
        return njit()(args[0])

    def deco(fn: Callable) -> LazyKernel:
        kernel = LazyKernel(fn, options)
        with _LOCK:
            _LAZY.append(kernel)
            if _MATERIALIZED:
                _make(kernel)
                _replace_globals()
        return kernel

    return deco


def _make(kernel: LazyKernel) -> None:
    import numba

    _attach_preloaded()
    kernel.dispatcher = numba.njit(**kernel.options)(kernel.py_func)


#: numba's extension modules loaded by :func:`_llvm` before the numba package was imported.
_PRELOADED: list[str] = []


def _attach_preloaded() -> None:
    """Make the extension modules :func:`_llvm` loaded attributes of their (now imported)
    packages, as an import of the package would have (``numba._helperlib`` ...)."""
    for name in _PRELOADED:
        parent, _, child = name.rpartition(".")
        package = sys.modules.get(parent)
        if package is not None and not hasattr(package, child):
            setattr(package, child, sys.modules[name])


def _replace_globals() -> None:
    """Put each kernel's dispatcher in place of the lazy kernel in every module of the package
    (numba compiles a call to another kernel only when that global is a dispatcher)."""
    table = {id(k): k.dispatcher for k in _LAZY if k.dispatcher is not None}
    for name, module in list(sys.modules.items()):
        if not name.startswith("neuromoa") or module is None:
            continue
        space = vars(module)
        for key, value in list(space.items()):
            if isinstance(value, LazyKernel) and id(value) in table:
                space[key] = table[id(value)]


def materialize() -> None:
    """Import numba and turn every lazy kernel into its dispatcher (idempotent)."""
    global _MATERIALIZED
    with _LOCK:
        if _MATERIALIZED:
            return
        import numba  # noqa: F401 - the package first, then its preloaded modules attached
        import numba.core.runtime  # noqa: F401

        _attach_preloaded()
        for kernel in _LAZY:
            if kernel.dispatcher is None:
                _make(kernel)
        _replace_globals()
        _MATERIALIZED = True


# --- native entry points ------------------------------------------------------------------

#: numpy dtype of each type code of an argument spec.
_DTYPES = {"f8": np.dtype(np.float64), "i8": np.dtype(np.int64), "u8": np.dtype(np.uint64),
           "u1": np.dtype(np.uint8), "b1": np.dtype(np.bool_)}
_NP_NAMES = {"f8": "np.float64", "i8": "np.int64", "u8": "np.uint64", "u1": "np.uint8",
             "b1": "np.bool_"}


def _parse_spec(spec: str) -> list[tuple[str, int]]:
    """``"f8[:] i8 b1[:,:]"`` -> [("f8", 1), ("i8", 0), ("b1", 2)]."""
    out = []
    for item in spec.split():
        code, _, dims = item.partition("[")
        if code not in _DTYPES:
            raise ValueError(f"unknown type {code!r} in kernel spec {spec!r}")
        out.append((code, dims.count(":") if dims else 0))
    return out


def _cache_dirs() -> list[Path]:
    env = os.environ.get("NEUROMOA_CACHE_DIR", "").strip()
    if env:
        return [Path(env)]
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    user = (Path(xdg) if xdg else Path.home() / ".cache") / "neuromoa"
    return [Path(__file__).resolve().parent / "__pycache__", user]


#: The modules of this package that kernels compile from (their functions and the constants
#: they read), and those modules' imports within the package; a test checks the list is closed.
KERNEL_SOURCES = ("_jit.py", "_kernels.py", "_kernels5.py", "_fastcsv.py", "_jsontext.py",
                  "_checks.py", "models.py", "_units.py", "_threads.py")
_SOURCE_HASH: str | None = None


def _source_hash() -> str:
    """Hash of the kernels' sources (:data:`KERNEL_SOURCES`)."""
    global _SOURCE_HASH
    if _SOURCE_HASH is None:
        h = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for name in KERNEL_SOURCES:
            h.update(name.encode())
            h.update((here / name).read_bytes())
        _SOURCE_HASH = h.hexdigest()
    return _SOURCE_HASH


def _versions() -> str:
    """Python, numpy, llvmlite and numba versions and every NUMBA_* setting (numba's version
    from its source file, so that numba is not imported)."""
    import importlib.util

    import llvmlite

    parts = [sys.version, np.__version__, llvmlite.__version__]
    spec = importlib.util.find_spec("numba")
    if spec is not None and spec.origin is not None:
        version_file = Path(spec.origin).parent / "_version.py"
        parts.append(version_file.read_text() if version_file.is_file() else spec.origin)
    parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("NUMBA_"))
    return "\n".join(parts)


_LL: Any = None


def _llvm() -> Any:
    """llvmlite.binding, initialised, with numba's C helpers registered as symbols (loaded from
    numba's extension modules without importing the numba package)."""
    global _LL
    if _LL is not None:
        return _LL
    import importlib.machinery
    import importlib.util

    import llvmlite.binding as ll

    spec = importlib.util.find_spec("numba")
    if spec is None or spec.origin is None:
        raise ImportError("numba is not installed")
    root = Path(spec.origin).parent
    helpers = {}
    for name, rel in (("numba._helperlib", "_helperlib"),
                      ("numba.core.runtime._nrt_python", "core/runtime/_nrt_python")):
        module = sys.modules.get(name)
        if module is None:
            base = root / rel
            found = sorted(base.parent.glob(base.name + ".*.so")) + sorted(
                base.parent.glob(base.name + ".*.pyd"))
            if not found:
                raise ImportError(f"numba's {rel} extension not found")
            loader = importlib.machinery.ExtensionFileLoader(name, str(found[0]))
            mspec = importlib.util.spec_from_file_location(name, found[0], loader=loader)
            module = importlib.util.module_from_spec(mspec)
            loader.exec_module(module)
            sys.modules[name] = module
            _PRELOADED.append(name)
        helpers[name] = module.c_helpers
    ll.initialize_native_target()
    ll.initialize_native_asmprinter()
    for key, addr in helpers["numba._helperlib"].items():
        ll.add_symbol("numba_" + key, addr)
    for key, addr in helpers["numba.core.runtime._nrt_python"].items():
        ll.add_symbol(key if key.startswith("_") else "NRT_" + key, addr)
    import builtins

    ll.add_symbol("_Py_NoneStruct", id(None))
    for obj in vars(builtins).values():
        if isinstance(obj, type) and issubclass(obj, BaseException):
            ll.add_symbol(f"PyExc_{obj.__name__}", id(obj))
    _LL = ll
    return ll


def _host_key(ll: Any) -> str:
    return ll.get_process_triple() + "\n" + ll.get_host_cpu_name() + "\n" + \
        ll.get_host_cpu_features().flatten()


#: Execution engines of loaded object files (kept alive: they own the machine code).
_ENGINES: list[Any] = []


class NativeKernel:
    """A kernel called through a C entry point (see the module); ``fallback`` is the numba
    dispatcher used when the native path is off or fails, or an array is not C-contiguous."""

    def __init__(self, module: str, name: str, spec: str, ret: str) -> None:
        self.module, self.name, self.spec, self.ret = module, name, spec, ret
        self.args = _parse_spec(spec)
        self._fn: Any = None
        self._tried = False
        self._lock = threading.Lock()

    # the numba kernel itself
    def kernel(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)

    def _key(self, ll: Any) -> str:
        h = hashlib.sha256()
        for part in (self.module, self.name, self.spec, self.ret, _source_hash(), _versions(),
                     _host_key(ll)):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()[:32]

    def _ctypes_proto(self) -> Any:
        types: list[Any] = []
        for code, ndim in self.args:
            if ndim:
                types += [ctypes.c_void_p] + [ctypes.c_int64] * ndim
            else:
                types.append(ctypes.c_double if code == "f8" else ctypes.c_int64)
        restype = {"void": None, "i8": ctypes.c_int64, "f8": ctypes.c_double}[self.ret]
        return ctypes.CFUNCTYPE(restype, ctypes.c_void_p, *types)

    def _compile(self) -> tuple[Any, bytes, str]:
        """Compile the cfunc wrapper with numba; (cfunc, object code, symbol)."""
        from numba import carray, cfunc, types  # noqa: F401 - used by the generated source

        materialize()
        params, body, sig = [], [], []
        nb = {"f8": types.float64, "i8": types.int64}
        for i, (code, ndim) in enumerate(self.args):
            if ndim:
                shape = [f"n{i}_{d}" for d in range(ndim)]
                params += [f"p{i}", *shape]
                sig += [types.voidptr] + [types.int64] * ndim
                body.append(f"carray(p{i}, ({', '.join(shape)},), {_NP_NAMES[code]})")
            else:
                params.append(f"s{i}")
                sig.append(nb.get(code, types.int64))
                body.append(f"s{i} != 0" if code == "b1" else f"s{i}")
        ret = {"void": types.void, "i8": types.int64, "f8": types.float64}[self.ret]
        zero = {"void": "", "i8": "0", "f8": "0.0"}[self.ret]
        call = f"kernel({', '.join(body)})"
        src = (f"def _entry(status, {', '.join(params)}):\n"
               f"    st = carray(status, (1,), np.int64)\n"
               f"    st[0] = 1\n"
               + (f"    r = {zero}\n" if self.ret != "void" else "")
               + "    try:\n"
               + (f"        r = {call}\n" if self.ret != "void" else f"        {call}\n")
               + "        st[0] = 0\n"
               + "    except Exception:\n"
               + "        st[0] = 1\n"
               + ("    return r\n" if self.ret != "void" else "    return\n"))
        space: dict[str, Any] = {"carray": carray, "np": np, "kernel": self.kernel()}
        exec(compile(src, f"<native entry {self.module}.{self.name}>", "exec"), space)  # noqa: S102
        cf = cfunc(ret(types.voidptr, *sig))(space["_entry"])
        lib = cf._library
        obj = lib._codegen._tm.emit_object(lib._final_module)
        return cf, bytes(obj), cf.native_name

    def _load_object(self, ll: Any, data: bytes, symbol: str) -> int:
        tm = ll.Target.from_default_triple().create_target_machine()
        engine = ll.create_mcjit_compiler(ll.parse_assembly(""), tm)
        engine.add_object_file(ll.ObjectFileRef.from_data(data))
        engine.finalize_object()
        addr = engine.get_function_address(symbol)
        if not addr:
            raise RuntimeError(f"symbol {symbol!r} not in the object file")
        _ENGINES.append(engine)
        return addr

    def _load_file(self, ll: Any, path: Path) -> Any:
        """The ctypes function from a cached object file, or None when the file is damaged
        (then it is compiled again)."""
        try:
            symbol, _, obj = path.read_bytes().partition(b"\n")
            return self._ctypes_proto()(self._load_object(ll, obj, symbol.decode()))
        except Exception:  # noqa: BLE001 - a damaged or foreign file: compile again
            return None

    def _resolve(self) -> Any:
        """The ctypes function, or None (use the numba dispatcher)."""
        with self._lock:
            if self._tried:
                return self._fn
            self._tried = True
            if os.environ.get("NEUROMOA_NATIVE", "1").strip() == "0" or \
                    os.environ.get("NUMBA_DISABLE_JIT", "0").strip() not in ("", "0"):
                return None
            try:
                ll = _llvm()
                key = self._key(ll)
            except Exception:  # noqa: BLE001 - no llvmlite/numba extension: numba's path
                return None
            fname = f"{self.module.rsplit('.', 1)[-1]}.{self.name}-{key}.o"
            dirs = _cache_dirs()
            for d in dirs:
                path = d / fname
                fn = self._load_file(ll, path) if path.is_file() else None
                if fn is not None:
                    self._fn = fn
                    return fn
            try:
                cf, obj, symbol = self._compile()
            except Exception:  # noqa: BLE001 - the numba dispatcher will raise what is wrong
                return None
            for d in dirs:
                try:
                    d.mkdir(parents=True, exist_ok=True)
                    tmp = d / f".{fname}.{os.getpid()}.{threading.get_ident()}.tmp"
                    tmp.write_bytes(symbol.encode() + b"\n" + obj)
                    os.replace(tmp, d / fname)
                    break
                except OSError:
                    continue
            self._fn = self._ctypes_proto()(cf.address)
            self._cfunc = cf  # keep the compiled wrapper alive
            return self._fn

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.args):
            raise TypeError(f"{self.name} takes {len(self.args)} arguments ({len(args)} given)")
        fn = self._fn if self._tried else self._resolve()
        if fn is None:
            return self.kernel()(*args)
        cargs: list[Any] = []
        keep = []
        for value, (code, ndim) in zip(args, self.args, strict=True):
            if ndim:
                if not isinstance(value, np.ndarray) or value.ndim != ndim or \
                        value.dtype != _DTYPES[code]:
                    return self.kernel()(*args)
                if not value.flags.c_contiguous:
                    if value.flags.writeable:  # may be an output: numba writes in place
                        return self.kernel()(*args)
                    value = np.ascontiguousarray(value)
                    keep.append(value)
                cargs.append(value.ctypes.data)
                cargs += value.shape
            elif code == "f8":
                cargs.append(float(value))
            else:
                cargs.append(int(value))
        status = np.ones(1, np.int64)
        result = fn(status.ctypes.data, *cargs)
        if status[0] != 0:  # the kernel raised: numba's dispatcher says what
            return self.kernel()(*args)
        return result


def native(module: str, name: str, spec: str, ret: str = "void") -> NativeKernel:
    """A :class:`NativeKernel` for ``module.name`` with argument types ``spec`` (e.g.
    ``"f8[:] i8 b1[:,:]"``: float64/int64/uint64/uint8/bool arrays with their dimensions, or
    scalars) returning ``ret`` (``"void"``, ``"i8"`` or ``"f8"``)."""
    return NativeKernel(module, name, spec, ret)
