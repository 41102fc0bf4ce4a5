"""Issue 12, point 6: monitoring loses nothing silently (CLI in, alerts and summary out).

A file is monitored in event-time order whatever the order of its rows (sorted in memory or
externally); standard input through a reorder buffer bounded by --max-lateness; every
rejected row keeps its text, line and reason, the summary groups them by reason, and the
exit status is 1 when more rows were rejected than --max-rejected allows.
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.runner import RunOptions, run

from .conftest import RATES_YAML, large_value, read_alerts, row, write_jsonl

CASH_60K = row(
    tx_id="cash-60k",
    timestamp="2025-09-16T10:15:00",
    customer_id="C60K",
    account_id="A60K",
    amount="60000.00",
)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    """Generated rows in time order with a 60,000 CNY cash deposit among them, and rates."""
    folder = tmp_path_factory.mktemp("gen")
    files = write_dataset(folder, GeneratorConfig(n=1500, seed=7, plants=1, days=8))
    lines = files[0].read_text(encoding="utf-8").splitlines()
    stamp = CASH_60K["timestamp"]
    at = next(i for i, line in enumerate(lines) if json.loads(line)["timestamp"] > stamp)
    lines.insert(at, json.dumps(CASH_60K))
    return lines, files[2]


def _monitor(
    cli: Any, tmp_path: Path, name: str, lines: list[str], rates: Path, *options: str
) -> tuple[Any, str]:
    source = tmp_path / f"{name}.jsonl"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / f"{name}-alerts.jsonl"
    result = cli("monitor", str(source), "--rates", str(rates), "--output", str(out), *options)
    return result, out.read_text(encoding="utf-8")


def _unsorted(lines: list[str]) -> list[str]:
    """Shuffled across days, with the 60,000 CNY deposit moved to the very end."""
    rest = [line for line in lines if "cash-60k" not in line]
    random.Random(3).shuffle(rest)
    return [*rest, json.dumps(CASH_60K)]


def test_an_unsorted_file_gives_the_alerts_of_the_sorted_one(
    cli: Any, tmp_path: Path, dataset: tuple[list[str], Path]
) -> None:
    lines, rates = dataset
    ordered, expected = _monitor(cli, tmp_path, "sorted", lines, rates)
    shuffled, got = _monitor(cli, tmp_path, "unsorted", _unsorted(lines), rates)
    assert ordered.code == 0 and shuffled.code == 0
    assert got == expected  # byte for byte
    [report] = large_value(read_alerts(tmp_path / "unsorted-alerts.jsonl"), customer_id="C60K")
    assert report["tx_ids"] == ["cash-60k"] and report["total"] == "60000.00"
    assert " 0 rejected" in shuffled.err
    assert "not in time order" in shuffled.err and "in memory" in shuffled.err
    assert "not in time order" not in ordered.err


def test_a_file_larger_than_the_sort_buffer_is_sorted_in_runs_on_disk(
    cli: Any, tmp_path: Path, dataset: tuple[list[str], Path]
) -> None:
    lines, rates = dataset
    _, expected = _monitor(cli, tmp_path, "sorted", lines, rates)
    result, got = _monitor(cli, tmp_path, "spilled", _unsorted(lines), rates, "--sort-buffer", "100")
    assert result.code == 0
    assert got == expected
    runs = -(-len(lines) // 100) - 1  # full runs spilled; the last part is merged from memory
    assert f"in {runs} runs of up to 100 rows merged from temporary files" in result.err


def test_a_sorted_file_resumes_from_its_checkpoint(
    tmp_path: Path, monitoring_pack: Any, dataset: tuple[list[str], Path]
) -> None:
    from regtech_engine.monitor.rates import load_rates

    lines, rates_file = dataset
    rates = load_rates(rates_file)
    source = tmp_path / "unsorted.jsonl"
    source.write_text("".join(line + "\n" for line in _unsorted(lines)), encoding="utf-8")
    whole = tmp_path / "whole.jsonl"
    run(RunOptions(str(source), monitoring_pack, rates, output=whole, sort_buffer=300))
    out, ckpt = tmp_path / "part.jsonl", tmp_path / "ckpt"
    options: dict[str, Any] = dict(output=out, checkpoint=ckpt, checkpoint_every=200, sort_buffer=300)
    first = run(RunOptions(str(source), monitoring_pack, rates, stop_after=777, **options))
    assert not first.completed
    second = run(RunOptions(str(source), monitoring_pack, rates, resume=True, **options))
    assert second.resumed_from == 600 and second.completed
    assert out.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")


def test_resuming_a_changed_file_is_refused(
    cli: Any, tmp_path: Path, dataset: tuple[list[str], Path]
) -> None:
    lines, rates = dataset
    source = write_jsonl(tmp_path / "in.jsonl", [json.loads(line) for line in lines[:300]])
    base = [
        "monitor",
        str(source),
        "--rates",
        str(rates),
        "--output",
        str(tmp_path / "o.jsonl"),
        "--checkpoint",
        str(tmp_path / "ck"),
        "--checkpoint-every",
        "100",
    ]
    assert cli(*base).code == 0
    with source.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row(tx_id="added")) + "\n")
    again = cli(*base, "--resume")
    assert again.code == 2 and "changed since the checkpoint" in again.err
    assert "Traceback" not in again.err


def _stdin(monkeypatch: pytest.MonkeyPatch, rows: list[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(r + "\n" for r in rows)))


def test_standard_input_puts_rows_in_order_within_max_lateness(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        json.dumps(row(tx_id="a", timestamp="2025-10-01T23:50:00", amount="30000")),
        json.dumps(row(tx_id="b", timestamp="2025-10-02T00:20:00")),
        json.dumps(row(tx_id="c", timestamp="2025-10-01T23:55:00", amount="20000")),
    ]
    _stdin(monkeypatch, rows)
    result = cli("monitor", "-", "--max-lateness", "30m")
    assert result.code == 0, result.err
    [alert] = [json.loads(line) for line in result.out.splitlines()]
    assert alert["tx_ids"] == ["a", "c"] and alert["business_date"] == "2025-10-01"


def test_standard_input_rows_beyond_max_lateness_are_dead_lettered(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = json.dumps(
        row(tx_id="late", timestamp="2025-10-01T09:00:00", amount="60000.00", counterparty_name="储蓄  所"),
        ensure_ascii=False,
    )
    rows = [
        json.dumps(row(tx_id="a", timestamp="2025-10-01T10:00:00")),
        json.dumps(row(tx_id="b", timestamp="2025-10-01T12:00:00")),
        late,
        json.dumps(row(tx_id="d", timestamp="2025-10-01T11:30:00")),
    ]
    _stdin(monkeypatch, rows)
    dead = tmp_path / "dead.jsonl"
    result = cli("monitor", "-", "--max-lateness", "1h", "--dead-letter", str(dead))
    assert result.code == 1
    [entry] = [json.loads(line) for line in dead.read_text(encoding="utf-8").splitlines()]
    assert entry["source"] == "-" and entry["line"] == 3 and entry["reason"] == "late"
    assert entry["raw"] == late and entry["field"] == "timestamp"
    assert "3h behind" in entry["message"] and "--max-lateness 1h" in entry["message"]
    assert "1 rejected (late 1)" in result.err and "--max-rejected 0: exit 1" in result.err


def test_bad_max_lateness_is_a_usage_error(cli: Any) -> None:
    result = cli("monitor", "-", "--max-lateness", "soon")
    assert result.code == 2 and "10m, 2h, 1d" in result.err and "Traceback" not in result.err


def _with_bad_rows(tmp_path: Path) -> tuple[Path, list[str]]:
    bad = [
        '{"tx_id": "broken", "amount": ',
        json.dumps(row(tx_id="typed", amount=True)),
        json.dumps(row(tx_id="kind", customer_type="robot")),
    ]
    good = [json.dumps(row(tx_id="g1", amount="50000")), json.dumps(row(tx_id="g2"))]
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join([good[0], *bad, good[1]]) + "\n", encoding="utf-8")
    return source, bad


def test_rejected_rows_fail_the_run_and_keep_their_text(cli: Any, tmp_path: Path) -> None:
    source, bad = _with_bad_rows(tmp_path)
    dead = tmp_path / "dead.jsonl"
    result = cli("monitor", str(source), "--dead-letter", str(dead))
    assert result.code == 1
    entries = [json.loads(line) for line in dead.read_text(encoding="utf-8").splitlines()]
    assert [(e["line"], e["reason"], e["raw"]) for e in entries] == [
        (2, "bad_json", bad[0]),
        (3, "invalid_field", bad[1]),
        (4, "invalid_field", bad[2]),
    ]
    assert [e.get("field") for e in entries] == [None, "amount", "customer_type"]
    assert all(e["source"] == str(source) and e["message"] for e in entries)
    assert "3 rejected (bad_json 1, invalid_field 2)" in result.err
    assert "error: 3 rows rejected, more than --max-rejected 0: exit 1" in result.err
    assert len(large_value([json.loads(x) for x in result.out.splitlines()])) == 1


def test_max_rejected_relaxes_the_exit_status(cli: Any, tmp_path: Path) -> None:
    source, _ = _with_bad_rows(tmp_path)
    assert cli("monitor", str(source), "--max-rejected", "3").code == 0
    assert cli("monitor", str(source), "--max-rejected", "2").code == 1


def test_without_a_dead_letter_file_the_rejections_are_located_on_stderr(cli: Any, tmp_path: Path) -> None:
    source, _ = _with_bad_rows(tmp_path)
    result = cli("monitor", str(source))
    assert f"{source}:3: rejected (invalid_field, amount): amount: True is not a number" in result.err
    assert f"{source}:2: rejected (bad_json): not valid JSON" in result.err


def test_rates_and_csv_rejections_are_grouped_by_reason(cli: Any, tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    source = write_jsonl(
        tmp_path / "r.jsonl", [row(tx_id="j", currency="JPY"), row(tx_id="m", account_id=None)]
    )
    result = cli("monitor", str(source), "--rates", str(rates), "--max-rejected", "5")
    assert result.code == 0
    assert "2 rejected (missing_field 1, unknown_currency 1)" in result.err
