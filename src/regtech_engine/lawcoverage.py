"""Which articles of which laws the rules enforce, with rule and test-case counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .language.rules import RulePack


@dataclass(frozen=True)
class ArticleCoverage:
    law: str
    article: str
    rules: list[str]
    cases: int


def _article_key(article: str) -> tuple[int, str]:
    digits = "".join(ch for ch in article if ch.isdigit())
    return (int(digits) if digits else 10**6, article)


def law_coverage(pack: RulePack) -> dict[str, list[ArticleCoverage]]:
    """Law code -> articles (in article order) with the rules citing them."""
    table: dict[tuple[str, str], list[str]] = defaultdict(list)
    cases: dict[tuple[str, str], int] = defaultdict(int)
    for rule in pack.rules:
        for cite in rule.body.citations:
            key = (cite.law, cite.article)
            table[key].append(rule.id)
            cases[key] += len(rule.body.tests)
        for pc in rule.body.cite_params:
            for value in pack.parameters.parameters[pc.param].values:
                key = (value.citation.law, value.citation.article)
                if rule.id not in table[key]:
                    table[key].append(rule.id)
                    cases[key] += len(rule.body.tests)
    out: dict[str, list[ArticleCoverage]] = defaultdict(list)
    for (law, article), rules in table.items():
        out[law].append(ArticleCoverage(law, article, sorted(rules), cases[(law, article)]))
    for law in out:
        out[law].sort(key=lambda a: _article_key(a.article))
    return {law: out.get(law, []) for law in pack.laws}
