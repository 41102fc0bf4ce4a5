"""SARIF 2.1.0, for code-scanning annotations on the exact spec line.

One ``reportingDescriptor`` per rule that produced a finding (its help text is the
remediation and citation), one ``result`` per finding pointing at the spec file and the
1-based line of its first evidence (the other evidence lines are related locations).
Fingerprints come from Finding.fingerprint, which ignores line numbers, so moving a line
does not make a finding look new. Waived findings carry an accepted ``suppression``; with
a baseline every result has a ``baselineState``. A rule that could not be judged is a result
of kind ``open`` (SARIF's "could not determine"), level ``none``, listing the missing paths;
``properties.blocking`` on every result and the run's ``properties.gate`` come from the
gate's one decision. Output is deterministic: sorted input,
sorted keys, no timestamps.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import orjson

from ..findings import Finding, Report, Text, Undetermined
from ..gate.decision import Gate, gated
from ..gate.waivers import WaiverRef
from ..vocabulary import Lang, Severity
from ._common import citations, primary_line, quoted, show

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "regtechFinding/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning reads these as: >=9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, <4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}


def artifact_location(path: str) -> dict[str, str]:
    """Relative spec paths stay relative to the checkout (%SRCROOT%); absolute become file:."""
    p = PurePosixPath(path)
    if p.is_absolute():
        return {"uri": "file://" + quote(p.as_posix())}
    return {"uri": quote(p.as_posix()), "uriBaseId": "%SRCROOT%"}


def _location(path: str, line: int | None, message: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(path),
            "region": {"startLine": line or 1},
        }
    }
    if message:
        loc["message"] = {"text": message}
    return loc


def _rule(f: Finding, lang: Lang) -> dict[str, Any]:
    sev = Severity(f.severity)
    cites = "\n".join(quoted(c, lang) for c in f.citations)
    help_text = f"{f.remediation.get(lang)}\n\n{cites}"
    help_md = (
        f"**{f.title.en}** / **{f.title.zh}**\n\n"
        f"{f.remediation.en}\n\n{f.remediation.zh}\n\n"
        "Citations:\n\n" + "\n".join(f"- {quoted(c, Lang.EN)}" for c in f.citations)
    )
    return {
        "id": f.rule_id,
        "name": f.rule_id,
        "shortDescription": {"text": f.title.get(lang)},
        "fullDescription": {"text": f"{f.title.en} / {f.title.zh}"},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS[sev]},
        "properties": {
            "tags": ["compliance", str(f.theme)],
            "security-severity": SECURITY_SEVERITY[sev],
            "severity": str(f.severity),
            "theme": str(f.theme),
            "citations": [c.model_dump(mode="json") for c in f.citations],
            "waivable": f.waivable,
        },
    }


def _suppression(w: WaiverRef) -> dict[str, Any]:
    return {
        "kind": "external",
        "status": "accepted",
        "justification": w.justification,
        "location": _location(w.file, w.line),
        "properties": {"requester": w.requester, "approver": w.approver, "expires": w.expires},
    }


def _undetermined_rule(u: Undetermined, lang: Lang) -> dict[str, Any]:
    sev = Severity(u.severity or Severity.INFO)
    title = u.title or Text(en=u.rule_id, zh=u.rule_id)
    return {
        "id": u.rule_id,
        "name": u.rule_id,
        "shortDescription": {"text": title.get(lang)},
        "fullDescription": {"text": f"{title.en} / {title.zh}"},
        "defaultConfiguration": {"level": LEVELS[sev]},
        "properties": {"severity": sev.value, "security-severity": SECURITY_SEVERITY[sev]},
    }


def _open_result(u: Undetermined, path: str, index: int, gate: Gate) -> dict[str, Any]:
    missing = ", ".join(u.missing)
    return {
        "ruleId": u.rule_id,
        "ruleIndex": index,
        "kind": "open",
        "level": "none",
        "message": {"text": f"insufficient evidence: missing {missing}"},
        "locations": [_location(path, 1)],
        "properties": {
            "outcome": "insufficient_evidence",
            "missing": list(u.missing),
            "severity": str(u.severity),
            "blocking": gate.blocks_undetermined(u),
        },
    }


def _result(f: Finding, path: str, index: int, lang: Lang, gate: Gate) -> dict[str, Any]:
    sev = Severity(f.severity)
    lines = [e for e in f.evidence if e.line]
    related = [
        {**_location(path, e.line, f"{e.path} = {show(e.value)}"), "id": i}
        for i, e in enumerate(lines[1:], start=1)
    ]
    first = f.evidence[0] if f.evidence else None
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVELS[sev],
        "message": {"text": f.message.get(lang)},
        "locations": [
            _location(path, primary_line(f), f"{first.path} = {show(first.value)}" if first else None)
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": str(f.severity),
            "security-severity": SECURITY_SEVERITY[sev],
            "theme": str(f.theme),
            "citations": citations(f, lang),
            "remediation": f.remediation.get(lang),
            "evidence": [e.model_dump(mode="json") for e in f.evidence],
            "status": gate.status(f).value,
            "blocking": gate.blocks(f),
        },
    }
    if related:
        result["relatedLocations"] = related
    waiver = gate.waiver_of(f)
    if waiver is not None:
        result["suppressions"] = [_suppression(waiver)]
    if gate.baseline is not None:
        known = f.fingerprint in gate.baselined
        result["baselineState"] = "unchanged" if known else "new"
    return result


def _notifications(gate: Gate) -> list[dict[str, Any]]:
    notes = []
    for kind, waivers in (("expired", gate.expired), ("stale", gate.stale)):
        for w in waivers:
            text = (
                f"waiver for {w.rule_id} on {w.spec} expired on {w.expires}"
                if kind == "expired"
                else f"waiver for {w.rule_id} on {w.spec} matches no finding (stale)"
            )
            notes.append(
                {
                    "level": "warning",
                    "message": {"text": text},
                    "descriptor": {"id": f"waiver-{kind}"},
                    "locations": [_location(w.file, w.line)],
                }
            )
    return notes


def to_data(report: Report, lang: Lang = Lang.EN) -> dict[str, Any]:
    report = gated(report)
    gate = report.gate
    rules: dict[str, dict[str, Any]] = {}
    for f in sorted(report.all_findings(), key=lambda f: f.rule_id):
        rules.setdefault(f.rule_id, _rule(f, lang))
    for u in sorted((u for r in report.results for u in r.undetermined), key=lambda u: u.rule_id):
        rules.setdefault(u.rule_id, _undetermined_rule(u, lang))
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    results = [
        _result(f, r.spec.path, index[f.rule_id], lang, gate) for r in report.results for f in r.findings
    ] + [_open_result(u, r.spec.path, index[u.rule_id], gate) for r in report.results for u in r.undetermined]
    tally = report.tally()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": list(rules.values()),
            }
        },
        "automationDetails": {"id": "regtech/"},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": _notifications(gate),
            }
        ],
        "results": results,
        "properties": {
            "as_of": report.as_of,
            "rules_digest": report.tool.rules_digest,
            "gate": {
                "fail_on": gate.policy.fail_on,
                "allow_undetermined": gate.policy.allow_undetermined,
                "counts": {**tally.model_dump(), "blocking": tally.blocking},
                "verdict": "fail" if tally.blocking else "pass",
            },
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, lang: Lang = Lang.EN) -> str:
    return (
        orjson.dumps(to_data(report, lang), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
    )
