"""Each shipped fixture raises exactly the rule ids its README lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from regtech_engine.check import Checker
from regtech_engine.language.rules import RulePack
from regtech_engine.spec.loader import load_spec

from .conftest import FIXTURES


def expected() -> dict[str, list[str]]:
    text = (FIXTURES / "README.md").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        out[name.strip()] = re.findall(r"^- `([A-Z0-9-]+)`", body, flags=re.M)
    return out


EXPECTED = expected()


def test_every_fixture_is_documented() -> None:
    files = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".yaml", ".json"))
    assert sorted(EXPECTED) == files
    assert len(files) >= 6


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_raises_exactly_its_rules(pack: RulePack, name: str) -> None:
    result = Checker(pack, dt.date(2026, 11, 25)).check(load_spec(FIXTURES / name))
    assert sorted(f.rule_id for f in result.findings) == EXPECTED[name]
