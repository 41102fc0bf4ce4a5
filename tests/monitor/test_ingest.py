"""Input handling: dead letters, repeated tx_id, line order, CSV, gzip, standard input."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset

from .conftest import RunRows, large_value, read_alerts, row, write_jsonl


def _dead(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_bad_rows_go_to_the_dead_letter_file_with_line_and_reason(run_rows: RunRows, tmp_path: Path) -> None:
    dead = tmp_path / "dead.jsonl"
    good = row(tx_id="good", amount="50000")
    rows = [
        good,
        row(tx_id="neg", amount="-5"),
        row(tx_id="cur", currency="JPY"),
        row(tx_id="time", timestamp="yesterday"),
        row(tx_id="miss", customer_id=None),
        row(tx_id="dir", direction="sideways"),
        row(tx_id="nan", amount="NaN"),
        row(tx_id="edge", timestamp="0001-01-01T00:00:00+14:00"),  # year 0 in Shanghai
        row(tx_id="bool", amount=True),
        row(tx_id="huge", amount="1e999999"),  # once crashed the fact serialiser
        row(tx_id="long", counterparty_name="x" * 1_000_001),
        row(tx_id="wide", amount="9" * 500_000),
    ]
    alerts, result = run_rows(rows, dead_letter=dead)
    assert [a["tx_ids"] for a in large_value(alerts)] == [["good"]]
    reasons = {d["line"]: d["message"] for d in _dead(dead)}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "positive" in reasons[2]
    assert "JPY" in reasons[3]
    assert "ISO 8601" in reasons[4]
    assert "customer_id" in reasons[5]
    assert "direction" in reasons[6]
    assert "out of range" in reasons[8] and "not a number" in reasons[9]
    assert "out of range" in reasons[10] and "longer than" in reasons[11]
    assert "out of range" in reasons[12] and len(reasons[12]) < 200  # the value is cut short
    # an over-long row keeps its first MAX_ROW characters (never read whole: a gzip bomb)
    assert len(_dead(dead)[9]["raw"]) == 1_000_000
    assert result.stats.dead == 11 and result.stats.transactions == 1
    assert result.rejected == {"invalid_field": 8, "missing_field": 1, "too_long": 1, "unknown_currency": 1}


def test_malformed_json_line_is_a_dead_letter_not_a_stop(run_rows: RunRows, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "x.jsonl", [row(tx_id="a", amount="50000")])
    with source.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n[1, 2]\n")
        fh.write(json.dumps(row(tx_id="b", amount="1")) + "\n")
    from regtech_engine.monitor.ingest import open_text, read_transactions
    from regtech_engine.monitor.rates import Rates

    with open_text(source) as stream:
        items = [item for _, item in read_transactions(stream, source, Rates())]
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Tx", "DeadRow", "DeadRow", "Tx"]
    assert items[1].line == 2 and "JSON" in items[1].message  # type: ignore[union-attr]


def test_repeated_tx_id_is_counted_once(run_rows: RunRows) -> None:
    same = row(tx_id="dup", amount="30000")
    alerts, result = run_rows([same, dict(same), row(tx_id="other", amount="19999")])
    assert large_value(alerts) == []  # 30,000 + 19,999 < 50,000: the repeat is not added
    assert result.stats.duplicates == 1


def test_repeat_on_a_later_day_is_still_counted_once(run_rows: RunRows) -> None:
    first = row(tx_id="dup", amount="30000")
    _alerts, result = run_rows([first, row(tx_id="next", timestamp="2025-10-01T09:00:00"), dict(first)])
    assert result.stats.duplicates == 1 and result.stats.dead == 0


def test_line_order_within_a_day_does_not_change_alerts(tmp_path: Path, run_rows: RunRows) -> None:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=1500, seed=3, plants=2, days=10))
    lines = files[0].read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    baseline, _ = run_rows(rows)

    from regtech_engine.monitor.clock import Clock

    clock = Clock()
    days: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        days.setdefault(clock.read(r["timestamp"])[2].isoformat(), []).append(r)
    rng = random.Random(5)
    shuffled: list[dict[str, Any]] = []
    for day in sorted(days):
        batch = days[day][:]
        rng.shuffle(batch)
        shuffled.extend(batch)
    assert shuffled != rows
    again, _ = run_rows(shuffled)
    assert again == baseline
    assert len(baseline) > 20


def test_a_row_for_a_closed_day_in_a_file_is_sorted_not_late(run_rows: RunRows) -> None:
    alerts, result = run_rows(
        [
            row(timestamp="2025-10-01T10:00:00", amount="30000"),
            row(timestamp="2025-10-02T10:00:00"),
            row(timestamp="2025-10-01T23:00:00", amount="20000"),
        ]
    )
    assert result.stats.dead == 0 and result.sorted_runs == 0
    assert [a["total"] for a in large_value(alerts)] == ["50000.00"]


def test_an_earlier_day_still_open_is_not_late(run_rows: RunRows) -> None:
    alerts, result = run_rows(
        [
            row(timestamp="2025-10-02T10:00:00", amount="50000"),
            row(timestamp="2025-10-01T10:00:00", amount="50000"),
        ]
    )
    assert result.stats.dead == 0
    assert [a["business_date"] for a in large_value(alerts)] == ["2025-10-01", "2025-10-02"]


def test_csv_and_gzip_input(tmp_path: Path, monitoring_pack: Any, rates: Any) -> None:
    from regtech_engine.monitor.runner import RunOptions, run

    csv_text = (
        "tx_id,timestamp,customer_id,customer_type,account_id,direction,channel,"
        "amount,currency,counterparty_id,counterparty_country,cross_border\n"
        "c1,2025-09-30T10:00:00,C1,individual,A1,out,transfer,150000,CNY,X1,HK,\n"
        "c2,2025-09-30T11:00:00,C1,individual,A2,out,transfer,50000,CNY,X2,,true\n"
        "c3,2025-09-30T11:00:00,C1,individual,A2,out\n"
    )
    path = tmp_path / "tx.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\ufeff" + csv_text)  # as a spreadsheet exports it, with a byte-order mark
    out = tmp_path / "alerts.jsonl"
    result = run(RunOptions(str(path), monitoring_pack, rates, output=out))
    [alert] = large_value(read_alerts(out))
    assert alert["category"] == "individual_cross_border_transfer"
    assert alert["tx_ids"] == ["c1", "c2"]
    assert result.stats.dead == 1 and result.dead_sample[0].line == 4


def test_standard_input_through_the_cli(cli: Any, monkeypatch: Any, tmp_path: Path) -> None:
    import io
    import sys

    text = json.dumps(row(tx_id="s1", amount="50000")) + "\n" + "oops\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    result = cli("monitor", "-", "--max-rejected", "1")
    assert result.code == 0
    [alert] = [json.loads(line) for line in result.out.splitlines()]
    assert alert["tx_ids"] == ["s1"]
    assert "1 rejected" in result.err and "-:2" in result.err


def test_amounts_as_json_numbers(run_rows: RunRows) -> None:
    alerts, _ = run_rows([row(tx_id="n1", amount=25000), row(tx_id="n2", amount=25000.0)])
    [alert] = large_value(alerts)
    assert alert["total"] == "50000.00"


_DAY_ROWS = [
    row(
        tx_id=f"h{i}",
        timestamp=f"2025-09-30T{8 + i:02d}:00:00",
        amount=amount,
        account_id=f"A{i % 2}",
        direction=direction,
        channel=channel,
        counterparty_id=f"X{i}" if channel != "cash" else None,
    )
    for i, (amount, direction, channel) in enumerate(
        [
            ("30000", "in", "cash"),
            ("20000", "in", "cash"),
            ("45000", "out", "cash"),
            ("300000", "in", "transfer"),
            ("200000", "in", "transfer"),
            ("290000", "out", "transfer"),
            ("5000", "out", "transfer"),
            ("44000", "out", "cash"),
        ]
    )
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(_DAY_ROWS))
def test_any_order_within_a_day_gives_the_same_alerts(run_rows: RunRows, rows: list[dict[str, Any]]) -> None:
    expected, _ = run_rows(_DAY_ROWS)
    got, _ = run_rows(list(rows))
    assert got == expected
    assert {a.get("typology") or a["category"] for a in expected} >= {
        "cash",
        "individual_domestic_transfer",
        "rapid_in_out",
    }
