"""Seeded, reproducible transaction files with planted typologies and their labels.

Background traffic is made to stay clear of every rule on its own (small amounts, three
regular counterparties per account and direction, counterparties outside the institution),
so that each alert on a generated file can be traced to a planted instance. Every planted
instance uses fresh customers and accounts. Background traffic starts ``history_days``
before the first planted day: the monitor judges payers new and accounts quiet only after
60 days of history (``monitor.history.min_days``), as it would on a bank's live stream.
Rows are written one business day at a time, so memory does not grow with ``n``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..timezone import SHANGHAI
from .population import realistic
from .typologies import TYPOLOGIES

LV_THRESHOLDS = {  # (CNY, USD), as in rules/parameters/aml_monitoring.yaml
    "cash": (50_000, 10_000),
    "entity_transfer": (2_000_000, 200_000),
    "individual_domestic_transfer": (500_000, 100_000),
    "individual_cross_border_transfer": (200_000, 10_000),
}
USD_CNY = 7.10
SUSPICIOUS = TYPOLOGIES  # every typology is planted
SANCTIONED_VARIANTS = (
    "TANCHON COMMERCIAL BANK",
    "tanchon-commercial  bank",
    "東方遠景國際貿易有限公司",
    "北海聯合航運集團",
    "Korea Kwangson Bankng Corporation",
    "Korea Mining Development Trading Corp",
    "K.O.M.I.D.",
)
BENIGN_NAMES = (
    "Shanghai Huarui Trading Co",
    "张伟",
    "李娜",
    "Shenzhen Bright Tech Ltd",
    "王芳",
    "Hangzhou Lakeside Foods",
    "刘洋",
    "Beijing Northstar Logistics",
)
LABEL_FIELDS = (
    "instance_id",
    "typology",
    "kind",
    "customer_id",
    "account_id",
    "business_date",
    "direction",
    "category",
    "currency_basis",
    "tx_ids",
)
TX_FIELDS = (
    "tx_id",
    "timestamp",
    "customer_id",
    "customer_type",
    "account_id",
    "direction",
    "channel",
    "amount",
    "currency",
    "counterparty_id",
    "counterparty_name",
    "counterparty_country",
    "customer_segment",
)
POPULATIONS = ("planted", "realistic")  # population.py says what the realistic one is


@dataclass
class GeneratorConfig:
    n: int = 10_000
    seed: int = 1
    plants: int = 5
    start: dt.date = dt.date(2025, 9, 15)
    days: int = 30
    history_days: int = 60  # at least this much ordinary traffic before ``start``
    population: str = "planted"  # or "realistic" (population.py): ``customers`` customers
    customers: int = 5_000  # realistic population only (``n`` is for the planted one)


@dataclass
class _Plan:
    rng: random.Random
    cfg: GeneratorConfig
    by_day: dict[dt.date, list[dict[str, Any]]] = field(default_factory=dict)
    labels: list[dict[str, str]] = field(default_factory=list)
    counter: int = 0

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:07d}"

    def at(self, day: dt.date, hour: float | None = None) -> dt.datetime:
        seconds = int((hour if hour is not None else self.rng.uniform(8, 20)) * 3600)
        return dt.datetime.combine(day, dt.time(), SHANGHAI) + dt.timedelta(seconds=seconds)

    def row(
        self,
        when: dt.datetime,
        customer: str,
        ctype: str,
        account: str,
        direction: str,
        channel: str,
        amount: float,
        currency: str = "CNY",
        **extra: Any,
    ) -> dict[str, Any]:
        row = {
            "tx_id": self.next_id("T"),
            "timestamp": when,
            "customer_id": customer,
            "customer_type": ctype,
            "account_id": account,
            "direction": direction,
            "channel": channel,
            "amount": f"{amount:.2f}",
            "currency": currency,
        }
        row.update({k: v for k, v in extra.items() if v is not None})
        self.by_day.setdefault(when.date(), []).append(row)
        return row

    def transfer(
        self, when: dt.datetime, src: tuple[str, str], dst: tuple[str, str], amount: float
    ) -> list[dict[str, Any]]:
        """Both ledger legs of a transfer between two of the institution's customers."""
        out = self.row(when, src[0], "individual", src[1], "out", "transfer", amount, counterparty_id=dst[1])
        inn = self.row(when, dst[0], "individual", dst[1], "in", "transfer", amount, counterparty_id=src[1])
        return [out, inn]

    def label(self, typology: str, kind: str, rows: list[dict[str, Any]], **key: str) -> None:
        self.labels.append(
            {
                "instance_id": f"{typology}-{len(self.labels) + 1}",
                "typology": typology,
                "kind": kind,
                "customer_id": key.get("customer_id", rows[0]["customer_id"]),
                "account_id": key.get("account_id", rows[0]["account_id"]),
                "business_date": key.get("business_date", rows[0]["timestamp"].date().isoformat()),
                "direction": key.get("direction", ""),
                "category": key.get("category", ""),
                "currency_basis": key.get("currency_basis", ""),
                "tx_ids": " ".join(r["tx_id"] for r in rows),
            }
        )


def _day(plan: _Plan, margin: int = 6) -> dt.date:
    offset = plan.rng.randrange(0, max(1, plan.cfg.days - margin))
    return plan.cfg.start + dt.timedelta(days=offset)


def _plant_large_value(plan: _Plan, k: int) -> None:
    rng = plan.rng
    for category, (cny, usd) in LV_THRESHOLDS.items():
        for i in range(plan.cfg.plants):
            basis = "CNY" if i % 2 == 0 else "USD"
            direction = "in" if (i // 2) % 2 == 0 else "out"
            threshold = cny if basis == "CNY" else usd
            first = round(threshold * rng.choice((0.5, 0.6, 0.7)), 2)
            second = threshold - first if i % 3 == 0 else round(threshold * 0.55, 2)
            customer = f"PLV{k}{category[:3].upper()}{i}"
            ctype = "entity" if category == "entity_transfer" else "individual"
            channel = "cash" if category == "cash" else "transfer"
            country = "US" if category == "individual_cross_border_transfer" else None
            day = _day(plan)
            rows = [
                plan.row(
                    plan.at(day),
                    customer,
                    ctype,
                    f"{customer}-A{j}",
                    direction,
                    channel,
                    amount,
                    basis if basis == "CNY" else "USD",
                    counterparty_id=None if channel == "cash" else f"X{customer}{j}",
                    counterparty_country=country,
                )
                for j, amount in enumerate((first, second), start=1)
            ]
            plan.label(
                "large_value",
                "large_value",
                rows,
                customer_id=customer,
                account_id="",
                direction=direction,
                category=category,
                currency_basis=basis,
            )


def _plant_suspicious(plan: _Plan, typology: str, i: int) -> None:
    rng = plan.rng
    tag = f"P{typology.replace('_', '').upper()}{i}"
    day = _day(plan)
    acct = (tag, f"{tag}-A1")
    rows: list[dict[str, Any]] = []
    if typology == "structuring":
        for d in range(4):
            rows.append(
                plan.row(
                    plan.at(day + dt.timedelta(days=d)),
                    tag,
                    "individual",
                    acct[1],
                    "in",
                    "cash",
                    rng.uniform(42_000, 49_500),
                )
            )
    elif typology == "rapid_in_out":
        received = rng.uniform(150_000, 400_000)
        start = rng.uniform(8, 12)
        rows.append(
            plan.row(
                plan.at(day, start),
                tag,
                "individual",
                acct[1],
                "in",
                "transfer",
                received,
                counterparty_id=f"X{tag}in",
            )
        )
        share = rng.uniform(0.92, 0.99)
        for j, part in enumerate((0.6, 0.4)):
            rows.append(
                plan.row(
                    plan.at(day, start + 2 + 6 * j),
                    tag,
                    "individual",
                    acct[1],
                    "out",
                    "transfer",
                    received * share * part,
                    counterparty_id=f"X{tag}out{j}",
                )
            )
    elif typology in ("fan_in", "fan_out"):
        direction = "in" if typology == "fan_in" else "out"
        for j in range(7):
            when = plan.at(day + dt.timedelta(days=j % 5))
            rows.append(
                plan.row(
                    when,
                    tag,
                    "individual",
                    acct[1],
                    direction,
                    "transfer",
                    rng.uniform(2_000, 9_000),
                    counterparty_id=f"X{tag}-{j}",
                )
            )
    elif typology == "cycle":
        # rings of five or more accounts are also layering chains before they close
        ring = [(f"{tag}C{j}", f"{tag}C{j}-A") for j in range(rng.choice((3, 4)))]
        hour = 9.0
        for j, src in enumerate(ring):
            dst = ring[(j + 1) % len(ring)]
            rows += plan.transfer(
                plan.at(day + dt.timedelta(days=j // 2), hour), src, dst, rng.uniform(20_000, 40_000)
            )
            hour = 9.0 if hour > 15 else hour + 3
        acct = ring[0]
    elif typology == "layering":
        chain = [(f"{tag}L{j}", f"{tag}L{j}-A") for j in range(rng.choice((5, 6, 7)))]
        legs = list(range(len(chain) - 1))
        rng.shuffle(legs)  # arranged legs settle in any order over a few days
        for n, j in enumerate(legs):
            rows += plan.transfer(
                plan.at(day + dt.timedelta(days=n // 2), 9.0 + 2 * (n % 2)),
                chain[j],
                chain[j + 1],
                rng.uniform(20_000, 40_000),
            )
        acct = chain[0]
    elif typology == "scatter_gather":
        source, sink = (f"{tag}S", f"{tag}S-A"), (f"{tag}D", f"{tag}D-A")
        for j in range(4):
            relay = (f"{tag}M{j}", f"{tag}M{j}-A")
            # relays are established customers (a first payment would also look like fan-in)
            plan.row(
                plan.at(day - dt.timedelta(days=20)),
                relay[0],
                "individual",
                relay[1],
                "out",
                "transfer",
                300,
                counterparty_id=f"X{tag}M{j}",
            )
            amount = rng.uniform(20_000, 40_000)
            rows += plan.transfer(plan.at(day, 9 + j), source, relay, amount)
            rows += plan.transfer(plan.at(day + dt.timedelta(days=1), 9 + j), relay, sink, amount * 0.95)
        acct = sink
    elif typology == "dormant_reactivation":
        early = plan.cfg.start - dt.timedelta(days=rng.randrange(200, 300))
        plan.row(
            plan.at(early), tag, "individual", acct[1], "in", "transfer", 500, counterparty_id=f"X{tag}old"
        )
        rows.append(
            plan.row(
                plan.at(day),
                tag,
                "individual",
                acct[1],
                "in",
                "transfer",
                rng.uniform(60_000, 200_000),
                counterparty_id=f"X{tag}new",
            )
        )
    elif typology == "high_risk_country":
        rows.append(
            plan.row(
                plan.at(day),
                tag,
                "individual",
                acct[1],
                "out",
                "transfer",
                rng.uniform(3_000, 9_000),
                counterparty_id=f"X{tag}",
                counterparty_country=rng.choice(("KP", "IR", "MM")),
            )
        )
    elif typology == "sanctions_match":
        rows.append(
            plan.row(
                plan.at(day),
                tag,
                "entity",
                acct[1],
                "out",
                "transfer",
                rng.uniform(3_000, 9_000),
                counterparty_id=f"X{tag}",
                counterparty_name=SANCTIONED_VARIANTS[i % len(SANCTIONED_VARIANTS)],
            )
        )
    plan.label(typology, "suspicious", rows, customer_id=acct[0], account_id=acct[1])


@dataclass(frozen=True)
class _Customer:
    cid: str
    ctype: str
    accounts: tuple[str, ...]
    payers: tuple[str, ...]
    payees: tuple[str, ...]
    country: str | None
    name: str


def _customers(rng: random.Random, count: int) -> list[_Customer]:
    out = []
    for c in range(count):
        cid = f"C{c:06d}"
        n_acc = 2 if rng.random() < 0.3 else 1
        out.append(
            _Customer(
                cid,
                "entity" if rng.random() < 0.15 else "individual",
                tuple(f"{cid}-A{j}" for j in range(n_acc)),
                tuple(f"X{rng.randrange(10**8):08d}" for _ in range(3)),
                tuple(f"X{rng.randrange(10**8):08d}" for _ in range(3)),
                rng.choice(("US", "GB", "SG", "JP")) if rng.random() < 0.1 else None,
                rng.choice(BENIGN_NAMES),
            )
        )
    return out


def _background(plan: _Plan, people: list[_Customer], day: dt.date, count: int) -> Iterator[dict[str, Any]]:
    rng = plan.rng
    for _ in range(count):
        c = rng.choice(people)
        direction = "in" if rng.random() < 0.5 else "out"
        r = rng.random()
        channel = "cash" if r < 0.15 else "transfer" if r < 0.75 else "card" if r < 0.9 else "wallet"
        foreign = rng.random() < 0.05
        amount = (
            rng.uniform(10, 500)
            if foreign
            else (rng.uniform(100, 3_000) if channel == "cash" else rng.uniform(100, 8_000))
        )
        row: dict[str, Any] = {
            "tx_id": plan.next_id("B"),
            "timestamp": plan.at(day, rng.uniform(0, 24)),
            "customer_id": c.cid,
            "customer_type": c.ctype,
            "account_id": rng.choice(c.accounts),
            "direction": direction,
            "channel": channel,
            "amount": f"{amount:.2f}",
            "currency": "USD" if foreign else "CNY",
        }
        if channel != "cash":
            row["counterparty_id"] = rng.choice(c.payers if direction == "in" else c.payees)
            row["counterparty_name"] = c.name
            if c.country and rng.random() < 0.3:
                row["counterparty_country"] = c.country
        yield row


def _as_text(stamp: dt.datetime, rng: random.Random) -> str:
    if rng.random() < 0.1:  # some sources send UTC with an offset
        return stamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return stamp.replace(tzinfo=None).isoformat()


def _realistic(cfg: GeneratorConfig) -> tuple[Iterator[dict[str, Any]], list[dict[str, str]]]:
    first = dt.datetime.combine(cfg.start - dt.timedelta(days=cfg.history_days), dt.time(), SHANGHAI)
    days, labels = realistic(
        cfg.seed, first, cfg.history_days + cfg.days, cfg.customers, cfg.plants, cfg.history_days
    )
    rng = random.Random(cfg.seed + 1)

    def rows() -> Iterator[dict[str, Any]]:
        for batch in days:
            batch.sort(key=lambda r: (r["timestamp"], r["tx_id"]))
            for row in batch:
                yield {**row, "timestamp": _as_text(row["timestamp"], rng)}

    return rows(), labels


def generate(cfg: GeneratorConfig) -> tuple[Iterator[dict[str, Any]], list[dict[str, str]]]:
    """Rows (in time order, timestamps as text) and labels; same config, same output."""
    if cfg.population == "realistic":
        return _realistic(cfg)
    rng = random.Random(cfg.seed)
    plan = _Plan(rng, cfg)
    _plant_large_value(plan, 0)
    for typology in SUSPICIOUS:
        for i in range(cfg.plants):
            _plant_suspicious(plan, typology, i)
    planted = sum(len(v) for v in plan.by_day.values())
    # ordinary traffic from the earliest planted row on (a dormant account's old activity):
    # the monitor's history starts with the stream, and everyone is new at its start
    first = min([cfg.start - dt.timedelta(days=cfg.history_days), *plan.by_day])
    end = cfg.start + dt.timedelta(days=cfg.days)
    span = (end - first).days
    background = max(span, cfg.n - planted)
    people = _customers(rng, max(20, background // span // 2))

    def rows() -> Iterator[dict[str, Any]]:
        days = sorted(set(plan.by_day) | {first + dt.timedelta(days=d) for d in range(span)})
        for day in days:
            batch = list(plan.by_day.get(day, []))
            if first <= day < end:
                i = (day - first).days  # spread ``background`` rows evenly over the days
                count = background * (i + 1) // span - background * i // span
                batch.extend(_background(plan, people, day, count))
            batch.sort(key=lambda r: (r["timestamp"], r["tx_id"]))
            for row in batch:
                yield {**row, "timestamp": _as_text(row["timestamp"], rng)}

    return rows(), plan.labels


def write_dataset(folder: Path, cfg: GeneratorConfig, fmt: str = "jsonl") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows, labels = generate(cfg)
    tx_path = folder / f"transactions.{fmt}"
    with tx_path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.DictWriter(fh, TX_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    label_path = folder / "labels.csv"
    with label_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, LABEL_FIELDS)
        writer.writeheader()
        writer.writerows(labels)
    rates_path = folder / "rates.yaml"
    rates_path.write_text(
        f"USD: {{cny: {USD_CNY:.2f}, usd: 1}}\nEUR: {{cny: 7.75, usd: 1.09}}\n", encoding="utf-8"
    )
    return [tx_path, label_path, rates_path]
