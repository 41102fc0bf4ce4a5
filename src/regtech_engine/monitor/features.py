"""The feature layer: windowed aggregates over the transaction stream, in plain Python.

durable_rules has no sums, no time windows over data timestamps and no way to expire
partial matches, so the aggregates live here and the rules (evaluated by durable_rules)
compare them with parameters. Each aggregate keeps only what its window needs:

- large-value day totals: per (customer, direction, category, currency basis) for the open
  business day only; handed over and dropped when the day closes;
- structuring: near-threshold cash rows per (customer, direction) within its window;
- rapid in-and-out: money in and out per account within its window (hours);
- fan-in: payments into an account from first-time payers (accounts whose first payment
  the monitor sees is this one) within ``monitor.fan_in.new_payer_window_days`` and within
  a short burst window;
- fan-out: distinct payees of an account within ``monitor.fan.window_days``, and how many
  of them are not *hubs*: a hub is a payee that ``monitor.fan.hub_min_payers`` distinct
  payers have paid (merchants, utilities, platforms). Paying many hubs is ordinary
  spending; paying many accounts that nobody else pays is distribution. Judging the
  payees, not whether the relationship is new, also finds a hub that pays the same members
  month after month;
- hubs: per payee the distinct payers seen, a set capped at ``monitor.fan.hub_min_payers``
  (once it is reached only the mark "hub" is kept), forgotten with the party; an account
  that declares a segment of ``HUB_SEGMENTS`` (merchant, business, broker, escrow) is a hub
  from its first row, and payments to it stay out of the transfer graph (money paid to a
  shop, a broker or an escrow account is spent, invested or deposited, not passed on: no
  cycle, layering chain or scatter-gather runs through it, and it does not make the payer
  less quiet);
- the peer group of the customer (``PEER_GROUPS``): its declared segment, else its
  customer type. Rules hold each peer group to its own threshold: merchants, brokers and
  escrow accounts pay and receive many counterparties by design;
- cycles, layering chains and scatter-gather: the transfer graph of the longest of their
  windows (edges expire), searched breadth-first from each new transfer (each search
  skips edges older than its own window), with a cap on nodes visited.
  Only transfers that open a new relationship enter the graph (regular payments that
  happen to form a loop, or to fan out and converge again, are ordinary business; the last
  transfer per pair is kept for that lookback, and it also keeps the searches to the few
  transfers that can matter: ~6% of generated traffic), and each edge records which of its
  two accounts were quiet (fewer than ``monitor.quiet_account.below_transfers`` transfers so
  far) or out of pattern (the transfer is at least ``monitor.quiet_account.unusual_min_cny``
  and ``unusual_factor`` times the largest it took part in before: a recruited account with
  a life of its own that suddenly passes on sums of another order) when it was made;
- per party: the time of its first and last payment and its number of transfers, forgotten
  after ``monitor.history.party_memory_days`` without activity (so external counterparties
  do not accumulate for ever); per own account: the last activity date (dormancy must
  remember years) and its customer (for "across customers"). These grow with the number of
  the institution's accounts, not with the stream.

"First-time" over the long window and "quiet" need history: at the start of a stream every
party looks new, so neither is judged before the monitor has watched for
``monitor.history.min_days``; bursts are judged from the start (many new parties at once
stand out anyway).

A feature whose parameters have no value in force on the business date is not computed
(its fields are 0). Windows are pruned as transactions arrive and idle accounts are swept
weekly, so memory is bounded by the active windows. Processing order is the caller's job:
it must feed transactions in time order (the engine sorts each business day).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from .records import Tx
from .screening import Lists

DAY = 86_400
MAX_VISITED = 4_000  # nodes a cycle search may expand; bounds the cost on dense hubs

TotalKey = tuple[str, str, str, str]  # customer, direction, category, basis
HOUR = 3_600
# _Windows field -> (parameter, seconds per unit; 1 for counts): every window the layer reads
_WINDOW_TABLE: dict[str, tuple[str, int]] = {
    "rapid": ("monitor.rapid.window_hours", HOUR),
    "fan": ("monitor.fan.window_days", DAY),
    "cycle": ("monitor.cycle.window_days", DAY),
    "max_hops": ("monitor.cycle.max_hops", 1),
    "chain": ("monitor.layering.window_days", DAY),
    "chain_hops": ("monitor.layering.max_hops", 1),
    "new_pair": ("monitor.relationship.new_after_days", DAY),
    "gather": ("monitor.scatter_gather.window_days", DAY),
    "new_payer": ("monitor.fan_in.new_payer_window_days", DAY),
    "history": ("monitor.history.min_days", DAY),
    "quiet_below": ("monitor.quiet_account.below_transfers", 1),
    "burst_in": ("monitor.fan_in.burst_hours", HOUR),
    "hub_min": ("monitor.fan.hub_min_payers", 1),
    "unusual_factor": ("monitor.quiet_account.unusual_factor", 1),
    "unusual_min": ("monitor.quiet_account.unusual_min_cny", 1),
    "memory": ("monitor.history.party_memory_days", DAY),
}
WINDOW_PARAMS = tuple(name for name, _ in _WINDOW_TABLE.values())
# declared customer_segment -> the peer group whose thresholds a customer is held to; a row
# that declares none is judged by its customer type (_PEER_BY_TYPE)
PEER_GROUPS: dict[str, str] = {
    "retail": "individual", "merchant": "business", "business": "business",
    "broker": "intermediary", "escrow": "intermediary"}
_PEER_BY_TYPE: dict[str, str] = {"individual": "individual", "entity": "business"}
# an account declared as one of these is a hub as a payee from its first row: paying it is
# buying, saving or investing, however few payers the monitor has seen pay it yet
HUB_SEGMENTS = frozenset({"merchant", "business", "broker", "escrow"})
STRUCTURING_PARAMS = ("monitor.structuring.band_floor_cny",
                      "monitor.structuring.band_ceiling_cny", "monitor.structuring.window_days")


@dataclass
class Evidence:
    """What made a feature: the transactions, the window, the account at the centre."""

    tx_ids: list[str]
    start: int
    end: int
    account_id: str | None = None
    accounts: list[str] | None = None
    score: int | None = None
    details: dict[str, Any] | None = None


EvidenceFn = Callable[[], Evidence]  # built only when a rule fires: most rows never need it


def _ev_rows(rows: tuple[tuple[Any, ...], ...], id_at: int, start: int, end: int,
             account: str | None = None, cp_at: int | None = None) -> Evidence:
    accounts = sorted({r[cp_at] for r in rows}) if cp_at is not None else None
    return Evidence([r[id_at] for r in rows], start, end, account, accounts)


def _ev_edges(edges: tuple[Any, ...], start: int, end: int, account: str,
              accounts: list[str]) -> Evidence:
    """Evidence from transfers, read when the alert is made: by then the day is complete and
    each transfer lists both of its ledger legs."""
    flat: list[Any] = []
    for item in edges:
        flat.extend(item if isinstance(item, tuple) else (item,))
    ids = [i for edge in flat for i in edge.tx_ids]
    return Evidence(ids, start, end, account, accounts)


def _ev_gather(source: str, relays: dict[str, tuple[int, tuple[Any, Any]]], end: int,
               dst: str) -> Evidence:
    start = min(ts for ts, _ in relays.values())
    return _ev_edges(tuple(edges for _, (_, edges) in sorted(relays.items())), start, end, dst,
                     [source, *sorted(relays), dst])


def _ev_dormant(tx_id: str, epoch: int, account: str, last: int) -> Evidence:
    """Built only on a firing: most rows follow activity of the day before."""
    return Evidence([tx_id], epoch, epoch, account,
                    details={"previous_activity": dt.date.fromordinal(last).isoformat()})


@dataclass(slots=True)
class DayTotal:
    customer_type: str
    total: Decimal = Decimal(0)
    tx_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Edge:
    epoch: int
    other: str
    amount: Decimal
    tx_ids: list[str]
    quiet: tuple[str, ...] = ()  # its accounts that were quiet when it was made


def _prune(q: deque[Any], cutoff: int) -> None:
    while q and q[0][0] < cutoff:
        q.popleft()


def _prune_edges(q: deque[_Edge], cutoff: int) -> None:
    while q and q[0].epoch < cutoff:
        q.popleft()


# account -> (the account it was reached from, the transfer between them, distance)
_Parents = dict[str, tuple[str, _Edge, int] | None]


def _path(parents: _Parents, node: str, forward: bool) -> list[_Edge]:
    """The transfers between a search's start and ``node``, in the direction money moved."""
    path: list[_Edge] = []
    while (link := parents[node]) is not None:
        node, edge, _ = link
        path.append(edge)
    if forward:
        path.reverse()
    return path


def _farthest(parents: _Parents, depth: int) -> str:
    """The first account reached at the greatest distance up to ``depth``."""
    far, level = next(iter(parents)), 0
    for node, link in parents.items():
        if link is not None and level < link[2] <= depth:
            far, level = node, link[2]
    return far


class _Flow:
    """Money in (or out) of one account in a window: (time, tx_id, CNY) rows and their sum."""

    __slots__ = ("rows", "total")

    def __init__(self) -> None:
        self.rows: deque[tuple[int, str, int]] = deque()
        self.total = 0

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> tuple[deque[tuple[int, str, int]], int]:
        return self.rows, self.total

    def __setstate__(self, state: tuple[deque[tuple[int, str, int]], int]) -> None:
        self.rows, self.total = state

    def add(self, epoch: int, tx_id: str, cny: int) -> None:
        self.rows.append((epoch, tx_id, cny))
        self.total += cny

    def prune(self, cutoff: int) -> None:
        rows = self.rows
        while rows and rows[0][0] < cutoff:
            self.total -= rows.popleft()[2]


@dataclass(frozen=True, slots=True)
class _Windows:
    """Window lengths in seconds (and counts) for one parameter set; read on every row."""

    complete: bool  # every window parameter has a value in force
    structuring: tuple[int, int, int] | None  # band floor, ceiling (CNY), window (s)
    rapid: int = 0
    fan: int = 0
    cycle: int = 0
    max_hops: int = 0
    chain: int = 0
    chain_hops: int = 0
    new_pair: int = 0
    gather: int = 0
    new_payer: int = 0
    history: int = 0
    quiet_below: int = 0
    burst_in: int = 0
    hub_min: int = 0
    unusual_factor: int = 0
    unusual_min: int = 0
    memory: int = 0

    @property
    def graph(self) -> int:
        """How long an edge stays in the transfer graph: the longest search window."""
        return max(self.cycle, self.gather, self.chain)

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> _Windows:
        band = None
        if all(name in p for name in STRUCTURING_PARAMS):
            floor, ceiling, days = (p[name] for name in STRUCTURING_PARAMS)
            band = (floor, ceiling, days * DAY)
        if not all(name in p for name in WINDOW_PARAMS):
            return cls(False, band)
        return cls(True, band, **{f: p[name] * unit for f, (name, unit) in _WINDOW_TABLE.items()})


@dataclass
class Features:
    """All windowed state; picklable, so a checkpoint is this object."""

    lists: Lists | None = None
    totals: dict[TotalKey, DayTotal] = field(default_factory=dict)
    structuring: dict[tuple[str, str], deque[tuple[int, str, int]]] = field(default_factory=dict)
    rapid_in: dict[str, _Flow] = field(default_factory=dict)
    rapid_out: dict[str, _Flow] = field(default_factory=dict)
    fan_in: dict[str, deque[tuple[int, str, str]]] = field(default_factory=dict)
    fan_out: dict[str, deque[tuple[int, str, str]]] = field(default_factory=dict)
    out_edges: dict[str, deque[_Edge]] = field(default_factory=dict)
    in_edges: dict[str, deque[tuple[int, str, _Edge]]] = field(default_factory=dict)  # time, payer
    # (payer, payee) -> time and amount of the last transfer, and its edge if it was new
    pair_last: dict[tuple[str, str], tuple[int, Decimal, _Edge | None]] = field(
        default_factory=dict)
    gather: dict[tuple[str, str], dict[str, tuple[int, tuple[_Edge, _Edge]]]] = field(
        default_factory=dict)
    last_day: dict[str, int] = field(default_factory=dict)
    customer_of: dict[str, str] = field(default_factory=dict)
    # payer -> [time of its first payment remembered, time of its last payment]
    first_paid: dict[str, list[int]] = field(default_factory=dict)
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
    _window_cache: tuple[Mapping[str, Any], _Windows] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["lists"] = None  # data from the rule pack, reattached on resume
        state["_window_cache"] = None
        return state

    # ------------------------------------------------------------------------------------
    def observe(self, tx: Tx,
                p: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, EvidenceFn]]:
        """Update the windows with ``tx``; its feature document (features at zero left out)
        and the evidence behind it."""
        w = self._windows(p)
        if self.history_start < 0:
            self.history_start = tx.epoch
        ev: dict[str, EvidenceFn] = {}
        self.customer_of[tx.account_id] = tx.customer_id
        if tx.customer_segment in HUB_SEGMENTS:
            self.payers_of[tx.account_id] = [tx.epoch, None]
            self.hub_accounts.add(tx.account_id)
        self._total(tx)
        cny = int(tx.amount_cny)
        doc: dict[str, Any] = {
            "direction": tx.direction,
            "channel": tx.channel,
            "customer_type": tx.customer_type,
            "category": tx.category,
            "cross_border": tx.cross_border,
            "amount_cny": cny,
            "peer_group": PEER_GROUPS.get(tx.customer_segment or "")
            or _PEER_BY_TYPE[tx.customer_type],
        }  # features are added where they are not zero (rules.zero_sensitive says why)
        if w.structuring is not None and tx.channel == "cash":
            self._structuring(tx, cny, w.structuring, doc, ev)
        if w.complete:
            self._rapid(tx, cny, w, doc, ev)
            if tx.counterparty_id:
                self._graph(tx, w, doc, ev)
                self._fan(tx, w, doc, ev)
        dormant = self._dormant(tx, ev)
        if dormant:
            doc["dormant_days"] = dormant
        if tx.counterparty_country is not None and self._high_risk(tx, ev):
            doc["counterparty_high_risk"] = True
        score = self._sanctions(tx, ev)
        if score:
            doc["sanctions_score"] = score
        return doc, ev

    def _windows(self, p: Mapping[str, Any]) -> _Windows:
        """The window parameters of ``p`` as plain numbers (computed once per parameter set)."""
        cached = self._window_cache
        if cached is not None and cached[0] is p:
            return cached[1]
        w = _Windows.of(p)
        self._window_cache = (p, w)
        return w

    def _total(self, tx: Tx) -> None:
        key = (tx.customer_id, tx.direction, tx.category, tx.basis)
        total = self.totals.get(key)
        if total is None:  # most customers make one transaction a day
            self.totals[key] = DayTotal(tx.customer_type, tx.basis_amount, [tx.tx_id])
        else:
            total.total += tx.basis_amount
            total.tx_ids.append(tx.tx_id)

    def take_totals(self) -> dict[TotalKey, DayTotal]:
        """The closed day's totals; the next day starts from nothing."""
        out, self.totals = self.totals, {}
        return out

    def _structuring(self, tx: Tx, cny: int, band: tuple[int, int, int], doc: dict[str, Any],
                     ev: dict[str, EvidenceFn]) -> None:
        floor, ceiling, window = band
        if not floor <= cny < ceiling:
            return
        key = (tx.customer_id, tx.direction)
        q = self.structuring.get(key)
        if q is None:
            q = self.structuring[key] = deque()
        q.append((tx.epoch, tx.tx_id, cny))
        _prune(q, tx.epoch - window)
        ev["structuring"] = partial(_ev_rows, tuple(q), 1, q[0][0], tx.epoch)
        doc["structuring_count"] = len(q)
        doc["structuring_total_cny"] = sum(t[2] for t in q)

    def _rapid(self, tx: Tx, cny: int, w: _Windows, doc: dict[str, Any],
               ev: dict[str, EvidenceFn]) -> None:
        cutoff = tx.epoch - w.rapid
        account = tx.account_id
        if tx.direction == "in":
            flow = self.rapid_in.get(account)
            if flow is None:
                flow = self.rapid_in[account] = _Flow()
            flow.add(tx.epoch, tx.tx_id, cny)
            flow.prune(cutoff)
            return
        ins = self.rapid_in.get(account)
        if ins is not None:
            ins.prune(cutoff)
        outs = self.rapid_out.get(account)
        if outs is None:
            outs = self.rapid_out[account] = _Flow()
        outs.add(tx.epoch, tx.tx_id, cny)
        # Payments before the earliest receipt still in the window never count again (that
        # receipt only moves later), so the outflow keeps only what the sum needs.
        if not ins:
            outs.prune(tx.epoch)  # kept: a receipt in this same second is also "before" it
            return
        first = ins.rows[0][0]
        outs.prune(first)
        received = ins.total
        ev["rapid_in_out"] = partial(_ev_rows, (*ins.rows, *outs.rows), 1, first, tx.epoch,
                                     account)
        doc["rapid_in_cny"] = received
        doc["rapid_out_pct"] = outs.total * 100 // received

    def _fan(self, tx: Tx, w: _Windows, doc: dict[str, Any],
             ev: dict[str, EvidenceFn]) -> None:
        """Fan-in counts first-time payers, over a long window (sustained) and a short one (a
        burst, which needs no history: many new parties at once stand out even on the first
        day of a stream); fan-out counts the distinct payees in the window, and those of them
        that are not hubs."""
        inbound = tx.direction == "in"
        cp: str = tx.counterparty_id  # type: ignore[assignment]
        payer, payee = (cp, tx.account_id) if inbound else (tx.account_id, cp)
        self._paid(payer, payee, tx.epoch, w.hub_min)
        paid = self.first_paid.get(payer)
        if paid is None:
            paid = self.first_paid[payer] = [tx.epoch, tx.epoch]
        else:
            paid[1] = tx.epoch
        if not inbound:
            self._fan_out(tx, cp, w, doc, ev)
            return
        if paid[0] != tx.epoch:  # both legs of the first payment have the same time
            return
        q = self.fan_in.get(tx.account_id)
        if q is None:
            q = self.fan_in[tx.account_id] = deque()
        q.append((tx.epoch, cp, tx.tx_id))
        _prune(q, tx.epoch - max(w.new_payer, w.burst_in))
        recent = tx.epoch - w.burst_in
        # first-time payers count towards the sustained pattern only after the history
        judged = self.history_start + w.history
        sustained = max(judged, tx.epoch - w.new_payer) if tx.epoch >= judged else recent
        rows = tuple(r for r in q if r[0] >= min(recent, sustained))  # q is in time order
        doc["fan_in_burst_payers"] = len({r[1] for r in rows if r[0] >= recent})
        if tx.epoch >= judged:
            doc["fan_in_new_payers"] = len({r[1] for r in rows if r[0] >= sustained})
        ev["fan_in"] = partial(_ev_rows, rows, 2, rows[0][0], tx.epoch, tx.account_id, 1)

    def _paid(self, payer: str, payee: str, epoch: int, hub_min: int) -> None:
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

    def _fan_out(self, tx: Tx, payee: str, w: _Windows, doc: dict[str, Any],
                 ev: dict[str, EvidenceFn]) -> None:
        """Distinct payees in the window, and how many of them are not hubs (a payee that
        became one since it was paid no longer counts as such)."""
        q = self.fan_out.get(tx.account_id)
        if q is None:
            q = self.fan_out[tx.account_id] = deque()
        q.append((tx.epoch, payee, tx.tx_id))
        _prune(q, tx.epoch - w.fan)
        payees = {r[1] for r in q}
        doc["fan_out_payees"] = len(payees)
        payers_of = self.payers_of
        doc["fan_out_non_hub_payees"] = sum(1 for a in payees if (seen := payers_of.get(a))
                                            is None or seen[1] is not None)
        rows = tuple(q)
        ev["fan_out"] = partial(_ev_rows, rows, 2, rows[0][0], tx.epoch, tx.account_id, 1)

    # -- the transfer graph ---------------------------------------------------------------
    def _add_edge(self, src: str, dst: str, tx: Tx, w: _Windows) -> tuple[_Edge | None, bool]:
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
            quiet = tuple(a for a, made, odd in ((src, made_src, unusual[0]),
                                                 (dst, made_dst, unusual[1]))
                          if made < w.quiet_below or odd)
        edge = _Edge(tx.epoch, dst, tx.amount, [tx.tx_id], quiet)
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

    def _unusual(self, account: str, cny: int, w: _Windows) -> bool:
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

    def _graph(self, tx: Tx, w: _Windows, doc: dict[str, Any],
               ev: dict[str, EvidenceFn]) -> bool | None:
        """Add the transfer to the graph and search it; whether it opens a new relationship
        (None for cash and transfers between one account and itself)."""
        if tx.channel == "cash" or tx.counterparty_id == tx.account_id:
            return None
        cp: str = tx.counterparty_id  # type: ignore[assignment]
        src, dst = (tx.account_id, cp) if tx.direction == "out" else (cp, tx.account_id)
        if dst in self.hub_accounts:  # buying, saving, investing: not passing money on
            return None
        closing, joined = self._add_edge(src, dst, tx, w)
        if closing is None or joined:
            return closing is not None
        # Both searches serve the cycle (they meet in the middle: half the depth each, far
        # fewer accounts than one search the whole length) and, on the same window, the
        # layering chain.
        cutoff, half = tx.epoch - w.cycle, w.max_hops // 2
        ahead = self._bfs(dst, cutoff, half, forward=True)
        back = self._bfs(src, cutoff, w.max_hops - 1 - half, forward=False)
        cycle = self._cycle(closing, ahead, back)
        if cycle is not None:
            accounts = [dst] + [e.other for e in cycle[:-1]]  # dst is where money returns
            start = min(e.epoch for e in cycle)
            doc["cycle_hops"] = len(cycle)
            doc["cycle_hours"] = -((start - tx.epoch) // HOUR)  # started this many hours ago
            doc["cycle_quiet_accounts"] = len({a for e in cycle for a in e.quiet})
            ev["cycle"] = partial(_ev_edges, tuple(cycle), start, tx.epoch, dst, accounts)
        best = self._gather(src, dst, closing, tx, w)
        if best is not None:
            source, relays = best
            doc["gather_intermediaries"] = len(relays)
            # a copy now (later rows change the relays); the evidence is built only on a firing
            ev["scatter_gather"] = partial(_ev_gather, source, dict(relays), tx.epoch, dst)
        depth = w.chain_hops - 1
        if w.chain != w.cycle or depth > w.max_hops - 1 - half:
            cutoff = tx.epoch - w.chain
            ahead = self._bfs(dst, cutoff, depth, forward=True)
            back = self._bfs(src, cutoff, depth, forward=False)
        self._layering(src, dst, closing, tx, depth, ahead, back, doc, ev)
        return True

    def _bfs(self, start: str, cutoff: int, depth: int, forward: bool) -> _Parents:
        """Breadth-first from ``start`` along new relationships made since ``cutoff`` (to
        payees if ``forward``, else from payers), up to ``depth`` transfers: each account
        reached with the account and transfer it was reached from and its distance, in the
        order reached."""
        parents: _Parents = {start: None}
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

    def _cycle(self, closing: _Edge, ahead: _Parents, back: _Parents) -> list[_Edge] | None:
        """The shortest way back, dst -> ... -> src, closed by the new src -> dst: through
        the account where the search from dst and the search back from src meet soonest
        (the first such account in the order reached, of equally short ones)."""
        small, large = (ahead, back) if len(ahead) <= len(back) else (back, ahead)
        best: tuple[int, str] | None = None
        for node, link in small.items():
            if node not in large:
                continue
            other = large[node]
            hops = (link[2] if link else 0) + (other[2] if other else 0)
            if best is None or hops < best[0]:
                best = (hops, node)
        if best is None:
            return None
        path = [*_path(ahead, best[1], forward=True), *_path(back, best[1], forward=False)]
        accounts = {closing.other} | {e.other for e in path}
        if not self._across_customers(accounts):  # one customer's own accounts
            return None
        return [*path, closing]

    def _layering(self, src: str, dst: str, new: _Edge, tx: Tx, depth: int,
                  ahead: _Parents, back: _Parents, doc: dict[str, Any],
                  ev: dict[str, EvidenceFn]) -> None:
        """The chain of new relationships through ``src -> dst`` that reaches farthest both
        ways in the window, in any time order (layering legs are arranged, not relayed one
        by one), and the longer of its two sides: the chain there was before this transfer."""
        origin = _farthest(back, depth)
        before = _path(back, origin, forward=False)
        after = _path(ahead, _farthest(ahead, depth), forward=True)
        if not before and not after:
            return
        prior = max(len(before), len(after))
        # one simple chain: if money already went dst -> ... -> src (this transfer closes a
        # loop: a cycle), the chain starts after dst, and it stops before it would loop
        payers = [origin, *(e.other for e in before)]
        if dst in payers:
            cut = payers.index(dst) + 1
            origin, before = payers[cut], before[cut:]
        room = depth - len(before)
        passed = {origin, *(e.other for e in before)}
        after = after[:next((i for i, e in enumerate(after[:room]) if e.other in passed), room)]
        chain = [*before, new, *after]
        accounts = [origin, *(e.other for e in chain)]
        if not self._across_customers(accounts):
            return
        doc["chain_hops"] = len(chain)
        doc["chain_prior_hops"] = prior
        doc["chain_quiet_accounts"] = len({a for e in chain for a in e.quiet})
        start = min(e.epoch for e in chain)
        ev["layering"] = partial(_ev_edges, tuple(chain), start, tx.epoch, origin, accounts)

    def _across_customers(self, accounts: Iterable[str]) -> bool:
        """Whether money moved across customers, not between one customer's own accounts
        (an account never seen as our own counts as a customer of its own)."""
        return len({self.customer_of.get(a, f"?{a}") for a in accounts}) > 1

    def _gather(self, src: str, dst: str, closing: _Edge, tx: Tx,
                w: _Windows) -> tuple[str, dict[str, tuple[int, tuple[_Edge, _Edge]]]] | None:
        """Sources whose money reached ``dst`` through several intermediaries, ``src`` one."""
        ins = self.in_edges.get(src)
        if not ins:
            return None
        cutoff = tx.epoch - w.gather
        _prune(ins, tx.epoch - w.graph)
        gather = self.gather
        best: tuple[str, dict[str, tuple[int, tuple[_Edge, _Edge]]]] | None = None
        for epoch, source, edge in ins:  # all at or before tx: rows come in time order
            if epoch < cutoff or source in (dst, src):
                continue
            relays = gather.get((dst, source))
            if relays is None:
                relays = gather[(dst, source)] = {}
            relays[src] = (epoch, (edge, closing))
            if len(relays) > 1:  # a lone relay is the fresh one; stale ones go at the sweep
                for relay in [r for r, (ts, _) in relays.items() if ts < cutoff]:
                    del relays[relay]
            if best is None or (len(relays), source) > (len(best[1]), best[0]):
                best = (source, relays)  # read at once by _graph, before anything changes
        return best

    # -- per-transaction lookups ----------------------------------------------------------
    def _dormant(self, tx: Tx, ev: dict[str, EvidenceFn]) -> int:
        day = tx.business_date.toordinal()
        last = self.last_day.get(tx.account_id)
        self.last_day[tx.account_id] = day
        if last is None or last >= day:
            return 0
        ev["dormant_reactivation"] = partial(_ev_dormant, tx.tx_id, tx.epoch, tx.account_id, last)
        return day - last

    def _high_risk(self, tx: Tx, ev: dict[str, EvidenceFn]) -> bool:
        if self.lists is None or not self.lists.high_risk(tx.counterparty_country,
                                                          tx.business_date):
            return False
        ev["high_risk_country"] = partial(Evidence, [tx.tx_id], tx.epoch, tx.epoch,
                                          tx.account_id,
                                          details={"country": tx.counterparty_country})
        return True

    def _sanctions(self, tx: Tx, ev: dict[str, EvidenceFn]) -> int:
        if self.lists is None or not tx.counterparty_name:
            return 0
        score, entry = self.lists.screen(tx.counterparty_name)
        if entry is not None:
            ev["sanctions_match"] = partial(
                Evidence, [tx.tx_id], tx.epoch, tx.epoch, tx.account_id, score=score,
                details={"name": tx.counterparty_name, "list_ref": entry.ref,
                         "list_name": entry.name})
        return score

    # -- housekeeping ---------------------------------------------------------------------
    def sweep(self, now: int, p: Mapping[str, Any]) -> None:
        """Drop everything older than its window (called every few day closes)."""
        if not all(name in p for name in WINDOW_PARAMS):
            return
        w = _Windows.of(p)
        graph = now - w.graph
        for flows in (self.rapid_in, self.rapid_out):
            for key in list(flows):
                flows[key].prune(now - w.rapid)
                if not flows[key]:
                    del flows[key]
        tables: tuple[tuple[dict[Any, deque[Any]], int], ...] = (
            (self.structuring, now - (w.structuring[2] if w.structuring else 0)),
            (self.fan_in, now - max(w.new_payer, w.burst_in)), (self.fan_out, now - w.fan))
        for table, cutoff in tables:
            for key in list(table):
                q = table[key]
                _prune(q, cutoff)
                if not q:
                    del table[key]
        for key in list(self.out_edges):
            _prune_edges(self.out_edges[key], graph)
            if not self.out_edges[key]:
                del self.out_edges[key]
        for key in list(self.in_edges):
            _prune(self.in_edges[key], graph)
            if not self.in_edges[key]:
                del self.in_edges[key]
        pairs = now - w.new_pair
        self.pair_last = {k: v for k, v in self.pair_last.items() if v[0] >= pairs}
        forget = now - w.memory  # parties not seen for this long start afresh
        self.first_paid = {k: v for k, v in self.first_paid.items() if v[1] >= forget}
        self.transfers_seen = {k: v for k, v in self.transfers_seen.items() if v[1] >= forget}
        self.largest_cny = {k: v for k, v in self.largest_cny.items() if k in self.transfers_seen}
        self.payers_of = {k: v for k, v in self.payers_of.items() if v[0] >= forget}
        sg = now - w.gather
        for gkey in list(self.gather):
            relays = self.gather[gkey]
            for relay in [r for r, (ts, _) in relays.items() if ts < sg]:
                del relays[relay]
            if not relays:
                del self.gather[gkey]
