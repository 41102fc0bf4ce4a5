"""Issue #17, rule packs: a pattern that backtracks catastrophically, or a rule of thousands
of conditions, fails at load with file and line; every accepted pattern is fast."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from regtech_engine.errors import RuleError
from regtech_engine.language import regexguard
from regtech_engine.language.parse import MAX_CONDITIONS, MAX_MATCHES
from regtech_engine.language.rules import load_pack

TEMPLATE = Path(__file__).parents[1] / "data" / "gate_rules" / "data_security" / "GATE-DS-NO-ENCRYPTION.yaml"
WHEN = "when:\n  {path: data_security.encryption.at_rest, eq: false}\n"


def _pack_with(tmp_path: Path, when: str) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert WHEN in text
    folder = tmp_path / "rules" / "data_security"
    folder.mkdir(parents=True)
    (folder / "GATE-DS-NO-ENCRYPTION.yaml").write_text(text.replace(WHEN, when), encoding="utf-8")
    return tmp_path / "rules"


@pytest.mark.parametrize(
    "pattern", [r"(a+)+$", r"(a|ab)*c", r"(\d{1,3})+", r".*a.*b", r"(x)\1", r"(?=a)a", r"a{0,5000}"]
)
def test_a_dangerous_pattern_fails_at_load_with_its_line(tmp_path: Path, pattern: str) -> None:
    when = f"when:\n  {{path: product.name, matches: '{pattern}'}}\n"
    with pytest.raises(RuleError) as info:
        load_pack([_pack_with(tmp_path, when)], builtin=False)
    message = str(info.value)
    assert "GATE-DS-NO-ENCRYPTION.yaml:" in message and "when.matches" in message
    assert "pattern" in message


ACCEPTED = [
    r"\s*",
    r"(?is).*pay.*",
    r"(?i).*pay",
    r"\d+-\d+",
    r"[a-z]+@[a-z]+\.com",
    r"^[A-Z]{2}$",
    r"(ab)+",
    r"(a|b)+c",
    r"[^@]+@[^@]+",
    r"\w+\s\w+",
    r"(?i)(alipay|wx)",
    r"a{0,100}b",
    r".*",
]
HOSTILE_VALUES = [
    "a" * 50_000,
    "pay" * 16_667 + "\n",
    " " * 49_999 + "x",
    "1" * 50_000,
    "ab" * 25_000 + "!",
    "a@" * 25_000,
    ("x" * 49_999) + "\n",
    "a." * 25_000 + "-!",
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_every_accepted_pattern_is_fast_on_50000_characters(pattern: str) -> None:
    assert regexguard.problem(pattern) is None
    compiled = re.compile(pattern)
    started = time.process_time()
    for value in HOSTILE_VALUES:
        compiled.fullmatch(value)
    assert time.process_time() - started < 2.0  # linear: milliseconds; quadratic: minutes


def test_a_rule_of_a_thousand_conditions_fails_with_the_limit(tmp_path: Path) -> None:
    items = "".join("    - {path: data_security.encryption.at_rest, eq: false}\n" for _ in range(1_000))
    with pytest.raises(RuleError, match=f"more than {MAX_CONDITIONS} comparisons"):
        load_pack([_pack_with(tmp_path, "when:\n  all:\n" + items)], builtin=False)


def test_a_rule_of_two_thousand_patterns_fails_with_the_limit(tmp_path: Path) -> None:
    items = "".join(f"    - {{path: product.name, matches: 'x{i}'}}\n" for i in range(2_000))
    started = time.process_time()
    with pytest.raises(RuleError, match=f"more than {MAX_MATCHES} `matches`"):
        load_pack([_pack_with(tmp_path, "when:\n  any:\n" + items)], builtin=False)
    assert time.process_time() - started < 10
