"""The CI gate's view of a report: the one decision of what blocks a merge, and why.

A Report says what is wrong with the specs; the gate decides, per finding, whether it is
open, waived or baselined and whether it blocks under ``--fail-on``, and, per undetermined
rule, whether it blocks (it does at or above ``--fail-on`` unless ``--allow-undetermined``).
The exit status and the counts every report format prints come from :meth:`Gate.tally`
and nowhere else. The findings themselves stay as the check-output contract says; the
gate's information is added beside them (new fields only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import Field

from ..datamodel import Frozen
from ..findings import Finding, Report, SpecResult, Undetermined
from ..vocabulary import Severity
from .baseline import Baseline, match_baseline
from .waivers import Waiver, WaiverRef, apply_waivers


class FindingStatus(StrEnum):
    """Whether a finding counts towards ``--fail-on``."""

    OPEN = "open"
    WAIVED = "waived"
    BASELINED = "baselined"


class Policy(Frozen):
    """What the run was asked to block on (``--fail-on``, ``--allow-undetermined``)."""

    fail_on: str = "high"  # a severity, or "never"
    allow_undetermined: bool = False

    def blocks_severity(self, severity: Severity | str | None) -> bool:
        if self.fail_on == "never" or severity is None:
            return False
        return Severity(severity).at_least(Severity(self.fail_on))


class Tally(Frozen):
    """The counts every format shows, from the gate's one decision."""

    findings: int = 0
    open: int = 0
    waived: int = 0
    baselined: int = 0
    blocking_findings: int = 0
    undetermined: int = 0
    blocking_undetermined: int = 0

    @property
    def blocking(self) -> int:
        return self.blocking_findings + self.blocking_undetermined

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{k: getattr(self, k) + getattr(other, k) for k in Tally.model_fields})


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
    baselined: list[str] = Field(default_factory=list, description="spec path and fingerprint")
    baseline_refused: list[str] = Field(
        default_factory=list, description="fingerprints a baseline listed for non-waivable rules"
    )
    policy: Policy = Field(default_factory=Policy)

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

    def blocks(self, finding: Finding) -> bool:
        """An open finding at or above ``--fail-on`` blocks; waived and baselined ones do not."""
        return self.status(finding) is FindingStatus.OPEN and self.policy.blocks_severity(finding.severity)

    def blocks_undetermined(self, item: Undetermined) -> bool:
        """A rule that could not be judged blocks as its finding would, unless allowed."""
        return not self.policy.allow_undetermined and self.policy.blocks_severity(item.severity)

    def tally(self, results: Sequence[SpecResult]) -> Tally:
        total = Tally()
        for result in results:
            statuses = [self.status(f) for f in result.findings]
            total += Tally(
                findings=len(result.findings),
                open=statuses.count(FindingStatus.OPEN),
                waived=statuses.count(FindingStatus.WAIVED),
                baselined=statuses.count(FindingStatus.BASELINED),
                blocking_findings=sum(self.blocks(f) for f in result.findings),
                undetermined=len(result.undetermined),
                blocking_undetermined=sum(self.blocks_undetermined(u) for u in result.undetermined),
            )
        return total


class GatedReport(Report):
    """A report with its gate; ``worst()`` counts only open findings, so exit codes follow."""

    gate: Gate

    def tally(self) -> Tally:
        return self.gate.tally(self.results)

    @property
    def failed(self) -> bool:
        """Whether the gate fails the run (exit 1): anything blocks."""
        return self.tally().blocking > 0

    def open_findings(self) -> list[Finding]:
        return [f for f in self.all_findings() if self.gate.status(f) is FindingStatus.OPEN]

    def worst(self) -> Severity | None:
        ranks = [Severity(f.severity) for f in self.open_findings()]
        return max(ranks, key=lambda s: s.rank) if ranks else None


def gate_of(report: Report) -> Gate | None:
    """The gate of a report, if waivers or a baseline were applied to it."""
    return report.gate if isinstance(report, GatedReport) else None


def gated(report: Report) -> GatedReport:
    """The report with its gate; a plain report gets the default policy and nothing waived."""
    if isinstance(report, GatedReport):
        return report
    return GatedReport(tool=report.tool, as_of=report.as_of, results=report.results, gate=Gate())


def status_of(report: Report, finding: Finding) -> FindingStatus:
    gate = gate_of(report)
    return gate.status(finding) if gate is not None else FindingStatus.OPEN


def apply_gate(
    report: Report,
    as_of: dt.date,
    waivers: Sequence[Waiver] | None = None,
    waivers_file: str | None = None,
    baseline: Baseline | None = None,
    policy: Policy | None = None,
    waivable: Mapping[str, bool] | None = None,
) -> GatedReport:
    """The report with waivers and a baseline applied; findings themselves are unchanged.

    ``waivable`` maps rule ids to whether their findings may be accepted at all: a baseline
    never accepts a finding of a non-waivable rule (it stays open, and is listed).
    """
    gate = Gate(waivers_file=waivers_file, policy=policy or Policy())
    if waivers is not None:
        applied = apply_waivers(report, waivers, as_of)
        gate = gate.model_copy(
            update={
                "waived": [
                    WaivedFinding(
                        spec=spec.path,
                        spec_id=spec.id,
                        rule_id=f.rule_id,
                        fingerprint=f.fingerprint,
                        waiver=w.ref(),
                    )
                    for spec, f, w in applied.waived
                ],
                "expired": [w.ref() for w in applied.expired],
                "stale": [w.ref() for w in applied.stale],
            }
        )
    if baseline is not None:
        match = match_baseline(report, baseline, waivable or {})
        gate = gate.model_copy(
            update={
                "baseline": BaselineInfo(
                    file=baseline.file, known=len(match.known), new=len(match.new), fixed=len(match.fixed)
                ),
                "baselined": match.known,
                "baseline_refused": match.refused,
            }
        )
    return GatedReport(tool=report.tool, as_of=report.as_of, results=report.results, gate=gate)
