"""Checkpoints: the monitor's state plus how far input and outputs had got.

A checkpoint of a file records the file's digest: positions are counted in the order the
file is processed (sorted when its rows were out of order, order.py), which holds only for
the same content. A checkpoint of standard input keeps the reorder buffer's rows.

A checkpoint is data, never code: a JSON document (``FORMAT``, ``VERSION``) whose body is
covered by a sha256 checksum in its header line. Reading one never imports or calls
anything named by the file: only the monitor's own state classes (the classes of
``STATE_MODULES``, named by their module's path in the monitor package) can be rebuilt,
and only by setting their fields. A damaged, truncated, foreign or edited checkpoint is a
located TransactionError (exit 2). The checksum detects damage and naive
edits; it is not a signature: keep the folder as private as the alerts it sits beside.

A checkpoint is written atomically (temporary file in the same folder, fsync, rename, fsync
of the folder) only after the output and dead-letter files were fsynced, and records their
byte sizes and sha256 then. Resuming checks both files still start with those bytes,
truncates them back to those sizes and skips the input rows already consumed, so the alerts
of an interrupted-and-resumed run are exactly those of an uninterrupted one.

One monitor at a time per folder: ``lock`` takes an exclusive ``flock`` on
``monitor.lock``; a second monitor given the same folder is refused, never interleaved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections import deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from ..errors import TransactionError
from ..files.safeio import write_bytes_atomic
from . import day_buffer, day_totals, evidence, features, ingest, limits, loop, order, records, windows
from .loop import Monitor
from .order import ReorderBuffer
from .typologies import (
    _graph,
    cycle,
    dormant_reactivation,
    fan,
    high_risk_country,
    layering,
    rapid_in_out,
    sanctions_match,
    scatter_gather,
    structuring,
)

FILE = "monitor.ckpt"
LOCK = "monitor.lock"
FORMAT = "regtech-monitor-checkpoint"
VERSION = 9  # 2: weekly sweep and day-ordered dedup state; 3: Tx keeps epoch + microsecond;
# 4: input digest and reorder buffer, evidence ledger; 5: JSON with a checksum (no pickle),
# outputs' sha256, rates digest, watermark; 6: state classes named by the renamed
# modules (loop.Monitor, records.Tx: were engine., models.); 7: one state class per typology
# (typologies.*), named by module path in the monitor package; 8: caps hit (limits.CapHits);
# 9: open days as day_buffer.DayBuffer, day totals with count/accounts/currencies, the day
# whose ids were forgotten early (Monitor.dedup_forgotten)
MAX_BYTES = 4 * 1024**3  # a checkpoint is read whole: refuse anything absurd before reading


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
    output_sha256: str | None = None  # of the output's first output_bytes bytes
    dead_sha256: str | None = None
    rates_digest: str | None = None  # of the exchange rates the run used
    watermark: int | None = None  # newest event time accepted (future rows are judged by it)


# The modules whose state classes a checkpoint may hold (a typology's module belongs here);
# a class is written as its module's path in the monitor package and its name
# ("typologies.fan.Fan"). Nothing else can be rebuilt from a checkpoint, whatever it says.
STATE_MODULES = (
    loop,
    features,
    limits,
    day_buffer,
    day_totals,
    windows,
    records,
    order,
    ingest,
    evidence,
    _graph,
    structuring,
    rapid_in_out,
    fan,
    cycle,
    layering,
    scatter_gather,
    dormant_reactivation,
    high_risk_country,
    sanctions_match,
)
_PACKAGE = __name__.rsplit(".", 1)[0] + "."


def _state_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for module in STATE_MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and not issubclass(value, BaseException | BaseModel | dict | str)
                and (
                    dataclasses.is_dataclass(value) or "__getstate__" in vars(value) or value is ReorderBuffer
                )
            ):
                found[f"{module.__name__.removeprefix(_PACKAGE)}.{value.__qualname__}"] = value
    return found


_CLASSES: dict[str, type] | None = None


def _classes() -> dict[str, type]:
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _state_classes()
    return _CLASSES


class _Encoder:
    """Object graph -> JSON-able lists. Every non-scalar is ``[tag, ...]``; mutable
    containers and objects are numbered on first sight and later written as ``["R", n]``,
    so shared objects (a transfer edge in several indexes) stay shared after a resume."""

    def __init__(self) -> None:
        self.memo: dict[int, int] = {}
        self.keep: list[Any] = []  # ids stay valid while encoding
        self.names = {cls: name for name, cls in _classes().items()}

    def ref(self, obj: Any) -> list[Any] | None:
        n = self.memo.get(id(obj))
        if n is not None:
            return ["R", n]
        self.memo[id(obj)] = len(self.memo)
        self.keep.append(obj)
        return None

    def enc(self, obj: Any) -> Any:
        if obj is None or obj is True or obj is False or type(obj) is str:
            return obj
        kind = type(obj)
        if kind is int:
            return obj
        if kind is float:
            return obj if obj == obj and obj not in (float("inf"), float("-inf")) else ["f", repr(obj)]
        if kind is tuple:
            return ["T", *[self.enc(v) for v in obj]]
        if kind is Decimal:
            return ["N", str(obj)]
        if kind is dt.date:
            return ["d", obj.isoformat()]
        if kind is frozenset:
            return ["F", *[self.enc(v) for v in _sorted(obj)]]
        seen = self.ref(obj)
        if seen is not None:
            return seen
        if kind is list:
            return ["L", *[self.enc(v) for v in obj]]
        if kind is dict:
            out: list[Any] = ["D"]
            for k, v in obj.items():
                out.append(self.enc(k))
                out.append(self.enc(v))
            return out
        if kind is deque:
            return ["Q", obj.maxlen, *[self.enc(v) for v in obj]]
        if kind is set:
            return ["S", *[self.enc(v) for v in _sorted(obj)]]
        name = self.names.get(kind)
        if name is None:
            raise TypeError(f"a checkpoint cannot hold {kind.__module__}.{kind.__qualname__}")
        return ["O", name, self.enc(obj.__getstate__())]


def _sorted(items: Any) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return list(items)


class _Bad(Exception):
    """The body does not describe monitor state."""


class _Decoder:
    def __init__(self) -> None:
        self.memo: list[Any] = []
        self.classes = _classes()

    def dec(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value
        if not isinstance(value, list) or not value or not isinstance(value[0], str):
            raise _Bad(f"unexpected value {str(value)[:40]!r}")
        tag, rest = value[0], value[1:]
        if tag == "T":
            return tuple(self.dec(v) for v in rest)
        if tag == "F":
            return frozenset(self.dec(v) for v in rest)
        if tag == "N":
            return Decimal(self._text(rest))
        if tag == "d":
            return dt.date.fromisoformat(self._text(rest))
        if tag == "f":
            return float(self._text(rest))
        if tag == "R":
            if len(rest) != 1 or not isinstance(rest[0], int) or not 0 <= rest[0] < len(self.memo):
                raise _Bad("dangling reference")
            return self.memo[rest[0]]
        if tag == "L":
            items: list[Any] = []
            self.memo.append(items)
            items.extend(self.dec(v) for v in rest)
            return items
        if tag == "D":
            mapping: dict[Any, Any] = {}
            self.memo.append(mapping)
            if len(rest) % 2:
                raise _Bad("odd mapping")
            for i in range(0, len(rest), 2):
                mapping[self.dec(rest[i])] = self.dec(rest[i + 1])
            return mapping
        if tag == "Q":
            if not rest or not (rest[0] is None or isinstance(rest[0], int)):
                raise _Bad("bad queue")
            queue: deque[Any] = deque(maxlen=rest[0])
            self.memo.append(queue)
            queue.extend(self.dec(v) for v in rest[1:])
            return queue
        if tag == "S":
            members: set[Any] = set()
            self.memo.append(members)
            members.update(self.dec(v) for v in rest)
            return members
        if tag == "O":
            return self._object(rest)
        raise _Bad(f"unknown tag {tag[:20]!r}")

    def _text(self, rest: list[Any]) -> str:
        if len(rest) != 1 or not isinstance(rest[0], str) or len(rest[0]) > 100:
            raise _Bad("bad scalar")
        return rest[0]

    def _object(self, rest: list[Any]) -> Any:
        if len(rest) != 2 or not isinstance(rest[0], str):
            raise _Bad("bad object")
        cls = self.classes.get(rest[0])
        if cls is None:
            raise _Bad(f"a checkpoint cannot hold {rest[0][:60]!r}")
        obj: Any = object.__new__(cls)
        self.memo.append(obj)
        state = self.dec(rest[1])
        setstate = getattr(obj, "__setstate__", None)
        if setstate is not None:
            setstate(state)
        elif isinstance(state, dict) and hasattr(obj, "__dict__"):
            obj.__dict__.update(state)
        elif isinstance(state, tuple) and len(state) == 2:  # (dict state, slots state)
            for part in state:
                for key, val in (part or {}).items():
                    object.__setattr__(obj, key, val)
        elif state is not None:
            raise _Bad(f"bad state for {rest[0]}")
        return obj


def encode(checkpoint: Checkpoint) -> bytes:
    """The checkpoint file's bytes: a header line (format, version, checksum) and the body."""
    fields = {f.name: getattr(checkpoint, f.name) for f in dataclasses.fields(checkpoint)}
    body = json.dumps(
        _Encoder().enc(fields), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")
    header = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        },
        sort_keys=True,
    )
    return header.encode() + b"\n" + body


def decode(raw: bytes, file: str) -> Checkpoint:
    """Parse a checkpoint's bytes; any problem is a TransactionError naming the file."""

    def bad(message: str, line: int | None = None) -> TransactionError:
        return TransactionError.single(
            f"unusable checkpoint: {message}; start again without "
            "--resume (or restore the checkpoint folder)",
            file=file,
            line=line,
        )

    head, newline, body = raw.partition(b"\n")
    try:
        header = json.loads(head.decode("utf-8")) if newline and len(head) < 1_000 else None
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise bad(
            "not a regtech monitor checkpoint (a foreign file, or one written by a "
            "version before checkpoints were JSON)",
            1,
        )
    if header.get("version") != VERSION:
        raise bad(
            f"written by checkpoint format version {str(header.get('version'))[:20]}, "
            f"this version reads {VERSION}",
            1,
        )
    if header.get("bytes") != len(body):
        raise bad(
            f"truncated or extended: the header says {str(header.get('bytes'))[:20]} "
            f"bytes of state, the file holds {len(body)}",
            2,
        )
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        raise bad("its checksum does not match its content (damaged or edited)", 2)
    try:
        fields = _Decoder().dec(json.loads(body))
        if not isinstance(fields, dict):
            raise _Bad("the state is not a mapping")
        checkpoint = Checkpoint(**fields)
    except (
        _Bad,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        InvalidOperation,
        RecursionError,
        OverflowError,
    ) as exc:
        raise bad(f"its state cannot be read ({str(exc)[:100]})", 2) from None
    _check_shape(checkpoint, bad)
    return checkpoint


def _check_shape(c: Checkpoint, bad: Any) -> None:
    """The fields the runner uses directly have the types it expects."""
    ints = (c.rows_consumed, c.output_bytes, c.dead_bytes)
    if (
        not isinstance(c.monitor, Monitor)
        or not isinstance(c.source, str)
        or not all(type(n) is int and n >= 0 for n in ints)
        or not (c.reorder is None or isinstance(c.reorder, ReorderBuffer))
        or not (c.watermark is None or type(c.watermark) is int)
        or not all(
            v is None or isinstance(v, str)
            for v in (c.digest, c.output_sha256, c.dead_sha256, c.rates_digest)
        )
    ):
        raise bad("its fields do not have the expected types", 2)


def save(folder: Path, checkpoint: Checkpoint) -> None:
    """Write atomically: a crash leaves the previous checkpoint or this one, never half."""
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(folder / FILE, encode(checkpoint))


def load(folder: Path) -> Checkpoint | None:
    """The checkpoint in ``folder``, or None when there is none yet."""
    path = folder / FILE
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        raise TransactionError.single("unusable checkpoint: not a regular file", file=str(path))
    try:
        with path.open("rb") as fh:
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_BYTES and (chunk := fh.read(1 << 24)):
                chunks.append(chunk)  # read as it comes: a 4 GB buffer is never reserved
                size += len(chunk)
            raw = b"".join(chunks)
    except OSError as exc:
        raise TransactionError.single(
            f"cannot read checkpoint: {exc.strerror or exc}", file=str(path)
        ) from None
    if len(raw) > MAX_BYTES:
        raise TransactionError.single(f"unusable checkpoint: larger than {MAX_BYTES:,} bytes", file=str(path))
    return decode(raw, str(path))


def lock(folder: Path) -> IO[str]:
    """Hold ``folder`` for this run (exclusive, released when the returned file is closed or
    the process dies); another monitor holding it is a TransactionError naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fh = (folder / LOCK).open("a+", encoding="utf-8")
    except OSError as exc:
        raise TransactionError.single(
            f"cannot use the checkpoint folder: {exc.strerror or exc}", file=str(folder)
        ) from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read(40).strip()
        fh.close()
        who = f" (process {holder})" if holder.isdigit() else ""
        raise TransactionError.single(
            f"another monitor is using this checkpoint folder{who}; wait for it to finish, "
            "or give this run its own --checkpoint folder",
            file=str(folder),
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def file_sha256(path: Path, size: int) -> str:
    """sha256 of the first ``size`` bytes of ``path``."""
    digest = hashlib.sha256()
    left = size
    with path.open("rb") as fh:
        while left > 0:
            chunk = fh.read(min(left, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()
