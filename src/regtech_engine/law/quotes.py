"""Quotes for citations: the words of the cited unit in the version in force, checked on load.

A finding quotes what the law says on the as-of date, never an invented or stale text: for
an instrument whose text is not shipped the quote is None and ``text_bundled`` is false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ..findings import Citation
from .registry import Law
from .texts import parse_ref


def quoted(cites: Iterable[Citation], laws: Mapping[str, Law], on: dt.date) -> list[Citation]:
    """Finding citations, each once, with its quote from the version in force on ``on``."""
    return quoted_on(((c, on) for c in cites), laws)


def quoted_on(cites: Iterable[tuple[Citation, dt.date]], laws: Mapping[str, Law]) -> list[Citation]:
    """Finding citations, each once, each quoted from the version in force on its own date
    (a rule judging by an event date quotes the law of that date, not of as-of).

    A citation's own ``quote`` (a verbatim excerpt) is used when it is part of the unit;
    otherwise the whole article, paragraph or item is quoted.
    """
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for c, on in cites:
        if (c.law, c.article) in seen:
            continue
        seen.add((c.law, c.article))
        law = laws.get(c.law)
        words = law.quote(c.article, on).text if law is not None else None
        if words is not None and c.quote and c.quote in words:
            words = c.quote
        out.append(Citation(law=c.law, article=c.article, quote=words, text_bundled=words is not None))
    return out


def citation_problems(
    cite: Citation, law: Law, start: dt.date | None, end: dt.date | None
) -> list[tuple[str, str]]:
    """(field, message) for each shipped version in force between ``start`` and ``end`` that
    lacks the cited unit or does not hold the citation's quote word for word."""
    start = max(filter(None, (start, cite.since)), default=None)
    end = min(filter(None, (end, cite.until)), default=None)
    problems: list[tuple[str, str]] = []
    with_text = [v for v in law.versions if v.text is not None and v.overlaps(start, end)]
    for version in with_text:
        found = Law.quote_in(cite.article, version)
        if not found.exists:
            problems.append(
                (
                    "article",
                    f"{law.code} has no article `{cite.article}` in the text in force {version.label()}",
                )
            )
        elif cite.quote and found.text is not None and cite.quote not in found.text:
            problems.append(
                ("quote", f"the quote is not word for word in {law.code} {cite.article} ({version.label()})")
            )
    for version in with_text:  # one number on both sides of a renumbering: wrong on one
        ref = parse_ref(cite.article)
        source = [v for v in with_text if v.text == version.text and not v.derived]
        if version.derived and source and ref and version.renumbered(ref.article) != ref.article:
            problems.append(
                (
                    "article",
                    f"{law.code} was renumbered from {version.since}: old"
                    f" Art. {ref.article} is Art. {version.renumbered(ref.article)}; end"
                    " this citation with `until:` and cite the new number `since:`",
                )
            )
    if cite.quote and not with_text:
        problems.append(("quote", f"{law.code}'s text is not bundled, so it cannot be quoted"))
    if cite.text_bundled is not None:
        problems.append(("text_bundled", "set by the engine in findings, not in a rule"))
    return problems
