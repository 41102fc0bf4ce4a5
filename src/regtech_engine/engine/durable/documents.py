"""Named conditions over flat documents: the monitor's per-row and per-day rules.

A monitoring rule reads one flat feature document (no lists, every feature known), so it
compiles to a single durable rule in mode ``T``; a document fires the rules whose condition
is definitely true of it. Fields at zero may be left out of a document (durable's
comparisons are false on an absent field); the monitor sends the zeros a test is true at.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ...language import ir
from ..base import EvaluationContext
from .compiler import Compiler
from .driver import Ruleset
from .fnv import check_collisions
from .plan import Plan

BATCH = 2_000


class DurableDocumentRules:
    """Conditions compiled into one durable ruleset."""

    def __init__(self, conditions: Mapping[str, ir.Condition], context: EvaluationContext) -> None:
        compiler = Compiler(context)
        definition = {
            rule_id: {"all": [{"m": compiler.condition(cond, "T", Plan())}]}
            for rule_id, cond in conditions.items()
        }
        check_collisions([definition])
        self._ruleset = Ruleset(copy.deepcopy(definition))

    def fire(self, documents: list[dict[str, Any]], batch: int = BATCH) -> set[tuple[str, str]]:
        """(rule id, document id) of every firing; the documents are consumed (the driver
        adds its session id to each rather than copying them)."""
        fired: set[tuple[str, str]] = set()
        for start in range(0, len(documents), batch):
            fired |= self._ruleset.fired(documents[start : start + batch], consume=True)
        return fired

    def close(self) -> None:
        self._ruleset.close()
