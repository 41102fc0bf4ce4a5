"""Features at zero are left out of the documents durable_rules reads, without changing a
single firing: fields some test holds on at zero are sent with their zero."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regtech_engine.errors import RuleError
from regtech_engine.language import ir
from regtech_engine.monitor.documents import TransactionFeatures
from regtech_engine.monitor.rules import MonitoringPack, fire, load_pack, zero_sensitive

DAY = dt.date(2025, 9, 1)
BASE = {
    "direction": "out",
    "channel": "transfer",
    "customer_type": "individual",
    "category": "individual_domestic_transfer",
    "cross_border": False,
    "amount_cny": 5000,
}
NUMBERS = [
    n for n, f in TransactionFeatures.model_fields.items() if f.annotation is int and n != "amount_cny"
]


def cmp(path: str, op: str, value: Any) -> ir.Compare:
    return ir.Compare(path=path, op=ir.Op(op), operand=ir.Literal_(value=value))


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cmp("dormant_days", "ge", 180), {}),
        (cmp("dormant_days", "lt", 5), {"dormant_days": 0}),
        (cmp("dormant_days", "eq", 0), {"dormant_days": 0}),
        (cmp("dormant_days", "ne", 3), {"dormant_days": 0}),
        (ir.Not(condition=cmp("cycle_hops", "ge", 2)), {"cycle_hops": 0}),
        (ir.Not(condition=ir.Not(condition=cmp("cycle_hops", "ge", 2))), {}),
        (cmp("counterparty_high_risk", "eq", True), {}),
        (cmp("counterparty_high_risk", "eq", False), {"counterparty_high_risk": False}),
        (cmp("sanctions_score", "in", [0, 90]), {"sanctions_score": 0}),
        (ir.AnyOf(conditions=(cmp("cycle_hops", "ge", 2), cmp("cycle_hours", "le", 72))), {"cycle_hours": 0}),
        (
            ir.Compare(path="rapid_in_cny", op=ir.Op.GT, operand=ir.FieldRef(path="amount_cny")),
            {"rapid_in_cny": 0, "amount_cny": 0},
        ),
        (cmp("channel", "ne", "cash"), {}),  # words are always sent
    ],
)
def test_fields_needed_at_zero(condition: ir.Condition, expected: dict[str, Any]) -> None:
    assert zero_sensitive([condition], TransactionFeatures, {}) == expected


@pytest.fixture(scope="module")
def pack() -> MonitoringPack:
    return load_pack()


feature_values = st.dictionaries(
    st.sampled_from(NUMBERS), st.sampled_from([0, 1, 2, 3, 5, 8, 72, 90, 100, 200_000])
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(feature_values, st.booleans()), min_size=1, max_size=20))
def test_sparse_documents_fire_exactly_as_full_ones(
    pack: MonitoringPack, docs: list[tuple[dict[str, int], bool]]
) -> None:
    ctx = pack.context(DAY)
    ruleset = ctx.rulesets["transaction"]
    assert ruleset is not None
    zero = dict.fromkeys(NUMBERS, 0)
    full = [
        {**BASE, **zero, **features, "counterparty_high_risk": risky, "id": str(i)}
        for i, (features, risky) in enumerate(docs)
    ]
    sparse = []
    for i, (features, risky) in enumerate(docs):
        doc = {**BASE, **{k: v for k, v in features.items() if v}}
        if risky:
            doc["counterparty_high_risk"] = True
        sparse.append({**ctx.zeros["transaction"], **doc, "id": str(i)})
    assert fire(ruleset, sparse) == fire(ruleset, full)


def house_rule(root: Path, rule_id: str, typology: str, when: str) -> Path:
    """A rules folder holding one monitoring rule; the folder, for load_pack."""
    rules = root / "house" / "monitoring"
    rules.mkdir(parents=True)
    (rules / f"{rule_id}.yaml").write_text(
        f"id: {rule_id}\nkind: suspicious\ndocument: transaction\ntypology: {typology}\n"
        f"severity: low\ntitle: {{en: x, zh: x}}\ncitations: []\nwhen: {when}\n",
        encoding="utf-8",
    )
    return root / "house"


def test_a_house_rule_true_at_zero_gets_its_zero(tmp_path: Path) -> None:
    pack = load_pack(
        [
            house_rule(
                tmp_path,
                "HOUSE-LARGE-FIRST",
                "dormant_reactivation",
                "{all: [{path: amount_cny, ge: 100000}, {path: dormant_days, lt: 1}]}",
            )
        ]
    )
    ctx = pack.context(DAY)
    assert ctx.zeros["transaction"]["dormant_days"] == 0
    ruleset = ctx.rulesets["transaction"]
    assert ruleset is not None
    doc = {**BASE, "amount_cny": 150_000}
    assert fire(ruleset, [{**ctx.zeros["transaction"], **doc, "id": "1"}]) == {("HOUSE-LARGE-FIRST", "1")}
    assert fire(ruleset, [{**doc, "id": "1"}]) == set()  # why the zero must be sent


def test_present_and_absent_are_refused_in_monitoring_rules(tmp_path: Path) -> None:
    folder = house_rule(tmp_path, "HOUSE-P", "fan_in", "{path: dormant_days, present: true}")
    with pytest.raises(RuleError, match="comparisons and all/any/not"):
        load_pack([folder])
