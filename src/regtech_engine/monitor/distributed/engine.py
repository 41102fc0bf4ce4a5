"""The distributed monitor: a sequencer in the driver, a graph actor and customer partitions.

Why this split gives the single process's alerts:

- per-customer typologies read only state keyed by the customer or by one of its accounts
  (an account belongs to one customer), so a partition that sees all of a customer's
  transactions computes them exactly;
- cross-customer typologies read the relationship graph and the payers and payees of every
  account, so one actor sees every transaction that can change them (every transfer to or
  from a counterparty, and the few other rows Graph.see reads: ``_for_graph``): it is a
  whole Monitor with only those rules;
- each actor computes only the features its rules read (features.steps_for): the graph
  actor fan-in, fan-out and the graph's searches, the partitions the rest and the day totals;
- de-duplication and the moments days close are decided once, by the sequencer, and sent to
  every actor as markers in the stream; actors never reject a row themselves, and every
  actor closes every day the single process closes.

Alerts of one business day come from several actors: the driver writes them in a canonical
order (suspicious, then large-value; by the time of the row that raised them, customer,
rule and alert id), where the single process orders suspicious alerts by the row that
raised them to the microsecond; compare runs with ``canonical``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import logging
import operator
import pickle
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ...files.safeio import write_bytes_atomic
from .. import checkpoint as ckpt
from ..day_buffer import DayBuffer
from ..features import steps_for
from ..ingest import DeadRow
from ..limits import EXAMPLES, CapHits, Limits
from ..loop import Monitor, fingerprint
from ..records import Alert, Tx
from ..rules import MonitoringPack
from ..typologies._graph import HUB_SEGMENTS
from ..workdays import WorkdayCalendar

# typologies computed from one customer's own rows (large-value rules have no typology)
PER_CUSTOMER = frozenset(
    {"structuring", "rapid_in_out", "dormant_reactivation", "high_risk_country", "sanctions_match"}
)
CROSS_CUSTOMER = frozenset({"fan_in", "fan_out", "cycle", "layering", "scatter_gather"})
# transactions per batch: each costs every actor a call, and each actor's fixed share of
# a batch (Ray's message, the plans' pickles) is small against 10,000 rows
BATCH = 10_000
IN_FLIGHT = 3  # batches sent and not yet answered: the reader waits beyond (back-pressure)
# batches between actor checkpoints (250,000 rows): a checkpoint of the graph actor costs
# a few tenths of a second, and a lost actor replays at most this many batches
SNAPSHOT_EVERY = 25
GRAPH = "graph"
# caps the sequencer decides for the whole stream, as the single process does (the actors'
# own hits of these are not reported: _gather_caps)
SEQUENCER_CAPS = frozenset({"day_rows_in_memory", "dedup_ids"})
# allocations between collections in an actor's process: cli.monitor_cmd.GC_THRESHOLD (the
# core may not import the command line)
RARE_GC = 200_000

# A Tx travels as the tuple of its fields (pickled by C code alone: no reducer per object)
Row = tuple[Any, ...]
_as_row = operator.attrgetter(*(f.name for f in dataclasses.fields(Tx)))
# What the actors are sent per batch, per partition: the rows of the partition's customers
# and the days to close, in the sequencer's order. Rows come in runs of one business day
# (a new run starts at each marker and at each change of day), so an actor that gets the
# runs of several partitions may feed a run's rows in any order and still close its days
# exactly where the sequencer did (a day's rows are sorted when it closes). A run holds
# (the rows the graph actor needs too, the rows only the partition needs): see _for_graph.
Run = tuple[list[Row], list[Row]]
Plan = list[Run | dt.date]


def partition_of(customer_id: str, partitions: int) -> int:
    """A stable partition for a customer: the same in every process and run (Python's
    hash() of a string is salted per process)."""
    digest = hashlib.blake2b(customer_id.encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest()) % partitions


def split_pack(pack: MonitoringPack) -> tuple[MonitoringPack, MonitoringPack]:
    """(the graph actor's rules, the partitions' rules): a rule of a typology not known to
    be per-customer goes to the graph actor, which sees every row, so it stays exact."""
    local = [r for r in pack.rules if r.kind == "large_value" or r.typology in PER_CUSTOMER]
    ids = {r.id for r in local}
    graph = [r for r in pack.rules if r.id not in ids]
    return _with_rules(pack, graph), _with_rules(pack, local)


def _with_rules(pack: MonitoringPack, rules: list[Any]) -> MonitoringPack:
    """A copy of ``pack`` with these rules and no compiled state (compiled where it runs)."""
    return dataclasses.replace(pack, rules=rules, _contexts={}, _by_date={})


def canonical(alerts: Iterable[Alert]) -> list[Alert]:
    """Alerts of a stream in the distributed run's order: by business day, suspicious
    before large-value, then the time of the row that raised them, customer, rule, id."""
    return sorted(alerts, key=_order)


def _order(a: Alert) -> tuple[str, int, str, str, str, str]:
    return (
        a.business_date,
        0 if a.kind == "suspicious" else 1,
        a.window_end or "",
        a.customer_id,
        a.rule_id,
        a.alert_id,
    )


def _cpu_s() -> float:
    """CPU seconds of this process so far (all its threads: Ray's own included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the actor ------------------------------------------------------------------------------
class MonitorActor:
    """One Monitor fed the sequencer's plans; its state checkpointed in the JSON format of
    monitor/checkpoint.py, ``rows_consumed`` holding the last batch applied."""

    def __init__(
        self,
        name: str,
        pack: MonitoringPack,
        calendar: WorkdayCalendar,
        limits: Limits,
        snapshot: bytes | None = None,
    ) -> None:
        """``name`` GRAPH: the graph actor (it is fed only the rows the sequencer marked
        for it); any other name: a partition (fed every row of its plan)."""
        # the process is this actor's alone: the collector runs rarely, as in the command
        # line's single process (cli.monitor_cmd.with_rare_gc says why)
        gc.set_threshold(RARE_GC, 50, 100)
        self.name = name
        self.runs = 1 if name == GRAPH else 2  # of each run: the shared rows, the local ones
        self.batch = 0
        if snapshot is not None:
            state = ckpt.decode(snapshot, name)
            self.monitor, self.batch = state.monitor, state.rows_consumed
        else:
            self.monitor = Monitor()
        self.monitor.attach(pack, calendar, limits)
        # the sequencer de-duplicated the rows sent: no fingerprints nor memory of ids here
        # (a checkpoint written before this flag existed may hold some: dropped)
        self.monitor.dedup = False
        self.monitor.seen.clear()
        self.monitor.seen_by_day.clear()
        # only the features this actor's rules read: the graph actor follows money, the
        # partitions compute the per-customer typologies and the day totals
        self.monitor.features.steps = steps_for(pack.rules)
        self.ready = time.time()
        self.cpu_ready = _cpu_s()

    def apply(self, batch: int, *plans: bytes) -> list[Alert]:
        """Apply one batch (the pickled plans of one or more partitions, with the same
        markers); the alerts of the days it closed."""
        monitor = self.monitor
        alerts: list[Alert] = []
        for items in zip(*(pickle.loads(plan) for plan in plans), strict=True):
            day = items[0]
            if isinstance(day, dt.date):
                # every day the single process closes is closed here too, with or without
                # rows of this actor, so the weekly sweeps come on the same days
                monitor.pending.setdefault(day, DayBuffer())
                for open_day in sorted(d for d in monitor.pending if d <= day):
                    alerts.extend(monitor.close_day(open_day))
                continue
            for run in items:
                for rows in run[: self.runs]:
                    for row in rows:
                        found, dead = monitor.feed(Tx(*row))
                        assert dead is None, "the sequencer let a rejected row through"
                        alerts.extend(found)
        self.batch = batch
        return alerts

    def snapshot(self) -> tuple[int, bytes]:
        """(last batch applied, the checkpoint's bytes)."""
        return self.batch, ckpt.encode(ckpt.Checkpoint(self.monitor, self.batch, 0, 0, self.name))

    def history_note(self) -> str | None:
        return self.monitor.history_note()

    def caps(self) -> CapHits:
        """Where this actor's caps were hit: a restarted actor's include those of its
        checkpoint, and the batches replayed since are counted once (they rebuild state)."""
        return self.monitor.features.caps

    def figures(self) -> dict[str, float]:
        """When the actor was ready (time.time()), its process's peak resident memory (MB)
        and the CPU seconds it used since."""
        return {
            "ready": self.ready,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cpu_s": _cpu_s() - self.cpu_ready,
        }

    def pid(self) -> int:
        import os

        return os.getpid()


# -- the driver side ------------------------------------------------------------------------
@dataclass
class RayOptions:
    address: str | None = None  # an existing cluster; None starts a local one
    workers: int = 2  # customer partitions (the graph actor comes on top)
    batch: int = BATCH
    in_flight: int = IN_FLIGHT
    snapshot_every: int = SNAPSHOT_EVERY
    checkpoint: Path | None = None  # where actor checkpoints are written (else memory only)
    # called with (batch number, {actor name: handle}) after each batch is sent: tests
    # kill an actor here
    on_batch: Callable[[int, dict[str, Any]], None] | None = None


@dataclass
class _Slot:
    """One actor: its handle, its last checkpoint and the batches sent since (to replay)."""

    name: str
    pack: MonitoringPack
    plans: list[int]  # which partitions' plans it is sent (the graph actor: all)
    handle: Any = None
    snapshot: tuple[int, bytes] | None = None
    log: deque[tuple[int, list[Any]]] = field(default_factory=deque)  # batch, plan refs
    pending_snapshot: Any = None
    restarts: int = 0


class DistributedMonitor(Monitor):
    """The sequencer: a Monitor that keeps only what de-duplication and day closing need
    (Monitor.feed decides both, unchanged) and sends the rows and markers to the actors.

    ``feed`` returns the alerts of the batches answered so far; ``finish`` waits for all.
    """

    def __init__(self, options: RayOptions | None = None) -> None:
        super().__init__()
        self.options = options or RayOptions()
        self.slots: list[_Slot] = []
        self.plans: list[Plan] = self._no_plans()
        self.run_day: dt.date | None = None  # the business day of the open run of rows
        self.part_of: dict[str, int] = {}  # customer -> partition (partition_of, cached)
        self.first_day: dict[str, dt.date] = {}  # account -> the first business day it had rows
        self.count = 0  # transactions in self.plans
        self.graph_rows = 0  # transactions sent to the graph actor
        self.sent = 0  # batches sent
        self.collected = 0  # batches whose alerts were handed out
        self.in_flight: deque[tuple[int, dict[str, Any]]] = deque()
        self.restarts = 0
        self.started_ray = False
        self._remote: Any = None
        # time.time() of: the actors' creation, the first batch sent, the last answer
        self.clock: dict[str, float] = {}

    def _no_plans(self) -> list[Plan]:
        return [[] for _ in range(self.options.workers)]

    # the sequencer's state is not checkpointed by the runner (each actor checkpoints its own)
    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("the distributed monitor is checkpointed per actor")

    # -- Monitor interface -------------------------------------------------------------------
    def feed(self, tx: Tx) -> tuple[list[Alert], DeadRow | None]:
        before = self.stats.transactions
        _, dead = super().feed(tx)  # closes days first: their markers precede the row
        if self.stats.transactions == before:
            return [], dead
        day = tx.business_date
        if day != self.run_day:
            for plan in self.plans:
                plan.append(([], []))
            self.run_day = day
        part = self.part_of.get(tx.customer_id)
        if part is None:
            part = self.part_of[tx.customer_id] = partition_of(tx.customer_id, self.options.workers)
        run: Run = self.plans[part][-1]  # type: ignore[assignment]
        shared = self._for_graph(tx, day)
        run[0 if shared else 1].append(_as_row(tx))
        self.graph_rows += shared
        self.count += 1
        return (self._send() if self.count >= self.options.batch else []), dead

    def _for_graph(self, tx: Tx, day: dt.date) -> bool:
        """Whether the graph actor needs ``tx``. It computes only fan-in, fan-out and the
        graph's searches, which read a row without a counterparty only through Graph.see:
        an account's customer and the start of the history (so all rows of the first day an
        account has rows go: the first of them the single process observes is among them,
        the stream's first row too; an account belongs to one customer) and the declared
        hubs (all their rows). Such a row raises no alert of the graph actor's typologies:
        their evidence needs a counterparty."""
        first = self.first_day.get(tx.account_id)
        if first is None or day < first:
            first = self.first_day[tx.account_id] = day
        return bool(tx.counterparty_id or first == day or tx.customer_segment in HUB_SEGMENTS)

    def close_day(self, day: dt.date) -> list[Alert]:
        """Only the bookkeeping of Monitor.close_day that feed's decisions depend on: the
        ids of the day remembered (and forgotten some days later), the day closed; the
        actors close it when the marker reaches them."""
        bucket = self.pending.pop(day)
        try:
            rows = list(bucket.values())
        finally:
            bucket.close()  # its runs on disk, if the day was too large for memory
        self.seen.update((tx.tx_id, (day, fingerprint(tx))) for tx in rows)
        self.seen_by_day.append((day, [tx.tx_id for tx in rows]))
        self.closed_through = day
        # the same forgetting of ids as the single process (the sequencer holds no windows,
        # ledger or alerts: the rest of the housekeeping finds nothing to do)
        self._housekeeping(day, {})
        for plan in self.plans:
            plan.append(day)
        self.run_day = None
        return []

    def finish(self) -> list[Alert]:
        super().finish()  # the days still open: their markers
        alerts = self._send() if any(self.plans) else []
        while self.in_flight:
            alerts.extend(self._collect())
        self._gather_caps()
        return alerts

    def _gather_caps(self) -> None:
        """Add the actors' cap hits to the sequencer's (the run's summary reads these).

        Asked once, at the end: an actor restarted from its checkpoint holds the hits up to
        it and the replay adds the rest, so nothing counts twice. The sequencer alone
        reports the caps it shares with the single process (it buffers and de-duplicates
        the whole stream, as that does; the actors' buffers hold parts of days whose
        spills are exact and would count rows twice); ledger_briefs and parties bound each
        actor's own ledger and tables, so their counts may differ from the single process's. Examples: the
        sequencer's, then the graph actor's, then each partition's, first EXAMPLES (a cap
        hit in one actor has the single process's examples)."""
        import ray

        if not self.slots:
            return
        own = self.features.caps
        per = ray.get([slot.handle.caps.remote() for slot in self.slots])
        for theirs in per:
            for cap, count in sorted(theirs.counts.items()):
                if cap in SEQUENCER_CAPS:
                    continue
                own.counts[cap] = own.counts.get(cap, 0) + count
                examples = own.examples.setdefault(cap, [])
                for subject in theirs.examples.get(cap, []):
                    if len(examples) < EXAMPLES and subject not in examples:
                        examples.append(subject)

    def history_note(self) -> str | None:
        if not self.slots:
            return None
        import ray

        note: str | None = ray.get(self.slots[0].handle.history_note.remote())
        return note

    # -- actors ------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect to (or start) Ray and create the actors (they start up while the driver
        reads on: nothing waits for them here)."""
        import ray

        opts = self.options
        if not ray.is_initialized():
            if opts.address is None:
                ray.init(
                    num_cpus=opts.workers + 1,
                    include_dashboard=False,
                    logging_level=logging.ERROR,
                    log_to_driver=False,
                )
            else:
                ray.init(address=opts.address, logging_level=logging.ERROR, log_to_driver=False)
            self.started_ray = True
        self._remote = ray.remote(max_restarts=0, max_task_retries=0)(MonitorActor)
        assert self.pack is not None, "attach a rule pack first"
        graph, local = split_pack(self.pack)
        parts = range(opts.workers)
        self.slots = [_Slot(GRAPH, graph, list(parts))] + [_Slot(f"part-{i}", local, [i]) for i in parts]
        self.clock["created"] = time.time()
        for slot in self.slots:
            slot.handle = self._spawn(slot)

    def _spawn(self, slot: _Slot) -> Any:
        return self._remote.options(num_cpus=0).remote(
            slot.name,
            slot.pack,
            self.calendar,
            self.features.limits,
            slot.snapshot[1] if slot.snapshot else None,
        )

    def handles(self) -> dict[str, Any]:
        return {s.name: s.handle for s in self.slots}

    def shutdown(self) -> None:
        import ray

        for slot in self.slots:
            ray.kill(slot.handle, no_restart=True)
        self.slots = []
        if self.started_ray:
            ray.shutdown()
            self.started_ray = False

    def figures(self) -> dict[str, Any]:
        """Per actor its peak resident memory (MB) and CPU seconds; the seconds from the
        actors' creation until the last was ready (start-up) and from then, or from the
        first batch sent if later, to the last answer (the stream); the transactions the
        graph actor was sent."""
        import ray

        per = {s.name: ray.get(s.handle.figures.remote()) for s in self.slots}
        clock = self.clock
        ready = max(f["ready"] for f in per.values())
        return {
            "peak_mb": {name: f["peak_mb"] for name, f in per.items()},
            "cpu_s": {name: f["cpu_s"] for name, f in per.items()},
            "startup_s": ready - clock["created"],
            "stream_s": clock.get("answered", ready) - max(ready, clock.get("sent", ready)),
            "graph_rows": self.graph_rows,
        }

    # -- batches -----------------------------------------------------------------------------
    def _send(self) -> list[Alert]:
        import ray

        if not self.slots:
            self.start()
        self.clock.setdefault("sent", time.time())
        self.sent += 1
        batch, plans = self.sent, self.plans
        self.plans, self.count, self.run_day = self._no_plans(), 0, None
        # each partition's plan is pickled once and stored once: its partition and the
        # graph actor read the same bytes
        stored = [ray.put(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)) for plan in plans]
        refs: dict[str, Any] = {}
        snap = batch % self.options.snapshot_every == 0
        for slot in self.slots:
            args = [stored[i] for i in slot.plans]
            slot.log.append((batch, args))
            refs[slot.name] = slot.handle.apply.remote(batch, *args)
            if snap and slot.pending_snapshot is None:
                slot.pending_snapshot = slot.handle.snapshot.remote()
        self.in_flight.append((batch, refs))
        if self.options.on_batch is not None:
            self.options.on_batch(batch, self.handles())
        alerts: list[Alert] = []
        while len(self.in_flight) > self.options.in_flight or self._answered():  # back-pressure
            alerts.extend(self._collect())
        return alerts

    def _answered(self) -> bool:
        """Whether every actor has answered the oldest batch in flight (its alerts are
        written now rather than when back-pressure would wait for them)."""
        import ray

        if not self.in_flight:
            return False
        refs = list(self.in_flight[0][1].values())
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        return len(ready) == len(refs)

    def _collect(self) -> list[Alert]:
        """The oldest batch's alerts from every actor (restarting any that died)."""
        import ray
        from ray.exceptions import RayActorError

        batch, refs = self.in_flight[0]
        found: list[Alert] = []
        for slot in self.slots:
            while True:
                try:
                    found.extend(ray.get(refs[slot.name]))
                    break
                except RayActorError:
                    self._restart(slot, batch)  # replaces refs[slot.name]
            self._take_snapshot(slot)
        self.in_flight.popleft()
        self.collected = batch
        self.clock["answered"] = time.time()
        ordered = canonical(found)
        self.stats.alerts += len(ordered)
        return ordered

    def _take_snapshot(self, slot: _Slot) -> None:
        import ray
        from ray.exceptions import RayActorError

        if slot.pending_snapshot is None:
            return
        ready, _ = ray.wait([slot.pending_snapshot], timeout=0)
        if not ready:
            return
        ref, slot.pending_snapshot = slot.pending_snapshot, None
        try:
            snapshot: tuple[int, bytes] = ray.get(ref)
        except RayActorError:
            return  # the actor died after it; the previous checkpoint stands
        slot.snapshot = snapshot
        while slot.log and slot.log[0][0] <= snapshot[0]:
            slot.log.popleft()
        if self.options.checkpoint is not None:
            self.options.checkpoint.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.options.checkpoint / f"{slot.name}.ckpt", snapshot[1])

    def _restart(self, slot: _Slot, oldest: int) -> None:
        """A new actor from the last checkpoint; the batches since are replayed to it (the
        answers to batches already handed out are dropped, the others replace the lost)."""
        import ray

        slot.restarts += 1
        self.restarts += 1
        if slot.restarts > 10:
            raise RuntimeError(f"actor {slot.name} died {slot.restarts} times; giving up")
        slot.pending_snapshot = None
        slot.handle = self._spawn(slot)
        for batch, args in slot.log:
            ref = slot.handle.apply.remote(batch, *args)
            if batch < oldest:
                ray.get(ref)  # already handed out: recomputed, not written again
            else:
                for number, refs in self.in_flight:
                    if number == batch:
                        refs[slot.name] = ref


def run_distributed(
    opts: Any,
    ray_options: RayOptions,
    stdout: IO[str] | None = None,
    stdin: IO[str] | None = None,
    progress: Callable[[Any], None] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The runner's run (runner.RunOptions) with the distributed monitor; (its result,
    figures: "restarts", and DistributedMonitor.figures)."""
    from ...errors import UsageError
    from ..runner import run

    if opts.resume or opts.checkpoint is not None:
        raise UsageError.single(
            "--engine ray checkpoints each actor itself (--ray-checkpoint "
            "DIR); --checkpoint/--resume are for the single process"
        )
    monitor = DistributedMonitor(ray_options)
    try:
        # the actors start up while the driver reads the input's first rows
        monitor.attach(opts.pack, opts.calendar, opts.limits)
        monitor.start()
        result = run(dataclasses.replace(opts, monitor=monitor), stdout, stdin, progress)
        return result, {"restarts": monitor.restarts, **monitor.figures()}
    finally:
        if monitor.slots or monitor.started_ray:
            monitor.shutdown()


__all__ = [
    "CROSS_CUSTOMER",
    "PER_CUSTOMER",
    "DistributedMonitor",
    "RayOptions",
    "canonical",
    "partition_of",
    "run_distributed",
    "split_pack",
]
