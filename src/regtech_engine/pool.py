"""Checks on every core: spec files streamed through ``check``, ``impact`` and ``rules test``.

The command lists the spec files (``spec_files``, paths only); each file is then read,
validated and checked in one go and dropped: only what the report needs is kept, the
results (findings, undetermined rules, outcomes), the problems of an invalid file and the
spec's ``product.id`` with its line (duplicate ids are found from those after the last
file). Memory grows with the findings held, not with the specs read; equal parts of
results are made once per run (``_Shared``).

``jobs=1`` does that in the calling process, file after file. With more, ``jobs - 1``
worker processes share the files with the calling process (``_spread``): workers get
chunks of paths, compile the packs once (the pool initializer) and send each result back
as JSON (pydantic parses it several times faster than it unpickles models); the calling
process checks chunks itself between feeding them, from the first moment (workers take a
while to start) to the last (it takes back what is still queued). Results are yielded in
the order of the files, so a report is byte-identical to the serial one. Workers are
started with ``forkserver`` (or ``spawn`` where there is none), never ``fork``:
durable_rules keeps C state that must not be copied from a process in the middle of using
it. The forkserver imports this module (not durable_rules) once, before forking workers.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .check import Checker
from .errors import InputError, Problem, SpecError
from .findings import Citation, Report, RuleOutcome, SpecResult, Text, Tool, Undetermined
from .language.rules import RulePack
from .spec.loader import LoadedSpec, find_spec_files, load_spec
from .spec.models import ProductSpec
from .vocabulary import Outcome

AUTO_ABOVE = 8  # more inputs than this, and no --jobs: one worker per core
CHUNK = 16  # files per task at most: ~0.1 s of work, a few hundred KB of results
IN_FLIGHT = 3  # chunks queued or running per worker: none idles while this process checks
SWITCH = 0.0005  # seconds: the interpreter's switch interval while workers answer
_T = TypeVar("_T")
_R = TypeVar("_R")

# The worker's state, set once by the initializer (one per process).
_STATE: dict[str, Any] = {}


def resolve_jobs(jobs: int | None, items: int) -> int:
    """``--jobs`` as given, or the number of cores when there are more than a handful of
    inputs (a worker takes about half a second to start: not worth it for a few specs)."""
    if jobs is not None:
        return max(1, jobs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1) if items > AUTO_ABOVE else 1


def _context() -> Any:
    """forkserver where the platform has it, else spawn: never fork (durable_rules' C state).
    The forkserver imports this module before forking workers (``__main__`` too, as by
    default), so each worker starts with it imported; durable_rules is imported only by
    each worker, when it compiles."""
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__])
    return context


def prestart(jobs: int, items: int) -> None:
    """Start the forkserver now if ``jobs`` over ``items`` will need workers: its
    interpreter and imports (a few tenths of a second) then overlap what the caller does
    meanwhile (load the packs), instead of delaying the first worker."""
    if jobs > 1 and items > 1 and _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _size(remaining: int, jobs: int) -> int:
    """Items in the next chunk: a quarter of a process's share of what is left, at most
    CHUNK (about 0.1 s of checks: results stream back steadily) and smaller towards the end,
    so that the processes finish together."""
    return max(1, min(CHUNK, math.ceil(remaining / (jobs * 4))))


def _spread(
    items: Sequence[_T],
    jobs: int,
    here: Callable[[list[_T]], list[_R]],
    there: Callable[[list[_T]], Any],
    back: Callable[[Any], list[_R]],
    init: Callable[..., None],
    initargs: tuple[Any, ...],
) -> Iterator[_R]:
    """Every item's result, in the order of ``items``, from ``jobs`` processes: this one
    (``here``) and ``jobs - 1`` workers (``there``, whose answers ``back`` turns into
    results in this process).

    Items go out in chunks: each worker has up to IN_FLIGHT chunks queued, this process
    takes the next chunk itself in between. It works from the first moment (a worker takes
    about half a second to start: forkserver, imports, compile) and does without pickling
    its share. When nothing is left to hand out, it takes back the last chunks given to
    workers and not done (cancelled if not started, else done twice and its own answer
    kept), so that no process waits for another at the end."""
    from concurrent.futures import ProcessPoolExecutor

    workers = jobs - 1
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=init, initargs=initargs)
    pending: deque[list[Any]] = deque()  # per chunk, in order: [future | None, results | None, chunk]
    start = 0
    # The pool's own thread in this process takes the workers' answers off a pipe and feeds
    # them chunks; it needs the interpreter lock, which this thread holds while it checks.
    # Handed over every 5 ms by default, a worker stalls on a full pipe: every 0.5 ms here.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(min(switch, SWITCH))

    def take() -> list[_T]:
        nonlocal start
        chunk = list(items[start : start + _size(len(items) - start, jobs)])
        start += len(chunk)
        return chunk

    try:
        while pending or start < len(items):
            while pending and (pending[0][1] is not None or pending[0][0].done()):
                future, results, _ = pending.popleft()
                yield from results if results is not None else back(future.result())
            if start < len(items):
                queued = sum(1 for f, r, _ in pending if r is None and not f.done())
                while start < len(items) and queued < workers * IN_FLIGHT:
                    chunk = take()
                    pending.append([pool.submit(there, chunk), None, chunk])
                    queued += 1
                if start < len(items):
                    chunk = take()
                    pending.append([None, here(chunk), chunk])
                continue
            late = next((e for e in reversed(pending) if e[1] is None and not e[0].done()), None)
            if late is not None:
                late[0].cancel()
                late[1] = here(late[2])
    finally:
        sys.setswitchinterval(switch)
        pool.shutdown(wait=True, cancel_futures=True)


def pooled(
    init: Callable[..., None],
    initargs: tuple[Any, ...],
    here: Callable[[_T], _R],
    work: Callable[[_T], Any],
    items: Sequence[_T],
    jobs: int,
    back: Callable[[Any], _R] | None = None,
) -> Iterator[_R]:
    """``here`` (in this process) or ``work`` (in one of ``jobs - 1`` workers; its answer
    through ``back`` in this process) over ``items``, results in the order of ``items``."""
    return _spread(
        items,
        jobs,
        lambda chunk: [here(item) for item in chunk],
        partial(_each, work),
        _same if back is None else lambda answers: [back(a) for a in answers],
        init,
        initargs,
    )


def _each(work: Callable[[_T], _R], items: list[_T]) -> list[_R]:
    return [work(item) for item in items]


def _same(results: list[_R]) -> list[_R]:
    return results


# -- packs travel without their spec model class ------------------------------------------
def _ship(pack: RulePack) -> tuple[RulePack, dict[str, Any] | None]:
    """The pack for a worker. A pack with extension fields has a spec model class made at
    load time, which pickle cannot name: it travels as the declarations that make it (the
    same declarations give the same class, spec/extensions.py)."""
    if pack.spec_model is ProductSpec:
        return pack, None
    from .spec.extensions import spec_model

    declarations = {
        p.manifest.namespace: (p.name, p.manifest.fields)
        for p in pack.packs
        if p.manifest.namespace is not None and p.manifest.fields
    }
    if spec_model(declarations) is not pack.spec_model:  # a model made some other way
        return pack, None
    shipped = copy.copy(pack)  # keeps the computed digest and needs
    shipped.spec_model = ProductSpec
    return shipped, declarations


def _land(shipped: tuple[RulePack, dict[str, Any] | None]) -> RulePack:
    pack, declarations = shipped
    if declarations is None:
        return pack
    from .spec.extensions import spec_model

    landed = copy.copy(pack)
    landed.spec_model = spec_model(declarations)
    return landed


# -- spec files in, what the report needs out ---------------------------------------------
@dataclass(frozen=True, slots=True)
class SpecFile:
    """A spec file to read: its path, the name reports give it, and why it is not read
    (a symlink leaving its folder), if it is refused."""

    path: str
    name: str
    refusal: str | None = None


def spec_files(paths: Sequence[str]) -> tuple[list[SpecFile], list[Problem]]:
    """The spec files of ``paths`` (files and folders), sorted by name: report order; or the
    problem that there is none."""
    files = [
        SpecFile(os.fspath(p), name, getattr(p, "refusal", None)) for p, name in find_spec_files(list(paths))
    ]
    if not files:
        return [], [Problem("no product spec files (.yaml, .yml, .json) found", file=" ".join(paths))]
    return files, []


def read_spec(file: SpecFile, model: type[ProductSpec] = ProductSpec) -> LoadedSpec:
    """Read and validate one spec file (an InputError names file, line and field)."""
    if file.refusal is not None:
        raise SpecError.single(file.refusal, file=file.name)
    path = Path(file.path)
    if not path.exists():
        raise SpecError.single("no such file or folder", file=file.name)
    return load_spec(path, file.name, model)


@dataclass(frozen=True, slots=True)
class Checked:
    """One spec file, checked: what a report needs of it. ``id`` is None for a file that
    is not a valid spec (``problems`` says why); ``results`` has one result per pack."""

    name: str
    id: str | None
    id_line: int | None
    results: tuple[SpecResult, ...] = ()
    problems: tuple[Problem, ...] = ()


def _check_file(file: SpecFile, model: type[ProductSpec], checkers: Sequence[Checker]) -> Checked:
    try:
        spec = read_spec(file, model)
    except InputError as exc:
        return Checked(file.name, None, None, problems=tuple(exc.problems))
    results = tuple(c.check(spec) for c in checkers)
    return Checked(file.name, spec.id, spec.line_of(("product", "id")), results)


class _Shared:
    """Equal parts of results made once for a run, results held with far less memory.

    A result holds every rule's outcome, and many findings and undetermined rules hold the
    same titles, citations (with their quotes) and remediation as other specs': hundreds of
    small models per spec, most of what results held. Each result is fresh, made by a check
    or parsed from a worker's answer, and owned by the caller alone: its fields are pointed
    at the shared equal (immutable) parts in place, the shared parts never changed.
    """

    def __init__(self) -> None:
        self._outcomes: dict[tuple[str, str], RuleOutcome] = {}
        self._undetermined: dict[tuple[Any, ...], Undetermined] = {}
        self._citations: dict[tuple[Any, ...], Citation] = {}
        self._texts: dict[tuple[Any, ...], Text] = {}

    def result(self, result: SpecResult, outcomes: list[RuleOutcome] | None = None) -> SpecResult:
        if outcomes is None:
            made = self._outcomes
            outcomes = [made.setdefault((o.rule_id, o.outcome.value), o) for o in result.outcomes]
        undetermined = self._undetermined
        texts = self._texts
        citations = self._citations
        # keyed by every field's value (all hashable but Undetermined.missing, a list)
        for f in result.findings:
            vars(f).update(
                title=texts.setdefault(tuple(vars(f.title).values()), f.title),
                message=texts.setdefault(tuple(vars(f.message).values()), f.message),
                remediation=texts.setdefault(tuple(vars(f.remediation).values()), f.remediation),
                citations=[citations.setdefault(tuple(vars(c).values()), c) for c in f.citations],
            )
        vars(result).update(
            outcomes=outcomes,
            undetermined=[
                undetermined.setdefault(
                    (*(v for k, v in vars(u).items() if k != "missing"), tuple(u.missing)), u
                )
                for u in result.undetermined
            ],
        )
        return result

    def unpacked(self, packed: Packed, ids: tuple[str, ...]) -> SpecResult:
        """A result as ``_packed`` sent it; ``ids``: the rule ids of its pack, sorted."""
        if isinstance(packed, bytes):
            return self.result(pickle.loads(packed))
        body, tail = packed
        made = self._outcomes
        pairs: Iterable[tuple[str, str]]
        if isinstance(tail, str):
            pairs = zip(ids, (_VALUES[c] for c in tail), strict=True)
        else:
            import orjson

            pairs = orjson.loads(tail)
        outcomes = []
        for rule_id, outcome in pairs:
            shared = made.get((rule_id, outcome))
            if shared is None:
                shared = made[(rule_id, outcome)] = RuleOutcome(rule_id=rule_id, outcome=outcome)
            outcomes.append(shared)
        return self.result(SpecResult.model_validate_json(body), outcomes)


# A result in transit: pickled, or its JSON with every rule's outcome apart (the outcomes
# are excluded from dumps), one letter per rule in the order of the pack's sorted ids, or
# (rule id, outcome) pairs as JSON when they are not those rules.
Packed = bytes | tuple[bytes, str | bytes]
_CODES = {o.value: o.value[0] for o in Outcome}
_VALUES = {code: value for value, code in _CODES.items()}
assert len(_VALUES) == len(_CODES), "one letter per outcome"


def _rule_ids(pack: RulePack) -> tuple[str, ...]:
    """The rules a result of ``pack`` has an outcome for, in their order in it."""
    return tuple(sorted(r.id for r in pack.rules))


def _packed(result: SpecResult, ids: tuple[str, ...]) -> Packed:
    """A result for the parent: as JSON, which it parses in a fraction of the time
    unpickling models takes (and small: a chunk's results pass through a pipe the parent
    reads between its own checks); pickled where JSON would not give it back as it is (an
    infinite number, a string JSON cannot encode)."""
    if all(_plain(e.value) for f in result.findings for e in f.evidence):
        try:
            body = result.model_dump_json().encode()
        except ValueError:  # pydantic's serialization error: unencodable text
            pass
        else:
            outcomes = result.outcomes
            if len(outcomes) == len(ids) and all(o.rule_id == i for o, i in zip(outcomes, ids, strict=True)):
                return body, "".join(_CODES[o.outcome.value] for o in outcomes)
            import orjson

            return body, orjson.dumps([[o.rule_id, o.outcome.value] for o in outcomes])
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _plain(value: Any) -> bool:
    """A value JSON gives back unchanged (evidence values are the only ``Any`` fields)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, str | int)


def _init_specs(shipped: list[tuple[RulePack, dict[str, Any] | None]], as_of: dt.date, backend: str) -> None:
    packs = [_land(s) for s in shipped]
    _STATE["checkers"] = tuple(Checker(p, as_of, backend=backend) for p in packs)
    _STATE["ids"] = tuple(_rule_ids(p) for p in packs)
    _STATE["model"] = packs[-1].spec_model


def _check_chunk(files: list[SpecFile]) -> list[tuple[Any, ...]]:
    checkers, ids, model = _STATE["checkers"], _STATE["ids"], _STATE["model"]
    out = []
    for file in files:
        c = _check_file(file, model, checkers)
        packed = [_packed(r, i) for r, i in zip(c.results, ids, strict=False)]  # none if invalid
        out.append((c.name, c.id, c.id_line, c.problems, packed))
    return out


def checked_files(
    packs: Sequence[RulePack],
    as_of: dt.date,
    files: Sequence[SpecFile],
    backend: str = "durable",
    jobs: int = 1,
) -> Iterator[Checked]:
    """Every file read with the spec model of the last pack and checked against each pack,
    in the order of ``files``, over ``jobs`` processes when above one."""
    shared = _Shared()
    checkers = [Checker(p, as_of, backend=backend) for p in packs]
    ids = [_rule_ids(p) for p in packs]
    model = packs[-1].spec_model

    def here(chunk: list[SpecFile]) -> list[Checked]:
        checked = []
        for file in chunk:
            c = _check_file(file, model, checkers)
            checked.append(
                Checked(c.name, c.id, c.id_line, tuple(shared.result(r) for r in c.results), c.problems)
            )
        return checked

    def back(answers: list[tuple[Any, ...]]) -> list[Checked]:
        return [
            Checked(name, spec_id, line, tuple(map(shared.unpacked, packed, ids)), problems)
            for name, spec_id, line, problems, packed in answers
        ]

    if jobs <= 1 or len(files) <= 1:
        for file in files:
            yield from here([file])
        return
    initargs = ([_ship(p) for p in packs], as_of, backend)
    yield from _spread(files, min(jobs, len(files)), here, _check_chunk, back, _init_specs, initargs)


def duplicate_problems(specs: Iterable[tuple[str, str, int | None]]) -> tuple[set[str], list[Problem]]:
    """Of (id, file, line of ``product.id``) per valid spec: the ids used by more than one
    spec, and one problem per file using one, naming the others (findings, waivers and
    baselines are keyed by the id, so one spec would silently stand for another)."""
    by_id: dict[str, list[tuple[str, int | None]]] = {}
    for spec_id, name, line in specs:
        by_id.setdefault(spec_id, []).append((name, line))
    problems: list[Problem] = []
    for spec_id, group in sorted(by_id.items()):
        if len(group) > 1:
            files = sorted(name for name, _ in group)
            for name, line in sorted(group, key=lambda g: g[0]):
                others = ", ".join(f for f in files if f != name)
                problems.append(
                    Problem(
                        f"product.id `{spec_id}` is also used by {others}; each spec needs its own id",
                        file=name,
                        line=line,
                        path="product.id",
                    )
                )
    return {i for i, group in by_id.items() if len(group) > 1}, problems


def collect(checked: Iterable[Checked]) -> tuple[list[Checked], list[Problem]]:
    """The valid specs' results, and the problems: every invalid file's in file order, then
    the duplicate ids' (whose specs are left out)."""
    valid: list[Checked] = []
    problems: list[Problem] = []
    for c in checked:
        if c.id is None:
            problems.extend(c.problems)
        else:
            valid.append(c)
    duplicated, duplicates = duplicate_problems((c.id, c.name, c.id_line) for c in valid if c.id)
    return [c for c in valid if c.id not in duplicated], problems + duplicates


# -- regtech check ------------------------------------------------------------------------
def check_files(
    pack: RulePack, as_of: dt.date, files: Sequence[SpecFile], backend: str = "durable", jobs: int = 1
) -> tuple[Report, list[Problem]]:
    """The report of the valid specs among ``files`` (``Checker(pack, as_of).report`` of
    them) and the problems of the others; over ``jobs`` processes when above one."""
    kept, problems = collect(checked_files([pack], as_of, files, backend, jobs))
    report = Report(
        tool=Tool(version=__version__, rules_digest=pack.digest),
        as_of=as_of.isoformat(),
        results=[c.results[0] for c in kept],
    )
    return report, problems


# -- regtech impact -----------------------------------------------------------------------
def impact_files(
    base: RulePack,
    new: RulePack,
    as_of: dt.date,
    files: Sequence[SpecFile],
    backend: str = "durable",
    jobs: int = 1,
) -> tuple[list[tuple[SpecResult, SpecResult]], list[Problem]]:
    """(before, after) results of the valid specs (read with the new pack's spec model) in
    report order, and the problems of the others; over ``jobs`` processes."""
    kept, problems = collect(checked_files([base, new], as_of, files, backend, jobs))
    return [(c.results[0], c.results[1]) for c in kept], problems


def _init_impact(base: Any, new: Any, as_of: dt.date, backend: str) -> None:
    packs = (_land(base), _land(new))
    _STATE["impact"] = tuple((Checker(p, as_of, backend=backend), _rule_ids(p)) for p in packs)


def _impact_one(spec: LoadedSpec) -> tuple[Packed, Packed]:
    (base, base_ids), (new, new_ids) = _STATE["impact"]
    return _packed(base.check(spec), base_ids), _packed(new.check(spec), new_ids)


def impact_results(
    base: RulePack, new: RulePack, as_of: dt.date, specs: Sequence[LoadedSpec], backend: str, jobs: int
) -> list[tuple[SpecResult, SpecResult]]:
    """(before, after) results per spec already loaded, in report order, over ``jobs``
    processes (``gate.impact.compare``; the command line streams files: impact_files)."""
    ordered = sorted(specs, key=lambda s: (s.path, s.id))
    shared = _Shared()
    checkers = (Checker(base, as_of, backend=backend), Checker(new, as_of, backend=backend))
    ids = (_rule_ids(base), _rule_ids(new))

    def here(spec: LoadedSpec) -> tuple[SpecResult, SpecResult]:
        return shared.result(checkers[0].check(spec)), shared.result(checkers[1].check(spec))

    def back(answer: tuple[Any, Any]) -> tuple[SpecResult, SpecResult]:
        return shared.unpacked(answer[0], ids[0]), shared.unpacked(answer[1], ids[1])

    initargs = (_ship(base), _ship(new), as_of, backend)
    return list(pooled(_init_impact, initargs, here, _impact_one, ordered, jobs, back))


# -- regtech rules test -------------------------------------------------------------------
def _init_tests(shipped: Any, bases: dict[str, Any], backend: str) -> None:
    # Checkers per as-of date are made as cases need them, then kept for the process
    pack = _land(shipped)
    _STATE["tests"] = (pack, pack.by_id(), bases, backend, {})


def _test_rule(rule_id: str) -> list[Any]:
    from .authoring.ruletests import run_rule_cases

    pack, by_id, bases, backend, checkers = _STATE["tests"]
    return run_rule_cases(by_id[rule_id], pack, bases, checkers, backend)


def rule_case_results(pack: RulePack, bases: dict[str, Any], backend: str, jobs: int) -> list[list[Any]]:
    """Every rule's case results, rule by rule in pack order, over ``jobs`` processes."""
    from .authoring.ruletests import run_rule_cases

    by_id: dict[str, Any] = pack.by_id()
    checkers: dict[dt.date, Checker] = {}

    def here(rule_id: str) -> list[Any]:
        return run_rule_cases(by_id[rule_id], pack, bases, checkers, backend)

    ids = [r.id for r in pack.rules]
    return list(pooled(_init_tests, (_ship(pack), bases, backend), here, _test_rule, ids, jobs))
