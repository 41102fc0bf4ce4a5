"""Structuring: near-threshold cash rows per (customer, direction) within the window.

A cash row whose CNY amount is in ``[monitor.structuring.band_floor_cny,
band_ceiling_cny)`` enters the customer's window of ``monitor.structuring.window_days``;
the document gets how many such rows the window holds and their sum.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import EvidenceFn, Windows, ev_rows, prune, prune_table


@dataclass
class Structuring:
    # (customer, direction) -> (time, tx_id, CNY) of its near-threshold cash rows
    rows: dict[tuple[str, str], deque[tuple[int, str, int]]] = field(default_factory=dict)

    def observe(
        self, tx: Tx, cny: int, band: tuple[int, int, int], doc: dict[str, Any], ev: dict[str, EvidenceFn]
    ) -> None:
        floor, ceiling, window = band
        if not floor <= cny < ceiling:
            return
        key = (tx.customer_id, tx.direction)
        q = self.rows.get(key)
        if q is None:
            q = self.rows[key] = deque()
        q.append((tx.epoch, tx.tx_id, cny))
        prune(q, tx.epoch - window)
        ev["structuring"] = partial(ev_rows, tuple(q), 1, q[0][0], tx.epoch)
        doc["structuring_count"] = len(q)
        doc["structuring_total_cny"] = sum(t[2] for t in q)

    def sweep(self, now: int, w: Windows) -> None:
        prune_table(self.rows, now - (w.structuring[2] if w.structuring else 0))
