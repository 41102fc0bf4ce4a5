"""The pull-request comment: counts, findings, and spec values that cannot become markup."""

from __future__ import annotations

from markdown_it import MarkdownIt

from regtech_engine.gate.decision import apply_gate
from regtech_engine.gate.waivers import Waiver
from regtech_engine.reporters import renderer
from regtech_engine.reporters.markdown import md_code, md_text
from regtech_engine.vocabulary import Lang
from tests.reporters.helpers import AS_OF, report_of

# CommonMark with raw HTML allowed, as GitHub renders comments before sanitising them
_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def test_summary_and_findings() -> None:
    md = renderer("markdown")(report_of("evil", "noncompliant", "compliant"), Lang.EN)
    assert md.startswith("## Compliance check: 4 findings (3 blocking)\n")  # medium: not at high
    assert "| 1 | 2 | 1 | 0 | 0 | 4 |" in md
    assert "`tests/data/specs/noncompliant.yaml:28`" in md
    assert "No findings." in md
    html = _MD.render(md)
    assert html.count("<table>") == 3  # totals, evil, noncompliant


def test_hostile_values_render_as_text() -> None:
    md = renderer("markdown")(report_of("evil"), Lang.EN)
    html = _MD.render(md)
    assert "<script" not in html and "<img" not in html
    assert "<a " not in html and "href" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) | &amp;amp;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;[x](javascript:alert(2))" in html
    (row,) = [r for r in html.split("<tr>") if "GATE-AML-NO-PROGRAM" in r]
    assert row.count("<td") == 7  # the `|` in the product name split no cell


def test_md_helpers() -> None:
    assert md_text("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert md_text("a\nb  <b>") == "a b &lt;b&gt;"
    assert md_code("a`b|c") == r"`a'b\|c`"


def test_waived_status_and_chinese() -> None:
    waiver = Waiver("GATE-PI-SEPARATE-CONSENT", "face-*", "retired", "ann", "bo", AS_OF, "w.yaml", 2)
    gated = apply_gate(report_of("noncompliant"), AS_OF, [waiver], "w.yaml")
    md = renderer("markdown")(gated, Lang.EN)
    assert "(0 blocking)" in md and md.rstrip().endswith("| waived |")
    zh = renderer("markdown")(gated, Lang.ZH)
    assert zh.startswith("## 合规检查: 1 项发现 (0 阻断)") and "已豁免" in zh
