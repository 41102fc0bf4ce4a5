"""`regtech rules test|lint|coverage|docs` and `regtech explain`."""

from __future__ import annotations

from pathlib import Path

from regtech_engine.authoring.refdocs import rules_markdown
from regtech_engine.language.rules import RulePack
from regtech_engine.vocabulary import Theme

from .conftest import DATA, FIXTURES, REPO


def test_rules_list_has_95_rules_in_six_themes(  # type: ignore[no-untyped-def]
    cli, pack: RulePack
) -> None:
    assert len(pack.rules) >= 95
    assert {r.theme for r in pack.rules} == {t.value for t in Theme}
    assert len([r for r in pack.rules if r.theme != "personal_information"]) >= 80
    assert cli("rules", "list").out.strip().endswith(f"{len(pack.rules)} rules")


def test_rule_test_runner_on_a_team_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rule = (DATA / "oracle_rules" / "ORACLE-008-MATCHES.yaml").read_text()
    rule += """tests:
  - {name: fires, base: payment-compliant, set: {product.name: "Easy Pay"}, as_of: 2026-01-01, expect: fail}
  - {name: wrong expectation, base: payment-compliant, set: {product.name: "Bank"},
     as_of: 2026-01-01, expect: fail}
"""
    (tmp_path / "r.yaml").write_text(rule)
    (tmp_path / "parameters").mkdir()
    result = cli("rules", "test", str(tmp_path))
    assert result.code == 1
    assert "PASS ORACLE-008-MATCHES :: fires" in result.out
    assert "FAIL ORACLE-008-MATCHES :: wrong expectation  (expected fail, got pass)" in result.out
    assert "no firing and non-firing cases: ORACLE-008-MATCHES" in result.out


def test_builtin_rule_tests_pass_with_full_coverage(cli, pack: RulePack) -> None:  # type: ignore[no-untyped-def]
    result = cli("rules", "test")
    assert result.code == 0, result.out[-2000:]
    assert f"coverage {len(pack.rules)}/{len(pack.rules)} rules (100%)" in result.out


def test_lint_finds_dead_rules_and_unused_parameters(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "p.yaml").write_text(
        "team.unused:\n  description: never used\n  values:\n"
        "    - {since: 2020-01-01, value: 1, citation: {law: PIPL, article: '1'}}\n"
    )
    (tmp_path / "dead.yaml").write_text(
        (DATA / "oracle_rules" / "ORACLE-013-DATES.yaml")
        .read_text()
        .replace(
            "    - {path: sandbox.enrolled, ne: true}",
            "    - {path: product.category, eq: payment}\n    - {path: product.category, eq: insurance}",
        )
    )
    result = cli("rules", "lint", str(tmp_path))
    assert result.code == 1
    assert "dead rule ORACLE-013-DATES: can never fire (no value of `product.category`" in result.out
    assert "parameter `team.unused` is defined but no rule uses it" in result.out


def test_coverage_lists_articles(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("rules", "coverage").out
    assert "PIPL (Personal Information Protection Law of the PRC)" in out
    assert "Art. 29" in out


def test_rule_reference_is_up_to_date(pack: RulePack) -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(pack), (
        "docs/rules.md is stale: run `regtech rules docs --output docs/rules.md`"
    )


def test_explain_a_failing_rule_in_both_languages(cli) -> None:  # type: ignore[no-untyped-def]
    spec = str(FIXTURES / "cross-border-remit.yaml")
    en = cli("explain", spec, "AMLL-034-RECORD-RETENTION-SHORT", "--as-of", "2026-11-25")
    assert en.code == 0
    assert "Outcome: FAIL" in en.out
    assert "aml.record_retention_years = 5 (line" in en.out
    assert "aml.record_retention_min_years = 10  (since 2025-01-01, AMLL-2024 34)" in en.out
    assert "aml.record_retention_years: 5 -> 10" in en.out
    zh = cli("explain", spec, "AMLL-034-RECORD-RETENTION-SHORT", "--as-of", "2026-11-25", "--lang", "zh")
    assert "结论: 不通过" in zh.out and "使其通过的最小修改" in zh.out


def test_explain_a_passing_and_an_unknown_rule(cli) -> None:  # type: ignore[no-untyped-def]
    spec = str(FIXTURES / "qr-pay-compliant.yaml")
    assert "Outcome: PASS" in cli("explain", spec, "PIPL-029-SENSITIVE-SEPARATE-CONSENT").out
    missing = cli("explain", spec, "PIPL-029-SENSITIVE")
    assert missing.code == 2 and "did you mean" in missing.err
