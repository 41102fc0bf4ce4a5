"""Which ``.feature`` files are meant for regtech-engine, so the plugin stays in its lane.

Installing regtech-engine registers a pytest plugin; a project with its own pytest-bdd
suite must not get a second, failing copy of its scenarios. A feature file is ours when it
opts in (the ``@regtech`` tag, or a folder listed in the ``regtech_bdd_paths`` ini option),
or when every one of its steps is a step of our library; anything else is left to the
project's own test modules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

TAG = "regtech"


@cache
def _our_steps() -> tuple[Any, ...]:
    """The step contexts (type and parser) our step modules define."""
    from pytest_bdd.steps import step_function_context_registry

    from . import monitor_steps, steps  # noqa: F401  (importing defines the steps)

    return tuple(
        c
        for c in list(step_function_context_registry.values())
        if getattr(c.step_func, "__module__", "").startswith("regtech_engine.")
    )


def _is_ours(step_type: str, name: str) -> bool:
    return any((c.type is None or c.type == step_type) and c.parser.is_matching(name) for c in _our_steps())


def uses_only_our_steps(path: Path) -> bool:
    """Whether every step of every scenario (outlines with each example) is one of ours."""
    from pytest_bdd.feature import get_feature

    feature = get_feature(str(path.parent), path.name)
    if TAG in feature.tags:
        return True
    for template in feature.scenarios.values():
        contexts: list[dict[str, str]] = [
            row for examples in template.examples for row in examples.as_contexts()
        ] or [{}]
        for context in contexts:
            for step in template.render(context).steps:
                if not _is_ours(step.type, step.name):
                    return False
    return True


def opted_in(path: Path, folders: Sequence[str], root: Path) -> bool:
    """Under a folder (or glob) named in ``regtech_bdd_paths``, relative to the rootdir."""
    resolved = path.resolve()
    for entry in folders:
        base = (root / entry).resolve()
        if resolved.is_relative_to(base) or fnmatch.fnmatch(str(resolved), str(base)):
            return True
    return False


def meant_for_us(path: Path, folders: Iterable[str], root: Path) -> bool:
    folders = list(folders)
    if folders:
        return opted_in(path, folders, root)
    try:
        return uses_only_our_steps(path)
    except Exception:  # a feature pytest-bdd cannot parse is the project's own business
        return False
