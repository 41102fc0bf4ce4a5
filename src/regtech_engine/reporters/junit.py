"""JUnit XML: one test suite per spec, one test case per rule evaluated on it.

CI systems show JUnit natively, so a compliance run reads like a test run: a rule that
failed is a ``<failure>`` carrying the finding; a rule that did not apply or lacked evidence
is ``<skipped>`` with the reason, except an undetermined rule that blocks under ``--fail-
on`` (a ``<failure>`` of type ``insufficient_evidence``: the gate could not judge it); a
waived or baselined finding is ``<skipped>`` too, since it does not block the merge.
ElementTree escapes markup; characters XML 1.0 cannot hold at all (control characters a YAML
string may contain) are replaced first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..findings import Finding, Report, SpecResult
from ..gate.decision import FindingStatus, Gate, gated
from ..vocabulary import Lang, Outcome
from ._common import citations, show

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _failure_text(f: Finding, path: str, lang: Lang) -> str:
    lines = [f.message.get(lang), citations(f, lang)]
    for e in f.evidence:
        where = f"{path}:{e.line}" if e.line else path
        lines.append(f"{where}  {e.path} = {show(e.value)}")
    lines.append(f"{'整改' if lang is Lang.ZH else 'fix'}: {f.remediation.get(lang)}")
    return "\n".join(lines)


def _suite(result: SpecResult, lang: Lang, gate: Gate) -> ET.Element:
    findings = {f.rule_id: f for f in result.findings}
    undetermined = {u.rule_id: u for u in result.undetermined}
    suite = ET.Element("testsuite")
    counts = {"failures": 0, "skipped": 0}
    for outcome in result.outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": xml_text(result.spec.id),
                "name": outcome.rule_id,
                "file": xml_text(result.spec.path),
            },
        )
        verdict = Outcome(outcome.outcome)
        finding = findings.get(outcome.rule_id)
        if verdict is Outcome.FAIL and finding is not None:
            case.set("line", str(next((e.line for e in finding.evidence if e.line), 1)))
            status = gate.status(finding)
            if status is FindingStatus.OPEN and gate.blocks(finding):
                counts["failures"] += 1
                fail = ET.SubElement(
                    case,
                    "failure",
                    {
                        "message": xml_text(f"[{finding.severity}] {finding.title.get(lang)}"),
                        "type": str(finding.severity),
                    },
                )
                fail.text = xml_text(_failure_text(finding, result.spec.path, lang))
            else:
                counts["skipped"] += 1
                reason = f"{status.value}: [{finding.severity}] {finding.title.get(lang)}"
                if status is FindingStatus.OPEN:
                    reason = f"below --fail-on {gate.policy.fail_on}: " + reason
                waiver = gate.waiver_of(finding)
                if waiver is not None:
                    reason += f" (until {waiver.expires}: {waiver.justification})"
                ET.SubElement(case, "skipped", {"message": xml_text(reason)})
        elif verdict is Outcome.NOT_APPLICABLE:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", {"message": "not applicable"})
        elif verdict is Outcome.INSUFFICIENT_EVIDENCE:
            item = undetermined.get(outcome.rule_id)
            gaps = ", ".join(item.missing if item else [])
            text = xml_text(f"insufficient evidence: missing {gaps}")
            if item is not None and gate.blocks_undetermined(item):
                counts["failures"] += 1
                fail = ET.SubElement(case, "failure", {"message": text, "type": "insufficient_evidence"})
                fail.text = text
            else:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {"message": text})
    suite.set("name", xml_text(f"{result.spec.path} ({result.spec.id})"))
    suite.set("tests", str(len(result.outcomes)))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    return suite


def render(report: Report, lang: Lang = Lang.EN) -> str:
    gate = gated(report).gate
    root = ET.Element("testsuites", {"name": f"regtech-engine {report.tool.version}"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in report.results:
        suite = _suite(result, lang, gate)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
