"""Checkpoints: the monitor's state plus how far input and outputs had got.

A checkpoint of a file records the file's digest: positions are counted in the order the
file is processed (sorted when its rows were out of order, order.py), which holds only for
the same content. A checkpoint of standard input keeps the reorder buffer's rows.

A checkpoint is written atomically (temporary file, fsync, rename) only after the output
and dead-letter files were flushed, and records their byte sizes then. Resuming truncates
both files back to those sizes and skips the input rows already consumed, so the alerts of
an interrupted-and-resumed run are exactly those of an uninterrupted one.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from ..errors import TransactionError
from .engine import Monitor
from .order import ReorderBuffer

FILE = "monitor.ckpt"
VERSION = 4  # 2: weekly sweep and day-ordered dedup state; 3: Tx keeps epoch + microsecond;
# 4: input digest and reorder buffer, evidence ledger


@dataclass
class Checkpoint:
    monitor: Monitor
    rows_consumed: int
    output_bytes: int
    dead_bytes: int
    source: str
    digest: str | None = None  # sha256 of the input file (None: standard input)
    reorder: ReorderBuffer | None = None  # rows of standard input not yet released
    version: int = VERSION


def save(folder: Path, checkpoint: Checkpoint) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (FILE + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(checkpoint, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / FILE)


def load(folder: Path) -> Checkpoint | None:
    """The checkpoint in ``folder``, or None when there is none yet."""
    path = folder / FILE
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            checkpoint = pickle.load(fh)
    except Exception as exc:  # a damaged or foreign file can raise anything
        raise TransactionError.single(f"unreadable checkpoint: {str(exc)[:200]}",
                                      file=str(path)) from None
    if not isinstance(checkpoint, Checkpoint) or checkpoint.version != VERSION:
        raise TransactionError.single("checkpoint from another version", file=str(path))
    return checkpoint
