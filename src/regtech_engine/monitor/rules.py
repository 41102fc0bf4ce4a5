"""Monitoring rules: YAML in ``<pack>/**/monitoring/``, parameters, lists; compiled per date.

A monitoring rule is data like a product rule (id, texts, citations, condition) but reads a
*feature document* (documents.py) instead of a product spec: ``document: transaction`` rules
see each transaction with its windowed aggregates, ``document: day_total`` rules see each
customer's same-day total per direction, category and currency basis. Conditions are parsed
with the shared ConditionParser against those models (so mistakes are caught at load time) and
compiled through the backend interface (engine/base.py), like product rules; the parameters
in force on each business date select the compiled rules used for that day. Loading reads
files through the same cache, validates every file (all problems at once, each at its line)
and always checks law codes against the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..engine.base import CompiledDocumentRules, EvaluationContext, get_backend
from ..errors import InputError, Problem, RuleError
from ..files.doccache import read_pack_document
from ..findings import Citation, Text
from ..language import ir
from ..language.parameters import ParameterSet, load_parameter_file
from ..language.parse import ConditionError, ConditionParser, Scope
from ..law.registry import load_laws
from ..packs import builtin_root
from ..suggest import did_you_mean
from ..vocabulary import Severity
from .documents import DOCUMENT_MODELS
from .screening import Lists, load_lists
from .typologies import TYPOLOGIES
from .windows import STRUCTURING_PARAMS, WINDOW_PARAMS

FEATURE_PARAMS = (*STRUCTURING_PARAMS, *WINDOW_PARAMS)  # read by features.py: every pack
# every feature of a document is always known, so present/absent would mean nothing
_UNSUPPORTED = (ir.Matches, ir.Quantified, ir.Count, ir.Presence, ir.Sum, ir.SubsetOf)


def fire(
    rules: CompiledDocumentRules, docs: list[dict[str, Any]], batch: int = 2_000
) -> set[tuple[str, str]]:
    """(rule id, document id) of every rule that fired, over batches of documents (which
    are consumed: the engine may add its session id to each)."""
    fired: set[tuple[str, str]] = set()
    for start in range(0, len(docs), batch):
        fired |= rules.fire(docs[start : start + batch])
    return fired


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Literal["large_value", "suspicious"]
    document: Literal["transaction", "day_total"]
    typology: str | None = None
    category: str | None = None
    severity: Severity
    title: Text
    citations: list[Citation]
    cite_params: list[str] = []
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    when: Any
    notes: str | None = None


@dataclass(frozen=True)
class MonitoringRule:
    id: str
    kind: str
    on: str
    typology: str | None
    category: str | None
    severity: Severity
    title: Text
    citations: tuple[Citation, ...]
    cite_params: tuple[str, ...]
    effective_from: dt.date | None
    effective_until: dt.date | None
    when: ir.Condition
    file: str

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )


@dataclass
class DayContext:
    """What one business date needs: parameter values and the compiled rulesets."""

    params: dict[str, Any]
    citations: dict[str, list[Citation]]
    rulesets: dict[str, CompiledDocumentRules | None]
    # per document: the fields a document must carry even at zero (see zero_sensitive)
    zeros: dict[str, dict[str, Any]] = field(default_factory=dict)


def _compares(cond: ir.Condition, negated: bool = False) -> Iterator[tuple[ir.Compare, bool]]:
    if isinstance(cond, ir.Compare):
        yield cond, negated
    elif isinstance(cond, ir.AllOf | ir.AnyOf):
        for part in cond.conditions:
            yield from _compares(part, negated)
    elif isinstance(cond, ir.Not):
        yield from _compares(cond.condition, not negated)


def _holds(op: ir.Op, left: Any, right: Any) -> bool:
    try:
        return ir.OPERATORS[op](left, right)
    except TypeError:  # values of other types: keep the zero, to be safe
        return True


def zero_sensitive(
    conditions: Iterable[ir.Condition], model: type[BaseModel], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The number and yes/no fields some test can hold on at zero (0 or false), with that zero.

    The feature layer leaves features at zero out of a document: most rows have few
    features, and durable_rules reads a sparse document in a third of the time. Durable's
    comparisons are false on an absent field, so leaving a field out is the same as sending
    its zero unless a test is true at zero (``lt``, ``ne``, ``eq: 0``, or a test negated by
    ``not``): those fields are sent with their zero.
    """
    zero_of = {
        name: False if f.annotation is bool else 0
        for name, f in model.model_fields.items()
        if f.annotation in (bool, int)
    }
    needed: dict[str, Any] = {}
    for condition in conditions:
        for cmp, negated in _compares(condition):
            op = ir.NEGATED[cmp.op] if negated else cmp.op
            operand = cmp.operand
            if isinstance(operand, ir.FieldRef):
                for name in (cmp.path, operand.path):
                    if name in zero_of:
                        needed[name] = zero_of[name]
                continue
            value = params[operand.name] if isinstance(operand, ir.ParamRef) else operand.value
            if cmp.path in zero_of and _holds(op, zero_of[cmp.path], value):
                needed[cmp.path] = zero_of[cmp.path]
    return needed


@dataclass
class MonitoringPack:
    rules: list[MonitoringRule]
    params: ParameterSet
    lists: Lists
    backend: str = "durable"
    _contexts: dict[tuple[Any, ...], DayContext] = field(default_factory=dict)
    _by_date: dict[dt.date, DayContext] = field(default_factory=dict)

    def by_id(self) -> dict[str, MonitoringRule]:
        return {r.id: r for r in self.rules}

    def context(self, day: dt.date) -> DayContext:
        """Parameters in force on ``day`` and the rulesets compiled for them (cached)."""
        ctx = self._by_date.get(day)
        if ctx is not None:
            return ctx
        resolved = self.params.resolve_all(day)
        active = [r for r in self.rules if r.in_force(day)]
        key = (tuple(sorted((n, r.since) for n, r in resolved.items())), tuple(r.id for r in active))
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._compile(day, active, resolved)
            self._contexts[key] = ctx
        if len(self._by_date) > 4096:
            self._by_date.clear()
        self._by_date[day] = ctx
        return ctx

    def _compile(self, day: dt.date, active: list[MonitoringRule], resolved: dict[str, Any]) -> DayContext:
        evaluation = EvaluationContext(day, resolved)
        definitions: dict[str, dict[str, ir.Condition]] = {"transaction": {}, "day_total": {}}
        citations: dict[str, list[Citation]] = {}
        for rule in active:
            needed = ir.params_used(rule.when) - set(resolved)
            if needed:
                raise RuleError.single(
                    f"rule {rule.id}: parameter `{sorted(needed)[0]}` has no value in force on {day}",
                    file=rule.file,
                )
            definitions[rule.on][rule.id] = rule.when
            cites = list(rule.citations)
            for name in rule.cite_params:
                if name in resolved and resolved[name].citation not in cites:
                    cites.append(resolved[name].citation)
            citations[rule.id] = cites
        backend = get_backend(self.backend)
        rulesets: dict[str, CompiledDocumentRules | None] = {
            on: backend.compile_documents(conditions, evaluation) if conditions else None
            for on, conditions in definitions.items()
        }
        values = {n: r.value for n, r in resolved.items()}
        zeros = {
            on: zero_sensitive([r.when for r in active if r.on == on], model, values)
            for on, model in DOCUMENT_MODELS.items()
        }
        return DayContext(values, citations, rulesets, zeros)


def _wrap(exc: InputError) -> RuleError:
    return exc if isinstance(exc, RuleError) else RuleError(exc.problems)


def load_rule(path: Path, params: ParameterSet, laws: Collection[str]) -> MonitoringRule:
    """One monitoring rule, validated; every problem at its line, all of them at once."""
    try:
        doc = read_pack_document(path)
    except InputError as exc:
        raise _wrap(exc) from None
    except OSError as exc:
        raise RuleError.single(f"cannot read rule: {exc.strerror}", file=str(path)) from None
    try:
        head = _Header.model_validate(doc.data)
    except ValidationError as exc:
        raise RuleError(
            [
                Problem(e["msg"], doc.file, doc.line_of(tuple(e["loc"])), ".".join(map(str, e["loc"])))
                for e in exc.errors(include_url=False)
            ]
        ) from None
    problems: list[Problem] = []

    def problem(message: str, *at: str | int, hint: str | None = None) -> None:
        problems.append(
            Problem(message, doc.file, doc.line_of(at) or 1, ".".join(map(str, at)) or None, hint)
        )

    scope = Scope(DOCUMENT_MODELS[head.document], "")
    when: ir.Condition | None = None
    try:
        when = ConditionParser(doc, list(params.parameters)).parse(head.when, ("when",), scope)
    except ConditionError as exc:
        problems.append(exc.problem)
    if when is not None and any(isinstance(node, _UNSUPPORTED) for node in ir.walk(when)):
        problem("monitoring conditions use comparisons and all/any/not", "when")
    if head.kind == "suspicious" and head.typology not in TYPOLOGIES:
        problem(
            f"`typology` must be one of {', '.join(TYPOLOGIES)}",
            "typology",
            hint=did_you_mean(str(head.typology), TYPOLOGIES),
        )
    if head.kind == "large_value" and (head.document != "day_total" or not head.category):
        problem("a large_value rule reads `document: day_total` and names its `category`", "document")
    if head.kind == "suspicious" and head.document != "transaction":
        problem("a suspicious rule reads `document: transaction`", "document")
    for i, cite in enumerate(head.citations):
        if cite.law not in laws:
            problem(
                f"unknown law code `{cite.law}` (see rules/laws.yaml)",
                "citations",
                i,
                "law",
                hint=did_you_mean(cite.law, laws),
            )
    for i, name in enumerate(head.cite_params):
        if name not in params.parameters:
            problem(
                f"unknown parameter `{name}` in cite_params",
                "cite_params",
                i,
                hint=did_you_mean(name, params.parameters),
            )
    if problems or when is None:
        raise RuleError(problems)
    return MonitoringRule(
        head.id,
        head.kind,
        head.document,
        head.typology,
        head.category,
        head.severity,
        head.title,
        tuple(head.citations),
        tuple(head.cite_params),
        head.effective_from,
        head.effective_until,
        when,
        doc.file,
    )


def load_pack(roots: list[Path] | None = None, builtin: bool = True) -> MonitoringPack:
    """Rules from ``<root>/**/monitoring/*.yaml``, parameters from ``<root>/parameters/
    *monitoring*.yaml`` and lists from ``<root>/**/lists/*.yaml``, for every root."""
    folders = ([builtin_root()] if builtin else []) + list(roots or [])
    params = ParameterSet({}, {})
    lists = Lists()
    rule_files: list[Path] = []
    for root in folders:
        if not root.is_dir():
            raise RuleError.single("rules folder not found", file=str(root))
        for file in sorted((root / "parameters").glob("*monitoring*.yaml")):
            try:
                params.merge(load_parameter_file(file))
            except InputError as exc:
                raise _wrap(exc) from None
        for folder in sorted(p for p in root.rglob("lists") if p.is_dir()):
            more = load_lists(folder)
            for code, items in more.jurisdictions.items():
                lists.jurisdictions.setdefault(code, []).extend(items)
            lists.sanctions.extend(more.sanctions)
        rule_files.extend(sorted(root.rglob("monitoring/*.yaml")))
    laws = set(load_laws())  # an unreadable registry is an error, never "no check"
    missing = [n for n in FEATURE_PARAMS if n not in params.parameters]
    if missing:
        raise RuleError.single(
            f"the feature layer needs parameter `{missing[0]}`", file=", ".join(map(str, folders))
        )
    problems: list[Problem] = []
    rules: list[MonitoringRule] = []
    seen: dict[str, str] = {}
    for file in rule_files:
        try:
            rule = load_rule(file, params, laws)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if rule.id in seen:
            problems.append(
                Problem(f"rule id {rule.id} is also defined in {seen[rule.id]}", rule.file, 1, "id")
            )
            continue
        seen[rule.id] = rule.file
        rules.append(rule)
    if problems:
        raise RuleError(problems)
    if not rules:
        raise RuleError.single("no monitoring rules found", file=", ".join(map(str, folders)))
    return MonitoringPack(rules, params, lists)
