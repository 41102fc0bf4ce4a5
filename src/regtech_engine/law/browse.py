"""Reading the shipped texts: one article (or paragraph, item) on a date, or a word search.

The core of ``regtech law show`` and ``regtech law search``; the CLI only prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import UsageError
from ..suggest import did_you_mean
from .registry import Law, Version
from .texts import parse_ref


@dataclass(frozen=True)
class Shown:
    law: Law
    article: str
    version: Version
    text: str


@dataclass(frozen=True)
class Hit:
    law: Law
    article: int
    text: str  # the first paragraph holding a searched word


def find_law(code: str, laws: Mapping[str, Law]) -> Law:
    if code not in laws:
        raise UsageError.single(f"unknown law code `{code}`", hint=did_you_mean(code, laws))
    return laws[code]


def show(code: str, article: str, day: dt.date, laws: Mapping[str, Law]) -> Shown:
    """The words of ``article`` of ``code`` in the version in force on ``day``."""
    law = find_law(code, laws)
    version = law.version_on(day)
    if version is None or version.text is None:
        raise UsageError.single(
            f"the text of {code} ({law.name.en}) in force on {day} is not"
            " bundled; see the rule notes for its source"
        )
    if parse_ref(article) is None:
        raise UsageError.single(f"`{article}` is not an article reference (e.g. 29, 38(1), 13 para 2)")
    found = Law.quote_in(article, version)
    if not found.exists:
        raise UsageError.single(
            f"{code} has no article `{article}` in the text in force on {day} ({version.label()})"
        )
    if found.text is None:
        raise UsageError.single(
            f"{code} Art. {article} exists in the version in force on {day}"
            f" ({version.label()}) but its wording is not bundled: the"
            " amendment changed it and its text is not shipped (laws.yaml)"
        )
    return Shown(law, article, version, found.text)


def search(words: list[str], day: dt.date, laws: Mapping[str, Law], code: str | None = None) -> list[Hit]:
    """Articles holding every word, in the versions in force on ``day``, in law-code order."""
    chosen = [find_law(code, laws)] if code else [laws[c] for c in sorted(laws)]
    hits = []
    for law in chosen:
        version = law.version_on(day)
        text = version.parsed() if version and version.in_force(day) else None
        if text is None:
            continue
        for art in text.search(words):
            para = next((p.text for p in art.paragraphs if any(w in p.text for w in words)), art.text)
            hits.append(Hit(law, art.number, para))
    return hits
