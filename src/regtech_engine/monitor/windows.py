"""What every typology shares: its window lengths, windowed flows and the evidence it keeps.

``Windows`` holds the window parameters of one parameter set as plain numbers (seconds, or
counts), read on every row; ``Flow`` is money through one account in a window; ``Evidence``
is what made a feature (the transactions, the window, the account at the centre), built
only when a rule fires, with the caps that may have changed it (``Evidence.limits``).

The caps' shared parts (``monitor/limits.py`` holds their values): a window drops its
oldest rows beyond ``Limits.window_rows`` (``Flow.add``) and its alerts say so
(``window_note``); a party-keyed table beyond ``Limits.parties`` forgets its least recently
active entries down to nine tenths of the cap (``forget_least_active``, ``low_water``) and
the alerts of the typologies that read it say so from then on (``party_note``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DAY = 86_400
HOUR = 3_600
# Windows field -> (parameter, seconds per unit; 1 for counts): every window the layer reads
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
STRUCTURING_PARAMS = (
    "monitor.structuring.band_floor_cny",
    "monitor.structuring.band_ceiling_cny",
    "monitor.structuring.window_days",
)


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
    limits: tuple[str, ...] = ()  # why it may be incomplete: caps hit (monitor/limits.py)


EvidenceFn = Callable[[], Evidence]  # built only when a rule fires: most rows never need it


def ev_rows(
    rows: tuple[tuple[Any, ...], ...],
    id_at: int,
    start: int,
    end: int,
    account: str | None = None,
    cp_at: int | None = None,
    limits: tuple[str, ...] = (),
) -> Evidence:
    accounts = sorted({r[cp_at] for r in rows}) if cp_at is not None else None
    return Evidence([r[id_at] for r in rows], start, end, account, accounts, limits=limits)


def window_note(what: str, subject: str, cap: int) -> str:
    """What an alert says when its window lost rows to ``Limits.window_rows``."""
    return f"the {what} window of {subject} held more than {cap:,} rows; counts cover the newest {cap:,}"


def forget_least_active(
    table: dict[Any, Any], last: Callable[[Any], int], keep: int
) -> list[tuple[Any, Any]]:
    """Forget the least recently active entries of ``table`` (``last``: an entry's time of
    last activity) down to ``keep``, in place (readers may hold the table); the entries
    forgotten. Ties go in the table's order, so the result is deterministic."""
    excess = len(table) - keep
    if excess <= 0:
        return []
    cut = sorted(last(v) for v in table.values())[excess - 1]
    gone = [(k, v) for k, v in table.items() if last(v) < cut]
    gone += [(k, v) for k, v in table.items() if last(v) == cut][: excess - len(gone)]
    for key, _ in gone:
        del table[key]
    return gone


def party_note(table: str, cap: int, effect: str) -> str:
    """What an alert says when a table it reads forgot parties early (``Limits.parties``)."""
    return f"the {table} table held more than {cap:,} parties and forgot the least recently active: {effect}"


def low_water(cap: int) -> int:
    """Entries a party-keyed table keeps when it outgrows ``cap``: a tenth below it, so a
    sweep (which sorts the table) comes once per cap/10 new parties, not on every row."""
    return cap - max(1, cap // 10)


def prune(q: deque[Any], cutoff: int) -> None:
    """Drop the rows of ``q`` (time first, in time order) older than ``cutoff``."""
    while q and q[0][0] < cutoff:
        q.popleft()


def prune_table(table: dict[Any, Any], cutoff: int) -> None:
    """Prune every window of ``table`` (a deque, or an object with ``prune``) and drop the
    emptied ones (the weekly sweep)."""
    for key in list(table):
        q = table[key]
        if type(q) is deque:
            prune(q, cutoff)
        else:
            q.prune(cutoff)
        if not q:
            del table[key]


class Flow:
    """Money in (or out) of one account in a window: (time, tx_id, CNY) rows and their sum,
    at most ``Limits.window_rows`` rows (the oldest go first: ``lost`` is the time of the
    newest row dropped so, -1 if none)."""

    __slots__ = ("lost", "rows", "total")

    def __init__(self) -> None:
        self.rows: deque[tuple[int, str, int]] = deque()
        self.total = 0
        self.lost = -1

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> tuple[deque[tuple[int, str, int]], int, int]:
        return self.rows, self.total, self.lost

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.rows, self.total = state[0], state[1]
        self.lost = state[2] if len(state) > 2 else -1

    def add(self, epoch: int, tx_id: str, cny: int, cap: int) -> bool:
        """Add a row; whether the oldest was dropped for it (the window held ``cap`` rows)."""
        rows = self.rows
        rows.append((epoch, tx_id, cny))
        self.total += cny
        if len(rows) <= cap:
            return False
        old = rows.popleft()
        self.total -= old[2]
        self.lost = old[0]
        return True

    def prune(self, cutoff: int) -> None:
        rows = self.rows
        while rows and rows[0][0] < cutoff:
            self.total -= rows.popleft()[2]


@dataclass(frozen=True, slots=True)
class Windows:
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
    def of(cls, p: Mapping[str, Any]) -> Windows:
        band = None
        if all(name in p for name in STRUCTURING_PARAMS):
            floor, ceiling, days = (p[name] for name in STRUCTURING_PARAMS)
            band = (floor, ceiling, days * DAY)
        if not all(name in p for name in WINDOW_PARAMS):
            return cls(False, band)
        return cls(True, band, **{f: p[name] * unit for f, (name, unit) in _WINDOW_TABLE.items()})
