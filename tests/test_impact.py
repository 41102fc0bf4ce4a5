"""`regtech impact`: findings that a rule change makes appear, disappear or change severity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.reporters.helpers import AS_OF, GATE_RULES, SPECS

NEW_RULE = """\
id: GATE-PI-LONG-RETENTION
theme: personal_information
severity: low
title: {en: Personal information kept for more than three years, zh: 个人信息保存超过三年}
message: {en: Retention is long., zh: 保存期限过长。}
remediation: {en: Shorten retention., zh: 缩短保存期限。}
citations: [{law: PIPL, article: "19"}]
when:
  any_item: personal_information.categories
  where: {path: retention_days, gt: 1000}
notes: Test rule for regtech impact.
"""


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    """The gate pack with one rule re-graded, one removed and one added."""
    new = tmp_path / "changed"
    shutil.copytree(GATE_RULES, new)
    ds = new / "data_security" / "GATE-DS-NO-ENCRYPTION.yaml"
    ds.write_text(
        ds.read_text(encoding="utf-8").replace("severity: medium", "severity: high"), encoding="utf-8"
    )
    (new / "personal_information" / "GATE-PI-SEPARATE-CONSENT.yaml").unlink()
    (new / "personal_information" / "GATE-PI-LONG-RETENTION.yaml").write_text(NEW_RULE, encoding="utf-8")
    return new


def _impact(cli, changed: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli(
        "impact",
        "--no-builtin",
        "--base-rules",
        str(GATE_RULES),
        "--rules",
        str(changed),
        "--as-of",
        AS_OF.isoformat(),
        str(SPECS / "evil.yaml"),
        str(SPECS / "noncompliant.yaml"),
        str(SPECS / "compliant.yaml"),
        *args,
    )


def test_json_lists_each_kind_of_change(cli, changed: Path) -> None:  # type: ignore[no-untyped-def]
    result = _impact(cli, changed, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["rules"] == {
        "added": ["GATE-PI-LONG-RETENTION"],
        "removed": ["GATE-PI-SEPARATE-CONSENT"],
        "modified": ["GATE-DS-NO-ENCRYPTION"],
    }
    by_spec = {
        s["spec"]["id"]: [(c["change"], c["rule_id"], c["before"], c["after"]) for c in s["changes"]]
        for s in data["specs"]
    }
    assert by_spec == {
        "compliant-pay": [("appears", "GATE-PI-LONG-RETENTION", None, "low")],
        "evil-pay": [
            ("appears", "GATE-PI-LONG-RETENTION", None, "low"),
            ("severity_changed", "GATE-DS-NO-ENCRYPTION", "medium", "high"),
            ("disappears", "GATE-PI-SEPARATE-CONSENT", "high", None),
        ],
        "face-pay": [
            ("appears", "GATE-PI-LONG-RETENTION", None, "low"),
            ("disappears", "GATE-PI-SEPARATE-CONSENT", "high", None),
        ],
    }
    (evil,) = [s for s in data["specs"] if s["spec"]["id"] == "evil-pay"]
    assert evil["changes"][0]["line"] == 42  # the mobile number's retention_days


def test_markdown_for_a_pull_request(cli, changed: Path) -> None:  # type: ignore[no-untyped-def]
    result = _impact(cli, changed, "--format", "markdown")
    assert result.code == 0, result.err
    md = result.out
    assert md.startswith("## Rule change impact: 3 appears, 2 disappears, 1 severity changes\n")
    assert "- **Removed**: `GATE-PI-SEPARATE-CONSENT`" in md
    assert "| 🔁 severity changes | medium → high | `GATE-DS-NO-ENCRYPTION` |" in md
    assert "0 of 3 specs unchanged." in md


def test_no_change_means_no_impact(cli) -> None:  # type: ignore[no-untyped-def]
    result = _impact(cli, GATE_RULES)
    assert result.code == 0
    assert "0 appears, 0 disappears, 0 severity changes" in result.out
    assert "3 of 3 specs unchanged" in result.out


def test_extra_pack_on_top_of_the_builtin_ones(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "house" / "personal_information"
    pack.mkdir(parents=True)
    (pack / "GATE-PI-LONG-RETENTION.yaml").write_text(NEW_RULE, encoding="utf-8")
    result = cli(
        "impact",
        "--rules",
        str(tmp_path / "house"),
        "--as-of",
        AS_OF.isoformat(),
        str(SPECS / "compliant.yaml"),
    )
    assert result.code == 0, result.err
    assert "appears          [low] GATE-PI-LONG-RETENTION" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the changed rules with --rules"),
        (("--rules", "no/such/dir"), "no/such/dir: rules folder does not exist"),
    ],
)
def test_bad_arguments(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("impact", *args, str(SPECS / "compliant.yaml"))
    assert result.code == 2
    assert message in result.err


def test_invalid_spec(cli, changed: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("spec_version: 1\nproduct: {id: x}\n", encoding="utf-8")
    result = cli("impact", "--no-builtin", "--base-rules", str(GATE_RULES), "--rules", str(changed), str(bad))
    assert result.code == 2
    assert f"{bad}:2" in result.err
