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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..timezone import SHANGHAI
from . import evidence
from .evidence import Brief
from .features import Features
from .ingest import DeadRow
from .limits import Limits
from .records import SORT_KEY, Alert, Tx
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


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, SHANGHAI).isoformat()


def fingerprint(tx: Tx) -> int:
    """64 bits of a transaction's values (not its line): tells a row repeated as it was from
    one repeating an id with other values. Deterministic across processes (checkpoints)."""
    text = (
        f"{tx.epoch}.{tx.micro}\x1f{tx.amount}\x1f{tx.currency}\x1f{tx.customer_id}\x1f"
        f"{tx.account_id}\x1f{tx.direction}\x1f{tx.channel}\x1f{tx.counterparty_id}\x1f"
        f"{tx.counterparty_country}\x1f{tx.cross_border}"
    )
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


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
    pending: dict[dt.date, dict[str, Tx]] = field(default_factory=dict)
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

    def __post_init__(self) -> None:
        self.attach(self.pack, self.calendar)

    def attach(
        self, pack: MonitoringPack | None, calendar: WorkdayCalendar, limits: Limits | None = None
    ) -> None:
        """(Re)connect the parts that are not state: rules, lists, calendar, caps."""
        self.pack, self.calendar = pack, calendar
        self.features.lists = pack.lists if pack is not None else None
        self.features.limits = limits if limits is not None else Limits()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["pack"] = None
        state["calendar"] = None
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
        if tx.tx_id in self.seen:
            return [], self._repeated(tx, self.seen[tx.tx_id])
        if bucket is not None and tx.tx_id in bucket:
            first = bucket[tx.tx_id]
            return [], self._repeated(tx, (first.business_date, fingerprint(first)), first)
        alerts: list[Alert] = []
        if bucket is None or len(self.pending) > 1:  # the days before this one are complete
            for open_day in sorted(d for d in self.pending if d < day):
                alerts.extend(self.close_day(open_day))
            if bucket is None:
                bucket = self.pending[day] = {}
        bucket[tx.tx_id] = tx
        self.stats.transactions += 1
        return alerts, None

    def _repeated(self, tx: Tx, first: tuple[dt.date, int], first_tx: Tx | None = None) -> DeadRow | None:
        """A tx_id read before: the same transaction again is dropped (and counted); other
        values under the same id are a conflict, rejected so that nobody misses it (the
        first row stands: an id names one transaction)."""
        if fingerprint(tx) == first[1]:
            self.stats.duplicates += 1
            return None
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
        txs = sorted(bucket.values(), key=SORT_KEY)
        ctx = self.pack.context(day)
        rules = self.pack.by_id()
        alerts = self._suspicious(txs, ctx, rules)
        alerts.extend(self._large_value(day, ctx, rules, bucket))
        ids = [tx.tx_id for tx in txs]
        self.seen.update((tx.tx_id, (day, fingerprint(tx))) for tx in txs)
        self.seen_by_day.append((day, ids))
        self.closed_through = day
        self._housekeeping(day, ctx.params)
        self.stats.alerts += len(alerts)
        return alerts

    def _suspicious(self, txs: list[Tx], ctx: DayContext, rules: Mapping[str, MonitoringRule]) -> list[Alert]:
        ruleset = ctx.rulesets.get("transaction")
        zeros = ctx.zeros.get("transaction")
        docs: list[dict[str, Any]] = []
        evidence_of: list[dict[str, EvidenceFn]] = []
        ledger = self.ledger
        short: list[str] = []
        long: list[str] = []
        pair_last = self.features.graph.pair_last
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
            if zeros:  # features a rule tests true at zero (the shipped pack: cycle_hours)
                doc = {**zeros, **doc}
            doc["id"] = str(i)
            docs.append(doc)
            evidence_of.append(ev)
        if txs:
            self.ledger_short.append((txs[0].business_date, short))
            self.ledger_long.append((txs[0].business_date, long))
        if ruleset is None:
            return []
        fired = fire(ruleset, docs, BATCH)
        by_doc: dict[int, list[str]] = {}
        for name, doc_id in fired:
            by_doc.setdefault(int(doc_id), []).append(name)
        order = list(rules)
        alerts: list[Alert] = []
        for i in sorted(by_doc):
            for rule_id in sorted(by_doc[i], key=order.index):
                alert = self._suspicious_alert(rules[rule_id], txs[i], evidence_of[i], docs[i], ctx)
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
            limits=list(found.limits) or None,
        )

    def _large_value(
        self, day: dt.date, ctx: DayContext, rules: Mapping[str, MonitoringRule], txs: Mapping[str, Tx]
    ) -> list[Alert]:
        totals = self.features.take_totals()
        ruleset = ctx.rulesets.get("day_total")
        if ruleset is None or not totals:
            return []
        keys = sorted(totals)
        docs = []
        for i, (customer, direction, category, basis) in enumerate(keys):
            total = totals[(customer, direction, category, basis)]
            docs.append(
                {
                    "category": category,
                    "direction": direction,  # "id" last: see driver
                    "customer_type": total.customer_type,
                    "currency_basis": basis,
                    "total": int(total.total),
                    "tx_count": len(total.tx_ids),
                    "id": str(i),
                }
            )
        fired = fire(ruleset, docs, BATCH)
        due, due_error = self._due(day)
        alerts = []
        for name, doc_id in sorted(fired, key=lambda f: (int(f[1]), f[0])):
            customer, direction, category, basis = keys[int(doc_id)]
            total = totals[keys[int(doc_id)]]
            ids = sorted(total.tx_ids)
            if due_error:
                self.stats.due_errors += 1
            rows = evidence.transactions(ids, self.ledger)
            tests = evidence.tests_that_held(rules[name].when, docs[int(doc_id)], ctx.params)
            accounts = sorted({txs[i].account_id for i in ids})
            amount = str(total.total.quantize(CENTS, ROUND_HALF_UP))
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
                    currencies=sorted({txs[i].currency for i in ids}),
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
                    ),
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
