"""Rule conditions: YAML data -> typed IR, checked against the spec model at load time.

Every mistake names the rule file, its line and, for a misspelt field or operator, the
closest valid one. Nothing here evaluates anything: conditions are data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..errors import Problem
from ..files.yamlio import Document, PathKey
from ..spec.models import ProductSpec
from ..spec.schema import FieldType, UnknownPath, resolve, resolve_through_lists
from ..suggest import did_you_mean
from . import ir, regexguard

COMPARE_OPS = {op.value: op for op in ir.Op}
LEAF_KEYS = {"path", "matches", "present", "absent", "age_days", "length", "subset_of", *COMPARE_OPS}
COMBINATORS = {"all", "any", "not", "any_item", "all_items", "count", "sum"}
KNOWN_KEYS = LEAF_KEYS | COMBINATORS | {"where", "of"}
TOTAL_OPS = ("eq", "ne", "lt", "le", "gt", "ge")  # what a count or a sum is compared with
MAX_PATTERN = regexguard.MAX_PATTERN
MAX_CONDITIONS = 200  # comparisons in one rule: beyond, split the rule (docs/writing-rules.md)
MAX_MATCHES = 20  # `matches` comparisons in one rule


class ConditionError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


@dataclass(frozen=True)
class Scope:
    """Where paths resolve: the spec root or a list item model, and its place in the file."""

    model: type[BaseModel] | None
    label: str  # "" for the root, else the list path, for messages
    value_type: FieldType | None = None  # items of a list of plain values: path `item`


@dataclass
class ConditionParser:
    document: Document
    params: Collection[str]
    param_values: Mapping[str, list[Any]] | None = None  # every dated value, for type checks
    leaves: int = 0  # comparisons parsed so far (a rule has at most MAX_CONDITIONS)
    patterns: int = 0  # `matches` comparisons so far (at most MAX_MATCHES)
    root: type[BaseModel] = ProductSpec  # the spec model, with the loaded packs' extensions

    def fail(self, message: str, at: PathKey, hint: str | None = None) -> ConditionError:
        return ConditionError(Problem(message, self.document.file, self.document.line_of(at), _fmt(at), hint))

    def parse(self, raw: Any, at: PathKey, scope: Scope | None = None) -> ir.Condition:
        scope = scope or Scope(self.root, "")
        if not isinstance(raw, dict) or not raw:
            raise self.fail("a condition must be a non-empty mapping", at)
        unknown = [k for k in raw if k not in KNOWN_KEYS]
        if unknown:
            key = str(unknown[0])
            raise self.fail(f"unknown operator `{key}`", (*at, key), did_you_mean(key, sorted(KNOWN_KEYS)))
        combinators = [k for k in raw if k in COMBINATORS]
        if len(combinators) > 1:
            raise self.fail(f"one of {', '.join(combinators)} per condition, not several", at)
        if combinators:
            return self._combinator(combinators[0], raw, at, scope)
        return self._leaf(raw, at, scope)

    # -- combinators -------------------------------------------------------------------
    def _combinator(self, key: str, raw: dict[str, Any], at: PathKey, scope: Scope) -> ir.Condition:
        body = raw[key]
        if key in ("all", "any"):
            self._only(raw, {key}, at)
            if not isinstance(body, list) or not body:
                raise self.fail(f"`{key}` takes a non-empty list of conditions", (*at, key))
            parts = tuple(self.parse(c, (*at, key, i), scope) for i, c in enumerate(body))
            return ir.AllOf(conditions=parts) if key == "all" else ir.AnyOf(conditions=parts)
        if key == "not":
            self._only(raw, {key}, at)
            return ir.Not(condition=self.parse(body, (*at, key), scope))
        path, ftype = self._path(body, (*at, key), scope)
        if ftype.kind != "list" or ftype.item is None:
            raise self.fail(f"`{key}` needs a list field; `{path}` is {ftype.describe()}", at)
        item = ftype.item
        if key in ("any_item", "all_items"):
            self._only(raw, {key, "where"}, at)
            if "where" not in raw:
                raise self.fail(f"`{key}` needs a `where` condition", at)
            body = self._item_condition(raw["where"], (*at, "where"), item, path, scope)
            return ir.Quantified(quantifier="any" if key == "any_item" else "all", path=path, where=body)
        ops = [k for k in raw if k in COMPARE_OPS]
        self._only(raw, {key, "where", "of", *ops} if key == "sum" else {key, "where", *ops}, at)
        if len(ops) != 1 or ops[0] not in TOTAL_OPS:
            raise self.fail(f"`{key}` needs exactly one of {', '.join(TOTAL_OPS)}", at)
        where_raw = raw.get("where")
        if where_raw is None:
            where: ir.Condition = ir.AllOf(conditions=())
        else:
            where = self._item_condition(where_raw, (*at, "where"), item, path, scope)
        op = COMPARE_OPS[ops[0]]
        if key == "count":
            operand = self._operand(raw[ops[0]], (*at, ops[0]), FieldType("int"), scope, op)
            return ir.Count(path=path, where=where, op=op, operand=operand)
        return self._sum(raw, at, item, path, where, op, scope)

    def _sum(
        self,
        raw: dict[str, Any],
        at: PathKey,
        item: FieldType,
        path: str,
        where: ir.Condition,
        op: ir.Op,
        scope: Scope,
    ) -> ir.Condition:
        """``{sum: LIST, of: FIELD, where: C?, gt: N}``: FIELD is a number of each item."""
        if "of" not in raw:
            raise self.fail("`sum` needs `of`: the number field of each item to add up", at)
        label = f"{scope.label}.{path}[]" if scope.label else f"{path}[]"
        item_scope = (
            Scope(None, label, item)
            if item.kind != "model" or item.model is None
            else Scope(item.model, label)
        )
        of, of_type = self._path(raw["of"], (*at, "of"), item_scope)
        if of_type.kind not in ("int", "float"):
            raise self.fail(f"`sum` adds up numbers; `{of}` is {of_type.describe()}", (*at, "of"))
        (op_key,) = [k for k in raw if k in COMPARE_OPS]
        operand = self._operand(raw[op_key], (*at, op_key), of_type, scope, op)
        return ir.Sum(path=path, of=of, where=where, op=op, operand=operand)

    def _item_condition(
        self, raw: Any, at: PathKey, item: FieldType, path: str, scope: Scope
    ) -> ir.Condition:
        label = f"{scope.label}.{path}[]" if scope.label else f"{path}[]"
        if item.kind != "model" or item.model is None:
            return self.parse(raw, at, Scope(None, label, item))
        return self.parse(raw, at, Scope(item.model, label))

    # -- leaves ------------------------------------------------------------------------
    def _leaf(self, raw: dict[str, Any], at: PathKey, scope: Scope) -> ir.Condition:
        self.leaves += 1
        if self.leaves > MAX_CONDITIONS:
            raise self.fail(
                f"more than {MAX_CONDITIONS} comparisons in one rule (the limit); "
                "split it into several rules",
                at,
            )
        if "path" not in raw:
            raise self.fail("a comparison needs a `path`", at)
        path, ftype = self._path(raw["path"], (*at, "path"), scope)
        ops = [k for k in raw if k != "path"]
        if len(ops) != 1:
            raise self.fail(
                f"a comparison has one `path` and exactly one operator (found {', '.join(ops) or 'none'})",
                at,
            )
        key = ops[0]
        value = raw[key]
        where = (*at, key)
        if key in ("present", "absent"):
            if not isinstance(value, bool):
                raise self.fail(f"`{key}` takes true or false", where)
            return ir.Presence(path=path, present=value if key == "present" else not value)
        if key == "matches":
            return self._matches(path, ftype, value, where)
        if key in ("age_days", "length"):
            return self._derived(key, path, ftype, value, where, scope)
        if key == "subset_of":
            return self._subset(path, ftype, value, where)
        op = COMPARE_OPS[key]
        self._check_op(op, path, ftype, where)
        operand = self._operand(value, where, ftype, scope, op)
        return ir.Compare(path=path, op=op, operand=operand)

    def _derived(
        self, key: str, path: str, ftype: FieldType, value: Any, at: PathKey, scope: Scope
    ) -> ir.Condition:
        if key == "age_days" and ftype.kind != "date":
            raise self.fail(f"`age_days` needs a date field; `{path}` is {ftype.describe()}", at)
        if key == "length" and ftype.kind != "list":
            raise self.fail(f"`length` needs a list field; `{path}` is {ftype.describe()}", at)
        if not isinstance(value, dict) or len(value) != 1:
            raise self.fail(f"`{key}` takes one comparison, e.g. `{key}: {{gt: 365}}`", at)
        ((op_key, operand_raw),) = value.items()
        op = COMPARE_OPS.get(op_key)
        if op is None or op not in ir.ORDERING_OPS | {ir.Op.EQ, ir.Op.NE}:
            raise self.fail(
                f"unknown comparison `{op_key}`",
                (*at, op_key),
                did_you_mean(str(op_key), ["eq", "ne", "lt", "le", "gt", "ge"]),
            )
        operand = self._operand(operand_raw, (*at, op_key), FieldType("int"), scope, op)
        derived = ir.Derived.AGE_DAYS if key == "age_days" else ir.Derived.LENGTH
        return ir.Compare(path=path, op=op, operand=operand, derived=derived)

    def _subset(self, path: str, ftype: FieldType, value: Any, at: PathKey) -> ir.Condition:
        """A join: every value of ``path`` is among the values at ``value`` (absolute,
        through lists: ``a.list[].field``), e.g. shared categories among declared ones."""
        left = ftype.item if ftype.kind == "list" else ftype
        if left is None or not left.scalar:
            raise self.fail(
                f"`subset_of` needs a value or a list of values; `{path}` is {ftype.describe()}", at
            )
        if not isinstance(value, str) or not value:
            raise self.fail(
                "`subset_of` takes an absolute path to values, e.g. `personal_information.categories[].name`",
                at,
            )
        try:
            right = resolve_through_lists(value, self.root)
        except UnknownPath as exc:
            raise self.fail(f"field `{exc.bad}` does not exist (path `{value}`)", at, exc.hint) from None
        if right.kind == "list" and right.item is not None:
            right = right.item
        text = {"str", "enum"}
        if not right.scalar or (right.kind != left.kind and not {right.kind, left.kind} <= text):
            raise self.fail(
                f"cannot join {ftype.describe()} `{path}` with `{value}` ({right.describe()})", at
            )
        return ir.SubsetOf(path=path, values_of=value)

    def _matches(self, path: str, ftype: FieldType, value: Any, at: PathKey) -> ir.Condition:
        if ftype.kind not in ("str", "enum"):
            raise self.fail(f"`matches` needs a text field; `{path}` is {ftype.describe()}", at)
        self.patterns += 1
        if self.patterns > MAX_MATCHES:
            raise self.fail(
                f"more than {MAX_MATCHES} `matches` comparisons in one rule (the "
                "limit); use fewer, broader patterns",
                at,
            )
        if not isinstance(value, str) or len(value) > MAX_PATTERN:
            raise self.fail(f"`matches` takes a pattern of at most {MAX_PATTERN} characters", at)
        why = regexguard.problem(value)
        if why is not None:
            raise self.fail(why, at)
        return ir.Matches(path=path, pattern=value)

    def _check_op(self, op: ir.Op, path: str, ftype: FieldType, at: PathKey) -> None:
        if op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS):
            if ftype.kind != "list" or ftype.item is None or not ftype.item.scalar:
                raise self.fail(f"`{op}` needs a list of values; `{path}` is {ftype.describe()}", at)
            return
        if not ftype.scalar:
            raise self.fail(f"`{path}` is a {ftype.describe()}; compare one of its fields", at)
        if op in ir.ORDERING_OPS and ftype.kind not in ("int", "float", "date"):
            raise self.fail(f"`{op}` needs a number or date; `{path}` is {ftype.describe()}", at)

    def _operand(
        self, raw: Any, at: PathKey, ftype: FieldType, scope: Scope, op: ir.Op
    ) -> ir.Literal_ | ir.ParamRef | ir.FieldRef:
        if isinstance(raw, dict):
            if set(raw) == {"param"}:
                name = raw["param"]
                if name not in self.params:
                    raise self.fail(f"unknown parameter `{name}`", at, did_you_mean(str(name), self.params))
                self._check_param(str(name), ftype, op, at)
                return ir.ParamRef(name=str(name))
            if set(raw) == {"field"}:
                if scope.label:
                    raise self.fail("`{field: ...}` operands are only allowed outside lists", at)
                other, other_type = self._path(raw["field"], (*at, "field"), scope)
                if other_type.kind != ftype.kind:
                    raise self.fail(
                        f"cannot compare {ftype.describe()} with `{other}` ({other_type.kind})", at
                    )
                return ir.FieldRef(path=other)
            raise self.fail("an operand is a value, `{param: NAME}` or `{field: PATH}`", at)
        target = ftype.item if op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS) else ftype
        assert target is not None
        if op in (ir.Op.IN, ir.Op.NOT_IN):
            if not isinstance(raw, list) or not raw:
                raise self.fail(f"`{op}` takes a non-empty list", at)
            for i, item in enumerate(raw):
                self._check_value(item, target, (*at, i))
            return ir.Literal_(value=list(raw))
        self._check_value(raw, target, at)
        return ir.Literal_(value=raw)

    def _check_param(self, name: str, ftype: FieldType, op: ir.Op, at: PathKey) -> None:
        """Every dated value of a parameter must fit the field it is compared with."""
        if self.param_values is None:
            return
        target = ftype.item if op in (ir.Op.CONTAINS, ir.Op.NOT_CONTAINS) else ftype
        assert target is not None
        for value in self.param_values.get(name, []):
            items = value if op in (ir.Op.IN, ir.Op.NOT_IN) and isinstance(value, list) else [value]
            for item in items:
                try:
                    self._check_value(item, target, at)
                except ConditionError:
                    raise self.fail(
                        f"parameter `{name}` has value {item!r}, not a {target.describe()}", at
                    ) from None

    def _check_value(self, value: Any, ftype: FieldType, at: PathKey) -> None:
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, int | float) and not isinstance(value, bool),
            "str": isinstance(value, str),
            "enum": isinstance(value, str) and value in ftype.enum_values,
            "date": isinstance(value, dt.date),
        }.get(ftype.kind, False)
        if not ok:
            hint = None
            if ftype.kind == "enum" and isinstance(value, str):
                hint = did_you_mean(value, ftype.enum_values)
            raise self.fail(f"{value!r} is not a valid {ftype.describe()}", at, hint)

    def _path(self, raw: Any, at: PathKey, scope: Scope) -> tuple[str, FieldType]:
        if not isinstance(raw, str) or not raw:
            raise self.fail("a path is a dotted field name, e.g. `aml.program_in_place`", at)
        if scope.value_type is not None or scope.model is None:
            if raw != "item" or scope.value_type is None:
                raise self.fail(
                    f"items of `{scope.label}` are plain values: use `path: item`",
                    at,
                    did_you_mean(raw, ["item"]),
                )
            return raw, scope.value_type
        try:
            return raw, resolve(raw, scope.model)
        except UnknownPath as exc:
            where = f" in items of `{scope.label}`" if scope.label else ""
            raise self.fail(f"field `{exc.bad}` does not exist{where} (path `{raw}`)", at, exc.hint) from None

    def _only(self, raw: dict[str, Any], allowed: set[str], at: PathKey) -> None:
        for key in raw:
            if key not in allowed:
                raise self.fail(f"`{key}` is not allowed here", (*at, key))


def _fmt(at: PathKey) -> str:
    from ..files.yamlio import format_path

    return format_path(at)
