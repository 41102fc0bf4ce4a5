"""The normaliser: spec data -> the documents durable_rules matches (see plan.py)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from ..values import MISSING, age_days, get, quantise
from .compiler import GUARD, LIST_TAG
from .plan import FactPlan, Plan


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
    def __init__(self, plan: FactPlan, as_of: dt.date) -> None:
        self.plan = plan
        self.as_of = as_of

    def project(self, data: Any, plan: Plan) -> dict[str, Any]:
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
                _put(out, f"{path}__age", age_days(value, self.as_of))
        for (path, pattern), k in plan.regexes.items():
            value = get(data, path)
            if value is not MISSING:
                _put(out, f"{path}__re{k}", _pattern(pattern).fullmatch(str(value)) is not None)
        return out

    def item_facts(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        facts = []
        for list_path, plan in self.plan.items.items():
            value = get(data, list_path)
            for i, item in enumerate([] if value is MISSING else value):
                fact = self.project(item, plan)
                fact[LIST_TAG] = list_path
                fact["id"] = f"{list_path}#{i}"
                facts.append(fact)
        return facts

    def root_fact(self, data: dict[str, Any], fired_items: set[tuple[str, str]]) -> dict[str, Any]:
        out = self.project(data, self.plan.root)
        out[GUARD] = 1
        for check in self.plan.checks:
            value = get(data, check.list_path)
            n = 0 if value is MISSING else len(value)
            ids = [f"{check.list_path}#{i}" for i in range(n)]
            true = [(f"{check.k}|T", i) in fired_items for i in ids]
            if check.fold == "count":
                out[f"__count{check.k}"] = sum(true)
                continue
            false = [(f"{check.k}|F", i) in fired_items for i in ids]
            want_any = check.fold == "any"
            if any(true) if want_any else any(false):
                verdict = "T" if want_any else "F"
            elif all(false) if want_any else all(true):
                verdict = "F" if want_any else "T"
            else:
                verdict = "U"
            out[f"__q{check.k}"] = verdict
        return out
