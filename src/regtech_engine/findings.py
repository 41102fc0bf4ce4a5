"""Findings and reports: the values ``regtech check`` returns (contracts/check-output.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from .datamodel import Frozen
from .vocabulary import Basis, Lang, Outcome, Severity


class Text(Frozen):
    """A user-facing text in both languages."""

    en: str
    zh: str

    def get(self, lang: Lang | str) -> str:
        return self.zh if str(lang) == "zh" else self.en


class Citation(Frozen):
    """A law code from laws.yaml and an article (``"29"``, ``"5(1)"``).

    ``since``/``until`` bound the dates on which the citation applies (a renumbered or
    replaced article); a finding cites only those in force on its as-of date.
    """

    law: str
    article: str
    since: dt.date | None = Field(default=None, exclude_if=lambda v: v is None)
    until: dt.date | None = Field(default=None, exclude_if=lambda v: v is None)
    # In a rule: an optional excerpt (verbatim words of the cited unit). In a finding: the
    # words quoted from the version in force, or None when the text is not bundled.
    quote: str | None = None
    text_bundled: bool | None = Field(default=None, exclude_if=lambda v: v is None)

    def in_force(self, on: dt.date) -> bool:
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)


class Evidence(Frozen):
    """A spec value a rule looked at: where it is, what it was, on which line."""

    path: str
    value: Any = None
    line: int | None = None


class Finding(Frozen):
    rule_id: str
    theme: str  # a built-in Theme or a loaded pack's theme
    severity: Severity
    basis: Basis | None = Field(default=None, exclude_if=lambda v: v is None)
    title: Text
    message: Text
    citations: list[Citation]
    evidence: list[Evidence]
    remediation: Text
    fingerprint: str = Field(description="stable id of this finding, independent of lines")
    waivable: bool = True

    def sort_key(self) -> tuple[int, str, str]:
        return (
            -self.severity.rank if isinstance(self.severity, Severity) else -Severity(self.severity).rank,
            self.rule_id,
            self.fingerprint,
        )


class Undetermined(Frozen):
    """A rule that could not be judged: the fields or in-scope sections it needed are absent."""

    rule_id: str
    severity: Severity | None = None
    title: Text | None = None
    missing: list[str]


class Outcomes(Frozen):
    fail: int = 0
    pass_: int = Field(0, alias="pass")
    not_applicable: int = 0
    insufficient_evidence: int = 0

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Summary(Frozen):
    rules_evaluated: int
    findings: int
    outcomes: Outcomes
    by_severity: dict[str, int]


class SpecRef(Frozen):
    path: str
    id: str
    digest: str


class RuleOutcome(Frozen):
    """Every rule's verdict on one spec (for JUnit, explain and the BDD steps)."""

    rule_id: str
    outcome: Outcome


class SpecResult(Frozen):
    spec: SpecRef
    findings: list[Finding]
    undetermined: list[Undetermined]
    summary: Summary
    outcomes: list[RuleOutcome] = Field(default_factory=list, exclude=True)


class Tool(Frozen):
    name: str = "regtech-engine"
    version: str
    rules_digest: str


class Report(Frozen):
    tool: Tool
    as_of: str
    results: list[SpecResult]

    def all_findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def worst(self) -> Severity | None:
        ranks = [Severity(f.severity) for f in self.all_findings()]
        return max(ranks, key=lambda s: s.rank) if ranks else None


def summarise(findings: list[Finding], outcomes: list[RuleOutcome]) -> Summary:
    counts = {o: 0 for o in Outcome}
    for o in outcomes:
        counts[Outcome(o.outcome)] += 1
    by_sev = {s.value: 0 for s in Severity}
    for f in findings:
        by_sev[Severity(f.severity).value] += 1
    return Summary(
        rules_evaluated=len(outcomes),
        findings=len(findings),
        outcomes=Outcomes(
            fail=counts[Outcome.FAIL],
            pass_=counts[Outcome.PASS],
            not_applicable=counts[Outcome.NOT_APPLICABLE],
            insufficient_evidence=counts[Outcome.INSUFFICIENT_EVIDENCE],
        ),
        by_severity=by_sev,
    )
