"""Lists screening: high-risk jurisdictions and sanctions names (data in rules/aml/lists/).

Names are compared after normalisation: Unicode NFKC, traditional -> simplified Chinese
(OpenCC), case folding, and removal of spaces and punctuation; then exact lookup, then a fuzzy
score (rapidfuzz) against every normalised list name. Scores are cached per name, since the
same counterparties recur. A score below ``MIN_RESEMBLANCE`` (fewer than half the characters
in common) is 0, no match: every name has *some* best match, and reporting it for every row
would make each row's document carry a meaningless score.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError, RuleError
from ..files.yamlio import read_document


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    since: dt.date
    until: dt.date | None


@dataclass(frozen=True)
class SanctionsEntry:
    ref: str
    name: str
    normalised: str


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


MIN_RESEMBLANCE = 50  # fuzzy scores below this are no match (0)


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = _t2s().convert(text)
    text = text.casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@dataclass
class Lists:
    jurisdictions: dict[str, list[Jurisdiction]] = field(default_factory=dict)
    sanctions: list[SanctionsEntry] = field(default_factory=list)
    _exact: dict[str, SanctionsEntry] = field(default_factory=dict)
    _cache: dict[str, tuple[int, SanctionsEntry | None]] = field(default_factory=dict)

    def high_risk(self, country: str | None, on: dt.date) -> bool:
        if not country:
            return False
        return any(
            j.since <= on and (j.until is None or on <= j.until) for j in self.jurisdictions.get(country, ())
        )

    def screen(self, name: str | None) -> tuple[int, SanctionsEntry | None]:
        """Best score 0-100 of ``name`` against the sanctions list, and the entry matched."""
        if not name or not self.sanctions:
            return 0, None
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        key = normalise_name(name)
        if not self._exact:
            self._exact = {e.normalised: e for e in self.sanctions}
        if key in self._exact:
            result: tuple[int, SanctionsEntry | None] = (100, self._exact[key])
        elif not key:
            result = (0, None)
        else:
            from rapidfuzz import fuzz, process

            best = process.extractOne(
                key, [e.normalised for e in self.sanctions], scorer=fuzz.ratio, score_cutoff=MIN_RESEMBLANCE
            )
            result = (int(best[1]), self.sanctions[best[2]]) if best else (0, None)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[name] = result
        return result


def _fail(message: str, file: str, line: int | None = None) -> RuleError:
    return RuleError.single(message, file=file, line=line)


def load_lists(folder: Path) -> Lists:
    """Every ``*.yaml`` in the folder: ``jurisdictions:`` and/or ``sanctions:`` lists."""
    lists = Lists()
    if not folder.is_dir():
        return lists
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = read_document(path)
        except InputError as exc:
            raise RuleError(exc.problems) from None
        data = doc.data
        if not isinstance(data, dict):
            raise _fail("a list file is a mapping with `source` and a list", doc.file, 1)
        if "source" not in data:
            raise _fail("a list file must say its `source`", doc.file, 1)
        for i, item in enumerate(data.get("jurisdictions") or []):
            line = doc.line_of(("jurisdictions", i))
            if not isinstance(item, dict) or not isinstance(item.get("since"), dt.date):
                raise _fail("a jurisdiction needs `code`, `name` and a `since` date", doc.file, line)
            code = str(item.get("code", ""))
            if len(code) != 2 or not code.isupper():
                raise _fail(f"`{code}` is not an ISO 3166-1 alpha-2 code", doc.file, line)
            until = item.get("until")
            lists.jurisdictions.setdefault(code, []).append(
                Jurisdiction(
                    code,
                    str(item.get("name", "")),
                    item["since"],
                    until if isinstance(until, dt.date) else None,
                )
            )
        for i, item in enumerate(data.get("sanctions") or []):
            line = doc.line_of(("sanctions", i))
            if not isinstance(item, dict) or not item.get("name") or not item.get("ref"):
                raise _fail("a sanctions entry needs `ref` and `name`", doc.file, line)
            names = [str(item["name"]), *[str(a) for a in item.get("aliases") or []]]
            for name in names:
                lists.sanctions.append(SanctionsEntry(str(item["ref"]), name, normalise_name(name)))
    return lists
