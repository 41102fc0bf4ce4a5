"""Spec files: a valid spec gives the same report whatever its key order and its format (YAML
block, YAML flow, JSON); an invalid one is exit 2 with a located message, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from regtech_engine.api import Engine
from regtech_engine.cli.main import main
from regtech_engine.reporters.json import to_data

from ..engine.strategies import specs as model_specs
from .corpus import builtin_pack, coverage_seeds, loaded, mutate
from .profiles import examples


@cache
def _engine() -> Engine:
    return Engine(builtin_pack())


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _written(data: dict[str, Any], fmt: str, rng: random.Random) -> str:
    data = _shuffled(data, rng)
    if fmt == "json":
        return json.dumps(
            data, default=str, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1, 2, 4])
        )
    return yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=rng.random() < 0.5,
        default_flow_style=fmt == "flow",
        width=rng.choice([40, 80, 10_000]),
    )


def _report(path: Path, as_of: dt.date) -> Any:
    """The JSON report with what depends on the file itself (its name, lines) left out."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("line", "file")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return "<file>" if value == str(path) else value

    return strip(to_data(_engine().check(path, as_of=as_of, fail_on="never")))


@st.composite
def valid_specs(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    """A rule's test case, mutated (near the thresholds), or a spec built from the model."""
    if draw(st.integers(0, 3)):
        seed = draw(st.sampled_from(coverage_seeds()))
        rng = draw(st.randoms(use_true_random=False))
        return mutate(seed.data, seed.as_of, rng, draw(st.integers(0, 3)))
    return draw(model_specs), dt.date(2026, 11, 25)


@settings(max_examples=examples(15))
@given(valid_specs(), st.randoms(use_true_random=False))
def test_a_valid_spec_reports_the_same_in_any_key_order_and_format(
    tmp_path_factory: pytest.TempPathFactory,
    spec: tuple[dict[str, Any], dt.date],
    rng: random.Random,
) -> None:
    data, as_of = spec
    assume(loaded(data) is not None)
    folder = tmp_path_factory.mktemp("formats")
    reports = {}
    for fmt, suffix in (("block", "yaml"), ("flow", "yaml"), ("json", "json")):
        path = folder / f"{fmt}.{suffix}"
        path.write_text(_written(data, fmt, rng), encoding="utf-8")
        reports[fmt] = _report(path, as_of)
    assert reports["block"] == reports["flow"] == reports["json"]


# -- invalid specs ------------------------------------------------------------------------


def _mappings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(m for v in value.values() for m in _mappings(v))]
    if isinstance(value, list):
        return [m for v in value for m in _mappings(v)]
    return []


_WRONG = [
    {"nested": "mapping"},
    ["a", "list"],
    "not-a-number",
    "2024-02-30",
    1e400,
    -1,
    "yes",
    10**30,
    None,
    "",
    "1:20",
    "!!python/object",
]


def _broken(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid spec made invalid one way: an unknown or misspelt key, a wrong value."""
    mapping = rng.choice(_mappings(data))
    kind = rng.choice(["typo", "unknown", "wrong", "wrong"])
    keys = sorted(mapping)
    if kind == "typo" and keys:
        key = rng.choice(keys)
        mapping[key[:-1] + ("s" if key[-1] != "s" else "z")] = mapping.pop(key)
    elif kind == "unknown" or not keys:
        mapping["colour_of_the_sky"] = "blue"
    else:
        mapping[rng.choice(keys)] = rng.choice(_WRONG)
    return data


@settings(max_examples=examples(8))
@given(
    st.sampled_from(coverage_seeds()),
    st.randoms(use_true_random=False),
    st.sampled_from(["block", "flow", "json"]),
)
def test_an_invalid_spec_is_exit_2_with_a_located_message(
    tmp_path_factory: pytest.TempPathFactory,
    seed: Any,
    rng: random.Random,
    fmt: str,
) -> None:
    data = _broken(json.loads(json.dumps(seed.data, default=str)), rng)
    assume(loaded(data) is None)
    path = tmp_path_factory.mktemp("invalid") / ("spec.json" if fmt == "json" else "spec.yaml")
    path.write_text(_written(data, fmt, rng), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(path), "--as-of", seed.as_of.isoformat()])
    message = err.getvalue()
    assert code == 2, message
    assert "Traceback" not in message and "internal error" not in message
    assert message.startswith(str(path)), message
