"""Alert-level precision and recall per typology, against labels.

Two label formats: the generator's ``labels.csv`` (one planted instance a row) and an AMLSim
folder (``labels.csv`` of labelled transfers, ``alerts.csv`` of member accounts), scored as
its README says: a planted alert is found when a raised alert of its typology names its hub
account (for a cycle: any two of its accounts) within the alert's period. A raised alert is
a true positive when it finds some planted instance of its own typology.

AMLSim's "cycle" is found by two of the pack's typologies (``AMLSIM_FOUND_BY``): AMLSim
schedules a ring's transfers on random days of its period and some rings lack a transfer in
the data (5 of 40 in the 10K set: chains, not rings), which is the layering typology's
pattern; a complete ring is also found by the cycle typology. Its row counts the alerts of
both, and a row per typology under it shows what each finds alone.

Beside each typology the scorer reports the naive rule it must beat (baseline.py), scored the
same way on the same rows, and the alert volume: the share of the customers active in a
month that the typology alerts that month (averaged over the months of the data), and the
lift: how much likelier an alerted customer is to be involved in planted laundering than
any customer of the data (the base rate). An AML team reviews customers, so both count
customers, not alerts.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TransactionError
from .naive_rules import NAIVE_RULES, naive_alerts, read_txs
from .rates import Rates, load_rates
from .records import Tx
from .rules import load_pack
from .runner import RunOptions, run

WHERE_TO_GET_DATA = (
    "AMLSim (Apache-2.0) is at https://github.com/IBM/AMLSim: generate its 10K parameter set, "
    "then convert each transfer to two ledger legs in the transaction contract "
    "(transactions.csv.gz, labels.csv, alerts.csv; see the shared datasets README)."
)


# AMLSim typology -> the pack's typologies whose alerts find it (the module docstring says why)
AMLSIM_FOUND_BY: dict[str, tuple[str, ...]] = {
    "fan_in": ("fan_in",),
    "fan_out": ("fan_out",),
    "cycle": ("cycle", "layering"),
}


@dataclass
class Volume:
    """How many customers a set of alerts puts before the AML team, and how well chosen."""

    alerted_by_month: dict[str, float]  # month -> share of its active customers alerted
    alerted_customers: int
    lift: float | None  # P(involved | alerted) / P(involved); None: nothing alerted

    @property
    def alerted_share(self) -> float | None:
        """Mean over the months of the data of the share of customers alerted that month."""
        months = self.alerted_by_month
        return sum(months.values()) / len(months) if months else None

    def to_json(self) -> dict[str, Any]:
        return {
            "alerted_share_per_month": _rounded(self.alerted_share),
            "alerted_by_month": {m: _rounded(v) for m, v in self.alerted_by_month.items()},
            "alerted_customers": self.alerted_customers,
            "lift": _rounded(self.lift),
        }


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class TypologyScore:
    typology: str
    planted: int = 0
    found: int = 0
    alerts: int = 0
    true_alerts: int = 0
    by: dict[str, TypologyScore] = field(default_factory=dict)  # per finding typology
    volume: Volume | None = None
    naive: TypologyScore | None = None  # the naive rule's score on the same rows
    naive_text: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "planted": self.planted,
            "found": self.found,
            "recall": self.recall,
            "alerts": self.alerts,
            "true_alerts": self.true_alerts,
            "precision": self.precision,
        }
        if self.volume is not None:
            out.update(self.volume.to_json())
        if self.by:
            out["by"] = {t: s.to_json() for t, s in sorted(self.by.items())}
        if self.naive is not None:
            out["naive"] = {"rule": self.naive_text, **self.naive.to_json()}
        return out

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        return self.true_alerts / self.alerts if self.alerts else None


@dataclass
class Scores:
    rows: dict[str, TypologyScore] = field(default_factory=dict)
    unlabelled: Counter[str] = field(default_factory=Counter)
    suspicious: Volume | None = None  # every suspicious-pattern alert together
    base_rate: float | None = None  # share of the data's customers involved in laundering

    def row(self, typology: str) -> TypologyScore:
        return self.rows.setdefault(typology, TypologyScore(typology))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "typologies": {t: s.to_json() for t, s in sorted(self.rows.items())},
            "alerts_of_unlabelled_typologies": dict(sorted(self.unlabelled.items())),
        }
        if self.suspicious is not None:
            out["all_suspicious"] = self.suspicious.to_json()
            out["base_rate"] = _rounded(self.base_rate)
        return out

    def render(self) -> str:
        def fmt(x: float | None, spec: str = ".3f") -> str:
            return "  -  " if x is None else format(x, spec)

        lines = [
            f"{'typology':<22} {'planted':>7} {'found':>6} {'recall':>7} {'alerts':>7} "
            f"{'true':>6} {'precision':>9} {'alerted/month':>13} {'lift':>6}"
        ]

        def line(name: str, s: TypologyScore) -> str:
            v = s.volume
            volume = "" if v is None else (f" {fmt(v.alerted_share, '.2%'):>13} {fmt(v.lift, '.1f'):>6}")
            return (
                f"{name:<22} {s.planted:>7} {s.found:>6} {fmt(s.recall):>7} "
                f"{s.alerts:>7} {s.true_alerts:>6} {fmt(s.precision):>9}{volume}"
            )

        for t, s in sorted(self.rows.items()):
            lines.append(line(t, s))
            lines.extend(line(f"  by {b}", sub) for b, sub in sorted(s.by.items()))
            if s.naive is not None:
                lines.append(line("  naive rule", s.naive) + f"  ({s.naive_text})")
        if self.suspicious is not None:
            v = self.suspicious
            lines.append(
                f"all suspicious alerts: {v.alerted_customers:,} customers, "
                f"{fmt(v.alerted_share, '.2%')} of active customers a month, lift "
                f"{fmt(v.lift, '.1f')} over a base rate of "
                f"{fmt(self.base_rate, '.2%')}"
            )
        if self.unlabelled:
            other = ", ".join(f"{k} {v}" for k, v in sorted(self.unlabelled.items()))
            lines.append(f"alerts of typologies these labels do not cover: {other}")
        return "\n".join(lines)


def load_alerts(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _typology(alert: dict[str, Any]) -> str:
    return "large_value" if alert["kind"] == "large_value" else str(alert.get("typology"))


def score_generated(alerts: list[dict[str, Any]], labels: Path) -> Scores:
    scores = Scores()
    lv_keys: set[tuple[str, ...]] = set()
    planted: dict[str, list[set[str]]] = defaultdict(list)
    with labels.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            scores.row(row["typology"]).planted += 1
            if row["kind"] == "large_value":
                lv_keys.add(
                    (
                        row["customer_id"],
                        row["business_date"],
                        row["direction"],
                        row["category"],
                        row["currency_basis"],
                    )
                )
            else:
                planted[row["typology"]].append(set(row["tx_ids"].split()))
    raised_lv: set[tuple[str, ...]] = set()
    for alert in alerts:
        typology = _typology(alert)
        if typology not in scores.rows:
            scores.unlabelled[typology] += 1
            continue
        score = scores.rows[typology]
        score.alerts += 1
        if typology == "large_value":
            key = (
                alert["customer_id"],
                alert["business_date"],
                alert["direction"],
                alert["category"],
                alert["currency_basis"],
            )
            raised_lv.add(key)
            score.true_alerts += key in lv_keys
        else:
            ids = set(alert["tx_ids"])
            score.true_alerts += any(ids & inst for inst in planted[typology])
    if "large_value" in scores.rows:
        scores.rows["large_value"].found = len(lv_keys & raised_lv)
    for typology, instances in planted.items():
        raised = [set(a["tx_ids"]) for a in alerts if _typology(a) == typology]
        scores.rows[typology].found = sum(any(inst & r for r in raised) for inst in instances)
    return scores


@dataclass
class _Planted:
    typology: str
    accounts: set[str]
    hub: str
    start: dt.date
    end: dt.date


def _amlsim_planted(folder: Path) -> list[_Planted]:
    members: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    with (folder / "alerts.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            members[row["alert_id"]].add(row["account_id"])
            kinds[row["alert_id"]] = row["typology"]
    transfers: dict[str, str] = {}
    with (folder / "labels.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            transfers[row["tx_id"]] = row["alert_id"]
    senders: dict[str, Counter[str]] = defaultdict(Counter)
    receivers: dict[str, Counter[str]] = defaultdict(Counter)
    dates: dict[str, list[dt.date]] = defaultdict(list)
    with gzip.open(folder / "transactions.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            tx_id = row["tx_id"]
            if not tx_id.endswith("-out"):
                continue
            alert = transfers.get(tx_id[:-4])
            if alert is None:
                continue
            senders[alert][row["account_id"]] += 1
            receivers[alert][row["counterparty_id"]] += 1
            dates[alert].append(dt.date.fromisoformat(row["timestamp"][:10]))
    out = []
    for alert, kind in kinds.items():
        if not dates[alert]:
            continue
        hub = (receivers if kind == "fan_in" else senders)[alert].most_common(1)[0][0]
        out.append(_Planted(kind, members[alert], hub, min(dates[alert]), max(dates[alert])))
    return out


def _named(alert: dict[str, Any]) -> set[str]:
    names = set(alert.get("accounts") or [])
    if alert.get("account_id"):
        names.add(alert["account_id"])
    return names


def _period(alert: dict[str, Any]) -> tuple[dt.date, dt.date]:
    start = alert.get("window_start") or alert["business_date"]
    end = alert.get("window_end") or alert["business_date"]
    return dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])


def _finds(alert: dict[str, Any], planted: _Planted) -> bool:
    start, end = _period(alert)
    if end < planted.start or start > planted.end:
        return False
    named = _named(alert)
    if planted.typology == "cycle":
        return len(named & planted.accounts) >= 2
    return planted.hub in named


def score_amlsim(
    alerts: list[dict[str, Any]], folder: Path, found_by: dict[str, tuple[str, ...]] | None = None
) -> Scores:
    """Scores of ``alerts``; ``found_by`` maps a label to the alert typologies that find it
    (default ``AMLSIM_FOUND_BY``; the naive rules find each label with their own)."""
    found_by = AMLSIM_FOUND_BY if found_by is None else found_by
    scores = Scores()
    planted = _amlsim_planted(folder)
    for p in planted:
        scores.row(p.typology).planted += 1
    finding = {mine for label, ours in found_by.items() if label in scores.rows for mine in ours}
    by_typology: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in alerts:
        typology = _typology(alert)
        if typology in scores.rows or typology in finding:
            by_typology[typology].append(alert)
        else:
            scores.unlabelled[typology] += 1
    for label, score in scores.rows.items():
        mine = [p for p in planted if p.typology == label]
        finders = found_by.get(label, (label,))
        _score(score, mine, [a for t in finders for a in by_typology[t]])
        if len(finders) > 1:
            for typology in finders:
                _score(
                    score.by.setdefault(typology, TypologyScore(typology, len(mine))),
                    mine,
                    by_typology[typology],
                )
    return scores


def _score(score: TypologyScore, planted: list[_Planted], raised: list[dict[str, Any]]) -> None:
    score.alerts = len(raised)
    score.true_alerts = sum(any(_finds(a, p) for p in planted) for a in raised)
    score.found = sum(any(_finds(a, p) for a in raised) for p in planted)


def _is_amlsim(path: Path) -> bool:
    return path.is_dir() and (path / "alerts.csv").is_file() and (path / "transactions.csv.gz").is_file()


def evaluate_path(
    path: Path,
    labels: Path | None = None,
    alerts_file: Path | None = None,
    rates: Path | None = None,
    rules: list[Path] | None = None,
    save_alerts: Path | None = None,
) -> Scores:
    """Run the monitor on ``path`` (unless ``alerts_file`` is given) and score its alerts."""
    amlsim = _is_amlsim(path)
    if amlsim:
        source = path / "transactions.csv.gz"
        rate_table = load_rates(rates) if rates else Rates({"USD": (_d("7.1"), _d("1"))})
    else:
        if path.is_dir():
            candidates = sorted(path.glob("transactions.*"))
            if not candidates:
                raise TransactionError.single(
                    f"no transactions file in {path}. {WHERE_TO_GET_DATA}", file=str(path)
                )
            source = candidates[0]
        else:
            source = path
        default_rates = source.parent / "rates.yaml"
        rate_path = rates or (default_rates if default_rates.is_file() else None)
        rate_table = load_rates(rate_path) if rate_path else Rates()
        labels = labels or source.parent / "labels.csv"
        if not labels.is_file():
            raise TransactionError.single("labels file not found", file=str(labels))
    if alerts_file is None:
        with tempfile.TemporaryDirectory() as tmp:
            out = save_alerts or Path(tmp) / "alerts.jsonl"
            run(
                RunOptions(
                    str(source),
                    load_pack(rules),
                    rate_table,
                    output=out,
                    dead_letter=Path(tmp) / "dead.jsonl",
                )
            )
            alerts = load_alerts(out)
    else:
        alerts = load_alerts(alerts_file)
    people = _Population(wanted=None if amlsim else _label_tx_ids(labels))
    naive = naive_alerts(people.watch(read_txs(str(source), rate_table)))
    if amlsim:
        scores = score_amlsim(alerts, path)
        naive_scores = score_amlsim(naive, path, found_by={})
        people.involved = {people.customer_of.get(a, a) for a in _amlsim_members(path)}
    else:
        assert labels is not None
        scores = score_generated(alerts, labels)
        naive_scores = score_generated(naive, labels)
        people.involved = _involved(labels, people.customer_of_tx)
    add_volume(scores, alerts, people)
    add_volume(naive_scores, naive, people)
    texts = {r.typology: r.text for r in NAIVE_RULES}
    for typology, row in scores.rows.items():
        if typology in texts and typology in naive_scores.rows:
            row.naive, row.naive_text = naive_scores.rows[typology], texts[typology]
    return scores


@dataclass
class _Population:
    """Who is in the data, month by month, and who is involved in planted laundering."""

    active: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    customer_of: dict[str, str] = field(default_factory=dict)  # account -> customer
    customer_of_tx: dict[str, str] = field(default_factory=dict)  # of the ``wanted`` rows
    involved: set[str] = field(default_factory=set)
    wanted: set[str] | None = None  # tx ids whose customer is needed (labelled rows)

    def watch(self, txs: Any) -> Any:
        """Pass ``txs`` through, noting each customer's months and accounts."""
        active, customer_of, of_tx = self.active, self.customer_of, self.customer_of_tx
        wanted = self.wanted or set()
        tx: Tx
        for tx in txs:
            active[tx.business_date.isoformat()[:7]].add(tx.customer_id)
            customer_of[tx.account_id] = tx.customer_id
            if tx.tx_id in wanted:
                of_tx[tx.tx_id] = tx.customer_id
            yield tx

    @property
    def customers(self) -> set[str]:
        return set().union(*self.active.values()) if self.active else set()


def _label_tx_ids(labels: Path | None) -> set[str]:
    if labels is None:
        return set()
    with labels.open(encoding="utf-8", newline="") as fh:
        return {t for row in csv.DictReader(fh) for t in row["tx_ids"].split()}


def _amlsim_members(folder: Path) -> set[str]:
    with (folder / "alerts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["account_id"] for row in csv.DictReader(fh)}


def _involved(labels: Path, customer_of_tx: dict[str, str]) -> set[str]:
    """Customers with a row in a planted suspicious instance (large values are no laundering)."""
    out: set[str] = set()
    with labels.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "suspicious":
                out.update(customer_of_tx[t] for t in row["tx_ids"].split() if t in customer_of_tx)
    return out


def volume(alerts: list[dict[str, Any]], people: _Population) -> Volume:
    """Share of active customers alerted per month, and the lift over the base rate."""
    by_month: dict[str, set[str]] = defaultdict(set)
    for alert in alerts:
        by_month[alert["business_date"][:7]].add(alert["customer_id"])
    alerted = set().union(*by_month.values()) if by_month else set()
    everyone = people.customers
    base = len(people.involved & everyone) / len(everyone) if everyone else 0
    lift = (len(alerted & people.involved) / len(alerted) / base) if alerted and base else None
    shares = {m: len(by_month.get(m, set()) & c) / len(c) for m, c in sorted(people.active.items()) if c}
    return Volume(shares, len(alerted), lift)


def add_volume(scores: Scores, alerts: list[dict[str, Any]], people: _Population) -> None:
    """Each typology's volume (its alerts and those of the typologies that find it), and all
    suspicious alerts together."""
    suspicious = [a for a in alerts if a["kind"] == "suspicious"]
    everyone = people.customers
    scores.base_rate = len(people.involved & everyone) / len(everyone) if everyone else None
    scores.suspicious = volume(suspicious, people)
    for typology, row in scores.rows.items():
        if typology == "large_value":  # reports the law requires, not alerts to review
            continue
        finders = set(row.by) or {typology}
        row.volume = volume([a for a in alerts if _typology(a) in finders], people)
        for sub, score in row.by.items():
            score.volume = volume([a for a in alerts if _typology(a) == sub], people)


def _d(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)
