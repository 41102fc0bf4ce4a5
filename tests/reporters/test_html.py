"""The HTML report: self-contained, escaped, and checked in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from regtech_engine.reporters import renderer
from regtech_engine.vocabulary import Lang
from tests.reporters.helpers import EVIL_CATEGORY, EVIL_NAME, report_of

SPECS = ("evil", "noncompliant", "compliant", "example")


def _page() -> str:
    return renderer("html")(report_of(*SPECS), Lang.EN)


def test_page_is_self_contained_and_escaped() -> None:
    page = _page()
    assert page.count("<script") == 1  # only the language switch
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//|javascript:)""", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert 'data-lang="en"' in renderer("html")(report_of("compliant"), Lang.EN)
    assert 'data-lang="zh"' in renderer("html")(report_of("compliant"), Lang.ZH)


def test_each_finding_has_citation_evidence_and_remediation() -> None:
    page = _page()
    articles = re.findall(r'<article class="finding.*?</article>', page)
    assert len(articles) == 5
    for a in articles:
        assert 'class="citation"' in a and 'class="evidence"' in a
        assert 'class="remediation"' in a and "<td><code>" in a


def _chromium() -> str | None:
    for name in (
        os.environ.get("REGTECH_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        if name and (path := shutil.which(name)):
            return path
    return None


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium installed (apt-get install chromium, or set REGTECH_CHROMIUM)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_page_in_headless_chromium(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report_file = tmp_path / "report.html"
    report_file.write_text(_page(), encoding="utf-8")
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[func-returns-value]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri())

    # the chart is drawn: one visible bar per (theme, severity) that has findings
    bars = page.locator("svg#chart rect.bar")
    drawn = {
        (
            bars.nth(i).get_attribute("data-theme"),
            bars.nth(i).get_attribute("data-severity"),
            bars.nth(i).get_attribute("data-count"),
        )
        for i in range(bars.count())
    }
    assert drawn == {
        ("personal_information", "high", "3"),
        ("data_security", "medium", "1"),
        ("aml", "critical", "1"),
    }
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 10
    widths = {
        bars.nth(i).get_attribute("data-theme"): bars.nth(i).bounding_box()["width"]
        for i in range(bars.count())
    }
    assert widths["personal_information"] == pytest.approx(3 * widths["aml"], rel=0.01)

    # findings, with hostile values shown as text and nothing executed or fetched
    assert page.locator("article.finding").count() == 5
    assert EVIL_NAME in page.locator("section[data-spec=evil-pay]").inner_text()
    assert EVIL_CATEGORY in page.locator("section[data-spec=evil-pay]").inner_text()
    assert dialogs == []
    assert [u for u in requests if not u.startswith("file:")] == []

    # the language switch
    title = page.locator("h1")
    assert title.inner_text() == "Compliance report"
    assert page.locator("article.finding .remediation .en").first.is_visible()
    page.click("#lang-toggle")
    assert title.inner_text() == "合规检查报告"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("article.finding .remediation .zh").first.is_visible()
    assert not page.locator("article.finding .remediation .en").first.is_visible()
    page.click("#lang-toggle")
    assert title.inner_text() == "Compliance report"

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    chart = tmp_path / "chart.png"
    page.locator("svg#chart").screenshot(path=str(chart))
    assert chart.stat().st_size > 1_000
    page.close()
