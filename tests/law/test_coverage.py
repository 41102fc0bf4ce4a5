"""Coverage by article: the duties list read against the shipped texts (issue #13 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtech_engine.authoring.coverage import duty_coverage, load_duties
from regtech_engine.authoring.refdocs import rules_markdown
from regtech_engine.errors import RuleError
from regtech_engine.language.rules import RulePack, load_pack


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


def test_every_law_with_a_shipped_text_has_a_duties_list(pack: RulePack) -> None:
    duties = load_duties(pack)
    shipped = {code for code, law in pack.laws.items() if law.text_bundled}
    assert set(duties) == shipped
    assert len(duties["PIPL"]) >= 30


def test_renumbered_citation_counts_for_the_old_number(pack: RulePack) -> None:
    [csl] = [d for d in duty_coverage(pack) if d.law == "CSL"]
    by_article = {d.article: d.rules for d in csl.duties}
    assert "NDSR-005-CLASSIFICATION-NOT-DONE" in by_article["21"]  # 21(4), then 23(4) from 2026
    assert "CSL-037-CIIO-DATA-STORED-ABROAD" in by_article["37"]


def test_percentage_counts_duties_with_a_rule(pack: RulePack) -> None:
    for law in duty_coverage(pack):
        if law.duties:
            assert law.percent == pytest.approx(100 * law.covered / len(law.duties))


def test_docs_show_coverage_by_article(pack: RulePack) -> None:
    text = rules_markdown(pack)
    assert "## Coverage by article" in text and "| PIPL |" in text and "### CSL" in text


def test_unknown_article_in_the_duties_list_is_located(pack: RulePack, tmp_path: Path) -> None:
    bad = tmp_path / "duties.yaml"
    bad.write_text('PIPL:\n  "6": ok\n  "99": none such\nNOPE: {}\n', encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_duties(pack, bad)
    message = str(err.value)
    assert "duties.yaml:3: PIPL.99: PIPL has no article `99` in its text" in message
    assert "duties.yaml:4: NOPE: `NOPE` is not a law whose text ships" in message
