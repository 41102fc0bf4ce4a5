"""An open business day's rows: in memory up to a cap, beyond it in sorted runs on disk.

One customer can send millions of rows in a day, and a day is processed in one order
(``records.SORT_KEY``) only when it closes. Beyond ``Limits.day_rows_in_memory`` rows the
rows held are sorted and spilled to a temporary file (order.py's runs); closing the day
merges the runs with ``heapq.merge``, which gives exactly the order one sort in memory
gives (tx_ids are unique within a day, so the key is a total order).

Repeats within the day are still found as rows arrive, as before the spill. A spilled row
leaves 24 bytes in memory (not its tx_id): the hash of its tx_id, a second 64-bit hash of
its id and values together, and where it lies on disk, in sorted arrays searched by
bisection (merged as they double, so a lookup searches a few). A row matching both hashes
is the same transaction again (two different ids would have to collide on both, about
2^-128); a row matching the first only is read back (one chunk of one run) to compare the
ids and, for a conflict, to quote the first row as before.
"""

from __future__ import annotations

import hashlib
import heapq
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .order import read_chunk, read_run
from .order import spill as spill_run
from .records import SORT_KEY, Tx

CHUNK = 512  # rows per pickled chunk of a run: what reading one spilled row back costs
# one index of spilled rows: (tx_id hashes sorted, identities, run << 32 | chunk)
Index = tuple["array[int]", "array[int]", "array[int]"]
_key = hash  # of a tx_id: a str caches its hash; the indexes live in this process only


def fingerprint(tx: Tx) -> int:
    """64 bits of a transaction's values (not its line): tells a row repeated as it was from
    one repeating an id with other values. Deterministic across processes (checkpoints)."""
    text = (
        f"{tx.epoch}.{tx.micro}\x1f{tx.amount}\x1f{tx.currency}\x1f{tx.customer_id}\x1f"
        f"{tx.account_id}\x1f{tx.direction}\x1f{tx.channel}\x1f{tx.counterparty_id}\x1f"
        f"{tx.counterparty_country}\x1f{tx.cross_border}"
    )
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


def identity(tx: Tx) -> int:
    """64 bits of a transaction's id and values: equal for the same transaction only."""
    digest = hashlib.blake2b(tx.tx_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return fingerprint(tx) ^ int.from_bytes(digest)


def _index(entries: Iterable[tuple[int, int, int]]) -> Index:
    keys, fps, where = array("q"), array("Q"), array("Q")
    for key, fp, at in entries:
        keys.append(key)
        fps.append(fp)
        where.append(at)
    return keys, fps, where


class DayBuffer:
    """The rows of one open business day."""

    def __init__(self) -> None:
        self.rows: dict[str, Tx] = {}  # in memory, by tx_id
        self.runs: list[tuple[IO[bytes], list[int]]] = []  # on disk: (file, chunk offsets)
        self.indexes: list[Index] = []  # of the spilled rows, largest first
        self.spilled = 0  # rows on disk

    def __len__(self) -> int:
        return len(self.rows) + self.spilled

    def _spilled(self, tx_id: str) -> Iterator[tuple[int, int]]:
        """(identity, where) of the spilled rows whose tx_id has the hash of ``tx_id`` (the
        id itself, or rarely another with the same hash)."""
        key = _key(tx_id)
        for keys, fps, where in self.indexes:
            i = bisect_left(keys, key)
            while i < len(keys) and keys[i] == key:
                yield fps[i], where[i]
                i += 1

    def _read(self, where: int, tx_id: str) -> Tx | None:
        fh, offsets = self.runs[where >> 32]
        return next((t for t in read_chunk(fh, offsets[where & 0xFFFFFFFF]) if t.tx_id == tx_id), None)

    def match(self, tx: Tx) -> int | None:
        """The fingerprint of the day's row with ``tx``'s id (None: the id is new today)."""
        first = self.rows.get(tx.tx_id)
        if first is not None:
            return fingerprint(first)
        mine = None
        for same, where in self._spilled(tx.tx_id):
            mine = identity(tx) if mine is None else mine
            if same == mine:  # the same transaction again
                return fingerprint(tx)
            first = self._read(where, tx.tx_id)
            if first is not None:  # its id, other values
                return fingerprint(first)
        return None

    def __getitem__(self, tx_id: str) -> Tx:
        """The day's row with this id (read back from disk if it was spilled)."""
        tx = self.rows.get(tx_id)
        for _, where in () if tx is not None else self._spilled(tx_id):
            tx = self._read(where, tx_id)
            if tx is not None:
                break
        if tx is None:
            raise KeyError(tx_id)
        return tx

    def spill(self) -> int:
        """Spill the rows held in memory as one sorted run (the caller adds rows to ``rows``
        and calls this beyond its cap); how many."""
        batch = list(self.rows.values())
        fh, offsets = spill_run(batch, SORT_KEY, CHUNK)  # sorts batch
        run = len(self.runs) << 32
        self.runs.append((fh, offsets))
        indexes = self.indexes
        indexes.append(
            _index(sorted((_key(tx.tx_id), identity(tx), run | i // CHUNK) for i, tx in enumerate(batch)))
        )
        # merge indexes of equal size (a binary counter): at most log2(runs) + 1 indexes to
        # search, and each entry is merged at most log2(runs) times
        while len(indexes) > 1 and len(indexes[-2][0]) <= len(indexes[-1][0]):
            newer, older = indexes.pop(), indexes.pop()
            indexes.append(_index(heapq.merge(zip(*older, strict=True), zip(*newer, strict=True))))
        self.rows = {}
        self.spilled += len(batch)
        return len(batch)

    def values(self) -> Iterator[Tx]:
        """Every row of the day in processing order (records.SORT_KEY)."""
        held = sorted(self.rows.values(), key=SORT_KEY)
        if not self.runs:
            return iter(held)
        return heapq.merge(*(read_run(fh) for fh, _ in self.runs), held, key=SORT_KEY)

    def close(self) -> None:
        """Delete the runs (the day is closed)."""
        for fh, _ in self.runs:
            fh.close()
        self.runs, self.indexes, self.spilled = [], [], 0

    # a checkpoint holds rows, never files: the runner defers a checkpoint while a day is
    # spilled (runner.py); a caller that checkpoints anyway gets the rows read back
    def __getstate__(self) -> dict[str, Any]:
        rows = {tx.tx_id: tx for tx in self.values()} if self.runs else self.rows
        return {"rows": rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rows, self.runs, self.indexes, self.spilled = state["rows"], [], [], 0
