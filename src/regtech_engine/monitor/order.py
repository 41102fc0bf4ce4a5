"""Event-time order: the monitor must see business days in order, whatever the input's order.

The engine closes a business day when a row of a later day arrives, so a row of a day
already closed could only be dead-lettered. To lose nothing:

- a file is scanned once for the timestamps alone (~2 µs a row); if its business dates
  never go back it is streamed as it is, otherwise its valid rows are sorted by event time
  (time, tx_id, line), in memory up to a budget of rows, beyond it in sorted runs spilled to
  temporary files and merged with ``heapq.merge``. Rejected rows come first, in file order.
  The order is a function of the file alone, so checkpoint offsets count positions in it;
- standard input cannot be read twice: rows wait in a reorder buffer until they are more
  than ``--max-lateness`` behind the newest row seen, and leave in event-time order. A row
  arriving later than that bound is rejected with reason ``late``.
"""

from __future__ import annotations

import heapq
import operator
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from .clock import Clock, TimestampError, format_duration
from .ingest import DeadRow, Json, RowError, raw_rows
from .records import Tx, iso_time

SORT_BUFFER = 200_000  # rows sorted in memory before a run is spilled (~150 MB of rows)
MAX_LATENESS = 3_600  # seconds a standard-input row may trail the newest one seen
_CHUNK = 4_096  # rows pickled at once in a spilled run
# the event-time order of a file: line breaks the tie of a repeated tx_id (first line wins)
EVENT_KEY = operator.attrgetter("epoch", "micro", "tx_id", "line")


class _Stamp(TypedDict):
    timestamp: str


_STAMP: TypeAdapter[_Stamp] = TypeAdapter(_Stamp)


def in_day_order(stream: IO[str], path: str | Path) -> bool:
    """Whether the rows' business dates never go back in file order (then the file needs no
    sort). Rows whose timestamp cannot be read are left to the reader, which rejects them."""
    clock = Clock()
    last = None
    for _line, value, _raw in raw_rows(stream, path):
        if isinstance(value, RowError):
            continue
        if isinstance(value, Json):
            try:
                stamp = _STAMP.validate_json(value)["timestamp"]
            except ValidationError:
                continue
        else:
            stamp = value.get("timestamp", "")
        try:
            day = clock.read(stamp.strip())[2]
        except (TimestampError, AttributeError):
            continue
        if last is not None and day < last:
            return False
        last = day
    return True


class ExternalSort:
    """Rejected rows as they come, then the transactions in event-time order."""

    def __init__(self, buffer_rows: int = SORT_BUFFER) -> None:
        self.buffer_rows = buffer_rows
        self.runs = 0  # sorted runs spilled to temporary files (0: sorted in memory)

    def __call__(self, items: Iterable[Tx | DeadRow]) -> Iterator[Tx | DeadRow]:
        files: list[IO[bytes]] = []
        buffer: list[Tx] = []
        try:
            for item in items:
                if isinstance(item, DeadRow):
                    yield item
                    continue
                buffer.append(item)
                if len(buffer) >= self.buffer_rows:
                    files.append(spill(buffer)[0])
                    buffer = []
            buffer.sort(key=EVENT_KEY)
            self.runs = len(files)
            if not files:
                yield from buffer
                return
            yield from heapq.merge(*(read_run(f) for f in files), buffer, key=EVENT_KEY)
        finally:
            for fh in files:
                fh.close()


def spill(
    rows: list[Tx], key: Callable[[Tx], Any] = EVENT_KEY, chunk: int = _CHUNK
) -> tuple[IO[bytes], list[int]]:
    """One run, ``rows`` sorted by ``key``, in an anonymous temporary file (deleted when
    closed) pickled in chunks of ``chunk`` rows; with the byte offset of each chunk, so one
    row can be read back without reading the run (``read_chunk``)."""
    rows.sort(key=key)
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the caller
    offsets = []
    for start in range(0, len(rows), chunk):
        offsets.append(fh.tell())
        pickle.dump(rows[start : start + chunk], fh, protocol=pickle.HIGHEST_PROTOCOL)
    fh.seek(0)
    return fh, offsets


def read_run(fh: IO[bytes]) -> Iterator[Tx]:
    """The rows of a run, from its start."""
    fh.seek(0)
    while True:
        try:
            chunk: list[Tx] = pickle.load(fh)
        except EOFError:
            return
        yield from chunk


def read_chunk(fh: IO[bytes], offset: int) -> list[Tx]:
    """The chunk of a run that starts at byte ``offset`` (``spill`` gives the offsets)."""
    fh.seek(offset)
    rows: list[Tx] = pickle.load(fh)
    return rows


class ReorderBuffer:
    """Rows of a stream held until they trail the newest row by more than ``lateness``."""

    def __init__(self, lateness: int = MAX_LATENESS) -> None:
        self.lateness = lateness
        self.heap: list[tuple[int, int, str, int, Tx]] = []
        self.newest: int | None = None

    def push(self, tx: Tx) -> list[Tx] | str:
        """The rows now due, in event-time order; or why ``tx`` is late (it is not kept)."""
        newest = self.newest
        if newest is not None and tx.epoch < newest - self.lateness:
            return (
                f"late: {iso_time(tx.epoch)} is {format_duration(newest - tx.epoch)} behind "
                f"the newest row seen ({iso_time(newest)}), beyond --max-lateness "
                f"{format_duration(self.lateness)}"
            )
        heapq.heappush(self.heap, (tx.epoch, tx.micro, tx.tx_id, tx.line, tx))
        if newest is None or tx.epoch > newest:
            self.newest = newest = tx.epoch
        due: list[Tx] = []
        cutoff = newest - self.lateness
        while self.heap and self.heap[0][0] < cutoff:
            due.append(heapq.heappop(self.heap)[-1])
        return due

    def drain(self) -> list[Tx]:
        """Every row still held, in order (the stream ended)."""
        rows = [entry[-1] for entry in sorted(self.heap)]
        self.heap = []
        return rows
