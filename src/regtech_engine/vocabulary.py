"""The project's shared vocabulary: themes, severities, bases and rule outcomes, defined once."""

from __future__ import annotations

from enum import StrEnum


class Theme(StrEnum):
    """The six compliance themes a rule belongs to."""

    DATA_SECURITY = "data_security"
    PERSONAL_INFORMATION = "personal_information"
    ANTI_MONOPOLY = "anti_monopoly"
    SANDBOX = "sandbox"
    AML = "aml"
    CONSUMER_PROTECTION = "consumer_protection"


class Severity(StrEnum):
    """How bad a finding is; ordered from most to least severe."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe (critical = 4, info = 0)."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}

SEVERITIES_DESCENDING: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))


class Basis(StrEnum):
    """What a rule rests on, from the binding text down to an institution's own policy.

    Also the kind of an instrument in laws.yaml (statute, regulation, departmental_rule,
    standard). A ``practice`` rule asks for more than the text says: graded at most medium.
    """

    STATUTE = "statute"
    REGULATION = "regulation"
    DEPARTMENTAL_RULE = "departmental_rule"
    STANDARD = "standard"
    PRACTICE = "practice"
    HOUSE_POLICY = "house_policy"


PRACTICE_MAX_SEVERITY = Severity.MEDIUM


class Outcome(StrEnum):
    """How evaluating one rule against one spec ended."""

    FAIL = "fail"
    PASS = "pass"
    NOT_APPLICABLE = "not_applicable"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"


class Lang(StrEnum):
    """Languages every user-facing text is written in."""

    ZH = "zh"
    EN = "en"
