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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..records import Tx
from ..windows import Evidence, Windows, prune

MAX_VISITED = 4_000  # nodes a cycle search may expand; bounds the cost on dense hubs
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


def ev_edges(edges: tuple[Any, ...], start: int, end: int, account: str, accounts: list[str]) -> Evidence:
    """Evidence from transfers, read when the alert is made: by then the day is complete and
    each transfer lists both of its ledger legs."""
    flat: list[Any] = []
    for item in edges:
        flat.extend(item if isinstance(item, tuple) else (item,))
    ids = [i for edge in flat for i in edge.tx_ids]
    return Evidence(ids, start, end, account, accounts)


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

    def see(self, tx: Tx) -> None:
        """Note the account of every row: its customer, and whether it is a declared hub."""
        if self.history_start < 0:
            self.history_start = tx.epoch
        self.customer_of[tx.account_id] = tx.customer_id
        if tx.customer_segment in HUB_SEGMENTS:
            self.payers_of[tx.account_id] = [tx.epoch, None]
            self.hub_accounts.add(tx.account_id)

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

    def add_edge(self, src: str, dst: str, tx: Tx, w: Windows) -> tuple[Edge | None, bool]:
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
        outs = self.out_edges.get(src)
        if outs is None:
            outs = self.out_edges[src] = deque()
        outs.append(edge)
        ins = self.in_edges.get(dst)
        if ins is None:
            ins = self.in_edges[dst] = deque()
        ins.append((tx.epoch, src, edge))
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

    def paid(self, payer: str, payee: str, epoch: int, hub_min: int) -> None:
        """Note that ``payer`` paid ``payee``: the payee's distinct payers, a set capped at
        ``hub_min``; on reaching it only the mark "hub" (None) is kept."""
        seen = self.payers_of.get(payee)
        if seen is None:
            seen = self.payers_of[payee] = [epoch, set()]
        seen[0] = epoch
        payers = seen[1]
        if payers is not None:
            payers.add(payer)
            if len(payers) >= hub_min:
                seen[1] = None

    def bfs(self, start: str, cutoff: int, depth: int, forward: bool) -> Parents:
        """Breadth-first from ``start`` along new relationships made since ``cutoff`` (to
        payees if ``forward``, else from payers), up to ``depth`` transfers: each account
        reached with the account and transfer it was reached from and its distance, in the
        order reached."""
        parents: Parents = {start: None}
        frontier = [start]
        out_edges, in_edges = self.out_edges, self.in_edges
        for level in range(1, depth + 1):
            nxt: list[str] = []
            for node in frontier:  # two loops, not one with a test: this is the hot path
                if forward:
                    for edge in out_edges.get(node, ()):
                        other = edge.other
                        if edge.epoch >= cutoff and other not in parents:
                            parents[other] = (node, edge, level)
                            nxt.append(other)
                else:
                    for epoch, other, edge in in_edges.get(node, ()):
                        if epoch >= cutoff and other not in parents:
                            parents[other] = (node, edge, level)
                            nxt.append(other)
            if not nxt or len(parents) > MAX_VISITED:
                break
            frontier = nxt
        return parents

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
        pairs = now - w.new_pair
        self.pair_last = {k: v for k, v in self.pair_last.items() if v[0] >= pairs}
        forget = now - w.memory  # parties not seen for this long start afresh
        self.transfers_seen = {k: v for k, v in self.transfers_seen.items() if v[1] >= forget}
        self.largest_cny = {k: v for k, v in self.largest_cny.items() if k in self.transfers_seen}
        self.payers_of = {k: v for k, v in self.payers_of.items() if v[0] >= forget}
