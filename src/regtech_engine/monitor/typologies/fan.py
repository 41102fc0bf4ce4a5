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

The distinct counts are kept as rows come and go (per window the rows of each payer or
payee; per payee the accounts whose fan-out window holds it, so a payee that becomes a hub,
or stops being one, moves between the counts at once): O(1) per row amortised, however many
counterparties an account has.

Caps (``monitor/limits.py``), counted in the run summary and noted in the alert's ``limits``:

- ``window_rows``: an account's fan-in or fan-out window keeps at most that many rows;
  beyond it the oldest are dropped (one hit per row) and, while a dropped row would still be
  in the window, the alert says "the fan-out window of <account> held more than N rows;
  counts cover the newest N".
- ``parties``: ``first_paid`` holds at most that many payers; beyond it the least recently
  active are forgotten down to nine tenths of the cap (one hit per payer), and from then on
  fan-in alerts say that a forgotten payer counts as first-time again. Fan-out alerts say
  so when the graph's ``payers_of`` forgot payees (a forgotten payee counts as no hub).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import EvidenceFn, Windows, ev_rows, forget_least_active, low_water, party_note, window_note
from ._graph import HUB_TABLES, Graph

Row = tuple[int, str, str]  # time, counterparty, tx_id
_FORGOTTEN = "a payer forgotten counts as first-time again"


class Tail:
    """Distinct counterparties among a window's rows from a cutoff on: the rows of each,
    from absolute row number ``seq`` (rows dropped from the window so far count too)."""

    __slots__ = ("cutoff", "keys", "seq")

    def __init__(self) -> None:
        self.seq = 0
        self.cutoff = -1
        self.keys: dict[str, int] = {}

    def __getstate__(self) -> tuple[int, int, dict[str, int]]:
        return self.seq, self.cutoff, self.keys

    def __setstate__(self, state: tuple[int, int, dict[str, int]]) -> None:
        self.seq, self.cutoff, self.keys = state

    def add(self, key: str) -> None:
        self.keys[key] = self.keys.get(key, 0) + 1

    def drop(self, key: str) -> None:
        left = self.keys[key] - 1
        if left:
            self.keys[key] = left
        else:
            del self.keys[key]

    def move(self, payers: Payers, cutoff: int) -> None:
        """Count from ``cutoff`` on (rows are in time order; a cutoff that moved back, after
        a change of parameters, is counted afresh)."""
        rows, base = payers.rows, payers.gone
        if cutoff < self.cutoff:
            self.seq, self.keys = base, {}
            for row in rows:
                self.add(row[1])
        self.cutoff = cutoff
        while self.seq - base < len(rows) and rows[self.seq - base][0] < cutoff:
            self.drop(rows[self.seq - base][1])
            self.seq += 1


class Payers:
    """One account's fan-in window: first-time payers' rows, oldest first, and the distinct
    payers since the burst and the sustained cutoffs."""

    __slots__ = ("burst", "gone", "lost", "rows", "sustained")

    def __init__(self) -> None:
        self.rows: deque[Row] = deque()
        self.gone = 0  # rows dropped from the front so far: the absolute number of rows[0]
        self.lost = -1  # time of the newest row dropped by the cap
        self.burst = Tail()
        self.sustained = Tail()

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.rows, self.gone, self.lost, self.burst, self.sustained

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.rows, self.gone, self.lost, self.burst, self.sustained = state

    def append(self, row: Row) -> None:
        self.rows.append(row)
        self.burst.add(row[1])
        self.sustained.add(row[1])

    def popleft(self) -> Row:
        row = self.rows.popleft()
        for tail in (self.burst, self.sustained):
            if tail.seq <= self.gone:
                tail.drop(row[1])
                tail.seq = self.gone + 1
        self.gone += 1
        return row

    def prune(self, cutoff: int) -> None:
        rows = self.rows
        while rows and rows[0][0] < cutoff:
            self.popleft()


class Payees:
    """One account's fan-out window: its rows, oldest first, the rows of each payee in it,
    and how many of those payees are no hubs."""

    __slots__ = ("count", "lost", "non_hub", "rows")

    def __init__(self) -> None:
        self.rows: deque[Row] = deque()
        self.count: dict[str, int] = {}
        self.non_hub = 0
        self.lost = -1  # time of the newest row dropped by the cap

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> tuple[Any, ...]:
        return self.rows, self.count, self.non_hub, self.lost

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.rows, self.count, self.non_hub, self.lost = state


def _is_hub(graph: Graph, payee: str) -> bool:
    seen = graph.payers_of.get(payee)
    return seen is not None and seen[1] is None


@dataclass
class Fan:
    fan_in: dict[str, Payers] = field(default_factory=dict)
    fan_out: dict[str, Payees] = field(default_factory=dict)
    # payer -> [time of its first payment remembered, time of its last payment]
    first_paid: dict[str, list[int]] = field(default_factory=dict)
    # payee -> [whether it is counted as a hub, the accounts whose fan-out window holds it:
    # one account (most payees: a str, no set) or a set of them]
    payee_in: dict[str, list[Any]] = field(default_factory=dict)
    forgot: int = 0  # payers forgotten early (Limits.parties)

    def observe(
        self,
        tx: Tx,
        w: Windows,
        graph: Graph,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        limits: Limits,
        caps: CapHits,
    ) -> None:
        """Fan-in counts first-time payers, over a long window (sustained) and a short one (a
        burst, which needs no history: many new parties at once stand out even on the first
        day of a stream); fan-out counts the distinct payees in the window, and those of them
        that are not hubs."""
        inbound = tx.direction == "in"
        cp: str = tx.counterparty_id  # type: ignore[assignment]
        payer, payee = (cp, tx.account_id) if inbound else (tx.account_id, cp)
        graph.paid(payer, payee, tx.epoch, w.hub_min, limits, caps)
        paid = self.first_paid.get(payer)
        if paid is None:
            paid = self.first_paid[payer] = [tx.epoch, tx.epoch]
            if len(self.first_paid) > limits.parties:
                self._forget(limits, caps)
        else:
            paid[1] = tx.epoch
        if not inbound:
            self._fan_out(tx, cp, w, graph, doc, ev, limits, caps)
            return
        if paid[0] != tx.epoch:  # both legs of the first payment have the same time
            return
        account = tx.account_id
        q = self.fan_in.get(account)
        if q is None:
            q = self.fan_in[account] = Payers()
        q.append((tx.epoch, cp, tx.tx_id))
        if len(q.rows) > limits.window_rows:
            q.lost = q.popleft()[0]
            caps.hit("window_rows", account)
        q.prune(tx.epoch - max(w.new_payer, w.burst_in))
        recent = tx.epoch - w.burst_in
        # first-time payers count towards the sustained pattern only after the history
        judged = graph.history_start + w.history
        sustained = max(judged, tx.epoch - w.new_payer) if tx.epoch >= judged else recent
        q.burst.move(q, recent)
        first = q.burst.seq
        doc["fan_in_burst_payers"] = len(q.burst.keys)
        if tx.epoch >= judged:
            q.sustained.move(q, sustained)
            first = min(first, q.sustained.seq)
            doc["fan_in_new_payers"] = len(q.sustained.keys)
        rows = tuple(islice(q.rows, first - q.gone, None))  # q is in time order
        notes: tuple[str, ...] = ()
        if q.lost >= min(recent, sustained) or self.forgot:
            notes = self._notes(account, q.lost >= min(recent, sustained), limits)
        ev["fan_in"] = partial(ev_rows, rows, 2, rows[0][0], tx.epoch, account, 1, notes)

    def _notes(self, account: str, capped: bool, limits: Limits) -> tuple[str, ...]:
        notes = [window_note("fan-in", account, limits.window_rows)] if capped else []
        if self.forgot:
            notes.append(party_note("first_paid", limits.parties, _FORGOTTEN))
        return tuple(notes)

    def _forget(self, limits: Limits, caps: CapHits) -> None:
        gone = forget_least_active(self.first_paid, _last_paid, low_water(limits.parties))
        self.forgot += len(gone)
        caps.hit("parties", "first_paid", len(gone))

    def _fan_out(
        self,
        tx: Tx,
        payee: str,
        w: Windows,
        graph: Graph,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        limits: Limits,
        caps: CapHits,
    ) -> None:
        """Distinct payees in the window, and how many of them are not hubs (a payee that
        became one since it was paid no longer counts as such)."""
        if graph.hub_changes:
            self.hub_changed(graph)
        account = tx.account_id
        q = self.fan_out.get(account)
        if q is None:
            q = self.fan_out[account] = Payees()
        q.rows.append((tx.epoch, payee, tx.tx_id))
        held = q.count.get(payee, 0)
        q.count[payee] = held + 1
        if not held:  # new to the window: counted by its hub mark (inline: the hot path)
            entry = self.payee_in.get(payee)
            if entry is None:
                entry = self.payee_in[payee] = [_is_hub(graph, payee), account]
            elif type(entry[1]) is str:  # one account held it: most payees
                entry[1] = {entry[1], account}
            else:
                entry[1].add(account)
            if not entry[0]:
                q.non_hub += 1
        if len(q.rows) > limits.window_rows:
            q.lost = self._leave(q, account)
            caps.hit("window_rows", account)
        cutoff = tx.epoch - w.fan
        rows = q.rows
        while rows[0][0] < cutoff:  # the row just added stays
            self._leave(q, account)
        doc["fan_out_payees"] = len(q.count)
        doc["fan_out_non_hub_payees"] = q.non_hub
        notes: tuple[str, ...] = ()
        if q.lost >= cutoff:
            notes = (window_note("fan-out", account, limits.window_rows),)
        if graph.forgot:
            notes += graph.party_notes(HUB_TABLES, limits)
        snapshot = tuple(rows)
        ev["fan_out"] = partial(ev_rows, snapshot, 2, snapshot[0][0], tx.epoch, account, 1, notes)

    def _leave(self, q: Payees, account: str) -> int:
        """Drop the oldest row of ``q``; its time."""
        epoch, payee, _ = q.rows.popleft()
        held = q.count[payee] - 1
        if held:
            q.count[payee] = held
            return epoch
        del q.count[payee]
        entry = self.payee_in[payee]
        if not entry[0]:
            q.non_hub -= 1
        holders = entry[1]
        if type(holders) is str:
            del self.payee_in[payee]
            return epoch
        holders.discard(account)
        if not holders:
            del self.payee_in[payee]
        return epoch

    def hub_changed(self, graph: Graph) -> None:
        """Move the payees whose hub mark changed between the counts of the windows that
        hold them."""
        for payee in graph.hub_changes:
            entry = self.payee_in.get(payee)
            if entry is None:
                continue
            hub = _is_hub(graph, payee)
            if hub != entry[0]:
                entry[0] = hub
                step = -1 if hub else 1
                holders = entry[1]
                for account in (holders,) if type(holders) is str else holders:
                    self.fan_out[account].non_hub += step
        graph.hub_changes.clear()

    def sweep(self, now: int, w: Windows, graph: Graph | None = None) -> None:
        if graph is not None:
            self.hub_changed(graph)
        for q in self.fan_in.values():
            q.prune(now - max(w.new_payer, w.burst_in))
        self.fan_in = {k: q for k, q in self.fan_in.items() if q.rows}
        cutoff = now - w.fan
        for account, out in self.fan_out.items():
            while out.rows and out.rows[0][0] < cutoff:
                self._leave(out, account)
        self.fan_out = {k: q for k, q in self.fan_out.items() if q.rows}
        forget = now - w.memory  # parties not seen for this long start afresh
        self.first_paid = {k: v for k, v in self.first_paid.items() if v[1] >= forget}


def _last_paid(paid: list[int]) -> int:
    return paid[1]
