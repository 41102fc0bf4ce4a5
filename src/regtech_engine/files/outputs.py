"""Writing reports: a crash or a full disk never leaves half a report behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    An unwritable or missing folder is a located usage error (exit 2), not a traceback.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError.single("output path is a folder", file=str(path))
    if path.exists() and not path.is_file():  # a device or a pipe: write through, never replace
        try:
            with path.open("w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise UsageError.single(f"cannot write the report: {exc.strerror}",
                                    file=str(path)) from None
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError.single(f"cannot write the report here: {exc.strerror}",
                                file=str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError.single(f"cannot write the report: {exc.strerror}",
                                file=str(path)) from None
