"""A realistic population for ``regtech monitor generate --population realistic``.

The default generated traffic (generate.py) is made to stay clear of every rule, so that each
alert traces to a planted instance: it measures recall, not alert volume. This population is
the opposite: ordinary traffic that a fixed count flags (customers paying several merchants
a month, merchants, brokers and escrow accounts that pay and receive many counterparties,
new customers joining) with a little planted laundering, so the scorer can say how many
customers a typology alerts per month and how much likelier an alerted customer is to be
involved in laundering than one picked at random (the lift).

Every customer declares its segment (``customer_segment``: retail, merchant, broker,
escrow, business), as an institution knows it from onboarding (KYC). Money between two
of the institution's customers is written as both ledger legs. Planted laundering uses
existing retail customers with their own ordinary history (mules are usually real,
recruited accounts) and fresh counterparties:

- fan_in: 6 to 12 new payers into one retail account within two weeks;
- fan_out: one retail account pays 7 to 14 new individual accounts within ten days;
- cycle: 4 to 6 retail accounts pass money round a ring within a week or two;
- layering: a chain of 5 to 7 retail accounts, legs settled in any order;
- scatter_gather: one account scatters to 4 retail relays that pass it on to one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# segment -> (share of customers, customer type); the rest are retail individuals
SEGMENTS: dict[str, tuple[float, str]] = {
    "merchant": (0.06, "entity"),
    "broker": (0.02, "entity"),
    "escrow": (0.02, "entity"),
    "business": (0.05, "entity"),
}
# segment -> events a day: (what happens, mean count a day); a table, read by _ordinary
DAILY: dict[str, tuple[tuple[str, float], ...]] = {
    "retail": (("spend", 0.3), ("p2p", 0.03), ("cash", 0.02)),
    "merchant": (("supplier", 0.35), ("card_in", 3.0)),
    "broker": (("client_in", 2.0), ("client_out", 2.0)),
    "escrow": (("client_in", 1.5), ("client_out", 1.5)),
    "business": (("client_in", 0.6), ("supplier", 0.5)),
}
PLANTED = ("fan_in", "fan_out", "cycle", "layering", "scatter_gather")
JOIN_SHARE = 0.08  # retail customers who open their account during the period


@dataclass
class _Cust:
    cid: str
    ctype: str
    segment: str
    account: str
    joined: int  # day index of the first activity
    regulars: list[str] = field(default_factory=list)  # merchants (or suppliers) paid often
    friends: list[str] = field(default_factory=list)


@dataclass
class Population:
    """Rows by day index and labels of the planted laundering."""

    rng: random.Random
    start: dt.datetime  # midnight of day 0, Asia/Shanghai
    days: int
    customers: list[_Cust] = field(default_factory=list)
    by_day: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: list[dict[str, str]] = field(default_factory=list)
    counter: int = 0
    external: int = 0

    def tx_id(self) -> str:
        self.counter += 1
        return f"R{self.counter:08d}"

    def outsider(self, kind: str) -> str:
        self.external += 1
        return f"X{kind}{self.external:07d}"

    def when(self, day: int) -> dt.datetime:
        return self.start + dt.timedelta(days=day, seconds=self.rng.randrange(7 * 3600, 23 * 3600))

    def leg(
        self,
        day: int,
        who: _Cust,
        direction: str,
        channel: str,
        amount: float,
        counterparty: str | None,
        stamp: dt.datetime | None = None,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "tx_id": self.tx_id(),
            "timestamp": stamp or self.when(day),
            "customer_id": who.cid,
            "customer_type": who.ctype,
            "customer_segment": who.segment,
            "account_id": who.account,
            "direction": direction,
            "channel": channel,
            "amount": f"{amount:.2f}",
            "currency": "CNY",
        }
        if counterparty is not None:
            row["counterparty_id"] = counterparty
        self.by_day.setdefault(day, []).append(row)
        return row

    def pay(
        self, day: int, src: _Cust | str, dst: _Cust | str, amount: float, channel: str = "transfer"
    ) -> list[dict[str, Any]]:
        """A payment: a ledger leg on each side that is the institution's customer."""
        stamp = self.when(day)
        rows = []
        if isinstance(src, _Cust):
            rows.append(
                self.leg(
                    day, src, "out", channel, amount, dst.account if isinstance(dst, _Cust) else dst, stamp
                )
            )
        if isinstance(dst, _Cust):
            rows.append(
                self.leg(
                    day, dst, "in", channel, amount, src.account if isinstance(src, _Cust) else src, stamp
                )
            )
        return rows


def _people(pop: Population, count: int) -> None:
    rng = pop.rng
    for c in range(count):
        r, segment, ctype = rng.random(), "retail", "individual"
        for name, (share, kind) in SEGMENTS.items():
            if r < share:
                segment, ctype = name, kind
                break
            r -= share
        joined = rng.randrange(pop.days) if segment == "retail" and rng.random() < JOIN_SHARE else 0
        cid = f"R{c:05d}"
        pop.customers.append(_Cust(cid, ctype, segment, f"{cid}-A", joined))
    merchants = [c for c in pop.customers if c.segment == "merchant"]
    retail = [c for c in pop.customers if c.segment == "retail"]
    weights = [1 / (i + 1) for i in range(len(merchants))]  # a few big merchants, many small
    for cust in pop.customers:
        if cust.segment == "retail":
            cust.regulars = [m.account for m in rng.choices(merchants, weights, k=rng.randint(3, 6))]
            cust.friends = [f.account for f in rng.sample(retail, 3)]
        else:
            cust.regulars = [pop.outsider("S") for _ in range(rng.randint(3, 12))]


def _count(rng: random.Random, mean: float) -> int:
    """How many events of a given mean a day: whole part, plus one with the fraction's odds."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def _ordinary(
    pop: Population, day: int, by_account: dict[str, _Cust], merchants: list[_Cust], weights: list[float]
) -> None:
    rng = pop.rng
    for c in pop.customers:
        if day < c.joined:
            continue
        if (day - c.joined) % 30 == 0:  # salary from its employer, or the month's revenue
            pop.pay(
                day,
                f"XE{c.cid}" if c.segment == "retail" else pop.outsider("B"),
                c,
                rng.uniform(5_000, 20_000) if c.segment == "retail" else rng.uniform(50_000, 300_000),
            )
        for event, mean in DAILY[c.segment]:
            for _ in range(_count(rng, mean)):
                if event == "spend":  # mostly regular merchants, sometimes a new one
                    shop = (
                        rng.choice(c.regulars)
                        if rng.random() < 0.6
                        else rng.choices(merchants, weights)[0].account
                    )
                    pop.pay(
                        day,
                        c,
                        by_account[shop],
                        rng.uniform(20, 2_000),
                        rng.choice(("card", "wallet", "transfer")),
                    )
                elif event == "p2p":
                    pop.pay(day, c, by_account[rng.choice(c.friends)], rng.uniform(50, 3_000))
                elif event == "cash":
                    pop.leg(day, c, rng.choice(("in", "out")), "cash", rng.uniform(200, 5_000), None)
                elif event == "card_in":  # walk-in card customers from other banks
                    pop.pay(day, pop.outsider("K"), c, rng.uniform(20, 2_000), "card")
                elif event == "supplier":  # regular suppliers, and new ones now and then
                    payee = rng.choice(c.regulars) if rng.random() < 0.6 else pop.outsider("S")
                    pop.pay(day, c, payee, rng.uniform(2_000, 80_000))
                elif event == "client_in":  # clients come and go: most are new each time
                    pop.pay(day, pop.outsider("L"), c, rng.uniform(1_000, 100_000))
                elif event == "client_out":
                    pop.pay(day, c, pop.outsider("L"), rng.uniform(1_000, 100_000))


def _plant(pop: Population, typology: str, i: int, first_day: int) -> None:
    """One planted instance on existing retail customers (with history) and fresh parties."""
    rng = pop.rng
    retail = [c for c in pop.customers if c.segment == "retail" and c.joined == 0]
    day = rng.randrange(first_day, pop.days - 14)
    rows: list[dict[str, Any]] = []
    if typology == "fan_in":
        hub = rng.choice(retail)
        for _ in range(rng.randint(6, 12)):
            rows += pop.pay(day + rng.randrange(14), pop.outsider("M"), hub, rng.uniform(3_000, 30_000))
        members = [hub]
    elif typology == "fan_out":
        hub = rng.choice(retail)
        for _ in range(rng.randint(7, 14)):
            rows += pop.pay(day + rng.randrange(10), hub, pop.outsider("M"), rng.uniform(3_000, 30_000))
        members = [hub]
    elif typology in ("cycle", "layering"):
        ring = rng.sample(retail, rng.randint(4, 6) if typology == "cycle" else rng.randint(5, 7))
        hops = len(ring) if typology == "cycle" else len(ring) - 1
        order = list(range(hops))
        if typology == "layering":
            rng.shuffle(order)
        amount = rng.uniform(30_000, 90_000)
        for n, j in enumerate(order):
            rows += pop.pay(
                day + n * rng.randint(1, 2), ring[j], ring[(j + 1) % len(ring)], amount * (0.98**n)
            )
        members = ring
    else:  # scatter_gather
        source, sink, *relays = rng.sample(retail, 6)
        for relay in relays:
            amount = rng.uniform(20_000, 50_000)
            rows += pop.pay(day, source, relay, amount)
            rows += pop.pay(day + rng.randint(1, 3), relay, sink, amount * 0.97)
        members = [source, sink, *relays]
    hub = members[0]
    pop.labels.append(
        {
            "instance_id": f"{typology}-{i + 1}",
            "typology": typology,
            "kind": "suspicious",
            "customer_id": hub.cid,
            "account_id": hub.account,
            "business_date": min(r["timestamp"] for r in rows).date().isoformat(),
            "direction": "",
            "category": "",
            "currency_basis": "",
            "tx_ids": " ".join(r["tx_id"] for r in rows),
        }
    )


def realistic(
    seed: int, start: dt.datetime, days: int, customers: int, plants: int, judged_from: int
) -> tuple[Iterator[list[dict[str, Any]]], list[dict[str, str]]]:
    """Each day's rows (unsorted) and the labels; same arguments, same output.
    Laundering is planted from day ``judged_from`` on (after the monitor's history)."""
    pop = Population(random.Random(seed), start, days)
    _people(pop, customers)
    for typology in PLANTED:
        for i in range(plants):
            _plant(pop, typology, i, judged_from)
    by_account = {c.account: c for c in pop.customers}
    merchants = [c for c in pop.customers if c.segment == "merchant"]
    weights = [1 / (i + 1) for i in range(len(merchants))]

    def batches() -> Iterator[list[dict[str, Any]]]:
        for day in range(days):
            _ordinary(pop, day, by_account, merchants, weights)
            yield pop.by_day.pop(day, [])

    return batches(), pop.labels
