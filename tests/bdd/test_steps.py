"""Each expectation step passes when it holds and otherwise says what the report held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.bdd import steps
from regtech_engine.bdd.messages import ScenarioProblem
from regtech_engine.bdd.world import World
from regtech_engine.vocabulary import Lang

RULE = "PIPL-029-SENSITIVE-SEPARATE-CONSENT"
LISTED = f"  - {RULE}  [high]  PIPL Art. 29"


@pytest.fixture
def world(tmp_path: Path) -> World:
    """The compliant payment base with one sensitive category lacking separate consent."""
    w = World()
    w.begin(tmp_path / "x.feature", "en")
    w.as_of = dt.date(2026, 1, 1)
    w.use_base("payment-compliant")
    w.change([["personal_information.categories[0].separate_consent", "false"]])
    return w


def _code(step: Callable[..., Any]) -> Callable[..., Any]:
    """The step's own code, without the wrapper that turns problems into test failures."""
    return step.__wrapped__  # type: ignore[attr-defined, no-any-return]


HOLDS = [
    (steps._fires, {"rule": RULE}),
    (steps._outcome_is, {"rule": RULE, "outcome": "fail"}),
    (steps._finding_cites, {"law": "PIPL", "article": "29", "severity": "high"}),
    (steps._none_at_or_above, {"severity": "critical"}),
    (steps._theme_count, {"theme": "personal_information", "count": "1"}),
    (steps._theme_count, {"theme": "反洗钱", "count": "0"}),
    (steps._exit_status, {"status": "1", "level": "high"}),
    (steps._exit_status, {"status": "0", "level": "critical"}),
    (steps._exit_status, {"status": "0", "level": "never"}),
]

FAILS = [
    (
        steps._does_not_fire,
        {"rule": RULE},
        f"Expected rule {RULE} not to fire, but it did: ",
    ),
    (
        steps._outcome_is,
        {"rule": RULE, "outcome": "pass"},
        f"Expected the outcome of rule {RULE} to be pass, but it was: fail.",
    ),
    (
        steps._finding_cites,
        {"law": "PIPL", "article": "29", "severity": "critical"},
        "Expected a finding citing PIPL Art. 29 with severity critical or above, but there is none.",
    ),
    (
        steps._finding_cites,
        {"law": "PIPL", "article": "30", "severity": "low"},
        "Expected a finding citing PIPL Art. 30 with severity low or above",
    ),
    (
        steps._none_at_or_above,
        {"severity": "high"},
        "Expected no findings of severity high or above, but there are 1.",
    ),
    (steps._no_findings, {}, "Expected no findings, but there are 1."),
    (
        steps._theme_count,
        {"theme": "personal_information", "count": "0"},
        "Expected 0 personal_information finding(s), but there are 1.",
    ),
    (
        steps._exit_status,
        {"status": "0", "level": "medium"},
        "Expected `regtech check --fail-on medium` to exit with status 0, but it would exit with 1.",
    ),
]


@pytest.mark.parametrize(("step", "args"), HOLDS)
def test_holds(world: World, step: Callable[..., Any], args: dict[str, str]) -> None:
    _code(step)(regtech_world=world, **args)


@pytest.mark.parametrize(("step", "args", "expected"), FAILS)
def test_fails_with_what_the_report_held(
    world: World, step: Callable[..., Any], args: dict[str, str], expected: str
) -> None:
    with pytest.raises(ScenarioProblem) as caught:
        _code(step)(regtech_world=world, **args)
    text = caught.value.render(Lang.EN)
    assert text.startswith(expected)
    assert "The report (as of 2026-01-01" in text and LISTED in text


def test_a_missing_finding_is_listed_with_its_outcome(world: World) -> None:
    world.change([["personal_information.categories[0].separate_consent", "true"]])
    with pytest.raises(ScenarioProblem) as caught:
        _code(steps._fires)(regtech_world=world, rule=RULE)
    assert caught.value.render(Lang.ZH).startswith(
        f"期望规则 {RULE} 触发，但其结论为：合规。\n报告（基准日 2026-01-01"
    )
    _code(steps._no_findings)(regtech_world=world)


def test_an_unknown_law_code_is_an_error(world: World) -> None:
    with pytest.raises(ScenarioProblem) as caught:
        _code(steps._finding_cites)(regtech_world=world, law="PIPLL", article="29", severity="low")
    assert "did you mean `PIPL`?" in caught.value.render(Lang.EN)
