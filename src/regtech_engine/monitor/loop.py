"""The monitoring loop: transactions -> business-day buffer -> features -> durable -> alerts.

Transactions are buffered per business day (Asia/Shanghai) and each day is processed in a
fixed order (time, then tx_id) when a later day arrives or the input ends, so the alerts
do not depend on line order within a day. A row for a day already closed is late: it goes
to the dead-letter file. Everything here is picklable state except the rule pack, so a
checkpoint is this object (checkpoint.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..timezone import SHANGHAI
from . import evidence
from .day_buffer import DayBuffer
from .day_buffer import fingerprint as fingerprint
from .day_totals import DayTotal
from .evidence import Brief
from .features import Features
from .ingest import DeadRow
from .limits import Limits
from .records import Alert, AlertTransaction, Tx, iso_time
from .rules import DayContext, MonitoringPack, MonitoringRule, fire
from .windows import DAY, EvidenceFn
from .workdays import CalendarGap, WorkdayCalendar

BATCH = 2_000  # feature documents per durable_rules session
DEDUP_DAYS = 7  # how long a tx_id is remembered after its business day closed
SWEEP_EVERY = 7  # business days between sweeps of idle window state (memory only)
CENTS = Decimal("0.01")
# Feature-document fields set on the rows that enter a window of days (near-threshold cash,
# first-time payers, payees that are no hubs): their briefs are kept as long as the longest
# such window.
# Other rows are kept for the windows of hours, and the other ledger leg of a transfer that
# opened a new relationship (the graph's edges) as long as the first.
LONG_FEATURES = frozenset({"structuring_count", "fan_in_burst_payers", "fan_out_payees"})
# Leave out of the rules' session the documents whose evidence has none of the pack's
# suspicious typologies: a rule firing on one builds no alert (_suspicious_alert). False
# evaluates every document (tests compare the two).
SKIP_SILENT = True


_iso = iso_time  # the engine's alert times (runner, naive_rules): one definition
# a rule that fired on a document: (its rules, the row, the row's evidence, the document)
Fired = tuple[list[str], Tx, dict[str, EvidenceFn], dict[str, Any]]


def alert_id(rule_id: str, key: str, tx_ids: list[str]) -> str:
    digest = hashlib.sha256("\x1f".join([rule_id, key, *tx_ids]).encode()).hexdigest()
    return digest[:20]


@dataclass
class Stats:
    rows: int = 0
    transactions: int = 0
    duplicates: int = 0
    dead: int = 0  # rows rejected, all reasons
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> rows (ingest.REASONS)
    alerts: int = 0
    due_errors: int = 0


@dataclass
class Monitor:
    """Feed transactions in; get alerts out as business days close."""

    pack: MonitoringPack | None = None
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    features: Features = field(default_factory=Features)
    pending: dict[dt.date, DayBuffer] = field(default_factory=dict)  # the open days' rows
    closed_through: dt.date | None = None
    # tx_id -> (business day, fingerprint of its values) while repeats are looked for
    seen: dict[str, tuple[dt.date, int]] = field(default_factory=dict)
    seen_by_day: deque[tuple[dt.date, list[str]]] = field(default_factory=deque)
    days_since_sweep: int = 0
    last_alert: dict[tuple[str, str], tuple[int, frozenset[str]]] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    # the evidence ledger: a brief per transaction an alert may still name (evidence.py)
    ledger: dict[str, Brief] = field(default_factory=dict)
    ledger_short: deque[tuple[dt.date, list[str]]] = field(default_factory=deque)
    ledger_long: deque[tuple[dt.date, list[str]]] = field(default_factory=deque)
    # the last business day whose tx_ids were forgotten before DEDUP_DAYS (Limits.dedup_ids)
    dedup_forgotten: dt.date | None = None
    # whether this monitor recognises repeated tx_ids (``seen``, fingerprints): a distributed
    # actor is sent rows its sequencer already de-duplicated (configuration, not state)
    dedup: bool = True

    def __post_init__(self) -> None:
        self.attach(self.pack, self.calendar)

    def attach(
        self, pack: MonitoringPack | None, calendar: WorkdayCalendar, limits: Limits | None = None
    ) -> None:
        """(Re)connect the parts that are not state: rules, lists, calendar, caps."""
        self.pack, self.calendar = pack, calendar
        self.features.lists = pack.lists if pack is not None else None
        self.features.limits = limits = limits if limits is not None else Limits()
        self.features.totals.cap = limits.day_total_tx_ids

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["pack"] = None
        state["calendar"] = None
        state.pop("dedup", None)  # configuration: whoever resumes chooses (the class default)
        return state

    # ------------------------------------------------------------------------------------
    def feed(self, tx: Tx) -> tuple[list[Alert], DeadRow | None]:
        """Buffer one transaction; alerts of any business day this closes, or a dead row."""
        day = tx.business_date
        if self.closed_through is not None and day <= self.closed_through:
            if tx.tx_id in self.seen:
                return [], self._repeated(tx, self.seen[tx.tx_id])
            # the runner orders its input (order.py), so only a caller feeding rows itself
            # gets here; it has the row's text, the monitor does not
            return [], DeadRow(
                tx.line,
                "late",
                f"late: business day {day} was already closed (rows must arrive in day order)",
                "",
                "timestamp",
            )
        bucket = self.pending.get(day)
        tx_id = tx.tx_id
        if self.dedup:
            if tx_id in self.seen:
                return [], self._repeated(tx, self.seen[tx_id])
            if bucket is not None and (tx_id in bucket.rows or bucket.indexes):
                first = bucket.match(tx)
                if first is not None:
                    return [], self._repeated(tx, (day, first), bucket)
        alerts: list[Alert] = []
        if bucket is None or len(self.pending) > 1:  # the days before this one are complete
            for open_day in sorted(d for d in self.pending if d < day):
                alerts.extend(self.close_day(open_day))
            if bucket is None:
                bucket = self.pending[day] = DayBuffer()
        rows = bucket.rows
        rows[tx_id] = tx
        if len(rows) >= self.features.limits.day_rows_in_memory:
            self.features.caps.hit("day_rows_in_memory", day.isoformat(), bucket.spill())
        self.stats.transactions += 1
        return alerts, None

    def close(self) -> None:
        """Delete the temporary files of open days: for a monitor given up before its days
        closed (a run stopped early); a monitor that finished has none."""
        for bucket in self.pending.values():
            bucket.close()

    def spilled(self) -> tuple[dt.date, int] | None:
        """An open business day with rows on disk, and how many (None: all in memory)."""
        for day, bucket in self.pending.items():
            if bucket.runs:
                return day, bucket.spilled
        return None

    def _repeated(
        self, tx: Tx, first: tuple[dt.date, int], bucket: DayBuffer | None = None
    ) -> DeadRow | None:
        """A tx_id read before: the same transaction again is dropped (and counted); other
        values under the same id are a conflict, rejected so that nobody misses it (the
        first row stands: an id names one transaction). A first row of the open day is
        quoted (``bucket``: read back from disk if it was spilled)."""
        if fingerprint(tx) == first[1]:
            self.stats.duplicates += 1
            return None
        first_tx = bucket[tx.tx_id] if bucket is not None else None
        was = (
            f" (line {first_tx.line}: {first_tx.amount} {first_tx.currency} at {_iso(first_tx.epoch)})"
            if first_tx is not None
            else f" (business day {first[0]})"
        )
        return DeadRow(
            tx.line,
            "duplicate_conflict",
            f"tx_id {tx.tx_id} was already read with other values{was}; this row "
            f"({tx.amount} {tx.currency} at {_iso(tx.epoch)}) is rejected, the "
            "first one stands",
            "",
            "tx_id",
        )

    def finish(self) -> list[Alert]:
        alerts: list[Alert] = []
        for day in sorted(self.pending):
            alerts.extend(self.close_day(day))
        return alerts

    def history_note(self) -> str | None:
        """Why sustained fan-in and quiet-account cycle alerts may be missing: the stream is
        shorter than the history the monitor needs to call a payer new or an account quiet."""
        if self.pack is None or self.closed_through is None or self.features.history_start < 0:
            return None
        needed = self.pack.context(self.closed_through).params.get("monitor.history.min_days")
        first = dt.datetime.fromtimestamp(self.features.history_start, SHANGHAI).date()
        watched = (self.closed_through - first).days + 1
        if needed is None or watched >= needed:
            return None
        return (
            f"the stream covers {watched} days; sustained fan-in (first-time payers), "
            "cycles and layering chains through quiet accounts are judged only after "
            f"{needed} days of history (monitor.history.min_days; bursts and fast round "
            "trips are judged from the start): resume from a checkpoint with history, or "
            "start the stream earlier"
        )

    # ------------------------------------------------------------------------------------
    def close_day(self, day: dt.date) -> list[Alert]:
        assert self.pack is not None, "attach a rule pack first"
        bucket = self.pending.pop(day)
        ctx = self.pack.context(day)
        rules = self.pack.by_id()
        try:
            rows = self._remember(day, bucket.values()) if self.dedup else bucket.values()
            alerts = self._suspicious(day, rows, ctx, rules)
        finally:
            bucket.close()
        alerts.extend(self._large_value(day, ctx, rules))
        self.closed_through = day
        self._housekeeping(day, ctx.params)
        self.stats.alerts += len(alerts)
        return alerts

    def _remember(self, day: dt.date, rows: Iterable[Tx]) -> Iterator[Tx]:
        """``rows``, each remembered for de-duplication (``seen``) as it passes; beyond
        ``Limits.dedup_ids`` the oldest are forgotten as the day goes (not at its end)."""
        seen, cap = self.seen, self.features.limits.dedup_ids
        ids: list[str] = []
        self.seen_by_day.append((day, ids))
        for tx in rows:
            ids.append(tx.tx_id)
            seen[tx.tx_id] = (day, fingerprint(tx))
            if len(seen) > cap:
                self._forget_ids_early()
            yield tx

    def _suspicious(
        self, day: dt.date, txs: Iterable[Tx], ctx: DayContext, rules: Mapping[str, MonitoringRule]
    ) -> list[Alert]:
        """Features and rules over the day's rows in order, ``close_chunk`` documents at a
        time; only the documents a rule fired on are kept until the alerts are built (in
        the order of the rows, then of the rules: the same as in one go)."""
        ruleset = ctx.rulesets.get("transaction")
        zeros = ctx.zeros.get("transaction")
        limits = self.features.limits
        chunk = limits.close_chunk
        fired: dict[int, Fired] = {}
        docs: list[dict[str, Any]] = []
        evidence_of: list[tuple[Tx, dict[str, EvidenceFn]]] = []
        ledger = self.ledger
        short: list[str] = []
        long: list[str] = []
        self.ledger_short.append((day, short))
        self.ledger_long.append((day, long))
        pair_last = self.features.graph.pair_last
        # a document whose evidence has none of these can raise no alert (_suspicious_alert)
        wanted = (
            frozenset(r.typology for r in rules.values() if r.on == "transaction" and r.typology)
            if SKIP_SILENT
            else None
        )
        n = 0  # documents evaluated (their "id")
        for i, tx in enumerate(txs):
            doc, ev = self.features.observe(tx, ctx.params)
            tx_id = tx.tx_id
            ledger[tx_id] = evidence.brief(tx)
            if not LONG_FEATURES.isdisjoint(doc):
                long.append(tx_id)
            elif tx.direction == "in" and tx.counterparty_id is not None:
                # read-only look at the graph: is this leg on an edge (a new relationship)?
                last = pair_last.get((tx.counterparty_id, tx.account_id))
                edge = last[2] if last is not None else None
                (long if edge is not None and tx_id in edge.tx_ids else short).append(tx_id)
            else:
                short.append(tx_id)
            if wanted is None or not wanted.isdisjoint(ev):
                if zeros:  # features a rule tests true at zero (the shipped pack: cycle_hours)
                    doc = {**zeros, **doc}
                doc["id"] = str(n)
                n += 1
                docs.append(doc)
                evidence_of.append((tx, ev))
            # chunks of rows, not of documents: the ledger is bounded at the same rows
            # whichever documents are evaluated
            if (i + 1) % chunk == 0:
                if docs:
                    _fire_chunk(ruleset, n - len(docs), docs, evidence_of, fired)
                    docs, evidence_of = [], []
                if len(ledger) > limits.ledger_briefs:
                    self._evict_briefs(day)
        if docs:
            _fire_chunk(ruleset, n - len(docs), docs, evidence_of, fired)
        if len(ledger) > limits.ledger_briefs:
            self._evict_briefs(day)
        order = list(rules)
        alerts: list[Alert] = []
        for i in sorted(fired):
            names, tx, ev, doc = fired[i]
            for rule_id in sorted(names, key=order.index):
                alert = self._suspicious_alert(rules[rule_id], tx, ev, doc, ctx)
                if alert is not None:
                    alerts.append(alert)
        return alerts

    def _suspicious_alert(
        self,
        rule: MonitoringRule,
        tx: Tx,
        ev: Mapping[str, EvidenceFn],
        doc: Mapping[str, Any],
        ctx: DayContext,
    ) -> Alert | None:
        typology = rule.typology or ""
        build = ev.get(typology)
        if build is None:  # a rule fired without the feature's evidence: nothing to show
            return None
        found = build()
        subject = found.account_id or tx.customer_id
        key = (typology, subject)
        ids = list(dict.fromkeys(found.tx_ids))
        previous = self.last_alert.get(key)
        if previous is not None and previous[1].intersection(ids):
            return None  # the same episode: its first alert already names these rows
        self.last_alert[key] = (found.end, frozenset(ids))
        tests = evidence.tests_that_held(rule.when, doc, ctx.params)
        rows = evidence.transactions(ids, self.ledger)
        date = tx.business_date.isoformat()
        return Alert(
            alert_id=alert_id(rule.id, f"{subject}|{found.start}|{found.end}", ids),
            kind="suspicious",
            rule_id=rule.id,
            typology=typology,
            citations=ctx.citations[rule.id],
            customer_id=tx.customer_id,
            account_id=found.account_id,
            accounts=found.accounts,
            direction=tx.direction,
            business_date=date,
            tx_ids=ids,
            window_start=_iso(found.start),
            window_end=_iso(found.end),
            score=found.score,
            details=found.details,
            transactions=rows,
            features=tests,
            narrative=evidence.suspicious_narrative(
                rule.title, tx.customer_id, found.account_id, date, tests, rows
            ),
            limits=[*found.limits, *self._evicted(rows)] or None,
        )

    def _evicted(self, rows: list[AlertTransaction]) -> list[str]:
        """Why some of ``rows`` show only their tx_id: the ledger cap evicted their records."""
        if "ledger_briefs" not in self.features.caps.counts:
            return []
        missing = sum(1 for row in rows if row.time is None)
        if not missing:
            return []
        return [
            f"transactions shows {missing:,} of these {len(rows):,} transactions by tx_id "
            "only: their records were evicted from the evidence ledger (limit ledger_briefs "
            f"= {self.features.limits.ledger_briefs:,})"
        ]

    def _large_value(self, day: dt.date, ctx: DayContext, rules: Mapping[str, MonitoringRule]) -> list[Alert]:
        totals = self.features.take_totals()
        ruleset = ctx.rulesets.get("day_total")
        if ruleset is None or not totals:
            return []
        keys = sorted(totals)
        chunk = self.features.limits.close_chunk
        fired: list[tuple[int, str, dict[str, Any]]] = []
        for start in range(0, len(keys), chunk):
            docs = [
                _total_doc(i, keys[i], totals[keys[i]]) for i in range(start, min(start + chunk, len(keys)))
            ]
            for name, doc_id in fire(ruleset, docs, BATCH):
                fired.append((int(doc_id), name, docs[int(doc_id) - start]))
        due, due_error = self._due(day)
        alerts = []
        for i, name, doc in sorted(fired, key=lambda f: (f[0], f[1])):
            customer, direction, category, basis = keys[i]
            total = totals[keys[i]]
            ids = sorted(total.tx_ids)
            if due_error:
                self.stats.due_errors += 1
            rows = evidence.transactions(ids, self.ledger)
            tests = evidence.tests_that_held(rules[name].when, doc, ctx.params)
            accounts = total.accounts
            amount = str(total.total.quantize(CENTS, ROUND_HALF_UP))
            notes = self._evicted(rows)
            if total.count > len(ids):
                self.features.caps.hit("day_total_tx_ids", f"{customer} {day}")
                notes.insert(
                    0,
                    f"tx_ids lists the first {len(ids):,} (by time) of the {total.count:,} "
                    f"transactions in this total (limit day_total_tx_ids = {self.features.totals.cap:,}); "
                    "the total counts them all",
                )
            alerts.append(
                Alert(
                    alert_id=alert_id(name, f"{customer}|{day}|{direction}|{category}|{basis}", ids),
                    kind="large_value",
                    rule_id=name,
                    category=category,
                    citations=ctx.citations[name],
                    customer_id=customer,
                    account_id=accounts[0] if len(accounts) == 1 else None,
                    accounts=accounts,
                    direction=direction,
                    business_date=day.isoformat(),
                    currency_basis=basis,
                    total=amount,
                    tx_ids=ids,
                    report_due=due,
                    report_due_error=due_error,
                    customer_type=total.customer_type,
                    currencies=total.currencies,
                    transactions=rows,
                    features=tests,
                    narrative=evidence.large_value_narrative(
                        rules[name].title,
                        customer,
                        total.customer_type,
                        day.isoformat(),
                        direction,
                        category,
                        amount,
                        basis,
                        tests,
                        rows,
                        due,
                        due_error,
                        total.count,
                    ),
                    limits=notes or None,
                )
            )
        return alerts

    def _due(self, day: dt.date) -> tuple[str | None, str | None]:
        try:
            return self.calendar.add_workdays(day, 5).isoformat(), None
        except CalendarGap as exc:
            return None, str(exc)

    def _housekeeping(self, day: dt.date, params: Mapping[str, Any]) -> None:
        end = int(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), SHANGHAI).timestamp())
        # Windows are pruned as they are read, so the sweep only frees idle accounts' state:
        # weekly is enough to keep memory bounded (by the longest window plus a week) and
        # costs a seventh of a daily sweep.
        self.days_since_sweep += 1
        if self.days_since_sweep >= SWEEP_EVERY:
            self.features.sweep(end, params)
            self.days_since_sweep = 0
        horizon = day - dt.timedelta(days=DEDUP_DAYS)
        while self.seen_by_day and self.seen_by_day[0][0] <= horizon:
            gone, ids = self.seen_by_day.popleft()
            for tx_id in ids:
                entry = self.seen.get(tx_id)
                if entry is not None and entry[0] == gone:
                    del self.seen[tx_id]
        if len(self.seen) > self.features.limits.dedup_ids:
            self._forget_ids_early()
        self._forget_briefs(day, params)
        longest = (
            max(
                params.get("monitor.fan.window_days", 0),
                params.get("monitor.cycle.window_days", 0),
                params.get("monitor.structuring.window_days", 0),
                7,
            )
            * DAY
        )
        self.last_alert = {k: v for k, v in self.last_alert.items() if v[0] >= end - longest}

    def _forget_briefs(self, day: dt.date, params: Mapping[str, Any]) -> None:
        """Drop briefs no evidence window can name any more: rows of the windows of hours
        after those hours (rounded up to days), the others after the longest window of days."""
        hours = max((v for n, v in params.items() if n.endswith(("window_hours", "burst_hours"))), default=0)
        days = max((v for n, v in params.items() if n.endswith(("window_days", "burst_days"))), default=0)
        for queue, keep in (
            (self.ledger_short, -(-hours // 24) + 1),
            (self.ledger_long, max(days, -(-hours // 24)) + 1),
        ):
            horizon = day - dt.timedelta(days=keep)
            while queue and queue[0][0] <= horizon:
                for tx_id in queue.popleft()[1]:
                    self.ledger.pop(tx_id, None)

    def _forget_ids_early(self) -> None:
        """Over ``Limits.dedup_ids``: forget the ids of the oldest days first (within a day,
        its earliest rows), an eighth of the cap at once (so that forgetting is not paid
        row by row): a repeat of one of them is no longer recognised."""
        seen, cap = self.seen, self.features.limits.dedup_ids
        keep = cap - cap // 8
        while len(seen) > keep and self.seen_by_day:
            gone, ids = self.seen_by_day[0]
            n = min(len(seen) - keep, len(ids))
            forgotten = 0
            for tx_id in ids[:n]:
                entry = seen.get(tx_id)
                if entry is not None and entry[0] == gone:
                    del seen[tx_id]
                    forgotten += 1
            del ids[:n]
            if not ids:
                self.seen_by_day.popleft()
            if forgotten:
                self.features.caps.hit("dedup_ids", gone.isoformat(), forgotten)
                self.dedup_forgotten = max(gone, self.dedup_forgotten or gone)

    def dedup_note(self) -> str | None:
        """From which business day on repeats may have gone unrecognised (Limits.dedup_ids)."""
        if self.dedup_forgotten is None:
            return None
        return (
            f"repeated tx_ids are recognised only among the last "
            f"{self.features.limits.dedup_ids:,} ids remembered (limit dedup_ids): ids of "
            f"business days up to {self.dedup_forgotten} were forgotten before their "
            f"{DEDUP_DAYS} days had passed, so a repeat of one of their rows arriving later "
            "was not recognised as one"
        )

    def _evict_briefs(self, day: dt.date) -> None:
        """Over ``Limits.ledger_briefs``: evict the oldest briefs (by business day; within a
        day, those of the hour windows first, then in time order)."""
        ledger, cap = self.ledger, self.features.limits.ledger_briefs
        queues = (self.ledger_short, self.ledger_long)
        evicted = 0
        while len(ledger) > cap:
            for queue in queues:  # emptied days before this one
                while queue and not queue[0][1] and queue[0][0] != day:
                    queue.popleft()
            live = [queue for queue in queues if queue and queue[0][1]]
            if not live:
                break
            oldest = min(live, key=lambda queue: queue[0][0])  # the short queue on a tie
            ids = oldest[0][1]
            n = min(len(ledger) - cap, len(ids))
            for tx_id in ids[:n]:
                if ledger.pop(tx_id, None) is not None:
                    evicted += 1
            del ids[:n]
        if evicted:
            self.features.caps.hit("ledger_briefs", day.isoformat(), evicted)


def _fire_chunk(
    ruleset: Any,
    start: int,
    docs: list[dict[str, Any]],
    evidence_of: list[tuple[Tx, dict[str, EvidenceFn]]],
    fired: dict[int, Fired],
) -> None:
    """Fire the rules on one chunk of documents (the first is the day's ``start``-th); keep
    the documents a rule fired on, with their row and evidence."""
    if ruleset is None:
        return
    for name, doc_id in fire(ruleset, docs, BATCH):
        i = int(doc_id)
        entry = fired.get(i)
        if entry is None:
            tx, ev = evidence_of[i - start]
            entry = fired[i] = ([], tx, ev, docs[i - start])
        entry[0].append(name)


def _total_doc(i: int, key: tuple[str, str, str, str], total: DayTotal) -> dict[str, Any]:
    """The day_total document of one large-value total (``id``: its index)."""
    _customer, direction, category, basis = key
    return {
        "category": category,
        "direction": direction,  # "id" last: see driver
        "customer_type": total.customer_type,
        "currency_basis": basis,
        "total": int(total.total),
        "tx_count": total.count,
        "id": str(i),
    }
