"""Helpers for monitoring tests: build rows, run the monitor on them, pick alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.monitor.rates import Rates, load_rates
from regtech_engine.monitor.rules import MonitoringPack, load_pack
from regtech_engine.monitor.runner import RunOptions, RunResult, run
from regtech_engine.monitor.workdays import WorkdayCalendar

RATES_YAML = "USD: {cny: 7.10, usd: 1}\nEUR: {cny: 7.75, usd: 1.09}\n"

Row = dict[str, Any]
Alerts = list[dict[str, Any]]


@pytest.fixture(scope="session")
def monitoring_pack() -> MonitoringPack:
    return load_pack()


@pytest.fixture(scope="session")
def rates(tmp_path_factory: pytest.TempPathFactory) -> Rates:
    path = tmp_path_factory.mktemp("rates") / "rates.yaml"
    path.write_text(RATES_YAML, encoding="utf-8")
    return load_rates(path)


_counter = iter(range(1, 10**9))


def row(**fields: Any) -> Row:
    """A valid individual CNY cash deposit unless told otherwise."""
    base: Row = {
        "tx_id": f"t{next(_counter)}",
        "timestamp": "2025-09-30T10:00:00",
        "customer_id": "C1",
        "customer_type": "individual",
        "account_id": "A1",
        "direction": "in",
        "channel": "cash",
        "amount": "1000.00",
        "currency": "CNY",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_jsonl(path: Path, rows: list[Row]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_alerts(path: Path) -> Alerts:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


RunRows = Callable[..., tuple[Alerts, RunResult]]


@pytest.fixture
def run_rows(tmp_path: Path, monitoring_pack: MonitoringPack, rates: Rates) -> RunRows:
    """Monitor these rows; (alerts, run result)."""
    count = iter(range(10**6))

    def go(
        rows: list[Row], calendar: WorkdayCalendar | None = None, **options: Any
    ) -> tuple[Alerts, RunResult]:
        n = next(count)
        source = write_jsonl(tmp_path / f"in{n}.jsonl", rows)
        out = tmp_path / f"out{n}.jsonl"
        result = run(
            RunOptions(
                str(source), monitoring_pack, rates, calendar or WorkdayCalendar(), output=out, **options
            )
        )
        return read_alerts(out), result

    return go


def large_value(alerts: Alerts, **match: Any) -> Alerts:
    return [a for a in alerts if a["kind"] == "large_value" and all(a.get(k) == v for k, v in match.items())]


def suspicious(alerts: Alerts, typology: str) -> Alerts:
    return [a for a in alerts if a.get("typology") == typology]
