"""Rapid in-and-out: money into and out of one account within ``monitor.rapid.window_hours``.

On each payment out, the document gets the CNY received in the window and the share of it
(percent) paid out since the earliest receipt still in the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import EvidenceFn, Flow, Windows, ev_rows


@dataclass
class RapidInOut:
    ins: dict[str, Flow] = field(default_factory=dict)  # account -> money in, in the window
    outs: dict[str, Flow] = field(default_factory=dict)  # account -> money out

    def observe(self, tx: Tx, cny: int, w: Windows, doc: dict[str, Any], ev: dict[str, EvidenceFn]) -> None:
        cutoff = tx.epoch - w.rapid
        account = tx.account_id
        if tx.direction == "in":
            flow = self.ins.get(account)
            if flow is None:
                flow = self.ins[account] = Flow()
            flow.add(tx.epoch, tx.tx_id, cny)
            flow.prune(cutoff)
            return
        ins = self.ins.get(account)
        if ins is not None:
            ins.prune(cutoff)
        outs = self.outs.get(account)
        if outs is None:
            outs = self.outs[account] = Flow()
        outs.add(tx.epoch, tx.tx_id, cny)
        # Payments before the earliest receipt still in the window never count again (that
        # receipt only moves later), so the outflow keeps only what the sum needs.
        if not ins:
            outs.prune(tx.epoch)  # kept: a receipt in this same second is also "before" it
            return
        first = ins.rows[0][0]
        outs.prune(first)
        received = ins.total
        ev["rapid_in_out"] = partial(ev_rows, (*ins.rows, *outs.rows), 1, first, tx.epoch, account)
        doc["rapid_in_cny"] = received
        doc["rapid_out_pct"] = outs.total * 100 // received

    def sweep(self, now: int, w: Windows) -> None:
        for flows in (self.ins, self.outs):
            for key in list(flows):
                flows[key].prune(now - w.rapid)
                if not flows[key]:
                    del flows[key]
