"""Transaction-monitoring steps, in English and Chinese (``# language: zh-CN``).

The plain functions below do the work through the public monitoring API (the same runner
``regtech monitor`` uses); the step bindings at the end give each one an English and a
Chinese wording. ``plugin.py`` registers this module beside the spec-checking steps.

    Given the transactions:                       假如有以下交易：
      | tx_id | timestamp | customer_id | ... |       | tx_id | timestamp | customer_id | ... |
    When the transactions are monitored           当监测这些交易
    Then a large-value report is raised for customer "C1" on 2025-09-30, due 2025-10-14
         那么为客户“C1”在2025-09-30生成大额交易报告，报送截止2025-10-14
    Then no alert is raised for customer "C2"     那么客户“C2”没有预警
    Then a suspicious alert of typology "structuring" names transactions "s1, s2, s3"
         那么“structuring”类型的可疑预警列出交易“s1, s2, s3”

Table columns are the contract's field names (contracts/transactions.md); empty cells are
absent fields. Then-steps run the monitor themselves if no When-step did.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

Alert = dict[str, Any]
_Q = r"[\"“「](?P<{}>[^\"”」]+)[\"”」]"  # a quoted slot, ASCII or Chinese quotes


@dataclass
class MonitorScenario:
    """One scenario's transactions and, once monitored, its alerts."""

    rows: list[dict[str, str]] = field(default_factory=list)
    rates: dict[str, tuple[str, str]] = field(default_factory=lambda: {"USD": ("7.10", "1")})
    alerts: list[Alert] | None = None


class MonitorStepFailure(AssertionError):
    """A Then-step whose expectation the alerts do not meet (message says what was found)."""


# -- plain functions ----------------------------------------------------------------------
def transactions_from_table(table: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """Rows of a Gherkin table (header row first) as transactions; empty cells are absent."""
    if not table or len(table) < 2:
        raise MonitorStepFailure("the transaction table needs a header row and at least one row")
    header = [h.strip() for h in table[0]]
    return [{k: v.strip() for k, v in zip(header, line, strict=True) if v.strip()} for line in table[1:]]


def monitor_rows(rows: list[dict[str, str]], rates: dict[str, tuple[str, str]] | None = None) -> list[Alert]:
    """Run the shipped monitoring pack over ``rows``; the alerts, as ``regtech monitor``."""
    from decimal import Decimal

    from ..monitor.rates import Rates
    from ..monitor.runner import RunOptions, run

    table = {k: (Decimal(c), Decimal(u)) for k, (c, u) in (rates or {}).items()}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "transactions.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        out = Path(tmp) / "alerts.jsonl"
        result = run(RunOptions(str(source), _pack(), Rates(table), output=out))
        if result.dead_sample:
            bad = result.dead_sample[0]
            raise MonitorStepFailure(f"row {bad.line} of the table was rejected: {bad.message}")
        return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x]


_PACK: list[Any] = []


def _pack() -> Any:
    if not _PACK:
        from ..monitor.rules import load_pack

        _PACK.append(load_pack())
    return _PACK[0]


def _summary(alerts: list[Alert]) -> str:
    if not alerts:
        return "no alerts"
    return "; ".join(
        f"{a['kind']} {a.get('typology') or a.get('category')} customer {a['customer_id']} "
        f"{a['business_date']} tx {','.join(a['tx_ids'])}"
        for a in alerts
    )


def assert_large_value_report(alerts: list[Alert], customer: str, date: str, due: str | None = None) -> Alert:
    """A large-value report for ``customer`` on business date ``date`` (due ``due``)."""
    found = [
        a
        for a in alerts
        if a["kind"] == "large_value" and a["customer_id"] == customer and a["business_date"] == date
    ]
    if not found:
        raise MonitorStepFailure(
            f"no large-value report for customer {customer} on {date}; got: {_summary(alerts)}"
        )
    if due is not None and not any(a.get("report_due") == due for a in found):
        dues = sorted({str(a.get("report_due") or a.get("report_due_error")) for a in found})
        raise MonitorStepFailure(f"the report for {customer} on {date} is due {dues}, not {due}")
    return found[0]


def assert_no_alert(alerts: list[Alert], customer: str) -> None:
    mine = [a for a in alerts if a["customer_id"] == customer]
    if mine:
        raise MonitorStepFailure(f"customer {customer} has alerts: {_summary(mine)}")


def assert_suspicious_names(alerts: list[Alert], typology: str, tx_ids: Sequence[str]) -> Alert:
    """A suspicious alert of ``typology`` naming at least all of ``tx_ids``."""
    wanted = set(tx_ids)
    candidates = [a for a in alerts if a.get("typology") == typology]
    for alert in candidates:
        if wanted <= set(alert["tx_ids"]):
            return alert
    raise MonitorStepFailure(
        f"no {typology} alert names {', '.join(sorted(wanted))}; got: {_summary(candidates)}"
    )


def split_ids(text: str) -> list[str]:
    return [t for t in re.split(r"[,，、\s]+", text) if t]


# -- step bindings ------------------------------------------------------------------------
@pytest.fixture
def monitor_scenario() -> MonitorScenario:
    """The transactions and alerts of one monitoring scenario."""
    return MonitorScenario()


def _alerts(scenario: MonitorScenario) -> list[Alert]:
    if scenario.alerts is None:
        scenario.alerts = monitor_rows(scenario.rows, scenario.rates)
    return scenario.alerts


_DATE = r"(?P<{}>\d{{4}}-\d{{2}}-\d{{2}})"


@given(parsers.re(r"the transactions:?"))
@given(parsers.re(r"(?:有以下交易|交易如下)[:：]?"))
def _given_transactions(monitor_scenario: MonitorScenario, datatable: Sequence[Sequence[str]]) -> None:
    monitor_scenario.rows.extend(transactions_from_table(datatable))
    monitor_scenario.alerts = None


@when(parsers.re(r"the transactions are monitored"))
@when(parsers.re(r"监测这些交易"))
def _when_monitored(monitor_scenario: MonitorScenario) -> None:
    monitor_scenario.alerts = monitor_rows(monitor_scenario.rows, monitor_scenario.rates)


@then(
    parsers.re(
        r"a large-value report is raised for customer "
        + _Q.format("customer")
        + r" on "
        + _DATE.format("date")
        + r", due "
        + _DATE.format("due")
    )
)
@then(
    parsers.re(
        r"为客户"
        + _Q.format("customer")
        + r"在"
        + _DATE.format("date")
        + r"生成大额交易报告[，,]\s*报送截止"
        + _DATE.format("due")
    )
)
def _then_large_value(monitor_scenario: MonitorScenario, customer: str, date: str, due: str) -> None:
    assert_large_value_report(_alerts(monitor_scenario), customer, date, due)


@then(parsers.re(r"no alert is raised for customer " + _Q.format("customer")))
@then(parsers.re(r"客户" + _Q.format("customer") + r"没有预警"))
def _then_no_alert(monitor_scenario: MonitorScenario, customer: str) -> None:
    assert_no_alert(_alerts(monitor_scenario), customer)


@then(
    parsers.re(
        r"a suspicious alert of typology "
        + _Q.format("typology")
        + r" names transactions "
        + _Q.format("ids")
    )
)
@then(parsers.re(_Q.format("typology") + r"类型的可疑预警列出交易" + _Q.format("ids")))
def _then_suspicious(monitor_scenario: MonitorScenario, typology: str, ids: str) -> None:
    assert_suspicious_names(_alerts(monitor_scenario), typology, split_ids(ids))
