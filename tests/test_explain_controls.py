"""`explain` proposes only changes to controls (what the operator does), never to facts
about the product (what it is, what data it holds, who uses it)."""

from __future__ import annotations

import datetime as dt

from regtech_engine.authoring.explain import explain
from regtech_engine.check import Checker
from regtech_engine.language.rules import RulePack
from regtech_engine.spec.loader import load_spec
from regtech_engine.spec.schema import role_of
from regtech_engine.vocabulary import Outcome
from tests.conftest import FIXTURES

AS_OF = dt.date(2026, 11, 25)


def test_every_proposed_change_is_a_control(pack: RulePack) -> None:
    checker = Checker(pack, AS_OF, backend="reference")
    proposed = 0
    for path in sorted(FIXTURES.glob("*.y*ml")):
        spec = load_spec(path)
        for rule_id, outcome in checker.outcomes_of(spec).items():
            if outcome is not Outcome.FAIL:
                continue
            result = explain(checker, spec, pack.by_id()[rule_id])
            for change in result.fix:
                assert role_of(change.path) == "control", (path.name, rule_id, change)
                proposed += 1
    assert proposed >= 10


def test_a_fact_is_never_relabelled(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Face images not flagged sensitive: relabelling them (another type, or the flag) would
    change a fact about the data, so no change is proposed; remediation and article are."""
    text = (FIXTURES / "face-pay.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "face.yaml"
    spec.write_text(text.replace("sensitive: true ", "sensitive: false", 1), encoding="utf-8")
    out = cli("explain", str(spec), "PIPL-028-SENSITIVE-TYPE-NOT-FLAGGED", "--as-of", "2026-11-25")
    assert "Outcome: FAIL" in out.out, out.out
    fix = out.out.split("Smallest change to pass")[1].split("Remediation")[0]
    assert "->" not in fix and "No change to a control alone makes it pass" in fix
    assert "Remediation:" in out.out and "Cited:" in out.out


def test_the_control_is_proposed_with_remediation_and_quote(cli) -> None:  # type: ignore[no-untyped-def]
    spec = FIXTURES / "face-pay.yaml"
    out = cli("explain", str(spec), "PIPL-029-SENSITIVE-SEPARATE-CONSENT", "--as-of", "2026-11-25")
    assert "personal_information.categories[0].separate_consent: false -> true" in out.out
    assert "Remediation: Obtain separate consent" in out.out
    assert "处理敏感个人信息应当取得个人的单独同意" in out.out  # the article, quoted


def test_roles_of_fields() -> None:
    assert role_of("personal_information.categories[0].separate_consent") == "control"
    assert role_of("personal_information.categories[].type") == "fact"
    assert role_of("personal_information.categories[0].sensitive") == "fact"
    assert role_of("data_security.encryption.at_rest") == "control"
    assert role_of("product.technologies") == "fact"
    assert role_of("users.expected_users") == "fact"
