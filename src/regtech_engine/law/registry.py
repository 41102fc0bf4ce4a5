"""The registry of law codes (rules/laws.yaml): names, kinds, and versions with their texts.

A version is in force from ``from`` to ``until`` and names its text, a file beside
laws.yaml. A version whose amending text is not shipped may be *derived* from an earlier
text by renumbering (``renumber``), with the articles whose wording changed (``changed``,
old numbers) or that were inserted (``inserted``, new numbers) known to exist but not quoted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from ..datamodel import Frozen
from ..errors import Problem, RuleError
from ..files.yamlio import Document, format_path, read_document
from ..findings import Text
from ..packs import builtin_root
from ..vocabulary import Basis
from .texts import Article, LawText, Lookup, parse_ref, read_text

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _span(value: str | int) -> tuple[int, int]:
    m = _RANGE.match(str(value))
    if m is None:
        raise ValueError(f"{value!r} is not an article number or range like `19-79`")
    first = int(m[1])
    last = int(m[2]) if m[2] else first
    if last < first:
        raise ValueError(f"range {value!r} ends before it starts")
    return first, last


class Renumber(Frozen):
    old: str | int
    add: int

    @field_validator("old")
    @classmethod
    def _old(cls, value: str | int) -> str | int:
        _span(value)
        return value


class VersionEntry(Frozen):
    since: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None
    text: str | None = None
    renumber: list[Renumber] = Field(default_factory=list)
    inserted: list[str | int] = Field(default_factory=list)
    changed: list[str | int] = Field(default_factory=list)
    note: str | None = None

    @field_validator("inserted", "changed")
    @classmethod
    def _spans(cls, value: list[str | int]) -> list[str | int]:
        for v in value:
            _span(v)
        return value


class LawEntry(Frozen):
    zh: str
    en: str
    effective: dt.date | None = None
    until: dt.date | None = None
    note: str | None = None
    kind: Basis | None = None
    number: str | None = None
    versions: list[VersionEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Version:
    """One text of a law and the dates it was in force (``None``: open-ended)."""

    since: dt.date | None
    until: dt.date | None
    text: Path | None
    renumber: tuple[tuple[int, int, int], ...] = ()
    inserted: tuple[tuple[int, int], ...] = ()
    changed: tuple[tuple[int, int], ...] = ()
    note: str | None = None

    @property
    def derived(self) -> bool:
        return bool(self.renumber)

    def renumbered(self, old: int) -> int:
        """The number an article of the source text has in this (derived) version."""
        return old + next((add for first, last, add in self.renumber if first <= old <= last), 0)

    def in_force(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        return (self.since is None or end is None or self.since <= end) and (
            self.until is None or start is None or start <= self.until
        )

    def label(self) -> str:
        """``2021-11-01 to …, 个人信息保护法(2021-08-20).md``: which text, in force when."""
        dates = f"{self.since or '…'} to {self.until or '…'}"
        if self.text is None:
            return f"{dates}, text not bundled"
        how = ", renumbered (derived)" if self.derived else ""
        return f"{dates}, {self.text.name}{how}"

    def parsed(self) -> LawText | None:
        """The version's articles, parsed on first use; None when its text is not shipped."""
        return None if self.text is None else _parsed(self)


@cache
def _parsed(version: Version) -> LawText:
    assert version.text is not None
    base = read_text(version.text)
    if not version.derived:
        return base
    articles: dict[int, Article] = {}
    withheld: set[int] = set()
    changed = {n for first, last in version.changed for n in range(first, last + 1)}
    for old, art in base.articles.items():
        new = version.renumbered(old)
        articles[new] = Article(new, art.paragraphs)
        if old in changed or art.cross_references():  # a cross-reference's number moved too
            withheld.add(new)
    for first, last in version.inserted:
        withheld.update(range(first, last + 1))
    return LawText(base.title, articles, frozenset(withheld))


@dataclass(frozen=True)
class Quote:
    """What a citation finds in the version in force: its words, if the text is bundled."""

    exists: bool
    text: str | None
    version: Version | None

    @property
    def bundled(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class Law:
    code: str
    name: Text
    effective: dt.date | None
    until: dt.date | None
    note: str | None
    kind: Basis | None = None
    number: str | None = None
    versions: tuple[Version, ...] = field(default=(), compare=False)

    @property
    def text_bundled(self) -> bool:
        return any(v.text is not None for v in self.versions)

    def version_on(self, day: dt.date) -> Version | None:
        """The version in force on ``day``; after repeal the last one, before any the first."""
        if not self.versions:
            return None
        for v in self.versions:
            if v.in_force(day):
                return v
        earlier = [v for v in self.versions if v.since is not None and v.since <= day]
        return earlier[-1] if earlier else self.versions[0]

    def quote(self, article: str, day: dt.date) -> Quote:
        """The words of ``article`` (``29``, ``38(1)``, ``13 para 2``) in force on ``day``."""
        version = self.version_on(day)
        return self.quote_in(article, version)

    @staticmethod
    def quote_in(article: str, version: Version | None) -> Quote:
        text = version.parsed() if version else None
        if text is None:
            return Quote(exists=True, text=None, version=version)
        ref = parse_ref(article)
        found = text.lookup(ref) if ref else Lookup(exists=False)
        return Quote(found.exists, found.text, version)


def _problems(exc: ValidationError, doc: Document, prefix: tuple[Any, ...]) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *(("from" if p == "since" else p) for p in err["loc"]))
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(Problem(message, doc.file, doc.line_of(loc), format_path(loc)))
    return out


def _version(entry: VersionEntry, root: Path, doc: Document, where: tuple[Any, ...]) -> Version:
    path = None
    if entry.text is not None:
        path = (root / entry.text).resolve()
        if root.resolve() not in path.parents or not path.is_file():
            raise RuleError.single(
                f"text file `{entry.text}` not found in {root}",
                file=doc.file,
                line=doc.line_of((*where, "text")),
                path=format_path((*where, "text")),
            )
    return Version(
        since=entry.since,
        until=entry.until,
        text=path,
        renumber=tuple((*_span(r.old), r.add) for r in entry.renumber),
        inserted=tuple(_span(v) for v in entry.inserted),
        changed=tuple(_span(v) for v in entry.changed),
        note=entry.note,
    )


@cache
def load_laws(path: Path | None = None) -> dict[str, Law]:
    """Law code -> Law. Texts are only located here; each is parsed when first quoted."""
    file = path or builtin_root() / "laws.yaml"
    doc = read_document(file)
    if not isinstance(doc.data, dict):
        raise RuleError.single("laws file must be a mapping of codes", file=doc.file)
    return laws_from(doc, doc.data, file.parent)


def laws_from(
    doc: Document, data: dict[Any, Any], root: Path, prefix: tuple[Any, ...] = ()
) -> dict[str, Law]:
    """Law code -> Law from a mapping in ``doc`` at ``prefix`` (a laws file, or the ``laws``
    of a pack manifest); version texts are files below ``root``."""
    laws: dict[str, Law] = {}
    problems: list[Problem] = []
    for code, raw in data.items():
        if not isinstance(raw, dict) or "zh" not in raw or "en" not in raw:
            problems.append(
                Problem("each law needs `zh` and `en` names", doc.file, doc.line_of((*prefix, code)))
            )
            continue
        try:
            entry = LawEntry.model_validate(raw)
            versions = tuple(
                _version(v, root, doc, (*prefix, code, "versions", i)) for i, v in enumerate(entry.versions)
            )
        except ValidationError as exc:
            problems.extend(_problems(exc, doc, (*prefix, code)))
            continue
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        laws[code] = Law(
            code=code,
            name=Text(en=entry.en, zh=entry.zh),
            effective=entry.effective,
            until=entry.until,
            note=entry.note,
            kind=entry.kind,
            number=entry.number,
            versions=tuple(sorted(versions, key=lambda v: v.since or dt.date.min)),
        )
    if problems:
        raise RuleError(problems)
    return laws
