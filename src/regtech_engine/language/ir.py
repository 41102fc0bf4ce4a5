"""The engine-neutral intermediate form of rule conditions.

Rule YAML is parsed into these typed values; every backend (durable_rules, the reference
evaluator) works from them and from nothing else. Paths inside a quantifier's ``where`` are
relative to the list item.

Truth is three-valued: a comparison on a field the spec does not state is *unknown*, which
surfaces as the ``insufficient_evidence`` outcome instead of a silent pass. Lists that are
absent count as empty (the contract: an absent section means the product does not do that).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from ..datamodel import Frozen


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"


NEGATED: dict[Op, Op] = {
    Op.EQ: Op.NE,
    Op.NE: Op.EQ,
    Op.LT: Op.GE,
    Op.GE: Op.LT,
    Op.GT: Op.LE,
    Op.LE: Op.GT,
    Op.IN: Op.NOT_IN,
    Op.NOT_IN: Op.IN,
    Op.CONTAINS: Op.NOT_CONTAINS,
    Op.NOT_CONTAINS: Op.CONTAINS,
}

ORDERING_OPS = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})

# what each operator means on two known values (the reference evaluator's semantics)
OPERATORS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.IN: lambda a, b: a in b,
    Op.NOT_IN: lambda a, b: a not in b,
    Op.CONTAINS: lambda a, b: b in a,
    Op.NOT_CONTAINS: lambda a, b: b not in a,
}

Scalar = bool | int | float | str | dt.date


class Literal_(Frozen):
    kind: Literal["literal"] = "literal"
    value: Scalar | list[Scalar]


class ParamRef(Frozen):
    """A named, date-versioned parameter; its value is the one in force on as-of."""

    kind: Literal["param"] = "param"
    name: str


class FieldRef(Frozen):
    """Another field in the same scope (the root, or the same list item)."""

    kind: Literal["field"] = "field"
    path: str


Operand = Annotated[Literal_ | ParamRef | FieldRef, Field(discriminator="kind")]


class Derived(StrEnum):
    """A value computed from a field before comparison."""

    VALUE = "value"
    AGE_DAYS = "age_days"  # whole days from the date to as-of (positive = in the past)
    LENGTH = "length"  # number of items of a list (absent = 0)


class Compare(Frozen):
    kind: Literal["compare"] = "compare"
    path: str
    op: Op
    operand: Operand
    derived: Derived = Derived.VALUE


class Presence(Frozen):
    kind: Literal["presence"] = "presence"
    path: str
    present: bool


class Matches(Frozen):
    """Full-string match of a string field against a (Python ``re``) pattern."""

    kind: Literal["matches"] = "matches"
    path: str
    pattern: str


class AllOf(Frozen):
    kind: Literal["all"] = "all"
    conditions: tuple[Condition, ...]


class AnyOf(Frozen):
    kind: Literal["any"] = "any"
    conditions: tuple[Condition, ...]


class Not(Frozen):
    kind: Literal["not"] = "not"
    condition: Condition


class Quantified(Frozen):
    """``any_item`` / ``all_items`` of a list satisfy ``where`` (item-relative paths)."""

    kind: Literal["quantified"] = "quantified"
    quantifier: Literal["any", "all"]
    path: str
    where: Condition


class Count(Frozen):
    """The number of items of a list for which ``where`` is true, compared to an operand."""

    kind: Literal["count"] = "count"
    path: str
    where: Condition
    op: Op
    operand: Operand


class Sum(Frozen):
    """The total of a numeric field ``of`` over the items of a list for which ``where``
    holds, compared to an operand. Unknown when an item that may count (``where`` true or
    unknown) does not state ``of``: a total must not silently leave out a volume."""

    kind: Literal["sum"] = "sum"
    path: str
    of: str
    where: Condition
    op: Op
    operand: Operand


class SubsetOf(Frozen):
    """A join: every value of ``path`` (a list of values, or one value) is among the values
    found at ``values_of``, an absolute path through lists (``a.list[].field``).

    Unknown when ``path`` is absent, when the list of ``values_of`` is absent (nothing is
    declared to join with: insufficient evidence, not a pass) or when a value is not found
    but an item of that list does not state its field."""

    kind: Literal["subset_of"] = "subset_of"
    path: str
    values_of: str


Condition = Annotated[
    "Compare | Presence | Matches | AllOf | AnyOf | Not | Quantified | Count | Sum | SubsetOf",
    Field(discriminator="kind"),
]

for _model in (AllOf, AnyOf, Not, Quantified, Count, Sum):
    _model.model_rebuild()


def walk(cond: Condition) -> list[Condition]:
    """All nodes of a condition tree, depth first (quantifier bodies included)."""
    out: list[Condition] = [cond]
    if isinstance(cond, AllOf | AnyOf):
        for c in cond.conditions:
            out.extend(walk(c))
    elif isinstance(cond, Not):
        out.extend(walk(cond.condition))
    elif isinstance(cond, Quantified | Count | Sum):
        out.extend(walk(cond.where))
    return out


def params_used(cond: Condition) -> set[str]:
    names: set[str] = set()
    for node in walk(cond):
        operand = getattr(node, "operand", None)
        if isinstance(operand, ParamRef):
            names.add(operand.name)
    return names
