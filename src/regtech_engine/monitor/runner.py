"""One monitoring run: input -> event-time order -> Monitor -> sinks, with checkpoints.

Core code: it never prints or exits; the CLI passes a progress callback, reports the result
and chooses the exit status from the rejections counted here (by reason, in ``Stats``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from ..errors import OutputError, TransactionError, UsageError, shown
from . import checkpoint as ckpt
from .clock import format_duration
from .ingest import DeadRow, InputDamaged, open_text, read_rows
from .limits import CapHits, Limits
from .loop import Monitor, Stats, _iso
from .order import MAX_LATENESS, SORT_BUFFER, ExternalSort, ReorderBuffer, in_day_order
from .queue import QueueStream, is_queue
from .rates import Rates
from .records import Alert, Tx
from .rules import MonitoringPack
from .sinks import AlertStore, JsonlSink
from .workdays import WorkdayCalendar

CHECKPOINT_EVERY = 50_000
KEEP_DEAD = 50
PROGRESS_EVERY = 5_000
MAX_FUTURE = 366 * 86_400  # seconds a row may lie ahead of the newest row accepted so far
_T = TypeVar("_T")


@dataclass
class RunOptions:
    source: str
    pack: MonitoringPack
    rates: Rates = field(default_factory=Rates)
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    output: Path | None = None
    dead_letter: Path | None = None
    checkpoint: Path | None = None
    resume: bool = False
    store: Path | None = None
    checkpoint_every: int = CHECKPOINT_EVERY
    stop_after: int | None = None  # stop without finishing after this many rows (a crash)
    max_lateness: int = MAX_LATENESS  # seconds a standard-input row may trail the newest
    sort_buffer: int = SORT_BUFFER  # rows of a file sorted in memory; beyond, runs on disk
    max_future: int = MAX_FUTURE  # seconds ahead of the newest row before a row is rejected
    monitor: Monitor | None = None  # a prepared monitor (the distributed one), else a new one
    limits: Limits = field(default_factory=Limits)  # the monitor's caps (--limit NAME=VALUE)


@dataclass
class RunResult:
    stats: Stats
    dead_sample: list[DeadRow]
    resumed_from: int = 0
    completed: bool = True
    notes: list[str] = field(default_factory=list)
    sorted_runs: int | None = None  # the file was sorted: in memory (0) or from N runs
    caps: CapHits = field(default_factory=CapHits)  # where the monitor's caps were hit
    limits: Limits = field(default_factory=Limits)  # the caps in force

    @property
    def rejected(self) -> dict[str, int]:
        """Rows rejected, by reason (sorted by reason: deterministic summaries)."""
        return dict(sorted(self.stats.rejected.items()))


class _Output:
    """A JSONL output file written as UTF-8 bytes, with its size and sha256 kept in step (a
    checkpoint records both, a resume checks the file still starts with those bytes)."""

    def __init__(self, path: Path, resume: tuple[int, str | None] | None) -> None:
        self.path = path
        self.sha = hashlib.sha256()
        if resume is None:
            self.fh: IO[bytes] = path.open("wb")
            self.size = 0
            return
        size, expected = resume
        if not path.is_file():
            raise TransactionError.single("cannot resume: the file is missing", file=str(path))
        actual = path.stat().st_size
        if actual < size:
            raise TransactionError.single(
                f"cannot resume: the file has {actual:,} bytes, the checkpoint recorded "
                f"{size:,} (it was truncated or replaced since); start again without --resume",
                file=str(path),
            )
        self.fh = path.open("r+b")
        left = size
        while left > 0:
            chunk = self.fh.read(min(left, 1 << 20))
            if not chunk:  # pragma: no cover - shrank while being read
                break
            self.sha.update(chunk)
            left -= len(chunk)
        if expected is not None and self.sha.hexdigest() != expected:
            self.fh.close()
            raise TransactionError.single(
                "cannot resume: the file's content differs from what the checkpoint recorded "
                "(it was edited or replaced since); start again without --resume",
                file=str(path),
            )
        self.fh.seek(size)
        self.fh.truncate(size)
        self.size = size

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        try:
            self.fh.write(data)
        except OSError as exc:
            raise self._failed(exc) from None
        self.sha.update(data)
        self.size += len(data)
        return len(text)

    def sync(self) -> None:
        """Flush and fsync: the bytes a checkpoint is about to record are on disk."""
        try:
            self.fh.flush()
            if os.path.isfile(self.path):  # a device such as /dev/null has nothing to sync
                os.fsync(self.fh.fileno())
        except OSError as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        try:
            self.fh.close()
        except OSError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError.single(f"cannot write: {exc.strerror or exc}", file=str(self.path))


def _open_out(path: Path, resume: tuple[int, str | None] | None) -> _Output:
    try:
        return _Output(path, resume)
    except OSError as exc:
        raise TransactionError.single(f"cannot write: {exc.strerror or exc}", file=str(path)) from None


def run(
    opts: RunOptions,
    stdout: IO[str] | None = None,
    stdin: IO[str] | None = None,
    progress: Callable[[Stats], None] | None = None,
) -> RunResult:
    """Monitor ``opts.source`` to the end (or to ``stop_after``); alerts to the sinks."""
    if opts.checkpoint is not None and opts.output is None:
        raise UsageError.single(
            "--checkpoint needs --output FILE (standard output cannot be rewound on resume)"
        )
    if opts.resume and opts.checkpoint is None:
        raise UsageError.single("--resume needs --checkpoint DIR")
    held = ckpt.lock(opts.checkpoint) if opts.checkpoint is not None else None
    try:
        return _run(opts, stdout, stdin, progress)
    finally:
        if held is not None:
            held.close()


def _run(
    opts: RunOptions, stdout: IO[str] | None, stdin: IO[str] | None, progress: Callable[[Stats], None] | None
) -> RunResult:
    queued = is_queue(opts.source)  # a message queue is read like standard input
    streaming = str(opts.source) == "-" or queued
    digest = None if streaming or opts.checkpoint is None else _digest(Path(opts.source))
    rates_digest = _rates_digest(opts.rates)
    state = None
    if opts.resume:
        assert opts.checkpoint is not None
        state = ckpt.load(opts.checkpoint)
        if state is not None:
            _check_resumable(opts, state, digest, rates_digest)
    monitor = state.monitor if state else (opts.monitor or Monitor())
    monitor.attach(opts.pack, opts.calendar, opts.limits)
    skip = state.rows_consumed if state else 0
    watermark = state.watermark if state else None
    reorder = None
    if streaming:
        reorder = state.reorder if state is not None and state.reorder else ReorderBuffer()
        reorder.lateness = opts.max_lateness
    out = (
        _open_out(opts.output, (state.output_bytes, state.output_sha256) if state else None)
        if opts.output
        else None
    )
    dead = None
    try:
        dead = (
            _open_out(opts.dead_letter, (state.dead_bytes, state.dead_sha256) if state else None)
            if opts.dead_letter
            else None
        )
        store = _open_store(opts.store) if opts.store else None
    except BaseException:
        for fh in (out, dead):
            if fh is not None:
                fh.close()
        raise
    sink = JsonlSink(out if out is not None else (stdout or _stdout()))  # type: ignore[arg-type]
    result = RunResult(monitor.stats, [], resumed_from=skip, caps=monitor.features.caps, limits=opts.limits)
    deferred: dict[str, int] = {}  # business day -> rows on disk when a checkpoint was due
    stats = monitor.stats
    horizon = opts.max_future

    def emit(alerts: list[Alert]) -> None:
        if alerts:
            sink.write(alerts)
            if store is not None:
                store.add(alerts)

    def bury(row: DeadRow) -> None:
        stats.dead += 1
        stats.rejected[row.reason] = stats.rejected.get(row.reason, 0) + 1
        if dead is not None:
            dead.write(json.dumps(row.to_json_dict(str(opts.source)), ensure_ascii=False) + "\n")
        elif len(result.dead_sample) < KEEP_DEAD:
            result.dead_sample.append(row)

    def feed(tx: Tx, raw: str) -> None:
        alerts, rejected = monitor.feed(tx)
        emit(alerts)
        if rejected is not None:
            bury(dataclasses.replace(rejected, raw=raw or _text_of(tx)))

    def save(rows: int) -> bool:
        """Checkpoint; False when deferred (an open day has rows on disk: a checkpoint holds
        state, not temporary files, and reading the day back would defeat the cap)."""
        if opts.checkpoint is None or out is None:
            return True
        spilled = monitor.spilled()
        if spilled is not None:
            day, held = spilled
            deferred[day.isoformat()] = held
            return False
        out.sync()  # the outputs reach the disk before the checkpoint that records them
        if dead is not None:
            dead.sync()
        ckpt.save(
            opts.checkpoint,
            ckpt.Checkpoint(
                monitor,
                rows,
                out.size,
                dead.size if dead is not None else 0,
                str(opts.source),
                digest=digest,
                reorder=reorder,
                output_sha256=out.sha.hexdigest(),
                dead_sha256=dead.sha.hexdigest() if dead is not None else None,
                rates_digest=rates_digest,
                watermark=watermark,
            ),
        )
        if isinstance(stream, QueueStream):  # the state holding these rows is on disk
            stream.commit(rows)
        return True

    damage: list[InputDamaged] = []
    stream: Any = (
        QueueStream(opts.source, skipped=skip)
        if queued and stdin is None
        else (stdin if queued else open_text(opts.source, stdin))
    )
    if isinstance(stream, QueueStream):
        stream.placeholders = stream.skipped = stream.committed = skip
    owed = False  # a checkpoint was deferred: taken as soon as no day is on disk
    try:
        rows = skip
        for rows, item, raw in _ordered(opts, stream, skip, result, damage):
            stats.rows = rows
            if isinstance(item, DeadRow):
                bury(item)
            elif watermark is not None and item.epoch > watermark + horizon:
                bury(
                    DeadRow(
                        item.line,
                        "future",
                        _future(item.epoch, watermark, horizon),
                        raw or _text_of(item),
                        "timestamp",
                    )
                )
            else:
                if watermark is None or item.epoch > watermark:
                    watermark = item.epoch
                if reorder is None:
                    feed(item, raw)
                else:
                    due = reorder.push(item)
                    if isinstance(due, str):
                        bury(DeadRow(item.line, "late", due, raw, "timestamp"))
                    for tx in () if isinstance(due, str) else due:
                        feed(tx, "")
            if rows % opts.checkpoint_every == 0 or (owed and monitor.spilled() is None):
                owed = not save(rows)
                if progress is not None:
                    progress(stats)
            elif progress is not None and rows % PROGRESS_EVERY == 0:
                progress(stats)
            if opts.stop_after is not None and rows >= skip + opts.stop_after:
                result.completed = False
                return result
        for tx in reorder.drain() if reorder is not None else ():
            feed(tx, "")
        emit(monitor.finish())
        for day, held in deferred.items():
            result.notes.append(
                f"checkpoint deferred: business day {day} held {held:,} rows beyond the "
                f"in-memory cap (limit day_rows_in_memory = {opts.limits.day_rows_in_memory:,}) "
                "when a checkpoint was due; it was saved once the day had closed"
            )
        for note in (monitor.history_note(), monitor.dedup_note()):
            if note is not None:
                result.notes.append(note)
        if damage:  # the rows read are monitored; no checkpoint claims the file was read
            for fh in (out, dead):
                if fh is not None:
                    fh.sync()
            raise damage[0]
        save(rows)
        if isinstance(stream, QueueStream):  # every alert is written: the rows are done
            for fh in (out, dead):
                if fh is not None:
                    fh.sync()
            stream.commit(rows)
        if progress is not None:
            progress(stats)
        return result
    finally:
        monitor.close()
        if stream is not stdin and str(opts.source) != "-":
            stream.close()
        try:
            for fh in (out, dead):
                if fh is not None:
                    fh.close()
        finally:
            if store is not None:
                store.close()


def _check_resumable(opts: RunOptions, state: ckpt.Checkpoint, digest: str | None, rates_digest: str) -> None:
    """A checkpoint continues only the run it was saved by: same input, content and rates."""
    assert opts.checkpoint is not None
    if state.source != str(opts.source):
        raise TransactionError.single(
            f"the checkpoint is for {shown(state.source, 200)}, not {shown(opts.source, 200)}",
            file=str(opts.checkpoint),
        )
    if state.digest != digest:
        raise TransactionError.single(
            "the input changed since the checkpoint was saved (its digest differs): "
            "start again without --resume",
            file=str(opts.source),
        )
    if state.rates_digest != rates_digest:
        raise TransactionError.single(
            "the exchange rates differ from those of the checkpointed run (--rates): resume "
            "with the same rates file, or start again without --resume",
            file=str(opts.checkpoint),
        )
    if opts.dead_letter is None:
        state.dead_bytes, state.dead_sha256 = 0, None


def _open_store(path: Path) -> AlertStore:
    return AlertStore(path)  # a file that is not a store is a TransactionError there


def _future(epoch: int, watermark: int, horizon: int) -> str:
    return (
        f"future: {_iso(epoch)} is more than {format_duration(horizon)} after the newest "
        f"row accepted so far ({_iso(watermark)}); a row this far ahead would close every "
        "business day before it (--max-future)"
    )


def _text_of(tx: Tx) -> str:
    """A row's fields when its text was not kept (rows of a sorted file)."""
    return json.dumps(
        {
            "tx_id": tx.tx_id,
            "timestamp": _iso(tx.epoch),
            "amount": str(tx.amount),
            "currency": tx.currency,
            "account_id": tx.account_id,
            "customer_id": tx.customer_id,
            "direction": tx.direction,
            "channel": tx.channel,
            "counterparty_id": tx.counterparty_id,
        },
        ensure_ascii=False,
    )


def _rates_digest(rates: Rates) -> str:
    text = json.dumps(sorted((k, str(c), str(u)) for k, (c, u) in rates.table.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _ordered(
    opts: RunOptions, stream: IO[str], skip: int, result: RunResult, damage: list[InputDamaged]
) -> Iterator[tuple[int, Tx | DeadRow, str]]:
    """(position, row, text) in the order the monitor takes them, from ``skip`` on.

    Standard input and a file in day order: as read (the rows skipped are not parsed). A file
    out of order: rejected rows, then the transactions sorted by event time (order.py); the
    positions count that order, so a checkpoint of it resumes the same file.
    """
    if str(opts.source) == "-" or is_queue(opts.source) or _in_day_order(opts.source):
        yield from _until_damaged(read_rows(stream, opts.source, opts.rates, skip), damage)
        return
    sort = ExternalSort(opts.sort_buffer)
    rows = sort(item for _, item, _raw in _until_damaged(read_rows(stream, opts.source, opts.rates), damage))
    for n, item in enumerate(itertools.islice(rows, skip, None), skip + 1):
        yield n, item, ""
    result.sorted_runs = sort.runs
    count = f"{result.stats.transactions + result.stats.duplicates:,} rows"
    how = (
        f"in {sort.runs} runs of up to {opts.sort_buffer:,} rows merged from temporary files"
        if sort.runs
        else "in memory"
    )
    result.notes.append(
        f"the rows were not in time order: {count} were sorted by event time {how} before monitoring"
    )


def _until_damaged(rows: Iterator[_T], damage: list[InputDamaged]) -> Iterator[_T]:
    """``rows`` up to a point the input cannot be read past (kept in ``damage``)."""
    try:
        yield from rows
    except InputDamaged as exc:
        damage.append(exc)


def _in_day_order(source: str) -> bool:
    """Whether the file needs no sort (a damaged file is sorted: what can be read of it)."""
    try:
        with open_text(source) as stream:
            return in_day_order(stream, source)
    except InputDamaged:
        return False


def _digest(path: Path) -> str:
    """sha256 of the input as stored (gzip too): a resume needs the same content."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _stdout() -> IO[str]:
    import sys

    return sys.stdout
