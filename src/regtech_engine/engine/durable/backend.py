"""The durable_rules backend behind the Backend protocol."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...language import ir
from ...language.rules import Rule
from ...vocabulary import Outcome
from ..base import EvaluationContext
from .compiler import Compiled, compile_rules
from .documents import DurableDocumentRules
from .driver import Ruleset
from .facts import Normaliser
from .fnv import check_collisions


class _Unit:
    """A group of rules with its own rulesets and normaliser (see compiler.compile_rules)."""

    def __init__(self, compiled: Compiled, context: EvaluationContext) -> None:
        check_collisions([*compiled.root, *compiled.items])
        self.root = [Ruleset(d) for d in compiled.root]
        self.items = [Ruleset(d) for d in compiled.items]
        self.normaliser = Normaliser(compiled.plan)

    def close(self) -> None:
        for ruleset in (*self.root, *self.items):
            ruleset.close()

    def fired(self, data: dict[str, Any], as_of: dt.date) -> set[str]:
        fired_items: set[tuple[str, str]] = set()
        for level in range(self.normaliser.max_depth, 0, -1):
            facts = self.normaliser.item_facts(data, level, fired_items, as_of)
            for ruleset in self.items:
                fired_items |= ruleset.fired(facts)
        root = self.normaliser.root_fact(data, fired_items, as_of)
        root["id"] = "spec"
        fired: set[str] = set()
        for ruleset in self.root:
            fired.update(name for name, _ in ruleset.fired([root]))
        return fired


class DurableRules:
    """A rule pack compiled to durable rulesets, evaluated unit by unit."""

    def __init__(self, rules: list[Rule], context: EvaluationContext) -> None:
        compiled = compile_rules(rules, context)
        self.rule_ids = [rule_id for unit in compiled for rule_id in unit.rule_ids]
        self.units = [_Unit(c, context) for c in compiled]

    def close(self) -> None:
        """Free every engine ruleset of the pack (engine/cache.py calls it on eviction)."""
        for unit in self.units:
            unit.close()

    def fired(self, data: dict[str, Any], as_of: dt.date) -> set[str]:
        fired: set[str] = set()
        for unit in self.units:
            fired |= unit.fired(data, as_of)
        return fired

    def evaluate(self, data: dict[str, Any], as_of: dt.date) -> dict[str, Outcome]:
        fired = self.fired(data, as_of)
        outcomes: dict[str, Outcome] = {}
        for rule_id in self.rule_ids:
            if f"{rule_id}|na" in fired:
                outcomes[rule_id] = Outcome.NOT_APPLICABLE
            elif f"{rule_id}|fail" in fired:
                outcomes[rule_id] = Outcome.FAIL
            elif f"{rule_id}|gap" not in fired or f"{rule_id}|pass" in fired:
                outcomes[rule_id] = Outcome.PASS
            else:
                outcomes[rule_id] = Outcome.INSUFFICIENT_EVIDENCE
        return outcomes


class DurableBackend:
    name = "durable_rules"

    def compile(self, rules: list[Rule], context: EvaluationContext) -> DurableRules:
        return DurableRules(rules, context)

    def compile_documents(
        self, conditions: Mapping[str, ir.Condition], context: EvaluationContext
    ) -> DurableDocumentRules:
        return DurableDocumentRules(conditions, context)
