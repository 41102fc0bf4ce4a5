"""The reference evaluator: the IR's meaning, in plain Python.

It is the benchmark baseline for the durable_rules backend and the oracle it is tested
against (tests/engine/test_oracle.py). It also answers the questions an engine firing rules
does not: which values made a rule fail (evidence), and which absent fields left it
undecided. Truth is three-valued: True, False, or None for unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..files.yamlio import PathKey
from ..language import ir
from ..language.rules import Rule
from ..vocabulary import Outcome
from .base import EvaluationContext
from .values import ITEM, MISSING, age_days, get, quantise, subset, values_through

Truth = bool | None


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _split(path: str) -> PathKey:
    """A path as key parts; ``item`` (a plain list value itself) adds nothing."""
    return () if path == ITEM else tuple(path.split("."))


@dataclass
class Trace:
    """What one evaluation looked at: leaves with their values, and absent fields."""

    seen: list[tuple[PathKey, Any]] = field(default_factory=list)
    missing: list[PathKey] = field(default_factory=list)


class Evaluator:
    """Evaluates IR conditions over spec data for one context.

    ``unknown`` names sections whose every field counts as unknown (not as absent): an
    in-scope section the spec leaves out cannot make a rule pass (rules/scope.yaml).
    """

    def __init__(self, context: EvaluationContext, unknown: frozenset[str] = frozenset()) -> None:
        self.ctx = context
        self.unknown = unknown

    def _is_unknown(self, at: PathKey, path: str) -> bool:
        dotted = ".".join(str(p) for p in (*at, *_split(path)) if not isinstance(p, int))
        return any(dotted == u or dotted.startswith(u + ".") for u in self.unknown)

    def _reads_unknown(self, cond: ir.Condition, at: PathKey) -> bool:
        """Whether a leaf (or list form) reads a section whose fields count as unknown."""
        if not isinstance(
            cond, ir.Compare | ir.Presence | ir.Matches | ir.Quantified | ir.Count | ir.Sum | ir.SubsetOf
        ):
            return False
        if isinstance(cond, ir.SubsetOf):
            other = cond.values_of.split("[]")[0].strip(".")
            return self._is_unknown(at, cond.path) or self._is_unknown((), other)
        return self._is_unknown(at, cond.path)

    # -- values ------------------------------------------------------------------------
    def operand(self, operand: ir.Operand, scope: Any) -> Any:
        if isinstance(operand, ir.Literal_):
            return operand.value
        if isinstance(operand, ir.ParamRef):
            return self.ctx.param(operand.name)
        return get(scope, operand.path)

    def lhs(self, cond: ir.Compare, scope: Any) -> Any:
        value = get(scope, cond.path)
        if cond.derived is ir.Derived.LENGTH:
            return 0 if value is MISSING else len(value)
        if value is MISSING:
            return [] if cond.op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS) else MISSING
        if cond.derived is ir.Derived.AGE_DAYS:
            return age_days(value, self.ctx.as_of)
        return value

    # -- truth -------------------------------------------------------------------------
    def truth(
        self,
        cond: ir.Condition,
        scope: Any,
        trace: Trace | None = None,
        at: PathKey = (),
        root: Any = None,
    ) -> Truth:
        """``root`` is the whole spec when ``scope`` is a list item (joins read it); by
        default the scope is the root."""
        root = scope if root is None else root
        if self.unknown and self._reads_unknown(cond, at):
            return None
        if isinstance(cond, ir.Compare):
            left = self.lhs(cond, scope)
            right = self.operand(cond.operand, scope)
            if trace is not None:
                if left is MISSING:
                    trace.missing.append((*at, *_split(cond.path)))
                else:
                    trace.seen.append(((*at, *_split(cond.path)), get(scope, cond.path)))
                if isinstance(cond.operand, ir.FieldRef):
                    other = (*at, *_split(cond.operand.path))
                    if right is MISSING:
                        trace.missing.append(other)
                    else:
                        trace.seen.append((other, right))
            if left is MISSING or right is MISSING:
                return None
            if isinstance(right, list):
                right = [quantise(v) for v in right]
            return ir.OPERATORS[cond.op](quantise(left), quantise(right))
        if isinstance(cond, ir.Presence):
            value = get(scope, cond.path)
            if trace is not None:
                trace.seen.append(((*at, *_split(cond.path)), None if value is MISSING else value))
            return (value is not MISSING) == cond.present
        if isinstance(cond, ir.Matches):
            value = get(scope, cond.path)
            if value is MISSING:
                if trace is not None:
                    trace.missing.append((*at, *_split(cond.path)))
                return None
            if trace is not None:
                trace.seen.append(((*at, *_split(cond.path)), value))
            return _pattern(cond.pattern).fullmatch(str(value)) is not None
        if isinstance(cond, ir.AllOf):
            results = [self.truth(c, scope, trace, at, root) for c in cond.conditions]
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if isinstance(cond, ir.AnyOf):
            results = [self.truth(c, scope, trace, at, root) for c in cond.conditions]
            if any(r is True for r in results):
                return True
            return None if any(r is None for r in results) else False
        if isinstance(cond, ir.Not):
            inner = self.truth(cond.condition, scope, trace, at, root)
            return None if inner is None else not inner
        if isinstance(cond, ir.Quantified):
            items = self.items(scope, cond.path)
            base = (*at, *_split(cond.path))
            results = [self.truth(cond.where, item, trace, (*base, i), root) for i, item in enumerate(items)]
            want = cond.quantifier == "any"
            if any(r is want for r in results):
                return want
            return None if any(r is None for r in results) else not want
        if isinstance(cond, ir.Count):
            n = self.count(cond, scope, root)
            return ir.OPERATORS[cond.op](n, self.operand(cond.operand, scope))
        if isinstance(cond, ir.Sum):
            total, _ = self.total(cond, scope, root, trace, at)
            if total is None:
                return None
            return ir.OPERATORS[cond.op](total, quantise(self.operand(cond.operand, scope)))
        if isinstance(cond, ir.SubsetOf):
            return self.subset(cond, scope, root, trace, at)
        raise TypeError(f"unknown condition {type(cond).__name__}")  # pragma: no cover

    def items(self, scope: Any, path: str) -> list[Any]:
        value = get(scope, path)
        return [] if value is MISSING else list(value)

    def count(self, cond: ir.Count, scope: Any, root: Any = None) -> int:
        root = scope if root is None else root
        return sum(1 for item in self.items(scope, cond.path) if self.truth(cond.where, item, root=root))

    def total(
        self,
        cond: ir.Sum,
        scope: Any,
        root: Any = None,
        trace: Trace | None = None,
        at: PathKey = (),
    ) -> tuple[int | None, list[tuple[PathKey, Any]]]:
        """The sum (floats in millionths) over the items where ``where`` holds, None when an
        item that may count does not state its value; and each counted value with its path."""
        root = scope if root is None else root
        base = (*at, *_split(cond.path))
        total, unknown = 0, False
        counted: list[tuple[PathKey, Any]] = []
        for i, item in enumerate(self.items(scope, cond.path)):
            holds = self.truth(cond.where, item, root=root)
            if holds is False:
                continue
            value = get(item, cond.of)
            key = (*base, i, *_split(cond.of))
            if value is MISSING:
                unknown = True
                if trace is not None:
                    trace.missing.append(key)
                continue
            if holds is None:
                unknown = True
                if trace is not None:
                    self.truth(cond.where, item, trace, (*base, i), root)
                continue
            total += quantise(value)
            counted.append((key, value))
        if trace is not None:
            trace.seen.extend(counted)
        return (None if unknown else total), counted

    def subset(
        self,
        cond: ir.SubsetOf,
        scope: Any,
        root: Any,
        trace: Trace | None = None,
        at: PathKey = (),
    ) -> Truth:
        """The join: every value at ``path`` among the values at ``values_of`` (absolute)."""
        left = get(scope, cond.path)
        right = values_through(root, cond.values_of)
        holds, unmatched = subset(left, right)
        if trace is not None:
            key = (*at, *_split(cond.path))
            if left is MISSING:
                trace.missing.append(key)
            elif holds is None and right is None:
                trace.missing.append(tuple(cond.values_of.split("[]")[0].strip(".").split(".")))
            elif holds is None and right is not None:
                trace.missing.extend(right[1])
            values = left if isinstance(left, list) else [left]
            if left is not MISSING:
                shown = unmatched if holds is not True else range(len(values))
                trace.seen.extend(((*key, i) if isinstance(left, list) else key, values[i]) for i in shown)
        return holds

    # -- outcomes ----------------------------------------------------------------------
    def outcome(self, rule: Rule, data: dict[str, Any]) -> Outcome:
        if rule.applies_when is not None and self.truth(rule.applies_when, data) is not True:
            return Outcome.NOT_APPLICABLE
        result = self.truth(rule.when, data)
        if result is None:
            return Outcome.INSUFFICIENT_EVIDENCE
        return Outcome.FAIL if result else Outcome.PASS

    def missing(self, rule: Rule, data: dict[str, Any]) -> list[PathKey]:
        trace = Trace()
        self.truth(rule.when, data, trace)
        return list(dict.fromkeys(trace.missing))

    def witness(
        self, cond: ir.Condition, data: Any, at: PathKey = (), root: Any = None
    ) -> list[tuple[PathKey, Any]]:
        """The values that make ``cond`` true: the evidence of a finding (every summed value,
        every join value not found)."""
        root = data if root is None else root
        if isinstance(cond, ir.AllOf):
            return [w for c in cond.conditions for w in self.witness(c, data, at, root)]
        if isinstance(cond, ir.AnyOf):
            for c in cond.conditions:
                if self.truth(c, data, root=root) is True:
                    return self.witness(c, data, at, root)
            return []
        if isinstance(cond, ir.Quantified):
            base = (*at, *_split(cond.path))
            out: list[tuple[PathKey, Any]] = []
            items = self.items(data, cond.path)
            if not items:
                return [(base, [])]
            for i, item in enumerate(items):
                chosen = cond.quantifier == "all" or self.truth(cond.where, item, root=root) is True
                if chosen:
                    out.extend(self.witness(cond.where, item, (*base, i), root))
            return out
        if isinstance(cond, ir.Count):
            base = (*at, *_split(cond.path))
            items = self.items(data, cond.path)
            hits = [i for i, item in enumerate(items) if self.truth(cond.where, item, root=root) is True]
            return [((*base, i), None) for i in hits] or [(base, [])]
        if isinstance(cond, ir.Sum):
            _, counted = self.total(cond, data, root, None, at)
            return counted or [((*at, *_split(cond.path)), [])]
        trace = Trace()
        self.truth(cond, data, trace, at, root)
        return trace.seen


class ReferenceRules:
    """CompiledRules for the reference backend: the rules and an evaluator, nothing more."""

    def __init__(self, rules: list[Rule], context: EvaluationContext) -> None:
        self.rules = rules
        self.evaluator = Evaluator(context)

    def evaluate(self, data: dict[str, Any], as_of: dt.date) -> dict[str, Outcome]:
        evaluator = self.evaluator
        if as_of != evaluator.ctx.as_of:
            evaluator = Evaluator(EvaluationContext(as_of, evaluator.ctx.params))
        return {rule.id: evaluator.outcome(rule, data) for rule in self.rules}


class ReferenceDocumentRules:
    """Conditions over flat documents in plain Python: a rule fires where its condition is
    definitely true (an absent field is unknown, so documents must carry what is tested)."""

    def __init__(self, conditions: Mapping[str, ir.Condition], context: EvaluationContext) -> None:
        self.conditions = dict(conditions)
        self.evaluator = Evaluator(context)

    def fire(self, documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
        truth = self.evaluator.truth
        return {
            (rule_id, str(doc["id"]))
            for doc in documents
            for rule_id, cond in self.conditions.items()
            if truth(cond, doc) is True
        }

    def close(self) -> None:
        """Nothing to free."""


class ReferenceBackend:
    name = "reference"

    def compile(self, rules: list[Rule], context: EvaluationContext) -> ReferenceRules:
        return ReferenceRules(rules, context)

    def compile_documents(
        self, conditions: Mapping[str, ir.Condition], context: EvaluationContext
    ) -> ReferenceDocumentRules:
        return ReferenceDocumentRules(conditions, context)
