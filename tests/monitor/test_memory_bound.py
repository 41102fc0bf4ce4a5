"""Memory is bounded by the active windows, not by the length of the stream."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from regtech_engine.monitor.ingest import to_tx
from regtech_engine.monitor.limits import Limits
from regtech_engine.monitor.loop import Monitor
from regtech_engine.monitor.rates import Rates
from regtech_engine.monitor.records import Tx
from regtech_engine.monitor.rules import MonitoringPack

START = dt.date(2025, 1, 1)


def _day(n: int) -> Iterator[Tx]:
    """A day of transfers between accounts that are new that day and never seen again."""
    day = START + dt.timedelta(days=n)
    for i in range(20):
        a, b = f"A{n}-{i}", f"A{n}-{(i + 1) % 20}"
        row: dict[str, Any] = {
            "tx_id": f"{n}-{i}",
            "timestamp": f"{day}T{9 + i % 8:02d}:00:00",
            "customer_id": f"C{n}-{i}",
            "customer_type": "individual",
            "account_id": a,
            "direction": "out",
            "channel": "transfer",
            "amount": str(Decimal(900 + i)),
            "currency": "CNY",
            "counterparty_id": b,
        }
        yield to_tx(row, i + 1, Rates())


def _window_entries(monitor: Monitor) -> int:
    """Entries held by the windowed tables and the party registers (the last activity date
    and customer of the institution's own accounts grow with their number, by design, and
    are not counted: every account here is new, which no institution sees)."""
    f = monitor.features
    g = f.graph
    tables: list[Any] = [
        f.structuring.rows,
        f.rapid_in_out.ins,
        f.rapid_in_out.outs,
        f.fan.fan_in,
        f.fan.fan_out,
        g.out_edges,
        g.in_edges,
        f.scatter_gather.gather,
    ]
    held = sum(len(q) for table in tables for q in table.values())
    return (
        held
        + len(g.pair_last)
        + len(f.fan.first_paid)
        + len(g.transfers_seen)
        + len(monitor.seen)
        + len(monitor.last_alert)
    )


def test_window_state_stops_growing_once_the_windows_are_full(monitoring_pack: MonitoringPack) -> None:
    monitor = Monitor(monitoring_pack)
    sizes = {}
    for n in range(500):
        for tx in _day(n):
            monitor.feed(tx)
        if n in (400, 499):
            sizes[n] = _window_entries(monitor)
    monitor.finish()
    # the longest memory (parties: 365 days) plus a week between sweeps
    assert sizes[499] <= sizes[400] * 1.1
    assert sizes[499] < 20 * 4 * (365 + 7 + 2)


def test_the_caps_bound_the_ledger_and_the_ids_remembered(monitoring_pack: MonitoringPack) -> None:
    """Between day closes the evidence ledger and the ids kept for de-duplication never hold
    more than their caps (without them: 7 days of ids, and the ledger's windows)."""
    monitor = Monitor()
    monitor.attach(monitoring_pack, monitor.calendar, Limits(ledger_briefs=30, dedup_ids=50))
    largest = [0, 0]
    for n in range(40):
        for tx in _day(n):
            monitor.feed(tx)
        largest = [max(largest[0], len(monitor.ledger)), max(largest[1], len(monitor.seen))]
    monitor.finish()
    assert largest[0] <= 30 and largest[1] <= 50
    caps = monitor.features.caps.counts
    assert caps["ledger_briefs"] > 0 and caps["dedup_ids"] > 0
    assert monitor.dedup_forgotten is not None
    uncapped = Monitor(monitoring_pack)
    for n in range(40):
        for tx in _day(n):
            uncapped.feed(tx)
    assert len(uncapped.seen) > 50 and len(uncapped.ledger) > 30
