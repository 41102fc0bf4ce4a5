"""Bounded monitoring (issue #17 item 7): caps keep memory bounded and never truncate silently.

Where a cap only moves rows to disk (the day buffer, closing a day in chunks) the output is
byte-identical to a run without it; where it drops data (the ids listed in a large-value
total, the evidence ledger, the ids remembered for de-duplication) the alert and the
summary say so.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.limits import Limits, describe
from regtech_engine.monitor.rates import Rates, load_rates
from regtech_engine.monitor.rules import MonitoringPack
from regtech_engine.monitor.runner import RunOptions, RunResult, run

from .conftest import RATES_YAML, RunRows, read_alerts, row, write_jsonl

TINY = Limits(day_rows_in_memory=10, close_chunk=7)


def _with_repeats(source: Path, target: Path) -> Path:
    """The generated rows with, late in some days, identical repeats and conflicting rows
    of the day's first rows (which a tiny day buffer has spilled to disk by then)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    by_day: dict[str, list[str]] = {}
    for line in lines:
        by_day.setdefault(json.loads(line)["timestamp"][:10], []).append(line)
    rng = random.Random(7)
    out: list[str] = []
    for n, day in enumerate(sorted(by_day)):
        rows = by_day[day]
        out.extend(rows)
        if len(rows) > 20 and n % 3 == 0:
            first = json.loads(rows[rng.randrange(5)])
            out.append(json.dumps(first))  # the same transaction again
            conflict = dict(json.loads(rows[rng.randrange(5, 10)]))
            conflict["amount"] = str(float(conflict["amount"]) + 1)
            out.append(json.dumps(conflict))  # another transaction under a used id
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target


def _run(source: Path, pack: MonitoringPack, rates: Rates, out: Path, **options: Any) -> RunResult:
    return run(
        RunOptions(
            str(source), pack, rates, output=out / "alerts.jsonl", dead_letter=out / "dead.jsonl", **options
        )
    )


def test_tiny_caps_give_byte_identical_alerts_and_dead_letters(
    tmp_path: Path, monitoring_pack: MonitoringPack
) -> None:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=6000, seed=3, plants=2))
    rates = load_rates(files[2])
    source = _with_repeats(files[0], tmp_path / "in.jsonl")
    default, tiny = tmp_path / "default", tmp_path / "tiny"
    default.mkdir()
    tiny.mkdir()
    whole = _run(source, monitoring_pack, rates, default)
    bounded = _run(source, monitoring_pack, rates, tiny, limits=TINY)

    alerts = (default / "alerts.jsonl").read_bytes()
    typologies = {a.get("typology") or a["kind"] for a in read_alerts(default / "alerts.jsonl")}
    assert len(typologies) == 11, typologies  # every typology and large-value reports
    assert (tiny / "alerts.jsonl").read_bytes() == alerts
    dead = (default / "dead.jsonl").read_bytes()
    assert dead.count(b"duplicate_conflict") >= 10
    assert (tiny / "dead.jsonl").read_bytes() == dead
    assert bounded.stats == whole.stats
    assert whole.stats.duplicates >= 10
    assert bounded.caps.counts["day_rows_in_memory"] > 1000  # the days were spilled
    assert "day_rows_in_memory" not in whole.caps.counts
    # standard input (through the reorder buffer) under the same caps: the same alerts
    piped = tmp_path / "piped.jsonl"
    stream = io.StringIO(source.read_text(encoding="utf-8"))
    run(RunOptions("-", monitoring_pack, rates, output=piped, limits=TINY, max_lateness=3600), stdin=stream)
    assert piped.read_bytes() == alerts


def test_memory_stays_bounded_on_one_customers_huge_day() -> None:
    """300,000 rows of one customer in one business day, in a child process: with caps
    that spill the day, the peak stays far below what the rows cost held in memory."""
    child = textwrap.dedent(
        """
        import gc, json, sys
        from regtech_engine.monitor.ingest import to_tx
        from regtech_engine.monitor.limits import Limits
        from regtech_engine.monitor.loop import Monitor
        from regtech_engine.monitor.rates import Rates
        from regtech_engine.monitor.rules import load_pack

        n, bounded = int(sys.argv[1]), sys.argv[2] == "1"
        gc.set_threshold(100_000, 50, 100)  # as the command line runs
        big = 10**9
        caps = (
            Limits(day_rows_in_memory=10_000, close_chunk=2_000, ledger_briefs=10_000, dedup_ids=10_000)
            if bounded
            else Limits(day_rows_in_memory=big, close_chunk=big, ledger_briefs=big, dedup_ids=big)
        )
        monitor = Monitor()
        monitor.attach(load_pack(), monitor.calendar, caps)
        rates = Rates()
        for i in range(n):
            t = 86_000 * i // n
            row = {
                "tx_id": f"T{i:07d}", "customer_id": "C1", "customer_type": "individual",
                "timestamp": f"2025-09-30T{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}",
                "account_id": "A1", "direction": "out", "channel": "card",
                "amount": f"{10 + i % 500}.25", "currency": "CNY",
            }
            monitor.feed(to_tx(row, i + 1, rates))
        alerts = monitor.finish()
        # this process's own peak: ru_maxrss would count the parent's size at the fork
        with open("/proc/self/status", encoding="ascii") as fh:
            peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
        print(json.dumps({"peak_mb": peak, "alerts": len(alerts), "caps": monitor.features.caps.counts}))
        """
    )

    def peak(n: int, bounded: bool) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", child, str(n), "1" if bounded else "0"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        figures: dict[str, Any] = json.loads(done.stdout)
        return figures

    small, larger = peak(20_000, False), peak(60_000, False)
    per_row = (larger["peak_mb"] - small["peak_mb"]) / 40_000
    linear = larger["peak_mb"] + per_row * 240_000  # the unbounded run at 300,000 rows
    held = peak(300_000, True)
    assert held["alerts"] == 1  # the day's large-value report (exact total, first ids listed)
    assert held["caps"]["day_rows_in_memory"] == 300_000
    assert held["peak_mb"] < 300
    assert held["peak_mb"] - small["peak_mb"] < 0.5 * (linear - small["peak_mb"]), (held, small, linear)


def test_a_total_with_more_ids_than_listed_says_so(run_rows: RunRows) -> None:
    rows = [
        row(tx_id=f"d{i:02d}", timestamp=f"2025-09-30T{8 + i // 6:02d}:{i % 6 * 10:02d}:00", amount="2000")
        for i in range(30)
    ]
    alerts, result = run_rows(rows, limits=Limits(day_total_tx_ids=10))
    [report] = [a for a in alerts if a["kind"] == "large_value"]
    assert report["total"] == "60000.00"  # every transaction counted
    assert report["tx_ids"] == [f"d{i:02d}" for i in range(10)]  # the first ten by time
    assert [t["tx_id"] for t in report["transactions"]] == report["tx_ids"]
    assert report["limits"] == [
        "tx_ids lists the first 10 (by time) of the 30 transactions in this total (limit "
        "day_total_tx_ids = 10); the total counts them all"
    ]
    assert "in 30 cash transaction(s)" in report["narrative"]["en"]
    assert "and 20 more" in report["narrative"]["en"]
    assert result.caps.counts == {"day_total_tx_ids": 1}
    assert describe(result.caps, result.limits)[0].startswith("day_total_tx_ids = 10: 1 large-value")
    # without the cap: all 30 listed, no note
    whole, _ = run_rows([dict(r, tx_id=f"e{r['tx_id']}") for r in rows])
    [full] = [a for a in whole if a["kind"] == "large_value"]
    assert len(full["tx_ids"]) == 30 and "limits" not in full


def test_an_alert_naming_evicted_transactions_lists_them_by_id_and_says_so(
    tmp_path: Path, monitoring_pack: MonitoringPack
) -> None:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=3000, seed=5, plants=2))
    rates = load_rates(files[2])
    default, small = tmp_path / "default", tmp_path / "small"
    default.mkdir()
    small.mkdir()
    _run(files[0], monitoring_pack, rates, default)
    result = _run(files[0], monitoring_pack, rates, small, limits=Limits(ledger_briefs=5))
    before, after = read_alerts(default / "alerts.jsonl"), read_alerts(small / "alerts.jsonl")
    assert [a["tx_ids"] for a in after] == [a["tx_ids"] for a in before]  # the same evidence
    noted = [a for a in after if a.get("limits")]
    assert noted
    for alert in noted:
        bare = [t for t in alert["transactions"] if set(t) == {"tx_id"}]
        assert bare, alert
        assert (
            f"transactions shows {len(bare):,} of these {len(alert['transactions']):,} "
            "transactions by tx_id only" in alert["limits"][-1]
        )
        if alert["kind"] == "suspicious":  # its total covers only the records kept, and says so
            kept = len(alert["transactions"]) - len(bare)
            assert f"(the {kept} whose records were kept)" in alert["narrative"]["en"]
    assert not any(set(t) == {"tx_id"} for a in after if not a.get("limits") for t in a["transactions"])
    assert result.caps.counts["ledger_briefs"] > 0


def test_the_summary_has_a_limits_section_and_bad_caps_exit_2(cli: Any, tmp_path: Path) -> None:
    rows = [
        row(tx_id=f"s{i}", timestamp=f"2025-09-{10 + i // 4}T1{i % 4}:00:00", amount="30000")
        for i in range(40)
    ]
    # day 10's first id again on day 15, with other values: a conflict while it is remembered
    conflict = {**rows[0], "timestamp": "2025-09-15T13:30:00"}
    source = write_jsonl(tmp_path / "in.jsonl", [*rows[:24], conflict, *rows[24:]])
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    base = ["monitor", str(source), "--rates", str(rates), "--output", str(tmp_path / "a.jsonl")]
    remembered = cli(*base, "--max-rejected", "1")
    assert remembered.code == 0, remembered.err
    assert "41 rows: 40 transactions, 0 repeated tx_id, 1 rejected (duplicate_conflict 1)" in remembered.err
    assert "limits (caps hit" not in remembered.err

    res = cli(*base, "--limit", "day_total_tx_ids=2", "--limit", "ledger_briefs=3", "--limit", "dedup_ids=6")
    assert res.code == 0, res.err
    # the id was forgotten early: the row was monitored as a new transaction
    assert "41 rows: 41 transactions, 0 repeated tx_id, 0 rejected" in res.err
    assert "ids of business days up to 2025-09-18 were forgotten before their 7 days" in res.err
    section = res.err.split("limits (caps hit")[1].splitlines()[1:]
    assert [line.split(" =")[0].strip() for line in section] == [
        "day_total_tx_ids",
        "dedup_ids",
        "ledger_briefs",
    ]
    assert section[0].startswith("  day_total_tx_ids = 2: 10 large-value reports listing the first")
    assert "(e.g. C1 2025-09-10, C1 2025-09-11, C1 2025-09-12" in section[0]
    assert "the total and count are exact" in section[0]
    assert "a repeat of a forgotten row is not recognised" in section[1]
    for bad, says in (
        ("nothing=1", "expected NAME=VALUE with NAME one of day_rows_in_memory"),
        ("ledger_briefs=0", "ledger_briefs takes a whole number of at least 1"),
        ("ledger_briefs=many", "ledger_briefs takes a whole number of at least 1"),
        ("ledger_briefs", "expected NAME=VALUE"),
    ):
        res = cli(*base, "--limit", bad)
        assert res.code == 2 and says in res.err, (bad, res.err)


def test_a_checkpoint_waits_for_a_spilled_day_and_the_resume_gives_the_same_alerts(
    tmp_path: Path, monitoring_pack: MonitoringPack, rates: Rates
) -> None:
    """A checkpoint due while a day is on disk is deferred to the day's close (the state
    holds no temporary files); stopping in the spilled day resumes from the checkpoint
    before it, and the alerts are those of an uninterrupted run."""
    rows = [
        row(
            tx_id=f"r{day}-{i:03d}",
            timestamp=f"2025-09-{day}T{8 + i // 60:02d}:{i % 60:02d}:00",
            amount="9000",
        )
        for day, count in ((22, 150), (23, 600), (24, 30))
        for i in range(count)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    caps = Limits(day_rows_in_memory=200, close_chunk=7)
    whole = tmp_path / "whole.jsonl"
    run(RunOptions(str(source), monitoring_pack, rates, output=whole))
    out, ckpt = tmp_path / "out.jsonl", tmp_path / "ckpt"
    options: dict[str, Any] = dict(output=out, checkpoint=ckpt, checkpoint_every=100, limits=caps)
    first = run(RunOptions(str(source), monitoring_pack, rates, stop_after=720, **options))
    assert not first.completed
    second = run(RunOptions(str(source), monitoring_pack, rates, resume=True, **options))
    # rows 400 to 700 fell in day 23 after it spilled (its 200th row): no checkpoint there
    assert second.resumed_from == 300
    assert second.completed
    assert out.read_bytes() == whole.read_bytes()
    assert whole.read_text(encoding="utf-8").count("\n") >= 3
    assert any(
        note.startswith("checkpoint deferred: business day 2025-09-23 held") for note in second.notes
    ), second.notes


def _tx(n: int, amount: str = "10.00") -> Any:
    from regtech_engine.monitor.ingest import to_tx

    fields = row(tx_id=f"b{n:05d}", timestamp=f"2025-09-30T10:{n % 60:02d}:{n * 7 % 60:02d}", amount=amount)
    return to_tx(fields, n + 1, Rates())


def _buffer_of(n: int, cap: int) -> Any:
    from regtech_engine.monitor.day_buffer import DayBuffer

    buffer = DayBuffer()
    for i in range(n):
        tx = _tx(i)
        buffer.rows[tx.tx_id] = tx
        if len(buffer.rows) >= cap:
            buffer.spill()
    return buffer


def test_the_day_buffer_finds_every_spilled_row_and_gives_the_day_in_order() -> None:
    from regtech_engine.monitor.day_buffer import fingerprint
    from regtech_engine.monitor.records import SORT_KEY

    buffer = _buffer_of(1000, 64)
    assert len(buffer) == 1000 and buffer.spilled == 960 and len(buffer.runs) == 15
    assert len(buffer.indexes) <= 4  # merged as they double (15 = 8 + 4 + 2 + 1)
    try:
        for i in (0, 1, 63, 64, 500, 959, 960, 999):
            tx = _tx(i)
            assert buffer.match(tx) == fingerprint(tx)  # the same row again
            assert buffer.match(_tx(i, "11.00")) == fingerprint(tx)  # its id, other values
            assert buffer[tx.tx_id] == tx
        assert buffer.match(_tx(1000)) is None
        assert [tx.tx_id for tx in buffer.values()] == [
            tx.tx_id for tx in sorted((_tx(i) for i in range(1000)), key=SORT_KEY)
        ]
    finally:
        buffer.close()


def test_ids_whose_hashes_collide_are_told_apart_by_reading_the_row_back(monkeypatch: Any) -> None:
    from regtech_engine.monitor import day_buffer

    monkeypatch.setattr(day_buffer, "_key", lambda tx_id: 7)  # every id has the same hash
    buffer = _buffer_of(300, 50)
    try:
        assert buffer.match(_tx(400)) is None  # a new id: every candidate read back, none is it
        assert buffer.match(_tx(17, "99.00")) == day_buffer.fingerprint(_tx(17))  # a conflict
        assert buffer.match(_tx(17)) == day_buffer.fingerprint(_tx(17))  # the same row again
        assert buffer[_tx(250).tx_id] == _tx(250)
    finally:
        buffer.close()
