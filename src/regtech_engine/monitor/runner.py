"""One monitoring run: input -> Monitor -> sinks, with checkpoints and resume.

Core code: it never prints; the CLI passes a progress callback and reports the result.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import TransactionError, UsageError
from . import checkpoint as ckpt
from .engine import Monitor, Stats
from .ingest import DeadRow, open_text, read_transactions
from .models import Alert
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


@dataclass
class RunResult:
    stats: Stats
    dead_sample: list[DeadRow]
    resumed_from: int = 0
    completed: bool = True
    notes: list[str] = field(default_factory=list)


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
    state = None
    if opts.resume:
        if opts.checkpoint is None:
            raise UsageError.single("--resume needs --checkpoint DIR")
        state = ckpt.load(opts.checkpoint)
        if state is not None and state.source != str(opts.source):
            raise TransactionError.single(
                f"the checkpoint is for {state.source}, not {opts.source}",
                file=str(opts.checkpoint))
    monitor = state.monitor if state else Monitor()
    monitor.attach(opts.pack, opts.calendar)
    skip = state.rows_consumed if state else 0
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
        if dead is not None:
            dead.write(json.dumps(row.to_json_dict(str(opts.source)), ensure_ascii=False) + "\n")
        elif len(result.dead_sample) < KEEP_DEAD:
            result.dead_sample.append(row)

    def save(rows: int) -> None:
        if opts.checkpoint is None or out is None:
            return
        out.flush()
        if dead is not None:
            dead.flush()
        ckpt.save(opts.checkpoint, ckpt.Checkpoint(
            monitor, rows, out.tell(), dead.tell() if dead is not None else 0,
            str(opts.source)))

    stream = open_text(opts.source, stdin)
    # The windows hold many small long-lived objects; at the default thresholds the cyclic
    # collector rescans them all every few thousand rows (a third of the run time, measured).
    # The monitor's state makes no reference cycles, so collect rarely during the run.
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    try:
        rows = skip
        for rows, item in read_transactions(stream, opts.source, opts.rates, skip):
            stats.rows = rows
            if isinstance(item, DeadRow):
                bury(item)
            else:
                alerts, late = monitor.feed(item)
                emit(alerts)
                if late is not None:
                    bury(late)
            if rows % opts.checkpoint_every == 0:
                save(rows)
                if progress is not None:
                    progress(stats)
            elif progress is not None and rows % PROGRESS_EVERY == 0:
                progress(stats)
            if opts.stop_after is not None and rows >= skip + opts.stop_after:
                result.completed = False
                return result
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


def _stdout() -> IO[str]:
    import sys

    return sys.stdout
