"""Waivers: accepted findings, each with a justification, two people and an expiry date.

A waiver names a rule id and a spec (product id or spec path; shell-style globs allowed).
It waives matching findings while the run's date (``--as-of``, by default today in
Asia/Shanghai) is on or before its expiry date, read in Asia/Shanghai. Judging expiry on the
run's date rather than the wall clock keeps a report reproducible byte for byte.

Everything about a waiver that a reviewer relies on is checked when the file is read, and
any problem is a WaiverError naming file, line and field: a missing justification, approver
or expiry; approver = requester; an expiry further ahead than allowed; an unknown rule; a
rule marked non-waivable.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import Problem, WaiverError, shown
from ..files.yamlio import Document, read_document
from ..findings import Finding, Report, SpecRef
from ..suggest import did_you_mean

DEFAULT_FILE = ".regtech-waivers.yaml"
DEFAULT_MAX_DAYS = 365
SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991
FIELDS = ("rule_id", "spec", "justification", "requester", "approver", "expires")


class WaiverRef(BaseModel):
    """One waiver as written, with where it was written (for messages and annotations)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    line: int
    rule_id: str
    spec: str
    justification: str
    requester: str
    approver: str
    expires: str


@dataclass(frozen=True)
class Waiver:
    rule_id: str
    spec: str
    justification: str
    requester: str
    approver: str
    expires: dt.date
    file: str
    line: int

    def covers(self, spec: SpecRef) -> bool:
        return fnmatchcase(spec.id, self.spec) or fnmatchcase(spec.path, self.spec)

    def matches(self, finding: Finding, spec: SpecRef) -> bool:
        return finding.rule_id == self.rule_id and self.covers(spec)

    def expired(self, on: dt.date) -> bool:
        return on > self.expires

    def ref(self) -> WaiverRef:
        return WaiverRef(
            file=self.file,
            line=self.line,
            rule_id=self.rule_id,
            spec=self.spec,
            justification=self.justification,
            requester=self.requester,
            approver=self.approver,
            expires=self.expires.isoformat(),
        )


@dataclass(frozen=True)
class WaiverResult:
    """Which findings each waiver waived, and which waivers are expired or stale."""

    waived: list[tuple[SpecRef, Finding, Waiver]]
    expired: list[Waiver]
    stale: list[Waiver]


def shanghai_date(value: Any) -> dt.date | None:
    """A YAML date, datetime or ISO string as a calendar date in Asia/Shanghai."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # a time without zone is taken to be Shanghai time
            return value.date()
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, dt.date):
        return value
    return None


def identity(name: str) -> str:
    """The person a requester or approver names, for comparison: NFKC (full-width and other
    compatibility forms), without invisible format characters (zero-width space, joiners,
    BOM, bidi marks), whitespace collapsed, case folded. ``ann\u200b@example.com`` and
    ``ＡＮＮ@example.com`` are ``ann@example.com``: one person cannot approve their own
    waiver by spelling their name differently."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split()).casefold()


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


class _Reader:
    def __init__(self, doc: Document, rules: Mapping[str, bool], as_of: dt.date, max_days: int) -> None:
        self.doc, self.rules, self.as_of, self.max_days = doc, rules, as_of, max_days
        self.problems: list[Problem] = []

    def problem(self, message: str, loc: tuple[str | int, ...], hint: str | None = None) -> None:
        path = "waivers" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
        self.problems.append(Problem(message, self.doc.file, self.doc.line_of(loc), path, hint))

    def read(self) -> list[Waiver]:
        data = self.doc.data
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("waivers", []), list):
            raise WaiverError.single(
                "a waiver file is a mapping with a `waivers:` list", file=self.doc.file, line=1
            )
        for key in data:
            if key not in ("waivers", "version"):
                self.problems.append(
                    Problem(
                        f"unknown key `{key}`",
                        self.doc.file,
                        self.doc.line_of((key,)),
                        str(key),
                        did_you_mean(str(key), ["waivers", "version"]),
                    )
                )
        waivers = [
            w for i, item in enumerate(data.get("waivers") or []) if (w := self.item(i, item)) is not None
        ]
        if self.problems:
            raise WaiverError(self.problems)
        return waivers

    def item(self, i: int, item: Any) -> Waiver | None:
        loc: tuple[str | int, ...] = ("waivers", i)
        if not isinstance(item, dict):
            self.problem("each waiver is a mapping of " + ", ".join(FIELDS), loc)
            return None
        before = len(self.problems)
        for key in item:
            if key not in FIELDS:
                self.problem(f"unknown key `{key}`", (*loc, key), did_you_mean(str(key), FIELDS))
        texts = {k: _text(item, k) for k in FIELDS if k != "expires"}
        for key, value in texts.items():
            if value is None:
                self.problem(f"`{key}` is required and may not be empty", (*loc, key))
        expires = shanghai_date(item.get("expires"))
        if "expires" not in item or item["expires"] is None:
            self.problem("`expires` is required (a date, YYYY-MM-DD, Asia/Shanghai)", (*loc, "expires"))
        elif expires is None:
            self.problem(
                f"`expires` must be a date (YYYY-MM-DD), not {shown(item['expires'])}", (*loc, "expires")
            )
        elif (expires - self.as_of).days > self.max_days:
            self.problem(
                f"expires {expires.isoformat()}, more than {self.max_days} days after"
                f" {self.as_of.isoformat()} (the limit is --max-waiver-days)",
                (*loc, "expires"),
            )
        requester, approver = texts["requester"], texts["approver"]
        if requester and approver and identity(requester) == identity(approver):
            self.problem(
                f"approver `{approver}` is also the requester; a waiver needs a second person to approve it",
                (*loc, "approver"),
            )
        rule_id = texts["rule_id"]
        if rule_id is not None and rule_id not in self.rules:
            self.problem(f"unknown rule `{rule_id}`", (*loc, "rule_id"), did_you_mean(rule_id, self.rules))
        elif rule_id is not None and not self.rules[rule_id]:
            self.problem(
                f"rule `{rule_id}` is not waivable: its findings must be fixed, not accepted",
                (*loc, "rule_id"),
            )
        if len(self.problems) > before or expires is None:
            return None
        return Waiver(
            rule_id=str(rule_id),
            spec=str(texts["spec"]),
            justification=str(texts["justification"]),
            requester=str(requester),
            approver=str(approver),
            expires=expires,
            file=self.doc.file,
            line=self.doc.line_of(loc) or 1,
        )


def load_waivers(
    path: str | Path,
    rules: Mapping[str, bool],
    as_of: dt.date,
    max_days: int = DEFAULT_MAX_DAYS,
    display: str | None = None,
) -> list[Waiver]:
    """Read and check a waiver file; ``rules`` maps every known rule id to its waivability."""
    doc = read_document(path, display)
    return _Reader(doc, rules, as_of, max_days).read()


def apply_waivers(report: Report, waivers: Sequence[Waiver], as_of: dt.date) -> WaiverResult:
    """Match waivers to findings; the first unexpired matching waiver (file order) wins."""
    evaluated = {o.rule_id for r in report.results for o in r.outcomes}
    waived: list[tuple[SpecRef, Finding, Waiver]] = []
    used: set[int] = set()
    for result in report.results:
        for finding in result.findings:
            for i, w in enumerate(waivers):
                if not w.expired(as_of) and w.matches(finding, result.spec):
                    waived.append((result.spec, finding, w))
                    used.add(i)
                    break
    expired = [w for w in waivers if w.expired(as_of)]
    stale = [
        w for i, w in enumerate(waivers) if i not in used and not w.expired(as_of) and w.rule_id in evaluated
    ]
    return WaiverResult(waived, expired, stale)
