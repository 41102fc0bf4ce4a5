"""The normaliser: spec data -> the documents durable_rules matches (see plan.py)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from ..values import MISSING, age_days, get, quantise, subset, values_through
from .compiler import GUARD, LIST_TAG
from .plan import FactPlan, ItemCheck, Plan, depth


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _convert(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, list):
        return [_convert(v) for v in value]
    return quantise(value)


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        out = out.setdefault(part, {})
    out[last] = value


class Normaliser:
    def __init__(self, plan: FactPlan) -> None:
        self.plan = plan

    def project(self, data: Any, plan: Plan, as_of: dt.date, root: Any = None) -> dict[str, Any]:
        """The fields of ``data`` the plan reads; ``root`` (the whole spec) for joins."""
        out: dict[str, Any] = {}
        for path in plan.copy:
            value = get(data, path)
            if value is not MISSING:
                _put(out, path, _convert(value))
        for path in plan.present:
            if get(data, path) is not MISSING:
                _put(out, f"{path}__ex", True)
        for path in plan.lengths:
            value = get(data, path)
            _put(out, f"{path}__len", 0 if value is MISSING else len(value))
        for path in plan.ages:
            value = get(data, path)
            if value is not MISSING:
                _put(out, f"{path}__age", age_days(value, as_of))
        for (path, pattern), k in plan.regexes.items():
            value = get(data, path)
            if value is not MISSING:
                _put(out, f"{path}__re{k}", _pattern(pattern).fullmatch(str(value)) is not None)
        for (path, values_of), k in plan.joins.items():
            holds, _ = subset(get(data, path), values_through(data if root is None else root, values_of))
            _put(out, f"{path}__in{k}", "U" if holds is None else "T" if holds else "F")
        return out

    def items(self, data: dict[str, Any], scope: str) -> list[tuple[str, Any]]:
        """(fact id, item) for every item of a scope, ids naming the path from the root."""
        parts = scope.split("[].")
        found: list[tuple[str, Any]] = [("", data)]
        for part in parts:
            nxt = []
            for parent_id, parent in found:
                value = get(parent, part)
                for i, item in enumerate([] if value is MISSING else value):
                    nxt.append((f"{parent_id}/{part}#{i}" if parent_id else f"{part}#{i}", item))
            found = nxt
        return found

    def fold(
        self,
        out: dict[str, Any],
        value: Any,
        own_id: str,
        parent_scope: str,
        fired: set[tuple[str, str]],
    ) -> None:
        """Write the verdicts of the item checks whose parent is this scope into ``out``."""
        for check in self.plan.checks:
            if check.parent != parent_scope:
                continue
            items = get(value, check.list_path)
            n = 0 if items is MISSING else len(items)
            prefix = f"{own_id}/" if own_id else ""
            ids = [f"{prefix}{check.list_path}#{i}" for i in range(n)]
            if check.fold == "count":
                out[f"__count{check.k}"] = sum((f"{check.k}|T", i) in fired for i in ids)
                continue
            if check.fold == "sum":
                self._sum(out, check, [] if items is MISSING else items, ids, fired)
                continue
            # any: an item that is T decides; all: an item that is F decides. Otherwise an
            # item is the other way unless it had a gap and did not fire the other verdict.
            decisive, other = ("T", "F") if check.fold == "any" else ("F", "T")
            if any((f"{check.k}|{decisive}", i) in fired for i in ids):
                verdict = decisive
            elif all((f"{check.k}|gap", i) not in fired or (f"{check.k}|{other}", i) in fired for i in ids):
                verdict = other
            else:
                verdict = "U"
            out[f"__q{check.k}"] = verdict

    @staticmethod
    def _sum(
        out: dict[str, Any], check: ItemCheck, items: list[Any], ids: list[str], fired: set[tuple[str, str]]
    ) -> None:
        """``__sum<k>``: the counted items' values added up (floats in millionths); left out
        when an item that may count (``where`` true or undecided) does not state its value."""
        total = 0
        for item, i in zip(items, ids, strict=True):
            if (f"{check.k}|T", i) not in fired:
                if (f"{check.k}|gap", i) not in fired or (f"{check.k}|F", i) in fired:
                    continue  # definitely not counted
                return
            value = get(item, check.of)
            if value is MISSING:
                return
            total += quantise(value)
        out[f"__sum{check.k}"] = total

    def item_facts(
        self, data: dict[str, Any], level: int, fired: set[tuple[str, str]], as_of: dt.date
    ) -> list[dict[str, Any]]:
        """Facts for the items of every scope at ``level`` (deeper levels already fired)."""
        facts = []
        for scope, plan in self.plan.items.items():
            if depth(scope) != level:
                continue
            for fact_id, item in self.items(data, scope):
                fact = self.project(item, plan, as_of, data)
                self.fold(fact, item, fact_id, scope, fired)
                fact[LIST_TAG] = scope
                fact["id"] = fact_id
                facts.append(fact)
        return facts

    @property
    def max_depth(self) -> int:
        return max((depth(s) for s in self.plan.items), default=0)

    def root_fact(self, data: dict[str, Any], fired: set[tuple[str, str]], as_of: dt.date) -> dict[str, Any]:
        out = self.project(data, self.plan.root, as_of)
        out[GUARD] = 1
        self.fold(out, data, "", "", fired)
        return out
