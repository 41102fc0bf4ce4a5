"""An open business day's rows: in memory up to a cap, beyond it in sorted runs on disk.

One customer can send millions of rows in a day, and a day is processed in one order
(``records.SORT_KEY``) only when it closes. Beyond ``Limits.day_rows_in_memory`` rows the
rows held are sorted and spilled to a temporary file (order.py's runs); closing the day
merges the runs with ``heapq.merge``, which gives exactly the order one sort in memory
gives (tx_ids are unique within a day, so the key is a total order).

Repeats within the day are still found as rows arrive, as before the spill: a spilled row
leaves in memory its tx_id and one int (a fingerprint of its values and where it lies on
disk), about a sixth of what the row costs. A conflicting repeat reads the first row back
(one chunk of one run) so that its message quotes the first row as it always did.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator
from typing import IO, Any

from .order import read_chunk, read_run
from .order import spill as spill_run
from .records import SORT_KEY, Tx

CHUNK = 512  # rows per pickled chunk of a run: what a conflicting repeat reads back
_FP = (1 << 64) - 1  # the fingerprint's bits in a spilled row's int
_RUN = (1 << 32) - 1


def fingerprint(tx: Tx) -> int:
    """64 bits of a transaction's values (not its line): tells a row repeated as it was from
    one repeating an id with other values. Deterministic across processes (checkpoints)."""
    text = (
        f"{tx.epoch}.{tx.micro}\x1f{tx.amount}\x1f{tx.currency}\x1f{tx.customer_id}\x1f"
        f"{tx.account_id}\x1f{tx.direction}\x1f{tx.channel}\x1f{tx.counterparty_id}\x1f"
        f"{tx.counterparty_country}\x1f{tx.cross_border}"
    )
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


class DayBuffer:
    """The rows of one open business day, by tx_id."""

    def __init__(self) -> None:
        self.rows: dict[str, Tx] = {}  # in memory
        # spilled: tx_id -> fingerprint | run << 64 | chunk << 96
        self.spilled: dict[str, int] = {}
        self.runs: list[tuple[IO[bytes], list[int]]] = []  # (file, chunk offsets)

    def __len__(self) -> int:
        return len(self.rows) + len(self.spilled)

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self.rows or tx_id in self.spilled

    def __iter__(self) -> Iterator[str]:
        """The day's tx_ids (in memory, then spilled)."""
        yield from self.rows
        yield from self.spilled

    def __getitem__(self, tx_id: str) -> Tx:
        tx = self.rows.get(tx_id)
        if tx is not None:
            return tx
        packed = self.spilled[tx_id]
        fh, offsets = self.runs[(packed >> 64) & _RUN]
        return next(t for t in read_chunk(fh, offsets[packed >> 96]) if t.tx_id == tx_id)

    def fingerprint_of(self, tx_id: str) -> int:
        """The fingerprint of the day's row with this id (KeyError: no such row)."""
        tx = self.rows.get(tx_id)
        if tx is not None:
            return fingerprint(tx)
        return self.spilled[tx_id] & _FP

    def spill(self) -> int:
        """Spill the rows held in memory as one sorted run (the caller adds rows to ``rows``
        and calls this beyond its cap); how many."""
        batch = list(self.rows.values())
        fh, offsets = spill_run(batch, SORT_KEY, CHUNK)  # sorts batch
        run = len(self.runs) << 64
        self.runs.append((fh, offsets))
        spilled = self.spilled
        for i, row in enumerate(batch):
            spilled[row.tx_id] = fingerprint(row) | run | (i // CHUNK) << 96
        self.rows = {}
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
        self.runs = []

    # a checkpoint holds rows, never files: the runner defers a checkpoint while a day is
    # spilled (runner.py); a caller that checkpoints anyway gets the rows read back
    def __getstate__(self) -> dict[str, Any]:
        rows = {tx.tx_id: tx for tx in self.values()} if self.runs else self.rows
        return {"rows": rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rows, self.spilled, self.runs = state["rows"], {}, []
