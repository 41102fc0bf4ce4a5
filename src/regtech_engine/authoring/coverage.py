"""Which articles of which laws the rules enforce: by citation, and against the duties list.

The duties list (rules/coverage/duties.yaml) names, per shipped text, the articles that impose
a duty on an operator, as read by a person; coverage is the share of them some rule cites.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..findings import Citation
from ..language.rules import RulePack
from ..law.texts import LawText, parse_ref


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


DUTIES_FILE = "coverage/duties.yaml"


@dataclass(frozen=True)
class Duty:
    """An article of a shipped text that imposes a duty on an operator, and its enforcers."""

    article: str
    note: str
    rules: list[str]


@dataclass(frozen=True)
class LawDuties:
    law: str
    duties: list[Duty]

    @property
    def covered(self) -> int:
        return sum(1 for d in self.duties if d.rules)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / len(self.duties) if self.duties else 0.0


def load_duties(pack: RulePack, path: Path | None = None) -> dict[str, dict[str, str]]:
    """Law code -> {article: note} from the duties list, checked against the shipped texts."""
    from ..errors import Problem, RuleError
    from ..files.yamlio import read_document
    from ..packs import builtin_root

    doc = read_document(path or builtin_root() / DUTIES_FILE)
    if not isinstance(doc.data, dict):
        raise RuleError.single("the duties list maps law codes to articles", file=doc.file, line=1)
    problems: list[Problem] = []
    out: dict[str, dict[str, str]] = {}
    for code, articles in doc.data.items():
        law = pack.laws.get(code)
        text = _base_text(pack, code)
        if law is None or text is None:
            problems.append(
                Problem(f"`{code}` is not a law whose text ships", doc.file, doc.line_of((code,)), code)
            )
            continue
        if not isinstance(articles, dict):
            problems.append(Problem("expected {article: note}", doc.file, doc.line_of((code,)), code))
            continue
        for article in articles:
            if not str(article).isdigit() or int(article) not in text.articles:
                problems.append(
                    Problem(
                        f"{code} has no article `{article}` in its text",
                        doc.file,
                        doc.line_of((code, article)),
                        f"{code}.{article}",
                    )
                )
        out[str(code)] = {str(a): str(n) for a, n in articles.items()}
    if problems:
        raise RuleError(problems)
    return out


def _base_text(pack: RulePack, code: str) -> LawText | None:
    """The last shipped text of a law that is not derived by renumbering (the duties' numbers)."""
    law = pack.laws.get(code)
    texts = [v for v in (law.versions if law else ()) if v.text is not None and not v.derived]
    return texts[-1].parsed() if texts else None


def _article_number(pack: RulePack, cite: Citation) -> int | None:
    """The cited article's number in the law's base text (a renumbered citation mapped back)."""
    ref = parse_ref(cite.article)
    if ref is None:
        return None
    law = pack.laws.get(cite.law)
    version = law.version_on(cite.since) if law is not None and cite.since is not None else None
    if version is not None and version.derived:
        back = {version.renumbered(old): old for old in range(1, ref.article + 1)}
        return back.get(ref.article)
    return ref.article


def duty_coverage(pack: RulePack) -> list[LawDuties]:
    """Per law with a duties list: each duty article and the rules citing it, any date."""
    enforcing: dict[tuple[str, int], set[str]] = defaultdict(set)
    for rule in pack.rules:
        for cite in rule.body.citations:
            number = _article_number(pack, cite)
            if number is not None:
                enforcing[(cite.law, number)].add(rule.id)
    out = []
    for code, articles in load_duties(pack).items():
        duties = [
            Duty(a, note, sorted(enforcing.get((code, int(a)), ())))
            for a, note in sorted(articles.items(), key=lambda kv: int(kv[0]))
        ]
        out.append(LawDuties(code, duties))
    return out
