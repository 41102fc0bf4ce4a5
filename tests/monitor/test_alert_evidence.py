"""Issue 12, point 7: alerts an analyst can act on (CLI in, alerts, table and CSV out).

Every alert carries its transactions (id, time, amount, currency, counterparty), the tests
that fired with the feature values and the thresholds in force, and a narrative in zh and
en; large-value reports carry what the filing needs; ``alerts list`` shows them as a table
with headers and exports CSV, byte for byte the same for the same input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset

from .conftest import RATES_YAML, large_value, read_alerts, row, suspicious, write_jsonl

TX_FIELDS = {"tx_id", "time", "account_id", "direction", "channel", "amount", "currency"}

# three cash deposits just under the 50,000 CNY threshold over three days (structuring), and
# a day whose cash deposits through two accounts, one in USD, add up to a report
ROWS = [
    row(
        tx_id="s1",
        timestamp="2025-09-22T09:00:00",
        customer_id="S",
        account_id="S-A",
        amount="48000",
        counterparty_name="张三",
    ),
    row(tx_id="s2", timestamp="2025-09-23T09:00:00", customer_id="S", account_id="S-A", amount="47000.50"),
    row(tx_id="s3", timestamp="2025-09-24T09:00:00", customer_id="S", account_id="S-A", amount="49000"),
    row(tx_id="L1", timestamp="2025-09-30T10:00:00", customer_id="L", account_id="L-1", amount="30000"),
    row(
        tx_id="L2",
        timestamp="2025-09-30T15:30:00",
        customer_id="L",
        account_id="L-2",
        amount="20000",
        counterparty_id="X9",
    ),
]


@pytest.fixture
def monitored(cli: Any, tmp_path: Path) -> tuple[list[dict[str, Any]], Path]:
    source = write_jsonl(tmp_path / "tx.jsonl", ROWS)
    out, store = tmp_path / "alerts.jsonl", tmp_path / "alerts.db"
    result = cli("monitor", str(source), "--output", str(out), "--store", str(store))
    assert result.code == 0, result.err
    return read_alerts(out), store


def test_a_suspicious_alert_carries_transactions_thresholds_and_narrative(
    monitored: tuple[list[dict[str, Any]], Path], monitoring_pack: Any
) -> None:
    alerts, _ = monitored
    [alert] = suspicious(alerts, "structuring")
    assert [t["tx_id"] for t in alert["transactions"]] == ["s1", "s2", "s3"]
    first = alert["transactions"][0]
    assert first == {
        "tx_id": "s1",
        "time": "2025-09-22T09:00:00+08:00",
        "account_id": "S-A",
        "direction": "in",
        "channel": "cash",
        "amount": "48000",
        "currency": "CNY",
        "counterparty_name": "张三",
    }
    assert alert["transactions"][1]["amount"] == "47000.50"
    params = monitoring_pack.context(dt.date(2025, 9, 24)).params
    assert alert["features"] == [
        {
            "feature": "structuring_count",
            "value": 3,
            "test": "ge",
            "threshold": params["monitor.structuring.min_count"],
            "parameter": "monitor.structuring.min_count",
        }
    ]
    en, zh = alert["narrative"]["en"], alert["narrative"]["zh"]
    assert en.startswith("Structuring") and "structuring_count = 3" in en
    assert "at or above monitor.structuring.min_count = 3" in en
    assert "144,000.50 CNY" in en and "s1, s2, s3" in en
    assert zh.startswith("拆分交易") and "达到或超过 monitor.structuring.min_count = 3" in zh
    assert "客户 S" in zh and "144,000.50 CNY" in zh


def test_a_large_value_report_carries_what_the_filing_needs(
    monitored: tuple[list[dict[str, Any]], Path],
) -> None:
    alerts, _ = monitored
    [report] = large_value(alerts, customer_id="L")
    assert {
        k: report[k]
        for k in (
            "customer_id",
            "customer_type",
            "accounts",
            "business_date",
            "category",
            "direction",
            "currency_basis",
            "currencies",
            "total",
            "tx_ids",
            "report_due",
        )
    } == {
        "customer_id": "L",
        "customer_type": "individual",
        "accounts": ["L-1", "L-2"],
        "business_date": "2025-09-30",
        "category": "cash",
        "direction": "in",
        "currency_basis": "CNY",
        "currencies": ["CNY"],
        "total": "50000.00",
        "tx_ids": ["L1", "L2"],
        "report_due": "2025-10-14",
    }
    assert [t["time"] for t in report["transactions"]] == [
        "2025-09-30T10:00:00+08:00",
        "2025-09-30T15:30:00+08:00",
    ]
    assert report["transactions"][1]["counterparty_id"] == "X9"
    assert all(set(t) >= TX_FIELDS for t in report["transactions"])
    assert report["features"] == [
        {
            "feature": "total",
            "value": 50000,
            "test": "ge",
            "threshold": 50000,
            "parameter": "monitor.lv.cash.cny",
        }
    ]
    assert "report due 2025-10-14" in report["narrative"]["en"]
    assert "应于 2025-10-14 前报告" in report["narrative"]["zh"]
    assert "L-1, L-2" in report["narrative"]["en"]


def test_every_alert_of_every_typology_names_its_transactions_in_full(tmp_path: Path, run_rows: Any) -> None:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=3000, seed=5, plants=1, days=12))
    rows = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    alerts, _ = run_rows(rows)
    kinds = {a.get("typology") or a["category"] for a in alerts}
    assert len(kinds) >= 12  # the generator plants every typology and category
    for alert in alerts:
        assert [t["tx_id"] for t in alert["transactions"]] == alert["tx_ids"]
        assert all(set(t) >= TX_FIELDS for t in alert["transactions"]), alert["alert_id"]
        assert alert["features"], alert["rule_id"]
        assert alert["narrative"]["en"] and alert["narrative"]["zh"]


def test_alerts_list_is_a_table_with_headers(cli: Any, monitored: tuple[list[dict[str, Any]], Path]) -> None:
    _, store = monitored
    listed = cli("monitor", "alerts", "list", "--store", str(store))
    assert listed.code == 0
    header, *lines = listed.out.splitlines()
    assert header.split() == [
        "alert_id",
        "status",
        "kind",
        "rule",
        "customer",
        "account",
        "business_date",
        "direction",
        "amount",
        "currency",
        "txs",
        "report_due",
        "thresholds",
    ]
    [report] = [line for line in lines if "large_value" in line]
    assert "50,000.00" in report and "L-1, L-2" in report and "2025-10-14" in report
    [structuring] = [line for line in lines if "structuring" in line]
    assert "144,000.50" in structuring and "structuring_count 3 >= 3" in structuring
    detailed = cli(
        "monitor",
        "alerts",
        "list",
        "--store",
        str(store),
        "--details",
        "--lang",
        "zh",
        "--kind",
        "suspicious",
    ).out
    assert "拆分交易" in detailed and "counterparty_name" in detailed and "张三" in detailed


def test_alerts_list_exports_csv_one_line_per_transaction(
    cli: Any, tmp_path: Path, monitored: tuple[list[dict[str, Any]], Path]
) -> None:
    _, store = monitored
    target = tmp_path / "alerts.csv"
    result = cli(
        "monitor", "alerts", "list", "--store", str(store), "--format", "csv", "--output", str(target)
    )
    assert result.code == 0 and result.out == ""
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    report = [r for r in table if r["kind"] == "large_value"]
    assert [r["tx_id"] for r in report] == ["L1", "L2"]
    assert {
        (r["customer_id"], r["total"], r["report_due"], r["category"], r["direction"], r["account"])
        for r in report
    } == {("L", "50000.00", "2025-10-14", "cash", "in", "L-1, L-2")}
    assert [r["tx_amount"] for r in report] == ["30000", "20000"]
    assert report[0]["narrative_zh"].startswith("大额交易报告")
    assert cli("monitor", "alerts", "list", "--store", str(store), "--format", "csv").out == target.read_text(
        encoding="utf-8"
    )


def test_alert_output_is_byte_identical_for_identical_input(cli: Any, tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    source = write_jsonl(tmp_path / "tx.jsonl", ROWS)
    outputs = []
    for n in (1, 2):
        out, store = tmp_path / f"a{n}.jsonl", tmp_path / f"s{n}.db"
        assert (
            cli(
                "monitor", str(source), "--rates", str(rates), "--output", str(out), "--store", str(store)
            ).code
            == 0
        )
        listed = cli("monitor", "alerts", "list", "--store", str(store), "--format", "csv").out
        outputs.append((out.read_bytes(), listed))
    assert outputs[0] == outputs[1]
