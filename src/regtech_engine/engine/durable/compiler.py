"""Compiles IR conditions into durable_rules ruleset definitions.

Three-valued truth is compiled, not emulated: each condition is compiled in one of four
modes, ``T`` (definitely true), ``F`` (definitely false) and their complements ``CT`` (not
definitely true) and ``CF`` (not definitely false). A rule becomes durable rules for its
failure, its scope exclusion and, where a field it reads can be absent, its "gap" (see
``Compiler.rule``), so that a compliant spec fires almost nothing. Durable's comparisons
are false on absent fields, which gives T and
F their "field must be present" meaning for free. List quantifiers become item rules
(see plan.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ...language import ir
from ...language.rules import Rule
from ..base import EvaluationContext
from ..values import quantise
from .plan import FactPlan, ItemCheck, Plan

Mode = Literal["T", "F", "CT", "CF"]
_NEG: dict[Mode, Mode] = {"T": "F", "F": "T", "CT": "CF", "CF": "CT"}
_DR_OP = {ir.Op.NE: "$neq", ir.Op.LT: "$lt", ir.Op.LE: "$lte", ir.Op.GT: "$gt", ir.Op.GE: "$gte"}
GUARD = "__spec"
LIST_TAG = "__list"
RULES_PER_RULESET = 16


def _value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    return quantise(value)


def _cmp(op: ir.Op, name: str, value: Any) -> dict[str, Any]:
    if op is ir.Op.EQ:
        return {name: value}
    if op is ir.Op.IN:
        return {"$or": [{name: v} for v in value]}
    if op is ir.Op.NOT_IN:
        return {"$and": [{"$neq": {name: v}} for v in value]}
    return {_DR_OP[op]: {name: value}}


@dataclass
class Compiled:
    root: list[dict[str, Any]]
    items: list[dict[str, Any]]
    plan: FactPlan
    rule_ids: list[str] = field(default_factory=list)


class Compiler:
    def __init__(self, context: EvaluationContext) -> None:
        self.ctx = context
        self.plan = FactPlan()
        self.item_rules: dict[str, dict[str, Any]] = {}
        self.quantifier_ids: dict[int, int] = {}

    def operand(self, operand: ir.Operand, plan: Plan) -> Any:
        if isinstance(operand, ir.Literal_):
            value = operand.value
        elif isinstance(operand, ir.ParamRef):
            value = self.ctx.param(operand.name)
        else:
            plan.copy.add(operand.path)
            return {"$m": operand.path}
        return [_value(v) for v in value] if isinstance(value, list) else _value(value)

    def compare(self, cond: ir.Compare, mode: Mode, plan: Plan) -> dict[str, Any]:
        value = self.operand(cond.operand, plan)
        op = cond.op
        positive = mode in ("T", "CF")
        if op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS):
            # an absent list is an empty list: never unknown, so CT = F and CF = T
            plan.copy.add(cond.path)
            plan.lengths.add(cond.path)
            if (op is ir.Op.CONTAINS) == positive:
                return {"$iany": {cond.path: {"$i": value}}}
            return {"$or": [{f"{cond.path}__len": 0}, {"$iall": {cond.path: {"$neq": {"$i": value}}}}]}
        if cond.derived is ir.Derived.LENGTH:
            plan.lengths.add(cond.path)
            return _cmp(op if positive else ir.NEGATED[op], f"{cond.path}__len", value)
        if cond.derived is ir.Derived.AGE_DAYS:
            plan.ages.add(cond.path)
            name = f"{cond.path}__age"
        else:
            plan.copy.add(cond.path)
            name = cond.path
        # durable's comparisons are false when a field is absent, which is exactly the
        # "present and ..." meaning T and F need; only the complements test absence.
        absent: dict[str, Any] = {"$nex": {name: 1}}
        present: list[dict[str, Any]] = []
        if isinstance(value, dict):  # an absent referenced field compares as true: guard it
            absent = {"$or": [absent, {"$nex": {value["$m"]: 1}}]}
            present = [{"$ex": {value["$m"]: 1}}]
        if mode in ("T", "F"):
            test = _cmp(op if mode == "T" else ir.NEGATED[op], name, value)
            return {"$and": [*present, test]} if present else test
        flipped = ir.NEGATED[op] if mode == "CT" else op
        return {"$or": [absent, _cmp(flipped, name, value)]}

    def condition(self, cond: ir.Condition, mode: Mode, plan: Plan, scope: str = "") -> dict[str, Any]:
        if isinstance(cond, ir.Compare):
            return self.compare(cond, mode, plan)
        if isinstance(cond, ir.Presence):
            plan.present.add(cond.path)
            name = f"{cond.path}__ex"
            positive = cond.present == (mode in ("T", "CF"))
            return {name: True} if positive else {"$nex": {name: 1}}
        if isinstance(cond, ir.Matches):
            name = f"{cond.path}__re{self.plan.regex(plan, cond.path, cond.pattern)}"
            if mode in ("T", "F"):
                return {name: mode == "T"}
            return {"$or": [{"$nex": {name: 1}}, {name: mode == "CF"}]}
        if isinstance(cond, ir.AllOf | ir.AnyOf):
            conjunctive = isinstance(cond, ir.AllOf) == (mode in ("T", "CF"))
            parts = [self.condition(c, mode, plan, scope) for c in cond.conditions]
            if not parts:  # always true / false: a field every fact of this scope has
                always = {LIST_TAG: scope} if scope else {GUARD: 1}
                return always if conjunctive else {"$nex": {next(iter(always)): 1}}
            if len(parts) == 1:
                return parts[0]
            return {"$and" if conjunctive else "$or": parts}
        if isinstance(cond, ir.Not):
            return self.condition(cond.condition, _NEG[mode], plan, scope)
        if isinstance(cond, ir.Quantified):
            if id(cond) not in self.quantifier_ids:
                self.quantifier_ids[id(cond)] = self.item_check(
                    scope, plan, cond.path, cond.where, cond.quantifier
                )
            k = self.quantifier_ids[id(cond)]
            name = f"__q{k}"
            verdict = {"T": "T", "F": "F", "CT": "T", "CF": "F"}[mode]
            return {name: verdict} if mode in ("T", "F") else {"$neq": {name: verdict}}
        if isinstance(cond, ir.Count):
            k = self.item_check(scope, plan, cond.path, cond.where, "count")
            value = self.operand(cond.operand, plan)
            op = cond.op if mode in ("T", "CF") else ir.NEGATED[cond.op]
            return _cmp(op, f"__count{k}", value)
        if isinstance(cond, ir.Sum):
            return self.total(cond, mode, plan, scope)
        if isinstance(cond, ir.SubsetOf):
            name = f"{cond.path}__in{self.plan.join(plan, cond.path, cond.values_of)}"
            verdict = {"T": "T", "F": "F", "CT": "T", "CF": "F"}[mode]
            return {name: verdict} if mode in ("T", "F") else {"$neq": {name: verdict}}
        raise TypeError(f"cannot compile {type(cond).__name__}")  # pragma: no cover

    def total(self, cond: ir.Sum, mode: Mode, plan: Plan, scope: str) -> dict[str, Any]:
        """A sum is a number the normaliser adds up (``__sum<k>``, absent when unknown),
        compared by durable like a field: T/F need it present, CT/CF accept its absence."""
        if id(cond) not in self.quantifier_ids:
            self.quantifier_ids[id(cond)] = self.item_check(
                scope, plan, cond.path, cond.where, "sum", cond.of
            )
        name = f"__sum{self.quantifier_ids[id(cond)]}"
        value = self.operand(cond.operand, plan)
        if mode in ("T", "F"):
            return _cmp(cond.op if mode == "T" else ir.NEGATED[cond.op], name, value)
        flipped = ir.NEGATED[cond.op] if mode == "CT" else cond.op
        return {"$or": [{"$nex": {name: 1}}, _cmp(flipped, name, value)]}

    def gaps(self, cond: ir.Condition, plan: Plan, scope: str) -> list[dict[str, Any]]:
        """Durable conditions, one per way ``cond`` can be unknown (an absent field, an
        undecided quantifier). When none holds, the condition is definitely true or false."""
        out: list[dict[str, Any]] = []
        for node in _leaves(cond):
            if isinstance(node, ir.Compare):
                if node.op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS):
                    continue
                if node.derived is ir.Derived.LENGTH:
                    continue
                name = f"{node.path}__age" if node.derived is ir.Derived.AGE_DAYS else node.path
                out.append({"$nex": {name: 1}})
                if isinstance(node.operand, ir.FieldRef):
                    out.append({"$nex": {node.operand.path: 1}})
            elif isinstance(node, ir.Matches):
                k = self.plan.regex(plan, node.path, node.pattern)
                out.append({"$nex": {f"{node.path}__re{k}": 1}})
            elif isinstance(node, ir.Quantified):
                out.append({f"__q{self.quantifier_ids[id(node)]}": "U"})
            elif isinstance(node, ir.Sum):
                out.append({"$nex": {f"__sum{self.quantifier_ids[id(node)]}": 1}})
            elif isinstance(node, ir.SubsetOf):
                k = self.plan.join(plan, node.path, node.values_of)
                out.append({f"{node.path}__in{k}": "U"})
        unique: dict[str, dict[str, Any]] = {}
        for c in out:
            unique.setdefault(repr(c), c)
        return list(unique.values())

    def item_check(
        self,
        parent: str,
        parent_plan: Plan,
        path: str,
        where: ir.Condition,
        fold: Any,
        of: str = "",
    ) -> int:
        k = self.plan.number()
        check = ItemCheck(k, parent, path, fold, of)
        self.plan.checks.append(check)
        parent_plan.lengths.add(path)
        scope = check.scope
        item_plan = self.plan.item_plan(scope)
        tag = {LIST_TAG: scope}
        pairs: dict[str, tuple[Mode, Mode | None]] = {
            "any": ("T", "F"),
            "all": ("F", "T"),
            "count": ("T", None),
            "sum": ("T", "F"),
        }
        decisive, other = pairs[fold]
        self.item_rules.update(
            _rules(f"{k}|{decisive}", [tag, self.condition(where, decisive, item_plan, scope)])
        )
        gaps = self.gaps(where, item_plan, scope)
        if other is not None and gaps:
            gap = gaps[0] if len(gaps) == 1 else {"$or": gaps}
            self.item_rules.update(_rules(f"{k}|gap", [tag, gap]))
            self.item_rules.update(
                _rules(f"{k}|{other}", [tag, gap, self.condition(where, other, item_plan, scope)])
            )
        return k

    def rule(self, rule: Rule) -> dict[str, dict[str, Any]]:
        """``fail`` = A∧T(when); ``gap`` = A∧(a way to be unknown); ``pass`` = gap∧F(when);
        ``na`` = CT(applies_when). Without a gap, an applicable rule that did not fail
        passed: with every field it reads present, its condition is two-valued. So only
        failures, scope exclusions and specs with missing fields fire anything."""
        root = self.plan.root
        guard = {GUARD: 1}
        applies = [self.condition(rule.applies_when, "T", root)] if rule.applies_when else []
        out = {f"{rule.id}|fail": [guard, *applies, self.condition(rule.when, "T", root)]}
        gaps = self.gaps(rule.when, root, "")
        if gaps:
            gap = gaps[0] if len(gaps) == 1 else {"$or": gaps}
            out[f"{rule.id}|gap"] = [guard, *applies, gap]
            out[f"{rule.id}|pass"] = [guard, *applies, gap, self.condition(rule.when, "F", root)]
        if rule.applies_when is not None:
            out[f"{rule.id}|na"] = [guard, self.condition(rule.applies_when, "CT", root)]
        rules: dict[str, dict[str, Any]] = {}
        for name, parts in out.items():
            rules.update(_rules(name, parts))
        return rules


def _leaves(cond: ir.Condition) -> list[ir.Condition]:
    """Leaves and quantifiers of a condition, not descending into quantifier bodies."""
    if isinstance(cond, ir.AllOf | ir.AnyOf):
        return [leaf for c in cond.conditions for leaf in _leaves(c)]
    if isinstance(cond, ir.Not):
        return _leaves(cond.condition)
    return [cond]


MAX_EXPRESSIONS = 24  # durable_rules fails above 32 expressions in one rule (error 113)


def _size(node: Any) -> int:
    if isinstance(node, dict):
        return sum(1 + _size(v) for v in node.values())
    if isinstance(node, list):
        return sum(_size(v) for v in node)
    return 0


def _rules(name: str, parts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One durable rule, or several named ``<name>#<i>`` when it is too big for the engine.

    durable_rules allows at most 32 expressions per rule, so the widest top-level
    disjunction is distributed into separate rules, one per branch (recursively). Its own
    ``any`` form is not used: measured in 2.0.28, an ``$or`` inside an ``any`` alias never
    matches. Callers read ``<name>#<i>`` as ``<name>``.
    """
    if _size(parts) <= MAX_EXPRESSIONS:
        return {name: {"all": [{"m": {"$and": parts}}]}}
    disjunctions = [p for p in parts if set(p) == {"$or"}]
    if not disjunctions:
        return {name: {"all": [{"m": {"$and": parts}}]}}
    widest = max(disjunctions, key=lambda p: len(p["$or"]))
    others = [p for p in parts if p is not widest]
    out: dict[str, dict[str, Any]] = {}
    for i, branch in enumerate(widest["$or"]):
        branch_parts = [*others, *(branch["$and"] if set(branch) == {"$and"} else [branch])]
        out.update(_rules(f"{name}#{i}", branch_parts))
    return out


def _chunks(definitions: dict[str, Any], size: int) -> list[dict[str, Any]]:
    names = list(definitions)
    return [{n: definitions[n] for n in names[i : i + size]} for i in range(0, len(names), size)]


def check_unit_size(plan: FactPlan, rule_ids: list[str]) -> None:
    """Refuse a unit whose documents could exceed durable_rules' property limit."""
    from .driver import MAX_PROPERTIES, DurableError

    extra = 4 + len(plan.checks)  # id, sid, guard or list tag, plus verdict fields
    for scope, p in [("spec", plan.root), *plan.items.items()]:
        if p.bound() + extra > MAX_PROPERTIES:
            raise DurableError(
                f"rules {', '.join(rule_ids)} read more than {MAX_PROPERTIES} fields of {scope};"
                " durable_rules cannot match such documents: compile them in smaller units"
            )


def compile_rules(
    rules: Iterable[Rule], context: EvaluationContext, per_unit: int = RULES_PER_RULESET
) -> list[Compiled]:
    """Rules compiled in units of ``per_unit``: each with its own rulesets and fact plan.

    durable_rules refuses documents with more than 255 properties (error 302; in a batch
    assert it corrupts memory instead) and fails with more than 64 matching sibling
    conditions; a unit's documents carry only the fields its own rules read, which keeps
    both far below the limits.
    """
    units: list[Compiled] = []
    batch: list[Rule] = []
    for rule in [*rules, None]:
        if rule is not None:
            batch.append(rule)
        if batch and (rule is None or len(batch) == per_unit):
            compiler = Compiler(context)
            root: dict[str, Any] = {}
            for r in batch:
                root.update(compiler.rule(r))
            check_unit_size(compiler.plan, [r.id for r in batch])
            units.append(
                Compiled(
                    root=_chunks(root, len(root)),
                    items=_chunks(compiler.item_rules, max(len(compiler.item_rules), 1)),
                    plan=compiler.plan,
                    rule_ids=[r.id for r in batch],
                )
            )
            batch = []
    return units
