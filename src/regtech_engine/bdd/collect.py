"""Collecting ``.feature`` files directly, so a repository needs no Python test module.

Each feature file becomes a ``pytest.Module`` whose object is a module built here, holding
one pytest-bdd ``scenario()`` test per scenario, exactly what ``scenarios()`` would put in a
hand-written ``test_*.py``; outlines are parametrised by their examples as usual.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from pathlib import Path

import pytest
from pytest_bdd import scenario
from pytest_bdd.feature import get_feature

_NOT_NAME = re.compile(r"\W+")


class FeatureFile(pytest.Module):
    """A ``.feature`` file seen as a test module of scenarios."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        self.obj = scenarios_module(self.path)
        return super().collect()


def scenarios_module(path: Path) -> types.ModuleType:
    """A module with a ``test_<scenario>`` function for every scenario in the feature."""
    module = types.ModuleType(f"regtech_feature_{_NOT_NAME.sub('_', path.stem)}")
    module.__file__ = str(path)
    feature = get_feature(str(path.parent), path.name)
    for name in feature.scenarios:
        test = scenario(path.name, name, features_base_dir=str(path.parent))(_nothing)
        module.__dict__[_test_name(name, module.__dict__)] = test
    return module


def _nothing() -> None:
    """The scenario's steps are the test; nothing runs after them."""


def _test_name(scenario_name: str, taken: dict[str, object]) -> str:
    base = "test_" + (_NOT_NAME.sub("_", scenario_name).strip("_").lower() or "scenario")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name
