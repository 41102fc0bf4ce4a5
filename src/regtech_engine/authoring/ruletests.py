"""Running the test cases written as data beside each rule (``regtech rules test``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..check import Checker
from ..errors import InputError, SpecError
from ..files.yamlio import Document, read_document
from ..language.cases import RuleTest
from ..language.rules import Rule, RulePack
from ..packs import builtin_root
from ..spec.loader import spec_from_document
from ..spec.patching import patched
from ..vocabulary import Outcome


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    name: str
    expected: Outcome
    actual: Outcome | None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.actual == self.expected


@dataclass(frozen=True)
class TestRun:
    results: list[CaseResult]
    uncovered: list[str]  # rules without both a firing and a non-firing case

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]


def base_specs(folders: list[Path]) -> dict[str, Document]:
    """Named base specs: ``bases/<name>.yaml`` in the built-in packs and in rule folders."""
    found: dict[str, Document] = {}
    for folder in [builtin_root(), *folders]:
        for file in sorted((folder / "bases").glob("*.yaml")):
            found[file.stem] = read_document(file)
    return found


def case_document(case: RuleTest, bases: dict[str, Document], label: str) -> Document:
    if case.spec is not None:
        data: dict[str, Any] = case.spec
    elif case.base is not None:
        if case.base not in bases:
            raise SpecError.single(f"unknown base spec `{case.base}`", file=label)
        data = bases[case.base].data
    else:
        raise SpecError.single("a test case needs `spec` or `base`", file=label)
    try:
        data = patched(data, case.set, case.unset)
    except ValueError as exc:
        raise SpecError.single(str(exc), file=label) from None
    return Document(data=data, lines={}, file=label)


def run_tests(pack: RulePack, folders: list[Path], backend: str = "durable", jobs: int = 1) -> TestRun:
    """Every rule's cases, in pack order; ``jobs`` > 1 runs rules in worker processes
    (pool.py), with the same results in the same order."""
    bases = base_specs(folders)
    if jobs > 1:
        from ..pool import rule_case_results

        per_rule = rule_case_results(pack, bases, backend, jobs)
    else:
        checkers: dict[dt.date, Checker] = {}
        per_rule = [run_rule_cases(rule, pack, bases, checkers, backend) for rule in pack.rules]
    results: list[CaseResult] = []
    uncovered: list[str] = []
    for rule, found in zip(pack.rules, per_rule, strict=True):
        results.extend(found)
        if {case.expect is Outcome.FAIL for case in rule.body.tests} != {True, False}:
            uncovered.append(rule.id)
    return TestRun(results, uncovered)


def run_rule_cases(
    rule: Rule, pack: RulePack, bases: dict[str, Document], checkers: dict[dt.date, Checker], backend: str
) -> list[CaseResult]:
    """One rule's cases; ``checkers`` (one per as-of date) are reused across rules."""
    return [_run_case(rule, case, pack, bases, checkers, backend) for case in rule.body.tests]


def _run_case(
    rule: Rule,
    case: RuleTest,
    pack: RulePack,
    bases: dict[str, Document],
    checkers: dict[dt.date, Checker],
    backend: str,
) -> CaseResult:
    label = f"{rule.file} [{case.name}]"
    try:
        spec = spec_from_document(case_document(case, bases, label), pack.spec_model)
    except InputError as exc:
        return CaseResult(rule.id, case.name, case.expect, None, f"invalid test spec: {exc}")
    if case.as_of not in checkers:
        checkers[case.as_of] = Checker(pack, case.as_of, backend=backend)
    outcomes = checkers[case.as_of].outcomes_of(spec)
    return CaseResult(rule.id, case.name, case.expect, outcomes[rule.id])
