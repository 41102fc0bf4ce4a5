"""Fan patterns and rapid in-and-out judged by counterparties and peer group (issue 12).

A merchant, broker or escrow account pays and receives many counterparties by design; a
retail customer does not. Payments to hubs (payees many distinct payers pay: shops) are
ordinary spending. Rows declare ``customer_segment`` as the contract allows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.scoring import evaluate_path

from .conftest import RunRows, row, suspicious

START = dt.datetime(2025, 8, 1, 9)
HISTORY = [row(tx_id="h0", timestamp="2025-05-01T10:00:00", customer_id="CH", account_id="H")]


def _burst(
    who: str, ctype: str, segment: str | None, direction: str, parties: int = 12
) -> list[dict[str, Any]]:
    """``who`` pays (or is paid by) ``parties`` fresh counterparties within one day."""
    return [
        row(
            tx_id=f"{who}-{direction}{i}",
            customer_id=who,
            customer_type=ctype,
            customer_segment=segment,
            account_id=f"{who}-A",
            direction=direction,
            channel="transfer",
            amount="3000",
            counterparty_id=f"X{who}{i}",
            timestamp=(START + dt.timedelta(minutes=40 * i)).isoformat(),
        )
        for i in range(parties)
    ]


def _flagged(alerts: list[dict[str, Any]], typology: str) -> set[str]:
    return {a["customer_id"] for a in suspicious(alerts, typology)}


def test_a_fan_out_burst_normal_for_a_merchant_is_alerted_for_retail_only(run_rows: RunRows) -> None:
    rows = _burst("M1", "entity", "merchant", "out") + _burst("R1", "individual", "retail", "out")
    alerts, _ = run_rows(sorted(rows, key=lambda r: r["timestamp"]))
    assert _flagged(alerts, "fan_out") == {"R1"}
    [alert] = suspicious(alerts, "fan_out")
    assert [f["parameter"] for f in alert["features"]] == [
        "monitor.fan_out.min_payees",
        "monitor.fan_out.min_non_hub_payees",
    ]


def test_a_fan_in_burst_normal_for_a_merchant_is_alerted_for_retail_only(run_rows: RunRows) -> None:
    rows = _burst("M1", "entity", "merchant", "in") + _burst("R1", "individual", "retail", "in")
    alerts, _ = run_rows(sorted(rows, key=lambda r: r["timestamp"]))
    assert _flagged(alerts, "fan_in") == {"R1"}


def test_without_a_declared_segment_the_customer_type_decides(run_rows: RunRows) -> None:
    rows = _burst("E1", "entity", None, "out") + _burst("P1", "individual", None, "out")
    alerts, _ = run_rows(sorted(rows, key=lambda r: r["timestamp"]))
    assert _flagged(alerts, "fan_out") == {"P1"}


def test_far_above_the_segment_norm_a_merchant_is_alerted(run_rows: RunRows) -> None:
    """A merchant paying 25 fresh accounts in a day: the business threshold."""
    alerts, _ = run_rows(_burst("M1", "entity", "merchant", "out", parties=25))
    [alert] = suspicious(alerts, "fan_out")
    assert alert["features"] == [
        {
            "feature": "fan_out_non_hub_payees",
            "value": 25,
            "test": "ge",
            "threshold": 25,
            "parameter": "monitor.fan_out.min_non_hub_payees_business",
        }
    ]


def test_retail_spending_at_many_shops_raises_no_fan_out(run_rows: RunRows) -> None:
    """Eight shops, each paid by 50 other customers first: a customer paying all eight
    within a week pays hubs, not a network of accounts."""
    shops = [
        row(
            tx_id=f"s{s}-{c}",
            customer_id=f"CS{c}",
            account_id=f"S{c}",
            direction="out",
            channel="card",
            amount="80",
            counterparty_id=f"SHOP{s}",
            timestamp=f"2025-07-{1 + (c + s) % 28:02d}T{8 + s:02d}:{c:02d}:00",
        )
        for s in range(8)
        for c in range(50)
    ]
    spend = [
        row(
            tx_id=f"r{s}",
            customer_id="R1",
            customer_segment="retail",
            account_id="R1-A",
            direction="out",
            channel="card",
            amount="200",
            counterparty_id=f"SHOP{s}",
            timestamp=f"2025-08-{1 + s:02d}T12:00:00",
        )
        for s in range(8)
    ]
    alerts, _ = run_rows(sorted(shops + spend, key=lambda r: r["timestamp"]))
    assert "R1" not in _flagged(alerts, "fan_out")
    # the same customer paying eight accounts nobody else pays is a fan-out
    fresh = [{**r, "counterparty_id": f"P{i}"} for i, r in enumerate(spend)]
    alerts, _ = run_rows(sorted(shops + fresh, key=lambda r: r["timestamp"]))
    assert "R1" in _flagged(alerts, "fan_out")


def _through(segment: str | None, ctype: str = "entity", amount: str = "300000") -> list[dict[str, Any]]:
    return [
        row(
            tx_id="in",
            customer_id="B1",
            customer_type=ctype,
            customer_segment=segment,
            account_id="B1-A",
            channel="transfer",
            amount=amount,
            counterparty_id="CL1",
            timestamp="2025-09-10T09:00:00",
        ),
        row(
            tx_id="out",
            customer_id="B1",
            customer_type=ctype,
            customer_segment=segment,
            account_id="B1-A",
            channel="transfer",
            direction="out",
            amount=amount,
            counterparty_id="CL2",
            timestamp="2025-09-10T15:00:00",
        ),
    ]


def test_rapid_in_out_for_businesses_brokers_and_escrow_only_far_above_their_norm(run_rows: RunRows) -> None:
    segment: str | None
    for segment in ("broker", "escrow"):
        alerts, _ = run_rows(_through(segment))
        assert suspicious(alerts, "rapid_in_out") == []
        alerts, _ = run_rows(_through(segment, amount="2500000"))
        [alert] = suspicious(alerts, "rapid_in_out")
        assert "monitor.rapid.min_in_cny_intermediary" in {f["parameter"] for f in alert["features"]}
    # 300,000 through in six hours: an individual's alert, ordinary for a business (its
    # threshold is 500,000), whether declared or an entity without a segment
    for segment, ctype, count in (
        (None, "individual", 1),
        ("retail", "individual", 1),
        (None, "entity", 0),
        ("merchant", "entity", 0),
    ):
        alerts, _ = run_rows(_through(segment, ctype))
        assert len(suspicious(alerts, "rapid_in_out")) == count
    alerts, _ = run_rows(_through("merchant", amount="600000"))
    assert len(suspicious(alerts, "rapid_in_out")) == 1


def test_an_unknown_segment_is_a_rejected_row(run_rows: RunRows, tmp_path: Path) -> None:
    dead = tmp_path / "dead.jsonl"
    _, result = run_rows([row(customer_segment="whale")], dead_letter=dead)
    assert result.rejected == {"invalid_field": 1}
    assert '"field": "customer_segment"' in dead.read_text(encoding="utf-8")


def test_the_realistic_population_alerts_few_customers_at_a_high_lift(tmp_path: Path) -> None:
    write_dataset(
        tmp_path / "real",
        GeneratorConfig(seed=3, plants=2, days=30, history_days=60, population="realistic", customers=400),
    )
    report = evaluate_path(tmp_path / "real").to_json()
    total = report["all_suspicious"]
    assert total["alerted_share_per_month"] < 0.05
    assert total["lift"] >= 5
    fan_out = report["typologies"]["fan_out"]
    assert fan_out["recall"] == 1.0
    assert fan_out["alerted_share_per_month"] < fan_out["naive"]["alerted_share_per_month"]


def _transfer(src: str, dst: str, when: str, amount: str, tx: str) -> list[dict[str, Any]]:
    return [
        row(
            tx_id=f"{tx}-out",
            timestamp=when,
            customer_id=f"C{src}",
            account_id=src,
            direction="out",
            channel="transfer",
            amount=amount,
            counterparty_id=dst,
        ),
        row(
            tx_id=f"{tx}-in",
            timestamp=when,
            customer_id=f"C{dst}",
            account_id=dst,
            direction="in",
            channel="transfer",
            amount=amount,
            counterparty_id=src,
        ),
    ]


def _ring(amount: str) -> list[dict[str, Any]]:
    """A, B and C each with six ordinary transfers of 500 in July (busy, not quiet), then
    money round them over six days in September (too slow for a fast round trip)."""
    busy = [
        r
        for n, a in enumerate("ABC")
        for i in range(6)
        for r in _transfer(a, f"Z{n}{i}", f"2025-07-{10 + i:02d}T10:00:00", "500", f"e{n}{i}")
    ]
    ring = (
        _transfer("A", "B", "2025-09-01T10:00:00", amount, "x")
        + _transfer("B", "C", "2025-09-04T10:00:00", amount, "y")
        + _transfer("C", "A", "2025-09-07T10:00:00", amount, "z")
    )
    return HISTORY + sorted(busy, key=lambda r: r["timestamp"]) + ring


def test_a_cycle_through_busy_accounts_out_of_their_pattern_fires(run_rows: RunRows) -> None:
    """Recruited accounts keep their owners' lives: sums of another order make them
    count as quiet (three times their largest, and at least 10,000 CNY)."""
    alerts, _ = run_rows(_ring("30000"))
    [alert] = suspicious(alerts, "cycle")
    assert set(alert["accounts"]) == {"A", "B", "C"}
    small, _ = run_rows(_ring("9000"))  # 18 times their largest, but everyday money
    assert suspicious(small, "cycle") == []
