"""Fan-in and fan-out.

- fan-in: payments into an account from first-time payers (accounts whose first payment
  the monitor sees is this one) within ``monitor.fan_in.new_payer_window_days`` (sustained:
  judged only after ``monitor.history.min_days`` of history, since at the start of a stream
  every payer looks new) and within a short burst window (``monitor.fan_in.burst_hours``,
  judged from the start: many new parties at once stand out anyway);
- fan-out: distinct payees of an account within ``monitor.fan.window_days``, and how many
  of them are not *hubs* (the graph's ``payers_of``): a hub is a payee that
  ``monitor.fan.hub_min_payers`` distinct payers have paid (merchants, utilities,
  platforms). Paying many hubs is ordinary spending; paying many accounts that nobody else
  pays is distribution. Judging the payees, not whether the relationship is new, also finds
  a hub that pays the same members month after month.

Per payer the time of its first and last payment is kept, forgotten after
``monitor.history.party_memory_days`` without activity.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import EvidenceFn, Windows, ev_rows, prune, prune_table
from ._graph import Graph


@dataclass
class Fan:
    fan_in: dict[str, deque[tuple[int, str, str]]] = field(default_factory=dict)
    fan_out: dict[str, deque[tuple[int, str, str]]] = field(default_factory=dict)
    # payer -> [time of its first payment remembered, time of its last payment]
    first_paid: dict[str, list[int]] = field(default_factory=dict)

    def observe(
        self, tx: Tx, w: Windows, graph: Graph, doc: dict[str, Any], ev: dict[str, EvidenceFn]
    ) -> None:
        """Fan-in counts first-time payers, over a long window (sustained) and a short one (a
        burst, which needs no history: many new parties at once stand out even on the first
        day of a stream); fan-out counts the distinct payees in the window, and those of them
        that are not hubs."""
        inbound = tx.direction == "in"
        cp: str = tx.counterparty_id  # type: ignore[assignment]
        payer, payee = (cp, tx.account_id) if inbound else (tx.account_id, cp)
        graph.paid(payer, payee, tx.epoch, w.hub_min)
        paid = self.first_paid.get(payer)
        if paid is None:
            paid = self.first_paid[payer] = [tx.epoch, tx.epoch]
        else:
            paid[1] = tx.epoch
        if not inbound:
            self._fan_out(tx, cp, w, graph, doc, ev)
            return
        if paid[0] != tx.epoch:  # both legs of the first payment have the same time
            return
        q = self.fan_in.get(tx.account_id)
        if q is None:
            q = self.fan_in[tx.account_id] = deque()
        q.append((tx.epoch, cp, tx.tx_id))
        prune(q, tx.epoch - max(w.new_payer, w.burst_in))
        recent = tx.epoch - w.burst_in
        # first-time payers count towards the sustained pattern only after the history
        judged = graph.history_start + w.history
        sustained = max(judged, tx.epoch - w.new_payer) if tx.epoch >= judged else recent
        rows = tuple(r for r in q if r[0] >= min(recent, sustained))  # q is in time order
        doc["fan_in_burst_payers"] = len({r[1] for r in rows if r[0] >= recent})
        if tx.epoch >= judged:
            doc["fan_in_new_payers"] = len({r[1] for r in rows if r[0] >= sustained})
        ev["fan_in"] = partial(ev_rows, rows, 2, rows[0][0], tx.epoch, tx.account_id, 1)

    def _fan_out(
        self, tx: Tx, payee: str, w: Windows, graph: Graph, doc: dict[str, Any], ev: dict[str, EvidenceFn]
    ) -> None:
        """Distinct payees in the window, and how many of them are not hubs (a payee that
        became one since it was paid no longer counts as such)."""
        q = self.fan_out.get(tx.account_id)
        if q is None:
            q = self.fan_out[tx.account_id] = deque()
        q.append((tx.epoch, payee, tx.tx_id))
        prune(q, tx.epoch - w.fan)
        payees = {r[1] for r in q}
        doc["fan_out_payees"] = len(payees)
        payers_of = graph.payers_of
        doc["fan_out_non_hub_payees"] = sum(
            1 for a in payees if (seen := payers_of.get(a)) is None or seen[1] is not None
        )
        rows = tuple(q)
        ev["fan_out"] = partial(ev_rows, rows, 2, rows[0][0], tx.epoch, tx.account_id, 1)

    def sweep(self, now: int, w: Windows) -> None:
        prune_table(self.fan_in, now - max(w.new_payer, w.burst_in))
        prune_table(self.fan_out, now - w.fan)
        forget = now - w.memory  # parties not seen for this long start afresh
        self.first_paid = {k: v for k, v in self.first_paid.items() if v[1] >= forget}
