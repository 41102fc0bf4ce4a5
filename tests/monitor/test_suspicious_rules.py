"""Every suspicious-pattern rule: a case that fires and cases that do not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .conftest import RunRows, row, suspicious


def transfer(
    src: str, dst: str, when: str, amount: str, tx: str, customers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Both ledger legs of a transfer between two of the institution's accounts."""
    owner = customers or {}
    return [
        row(
            tx_id=f"{tx}-out",
            timestamp=when,
            customer_id=owner.get(src, f"C{src}"),
            account_id=src,
            direction="out",
            channel="transfer",
            amount=amount,
            counterparty_id=dst,
        ),
        row(
            tx_id=f"{tx}-in",
            timestamp=when,
            customer_id=owner.get(dst, f"C{dst}"),
            account_id=dst,
            direction="in",
            channel="transfer",
            amount=amount,
            counterparty_id=src,
        ),
    ]


# -- structuring -------------------------------------------------------------------------
def _cash(day: int, amount: str, tx: str) -> dict[str, Any]:
    return row(tx_id=tx, timestamp=f"2025-09-{day:02d}T10:00:00", amount=amount)


def test_structuring_fires_on_three_near_threshold_deposits(run_rows: RunRows) -> None:
    alerts, _ = run_rows([_cash(1, "45000", "s1"), _cash(2, "49999.99", "s2"), _cash(4, "41000", "s3")])
    [alert] = suspicious(alerts, "structuring")
    assert alert["tx_ids"] == ["s1", "s2", "s3"]
    assert alert["window_start"].startswith("2025-09-01")
    assert alert["window_end"].startswith("2025-09-04")
    assert alert["rule_id"] == "AML-SUS-STRUCTURING"


def test_structuring_needs_three_in_the_window_and_in_the_band(run_rows: RunRows) -> None:
    two, _ = run_rows([_cash(1, "45000", "a"), _cash(2, "45000", "b")])
    spread, _ = run_rows([_cash(1, "45000", "a"), _cash(9, "45000", "b"), _cash(17, "45000", "c")])
    small, _ = run_rows([_cash(1, "30000", "a"), _cash(2, "30000", "b"), _cash(3, "30000", "c")])
    assert suspicious(two + spread + small, "structuring") == []


# -- rapid in-and-out ---------------------------------------------------------------------
def _flow(out_amount: str, out_time: str) -> list[dict[str, Any]]:
    return [
        row(
            tx_id="in",
            channel="transfer",
            amount="200000",
            counterparty_id="X1",
            timestamp="2025-09-10T09:00:00",
        ),
        row(
            tx_id="out",
            channel="transfer",
            direction="out",
            amount=out_amount,
            counterparty_id="X2",
            timestamp=out_time,
        ),
    ]


def test_rapid_in_out_fires_when_most_money_leaves_soon(run_rows: RunRows) -> None:
    alerts, _ = run_rows(_flow("190000", "2025-09-10T15:00:00"))
    [alert] = suspicious(alerts, "rapid_in_out")
    assert (alert["account_id"], alert["tx_ids"]) == ("A1", ["in", "out"])


def test_rapid_in_out_not_for_a_small_share_or_after_the_window(run_rows: RunRows) -> None:
    half, _ = run_rows(_flow("100000", "2025-09-10T15:00:00"))
    late, _ = run_rows(_flow("199000", "2025-09-13T09:00:00"))
    assert suspicious(half + late, "rapid_in_out") == []


# -- fan-in / fan-out ---------------------------------------------------------------------
# "New" payers and "quiet" accounts are judged only after 60 days of history: every stream
# that tests them starts with one unrelated row months earlier.
HISTORY = [row(tx_id="h0", timestamp="2025-05-01T10:00:00", customer_id="CH", account_id="H")]


def _fan(
    direction: str,
    parties: int,
    step_days: int,
    prefix: str = "f",
    start: dt.datetime = dt.datetime(2025, 8, 1, 10),
) -> list[dict[str, Any]]:
    return [
        row(
            tx_id=f"{prefix}{i}",
            channel="transfer",
            direction=direction,
            amount="3000",
            counterparty_id=f"X{i}",
            timestamp=(start + dt.timedelta(days=i * step_days)).isoformat(),
        )
        for i in range(parties)
    ]


def test_fan_in_fires_on_two_first_time_payers(run_rows: RunRows) -> None:
    alerts, _ = run_rows(HISTORY + _fan("in", 2, 40))
    [alert] = suspicious(alerts, "fan_in")
    assert alert["tx_ids"] == ["f0", "f1"]
    assert (alert["account_id"], alert["accounts"]) == ("A1", ["X0", "X1"])


def test_fan_in_not_for_known_payers_one_payer_spread_or_without_history(run_rows: RunRows) -> None:
    # X0 and X1 paid someone else first: not first-time payers when they pay A1
    known = HISTORY + [
        row(
            tx_id=f"k{i}",
            account_id=f"B{i}",
            customer_id="CB",
            direction="in",
            channel="transfer",
            counterparty_id=f"X{i}",
            timestamp="2025-07-20T10:00:00",
        )
        for i in range(2)
    ]
    known_rows, _ = run_rows(known + _fan("in", 2, 1))
    one, _ = run_rows(HISTORY + _fan("in", 1, 1))
    spread, _ = run_rows(HISTORY + _fan("in", 2, 181))  # beyond the 180-day window
    no_history, _ = run_rows(_fan("in", 5, 1))  # at the start everyone looks new
    assert suspicious(known_rows + one + spread + no_history, "fan_in") == []


def test_fan_in_burst_of_eight_first_time_payers_needs_no_history(run_rows: RunRows) -> None:
    same_day = [
        row(
            tx_id=f"b{i}",
            channel="transfer",
            amount="3000",
            counterparty_id=f"X{i}",
            timestamp=f"2025-08-01T{9 + i:02d}:00:00",
        )
        for i in range(8)
    ]
    alerts, _ = run_rows(same_day)
    [alert] = suspicious(alerts, "fan_in")
    assert alert["tx_ids"] == [f"b{i}" for i in range(8)]
    seven, _ = run_rows(same_day[:7])
    over_two_days = same_day[:4] + [
        row(**{**r, "timestamp": r["timestamp"].replace("08-01", "08-03")}) for r in same_day[4:]
    ]
    spread, _ = run_rows(over_two_days)
    assert suspicious(seven + spread, "fan_in") == []


# Fan-out (changed by issue 12): an individual paying 5 distinct payees within 20 days, at
# least 3 of them no hubs (a hub: paid by 50 or more distinct payers), whether the
# relationships are new or not (a hub paying the same members month after month is still a
# fan-out); there is no separate burst path any more.
def _hubs(count: int) -> list[dict[str, Any]]:
    """X0..X{count-1} each paid by 50 distinct accounts of other customers: hubs."""
    return [
        row(
            tx_id=f"p{i}-{j}",
            customer_id=f"CP{j}",
            account_id=f"P{j}",
            direction="out",
            channel="card",
            amount="50",
            counterparty_id=f"X{i}",
            timestamp=f"2025-07-{1 + j % 28:02d}T{8 + i % 12:02d}:{j:02d}:00",
        )
        for i in range(count)
        for j in range(50)
    ]


def test_fan_out_fires_on_five_payees_in_twenty_days(run_rows: RunRows) -> None:
    alerts, _ = run_rows(_fan("out", 5, 4))
    [alert] = suspicious(alerts, "fan_out")
    assert alert["tx_ids"] == [f"f{i}" for i in range(5)]
    assert (alert["account_id"], alert["accounts"]) == ("A1", [f"X{i}" for i in range(5)])
    assert {f["feature"]: f["parameter"] for f in alert["features"]} == {
        "fan_out_payees": "monitor.fan_out.min_payees",
        "fan_out_non_hub_payees": "monitor.fan_out.min_non_hub_payees",
    }


def test_fan_out_not_for_four_spread_or_mostly_hub_payees(run_rows: RunRows) -> None:
    four, _ = run_rows(_fan("out", 4, 0))
    spread, _ = run_rows(_fan("out", 5, 6))  # any five span 24 days: beyond the window
    # X0..X2 are hubs: two of the five payees are not
    hubs, _ = run_rows(sorted(_hubs(3) + _fan("out", 5, 1), key=lambda r: r["timestamp"]))
    assert suspicious(four + spread, "fan_out") == []
    assert [a for a in suspicious(hubs, "fan_out") if a["account_id"] == "A1"] == []


def test_fan_out_counts_payees_paid_again(run_rows: RunRows) -> None:
    """The same five members paid every month: each month is an episode (it was not,
    under the new-relationship count this replaced)."""
    again, _ = run_rows(
        _fan("out", 5, 0, "a", dt.datetime(2025, 6, 1, 10))
        + _fan("out", 5, 1, "b", dt.datetime(2025, 8, 1, 10))
    )
    assert [a["tx_ids"][0] for a in suspicious(again, "fan_out")] == ["a0", "b0"]


def _busy(accounts: str) -> list[dict[str, Any]]:
    """Five transfers of each account with other parties in July: established accounts.
    Their sums are of the order of the chains' (changed by issue 12: an account passing on
    three times its largest earlier transfer is out of its pattern and counts as quiet)."""
    rows: list[dict[str, Any]] = []
    for n, account in enumerate(accounts):
        for i in range(5):
            rows += transfer(account, f"Z{n}{i}", f"2025-07-{10 + i:02d}T10:00:00", "20000", f"e{n}{i}")
    return sorted(rows, key=lambda r: r["timestamp"])  # rows must come in day order


# -- cycle ------------------------------------------------------------------------------
def test_cycle_through_three_quiet_customers_fires(run_rows: RunRows) -> None:
    rows = (
        HISTORY
        + transfer("A", "B", "2025-09-01T10:00:00", "30000", "x")
        + transfer("B", "C", "2025-09-02T10:00:00", "29000", "y")
        + transfer("C", "A", "2025-09-03T10:00:00", "28000", "z")
    )
    alerts, _ = run_rows(rows)
    [alert] = suspicious(alerts, "cycle")
    assert set(alert["accounts"]) == {"A", "B", "C"}
    assert {"x-out", "y-out", "z-out"} <= set(alert["tx_ids"])


def test_two_hop_cycle_fires_but_not_within_one_customer_or_without_return(run_rows: RunRows) -> None:
    two, _ = run_rows(
        HISTORY
        + transfer("A", "B", "2025-09-01T10:00:00", "100", "p")
        + transfer("B", "A", "2025-09-02T10:00:00", "100", "q")
    )
    assert len(suspicious(two, "cycle")) == 1
    own = {"A": "C1", "B": "C1"}
    same, _ = run_rows(
        HISTORY
        + transfer("A", "B", "2025-09-01T10:00:00", "100", "p", own)
        + transfer("B", "A", "2025-09-02T10:00:00", "100", "q", own)
    )
    chain, _ = run_rows(
        HISTORY
        + transfer("A", "B", "2025-09-01T10:00:00", "100", "p")
        + transfer("B", "C", "2025-09-02T10:00:00", "100", "q")
    )
    late, _ = run_rows(
        HISTORY
        + transfer("A", "B", "2025-07-01T10:00:00", "100", "p")
        + transfer("B", "A", "2025-09-02T10:00:00", "100", "q")
    )
    assert suspicious(same + chain + late, "cycle") == []


def test_fast_round_trip_of_three_hops_fires_without_history(run_rows: RunRows) -> None:
    busy = _busy("ABC")
    ring = (
        transfer("A", "B", "2025-09-01T10:00:00", "30000", "x")
        + transfer("B", "C", "2025-09-02T10:00:00", "29000", "y")
        + transfer("C", "A", "2025-09-04T09:00:00", "28000", "z")
    )  # 71 hours
    alerts, _ = run_rows(busy + ring)
    [alert] = suspicious(alerts, "cycle")
    assert set(alert["accounts"]) == {"A", "B", "C"}
    slow = ring[:4] + transfer("C", "A", "2025-09-04T11:00:00", "28000", "z")  # 73 hours
    slow_alerts, _ = run_rows(busy + slow)
    assert suspicious(slow_alerts, "cycle") == []


def test_cycle_not_between_established_accounts_or_without_history(run_rows: RunRows) -> None:
    busy = _busy("AB")
    established, _ = run_rows(
        HISTORY
        + busy
        + transfer("A", "B", "2025-09-01T10:00:00", "100", "p")
        + transfer("B", "A", "2025-09-02T10:00:00", "100", "q")
    )
    no_history, _ = run_rows(
        transfer("A", "B", "2025-09-01T10:00:00", "100", "p")
        + transfer("B", "A", "2025-09-02T10:00:00", "100", "q")
    )
    assert suspicious(established + no_history, "cycle") == []


# -- layering ---------------------------------------------------------------------------
def _chain(
    accounts: str, days: list[int], prefix: str = "l", customers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Transfers along ``accounts`` (one letter each); leg i on September days[i]."""
    legs = [
        transfer(
            accounts[i], accounts[i + 1], f"2025-09-{day:02d}T10:00:00", "30000", f"{prefix}{i}", customers
        )
        for i, day in enumerate(days)
    ]
    return sorted((r for leg in legs for r in leg), key=lambda r: r["timestamp"])


def test_layering_fires_once_on_a_chain_of_four_new_relationships(run_rows: RunRows) -> None:
    # legs settle out of order: the middle one comes last and links two short chains
    alerts, _ = run_rows(HISTORY + _chain("ABCDEF", [1, 2, 9, 3, 4]))
    [alert] = suspicious(alerts, "layering")
    assert alert["account_id"] == "A"
    assert alert["accounts"] == ["A", "B", "C", "D", "E", "F"]
    assert {f"l{i}-out" for i in range(5)} <= set(alert["tx_ids"])
    assert alert["window_start"].startswith("2025-09-01")
    assert alert["window_end"].startswith("2025-09-09")
    assert suspicious(alerts, "cycle") == []


def test_layering_not_on_short_chains_old_legs_or_busy_accounts(run_rows: RunRows) -> None:
    short, _ = run_rows(HISTORY + _chain("ABCD", [1, 2, 3]))
    # the same four legs, but the last comes after the first has left the 30-day window
    spread, _ = run_rows(
        HISTORY + _chain("ABCDE", [1, 2, 3]) + transfer("D", "E", "2025-10-02T10:00:00", "30000", "late")
    )
    busy = _busy("ABCDE")
    established, _ = run_rows(HISTORY + busy + _chain("ABCDE", [1, 2, 3, 4]))
    own = {a: "C1" for a in "ABCDE"}
    one_customer, _ = run_rows(HISTORY + _chain("ABCDE", [1, 2, 3, 4], customers=own))
    no_history, _ = run_rows(_chain("ABCDE", [1, 2, 3, 4]))
    assert suspicious(short + spread + established + one_customer + no_history, "layering") == []


def test_a_ring_of_five_is_a_layering_chain_before_it_closes(run_rows: RunRows) -> None:
    alerts, _ = run_rows(HISTORY + _chain("ABCDEA", [1, 2, 3, 4, 5]))
    [chain] = suspicious(alerts, "layering")
    assert chain["accounts"] == ["A", "B", "C", "D", "E"]
    assert len(suspicious(alerts, "cycle")) == 1


# -- scatter-gather -----------------------------------------------------------------------
def _scatter(relays: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(relays):
        rows += transfer("S", f"M{i}", f"2025-09-01T1{i}:00:00", "20000", f"s{i}")
        rows += transfer(f"M{i}", "D", f"2025-09-02T1{i}:00:00", "19000", f"g{i}")
    return sorted(rows, key=lambda r: r["timestamp"])  # rows must come in day order


def test_scatter_gather_fires_on_three_intermediaries(run_rows: RunRows) -> None:
    alerts, _ = run_rows(_scatter(3))
    [alert] = suspicious(alerts, "scatter_gather")
    assert alert["account_id"] == "D"
    assert alert["accounts"][0] == "S" and alert["accounts"][-1] == "D"


def test_scatter_gather_not_on_two(run_rows: RunRows) -> None:
    alerts, _ = run_rows(_scatter(2))
    assert suspicious(alerts, "scatter_gather") == []


def test_scatter_gather_not_through_regular_relationships(run_rows: RunRows) -> None:
    """Relays that pay the account every month (suppliers paid by one buyer, say)."""
    regular: list[dict[str, Any]] = []
    for i in range(3):
        regular += transfer(f"M{i}", "D", f"2025-08-0{i + 1}T10:00:00", "19000", f"r{i}")
    alerts, _ = run_rows(regular + _scatter(3))
    assert suspicious(alerts, "scatter_gather") == []


# -- dormant reactivation -----------------------------------------------------------------
def _dormant(last: str, amount: str) -> list[dict[str, Any]]:
    return [
        row(tx_id="old", timestamp=f"{last}T10:00:00", amount="100"),
        row(
            tx_id="new",
            timestamp="2025-09-01T10:00:00",
            amount=amount,
            channel="transfer",
            counterparty_id="X9",
        ),
    ]


def test_dormant_account_reactivated_with_a_large_amount(run_rows: RunRows) -> None:
    alerts, _ = run_rows(_dormant("2025-01-02", "60000"))
    [alert] = suspicious(alerts, "dormant_reactivation")
    assert alert["tx_ids"] == ["new"]
    assert alert["details"]["previous_activity"] == "2025-01-02"


def test_no_dormancy_alert_for_small_amounts_or_short_gaps(run_rows: RunRows) -> None:
    small, _ = run_rows(_dormant("2025-01-02", "40000"))
    recent, _ = run_rows(_dormant("2025-06-01", "60000"))
    assert suspicious(small + recent, "dormant_reactivation") == []


# -- lists --------------------------------------------------------------------------------
def test_high_risk_country_counterparty(run_rows: RunRows) -> None:
    alerts, _ = run_rows(
        [
            row(tx_id="kp", channel="transfer", direction="out", counterparty_country="KP"),
            row(tx_id="us", channel="transfer", direction="out", counterparty_country="US"),
            row(tx_id="cn", channel="transfer", direction="out", counterparty_country="CN"),
        ]
    )
    [alert] = suspicious(alerts, "high_risk_country")
    assert alert["tx_ids"] == ["kp"]
    assert alert["details"] == {"country": "KP"}


def test_sanctions_match_exact_fuzzy_and_traditional_chinese(run_rows: RunRows) -> None:
    names = {
        "trad": "東方遠景國際貿易 有限公司",
        "punct": "TANCHON commercial-bank.",
        "typo": "Korea Kwangson Bankng Corporation",
        "clean": "Bank of Shanghai",
        "short": "Korea Bank",
    }
    alerts, _ = run_rows(
        [
            row(tx_id=k, channel="transfer", direction="out", counterparty_name=v, counterparty_id=f"X{k}")
            for k, v in names.items()
        ]
    )
    found = {a["tx_ids"][0]: a for a in suspicious(alerts, "sanctions_match")}
    assert set(found) == {"trad", "punct", "typo"}
    assert found["trad"]["score"] == 100 and found["punct"]["score"] == 100
    assert 90 <= found["typo"]["score"] < 100
    assert found["trad"]["details"]["list_ref"] == "TEST-001"
