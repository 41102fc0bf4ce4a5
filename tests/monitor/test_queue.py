"""The Kafka adapter against an in-memory fake of the client: same alerts as the file, and
offsets committed only when the alerts of the rows up to them are written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regtech_engine.errors import UsageError
from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.queue import QueueStream, parse_address
from regtech_engine.monitor.rates import load_rates
from regtech_engine.monitor.rules import MonitoringPack
from regtech_engine.monitor.runner import RunOptions, run

URL = "kafka://broker:9092/payments?group=aml&idle=0"


class _Message:
    def __init__(self, partition: int, offset: int, value: bytes) -> None:
        self._p, self._o, self._v = partition, offset, value

    def error(self) -> None:
        return None

    def value(self) -> bytes:
        return self._v

    def topic(self) -> str:
        return "payments"

    def partition(self) -> int:
        return self._p

    def offset(self) -> int:
        return self._o


class FakeConsumer:
    """Two partitions, messages dealt alternately; commits recorded with what was written."""

    def __init__(self, lines: list[str], written: Path) -> None:
        self.messages = [_Message(i % 2, i // 2, line.encode()) for i, line in enumerate(lines)]
        self.commits: list[tuple[list[Any], int]] = []
        self.written = written
        self.closed = False

    def subscribe(self, topics: list[str]) -> None:
        assert topics == ["payments"]

    def poll(self, timeout: float) -> _Message | None:
        return self.messages.pop(0) if self.messages else None

    def commit(self, offsets: list[Any], asynchronous: bool) -> None:
        assert not asynchronous
        size = self.written.stat().st_size if self.written.exists() else 0
        self.commits.append(([(o.partition, o.offset) for o in offsets], size))

    def close(self) -> None:
        self.closed = True


def test_address() -> None:
    a = parse_address("kafka://b1:9092,b2:9092/tx?group=g&idle=5&from=latest")
    assert (a.brokers, a.topic, a.group, a.idle, a.start) == ("b1:9092,b2:9092", "tx", "g", 5.0, "latest")
    with pytest.raises(UsageError):
        parse_address("kafka://b1:9092/tx")


def test_kafka_gives_the_file_alerts_and_commits_after_writing(
    monitoring_pack: MonitoringPack, tmp_path: Path
) -> None:
    source, _, rates = write_dataset(tmp_path / "gen", GeneratorConfig(n=1500, seed=2, plants=1, days=8))
    run(RunOptions(str(source), monitoring_pack, load_rates(rates), output=tmp_path / "file"))
    lines = source.read_text(encoding="utf-8").splitlines()
    out = tmp_path / "queue.jsonl"
    consumer = FakeConsumer(lines, out)
    result = run(
        RunOptions(
            URL,
            monitoring_pack,
            load_rates(rates),
            output=out,
            checkpoint=tmp_path / "ckpt",
            checkpoint_every=500,
        ),
        stdin=QueueStream(URL, consumer),  # type: ignore[arg-type]
    )
    assert out.read_bytes() == (tmp_path / "file").read_bytes()
    assert result.stats.rows == len(lines)
    # a commit at each checkpoint, then the rest at the end; each after the alerts were
    # written (the output never shrinks after a commit), the last one covering every message
    assert len(consumer.commits) == -(-len(lines) // 500)
    sizes = [size for _, size in consumer.commits]
    assert sizes == sorted(sizes) and sizes[-1] == out.stat().st_size
    last = dict(consumer.commits[-1][0])
    assert last == {0: (len(lines) + 1) // 2, 1: len(lines) // 2}
