"""The relationship graph the cross-customer typologies share (cycle, layering,
scatter-gather; fan-out reads its hubs).

- the transfer graph of the longest of their windows (edges expire), searched breadth-first
  from each new transfer (each search skips edges older than its own window), with a cap on
  nodes visited. Only transfers that open a new relationship enter the graph (regular
  payments that happen to form a loop, or to fan out and converge again, are ordinary
  business; the last transfer per pair is kept for that lookback, and it also keeps the
  searches to the few transfers that can matter: ~6% of generated traffic), and each edge
  records which of its two accounts were quiet (fewer than
  ``monitor.quiet_account.below_transfers`` transfers so far) or out of pattern (the
  transfer is at least ``monitor.quiet_account.unusual_min_cny`` and ``unusual_factor``
  times the largest it took part in before: a recruited account with a life of its own that
  suddenly passes on sums of another order) when it was made;
- hubs: per payee the distinct payers seen, a set capped at ``monitor.fan.hub_min_payers``
  (once it is reached only the mark "hub" is kept), forgotten with the party; an account
  that declares a segment of ``HUB_SEGMENTS`` (merchant, business, broker, escrow) is a hub
  from its first row, and payments to it stay out of the transfer graph (money paid to a
  shop, a broker or an escrow account is spent, invested or deposited, not passed on: no
  cycle, layering chain or scatter-gather runs through it, and it does not make the payer
  less quiet);
- per party: its number of transfers and the time of the last one, forgotten after
  ``monitor.history.party_memory_days`` without activity (so external counterparties do not
  accumulate for ever); per own account its customer (for "across customers"), which grows
  with the number of the institution's accounts, not with the stream.

"Quiet" needs history: at the start of a stream every party looks new, so it is not judged
before the monitor has watched for ``monitor.history.min_days`` (``history_start``).

Caps (``monitor/limits.py``), each counted in the run summary under its name and noted in
the alerts it may have changed (cycle, layering, scatter-gather; fan-out for the hubs):

- ``window_rows``: an account keeps at most that many new-relationship edges each way;
  beyond it the oldest are dropped (one hit per edge dropped), and an alert built from a
  search that expanded such an account says "the new-relationship window of <account> held
  more than N rows; counts cover the newest N".
- ``graph_visited`` / ``graph_edges_scanned``: one search stops once it has reached more than
  that many accounts, or would examine more than that many edges (it examines the newest
  edges of the account it stops at); one hit per search stopped, and the alert says where
  the search stopped: a shorter cycle, a longer chain or more quiet accounts beyond it were
  not seen. A dense graph of new relationships costs at most these per search.
- ``parties``: ``pair_last``, ``transfers_seen`` (with ``largest_cny``), ``payers_of``,
  ``out_edges`` and ``in_edges`` each hold at most that many parties; beyond it the least
  recently active are forgotten down to nine tenths of the cap (a sort every cap/10 new
  parties: O(log n) a row, amortised; one hit per party forgotten). From the first such
  forgetting on, alerts of the typologies that read the table say so (``PARTY_EFFECTS``):
  a forgotten relationship counts as new again, a forgotten account as quiet, a forgotten
  payee as no hub, a forgotten account's transfers are not searched. ``customer_of`` and
  ``hub_accounts`` are not capped: they hold the institution's own accounts (not
  counterparties), and forgetting one would make its customer's own transfers look like
  transfers across customers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import Evidence, Windows, forget_least_active, low_water, party_note, prune, window_note

# an account declared as one of these is a hub as a payee from its first row: paying it is
# buying, saving or investing, however few payers the monitor has seen pay it yet
HUB_SEGMENTS = frozenset({"merchant", "business", "broker", "escrow"})


@dataclass(slots=True)
class Edge:
    epoch: int
    other: str
    amount: Decimal
    tx_ids: list[str]
    quiet: tuple[str, ...] = ()  # its accounts that were quiet when it was made


# account -> (the account it was reached from, the transfer between them, distance)
Parents = dict[str, tuple[str, Edge, int] | None]
Notes = tuple[str, ...]  # why a result may be incomplete (Evidence.limits)

# party-keyed table -> what forgetting its least recently active parties early may change
PARTY_EFFECTS: dict[str, str] = {
    "pair_last": "a relationship forgotten counts as new again",
    "transfers_seen": "an account forgotten counts as quiet again",
    "payers_of": "a payee forgotten counts as no hub again",
    "out_edges": "new relationships of accounts forgotten are not searched",
    "in_edges": "new relationships of accounts forgotten are not searched",
}
# the tables each typology reads (its alerts carry their notes)
GRAPH_TABLES = ("pair_last", "transfers_seen", "out_edges", "in_edges")
HUB_TABLES = ("payers_of",)
# what a search stopped by a cap says
STOPPED: dict[str, str] = {
    "graph_visited": "a graph search from {start} stopped after reaching {cap:,} accounts",
    "graph_edges_scanned": "a graph search from {start} stopped after examining {cap:,} transfers",
}


def path(parents: Parents, node: str, forward: bool) -> list[Edge]:
    """The transfers between a search's start and ``node``, in the direction money moved."""
    found: list[Edge] = []
    while (link := parents[node]) is not None:
        node, edge, _ = link
        found.append(edge)
    if forward:
        found.reverse()
    return found


def farthest(parents: Parents, depth: int) -> str:
    """The first account reached at the greatest distance up to ``depth``."""
    far, level = next(iter(parents)), 0
    for node, link in parents.items():
        if link is not None and level < link[2] <= depth:
            far, level = node, link[2]
    return far


def ev_edges(
    edges: tuple[Any, ...], start: int, end: int, account: str, accounts: list[str], notes: Notes = ()
) -> Evidence:
    """Evidence from transfers, read when the alert is made: by then the day is complete and
    each transfer lists both of its ledger legs."""
    flat: list[Any] = []
    for item in edges:
        flat.extend(item if isinstance(item, tuple) else (item,))
    ids = [i for edge in flat for i in edge.tx_ids]
    return Evidence(ids, start, end, account, accounts, limits=notes)


@dataclass
class Graph:
    """New relationships between accounts, the parties' transfer counts and the hubs."""

    out_edges: dict[str, deque[Edge]] = field(default_factory=dict)
    in_edges: dict[str, deque[tuple[int, str, Edge]]] = field(default_factory=dict)  # time, payer
    # (payer, payee) -> time and amount of the last transfer, and its edge if it was new
    pair_last: dict[tuple[str, str], tuple[int, Decimal, Edge | None]] = field(default_factory=dict)
    customer_of: dict[str, str] = field(default_factory=dict)
    # account -> [transfers it took part in (as remembered), time of the last one]
    transfers_seen: dict[str, list[int]] = field(default_factory=dict)
    # payee -> [time of its last receipt, its distinct payers (a set capped at
    # monitor.fan.hub_min_payers), or None once it is a hub]
    payers_of: dict[str, list[Any]] = field(default_factory=dict)
    # own accounts declared as a segment of HUB_SEGMENTS: payments to them stay out of the
    # transfer graph (kept for good, like customer_of: they grow with the accounts)
    hub_accounts: set[str] = field(default_factory=set)
    # account -> the largest transfer (CNY) it took part in, forgotten with transfers_seen
    largest_cny: dict[str, int] = field(default_factory=dict)
    history_start: int = -1  # time of the first transaction observed
    # account -> time of the newest edge its window dropped (Limits.window_rows), each way
    out_lost: dict[str, int] = field(default_factory=dict)
    in_lost: dict[str, int] = field(default_factory=dict)
    # party-keyed table -> parties forgotten early (Limits.parties)
    forgot: dict[str, int] = field(default_factory=dict)
    # payees whose hub mark changed since fan last looked (fan keeps counts per payee)
    hub_changes: list[str] = field(default_factory=list)

    def see(self, tx: Tx) -> None:
        """Note the account of every row: its customer, and whether it is a declared hub."""
        if self.history_start < 0:
            self.history_start = tx.epoch
        self.customer_of[tx.account_id] = tx.customer_id
        if tx.customer_segment in HUB_SEGMENTS:
            account = tx.account_id
            seen = self.payers_of.get(account)
            if seen is None or seen[1] is not None:
                self.hub_changes.append(account)
            self.payers_of[account] = [tx.epoch, None]
            self.hub_accounts.add(account)

    def ends(self, tx: Tx) -> tuple[str, str] | None:
        """(payer, payee) of a transfer that may enter the graph; None for cash, transfers
        between one account and itself, and payments to a declared hub (buying, saving,
        investing: not passing money on)."""
        if tx.channel == "cash" or tx.counterparty_id == tx.account_id:
            return None
        cp: str = tx.counterparty_id  # type: ignore[assignment]
        src, dst = (tx.account_id, cp) if tx.direction == "out" else (cp, tx.account_id)
        if dst in self.hub_accounts:
            return None
        return src, dst

    def add_edge(
        self, src: str, dst: str, tx: Tx, w: Windows, limits: Limits, caps: CapHits
    ) -> tuple[Edge | None, bool]:
        """The transfer as a graph edge if it opens a new relationship (no transfer src -> dst
        in the lookback before it: only those enter the graph), else None; and whether ``tx``
        is the other ledger leg of a transfer already seen (it joins that edge, and the
        searches made for the first leg stand)."""
        key = (src, dst)
        last = self.pair_last.get(key)
        if last is not None and last[0] == tx.epoch and last[1] == tx.amount:
            if last[2] is not None:
                last[2].tx_ids.append(tx.tx_id)
            return last[2], True
        cny = int(tx.amount_cny)
        unusual = self._unusual(src, cny, w), self._unusual(dst, cny, w)
        made_src, made_dst = self._count_transfer(src, tx.epoch), self._count_transfer(dst, tx.epoch)
        if last is not None and last[0] >= tx.epoch - w.new_pair:  # a regular relationship
            self.pair_last[key] = (tx.epoch, tx.amount, None)
            if not (made_src and made_dst) and len(self.transfers_seen) > limits.parties:
                self.bound_parties(limits, caps)  # a party new (or forgotten) took part
            return None, False
        quiet: tuple[str, ...] = ()
        if tx.epoch >= self.history_start + w.history:
            quiet = tuple(
                a
                for a, made, odd in ((src, made_src, unusual[0]), (dst, made_dst, unusual[1]))
                if made < w.quiet_below or odd
            )
        edge = Edge(tx.epoch, dst, tx.amount, [tx.tx_id], quiet)
        self.pair_last[key] = (tx.epoch, tx.amount, edge)
        cap = limits.window_rows
        outs = self.out_edges.get(src)
        if outs is None:
            outs = self.out_edges[src] = deque()
        outs.append(edge)
        if len(outs) > cap:
            self.out_lost[src] = outs.popleft().epoch
            caps.hit("window_rows", src)
        ins = self.in_edges.get(dst)
        if ins is None:
            ins = self.in_edges[dst] = deque()
        ins.append((tx.epoch, src, edge))
        if len(ins) > cap:
            self.in_lost[dst] = ins.popleft()[0]
            caps.hit("window_rows", dst)
        most = limits.parties
        if max(len(self.pair_last), len(self.transfers_seen), len(self.out_edges), len(self.in_edges)) > most:
            self.bound_parties(limits, caps)
        return edge, False

    def _unusual(self, account: str, cny: int, w: Windows) -> bool:
        """Whether ``cny`` is out of the account's pattern: at least
        ``monitor.quiet_account.unusual_min_cny`` and ``unusual_factor`` times the largest
        transfer it took part in before (then remembers this one). A busy account that
        suddenly passes on a sum of another order acts like a quiet (mule) account."""
        largest = self.largest_cny.get(account, 0)
        if cny > largest:
            self.largest_cny[account] = cny
        return cny >= w.unusual_min and largest > 0 and cny >= largest * w.unusual_factor

    def _count_transfer(self, account: str, epoch: int) -> int:
        """Transfers ``account`` took part in before this one (then counts this one)."""
        seen = self.transfers_seen.get(account)
        if seen is None:
            self.transfers_seen[account] = [1, epoch]
            return 0
        made = seen[0]
        seen[0], seen[1] = made + 1, epoch
        return made

    def paid(self, payer: str, payee: str, epoch: int, hub_min: int, limits: Limits, caps: CapHits) -> None:
        """Note that ``payer`` paid ``payee``: the payee's distinct payers, a set capped at
        ``hub_min``; on reaching it only the mark "hub" (None) is kept."""
        seen = self.payers_of.get(payee)
        if seen is None:
            seen = self.payers_of[payee] = [epoch, set()]
            if len(self.payers_of) > limits.parties:
                self.bound_parties(limits, caps)
        seen[0] = epoch
        payers = seen[1]
        if payers is not None:
            payers.add(payer)
            if len(payers) >= hub_min:
                seen[1] = None
                self.hub_changes.append(payee)

    def bound_parties(self, limits: Limits, caps: CapHits) -> None:
        """Forget the least recently active parties of each table over ``limits.parties``."""
        cap = limits.parties
        keep = low_water(cap)
        tables: tuple[tuple[str, dict[Any, Any], Any], ...] = (
            ("pair_last", self.pair_last, _first),
            ("transfers_seen", self.transfers_seen, _second),
            ("payers_of", self.payers_of, _first),
            ("out_edges", self.out_edges, _last_edge),
            ("in_edges", self.in_edges, _last_in),
        )
        for name, table, last in tables:
            if len(table) <= cap:
                continue
            gone = forget_least_active(table, last, keep)
            self.forgot[name] = self.forgot.get(name, 0) + len(gone)
            caps.hit("parties", name, len(gone))
            if name == "transfers_seen":
                for key, _ in gone:
                    self.largest_cny.pop(key, None)
            elif name == "payers_of":
                self.hub_changes.extend(key for key, seen in gone if seen[1] is None)

    def party_notes(self, tables: tuple[str, ...], limits: Limits) -> Notes:
        """The notes of the tables in ``tables`` that forgot parties early (usually none)."""
        if not self.forgot:
            return ()
        return tuple(
            party_note(name, limits.parties, PARTY_EFFECTS[name]) for name in tables if name in self.forgot
        )

    def bfs(
        self, start: str, cutoff: int, depth: int, forward: bool, limits: Limits, caps: CapHits
    ) -> tuple[Parents, Notes]:
        """Breadth-first from ``start`` along new relationships made since ``cutoff`` (to
        payees if ``forward``, else from payers), up to ``depth`` transfers: each account
        reached with the account and transfer it was reached from and its distance, in the
        order reached; and why it may be incomplete (a cap hit; usually nothing)."""
        parents: Parents = {start: None}
        frontier = [start]
        adjacency: dict[str, Any] = self.out_edges if forward else self.in_edges
        lost = self.out_lost if forward else self.in_lost
        visit, budget = limits.graph_visited, limits.graph_edges_scanned
        notes: list[str] = []
        stopped = ""
        for level in range(1, depth + 1):
            nxt: list[str] = []
            for node in frontier:
                edges = adjacency.get(node)
                if not edges:
                    continue
                if lost and lost.get(node, -1) >= cutoff:
                    notes.append(window_note("new-relationship", node, limits.window_rows))
                n = len(edges)
                if n > budget:  # examine the newest it may, then stop
                    edges = islice(edges, n - budget, None)
                    stopped = "graph_edges_scanned"
                budget -= n
                # two loops, not one with a test: this is the hot path
                if forward:
                    for edge in edges:
                        other = edge.other
                        if edge.epoch >= cutoff and other not in parents:
                            parents[other] = (node, edge, level)
                            nxt.append(other)
                else:
                    for epoch, other, edge in edges:
                        if epoch >= cutoff and other not in parents:
                            parents[other] = (node, edge, level)
                            nxt.append(other)
                if len(parents) > visit:
                    stopped = stopped or "graph_visited"
                if stopped:
                    break
            if stopped or not nxt:
                break
            frontier = nxt
        if stopped:
            caps.hit(stopped, start)
            cap = visit if stopped == "graph_visited" else limits.graph_edges_scanned
            notes.append(STOPPED[stopped].format(start=start, cap=cap))
        return parents, tuple(dict.fromkeys(notes))

    def across_customers(self, accounts: Iterable[str]) -> bool:
        """Whether money moved across customers, not between one customer's own accounts
        (an account never seen as our own counts as a customer of its own)."""
        return len({self.customer_of.get(a, f"?{a}") for a in accounts}) > 1

    def sweep(self, now: int, w: Windows) -> None:
        """Drop edges older than the longest search window and parties not seen for
        ``monitor.history.party_memory_days``."""
        graph = now - w.graph
        for key in list(self.out_edges):
            q = self.out_edges[key]
            while q and q[0].epoch < graph:
                q.popleft()
            if not q:
                del self.out_edges[key]
        for key in list(self.in_edges):
            prune(self.in_edges[key], graph)
            if not self.in_edges[key]:
                del self.in_edges[key]
        for lost in (self.out_lost, self.in_lost):  # drops that no search window reaches
            for key in [k for k, t in lost.items() if t < graph]:
                del lost[key]
        pairs = now - w.new_pair
        self.pair_last = {k: v for k, v in self.pair_last.items() if v[0] >= pairs}
        forget = now - w.memory  # parties not seen for this long start afresh
        self.transfers_seen = {k: v for k, v in self.transfers_seen.items() if v[1] >= forget}
        self.largest_cny = {k: v for k, v in self.largest_cny.items() if k in self.transfers_seen}
        self.hub_changes.extend(k for k, v in self.payers_of.items() if v[0] < forget and v[1] is None)
        self.payers_of = {k: v for k, v in self.payers_of.items() if v[0] >= forget}


def _first(value: Any) -> int:
    return int(value[0])


def _second(value: Any) -> int:
    return int(value[1])


def _last_edge(edges: deque[Edge]) -> int:
    return edges[-1].epoch if edges else -1


def _last_in(edges: deque[tuple[int, str, Edge]]) -> int:
    return edges[-1][0] if edges else -1
