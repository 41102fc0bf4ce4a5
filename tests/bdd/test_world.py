"""Setting up a scenario: specs from files, docstrings and base specs; tables; rule choices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regtech_engine.bdd import words
from regtech_engine.bdd.messages import ScenarioProblem
from regtech_engine.bdd.world import World
from regtech_engine.vocabulary import Lang, Outcome, Severity, Theme

RULE = "PIPL-029-SENSITIVE-SEPARATE-CONSENT"


def _world(tmp_path: Path, lang: str = "en") -> World:
    world = World()
    world.begin(tmp_path / "x.feature", lang)
    world.as_of = dt.date(2026, 1, 1)
    return world


def test_table_values_are_yaml_and_a_header_row_is_optional(tmp_path: Path) -> None:
    world = _world(tmp_path)
    world.use_base("payment-compliant")
    world.change([["字段", "值"], ["personal_information.categories[0].separate_consent", "false"]])
    world.change(
        [
            ["data_security.storage_regions", "[CN, HK]"],
            ["personal_information.impact_assessment.date", "2025-01-01"],
        ]
    )
    assert world.document is not None
    data = world.document.data
    assert data["personal_information"]["categories"][0]["separate_consent"] is False
    assert data["data_security"]["storage_regions"] == ["CN", "HK"]
    assert data["personal_information"]["impact_assessment"]["date"] == dt.date(2025, 1, 1)
    assert world.outcome(RULE) is Outcome.FAIL


def test_removed_fields_leave_the_rule_without_evidence(tmp_path: Path) -> None:
    world = _world(tmp_path)
    world.use_base("payment-compliant")
    world.remove([["path"], ["personal_information.categories[0].separate_consent"]])
    world.change([["personal_information.categories[0].separate_consent", ""]])
    assert world.outcome(RULE) in (Outcome.INSUFFICIENT_EVIDENCE, Outcome.PASS)


def test_a_table_of_the_wrong_shape_says_which_row(tmp_path: Path) -> None:
    world = _world(tmp_path, "zh-CN")
    world.step_line = 7
    world.use_base("payment-compliant")
    with pytest.raises(ScenarioProblem) as caught:
        world.change([["path", "value"], ["a.b"]])
    assert caught.value.render(Lang.ZH).endswith(
        "x.feature:7 处的表格需要 2 列（`字段 | 值`）；第 1 行有 1 列。"
    )


def test_an_inline_spec_error_points_at_the_feature_file_line(tmp_path: Path) -> None:
    world = _world(tmp_path)
    world.step_line = 10  # docstring opens on 11, its first line is 12
    with pytest.raises(ScenarioProblem) as caught:
        world.use_inline_spec("spec_version: 1\nproduct:\n  id: x\n  nme: y\n")
    text = caught.value.render(Lang.EN)
    assert "x.feature:15: product.nme: unknown key `nme` (did you mean `name`?)" in text


def test_a_change_that_breaks_the_spec_names_the_step(tmp_path: Path) -> None:
    world = _world(tmp_path, "zh-CN")
    world.step_line = 4
    world.use_base("payment-compliant")
    world.change([["product.category", "paymnt"]])
    with pytest.raises(ScenarioProblem) as caught:
        world.report()
    text = caught.value.render(Lang.ZH)
    assert text.startswith("产品规格无效：")
    assert "product.category: invalid value 'paymnt'" in text
    assert text.endswith("x.feature:4 处的步骤修改）")


def test_unknown_base_rule_and_excluded_rule_are_errors_not_silent_passes(tmp_path: Path) -> None:
    world = _world(tmp_path)
    with pytest.raises(ScenarioProblem) as base:
        world.use_base("payment-complaint")
    assert "did you mean `payment-compliant`?" in base.value.render(Lang.EN)
    world.use_base("payment-compliant")
    with pytest.raises(ScenarioProblem) as rule:
        world.outcome("PIPL-029-SENSITIVE-SEPARATE-CONSENTS")
    assert f"did you mean `{RULE}`?" in rule.value.render(Lang.EN)
    world.only_themes([Theme.AML])
    with pytest.raises(ScenarioProblem) as excluded:
        world.outcome(RULE)
    assert excluded.value.render(Lang.ZH) == (
        f"规则 {RULE} 未被检查：它属于个人信息保护主题，而本场景只检查反洗钱。"
    )


def test_a_spec_file_is_relative_to_the_feature(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "s.yaml").write_text(
        "spec_version: 1\nproduct: {id: p, name: P, category: payment}\n", encoding="utf-8"
    )
    world = _world(tmp_path)
    world.use_spec_file("specs/s.yaml")
    assert world.spec().id == "p"


def test_words_in_both_languages() -> None:
    assert words.themes("反洗钱、监管沙盒") == [Theme.AML, Theme.SANDBOX]
    assert words.themes("aml and data_security") == [Theme.AML, Theme.DATA_SECURITY]
    assert words.severity("高") is Severity.HIGH
    assert words.fail_on_level("从不") == "never"
    assert words.outcome("证据不足") is Outcome.INSUFFICIENT_EVIDENCE
    with pytest.raises(ScenarioProblem) as caught:
        words.severity("hihg")
    assert caught.value.render(Lang.ZH) == "“hihg”不是有效的严重程度；可选：严重、高、中、低、提示。"
