"""Every built-in rule's own test cases, run as pytest items (the same as `regtech rules test`)."""

from __future__ import annotations

import datetime as dt

import pytest

from regtech_engine.authoring.ruletests import base_specs, case_document
from regtech_engine.check import Checker
from regtech_engine.language.cases import RuleTest
from regtech_engine.language.rules import Rule, load_pack
from regtech_engine.spec.loader import spec_from_document
from regtech_engine.vocabulary import Outcome

PACK = load_pack()
BASES = base_specs([])
CASES = [(rule, case) for rule in PACK.rules for case in rule.body.tests]
_checkers: dict[dt.date, Checker] = {}


def _checker(as_of: dt.date) -> Checker:
    if as_of not in _checkers:
        _checkers[as_of] = Checker(PACK, as_of)
    return _checkers[as_of]


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}::{c.name}" for r, c in CASES])
def test_rule_case(rule: Rule, case: RuleTest) -> None:
    spec = spec_from_document(case_document(case, BASES, f"{rule.file} [{case.name}]"))
    outcome = _checker(case.as_of).outcomes_of(spec)[rule.id]
    assert outcome == case.expect


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_rule_has_firing_and_non_firing_cases(rule: Rule) -> None:
    kinds = {case.expect is Outcome.FAIL for case in rule.body.tests}
    assert kinds == {True, False}, f"{rule.id} needs a case that fires and one that does not"


def test_compliant_base_passes_every_theme() -> None:
    """A product compliant in every theme gets no finding above low, before and after changes."""
    spec = spec_from_document(BASES["payment-compliant"])
    for as_of in (dt.date(2024, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 11, 25)):
        result = _checker(as_of).check(spec)
        high = [f.rule_id for f in result.findings if f.severity in ("critical", "high", "medium")]
        assert not high, (as_of, high)
