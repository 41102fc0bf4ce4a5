"""Writing reports safely: whole or not at all, and a located error when it cannot be done.

A report goes to a temporary file in the target's folder, is fsynced and renamed over the
target, so a crash or a full disk never leaves half a report where a whole one is expected.
Targets that are not regular files (``/dev/stdout``, a pipe) are written directly.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ..errors import OutputError


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; problems are OutputError(file)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (rename, then fsync of the folder so the rename
    itself survives a crash); problems are OutputError(file)."""
    target = Path(path)
    name = str(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError.single(f"cannot write: {exc.strerror or exc}", file=name) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError.single("cannot write: it is a folder, not a file", file=name)
    if mode is not None and not stat.S_ISREG(mode):  # a device or pipe: no rename possible
        try:
            with target.open("wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError.single(f"cannot write: {exc.strerror or exc}", file=name) from None
        return
    if not target.parent.is_dir():
        raise OutputError.single(f"cannot write: the folder {target.parent} does not exist", file=name)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError.single(f"cannot write: {exc.strerror or exc}", file=name) from None
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
