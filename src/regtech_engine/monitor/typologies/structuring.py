"""Structuring: near-threshold cash rows per (customer, direction) within the window.

A cash row whose CNY amount is in ``[monitor.structuring.band_floor_cny,
band_ceiling_cny)`` enters the customer's window of ``monitor.structuring.window_days``;
the document gets how many such rows the window holds and their sum (kept as rows come and
go: O(1) per row).

Cap (``Limits.window_rows``): a (customer, direction) window keeps at most that many rows;
beyond it the oldest are dropped (``window_rows`` in the run summary, one hit per row
dropped) and, while a dropped row would still be in the window, the alert says "the
structuring window of <customer> held more than N rows; counts cover the newest N": count
and sum are those of the newest N.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import EvidenceFn, Flow, Windows, ev_rows, prune_table, window_note


@dataclass
class Structuring:
    # (customer, direction) -> (time, tx_id, CNY) of its near-threshold cash rows, and their sum
    rows: dict[tuple[str, str], Flow] = field(default_factory=dict)

    def observe(
        self,
        tx: Tx,
        cny: int,
        band: tuple[int, int, int],
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        limits: Limits,
        caps: CapHits,
    ) -> None:
        floor, ceiling, window = band
        if not floor <= cny < ceiling:
            return
        key = (tx.customer_id, tx.direction)
        q = self.rows.get(key)
        if q is None:
            q = self.rows[key] = Flow()
        if q.add(tx.epoch, tx.tx_id, cny, limits.window_rows):
            caps.hit("window_rows", tx.customer_id)
        cutoff = tx.epoch - window
        q.prune(cutoff)
        rows = q.rows
        capped = q.lost >= cutoff  # rows dropped by the cap would still be in the window
        notes = (window_note("structuring", tx.customer_id, limits.window_rows),) if capped else ()
        ev["structuring"] = partial(ev_rows, tuple(rows), 1, rows[0][0], tx.epoch, limits=notes)
        doc["structuring_count"] = len(rows)
        doc["structuring_total_cny"] = q.total

    def sweep(self, now: int, w: Windows) -> None:
        prune_table(self.rows, now - (w.structuring[2] if w.structuring else 0))
