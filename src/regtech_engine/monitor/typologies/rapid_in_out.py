"""Rapid in-and-out: money into and out of one account within ``monitor.rapid.window_hours``.

On each payment out, the document gets the CNY received in the window and the share of it
(percent) paid out since the earliest receipt still in the window (sums kept as rows come
and go: O(1) per row).

Cap (``Limits.window_rows``): the receipts and the payments of an account keep at most that
many rows each; beyond it the oldest are dropped (``window_rows`` in the run summary, one
hit per row dropped) and, while a dropped row would still count, the alert says "the rapid
in-and-out window of <account> held more than N rows; counts cover the newest N": the sums
are those of the newest N rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import EvidenceFn, Flow, Windows, ev_rows, window_note


@dataclass
class RapidInOut:
    ins: dict[str, Flow] = field(default_factory=dict)  # account -> money in, in the window
    outs: dict[str, Flow] = field(default_factory=dict)  # account -> money out

    def observe(
        self,
        tx: Tx,
        cny: int,
        w: Windows,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        limits: Limits,
        caps: CapHits,
    ) -> None:
        cutoff = tx.epoch - w.rapid
        account = tx.account_id
        cap = limits.window_rows
        if tx.direction == "in":
            flow = self.ins.get(account)
            if flow is None:
                flow = self.ins[account] = Flow()
            if flow.add(tx.epoch, tx.tx_id, cny, cap):
                caps.hit("window_rows", account)
            flow.prune(cutoff)
            return
        ins = self.ins.get(account)
        if ins is not None:
            ins.prune(cutoff)
        outs = self.outs.get(account)
        if outs is None:
            outs = self.outs[account] = Flow()
        if outs.add(tx.epoch, tx.tx_id, cny, cap):
            caps.hit("window_rows", account)
        # Payments before the earliest receipt still in the window never count again (that
        # receipt only moves later), so the outflow keeps only what the sum needs.
        if not ins:
            outs.prune(tx.epoch)  # kept: a receipt in this same second is also "before" it
            return
        first = ins.rows[0][0]
        outs.prune(first)
        received = ins.total
        capped = ins.lost >= cutoff or outs.lost >= first  # rows dropped by the cap would count
        notes = (window_note("rapid in-and-out", account, cap),) if capped else ()
        ev["rapid_in_out"] = partial(
            ev_rows, (*ins.rows, *outs.rows), 1, first, tx.epoch, account, limits=notes
        )
        doc["rapid_in_cny"] = received
        doc["rapid_out_pct"] = outs.total * 100 // received

    def sweep(self, now: int, w: Windows) -> None:
        for flows in (self.ins, self.outs):
            for key in list(flows):
                flows[key].prune(now - w.rapid)
                if not flows[key]:
                    del flows[key]
