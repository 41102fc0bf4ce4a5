"""JUnit XML: one test case per spec x rule, failures carry the finding, all text escaped."""

from __future__ import annotations

from pathlib import Path

from junitparser import Failure, JUnitXml, Skipped

from regtech_engine.gate.decision import apply_gate
from regtech_engine.gate.waivers import Waiver
from regtech_engine.reporters import renderer
from regtech_engine.spec.loader import load_spec_text
from regtech_engine.vocabulary import Lang
from tests.reporters.helpers import AS_OF, EVIL_CATEGORY, SPECS, gate_pack, report_of


def _parse(xml: str, tmp_path: Path) -> JUnitXml:
    out = tmp_path / "junit.xml"
    out.write_text(xml, encoding="utf-8")
    return JUnitXml.fromfile(str(out))


def test_one_case_per_spec_and_rule(tmp_path: Path) -> None:
    report = report_of("compliant", "evil", "noncompliant")
    suites = list(_parse(renderer("junit")(report, Lang.EN), tmp_path))
    assert len(suites) == 3
    rules = sorted(r.id for r in gate_pack().rules)
    for suite, result in zip(suites, report.results, strict=True):
        cases = list(suite)
        assert sorted(c.name for c in cases) == rules
        assert {c.classname for c in cases} == {result.spec.id}
        assert suite.tests == len(rules)
    failures = {
        (s.name, c.name): c.result[0]
        for s in suites
        for c in s
        if c.result and isinstance(c.result[0], Failure)
    }
    # failures are what blocks under the default --fail-on high; the medium finding is
    # skipped with its reason
    assert sorted(n for _, n in failures) == [
        "GATE-AML-NO-PROGRAM",
        "GATE-PI-SEPARATE-CONSENT",
        "GATE-PI-SEPARATE-CONSENT",
    ]
    consent = failures[("tests/data/specs/noncompliant.yaml (face-pay)", "GATE-PI-SEPARATE-CONSENT")]
    assert consent.type == "high"
    assert consent.message == ("[high] Sensitive personal information processed without separate consent")
    assert "tests/data/specs/noncompliant.yaml:32" in consent.text
    assert "PIPL Art. 29" in consent.text
    assert "Obtain separate consent" in consent.text
    assert suites[0].failures == 0 and suites[1].failures == 2


def test_spec_values_are_escaped_and_round_trip(tmp_path: Path) -> None:
    xml = renderer("junit")(report_of("evil"), Lang.EN)
    assert "<script>" not in xml and "<img" not in xml
    suite = next(iter(_parse(xml, tmp_path)))
    texts = [c.result[0].text for c in suite if c.result]
    assert any(EVIL_CATEGORY in (t or "") for t in texts)


def test_control_characters_do_not_break_the_xml(tmp_path: Path) -> None:
    text = (
        (SPECS / "noncompliant.yaml")
        .read_text(encoding="utf-8")
        .replace("- name: face image", '- name: "face\\x01image\\x1b"')
    )
    spec = load_spec_text(text, "ctl.yaml")
    from regtech_engine.check import Checker

    report = Checker(gate_pack(), AS_OF, backend="reference").report([spec])
    suite = next(iter(_parse(renderer("junit")(report, Lang.EN), tmp_path)))
    (failed,) = [c for c in suite if c.result and isinstance(c.result[0], Failure)]
    assert "face\ufffdimage\ufffd" in failed.result[0].text


def test_waived_findings_are_skipped_not_failed(tmp_path: Path) -> None:
    waiver = Waiver(
        "GATE-PI-SEPARATE-CONSENT", "face-pay", "legacy flow retired in Q3", "ann", "bo", AS_OF, "w.yaml", 2
    )
    gated = apply_gate(report_of("noncompliant"), AS_OF, [waiver], "w.yaml")
    suite = next(iter(_parse(renderer("junit")(gated, Lang.EN), tmp_path)))
    assert suite.failures == 0
    case = next(c for c in suite if c.name == "GATE-PI-SEPARATE-CONSENT")
    assert isinstance(case.result[0], Skipped)
    assert case.result[0].message.startswith("waived: [high]")
    assert "legacy flow retired in Q3" in case.result[0].message
