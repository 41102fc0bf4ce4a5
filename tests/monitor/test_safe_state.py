"""Issue #17, monitoring: state that cannot run code, lie or interleave; rows that cannot
stop a run. Each test reproduces one failure of the issue's list."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.errors import TransactionError
from regtech_engine.monitor import checkpoint as ckpt
from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.rates import Rates
from regtech_engine.monitor.runner import RunOptions, run

from .conftest import RunRows, large_value, read_alerts, row, write_jsonl

REGTECH = [sys.executable, "-c", "from regtech_engine.cli.main import entry; entry()"]


def _dead(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _checkpointed(tmp_path: Path, pack: Any, rates: Rates, n: int = 40) -> RunOptions:
    rows = [
        row(tx_id=f"c{i}", timestamp=f"2025-09-{1 + i % 20:02d}T10:00:00", amount="60000") for i in range(n)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    options = RunOptions(
        str(source),
        pack,
        rates,
        output=tmp_path / "out.jsonl",
        checkpoint=tmp_path / "ckpt",
        checkpoint_every=10,
        stop_after=25,
    )
    run(options)
    options.stop_after = None
    options.resume = True
    return options


# -- checkpoints are data -------------------------------------------------------------------
def test_a_pickle_checkpoint_never_runs(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    options = _checkpointed(tmp_path, monitoring_pack, rates)
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self) -> tuple[Any, ...]:
            return os.system, (f"touch {marker}",)

    (tmp_path / "ckpt" / ckpt.FILE).write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(TransactionError, match="not a regtech monitor checkpoint"):
        run(options)
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage", ["truncated", "flipped", "version", "foreign_class", "header_only", "empty"]
)
def test_a_damaged_checkpoint_is_a_located_error(
    tmp_path: Path, monitoring_pack: Any, rates: Rates, damage: str
) -> None:
    options = _checkpointed(tmp_path, monitoring_pack, rates)
    path = tmp_path / "ckpt" / ckpt.FILE
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n")
    if damage == "truncated":
        raw = raw[: len(raw) * 2 // 3]
    elif damage == "flipped":
        middle = len(body) // 2
        raw = head + b"\n" + body[:middle] + bytes([body[middle] ^ 1]) + body[middle + 1 :]
    elif damage == "version":
        raw = raw.replace(b'"version": %d' % ckpt.VERSION, b'"version": 4', 1)
    elif damage == "foreign_class":  # a consistent checksum over a class we do not rebuild
        import hashlib

        evil = b'["O","os.system",["T","touch x"]]'
        header = json.loads(head)
        header.update(bytes=len(evil), sha256=hashlib.sha256(evil).hexdigest())
        raw = json.dumps(header, sort_keys=True).encode() + b"\n" + evil
    elif damage == "header_only":
        raw = head
    else:
        raw = b""
    path.write_bytes(raw)
    with pytest.raises(TransactionError) as info:
        run(options)
    message = str(info.value)
    assert str(path) in message and "checkpoint" in message


def test_a_checkpoint_round_trips_shared_state(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    """Objects held in several places (a transfer edge in the graph's indexes) stay one
    object after a resume: the JSON format keeps references."""
    source = write_dataset(tmp_path / "g", GeneratorConfig(n=1500, seed=5, plants=1, days=7))[0]
    options = RunOptions(
        str(source),
        monitoring_pack,
        rates,
        output=tmp_path / "o.jsonl",
        checkpoint=tmp_path / "c",
        stop_after=1200,
        checkpoint_every=600,
    )
    run(options)
    state = ckpt.load(tmp_path / "c")
    assert state is not None and state.rows_consumed == 1200
    again = ckpt.decode(ckpt.encode(state), "x")
    assert ckpt.encode(again) == ckpt.encode(state)

    def edges(features: Any) -> tuple[int, int]:
        """(references to transfer edges, distinct edges) across the graph's indexes."""
        graph = features.graph
        refs = [e for _, _, e in graph.pair_last.values() if e is not None]
        refs += [e for q in graph.out_edges.values() for e in q]
        refs += [e for q in graph.in_edges.values() for _, _, e in q]
        return len(refs), len({id(e) for e in refs})

    before, after = edges(state.monitor.features), edges(again.monitor.features)
    assert before == after and before[0] > before[1] > 0  # shared before, and still shared


# -- a resume continues only the run it was saved by ---------------------------------------
def test_resume_after_the_output_was_truncated_is_refused(
    tmp_path: Path, monitoring_pack: Any, rates: Rates
) -> None:
    options = _checkpointed(tmp_path, monitoring_pack, rates)
    assert options.output is not None
    options.output.write_bytes(options.output.read_bytes()[:10])
    with pytest.raises(TransactionError, match="truncated or replaced"):
        run(options)
    options.output.write_bytes(b"x" * 100_000)  # as long, other content
    with pytest.raises(TransactionError, match="content differs"):
        run(options)


def test_resume_with_other_rates_is_refused(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    from decimal import Decimal

    options = _checkpointed(tmp_path, monitoring_pack, rates)
    options.rates = Rates({**rates.table, "USD": (Decimal("6.5"), Decimal(1))})
    with pytest.raises(TransactionError, match="exchange rates differ"):
        run(options)


def test_resume_with_another_input_under_the_same_path_is_refused(
    tmp_path: Path, monitoring_pack: Any, rates: Rates
) -> None:
    options = _checkpointed(tmp_path, monitoring_pack, rates)
    with open(options.source, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row(tx_id="extra", timestamp="2025-09-25T10:00:00")) + "\n")
    with pytest.raises(TransactionError, match="input changed"):
        run(options)


def test_a_second_monitor_on_the_same_folder_is_refused(
    tmp_path: Path, monitoring_pack: Any, rates: Rates
) -> None:
    options = _checkpointed(tmp_path, monitoring_pack, rates)
    assert options.checkpoint is not None and options.output is not None
    before = options.output.read_bytes()
    held = ckpt.lock(options.checkpoint)  # another monitor, running
    try:
        with pytest.raises(TransactionError, match="another monitor is using"):
            run(options)
        assert options.output.read_bytes() == before  # nothing written, nothing truncated
    finally:
        held.close()
    assert run(options).completed  # and once it has finished, the folder is free


# -- kill -9 at seeded points, then resume ----------------------------------------------------
def test_kill_at_seeded_points_then_resume_gives_identical_alerts(tmp_path: Path) -> None:
    source, _, rates_file = write_dataset(
        tmp_path / "g", GeneratorConfig(n=12_000, seed=23, plants=2, days=10)
    )
    base = [*REGTECH, "monitor", str(source), "--rates", str(rates_file)]
    whole, dead_whole = tmp_path / "whole.jsonl", tmp_path / "dead-whole.jsonl"
    subprocess.run(
        [*base, "--output", str(whole), "--dead-letter", str(dead_whole)], check=True, capture_output=True
    )
    out, dead, folder = tmp_path / "out.jsonl", tmp_path / "dead.jsonl", tmp_path / "ckpt"
    args = [
        *base,
        "--output",
        str(out),
        "--dead-letter",
        str(dead),
        "--checkpoint",
        str(folder),
        "--checkpoint-every",
        "700",
    ]
    rng = random.Random(17)
    kills = 0
    for attempt in range(3):
        resume = ["--resume"] if attempt else []
        proc = subprocess.Popen([*args, *resume], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (folder / ckpt.FILE).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))  # a seeded point of the run
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += proc.returncode == -signal.SIGKILL
    done = subprocess.run([*args, "--resume"], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert kills >= 1, "every run finished before it could be killed"
    assert read_alerts(out) == read_alerts(whole)
    assert dead.read_bytes() == dead_whole.read_bytes()
    assert len(read_alerts(whole)) > 5


# -- rows that cannot stop a run ----------------------------------------------------------------
def test_one_undecodable_row_is_dead_lettered(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    good = json.dumps(row(tx_id="g", amount="60000")).encode()
    source = tmp_path / "in.jsonl"
    source.write_bytes(good + b"\n" + b'{"tx_id": "caf\xe9"}\n')
    dead = tmp_path / "dead.jsonl"
    result = run(
        RunOptions(str(source), monitoring_pack, rates, output=tmp_path / "o.jsonl", dead_letter=dead)
    )
    assert result.rejected == {"bad_encoding": 1}
    assert _dead(dead)[0]["raw"] == '{"tx_id": "caf\\xe9"}'
    assert len(large_value(read_alerts(tmp_path / "o.jsonl"))) == 1


def test_a_row_in_year_9999_is_dead_lettered(run_rows: RunRows) -> None:
    alerts, result = run_rows(
        [row(tx_id="a", amount="60000"), row(tx_id="z", timestamp="9999-12-31T23:00:00")]
    )
    assert result.rejected == {"invalid_field": 1}
    assert len(large_value(alerts)) == 1


def test_a_row_far_in_the_future_closes_no_day(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    """On standard input a row dated 2999 would close every day before it (the later rows
    then late): it is rejected as `future` instead."""
    import io

    rows = [
        row(tx_id="a", amount="60000", timestamp="2025-09-30T10:00:00"),
        row(tx_id="far", timestamp="2999-01-01T00:00:00"),
        row(tx_id="b", amount="60000", timestamp="2025-09-30T10:30:00", customer_id="C2"),
    ]
    stdin = io.StringIO("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "o.jsonl"
    result = run(RunOptions("-", monitoring_pack, rates, output=out), stdin=stdin)
    assert result.rejected == {"future": 1}
    assert sorted(a["customer_id"] for a in large_value(read_alerts(out))) == ["C1", "C2"]


def test_a_repeated_tx_id_with_other_values_is_a_conflict(run_rows: RunRows, tmp_path: Path) -> None:
    dead = tmp_path / "dead.jsonl"
    alerts, result = run_rows(
        [row(tx_id="t", amount="10"), row(tx_id="t", amount="10"), row(tx_id="t", amount="900000")],
        dead_letter=dead,
    )
    assert result.stats.duplicates == 1  # the identical repeat: dropped, counted
    assert result.rejected == {"duplicate_conflict": 1}
    assert "900000" in _dead(dead)[0]["message"] and _dead(dead)[0]["line"] == 3
    assert large_value(alerts) == []  # the first row stands


@pytest.mark.parametrize("damage", ["truncated", "crc"])
def test_a_damaged_gzip_is_a_located_error_after_the_rows_before_it(
    tmp_path: Path, monitoring_pack: Any, rates: Rates, damage: str
) -> None:
    rows = [
        row(
            tx_id=f"r{i}",
            customer_id=f"C{i}",
            amount="60000",
            timestamp=f"2025-09-{1 + i // 50:02d}T10:00:00",
        )
        for i in range(400)
    ]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    else:
        data = data[:-8] + bytes(b ^ 0xFF for b in data[-8:-4]) + data[-4:]
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(data)
    out = tmp_path / "o.jsonl"
    with pytest.raises(TransactionError) as info:
        run(RunOptions(str(source), monitoring_pack, rates, output=out))
    message = str(info.value)
    assert str(source) in message and "rows before it were monitored" in message
    assert len(large_value(read_alerts(out))) >= (100 if damage == "truncated" else 400)


def test_a_csv_without_a_header_row_is_a_located_error(
    tmp_path: Path, monitoring_pack: Any, rates: Rates
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("t1,2025-09-30T10:00:00,C1,individual,A1,in,cash,100,CNY\n", encoding="utf-8")
    with pytest.raises(TransactionError, match="header row") as info:
        run(RunOptions(str(source), monitoring_pack, rates, output=tmp_path / "o.jsonl"))
    assert info.value.problems[0].line == 1


def test_a_corrupt_store_is_a_located_error(tmp_path: Path, monitoring_pack: Any, rates: Rates) -> None:
    store = tmp_path / "alerts.db"
    store.write_bytes(b"not sqlite" * 500)
    source = write_jsonl(tmp_path / "in.jsonl", [row()])
    with pytest.raises(TransactionError, match="alert store") as info:
        run(RunOptions(str(source), monitoring_pack, rates, output=tmp_path / "o.jsonl", store=store))
    assert str(store) in str(info.value)
