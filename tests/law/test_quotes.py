"""Every built-in citation against the shipped texts; dated citations; basis and grade."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from regtech_engine.authoring.ruletests import base_specs, case_document
from regtech_engine.check import Checker, event_dates
from regtech_engine.engine.values import spec_values
from regtech_engine.errors import RuleError
from regtech_engine.files.yamlio import Document
from regtech_engine.findings import Citation
from regtech_engine.language.rules import Rule, RulePack, load_pack
from regtech_engine.law.cite import format_citation
from regtech_engine.law.quotes import quoted
from regtech_engine.spec.loader import spec_from_document
from regtech_engine.spec.patching import patched
from regtech_engine.vocabulary import Basis, Lang, Outcome, Severity

D = dt.date.fromisoformat

# Citations the text shows to be wrong, for the next engineer to fix: (rule id, law, article) -> why.
KNOWN_WRONG: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


def _dates(rule_tests: list[dt.date], start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    inside = {d for d in rule_tests if (start is None or start <= d) and (end is None or d <= end)}
    return sorted(inside | {d for d in (start, end) if d is not None})


def cited(pack: RulePack) -> Iterator[tuple[str, Citation, dt.date]]:
    """Every (rule, citation, date) a finding could show: the rule's test dates inside its
    effective window, and the window's ends; parameter citations as resolved on each date.
    A rule judging by an event date (``citations_by``) is cited on its firing cases' event
    dates and on each citation's own first and last days."""
    checkers: dict[dt.date, Checker] = {}
    bases = base_specs([])
    for rule in pack.rules:
        b = rule.body
        for day in _dates([t.as_of for t in b.tests], b.effective_from, b.effective_until):
            # an event-dated rule's own citations follow its event dates, not as-of
            cites = [c for c in b.citations if c.in_force(day) and b.citations_by is None]
            for pc in b.cite_params:
                resolved = pack.parameters.at(pc.param, day)
                if resolved is not None:
                    cites.append(resolved.citation)
            for c in cites:
                yield rule.id, c, day
        if b.citations_by is not None:
            for c in b.citations:
                for day in filter(None, (c.since, c.until)):
                    yield rule.id, c, day
            for day in _event_days(rule, pack, bases, checkers):
                for c in b.citations:
                    if c.in_force(day):
                        yield rule.id, c, day


def _event_days(
    rule: Rule, pack: RulePack, bases: dict[str, Document], checkers: dict[dt.date, Checker]
) -> set[dt.date]:
    """The event dates on which the rule's firing test cases fire."""
    days: set[dt.date] = set()
    for case in rule.body.tests:
        if case.expect is not Outcome.FAIL:
            continue
        checker = checkers.setdefault(case.as_of, Checker(pack, case.as_of, backend="reference"))
        spec = spec_from_document(case_document(case, bases, rule.file))
        data = spec_values(spec.model)
        witness = checker.evaluator.witness(rule.when, data)
        days.update(event_dates(rule, data, witness, case.as_of))
    assert days, f"{rule.id}: no firing case has an event date"
    return days


def test_every_builtin_citation_quotes_the_text_in_force(pack: RulePack) -> None:
    verified, not_bundled, wrong = 0, 0, set()
    for rule_id, cite, day in cited(pack):
        law = pack.laws[cite.law]
        version = law.version_on(day)
        in_force = (
            version.in_force(day)
            if version is not None
            else (law.effective is None or law.effective <= day) and (law.until is None or day <= law.until)
        )
        found = law.quote(cite.article, day)
        [shown] = quoted([cite], pack.laws, day)
        if not in_force or not found.exists:
            wrong.add((rule_id, cite.law, cite.article))
            continue
        if found.text is None:
            assert shown.quote is None and shown.text_bundled is False
            not_bundled += 1
            continue
        assert shown.text_bundled is True and shown.quote, (rule_id, cite, day)
        assert shown.quote in found.text, (rule_id, cite, day)
        if cite.quote:
            assert shown.quote == cite.quote
        verified += 1
    assert wrong == set(KNOWN_WRONG), "fixed one? remove it from KNOWN_WRONG"
    assert verified >= 400 and not_bundled > 0


def test_every_builtin_rule_states_its_basis(pack: RulePack) -> None:
    for rule in pack.rules:  # the scope table's rules included
        assert rule.body.basis is not None, rule.id
        if rule.body.basis == Basis.PRACTICE:
            assert not Severity(rule.body.severity).at_least(Severity.HIGH), rule.id


def test_practice_rules_recommend_and_do_not_say_violates(pack: RulePack) -> None:
    """A rule asking for more than its text (basis practice) recommends; it never says the
    product breaks the law (issue #13 item 4)."""
    practice = [r for r in pack.rules if r.body.basis == Basis.PRACTICE]
    assert len(practice) >= 10
    for rule in practice:
        en, zh = rule.body.message.en, rule.body.message.zh
        assert "recommended" in en.lower() and "建议" in zh, rule.id
        assert "violat" not in en.lower() and "违反" not in zh, rule.id


@pytest.mark.parametrize(("day", "article"), [("2025-12-31", "37"), ("2026-01-01", "39")])
def test_csl_localisation_cited_by_the_number_in_force(pack: RulePack, day: str, article: str) -> None:
    rule = pack.by_id()["CSL-037-CIIO-DATA-STORED-ABROAD"]
    cites = Checker(pack, D(day), backend="reference").citations(rule)
    assert [(c.law, c.article) for c in cites] == [("CSL", article), ("PIPL", "40")]
    assert (cites[0].quote or "").startswith("关键信息基础设施的运营者在中华人民共和国境内运营中收集")
    assert cites[0].text_bundled is True


def test_unbundled_instrument_has_no_quote(pack: RulePack) -> None:
    [c] = quoted([Citation(law="PBOC-2016-3", article="5(1)")], pack.laws, D("2026-01-01"))
    assert c.quote is None and c.text_bundled is False
    dumped = c.model_dump(mode="json")
    assert dumped == {"law": "PBOC-2016-3", "article": "5(1)", "quote": None, "text_bundled": False}


def test_explicit_excerpt_is_quoted(pack: RulePack) -> None:
    [c] = quoted(
        [Citation(law="PIPL", article="29", quote="处理敏感个人信息应当取得个人的单独同意")],
        pack.laws,
        D("2026-01-01"),
    )
    assert c.quote == "处理敏感个人信息应当取得个人的单独同意"


def test_chinese_citation_form() -> None:
    assert format_citation("PIPL", "29", Lang.ZH) == "《中华人民共和国个人信息保护法》第二十九条"
    assert format_citation("PIPL", "13 para 2", Lang.ZH) == "《中华人民共和国个人信息保护法》第十三条第二款"
    assert format_citation("AML-MONOPOLY", "22(6)", Lang.ZH).endswith("第二十二条第（六）项")
    assert format_citation("JRT-0171-2020", "6.1.1", Lang.ZH) == (
        "《个人金融信息保护技术规范》（JR/T 0171-2020）第6.1.1条"
    )
    assert format_citation("PIPL", "29", Lang.EN) == "PIPL Art. 29"


RULE = """\
id: TEST-001-QUOTES
theme: personal_information
severity: {severity}
basis: {basis}
title: {{en: t, zh: t}}
message: {{en: m, zh: m}}
remediation: {{en: r, zh: r}}
citations:
  - {{law: {law}, article: "{article}"{extra}}}
effective_from: 2021-11-01
when: {{path: personal_information.categories, length: {{ge: 1}}}}
notes: n
"""


def _load(tmp_path: Path, **fields: str) -> str:
    values = {"severity": "medium", "basis": "statute", "law": "PIPL", "article": "29", "extra": ""}
    values.update(fields)
    (tmp_path / "personal_information").mkdir(exist_ok=True)
    (tmp_path / "personal_information" / "TEST-001-QUOTES.yaml").write_text(
        RULE.format(**values), encoding="utf-8"
    )
    with pytest.raises(RuleError) as err:
        load_pack([tmp_path])
    return str(err.value)


def test_unknown_article_in_the_shipped_text_is_located(tmp_path: Path) -> None:
    message = _load(tmp_path, article="99")
    assert "TEST-001-QUOTES.yaml:9: citations[0].article: PIPL has no article `99`" in message


def test_quote_must_be_verbatim(tmp_path: Path) -> None:
    message = _load(tmp_path, extra=", quote: 应当取得个人的书面同意")
    assert "TEST-001-QUOTES.yaml:9: citations[0].quote: the quote is not word for word" in message


def test_renumbered_article_needs_dates(tmp_path: Path) -> None:
    message = _load(tmp_path, law="CSL", article="37")
    assert "old Art. 37 is Art. 39" in message


def test_practice_is_graded_at_most_medium(tmp_path: Path) -> None:
    message = _load(tmp_path, basis="practice", severity="high")
    assert "TEST-001-QUOTES.yaml:3: severity: a rule whose basis is `practice`" in message


def test_unknown_basis_has_a_hint(tmp_path: Path) -> None:
    message = _load(tmp_path, basis="statue")
    assert "TEST-001-QUOTES.yaml:4: basis:" in message and "did you mean `statute`?" in message


def _deal_finding(
    pack: RulePack, rule_id: str, closing: str, as_of: str, figures: tuple[int, int, int, int]
) -> list[Citation]:
    """The citations of ``rule_id``'s finding on one unnotified deal closing on ``closing``."""
    world, china, first, second = figures
    data = patched(
        base_specs([])["payment-compliant"].data,
        {
            "market_conduct.concentrations": [
                {
                    "counterparty": "Target",
                    "closing_date": closing,
                    "filed": False,
                    "combined_turnover_cny": {"global": world, "china": china},
                    "each_party_china_turnover_cny": [first, second],
                }
            ]
        },
        [],
    )
    spec = spec_from_document(Document(data=data, lines={}, file="deal.yaml"))
    result = Checker(pack, D(as_of), backend="reference").check(spec)
    [finding] = [f for f in result.findings if f.rule_id == rule_id]
    return finding.citations


OLD_FIGURES = (11_000_000_000, 2_500_000_000, 500_000_000, 450_000_000)
NEW_FIGURES = (15_000_000_000, 5_000_000_000, 4_200_000_000, 900_000_000)


@pytest.mark.parametrize(
    ("closing", "law", "article", "text"),
    [
        ("2022-07-31", "AML-MONOPOLY-2007", "21", "反垄断法(2007-08-30).md"),
        ("2022-08-01", "AML-MONOPOLY", "26", "反垄断法(2022-06-24).md"),
    ],
)
def test_concentration_cited_by_the_law_of_its_closing_date(
    pack: RulePack, closing: str, law: str, article: str, text: str
) -> None:
    cites = _deal_finding(pack, "CONC-003-2008-NOT-FILED", closing, "2026-11-25", OLD_FIGURES)
    assert [(c.law, c.article) for c in cites] == [(law, article), ("CONC-THRESHOLDS", "3")]
    version = pack.laws[law].version_on(D(closing))
    assert version is not None and version.text is not None and version.text.name == text
    assert cites[0].quote == pack.laws[law].quote(article, D(closing)).text
    assert (cites[0].quote or "").startswith("经营者集中达到国务院规定的申报标准的")
    assert "超过100亿元人民币" in (cites[1].quote or "")  # the 2018 thresholds, not 2024's


@pytest.mark.parametrize(
    ("rule_id", "closing", "figures", "amount"),
    [
        ("CONC-003-2008-NOT-FILED", "2024-01-21", OLD_FIGURES, "超过100亿元人民币"),
        ("CONC-003-2024-NOT-FILED", "2024-01-22", NEW_FIGURES, "超过120亿元人民币"),
    ],
)
def test_thresholds_quoted_from_the_version_of_the_closing_date(
    pack: RulePack, rule_id: str, closing: str, figures: tuple[int, int, int, int], amount: str
) -> None:
    cites = _deal_finding(pack, rule_id, closing, "2026-11-25", figures)
    assert [(c.law, c.article) for c in cites] == [("AML-MONOPOLY", "26"), ("CONC-THRESHOLDS", "3")]
    assert amount in (cites[1].quote or "")


def test_deals_on_both_sides_cite_both_laws(pack: RulePack) -> None:
    data = patched(
        base_specs([])["payment-compliant"].data,
        {
            "market_conduct.concentrations": [
                {
                    "counterparty": t,
                    "closing_date": d,
                    "filed": False,
                    "combined_turnover_cny": {"global": OLD_FIGURES[0], "china": OLD_FIGURES[1]},
                    "each_party_china_turnover_cny": list(OLD_FIGURES[2:]),
                }
                for t, d in (("A", "2023-03-01"), ("B", "2019-03-01"))
            ]
        },
        [],
    )
    spec = spec_from_document(Document(data=data, lines={}, file="deals.yaml"))
    [finding] = [
        f
        for f in Checker(pack, D("2026-11-25"), backend="reference").check(spec).findings
        if f.rule_id == "CONC-003-2008-NOT-FILED"
    ]
    assert [(c.law, c.article) for c in finding.citations] == [
        ("AML-MONOPOLY-2007", "21"),
        ("CONC-THRESHOLDS", "3"),
        ("AML-MONOPOLY", "26"),
    ]


def test_event_date_after_as_of_reads_the_law_of_as_of(pack: RulePack) -> None:
    cites = _deal_finding(pack, "CONC-003-2008-NOT-FILED", "2024-06-30", "2021-12-01", OLD_FIGURES)
    assert [(c.law, c.article) for c in cites] == [("AML-MONOPOLY-2007", "21"), ("CONC-THRESHOLDS", "3")]


def test_citations_by_must_name_a_date_the_rule_reads(tmp_path: Path) -> None:
    message = _load(tmp_path, extra="}\ncitations_by: market_conduct.concentrations[].filed\n#")
    assert "TEST-001-QUOTES.yaml:10: citations_by: citations_by" in message
    assert "is a bool, not a date" in message
    message = _load(tmp_path, extra="}\ncitations_by: market_conduct.concentrations[].closing_date\n#")
    assert "is not read by the rule's condition" in message
    message = _load(tmp_path, extra="}\ncitations_by: market_conduct.concentrations[].closing_dat\n#")
    assert "names no spec field" in message
