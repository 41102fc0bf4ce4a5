"""The fact plan: which spec values the compiled rulesets read, and what is precomputed.

durable_rules matches JSON documents; it has no dates, no list lengths, no counting, its own
regex dialect, and (measured in 2.0.28) an ``$or`` over different fields inside
``$iany``/``$iall`` behaves like an ``$and``. So each spec is sent as small documents holding
only the fields rules read, plus derived fields named after their source:

- ``<path>__ex``    true when the field is present (presence tests);
- ``<path>__len``   number of items of a list (absent list = 0);
- ``<path>__age``   whole days from a date to as-of (positive = in the past);
- ``<path>__re<k>`` whether a text field fully matches pattern k (Python ``re`` semantics);
- ``__q<k>``        "T", "F" or "U": the truth of list quantifier k;
- ``__count<k>``    how many items satisfy count condition k;
- ``__sum<k>``      the total of sum k (left out when a value that may count is unknown, so
                    that a comparison on it is unknown exactly like one on an absent field);
- ``<path>__in<k>`` "T", "F" or "U": whether every value at the path is among the values of
                    join k (``subset_of``), read from the whole spec.

List items are asserted to durable_rules as facts of their own, where each quantifier's
``where`` condition is evaluated as an item rule (``<k>|T`` / ``<k>|F``); the normaliser only
folds those per-item verdicts into ``__q<k>`` (any/all), ``__count<k>`` and ``__sum<k>``
(adding up the counted items' values). Joins relate a list to values elsewhere in the spec,
which one fact cannot see, so the normaliser looks them up and durable compares the verdict. Every comparison
and boolean combination is decided by durable_rules. Dates travel as ordinals and fractions
as integers in millionths. Lists inside list items work the same way one level down: the
deepest items are asserted first, and their verdicts become fields of their parent item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class Plan:
    """Needs of one scope: the spec root, or the items of one list."""

    copy: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)
    lengths: set[str] = field(default_factory=set)
    ages: set[str] = field(default_factory=set)
    regexes: dict[tuple[str, str], int] = field(default_factory=dict)
    joins: dict[tuple[str, str], int] = field(default_factory=dict)

    def bound(self) -> int:
        """An upper bound on the properties of a document projected by this plan."""
        paths = [
            *self.copy,
            *self.present,
            *self.lengths,
            *self.ages,
            *(p for p, _ in self.regexes),
            *(p for p, _ in self.joins),
        ]
        prefixes = {".".join(p.split(".")[:i]) for p in paths for i in range(1, p.count(".") + 1)}
        return len(paths) + len(prefixes)


def child_scope(parent: str, rel_path: str) -> str:
    """Scope name of a list: ``a.b`` at the root, ``a.b[].c`` for a list inside items of a.b."""
    return f"{parent}[].{rel_path}" if parent else rel_path


def depth(scope: str) -> int:
    return 0 if not scope else scope.count("[]") + 1


@dataclass(frozen=True)
class ItemCheck:
    """One quantifier or count: a list (relative to its parent scope) and how its per-item
    verdicts fold into a field of the parent's fact."""

    k: int
    parent: str
    list_path: str
    fold: Literal["any", "all", "count", "sum"]
    of: str = ""  # the number field a sum adds up

    @property
    def scope(self) -> str:
        return child_scope(self.parent, self.list_path)


@dataclass
class FactPlan:
    root: Plan = field(default_factory=Plan)
    items: dict[str, Plan] = field(default_factory=dict)
    checks: list[ItemCheck] = field(default_factory=list)
    _next: int = 0

    def number(self) -> int:
        self._next += 1
        return self._next

    def regex(self, plan: Plan, path: str, pattern: str) -> int:
        key = (path, pattern)
        if key not in plan.regexes:
            plan.regexes[key] = self.number()
        return plan.regexes[key]

    def join(self, plan: Plan, path: str, values_of: str) -> int:
        key = (path, values_of)
        if key not in plan.joins:
            plan.joins[key] = self.number()
        return plan.joins[key]

    def item_plan(self, path: str) -> Plan:
        return self.items.setdefault(path, Plan())
