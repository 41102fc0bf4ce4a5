"""Transactions from a message queue: a Kafka topic read as a stream of JSONL rows.

``kafka://broker:9092/topic?group=g`` (options: ``idle=SECONDS`` ends the run after that long
without a message; ``from=earliest|latest`` where a new group starts). Each message's value
is one transaction row (the JSONL row contract), read like standard input: through the
reorder buffer, dead-lettered when invalid. Offsets are committed only once the alerts up to
them are written: when a checkpoint is saved (--checkpoint: the state that holds the rows
not yet alerted on is on disk with it) and at the end of the run. A monitor that stops
without either is re-sent what it had not committed: at least once, never lost.

The client is confluent-kafka (the ``kafka`` extra); anything with its Consumer's
``subscribe``/``poll``/``commit``/``close`` serves (tests use an in-memory fake).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import parse_qs, urlsplit

from ..errors import UsageError

SCHEME = "kafka://"


class Consumer(Protocol):
    """The part of ``confluent_kafka.Consumer`` the monitor uses."""

    def subscribe(self, topics: list[str]) -> None: ...
    def poll(self, timeout: float) -> Any: ...
    def commit(self, offsets: list[Any], asynchronous: bool) -> Any: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Offset:
    """A topic partition and the next offset to read (TopicPartition's fields)."""

    topic: str
    partition: int
    offset: int


def is_queue(source: str) -> bool:
    return str(source).startswith(SCHEME)


@dataclass(frozen=True)
class QueueAddress:
    brokers: str
    topic: str
    group: str
    idle: float | None
    start: str


def parse_address(source: str) -> QueueAddress:
    parts = urlsplit(source)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    topic = parts.path.strip("/")
    if not parts.netloc or not topic or "group" not in query:
        raise UsageError.single(f"a queue source is kafka://BROKER[:PORT]/TOPIC?group=GROUP (got `{source}`)")
    idle = float(query["idle"]) if "idle" in query else None
    start = query.get("from", "earliest")
    if start not in ("earliest", "latest"):
        raise UsageError.single(f"from= is earliest or latest (got `{start}`)")
    return QueueAddress(parts.netloc, topic, query["group"], idle, start)


def _confluent(address: QueueAddress) -> Consumer:
    try:
        from confluent_kafka import Consumer as KafkaConsumer
    except ImportError:
        raise UsageError.single(
            "reading Kafka needs its client: pip install 'regtech-engine[kafka]'"
        ) from None
    consumer = KafkaConsumer(
        {
            "bootstrap.servers": address.brokers,
            "group.id": address.group,
            "enable.auto.commit": False,
            "auto.offset.reset": address.start,
        }
    )
    return cast(Consumer, consumer)


def _offsets(offsets: list[Offset]) -> list[Any]:
    try:
        from confluent_kafka import TopicPartition
    except ImportError:
        return offsets
    return [TopicPartition(o.topic, o.partition, o.offset) for o in offsets]


class QueueStream:
    """Messages as lines of text for the row reader (``readline``), remembering which
    message each row came from so that ``commit(rows)`` commits exactly those rows."""

    def __init__(
        self,
        source: str,
        consumer: Consumer | None = None,
        skipped: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address = parse_address(source)
        self.consumer = consumer if consumer is not None else _confluent(self.address)
        self.consumer.subscribe([self.address.topic])
        self.placeholders = skipped  # rows a resumed run skips: committed before
        self.skipped = skipped
        self.positions: list[tuple[str, int, int]] = []  # per row given out, in order
        self.committed = skipped  # rows committed
        self.clock = clock

    def readline(self, limit: int = -1) -> str:
        if self.placeholders:  # counted and skipped by the reader, never parsed
            self.placeholders -= 1
            return "{}\n"
        waited_since = self.clock()
        while True:
            message = self.consumer.poll(1.0)
            if message is None:
                idle = self.address.idle
                if idle is not None and self.clock() - waited_since >= idle:
                    return ""
                continue
            if message.error() is not None:
                continue  # partition EOF and transient broker errors: the client retries
            value = message.value()
            text = value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value or "")
            # one message, one non-blank line: the row numbers stay in step with offsets
            text = text.replace("\r", " ").replace("\n", " ").strip() or '"(empty message)"'
            self.positions.append((message.topic(), message.partition(), message.offset()))
            return text + "\n"

    def commit(self, rows: int) -> None:
        """Commit the messages of rows up to ``rows`` (all of their alerts are written)."""
        upto = rows - self.committed
        if upto <= 0:
            return
        latest: dict[tuple[str, int], int] = {}
        for topic, partition, offset in self.positions[:upto]:
            key = (topic, partition)
            latest[key] = max(offset, latest.get(key, -1))
        if latest:
            self.consumer.commit(
                offsets=_offsets([Offset(t, p, o + 1) for (t, p), o in sorted(latest.items())]),
                asynchronous=False,
            )
        del self.positions[:upto]
        self.committed = rows

    def close(self) -> None:
        self.consumer.close()
