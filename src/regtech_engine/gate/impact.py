"""Impact of a rule change: replay two rule packs over the same specs and compare findings.

A compliance team changing a rule (or adding a pack) sees, per spec, which findings would
appear, disappear or change severity before the change is published. Findings are matched
by rule id within a spec: a rule yields at most one finding per spec, and a changed
condition may change a finding's evidence (so its fingerprint) without making it a
different finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from ..check import Checker
from ..datamodel import Frozen
from ..findings import Finding, SpecRef, SpecResult, Text
from ..language.rules import Rule, RulePack
from ..spec.loader import LoadedSpec
from ..vocabulary import Severity


class Change(StrEnum):
    APPEARS = "appears"
    DISAPPEARS = "disappears"
    SEVERITY = "severity_changed"


class FindingChange(Frozen):
    change: Change
    rule_id: str
    theme: str  # a built-in Theme or a loaded pack's theme
    title: Text
    before: Severity | None
    after: Severity | None
    line: int | None


class SpecImpact(Frozen):
    spec: SpecRef
    changes: list[FindingChange]


class RuleChanges(Frozen):
    added: list[str]
    removed: list[str]
    modified: list[str]


class Impact(Frozen):
    as_of: str
    base_digest: str
    new_digest: str
    rules: RuleChanges
    specs: list[SpecImpact]

    def count(self, change: Change) -> int:
        return sum(1 for s in self.specs for c in s.changes if c.change is change)


def rule_changes(base: RulePack, new: RulePack) -> RuleChanges:
    """Rules added, removed, or whose definition (not test cases) differs."""
    before, after = base.by_id(), new.by_id()

    def body(rules: dict[str, Rule], rule_id: str) -> str:
        return rules[rule_id].body.model_dump_json(exclude={"tests"})

    return RuleChanges(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        modified=sorted(r for r in before.keys() & after.keys() if body(before, r) != body(after, r)),
    )


def _line(f: Finding) -> int | None:
    return next((e.line for e in f.evidence if e.line), None)


def _diff(old: list[Finding], new: list[Finding]) -> list[FindingChange]:
    before = {f.rule_id: f for f in old}
    after = {f.rule_id: f for f in new}
    changes: list[FindingChange] = []
    for rule_id in sorted(before.keys() | after.keys()):
        b, a = before.get(rule_id), after.get(rule_id)
        if a is not None and b is None:
            kind = Change.APPEARS
        elif b is not None and a is None:
            kind = Change.DISAPPEARS
        elif a is not None and b is not None and a.severity != b.severity:
            kind = Change.SEVERITY
        else:
            continue
        shown = a or b
        assert shown is not None
        changes.append(
            FindingChange(
                change=kind,
                rule_id=rule_id,
                theme=shown.theme,
                title=shown.title,
                before=b.severity if b else None,
                after=a.severity if a else None,
                line=_line(shown),
            )
        )
    order = {Change.APPEARS: 0, Change.SEVERITY: 1, Change.DISAPPEARS: 2}
    return sorted(changes, key=lambda c: (order[c.change], c.rule_id))


def compare(
    base: RulePack,
    new: RulePack,
    specs: Sequence[LoadedSpec],
    as_of: dt.date,
    themes: Sequence[str] | None = None,
    backend: str = "durable",
    jobs: int = 1,
) -> Impact:
    """Check every spec under both packs and list what changes, spec by spec; ``jobs`` > 1
    checks specs in worker processes (pool.py), with the same result."""
    if jobs > 1:
        from ..pool import impact_results

        pairs = impact_results(
            base.select(list(themes) if themes else None),
            new.select(list(themes) if themes else None),
            as_of,
            specs,
            backend,
            jobs,
        )
    else:
        old_report = Checker(base, as_of, backend=backend, themes=themes).report(specs)
        new_report = Checker(new, as_of, backend=backend, themes=themes).report(specs)
        pairs = list(zip(old_report.results, new_report.results, strict=True))
    return impact_of(base, new, pairs, as_of)


def impact_of(
    base: RulePack, new: RulePack, pairs: Sequence[tuple[SpecResult, SpecResult]], as_of: dt.date
) -> Impact:
    """The impact, from each spec's (before, after) results in report order (the command
    line checks spec files as it reads them: pool.impact_files)."""
    impacts = [SpecImpact(spec=n.spec, changes=_diff(o.findings, n.findings)) for o, n in pairs]
    return Impact(
        as_of=as_of.isoformat(),
        base_digest=base.digest,
        new_digest=new.digest,
        rules=rule_changes(base, new),
        specs=impacts,
    )
