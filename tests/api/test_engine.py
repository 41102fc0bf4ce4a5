"""The embedding API: one Engine shared by threads, bounded memory, no process-wide state."""

from __future__ import annotations

import datetime as dt
import gc
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import regtech_engine
from regtech_engine import Engine
from regtech_engine.api import as_spec
from regtech_engine.reporters import renderer
from regtech_engine.vocabulary import Lang
from tests.conftest import FIXTURES

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_public_names_are_few_sorted_and_lazy() -> None:
    assert regtech_engine.__all__ == sorted(regtech_engine.__all__)
    for name in regtech_engine.__all__:
        assert getattr(regtech_engine, name) is not None
    with pytest.raises(AttributeError):
        regtech_engine.Checker  # noqa: B018  (internal, not exported)


def test_check_accepts_paths_text_and_mappings(engine: Engine) -> None:
    path = FIXTURES / "face-pay.yaml"
    by_path = engine.check(path, as_of=AS_OF)
    by_text = engine.check(path.read_text(encoding="utf-8"), as_of=AS_OF)
    assert by_path.failed and by_text.failed
    assert [f.fingerprint for f in by_path.all_findings()] == [f.fingerprint for f in by_text.all_findings()]
    bare = engine.check(
        {"spec_version": 1, "product": {"id": "x", "name": "X", "category": "other"}}, as_of=AS_OF
    )
    assert {f.rule_id for f in bare.all_findings()} == {"SCOPE-DATA-SECURITY-MISSING"}


def test_threads_give_the_reports_of_a_serial_run(engine: Engine) -> None:
    specs = [as_spec(p, p.name) for p in sorted(FIXTURES.glob("*.y*ml"))]
    specs += [as_spec(p, p.name) for p in sorted(FIXTURES.glob("*.json"))]
    dates = [AS_OF, dt.date(2024, 6, 1), dt.date(2022, 1, 1)]
    jobs = [(s, d) for s in specs for d in dates] * 3

    def run(job: tuple[object, dt.date]) -> str:
        spec, day = job
        return renderer("json")(engine.check(spec, as_of=day), Lang.EN)  # type: ignore[arg-type]

    serial = [run(j) for j in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(run, jobs))
    assert threaded == serial


def test_memory_stays_flat_over_thousands_of_dates() -> None:
    """Every as-of date compiles at most one pack per set of parameter values in force; an
    evicted pack frees its engine rulesets, so a long-running process stays flat."""
    engine = Engine.load(cache_size=2)
    spec = as_spec(FIXTURES / "qr-pay-compliant.yaml", "qr")
    first = dt.date(2008, 1, 1)
    dates = [first + dt.timedelta(days=4 * i) for i in range(2000)]  # 2008 to 2029
    engine.checker(dates[0]).check(spec)
    gc.collect()
    before = _rss_mb()
    for day in dates:
        engine.checker(day)
        assert engine.compiled_packs <= 2
    churn = [dt.date(2016, 1, 1), dt.date(2021, 1, 1), dt.date(2026, 1, 1)]
    for i in range(30):  # three packs through a cache of two: a compile and a free each time
        engine.checker(churn[i % 3]).check(spec)
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 40, f"resident memory grew {grown:.0f} MB"
    engine.close()
    assert engine.compiled_packs == 0
    assert not engine.checker(AS_OF).check(spec).findings  # usable after close


def test_no_process_wide_state_is_changed(engine: Engine) -> None:
    thresholds = gc.get_threshold()
    handlers = {s: __import__("signal").getsignal(s) for s in (2, 15)}
    engine.check(FIXTURES / "face-pay.yaml", as_of=AS_OF)
    engine.explain(FIXTURES / "face-pay.yaml", "PIPL-029-SENSITIVE-SEPARATE-CONSENT", as_of=AS_OF)
    assert gc.get_threshold() == thresholds
    assert handlers == {s: __import__("signal").getsignal(s) for s in (2, 15)}
    assert threading.active_count() >= 1


def test_transaction_monitor_feeds_and_closes() -> None:
    from regtech_engine import InputError, TransactionMonitor

    row = {
        "tx_id": "t1",
        "timestamp": "2026-03-02T10:00:00+08:00",
        "customer_id": "c1",
        "customer_type": "individual",
        "account_id": "a1",
        "direction": "in",
        "channel": "cash",
        "amount": 60_000,
        "currency": "CNY",
    }
    monitor = TransactionMonitor()
    assert monitor.feed(row) == []  # the day is still open
    assert monitor.feed(row) == [] and monitor.rejected == []  # the same row again: counted
    assert monitor.feed({**row, "amount": 10}) == []
    assert [d.reason for d in monitor.rejected] == ["duplicate_conflict"]
    with pytest.raises(InputError) as bad:
        monitor.feed({**row, "tx_id": "t2", "amount": "lots"})
    assert bad.value.problems[0].path == "amount"
    alerts = monitor.close()
    assert [(a.rule_id, a.report_due) for a in alerts] == [("AML-LV-CASH", "2026-03-09")]
    gc_before = gc.get_threshold()
    TransactionMonitor().close()
    assert gc.get_threshold() == gc_before


def test_transaction_monitor_takes_caps_and_reports_them() -> None:
    from regtech_engine import InputError, TransactionMonitor

    with pytest.raises(InputError, match="window_rowz"):
        TransactionMonitor(limits={"window_rowz": 5})
    monitor = TransactionMonitor(limits={"day_total_tx_ids": 2})
    for i in range(3):  # three cash deposits of one customer, one day: one large-value total
        monitor.feed(
            {
                "tx_id": f"t{i}",
                "timestamp": f"2026-03-02T1{i}:00:00+08:00",
                "customer_id": "c1",
                "customer_type": "individual",
                "account_id": "a1",
                "direction": "in",
                "channel": "cash",
                "amount": 30_000,
                "currency": "CNY",
            }
        )
    [alert] = monitor.close()
    assert alert.tx_ids == ["t0", "t1"] and alert.limits and "first 2" in alert.limits[0]
    assert monitor.caps == {"day_total_tx_ids": 1}
