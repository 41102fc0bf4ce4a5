"""The scenario state fixture, and the pytest-bdd hooks that tell it where it is.

The language of failure messages is the feature file's (``# language: zh-CN``), and errors
point at the feature file and step line, so the state learns both before each step runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.parser import Feature, Scenario, Step

from .world import World

WORLD = "regtech_world"


@pytest.fixture
def regtech_world() -> World:
    """The state of one scenario (the spec, rule choices and report)."""
    return World()


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    world: World = request.getfixturevalue(WORLD)
    world.begin(Path(feature.filename), feature.language)


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step
) -> None:
    world: World = request.getfixturevalue(WORLD)
    world.step_line = step.line_number
