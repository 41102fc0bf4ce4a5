"""The CI gate's view of a report: which findings are waived or baselined, and why.

A Report says what is wrong with the specs; the gate says which of those findings may
block a merge. Waivers and baselines only change a finding's *status*; the findings
themselves, their counts and summaries stay exactly as the check-output contract says, and
the gate's information is added beside them (new fields only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field

from .baseline import Baseline, match_baseline
from .datamodel import Frozen
from .findings import Finding, Report
from .vocabulary import Severity
from .waivers import Waiver, WaiverRef, apply_waivers


class FindingStatus(StrEnum):
    """Whether a finding counts towards ``--fail-on``."""

    OPEN = "open"
    WAIVED = "waived"
    BASELINED = "baselined"


class WaivedFinding(Frozen):
    spec: str
    spec_id: str
    rule_id: str
    fingerprint: str
    waiver: WaiverRef


class BaselineInfo(Frozen):
    """What the baseline file accepted, and how many of its entries no longer occur."""

    file: str
    known: int
    new: int
    fixed: int


class Gate(Frozen):
    """Waiver and baseline information added to a report (``gate`` in the JSON report)."""

    waivers_file: str | None = None
    waived: list[WaivedFinding] = Field(default_factory=list)
    expired: list[WaiverRef] = Field(default_factory=list)
    stale: list[WaiverRef] = Field(default_factory=list)
    baseline: BaselineInfo | None = None
    baselined: list[str] = Field(default_factory=list, description="fingerprints")

    def waiver_of(self, finding: Finding) -> WaiverRef | None:
        for w in self.waived:
            if w.fingerprint == finding.fingerprint and w.rule_id == finding.rule_id:
                return w.waiver
        return None

    def status(self, finding: Finding) -> FindingStatus:
        if self.waiver_of(finding) is not None:
            return FindingStatus.WAIVED
        if finding.fingerprint in self.baselined:
            return FindingStatus.BASELINED
        return FindingStatus.OPEN


class GatedReport(Report):
    """A report with its gate; ``worst()`` counts only open findings, so exit codes follow."""

    gate: Gate

    def open_findings(self) -> list[Finding]:
        return [f for f in self.all_findings() if self.gate.status(f) is FindingStatus.OPEN]

    def worst(self) -> Severity | None:
        ranks = [Severity(f.severity) for f in self.open_findings()]
        return max(ranks, key=lambda s: s.rank) if ranks else None


def gate_of(report: Report) -> Gate | None:
    """The gate of a report, if waivers or a baseline were applied to it."""
    return report.gate if isinstance(report, GatedReport) else None


def status_of(report: Report, finding: Finding) -> FindingStatus:
    gate = gate_of(report)
    return gate.status(finding) if gate is not None else FindingStatus.OPEN


def apply_gate(
    report: Report,
    as_of: dt.date,
    waivers: Sequence[Waiver] | None = None,
    waivers_file: str | None = None,
    baseline: Baseline | None = None,
) -> GatedReport:
    """The report with waivers and a baseline applied; findings themselves are unchanged."""
    gate = Gate(waivers_file=waivers_file)
    if waivers is not None:
        applied = apply_waivers(report, waivers, as_of)
        gate = gate.model_copy(update={
            "waived": [
                WaivedFinding(spec=spec.path, spec_id=spec.id, rule_id=f.rule_id,
                              fingerprint=f.fingerprint, waiver=w.ref())
                for spec, f, w in applied.waived
            ],
            "expired": [w.ref() for w in applied.expired],
            "stale": [w.ref() for w in applied.stale],
        })
    if baseline is not None:
        match = match_baseline(report, baseline)
        gate = gate.model_copy(update={
            "baseline": BaselineInfo(file=baseline.file, known=len(match.known),
                                     new=len(match.new), fixed=len(match.fixed)),
            "baselined": match.known,
        })
    return GatedReport(tool=report.tool, as_of=report.as_of, results=report.results, gate=gate)
