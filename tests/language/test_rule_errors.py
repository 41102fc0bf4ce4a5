"""Rule files are validated on load: every mistake names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtech_engine.errors import RuleError
from regtech_engine.language.rules import load_pack

GOOD = """\
id: TEST-001-DEMO
theme: personal_information
severity: high
title: {en: Demo, zh: 演示}
message: {en: "Bundled: {personal_information.consent.bundled}", zh: 演示}
remediation: {en: Fix it, zh: 改正}
citations:
  - {law: PIPL, article: "14"}
notes: test rule
when:
  {path: personal_information.consent.bundled, eq: true}
"""


def load(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "pack").mkdir(exist_ok=True)
    (tmp_path / "pack" / "rule.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_pack([tmp_path / "pack"], builtin=False)
    return [p.render() for p in info.value.problems]


def test_good_rule_loads(tmp_path: Path) -> None:
    (tmp_path / "rule.yaml").write_text(GOOD, encoding="utf-8")
    pack = load_pack([tmp_path], builtin=False)
    assert [r.id for r in pack.rules] == ["TEST-001-DEMO"]


@pytest.mark.parametrize(
    ("old", "new", "line", "needle"),
    [
        ("eq: true}", "equals: true}", 11, "unknown operator `equals` (did you mean `eq`?)"),
        (
            "consent.bundled, eq",
            "consent.bundeld, eq",
            11,
            "field `bundeld` does not exist (path `personal_information.consent.bundeld`)"
            " (did you mean `bundled`?)",
        ),
        ("law: PIPL", "law: PIPLL", 8, "unknown law code `PIPLL` (did you mean `PIPL`?)"),
        ("title: {en: Demo, zh: 演示}", "title: {en: Demo}", 4, "missing Chinese translation"),
        ("eq: true}", "eq: yes please}", 11, "'yes please' is not a valid bool"),
        ("eq: true}", "gt: true}", 11, "`gt` needs a number or date"),
        ("eq: true}", "eq: {param: no.such}}", 11, "unknown parameter `no.such`"),
        ("severity: high", "severity: hgh", 3, "did you mean `high`?"),
        ("notes: test rule\n", "", 1, "notes: required field is missing"),
        ("id: TEST-001-DEMO", "id: test rule", 1, "rule ids are upper-case"),
        (
            "{personal_information.consent.bundled}",
            "{personal_information.consent.nope}",
            5,
            "placeholder {personal_information.consent.nope} names no spec field",
        ),
    ],
)
def test_rule_mistakes_are_located(tmp_path: Path, old: str, new: str, line: int, needle: str) -> None:
    assert old in GOOD
    found = load(tmp_path, GOOD.replace(old, new))
    assert any(needle in m and f"rule.yaml:{line}:" in m for m in found), found


def test_quantifier_body_paths_are_item_relative(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  {path: personal_information.consent.bundled, eq: true}\n",
        "  any_item: personal_information.categories\n  where: {path: sensitve, eq: true}\n",
    )
    [message] = load(tmp_path, text)
    assert "field `sensitve` does not exist in items of `personal_information.categories[]`" in message
    assert "did you mean `sensitive`?" in message


def test_enum_literal_is_checked(tmp_path: Path) -> None:
    text = GOOD.replace(
        "{path: personal_information.consent.bundled, eq: true}", "{path: product.category, eq: paymnt}"
    )
    [message] = load(tmp_path, text)
    assert "did you mean `payment`?" in message


def test_duplicate_rule_ids(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate rule id `TEST-001-DEMO`"):
        load_pack([tmp_path], builtin=False)


def test_rule_files_cannot_run_code(tmp_path: Path) -> None:
    text = GOOD.replace("notes: test rule", "notes: !!python/object/apply:os.system ['touch pwned']")
    found = load(tmp_path, text)
    assert any("YAML tags are not allowed" in m for m in found)
    assert not (tmp_path / "pwned").exists()


def test_invalid_regex_is_rejected(tmp_path: Path) -> None:
    text = GOOD.replace(
        "{path: personal_information.consent.bundled, eq: true}", '{path: product.name, matches: "(unclosed"}'
    )
    assert any("invalid pattern" in m for m in load(tmp_path, text))
