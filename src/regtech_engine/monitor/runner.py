"""One monitoring run: input -> event-time order -> Monitor -> sinks, with checkpoints.

Core code: it never prints or exits; the CLI passes a progress callback, reports the result
and chooses the exit status from the rejections counted here (by reason, in ``Stats``).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import TransactionError, UsageError
from . import checkpoint as ckpt
from .engine import Monitor, Stats
from .ingest import DeadRow, open_text, read_rows
from .models import Alert, Tx
from .order import MAX_LATENESS, SORT_BUFFER, ExternalSort, ReorderBuffer, in_day_order
from .rates import Rates
from .rules import MonitoringPack
from .sinks import AlertStore, JsonlSink
from .workdays import WorkdayCalendar

CHECKPOINT_EVERY = 50_000
KEEP_DEAD = 50
PROGRESS_EVERY = 5_000
GC_THRESHOLD = 200_000


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


@dataclass
class RunResult:
    stats: Stats
    dead_sample: list[DeadRow]
    resumed_from: int = 0
    completed: bool = True
    notes: list[str] = field(default_factory=list)
    sorted_runs: int | None = None  # the file was sorted: in memory (0) or from N runs

    @property
    def rejected(self) -> dict[str, int]:
        """Rows rejected, by reason (sorted by reason: deterministic summaries)."""
        return dict(sorted(self.stats.rejected.items()))


def _open_out(path: Path, resume_at: int | None) -> IO[str]:
    if resume_at is None:
        return path.open("w", encoding="utf-8")
    if not path.is_file():
        raise TransactionError.single("cannot resume: output file is missing", file=str(path))
    fh = path.open("r+", encoding="utf-8")
    fh.truncate(resume_at)
    fh.seek(resume_at)
    return fh


def run(opts: RunOptions, stdout: IO[str] | None = None, stdin: IO[str] | None = None,
        progress: Callable[[Stats], None] | None = None) -> RunResult:
    """Monitor ``opts.source`` to the end (or to ``stop_after``); alerts to the sinks."""
    if opts.checkpoint is not None and opts.output is None:
        raise UsageError.single("--checkpoint needs --output FILE (standard output cannot be"
                                " rewound on resume)")
    streaming = str(opts.source) == "-"
    digest = None if streaming or opts.checkpoint is None else _digest(Path(opts.source))
    state = None
    if opts.resume:
        if opts.checkpoint is None:
            raise UsageError.single("--resume needs --checkpoint DIR")
        state = ckpt.load(opts.checkpoint)
        if state is not None and state.source != str(opts.source):
            raise TransactionError.single(
                f"the checkpoint is for {state.source}, not {opts.source}",
                file=str(opts.checkpoint))
        if state is not None and state.digest != digest:
            raise TransactionError.single(
                "the input changed since the checkpoint was saved (its digest differs): "
                "start again without --resume", file=str(opts.source))
    monitor = state.monitor if state else Monitor()
    monitor.attach(opts.pack, opts.calendar)
    skip = state.rows_consumed if state else 0
    reorder = None
    if streaming:
        reorder = state.reorder if state is not None and state.reorder else ReorderBuffer()
        reorder.lateness = opts.max_lateness
    out = (_open_out(opts.output, state.output_bytes if state else None)
           if opts.output else None)
    dead = (_open_out(opts.dead_letter, state.dead_bytes if state else None)
            if opts.dead_letter else None)
    if dead is None and state is not None:
        state.dead_bytes = 0
    sink = JsonlSink(out if out is not None else (stdout or _stdout()))
    store = AlertStore(opts.store) if opts.store else None
    result = RunResult(monitor.stats, [], resumed_from=skip)
    stats = monitor.stats

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
        alerts, late = monitor.feed(tx)
        emit(alerts)
        if late is not None:
            bury(dataclasses.replace(late, raw=raw))

    def save(rows: int) -> None:
        if opts.checkpoint is None or out is None:
            return
        out.flush()
        if dead is not None:
            dead.flush()
        ckpt.save(opts.checkpoint, ckpt.Checkpoint(
            monitor, rows, out.tell(), dead.tell() if dead is not None else 0,
            str(opts.source), digest=digest, reorder=reorder))

    stream = open_text(opts.source, stdin)
    # The windows hold many small long-lived objects; at the default thresholds the cyclic
    # collector rescans them all every few thousand rows (a third of the run time, measured).
    # The monitor's state makes no reference cycles, so collect rarely during the run.
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    try:
        rows = skip
        for rows, item, raw in _ordered(opts, stream, skip, result):
            stats.rows = rows
            if isinstance(item, DeadRow):
                bury(item)
            elif reorder is None:
                feed(item, raw)
            else:
                due = reorder.push(item)
                if isinstance(due, str):
                    bury(DeadRow(item.line, "late", due, raw, "timestamp"))
                for tx in () if isinstance(due, str) else due:
                    feed(tx, "")
            if rows % opts.checkpoint_every == 0:
                save(rows)
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
        note = monitor.history_note()
        if note is not None:
            result.notes.append(note)
        save(rows)
        if progress is not None:
            progress(stats)
        return result
    finally:
        gc.set_threshold(*thresholds)
        if stream is not stdin and str(opts.source) != "-":
            stream.close()
        for fh in (out, dead):
            if fh is not None:
                fh.close()
        if store is not None:
            store.close()


def _ordered(opts: RunOptions, stream: IO[str], skip: int,
             result: RunResult) -> Iterator[tuple[int, Tx | DeadRow, str]]:
    """(position, row, text) in the order the monitor takes them, from ``skip`` on.

    Standard input and a file in day order: as read (the rows skipped are not parsed). A file
    out of order: rejected rows, then the transactions sorted by event time (order.py); the
    positions count that order, so a checkpoint of it resumes the same file.
    """
    if str(opts.source) == "-" or _in_day_order(opts.source):
        yield from read_rows(stream, opts.source, opts.rates, skip)
        return
    sort = ExternalSort(opts.sort_buffer)
    rows = sort(item for _, item, _raw in read_rows(stream, opts.source, opts.rates))
    for n, item in enumerate(itertools.islice(rows, skip, None), skip + 1):
        yield n, item, ""
    result.sorted_runs = sort.runs
    count = f"{result.stats.transactions + result.stats.duplicates:,} rows"
    how = (f"in {sort.runs} runs of up to {opts.sort_buffer:,} rows merged from temporary files"
           if sort.runs else "in memory")
    result.notes.append(f"the rows were not in time order: {count} were sorted by event time "
                        f"{how} before monitoring")


def _in_day_order(source: str) -> bool:
    with open_text(source) as stream:
        return in_day_order(stream, source)


def _digest(path: Path) -> str:
    """sha256 of the input as stored (gzip too): a resume needs the same content."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _stdout() -> IO[str]:
    import sys

    return sys.stdout
