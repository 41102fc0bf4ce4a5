"""The shipped texts parse into addressable articles, and laws.yaml dates each version."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from regtech_engine.errors import RuleError
from regtech_engine.law.numerals import format_zh, parse_zh
from regtech_engine.law.registry import load_laws
from regtech_engine.law.texts import ArticleRef, parse_ref, parse_text
from regtech_engine.packs import builtin_root

D = dt.date.fromisoformat
TEXTS = builtin_root() / "texts"


@pytest.mark.parametrize("n", [1, 9, 10, 11, 19, 20, 29, 100, 103, 110, 120, 999])
def test_numerals_round_trip(n: int) -> None:
    assert parse_zh(format_zh(n)) == n


def test_numerals_in_the_statute_style() -> None:
    assert [format_zh(n) for n in (10, 29, 103, 110)] == ["十", "二十九", "一百零三", "一百一十"]


def test_refs() -> None:
    assert parse_ref("29") == ArticleRef(29)
    assert parse_ref("38(1)") == ArticleRef(38, None, 1)
    assert parse_ref("13 para 2") == ArticleRef(13, 2)
    assert parse_ref("13 para 1(2)") == ArticleRef(13, 1, 2)
    assert parse_ref("scope") is None and parse_ref("6.1.1") is None


def test_every_text_is_shipped_with_the_package_and_numbered_without_gaps() -> None:
    laws = load_laws()
    files = {v.text.name for law in laws.values() for v in law.versions if v.text}
    shipped = {p.name for p in TEXTS.glob("*.md")} - {"README.md"}
    assert files == shipped and len(shipped) == 16
    for law in laws.values():
        for version in law.versions:
            text = version.parsed()
            if text is None or version.derived:
                continue
            assert text.title.startswith(("中华人民共和国", law.name.zh[:4]))
            assert sorted(text.articles) == list(range(1, len(text.articles) + 1)), version.text


def test_pyproject_ships_the_texts_as_package_data() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    globs = re.search(r'"regtech_engine\.builtin_rules" = \[(.*)\]', pyproject)
    assert globs is not None and '"**/*.md"' in globs[1]


def test_articles_paragraphs_and_items() -> None:
    pipl = load_laws()["PIPL"]
    on = D("2026-01-01")
    assert pipl.quote("29", on).text == (
        "处理敏感个人信息应当取得个人的单独同意；"
        "法律、行政法规规定处理敏感个人信息应当取得书面同意的，从其规定。"
    )
    assert pipl.quote("13(1)", on).text == "取得个人的同意；"
    assert pipl.quote("13 para 2", on).text == (
        "依照本法其他有关规定，处理个人信息应当取得个人同意，但是有前款第二项至第七项规定情形的，不需取得个人同意。"
    )
    assert pipl.quote("13 para 1(7)", on).text == "法律、行政法规规定的其他情形。"
    whole = pipl.quote("13", on).text or ""
    assert whole.startswith("符合下列情形之一的") and "（七）" in whole
    assert whole.endswith("不需取得个人同意。")
    assert not pipl.quote("75", on).exists
    assert not pipl.quote("13(8)", on).exists
    assert not pipl.quote("29 para 2", on).exists


def test_half_width_item_labels() -> None:
    conc = load_laws()["CONC-THRESHOLDS"]
    assert conc.quote("2(1)", D("2020-01-01")).text == "经营者合并；"


def test_cybersecurity_law_renumbered_from_2026() -> None:
    csl = load_laws()["CSL"]
    before, after = D("2025-12-31"), D("2026-01-01")
    assert csl.quote("37", before).text == csl.quote("39", after).text
    assert (csl.quote("39", after).text or "").startswith("关键信息基础设施的运营者在中华人民共和国境内")
    assert csl.quote("21(1)", before).text == csl.quote("23(1)", after).text
    assert csl.quote("17", before).text == csl.quote("18", after).text
    # inserted articles and changed wording exist but are not quoted
    for article in ("3", "20", "19", "42", "61"):
        found = csl.quote(article, after)
        assert found.exists and found.text is None, article
    assert not csl.quote("82", after).exists
    assert csl.version_on(after) is not None and csl.version_on(after).derived  # type: ignore[union-attr]


def test_version_chosen_by_date() -> None:
    laws = load_laws()
    conc = laws["CONC-THRESHOLDS"]
    assert "120亿元" in (conc.quote("3", D("2024-01-22")).text or "")
    assert "100亿元" in (conc.quote("3", D("2024-01-21")).text or "")
    assert conc.quote("3", D("2015-01-01")).text is None  # the 2008 text is not bundled
    # a repealed law is quoted from its last text; one never bundled has no quote
    assert laws["AMLL-2006"].quote("16", D("2026-01-01")).text
    assert laws["AML-MONOPOLY-2007"].quote("21", D("2021-01-01")).text
    assert laws["PBOC-2016-3"].quote("5(1)", D("2026-01-01")).text is None


def test_parse_text_skips_header_and_headings() -> None:
    text = parse_text(
        "# 测试法\n\n第一条 头\n<!-- INFO END -->\n## 第一章\n"
        "第一条　甲。\n\n乙：\n（一）丙；\n(二)丁。\n第二条 戊。\n"
    )
    assert text.title == "测试法"
    assert [p.lead for p in text.articles[1].paragraphs] == ["甲。", "乙："]
    assert text.articles[1].paragraphs[1].items == ("（一）丙；", "(二)丁。")
    assert text.lookup(ArticleRef(1, None, 2)).text == "丁。"


def test_search_is_a_chinese_substring_search() -> None:
    text = load_laws()["PIPL"].version_on(D("2026-01-01")).parsed()  # type: ignore[union-attr]
    assert text is not None
    assert [a.number for a in text.search(["单独同意", "敏感"])] == [29]


def test_bad_laws_file_is_located(tmp_path: Path) -> None:
    (tmp_path / "laws.yaml").write_text(
        "X:\n  zh: 甲\n  en: A\n  versions:\n    - {from: 2020-01-01, text: texts/missing.md}\n"
        "Y:\n  zh: 乙\n  en: B\n  kind: statue\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as err:
        load_laws(tmp_path / "laws.yaml")
    message = str(err.value)
    assert "laws.yaml:5: X.versions[0].text: text file `texts/missing.md` not found" in message
    assert "laws.yaml:9: Y.kind:" in message
