"""durable_rules behind our driver: no state leaks between specs, packs compile twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from regtech_engine.check import Checker
from regtech_engine.engine.base import EvaluationContext
from regtech_engine.engine.durable.backend import DurableRules
from regtech_engine.engine.values import spec_values
from regtech_engine.language.rules import RulePack, load_pack
from regtech_engine.spec.loader import load_spec

from ..conftest import BASES, DATA

EXAMPLE = DATA / "product-spec.example.yaml"


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _oracle() -> RulePack:
    return load_pack([DATA / "oracle_rules"], builtin=False)


def test_compiling_the_same_pack_twice_works() -> None:
    pack = _oracle()
    ctx = EvaluationContext(dt.date(2026, 1, 1), pack.parameters.resolve_all(dt.date(2026, 1, 1)))
    first = DurableRules(pack.rules, ctx)
    second = DurableRules(pack.rules, ctx)
    data = spec_values(load_spec(EXAMPLE).model)
    assert first.evaluate(data, ctx.as_of) == second.evaluate(data, ctx.as_of)


def test_no_state_leaks_between_evaluations() -> None:
    pack = load_pack()
    checker = Checker(pack, dt.date(2026, 11, 25))
    bad = spec_values(load_spec(EXAMPLE).model)
    good = spec_values(load_spec(BASES / "payment-compliant.yaml").model)
    expected_good = checker.outcomes(good)
    expected_bad = checker.outcomes(bad)
    for _ in range(300):  # warm up allocators
        checker.outcomes(bad)
    before = _rss_kb()
    for i in range(3000):
        outcomes = checker.outcomes(good if i % 2 else bad)
        assert outcomes == (expected_good if i % 2 else expected_bad)
    growth = _rss_kb() - before
    # undeleted sessions cost ~1.3 MB each in durable_rules; 3,000 of them would be GBs
    assert growth < 4096, f"resident memory grew by {growth} kB over 3,000 evaluations"
