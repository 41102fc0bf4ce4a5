"""Parsing a statute's text into articles, paragraphs and items, and addressing them.

A shipped text is Markdown: a ``# title``, a header up to ``<!-- INFO END -->``, headings
(``## 第一章``) and one line per paragraph. ``第N条`` opens an article; its paragraphs (款)
are the lines that follow; a line opening ``（一）`` is an item (项) of the paragraph above.
References are written ``29``, ``38(1)`` (item 1), ``13 para 2`` or ``13 para 1(2)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .numerals import parse_zh

_ARTICLE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条[\s\u3000]*(.*)$")
_ITEM = re.compile(r"^[（(]([零〇一二三四五六七八九十]+)[）)]\s*(.*)$")
_CROSS_REFERENCE = re.compile(r"第[零〇一二三四五六七八九十百千]+条")
_REF = re.compile(r"^\s*(\d+)\s*(?:para\s*(\d+)\s*)?(?:\(\s*(\d+)\s*\))?\s*$")
HEADER_END = "<!-- INFO END -->"


@dataclass(frozen=True)
class ArticleRef:
    """An address inside a text: article, optional paragraph (款) and item (项), 1-based."""

    article: int
    paragraph: int | None = None
    item: int | None = None


def parse_ref(text: str) -> ArticleRef | None:
    """``"38(1)"`` -> ArticleRef(38, None, 1); None for parts that are not numbered articles."""
    m = _REF.match(text)
    if m is None:
        return None
    return ArticleRef(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph (款): its own line and the items (项) listed under it, labels kept."""

    lead: str
    items: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join((self.lead, *self.items)) if self.lead else "\n".join(self.items)

    def item(self, n: int) -> str | None:
        """Item ``n`` without its label ``（一）``: the words a quote may use."""
        if not 1 <= n <= len(self.items):
            return None
        m = _ITEM.match(self.items[n - 1])
        return m[2] if m else self.items[n - 1]


@dataclass(frozen=True)
class Article:
    number: int
    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def cross_references(self) -> bool:
        """Does the article name another article by number (which renumbering would change)?"""
        return bool(_CROSS_REFERENCE.search(self.text))


@dataclass(frozen=True)
class Lookup:
    """What a reference finds: whether the unit exists, and its words if they are bundled."""

    exists: bool
    text: str | None = None


@dataclass(frozen=True)
class LawText:
    """A parsed text. ``withheld`` articles exist in this version but their words are unknown."""

    title: str
    articles: dict[int, Article]
    withheld: frozenset[int] = field(default_factory=frozenset)

    def lookup(self, ref: ArticleRef) -> Lookup:
        if ref.article in self.withheld:
            return Lookup(exists=True)
        art = self.articles.get(ref.article)
        if art is None:
            return Lookup(exists=False)
        if ref.paragraph is not None:
            if not 1 <= ref.paragraph <= len(art.paragraphs):
                return Lookup(exists=False)
            paras: tuple[Paragraph, ...] = (art.paragraphs[ref.paragraph - 1],)
        else:
            paras = art.paragraphs
        if ref.item is None:
            return Lookup(True, "\n".join(p.text for p in paras))
        for p in paras:  # `38(1)`: the item of the (first) paragraph that lists items
            if p.items:
                item = p.item(ref.item)
                return Lookup(item is not None, item)
        return Lookup(exists=False)

    def search(self, words: list[str]) -> list[Article]:
        """Articles whose text holds every word (plain substring: Chinese has no spaces)."""
        return [
            a
            for _, a in sorted(self.articles.items())
            if a.number not in self.withheld and all(w in a.text for w in words)
        ]


def parse_text(source: str) -> LawText:
    """Articles of a shipped text; lines before the first article and headings are skipped."""
    lines = source.splitlines()
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "")
    if HEADER_END in source:
        lines = source.split(HEADER_END, 1)[1].splitlines()
    articles: dict[int, list[Paragraph]] = {}
    current: list[Paragraph] | None = None
    for raw in lines:
        line = raw.strip().replace("\u3000", " ").strip()
        if not line or line.startswith("#") or line.startswith("<!--"):
            continue
        m = _ARTICLE.match(line)
        if m is not None:
            number = parse_zh(m[1])
            if number is not None and number not in articles:
                current = articles[number] = [Paragraph(m[2].strip())]
                continue
        if current is None:
            continue
        if _ITEM.match(line) and current:
            last = current[-1]
            current[-1] = Paragraph(last.lead, (*last.items, line))
        else:
            current.append(Paragraph(line))
    return LawText(title, {n: Article(n, tuple(ps)) for n, ps in articles.items()})


@cache
def read_text(path: Path) -> LawText:
    """Parse a text file once per process (texts are package data and never change)."""
    return parse_text(path.read_text(encoding="utf-8"))
