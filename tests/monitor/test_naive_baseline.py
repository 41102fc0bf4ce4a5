"""The naive rules the scorer prints beside each typology."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from regtech_engine.monitor.ingest import to_tx
from regtech_engine.monitor.naive_rules import NAIVE_RULES, naive_alerts
from regtech_engine.monitor.rates import Rates
from regtech_engine.monitor.records import Tx

from .conftest import row

RATES = Rates({"USD": (Decimal("7.1"), Decimal("1"))})


def _txs(rows: list[dict[str, object]]) -> list[Tx]:
    return [to_tx(r, i, RATES) for i, r in enumerate(rows, 1)]


def _out(n: int, step_days: int) -> list[dict[str, object]]:
    start = dt.datetime(2025, 8, 1, 10)
    return [
        row(
            tx_id=f"o{i}",
            direction="out",
            channel="transfer",
            counterparty_id=f"X{i}",
            timestamp=(start + dt.timedelta(days=i * step_days)).isoformat(),
        )
        for i in range(n)
    ]


def test_five_payees_within_twenty_days_is_one_naive_fan_out_alert() -> None:
    [alert] = naive_alerts(_txs(_out(6, 3)))
    assert (alert["typology"], alert["account_id"]) == ("fan_out", "A1")
    assert alert["tx_ids"] == [f"o{i}" for i in range(5)]  # the sixth is the same episode
    assert naive_alerts(_txs(_out(4, 1))) == []
    assert naive_alerts(_txs(_out(5, 6))) == []  # any five span 24 days


def test_money_back_to_its_sender_is_a_naive_cycle() -> None:
    legs = [("A", "B", 1), ("B", "C", 2), ("C", "A", 3)]
    rows = [
        row(
            tx_id=f"c{n}",
            account_id=src,
            customer_id=f"C{src}",
            direction="out",
            channel="transfer",
            counterparty_id=dst,
            timestamp=f"2025-08-0{day}T10:00:00",
        )
        for n, (src, dst, day) in enumerate(legs)
    ]
    [alert] = naive_alerts(_txs(rows))
    assert alert["typology"] == "cycle" and alert["accounts"] == ["A", "B", "C"]


def test_each_naive_rule_names_what_it_counts() -> None:
    assert {r.typology for r in NAIVE_RULES} == {"fan_in", "fan_out", "cycle"}
    assert all(r.text for r in NAIVE_RULES)
