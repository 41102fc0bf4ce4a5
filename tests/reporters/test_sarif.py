"""SARIF output: valid against the official schema, readable by a SARIF consumer."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from regtech_engine.gate.decision import apply_gate
from regtech_engine.gate.waivers import Waiver
from regtech_engine.reporters import renderer
from regtech_engine.reporters.sarif import FINGERPRINT_KEY, to_data
from regtech_engine.vocabulary import Lang
from tests.conftest import BASES, DATA, FIXTURES, REPO
from tests.reporters.helpers import AS_OF, GATE_ARGS, SPECS, report_of

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
SHIPPED = sorted(
    p
    for folder in (BASES, FIXTURES, SPECS)
    for p in folder.rglob("*")
    if p.suffix in (".yaml", ".yml", ".json")
)


def _errors(doc: dict[str, object]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


def test_the_schema_copy_is_the_official_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(SCHEMA)


def test_schema_rejects_a_broken_document() -> None:
    doc = to_data(report_of("noncompliant"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert _errors(doc)


@pytest.mark.parametrize("spec", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_sarif_of_every_shipped_spec_validates(  # type: ignore[no-untyped-def]
    spec: Path,
    cli,
    monkeypatch,
    tmp_path: Path,
) -> None:
    from sarif import loader

    monkeypatch.chdir(REPO)
    name = spec.relative_to(REPO).as_posix()
    out = tmp_path / "out.sarif"
    result = cli("check", name, "--format", "sarif", "--fail-on", "never", "--output", str(out))
    assert result.code == 0, result.err
    assert _errors(json.loads(out.read_text(encoding="utf-8"))) == []
    report = json.loads(cli("check", name, "--format", "json", "--fail-on", "never").out)
    expected = sorted(
        [
            (name, next((e["line"] for e in f["evidence"] if e.get("line")), 1), f["rule_id"])
            for r in report["results"]
            for f in r["findings"]
        ]
        # rules that could not be judged are results of kind `open` on the spec's first line
        + [(name, 1, u["rule_id"]) for r in report["results"] for u in r["undetermined"]]
    )
    records = loader.load_sarif_file(str(out)).get_records()
    assert sorted((r["Location"], int(r["Line"]), r["Code"]) for r in records) == expected


def test_sarif_with_findings_waivers_and_baseline_validates() -> None:
    report = report_of("evil", "noncompliant", "compliant", "example")
    waiver = Waiver(
        "GATE-DS-NO-ENCRYPTION", "evil-*", "compensating control", "ann", "bo", AS_OF, "w.yaml", 3
    )
    stale = Waiver("GATE-PI-SEPARATE-CONSENT", "nothing", "x", "ann", "bo", AS_OF, "w.yaml", 9)
    expired = Waiver(
        "GATE-PI-SEPARATE-CONSENT", "*", "x", "ann", "bo", AS_OF.replace(year=2025), "w.yaml", 15
    )
    from regtech_engine.gate.baseline import Baseline

    # evil's critical finding is of a non-waivable rule, which no baseline accepts
    known = report.results[1].findings[1].fingerprint
    gated = apply_gate(
        report,
        AS_OF,
        [waiver, stale, expired],
        "w.yaml",
        Baseline("b.json", frozenset({(report.results[1].spec.path, known)})),
    )
    for lang in Lang:
        doc = json.loads(renderer("sarif")(gated, lang))
        assert _errors(doc) == []
    results = doc["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["GATE-DS-NO-ENCRYPTION"]
    assert waived[0]["suppressions"][0]["status"] == "accepted"
    assert waived[0]["suppressions"][0]["justification"] == "compensating control"
    states = {r["partialFingerprints"][FINGERPRINT_KEY]: r["baselineState"] for r in results}
    assert states[known] == "unchanged"
    assert sorted(states.values()).count("new") == len(results) - 1
    notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sorted(n["descriptor"]["id"] for n in notes) == ["waiver-expired", "waiver-stale"]


def test_rules_levels_and_security_severity() -> None:
    doc = to_data(report_of("evil"))
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert list(rules) == ["GATE-AML-NO-PROGRAM", "GATE-DS-NO-ENCRYPTION", "GATE-PI-SEPARATE-CONSENT"]
    assert rules["GATE-AML-NO-PROGRAM"]["properties"]["security-severity"] == "9.5"
    assert rules["GATE-PI-SEPARATE-CONSENT"]["defaultConfiguration"]["level"] == "error"
    assert rules["GATE-DS-NO-ENCRYPTION"]["defaultConfiguration"]["level"] == "warning"
    assert "PIPL Art. 29" in rules["GATE-PI-SEPARATE-CONSENT"]["help"]["text"]
    assert "separate consent" in rules["GATE-PI-SEPARATE-CONSENT"]["help"]["text"]
    for result in run["results"]:
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] == rule["defaultConfiguration"]["level"]
        assert result["properties"]["security-severity"] == (rule["properties"]["security-severity"])


def test_a_sarif_consumer_reads_file_and_line(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sarif import loader

    monkeypatch.chdir(REPO)
    out = tmp_path / "out.sarif"
    result = cli(
        "check",
        *GATE_ARGS,
        "tests/data/specs/noncompliant.yaml",
        "tests/data/specs/evil.yaml",
        "--format",
        "sarif",
        "--output",
        str(out),
    )
    assert result.code == 1, result.err
    records = loader.load_sarif_file(str(out)).get_records()
    seen = sorted((r["Location"], int(r["Line"]), r["Code"], r["Severity"]) for r in records)
    assert seen == [
        ("tests/data/specs/evil.yaml", 28, "GATE-PI-SEPARATE-CONSENT", "error"),
        ("tests/data/specs/evil.yaml", 69, "GATE-DS-NO-ENCRYPTION", "warning"),
        ("tests/data/specs/evil.yaml", 82, "GATE-AML-NO-PROGRAM", "error"),
        ("tests/data/specs/noncompliant.yaml", 28, "GATE-PI-SEPARATE-CONSENT", "error"),
    ]
    line_28 = (SPECS / "noncompliant.yaml").read_text(encoding="utf-8").splitlines()[27]
    assert line_28.strip() == "sensitive: true"


def test_fingerprints_ignore_moved_lines(tmp_path: Path) -> None:
    from regtech_engine.check import Checker
    from regtech_engine.spec.loader import load_spec
    from tests.reporters.helpers import gate_pack

    text = (SPECS / "noncompliant.yaml").read_text(encoding="utf-8")
    moved = tmp_path / "noncompliant.yaml"
    moved.write_text("# moved down\n# by two lines\n" + text, encoding="utf-8")
    checker = Checker(gate_pack(), AS_OF, backend="reference")
    before = to_data(checker.report([load_spec(SPECS / "noncompliant.yaml", "n.yaml")]))
    after = to_data(checker.report([load_spec(moved, "n.yaml")]))
    (b,), (a,) = before["runs"][0]["results"], after["runs"][0]["results"]
    assert b["partialFingerprints"] == a["partialFingerprints"]
    line = a["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert line == b["locations"][0]["physicalLocation"]["region"]["startLine"] + 2


def test_absolute_paths_become_file_uris() -> None:
    from regtech_engine.reporters.sarif import artifact_location

    assert artifact_location("/srv/specs/a b.yaml") == {"uri": "file:///srv/specs/a%20b.yaml"}
    assert artifact_location("specs/刷脸.yaml") == {
        "uri": "specs/%E5%88%B7%E8%84%B8.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_sarif_is_deterministic() -> None:
    render = renderer("sarif")
    assert render(report_of("evil", "example"), Lang.EN) == render(report_of("evil", "example"), Lang.EN)
