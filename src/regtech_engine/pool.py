"""Checks on every core: a pool of worker processes for ``check``, ``impact`` and ``rules test``.

Each worker compiles the packs once (the pool initializer builds its Checkers), then takes
specs (or rule ids) in chunks; results come back in the order of the sorted input, so a
report is byte-identical to the serial one. Workers are started with ``forkserver`` (or
``spawn`` where there is none), never ``fork``: durable_rules keeps C state that must not be
copied from a process in the middle of using it. ``jobs=1`` keeps the serial path (no pool,
no pickling).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from . import __version__
from .check import Checker
from .findings import Report, SpecResult, Tool
from .language.rules import RulePack
from .spec.loader import LoadedSpec

AUTO_ABOVE = 8  # more inputs than this, and no --jobs: one worker per core
_T = TypeVar("_T")
_R = TypeVar("_R")

# The worker's state, set once by the initializer (one per process).
_STATE: dict[str, Any] = {}


def resolve_jobs(jobs: int | None, items: int) -> int:
    """``--jobs`` as given, or the number of cores when there are more than a handful of
    inputs (a pool costs a second or two to start: not worth it for a few specs)."""
    if jobs is not None:
        return max(1, jobs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1) if items > AUTO_ABOVE else 1


def _context() -> Any:
    """forkserver where the platform has it, else spawn: never fork (durable_rules' C state)."""
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def _chunk(count: int, jobs: int) -> int:
    """A few chunks per worker: small enough to balance, large enough to amortise pickling."""
    return max(1, count // (jobs * 4))


def pooled(
    init: Callable[..., None],
    initargs: tuple[Any, ...],
    work: Callable[[_T], _R],
    items: Sequence[_T],
    jobs: int,
) -> Iterator[_R]:
    """``work`` over ``items`` in ``jobs`` processes, results in the order of ``items``."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=init, initargs=initargs
    ) as pool:
        yield from pool.map(work, items, chunksize=_chunk(len(items), jobs))


# -- regtech check ------------------------------------------------------------------------
def _init_check(pack: RulePack, as_of: dt.date, backend: str) -> None:
    _STATE["checker"] = Checker(pack, as_of, backend=backend)


def _check_one(spec: LoadedSpec) -> bytes:
    checker: Checker = _STATE["checker"]
    return _packed(checker.check(spec))


def _packed(result: SpecResult) -> bytes:
    """A result as JSON with its outcomes (excluded from dumps): pydantic parses it back
    several times faster than it unpickles models, and the parent does that work alone."""
    import orjson

    outcomes = orjson.dumps([[o.rule_id, o.outcome.value] for o in result.outcomes])
    return b'{"r":' + result.model_dump_json().encode() + b',"o":' + outcomes + b"}"


def _unpacked(data: bytes) -> SpecResult:
    import orjson

    raw = orjson.loads(data)
    result: dict[str, Any] = raw["r"]
    result["outcomes"] = [{"rule_id": r, "outcome": o} for r, o in raw["o"]]
    return SpecResult.model_validate(result)


def check_report(
    pack: RulePack, as_of: dt.date, specs: Sequence[LoadedSpec], backend: str = "durable", jobs: int = 1
) -> Report:
    """``Checker(pack, as_of).report(specs)``, over ``jobs`` processes when above one."""
    checker = Checker(pack, as_of, backend=backend) if jobs <= 1 else None
    if checker is not None:
        return checker.report(specs)
    ordered = sorted(specs, key=lambda s: (s.path, s.id))
    results = [_unpacked(r) for r in pooled(_init_check, (pack, as_of, backend), _check_one, ordered, jobs)]
    # as Checker.report makes it (the pack is already selected: select(None) is the pack)
    return Report(
        tool=Tool(version=__version__, rules_digest=pack.digest), as_of=as_of.isoformat(), results=results
    )


# -- regtech impact -----------------------------------------------------------------------
def _init_impact(base: RulePack, new: RulePack, as_of: dt.date, backend: str) -> None:
    _STATE["base"] = Checker(base, as_of, backend=backend)
    _STATE["new"] = Checker(new, as_of, backend=backend)


def _impact_one(spec: LoadedSpec) -> tuple[bytes, bytes]:
    return _packed(_STATE["base"].check(spec)), _packed(_STATE["new"].check(spec))


def impact_results(
    base: RulePack, new: RulePack, as_of: dt.date, specs: Sequence[LoadedSpec], backend: str, jobs: int
) -> list[tuple[SpecResult, SpecResult]]:
    """(before, after) results per spec in report order, over ``jobs`` processes."""
    ordered = sorted(specs, key=lambda s: (s.path, s.id))
    return [
        (_unpacked(b), _unpacked(n))
        for b, n in pooled(_init_impact, (base, new, as_of, backend), _impact_one, ordered, jobs)
    ]


# -- regtech rules test -------------------------------------------------------------------
def _init_tests(pack: RulePack, bases: dict[str, Any], backend: str) -> None:
    # Checkers per as-of date are made as cases need them, then kept for the process
    _STATE["tests"] = (pack, pack.by_id(), bases, backend, {})


def _test_rule(rule_id: str) -> list[Any]:
    from .authoring.ruletests import run_rule_cases

    pack, by_id, bases, backend, checkers = _STATE["tests"]
    return run_rule_cases(by_id[rule_id], pack, bases, checkers, backend)


def rule_case_results(pack: RulePack, bases: dict[str, Any], backend: str, jobs: int) -> list[list[Any]]:
    """Every rule's case results, rule by rule in pack order, over ``jobs`` processes."""
    ids = [r.id for r in pack.rules]
    return list(pooled(_init_tests, (pack, bases, backend), _test_rule, ids, jobs))
