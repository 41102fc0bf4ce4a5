"""Why a rule fired or not on a spec: conditions with the values seen, the parameters in
force with their dates, and the smallest change to the spec that would make it pass."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..check import Checker, get_path
from ..engine.reference import Evaluator, Trace
from ..engine.values import MISSING, get, spec_values
from ..files.yamlio import PathKey, format_path
from ..findings import Citation
from ..language import ir
from ..language.parameters import ResolvedParameter
from ..language.rules import Rule
from ..spec.loader import LoadedSpec
from ..spec.models import ProductSpec
from ..spec.schema import FieldType, resolve_through_lists, role_of
from ..vocabulary import Outcome


@dataclass(frozen=True)
class ConditionLine:
    """One leaf condition: what it tests, on which value(s), and its truth."""

    depth: int
    text: str
    truth: bool | None
    values: list[tuple[str, Any, int | None]]


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any


@dataclass
class Explanation:
    rule: Rule
    outcome: Outcome
    as_of: dt.date
    in_force: bool
    lines: list[ConditionLine] = field(default_factory=list)
    applies: list[ConditionLine] = field(default_factory=list)
    parameters: list[ResolvedParameter] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    fix: list[Change] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data (the service's and any tool's view of an explanation)."""

        def lines(items: list[ConditionLine]) -> list[dict[str, Any]]:
            return [
                {
                    "depth": ln.depth,
                    "condition": ln.text,
                    "truth": ln.truth,
                    "values": [{"path": p, "value": _plain(v), "line": n} for p, v, n in ln.values],
                }
                for ln in items
            ]

        body = self.rule.body
        return {
            "rule_id": self.rule.id,
            "title": body.title.model_dump(),
            "outcome": self.outcome.value,
            "as_of": self.as_of.isoformat(),
            "in_force": self.in_force,
            "applies_when": lines(self.applies),
            "when": lines(self.lines),
            "parameters": [
                {
                    "name": p.name,
                    "value": _plain(p.value),
                    "since": _plain(p.since),
                    "citation": p.citation.model_dump(mode="json", exclude_none=True),
                }
                for p in self.parameters
            ],
            "missing": list(self.missing),
            "fix": [{"path": c.path, "old": _plain(c.old), "new": _plain(c.new)} for c in self.fix],
            "remediation": body.remediation.model_dump(),
            "citations": [c.model_dump(mode="json", exclude_none=True) for c in self.citations],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_OP_TEXT = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "in",
    "not_in": "not in",
    "contains": "contains",
    "not_contains": "does not contain",
}


def _operand_text(operand: ir.Operand, evaluator: Evaluator) -> str:
    if isinstance(operand, ir.Literal_):
        return repr(operand.value) if isinstance(operand.value, str) else str(operand.value)
    if isinstance(operand, ir.ParamRef):
        return f"{operand.name} ({evaluator.ctx.param(operand.name)})"
    return operand.path


def _describe(cond: ir.Condition, evaluator: Evaluator) -> str:
    if isinstance(cond, ir.Compare):
        subject = cond.path
        if cond.derived is ir.Derived.AGE_DAYS:
            subject = f"days since {cond.path}"
        elif cond.derived is ir.Derived.LENGTH:
            subject = f"number of {cond.path}"
        return f"{subject} {_OP_TEXT[cond.op.value]} {_operand_text(cond.operand, evaluator)}"
    if isinstance(cond, ir.Presence):
        return f"{cond.path} is {'present' if cond.present else 'absent'}"
    if isinstance(cond, ir.Matches):
        return f"{cond.path} matches {cond.pattern!r}"
    if isinstance(cond, ir.Count):
        return (
            f"count of {cond.path} where … {_OP_TEXT[cond.op.value]} {_operand_text(cond.operand, evaluator)}"
        )
    if isinstance(cond, ir.Sum):
        return (
            f"total {cond.of} of {cond.path} where … {_OP_TEXT[cond.op.value]} "
            f"{_operand_text(cond.operand, evaluator)}"
        )
    if isinstance(cond, ir.SubsetOf):
        return f"every {cond.path} is among {cond.values_of}"
    return type(cond).__name__


def _walk_lines(
    cond: ir.Condition,
    data: Any,
    evaluator: Evaluator,
    spec: LoadedSpec,
    depth: int,
    at: PathKey,
    out: list[ConditionLine],
) -> None:
    truth = evaluator.truth(cond, data)
    if isinstance(cond, ir.AllOf | ir.AnyOf):
        out.append(ConditionLine(depth, "all of:" if isinstance(cond, ir.AllOf) else "any of:", truth, []))
        for c in cond.conditions:
            _walk_lines(c, data, evaluator, spec, depth + 1, at, out)
        return
    if isinstance(cond, ir.Not):
        out.append(ConditionLine(depth, "not:", truth, []))
        _walk_lines(cond.condition, data, evaluator, spec, depth + 1, at, out)
        return
    if isinstance(cond, ir.Quantified):
        word = "some item" if cond.quantifier == "any" else "every item"
        out.append(ConditionLine(depth, f"{word} of {cond.path}:", truth, []))
        items = evaluator.items(data, cond.path)
        for i, item in enumerate(items):
            item_at = (*at, *cond.path.split("."), i)
            out.append(ConditionLine(depth + 1, f"[{i}]", evaluator.truth(cond.where, item), []))
            _walk_lines(cond.where, item, evaluator, spec, depth + 2, item_at, out)
        if not items:
            out.append(ConditionLine(depth + 1, "(no items)", None, []))
        return
    trace = Trace()
    evaluator.truth(cond, data, trace, at)
    values = [(format_path(p), v, spec.line_of(p)) for p, v in trace.seen]
    values += [(format_path(p), None, None) for p in trace.missing]
    out.append(ConditionLine(depth, _describe(cond, evaluator), truth, values))


def explain(checker: Checker, spec: LoadedSpec, rule: Rule) -> Explanation:
    data = spec_values(spec.model)
    outcome = checker.outcomes(data)[rule.id]
    evaluator = checker.evaluator
    result = Explanation(rule, outcome, checker.as_of, rule.in_force(checker.as_of))
    fired = evaluator.witness(rule.when, data) if outcome is Outcome.FAIL else []
    result.citations = checker.citations(rule, data, fired)
    params = sorted(rule.params())
    result.parameters = [checker.context.params[p] for p in params if p in checker.context.params]
    if rule.applies_when is not None:
        _walk_lines(rule.applies_when, data, evaluator, spec, 0, (), result.applies)
    _walk_lines(rule.when, data, evaluator, spec, 0, (), result.lines)
    if outcome is Outcome.INSUFFICIENT_EVIDENCE:
        result.missing = [format_path(p) for p in evaluator.missing(rule, data)]
    if outcome is Outcome.FAIL:
        result.fix = smallest_fix(evaluator, rule, spec)
    return result


# -- the smallest change that makes a failing rule pass -----------------------------------


def _field_type(path: PathKey) -> FieldType | None:
    text = ".".join("[]" if isinstance(p, int) else p for p in path).replace(".[]", "[]")
    try:
        return resolve_through_lists(text)
    except LookupError:
        return None


def _candidates(cond: ir.Condition, value: Any, ftype: FieldType | None, evaluator: Evaluator) -> list[Any]:
    """Values for one leaf's field that make the leaf false."""
    if isinstance(cond, ir.Presence):
        return [MISSING] if cond.present else []
    if not isinstance(cond, ir.Compare) or cond.derived is not ir.Derived.VALUE:
        if isinstance(cond, ir.Compare) and cond.derived is ir.Derived.AGE_DAYS:
            limit = evaluator.operand(cond.operand, {})
            if isinstance(limit, int):
                return [evaluator.ctx.as_of - dt.timedelta(days=d) for d in (limit, limit - 1, 0)]
        return []
    target = evaluator.operand(cond.operand, {}) if not isinstance(cond.operand, ir.FieldRef) else None
    out: list[Any] = []
    if ftype is not None and ftype.kind == "bool":
        out = [not value] if isinstance(value, bool) else [True, False]
    elif ftype is not None and ftype.kind == "enum":
        out = list(ftype.enum_values)
    elif isinstance(target, int | float) and not isinstance(target, bool):
        step = 1 if isinstance(target, int) else 0.000001
        out = [target, target - step, target + step]
    elif isinstance(target, dt.date):
        out = [target, target - dt.timedelta(days=1), target + dt.timedelta(days=1)]
    return out


def _set(data: dict[str, Any], path: PathKey, value: Any) -> None:
    current: Any = data
    for part in path[:-1]:
        current = current[part]
    if value is MISSING:
        del current[path[-1]]
    else:
        current[path[-1]] = value


def smallest_fix(evaluator: Evaluator, rule: Rule, spec: LoadedSpec) -> list[Change]:
    """One change to a control that makes the rule pass, or none.

    Only controls (what the operator does: consents, assessments, encryption...) are
    proposed; a fact about the product (what data it holds, who uses it) is never changed to
    make a finding go away: relabelling face images as identity data fixes nothing.
    """
    data = spec_values(spec.model)
    leaves: list[tuple[PathKey, ir.Condition]] = []
    _collect(rule.when, data, evaluator, (), leaves)
    leaves = [(path, cond) for path, cond in leaves if role_of(format_path(path)) == "control"]
    # prefer changing a control (a yes/no field, then a choice) over a volume or a date, and
    # later conditions (usually the control) over earlier ones (usually the scope)
    rank = {"bool": 0, "enum": 1, "str": 2, "date": 3, "int": 4, "float": 4}
    ordered = sorted(
        enumerate(leaves),
        key=lambda il: (rank.get(getattr(_field_type(il[1][0]), "kind", ""), 5), -il[0]),
    )
    tried: list[Change] = []
    for _, (path, cond) in ordered:
        old = get_path(data, path)
        for new in _candidates(cond, old, _field_type(path), evaluator):
            trial = copy.deepcopy(data)
            _set(trial, path, new)
            if not _valid(trial):
                continue
            if evaluator.truth(rule.when, trial) is False:
                tried.append(Change(format_path(path), old, None if new is MISSING else new))
                break
        if tried:
            return tried
    return []


def _valid(data: dict[str, Any]) -> bool:
    try:
        ProductSpec.model_validate(data)
    except ValueError:
        return False
    return True


def _collect(
    cond: ir.Condition,
    data: Any,
    evaluator: Evaluator,
    at: PathKey,
    out: list[tuple[PathKey, ir.Condition]],
) -> None:
    if evaluator.truth(cond, data) is not True:
        return
    if isinstance(cond, ir.AllOf | ir.AnyOf):
        for c in cond.conditions:
            _collect(c, data, evaluator, at, out)
    elif isinstance(cond, ir.Quantified):
        for i, item in enumerate(evaluator.items(data, cond.path)):
            _collect(cond.where, item, evaluator, (*at, *cond.path.split("."), i), out)
    elif isinstance(cond, ir.Compare | ir.Presence) and get(data, cond.path) is not MISSING:
        key = () if cond.path == "item" else tuple(cond.path.split("."))
        out.append(((*at, *key), cond))
