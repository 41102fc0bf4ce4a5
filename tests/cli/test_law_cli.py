"""`regtech law show` and `regtech law search`: the shipped texts from the command line."""

from __future__ import annotations

import json

from ..conftest import FIXTURES


def test_show_article(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("law", "show", "PIPL", "29", "--as-of", "2026-01-01")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("PIPL Art. 29: Personal Information Protection Law of the PRC")
    assert "个人信息保护法(2021-08-20).md" in lines[1]
    assert lines[-1] == (
        "处理敏感个人信息应当取得个人的单独同意；"
        "法律、行政法规规定处理敏感个人信息应当取得书面同意的，从其规定。"
    )


def test_show_item_in_chinese(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("law", "show", "PIPL", "13(2)", "--lang", "zh")
    assert result.code == 0
    assert result.out.startswith("《中华人民共和国个人信息保护法》第十三条第（二）项\n")
    assert result.out.rstrip().endswith("实施人力资源管理所必需；")


def test_show_renumbered_csl_says_it_is_derived(cli) -> None:  # type: ignore[no-untyped-def]
    old = cli("law", "show", "CSL", "37", "--as-of", "2025-12-31")
    new = cli("law", "show", "CSL", "39", "--as-of", "2026-01-01")
    assert old.code == new.code == 0
    assert old.out.splitlines()[-1] == new.out.splitlines()[-1]
    assert "renumbered (derived)" in new.out and "note: The amended text" in new.out


def test_show_problems_exit_2_without_traceback(cli) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("law", "show", "PIPLL", "29")
    assert unknown.code == 2 and "did you mean `PIPL`?" in unknown.err
    missing = cli("law", "show", "PIPL", "99")
    assert missing.code == 2 and "PIPL has no article `99`" in missing.err
    unbundled = cli("law", "show", "PBOC-2016-3", "5(1)")
    assert unbundled.code == 2 and "not bundled" in unbundled.err
    changed = cli("law", "show", "CSL", "42", "--as-of", "2026-06-01")
    assert changed.code == 2 and "wording is not bundled" in changed.err
    assert "Traceback" not in unknown.err + missing.err + unbundled.err + changed.err


def test_search_chinese_words(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("law", "search", "敏感个人信息", "单独同意", "--law", "PIPL", "--as-of", "2026-01-01")
    assert result.code == 0
    assert [line.split("  ")[0] for line in result.out.splitlines()] == ["PIPL Art. 29"]


def test_search_uses_the_texts_in_force(cli) -> None:  # type: ignore[no-untyped-def]
    before = cli("law", "search", "匿名账户", "--as-of", "2020-01-01").out
    after = cli("law", "search", "匿名账户", "--as-of", "2026-01-01").out
    assert "AMLL-2006 Art. 16" in before and "AMLL-2024" not in before
    assert "AMLL-2024 Art. 28" in after and "AMLL-2006" not in after
    nothing = cli("law", "search", "不存在的词语")
    assert nothing.code == 0 and nothing.out == "" and "no article" in nothing.err


def test_check_json_carries_quotes_and_basis(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", str(FIXTURES / "face-pay.yaml"), "--format", "json", "--as-of=2026-11-25")
    findings = [f for r in json.loads(result.out)["results"] for f in r["findings"]]
    assert findings and all("basis" in f for f in findings if not f["rule_id"].startswith("SCOPE-"))
    cites = [c for f in findings for c in f["citations"]]
    assert all(c["text_bundled"] == (c["quote"] is not None) for c in cites)
    assert any(c["quote"] for c in cites) and any(c["text_bundled"] is False for c in cites)


def test_text_report_in_chinese_names_the_instrument(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", str(FIXTURES / "face-pay.yaml"), "--lang", "zh", "--as-of=2026-11-25")
    assert "《中华人民共和国个人信息保护法》第二十九条" in result.out
