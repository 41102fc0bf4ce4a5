"""What every typology shares: its window lengths, windowed flows and the evidence it keeps.

``Windows`` holds the window parameters of one parameter set as plain numbers (seconds, or
counts), read on every row; ``Flow`` is money through one account in a window; ``Evidence``
is what made a feature (the transactions, the window, the account at the centre), built
only when a rule fires.
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
) -> Evidence:
    accounts = sorted({r[cp_at] for r in rows}) if cp_at is not None else None
    return Evidence([r[id_at] for r in rows], start, end, account, accounts)


def prune(q: deque[Any], cutoff: int) -> None:
    """Drop the rows of ``q`` (time first, in time order) older than ``cutoff``."""
    while q and q[0][0] < cutoff:
        q.popleft()


def prune_table(table: dict[Any, deque[Any]], cutoff: int) -> None:
    """Prune every queue of ``table`` and drop the emptied ones (the weekly sweep)."""
    for key in list(table):
        q = table[key]
        prune(q, cutoff)
        if not q:
            del table[key]


class Flow:
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
