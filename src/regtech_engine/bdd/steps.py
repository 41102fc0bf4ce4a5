"""The step code: one thin function per phrase, bound to its English and Chinese wordings.

Registered as a pytest plugin by ``plugin.py``, so its step fixtures are visible to every
feature file. Steps raise ``ScenarioProblem``; ``@phrase`` turns that into a test failure
worded in the scenario's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from pytest_bdd import given, parsers, then, when

from ..findings import Citation
from ..gate.decision import Gate, GatedReport, Policy
from ..suggest import did_you_mean
from ..vocabulary import Lang, Outcome, Severity
from . import words
from .fixtures import WORLD
from .messages import (
    ScenarioProblem,
    citation_label,
    describe_report,
    localised,
    outcome_label,
    severity_label,
    theme_label,
)
from .phrases import PHRASES_BY_KEY
from .world import World

F = TypeVar("F", bound=Callable[..., Any])
_DECORATORS = {"given": given, "when": when, "then": then}

BOUND: set[str] = set()
"""Phrase keys that have step code (a test checks every phrase is bound)."""


def phrase(key: str) -> Callable[[F], F]:
    """Bind a step function to both wordings of phrase ``key``."""
    entry = PHRASES_BY_KEY[key]

    def bind(func: F) -> F:
        @functools.wraps(func)
        def step(**kwargs: Any) -> Any:
            __tracebackhide__ = True
            try:
                return func(**kwargs)
            except ScenarioProblem as problem:
                failure = problem.render(kwargs[WORLD].lang)
            # Outside the `except`, so the report shows the message and no exception chain.
            pytest.fail(failure, pytrace=False)

        for lang in Lang:
            # stacklevel=2: pytest-bdd puts the step fixture in the module calling `bind`.
            _DECORATORS[entry.kind](parsers.re(entry.pattern(lang)), stacklevel=2)(step)
        BOUND.add(key)
        return step  # type: ignore[return-value]

    return bind


# -- the product spec ----------------------------------------------------------------------


@phrase("spec_file")
def _spec_file(regtech_world: World, file: str) -> None:
    regtech_world.use_spec_file(file)


@phrase("spec_inline")
def _spec_inline(regtech_world: World, docstring: str) -> None:
    regtech_world.use_inline_spec(docstring)


@phrase("base_spec")
def _base_spec(regtech_world: World, base: str) -> None:
    regtech_world.use_base(base)


@phrase("base_spec_changed")
def _base_spec_changed(regtech_world: World, base: str, datatable: Sequence[Sequence[str]]) -> None:
    regtech_world.use_base(base)
    regtech_world.change(datatable)


@phrase("change_fields")
def _change_fields(regtech_world: World, datatable: Sequence[Sequence[str]]) -> None:
    regtech_world.change(datatable)


@phrase("remove_fields")
def _remove_fields(regtech_world: World, datatable: Sequence[Sequence[str]]) -> None:
    regtech_world.remove(datatable)


def pytest_bdd_step_func_lookup_error(step: Any, exception: Exception, **_: Any) -> None:
    """A step no phrase matches: fail with the closest phrases instead of pytest-bdd's bare
    StepDefinitionNotFoundError (a hook of this plugin)."""
    from .phrases import closest_phrases

    hints = closest_phrases(step.name)
    if not hints:
        return
    where = f"line {step.line_number}"
    pytest.fail(
        f'No step matches "{step.keyword} {step.name}" ({where}). Closest phrases'
        " (docs/bdd-guide.md lists them all):\n" + "\n".join(f"  {h}" for h in hints),
        pytrace=False,
    )


# -- the rules and the date ----------------------------------------------------------------


@phrase("builtin_rules")
def _builtin_rules(regtech_world: World) -> None:
    regtech_world.use_builtin()


@phrase("rules_folder")
def _rules_folder(regtech_world: World, folder: str) -> None:
    regtech_world.add_rules_folder(folder, only=False)


@phrase("only_rules_folder")
def _only_rules_folder(regtech_world: World, folder: str) -> None:
    regtech_world.add_rules_folder(folder, only=True)


@phrase("themes")
def _themes(regtech_world: World, themes: str) -> None:
    regtech_world.only_themes(words.themes(themes))


@phrase("select_rules")
def _select_rules(regtech_world: World, patterns: str) -> None:
    regtech_world.choose_rules(words.patterns(patterns), [])


@phrase("skip_rules")
def _skip_rules(regtech_world: World, patterns: str) -> None:
    regtech_world.choose_rules([], words.patterns(patterns))


@phrase("as_of")
def _as_of(regtech_world: World, date: str) -> None:
    regtech_world.set_as_of(dt.date.fromisoformat(date))


# -- running -------------------------------------------------------------------------------


@phrase("run")
def _run(regtech_world: World) -> None:
    regtech_world.report()


# -- expectations --------------------------------------------------------------------------


@phrase("fires")
def _fires(regtech_world: World, rule: str) -> None:
    outcome = regtech_world.outcome(rule)
    if outcome is not Outcome.FAIL:
        raise ScenarioProblem(
            "expected_fire",
            rule=rule,
            outcome=_outcome(regtech_world, rule),
            report=describe_report(regtech_world.report()),
        )


@phrase("does_not_fire")
def _does_not_fire(regtech_world: World, rule: str) -> None:
    if regtech_world.outcome(rule) is Outcome.FAIL:
        report = regtech_world.report()
        finding = next(f for f in report.all_findings() if f.rule_id == rule)
        raise ScenarioProblem(
            "expected_no_fire",
            rule=rule,
            message=lambda lang: finding.message.get(lang),
            report=describe_report(report),
        )


@phrase("outcome")
def _outcome_is(regtech_world: World, rule: str, outcome: str) -> None:
    expected = words.outcome(outcome)
    if regtech_world.outcome(rule) is not expected:
        raise ScenarioProblem(
            "expected_outcome",
            rule=rule,
            expected=lambda lang: outcome_label(expected, lang),
            outcome=_outcome(regtech_world, rule),
            report=describe_report(regtech_world.report()),
        )


@phrase("finding_cites")
def _finding_cites(regtech_world: World, law: str, article: str, severity: str) -> None:
    minimum = words.severity(severity)
    laws = regtech_world.pack().laws
    if law not in laws:
        hint = did_you_mean(law, laws)
        raise ScenarioProblem("unknown_law", law=law, hint=f" ({hint})" if hint else "")
    wanted = Citation(law=law, article=_article(article))
    report = regtech_world.report()
    if not any(
        any((c.law, c.article) == (wanted.law, wanted.article) for c in f.citations)
        and Severity(f.severity).at_least(minimum)
        for f in report.all_findings()
    ):
        raise ScenarioProblem(
            "expected_citation",
            citation=lambda lang: citation_label(wanted, lang),
            severity=lambda lang: severity_label(minimum, lang),
            report=describe_report(report),
        )


@phrase("none_at_or_above")
def _none_at_or_above(regtech_world: World, severity: str) -> None:
    minimum = words.severity(severity)
    report = regtech_world.report()
    count = sum(Severity(f.severity).at_least(minimum) for f in report.all_findings())
    if count:
        raise ScenarioProblem(
            "expected_none_at_or_above",
            count=count,
            severity=lambda lang: severity_label(minimum, lang),
            report=describe_report(report),
        )


@phrase("no_findings")
def _no_findings(regtech_world: World) -> None:
    report = regtech_world.report()
    if report.all_findings():
        raise ScenarioProblem(
            "expected_no_findings", count=len(report.all_findings()), report=describe_report(report)
        )


@phrase("theme_count")
def _theme_count(regtech_world: World, theme: str, count: str) -> None:
    chosen = words.theme(theme)
    report = regtech_world.report()
    actual = sum(f.theme == chosen for f in report.all_findings())
    if actual != int(count):
        raise ScenarioProblem(
            "expected_theme_count",
            expected=int(count),
            count=actual,
            theme=lambda lang: theme_label(chosen, lang),
            report=describe_report(report),
        )


@phrase("exit_status")
def _exit_status(regtech_world: World, status: str, level: str) -> None:
    fail_on = words.fail_on_level(level)
    report = regtech_world.report()
    gate = Gate(policy=Policy(fail_on=fail_on))
    decided = GatedReport(tool=report.tool, as_of=report.as_of, results=report.results, gate=gate)
    actual = 1 if decided.failed else 0
    if actual != int(status):
        raise ScenarioProblem(
            "expected_exit",
            level=fail_on,
            expected=int(status),
            status=actual,
            report=describe_report(report),
        )


def _outcome(world: World, rule: str) -> Callable[[Lang], str]:
    """The rule's outcome, with the fields it missed when it could not decide."""
    outcome = world.outcome(rule)
    missing = world.missing(rule)

    def render(lang: Lang) -> str:
        label = outcome_label(outcome, lang)
        if outcome is Outcome.INSUFFICIENT_EVIDENCE and missing:
            fields = localised(", ".join(missing), "、".join(missing))(lang)
            return (
                f"{label}（规格未写明：{fields}）"
                if lang is Lang.ZH
                else f"{label} (the spec does not state: {fields})"
            )
        return label

    return render


def _article(raw: str) -> str:
    """Articles are compared as the rule cites them; full-width brackets are normalised."""
    return raw.replace("（", "(").replace("）", ")")
