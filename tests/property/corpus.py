"""Specs steered by the rules' own test cases: every built-in rule's firing and non-firing
cases are the seeds, and mutations of them (a value swapped for one another case uses at the
same place, a number or date nudged across a threshold, a flag flipped, a field dropped, a
section taken from another case) stay valid and near the rules' thresholds, where a model-
generated spec rarely lands (issue #17: 55 of 126 rules never failed on generated specs).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from regtech_engine.authoring.ruletests import base_specs, case_document
from regtech_engine.check import Checker
from regtech_engine.errors import InputError
from regtech_engine.files.yamlio import Document
from regtech_engine.language.rules import RulePack, load_pack
from regtech_engine.spec.loader import LoadedSpec, spec_from_document
from regtech_engine.vocabulary import Outcome

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Seed:
    rule_id: str
    case: str
    data: dict[str, Any]
    as_of: dt.date
    expect: Outcome


@cache
def builtin_pack() -> RulePack:
    return load_pack()


@cache
def seeds() -> tuple[Seed, ...]:
    """Every test case of every built-in rule, as (spec data, as-of date, expectation)."""
    pack = builtin_pack()
    bases = base_specs([])
    found = []
    for rule in pack.rules:
        for case in rule.body.tests:
            doc = case_document(case, bases, f"{rule.id} [{case.name}]")
            found.append(Seed(rule.id, case.name, doc.data, case.as_of, case.expect))
    return tuple(found)


@cache
def coverage_seeds() -> tuple[Seed, ...]:
    """Per rule, its first firing case and its first case that passes (or, for a rule with
    no passing case, its first non-firing one): the deterministic corpus."""
    chosen: list[Seed] = []
    for rule in builtin_pack().rules:
        own = [s for s in seeds() if s.rule_id == rule.id]
        firing = [s for s in own if s.expect is Outcome.FAIL]
        passing = [s for s in own if s.expect is Outcome.PASS] or [
            s for s in own if s.expect is not Outcome.FAIL
        ]
        chosen += firing[:1] + passing[:1]
    return tuple(chosen)


_checkers: dict[tuple[int, dt.date, str], Checker] = {}


def checker(pack: RulePack, as_of: dt.date, backend: str) -> Checker:
    key = (id(pack), as_of, backend)
    if key not in _checkers:
        _checkers[key] = Checker(pack, as_of, backend=backend)
    return _checkers[key]


def loaded(data: dict[str, Any], pack: RulePack | None = None) -> LoadedSpec | None:
    """The spec validated by the pack's model, or None if the data is not a valid spec."""
    model = (pack or builtin_pack()).spec_model
    try:
        return spec_from_document(Document(data=data, lines={}, file="<generated>"), model)
    except InputError:
        return None


def outcomes(
    spec: LoadedSpec, as_of: dt.date, backend: str, pack: RulePack | None = None
) -> dict[str, Outcome]:
    return checker(pack or builtin_pack(), as_of, backend).outcomes_of(spec)


# -- mutation -----------------------------------------------------------------------------


def _leaves(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """(path, value) of every scalar and list in the data, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _shape(path: Path_) -> Path_:
    """The path with list positions erased: where a value stands in the spec's model."""
    return tuple("[]" if isinstance(p, int) else p for p in path)


@cache
def _pool() -> dict[Path_, tuple[Any, ...]]:
    """Every value some test case gives at each place of the model (enums, names,
    thresholds' neighbours, dates)."""
    pool: dict[Path_, list[Any]] = defaultdict(list)
    for seed in seeds():
        for path, value in _leaves(seed.data):
            if not isinstance(value, list | dict) and value not in pool[_shape(path)]:
                pool[_shape(path)].append(value)
    return {k: tuple(v) for k, v in pool.items()}


@cache
def as_of_dates() -> tuple[dt.date, ...]:
    return tuple(sorted({s.as_of for s in seeds()}))


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _nudged(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return max(0, rng.choice([value - 1, value + 1, value * 2, value // 2, 0, value * 10]))
    if isinstance(value, float):
        return rng.choice([0.0, value / 2, min(1.0, value * 2), 1.0])
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=rng.choice([-1, 1, -365, 365, -3650, 30]))
    return value


def mutate(
    data: dict[str, Any], as_of: dt.date, rng: random.Random, steps: int
) -> tuple[dict[str, Any], dt.date]:
    """``steps`` mutations of a valid spec, each kept only if the spec stays valid."""
    current = copy.deepcopy(data)
    donors = seeds()
    for _ in range(steps):
        candidate = copy.deepcopy(current)
        leaves = [(p, v) for p, v in _leaves(candidate) if p]
        kind = rng.choice(["swap", "swap", "nudge", "nudge", "drop", "graft", "as_of"])
        if kind == "as_of":
            as_of = rng.choice(as_of_dates())
            continue
        if kind == "graft":
            donor = rng.choice(donors).data
            section = rng.choice(sorted(donor))
            candidate[section] = copy.deepcopy(donor[section])
        elif not leaves:
            continue
        else:
            path, value = rng.choice(leaves)
            if kind == "drop":
                container = _get(candidate, path[:-1])
                if isinstance(container, dict):
                    del container[path[-1]]
                else:
                    container.pop(path[-1])
            elif kind == "swap" and not isinstance(value, list):
                choices = _pool().get(_shape(path), ())
                if choices:
                    _set(candidate, path, rng.choice(choices))
            elif isinstance(value, list):
                if value:
                    value.append(copy.deepcopy(rng.choice(value)))
            else:
                _set(candidate, path, _nudged(value, rng))
        if loaded(candidate) is not None:
            current = candidate
    return current, as_of
