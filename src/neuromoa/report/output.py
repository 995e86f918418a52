"""Safe multi-file outputs: check first, write into a temporary folder, rename into place.

:func:`staged_output` is the one way neuromoa writes an output *folder* (the report):

1. the target is checked **before any work** (:func:`check_output_dir`): a file, a path under
   a file, an unwritable parent, or an existing folder that is not an earlier neuromoa output
   (no :data:`MARKER`) is refused with one line (:class:`~neuromoa.errors.OutputError`); a
   user's folder is replaced only with ``force=True`` (``--force``);
2. a **lock file** beside the target (``.NAME.lock``, holding the writer's pid) stops a second
   writer: it fails at once with a message naming the pid (a lock left by a dead process is
   taken over);
3. everything is written into a temporary folder beside the target (same file system);
4. only when complete, the marker is written and the folder is **renamed into place**; an
   earlier output is moved aside and deleted, so the target is the previous complete output
   or the new complete one, never a mix. Ctrl-C (SIGINT) is held back during the two renames;
   at any other moment it removes the temporary folder and leaves the previous output.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neuromoa.errors import OutputError

__all__ = ["MARKER", "check_output_dir", "is_neuromoa_output", "staged_output"]

#: File that marks a folder as a complete neuromoa output (JSON: kind, version).
MARKER = ".neuromoa-output.json"
#: Files an earlier report (written before the marker existed) holds at its top level.
_LEGACY_REPORT = frozenset({"index.html", "report.json", "figures"})


def is_neuromoa_output(folder: Path) -> bool:
    """True when ``folder`` holds a complete earlier neuromoa output.

    A folder with :data:`MARKER`, or an earlier report without it: only ``index.html``,
    ``report.json`` (with its ``steps``) and ``figures/``.
    """
    if (folder / MARKER).is_file():
        return True
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    if not names or not names <= _LEGACY_REPORT or "report.json" not in names:
        return False
    try:
        data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "steps" in data


def check_output_dir(target: str | Path, *, force: bool = False) -> Path:
    """Check that ``target`` can become an output folder; returns it as an absolute path.

    Raises :class:`OutputError` (one line, naming the path and the fix) for a file, a path under
    a file, an unwritable parent, or a non-empty folder that is not an earlier neuromoa output
    (unless ``force``).
    """
    out = Path(target).expanduser().absolute()
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"--out {target}: {parent} is a file, not a folder.")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {target}: a file of that name exists; give a folder name.")
    existing = next((p for p in [out, *out.parents] if p.exists()), None)
    probe = out.parent if out.parent.exists() else existing
    if probe is not None and not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"--out {target}: {probe} is not writable.")
    if out.is_dir() and any(out.iterdir()) and not is_neuromoa_output(out) and not force:
        raise OutputError(f"--out {target}: the folder exists and holds files that are not a "
                          "neuromoa output; choose another folder or pass --force to replace it.")
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[Path]:
    lock = out.parent / f".{out.name}.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="utf-8").strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid > 0 and not _pid_alive(pid):
                lock.unlink(missing_ok=True)  # left by a process that died: take it over
                continue
            raise OutputError(f"--out {out}: another neuromoa process (pid {pid or '?'}) is "
                              f"writing this folder; wait for it to finish (lock file {lock}).")\
                from None
        except OSError as exc:
            raise OutputError(f"--out {out}: cannot create the lock file {lock} "
                              f"({os.strerror(exc.errno or errno.EIO)}).") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        break
    else:  # pragma: no cover - the lock reappeared twice
        raise OutputError(f"--out {out}: another process keeps taking the lock {lock}.")
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT back for a few system calls (main thread only), then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[Any] = []
    previous = signal.signal(signal.SIGINT, lambda sig, frame: caught.append(sig))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


@contextlib.contextmanager
def staged_output(target: str | Path, *, kind: str, force: bool = False,
                  meta: dict[str, Any] | None = None) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces ``target`` whole.

    On any exception (KeyboardInterrupt included) the temporary folder is removed and
    ``target`` is left as it was.
    """
    out = check_output_dir(target, force=force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {target}: cannot create {out.parent} ({exc.strerror}).") from None
    with _lock(out):
        check_output_dir(out, force=force)  # again, now that we hold the lock
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        try:
            yield tmp
            (tmp / MARKER).write_text(json.dumps({"kind": kind, **(meta or {})}, indent=2)
                                      + "\n", encoding="utf-8")
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            with _sigint_held():
                if out.exists():
                    os.rename(out, old)
                try:
                    os.rename(tmp, out)
                except OSError:
                    if old.exists():
                        os.rename(old, out)  # put the previous output back
                    raise
            shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise OutputError(f"--out {target}: writing failed ({exc.strerror or exc}); "
                              "the previous output is left as it was.") from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
