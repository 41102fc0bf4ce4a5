"""The obvious rules, run by the scorer beside the pack: what the typologies must beat.

A naive rule counts what anyone would count first: distinct counterparties paid (or paying)
within a window, or money coming back to where it started. It knows nothing of history,
segments or new relationships. The scorer (scoring.py) runs these over the same rows as the
pack and scores their alerts the same way, so each typology's figures sit beside those of
the rule it has to be better than. One alert per episode, as the engine does: an account is
not re-alerted while its window still holds rows of its previous alert.

The rows are read with the monitor's own reader (same validation, same business days), a day
at a time in the engine's order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from .ingest import open_text, read_transactions
from .loop import _iso  # the engine's alert times: one definition
from .rates import Rates
from .records import SORT_KEY, Tx

DAY = 86_400


@dataclass(frozen=True)
class NaiveRule:
    """``fan``: at least ``size`` distinct counterparties in ``direction`` within the window;
    ``cycle``: a transfer that brings money back to its sender through at most ``size``
    transfers within the window."""

    typology: str
    shape: Literal["fan", "cycle"]
    direction: Literal["in", "out"]
    size: int
    window_days: int
    text: str


# the "at least 5 distinct counterparties paid within 20 days", for each direction,
# and the same window for money that returns (AMLSim rings have 5 to 10 accounts)
NAIVE_RULES: tuple[NaiveRule, ...] = (
    NaiveRule("fan_in", "fan", "in", 5, 20, ">= 5 distinct payers within 20 days"),
    NaiveRule("fan_out", "fan", "out", 5, 20, ">= 5 distinct payees within 20 days"),
    NaiveRule("cycle", "cycle", "out", 10, 20, "money back to its sender within 20 days"),
)
MAX_VISITED = 2_000  # accounts a cycle search may reach (as features.MAX_VISITED: bounds hubs)


def _alert(
    rule: NaiveRule, tx: Tx, account: str, accounts: list[str], ids: list[str], start: int
) -> dict[str, Any]:
    """An alert shaped as the engine's, so the same scorer reads both."""
    return {
        "kind": "suspicious",
        "rule_id": f"NAIVE-{rule.typology}",
        "typology": rule.typology,
        "customer_id": tx.customer_id,
        "account_id": account,
        "accounts": accounts,
        "business_date": tx.business_date.isoformat(),
        "tx_ids": ids,
        "window_start": _iso(start),
        "window_end": _iso(tx.epoch),
    }


class _Episodes:
    """One alert per (typology, account) episode: the engine's rule, for the naive alerts."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], frozenset[str]] = {}

    def new(self, typology: str, account: str, ids: list[str]) -> bool:
        key = (typology, account)
        previous = self.last.get(key)
        if previous is not None and previous.intersection(ids):
            return False
        self.last[key] = frozenset(ids)
        return True


class _Fan:
    def __init__(self, rule: NaiveRule) -> None:
        self.rule = rule
        self.window = rule.window_days * DAY
        self.rows: dict[str, deque[tuple[int, str, str]]] = {}

    def see(self, tx: Tx, episodes: _Episodes) -> dict[str, Any] | None:
        if tx.direction != self.rule.direction or not tx.counterparty_id or tx.channel == "cash":
            return None
        q = self.rows.get(tx.account_id)
        if q is None:
            q = self.rows[tx.account_id] = deque()
        q.append((tx.epoch, tx.counterparty_id, tx.tx_id))
        cutoff = tx.epoch - self.window
        while q[0][0] < cutoff:
            q.popleft()
        parties = {r[1] for r in q}
        if len(parties) < self.rule.size:
            return None
        ids = [r[2] for r in q]
        if not episodes.new(self.rule.typology, tx.account_id, ids):
            return None
        return _alert(self.rule, tx, tx.account_id, sorted(parties), ids, q[0][0])


class _Cycle:
    """Every transfer (one edge per transfer, whichever of its legs is read first) enters a
    graph of the window; a transfer src -> dst raises an alert when dst's money already
    reaches src within the window."""

    def __init__(self, rule: NaiveRule) -> None:
        self.rule = rule
        self.window = rule.window_days * DAY
        self.outs: dict[str, deque[tuple[int, str, str]]] = {}  # src -> (time, dst, tx_id)
        self.seen: dict[tuple[str, str, int], str] = {}  # transfers of the current second
        self.second = -1

    def see(self, tx: Tx, episodes: _Episodes) -> dict[str, Any] | None:
        cp = tx.counterparty_id
        if not cp or tx.channel == "cash" or cp == tx.account_id:
            return None
        src, dst = (tx.account_id, cp) if tx.direction == "out" else (cp, tx.account_id)
        if tx.epoch != self.second:
            self.seen.clear()
            self.second = tx.epoch
        key = (src, dst, tx.epoch)
        if key in self.seen:  # the other ledger leg of a transfer already in the graph
            return None
        self.seen[key] = tx.tx_id
        cutoff = tx.epoch - self.window
        path = self._path(dst, src, cutoff)
        q = self.outs.get(src)
        if q is None:
            q = self.outs[src] = deque()
        q.append((tx.epoch, dst, tx.tx_id))
        while q[0][0] < cutoff:
            q.popleft()
        if path is None:
            return None
        ids = [i for _, _, i in path] + [tx.tx_id]
        accounts = sorted({dst, *(n for _, n, _ in path)})
        if not episodes.new(self.rule.typology, dst, ids):
            return None
        return _alert(self.rule, tx, dst, accounts, ids, min(e for e, _, _ in path))

    def _path(self, start: str, goal: str, cutoff: int) -> list[tuple[int, str, str]] | None:
        """The transfers of the shortest way from ``start`` to ``goal`` in the window."""
        parents: dict[str, tuple[str, tuple[int, str, str]] | None] = {start: None}
        frontier = [start]
        for _ in range(self.rule.size - 1):
            nxt: list[str] = []
            for node in frontier:
                for edge in self.outs.get(node, ()):
                    other = edge[1]
                    if edge[0] >= cutoff and other not in parents:
                        parents[other] = (node, edge)
                        if other == goal:
                            return _walk(parents, goal)
                        nxt.append(other)
            if not nxt or len(parents) > MAX_VISITED:
                return None
            frontier = nxt
        return None


def _walk(
    parents: dict[str, tuple[str, tuple[int, str, str]] | None], node: str
) -> list[tuple[int, str, str]]:
    path = []
    while (link := parents[node]) is not None:
        node, edge = link
        path.append(edge)
    path.reverse()
    return path


def _days(txs: Iterable[Tx]) -> Iterator[Tx]:
    """The rows a business day at a time, each day in the engine's order."""
    day: list[Tx] = []
    for tx in txs:
        if day and tx.business_date != day[0].business_date:
            day.sort(key=SORT_KEY)
            yield from day
            day = []
        day.append(tx)
    day.sort(key=SORT_KEY)
    yield from day


def naive_alerts(
    txs: Iterable[Tx],
    rules: Iterable[NaiveRule] = NAIVE_RULES,
) -> list[dict[str, Any]]:
    """The alerts the naive rules raise on ``txs`` (in time order, as a monitor reads them)."""
    detectors = [(_Fan(r) if r.shape == "fan" else _Cycle(r)) for r in rules]
    episodes = _Episodes()
    out: list[dict[str, Any]] = []
    for tx in _days(txs):
        for d in detectors:
            alert = d.see(tx, episodes)
            if alert is not None:
                out.append(alert)
    return out


def read_txs(source: str, rates: Rates) -> Iterator[Tx]:
    """The valid rows of ``source`` (bad rows are the monitor's business, not the scorer's)."""
    with open_text(source) as stream:
        for _, item in read_transactions(stream, source, rates):
            if isinstance(item, Tx):
                yield item
