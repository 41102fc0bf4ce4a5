"""Large-value reports at the boundaries of every category (contract table, PBoC 2016-3 Art. 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regtech_engine.monitor.workdays import WorkdayCalendar, load_holidays

from .conftest import RunRows, large_value, row

# category -> (row fields making it, CNY threshold, USD threshold)
CATEGORIES: dict[str, tuple[dict[str, Any], int, int]] = {
    "cash": ({"channel": "cash"}, 50_000, 10_000),
    "entity_transfer": (
        {"channel": "transfer", "customer_type": "entity", "counterparty_id": "X1"},
        2_000_000,
        200_000,
    ),
    "individual_domestic_transfer": (
        {"channel": "transfer", "counterparty_id": "X1", "counterparty_country": "CN"},
        500_000,
        100_000,
    ),
    "individual_cross_border_transfer": (
        {"channel": "transfer", "counterparty_id": "X1", "counterparty_country": "US"},
        200_000,
        10_000,
    ),
}
CASES = [(c, basis) for c in CATEGORIES for basis in ("CNY", "USD")]


def _amount(threshold: int, delta: str = "0") -> str:
    from decimal import Decimal

    return str(Decimal(threshold) + Decimal(delta))


def _row(category: str, basis: str, amount: str, **extra: Any) -> dict[str, Any]:
    fields, _, _ = CATEGORIES[category]
    return row(**fields, amount=amount, currency="CNY" if basis == "CNY" else "USD", **extra)


def _threshold(category: str, basis: str) -> int:
    _, cny, usd = CATEGORIES[category]
    return cny if basis == "CNY" else usd


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_just_below_raises_nothing(run_rows: RunRows, category: str, basis: str) -> None:
    alerts, _ = run_rows([_row(category, basis, _amount(_threshold(category, basis), "-0.01"))])
    assert large_value(alerts) == []


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_exactly_at_threshold_is_reported(run_rows: RunRows, category: str, basis: str) -> None:
    threshold = _threshold(category, basis)
    alerts, _ = run_rows([_row(category, basis, _amount(threshold), tx_id="only")])
    [alert] = large_value(alerts)
    assert alert["category"] == category
    assert alert["currency_basis"] == basis
    assert alert["total"] == f"{threshold}.00"
    assert alert["tx_ids"] == ["only"]
    assert alert["citations"][0]["law"] == "PBOC-2016-3"


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_cumulative_across_two_accounts_of_one_customer(run_rows: RunRows, category: str, basis: str) -> None:
    threshold = _threshold(category, basis)
    half = _amount(threshold // 2)
    rest = _amount(threshold - threshold // 2)
    alerts, _ = run_rows(
        [
            _row(category, basis, half, tx_id="a", account_id="A1"),
            _row(category, basis, rest, tx_id="b", account_id="A2", timestamp="2025-09-30T16:00:00"),
            _row(category, basis, _amount(threshold - 1), tx_id="other", customer_id="C2"),
        ]
    )
    [alert] = large_value(alerts)
    assert (alert["customer_id"], alert["tx_ids"]) == ("C1", ["a", "b"])


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_in_and_out_do_not_offset(run_rows: RunRows, category: str, basis: str) -> None:
    threshold = _threshold(category, basis)
    alerts, _ = run_rows(
        [
            _row(category, basis, _amount(threshold), tx_id="in1", direction="in"),
            _row(category, basis, _amount(threshold - 1), tx_id="out1", direction="out"),
            _row(category, basis, "1", tx_id="out2", direction="out"),
        ]
    )
    got = {(a["direction"], tuple(a["tx_ids"])) for a in large_value(alerts)}
    assert got == {("in", ("in1",)), ("out", ("out1", "out2"))}


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_midnight_shanghai_splits_the_day(run_rows: RunRows, category: str, basis: str) -> None:
    half = _amount(_threshold(category, basis) // 2 + 1)
    alerts, _ = run_rows(
        [
            _row(category, basis, half, timestamp="2025-09-30T23:59:59"),
            _row(category, basis, half, timestamp="2025-10-01T00:00:00"),
        ]
    )
    assert large_value(alerts) == []


@pytest.mark.parametrize(("category", "basis"), CASES)
def test_utc_timestamp_on_the_next_shanghai_day(run_rows: RunRows, category: str, basis: str) -> None:
    half = _amount(_threshold(category, basis) // 2 + 1)
    alerts, _ = run_rows(
        [
            # 2025-09-30 16:30 UTC is 2025-10-01 00:30 in Shanghai
            _row(category, basis, half, tx_id="utc", timestamp="2025-09-30T16:30:00Z"),
            _row(category, basis, half, tx_id="naive", timestamp="2025-10-01T09:00:00"),
            _row(category, basis, half, tx_id="sep30", timestamp="2025-09-30T10:00:00+08:00"),
        ]
    )
    [alert] = large_value(alerts)
    assert alert["business_date"] == "2025-10-01"
    assert alert["tx_ids"] == ["naive", "utc"]


@pytest.mark.parametrize("category", list(CATEGORIES))
def test_usd_and_cny_are_counted_apart(run_rows: RunRows, category: str) -> None:
    cny, usd = _threshold(category, "CNY"), _threshold(category, "USD")
    alerts, _ = run_rows(
        [
            _row(category, "CNY", _amount(cny - 1)),
            _row(category, "USD", _amount(usd - 1)),  # together far above either threshold
        ]
    )
    assert large_value(alerts) == []


def test_euro_counts_on_the_usd_basis(run_rows: RunRows) -> None:
    # 9,200 EUR x 1.09 = 10,028 USD >= 10,000
    alerts, _ = run_rows([row(amount="9200", currency="EUR", tx_id="eur")])
    [alert] = large_value(alerts)
    assert (alert["currency_basis"], alert["total"]) == ("USD", "10028.00")


def test_one_transaction_can_meet_two_customers_thresholds_separately(run_rows: RunRows) -> None:
    alerts, _ = run_rows([row(amount="50000", customer_id="C1"), row(amount="50000", customer_id="C2")])
    assert sorted(a["customer_id"] for a in large_value(alerts)) == ["C1", "C2"]


@pytest.mark.parametrize(
    ("business_day", "due"),
    [
        # National Day 2025: Oct 1-8 off, Sat Oct 11 a working day
        ("2025-09-30T10:00:00", "2025-10-14"),
        ("2025-09-26T10:00:00", "2025-10-10"),  # Sun Sep 28 works: 28, 29, 30, Oct 9, 10
        # Spring Festival 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 working days
        ("2026-02-12T10:00:00", "2026-02-26"),
        ("2026-02-13T10:00:00", "2026-02-27"),
        ("2026-02-23T10:00:00", "2026-02-28"),  # 24, 25, 26, 27, Sat 28
        ("2026-02-24T10:00:00", "2026-03-02"),
    ],
)
def test_report_due_is_the_fifth_working_day(run_rows: RunRows, business_day: str, due: str) -> None:
    alerts, _ = run_rows([row(amount="50000", timestamp=business_day)])
    [alert] = large_value(alerts)
    assert alert["report_due"] == due


def test_year_beyond_the_calendar_is_an_error_for_that_alert(run_rows: RunRows) -> None:
    alerts, result = run_rows([row(amount="50000", timestamp="2027-03-01T10:00:00")])
    [alert] = large_value(alerts)
    assert "report_due" not in alert
    assert "2027" in alert["report_due_error"]
    assert result.stats.due_errors == 1


def test_holiday_file_covers_a_later_year(run_rows: RunRows, tmp_path: Any) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "years: [2027]\nsource: test\nholidays: [2027-03-03]\nworkdays: [2027-03-06]\n", encoding="utf-8"
    )
    calendar = WorkdayCalendar(load_holidays(path))
    alerts, _ = run_rows([row(amount="50000", timestamp="2027-03-01T10:00:00")], calendar=calendar)
    # Tue 2, (Wed 3 off), Thu 4, Fri 5, Sat 6 (working), Mon 8
    assert large_value(alerts)[0]["report_due"] == "2027-03-08"
    assert calendar.add_workdays(dt.date(2027, 3, 1), 1) == dt.date(2027, 3, 2)
