"""A self-contained HTML page for a compliance committee: opens offline, in zh or en.

The chart of findings by theme and severity is inline SVG computed here, so it needs no
script or network. Both languages are in the page; a few lines of inline JS switch which
one CSS shows. Every value is escaped with ``html.escape``, and a Content-Security-Policy
allows only the page's own script (by hash), so a product named ``<script>...`` is text
and could not run even if escaping were ever missed.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from ..findings import Finding, Report, SpecResult, Text
from ..gate import FindingStatus, GatedReport, gated
from ..vocabulary import Lang, Severity, Theme
from ._common import (
    SEVERITIES,
    SEVERITY_COLOURS,
    citation,
    primary_line,
    severity_label,
    show,
    theme_label,
    verdict,
)

_SCRIPT = (
    "document.getElementById('lang-toggle').addEventListener('click',function(){"
    "var h=document.documentElement,zh=h.getAttribute('data-lang')!=='zh';"
    "h.setAttribute('data-lang',zh?'zh':'en');h.lang=zh?'zh-CN':'en';});"
)
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "script-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    + "'"
)
_STYLE = """
html[data-lang=en] .zh, html[data-lang=zh] .en { display: none; }
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 2rem;
       color: #111827; max-width: 72rem; }
header { display: flex; justify-content: space-between; align-items: baseline; }
button { font: inherit; padding: .3rem .8rem; cursor: pointer; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d1d5db; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
.finding { border-left: 6px solid #9ca3af; padding: .5rem 1rem; margin: 1rem 0;
           background: #f9fafb; }
.finding.waived, .finding.baselined { opacity: .7; }
.sev-critical { border-color: #7f1d1d; } .sev-high { border-color: #dc2626; }
.sev-medium { border-color: #f59e0b; } .sev-low { border-color: #3b82f6; }
.badge { font-size: .8rem; padding: 0 .4rem; border-radius: .3rem; background: #e5e7eb; }
code { background: #f3f4f6; padding: 0 .2rem; overflow-wrap: anywhere; }
.muted { color: #6b7280; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _both(en: str, zh: str, tag: str = "span") -> str:
    return f'<{tag} class="en">{_e(en)}</{tag}><{tag} class="zh">{_e(zh)}</{tag}>'


def _text(t: Text, tag: str = "span") -> str:
    return _both(t.en, t.zh, tag)


def _chart(report: Report) -> str:
    """Horizontal stacked bars: one row per theme, one segment per severity."""
    # built-in themes always, a pack's theme when it has findings
    themes = [*map(str, Theme), *sorted({str(f.theme) for f in report.all_findings()} - set(Theme))]
    counts = {(t, s): 0 for t in themes for s in SEVERITIES}
    for f in report.all_findings():
        counts[(str(f.theme), Severity(f.severity))] += 1
    totals = {t: sum(counts[(t, s)] for s in SEVERITIES) for t in themes}
    most = max([*totals.values(), 1])
    label_w, bar_w, row_h, top = 190, 420, 28, 34
    height = top + row_h * len(themes) + 10
    parts = [
        f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 60}"'
        f' height="{height}" role="img" aria-label="findings by theme and severity">'
    ]
    x = float(label_w)
    for s in SEVERITIES:  # legend
        parts.append(f'<rect class="legend" x="{x}" y="6" width="12" height="12"'
                     f' fill="{SEVERITY_COLOURS[s]}"/>')
        parts.append(f'<text class="en" x="{x + 16}" y="16" font-size="12">{s.value}</text>')
        parts.append(f'<text class="zh" x="{x + 16}" y="16" font-size="12">'
                     f'{severity_label(s.value, Lang.ZH)}</text>')
        x += 80
    for row, theme in enumerate(themes):
        y = top + row * row_h
        en, zh = theme_label(theme, Lang.EN), theme_label(theme, Lang.ZH)
        parts.append(f'<text class="en" x="0" y="{y + 15}" font-size="13">{_e(en)}</text>')
        parts.append(f'<text class="zh" x="0" y="{y + 15}" font-size="13">{_e(zh)}</text>')
        x = float(label_w)
        for s in SEVERITIES:
            n = counts[(theme, s)]
            if not n:
                continue
            w = round(bar_w * n / most, 1)
            parts.append(
                f'<rect class="bar" data-theme="{theme}" data-severity="{s.value}"'
                f' data-count="{n}" x="{x}" y="{y}" width="{w}" height="{row_h - 8}"'
                f' fill="{SEVERITY_COLOURS[s]}"><title>{theme} / {s.value}: {n}</title>'
                "</rect>"
            )
            x += w
        parts.append(f'<text x="{x + 6}" y="{y + 15}" font-size="12">{totals[theme]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _summary_table(report: Report) -> str:
    counts = {s: 0 for s in SEVERITIES}
    for f in report.all_findings():
        counts[Severity(f.severity)] += 1
    head = "".join(f"<th>{_both(s.value, severity_label(s.value, Lang.ZH))}</th>"
                   for s in SEVERITIES)
    row = "".join(f'<td data-severity="{s.value}">{counts[s]}</td>' for s in SEVERITIES)
    total = sum(counts.values())
    return (f'<table id="totals"><tr>{head}<th>{_both("total", "合计")}</th></tr>'
            f"<tr>{row}<td>{total}</td></tr></table>")


_STATUS_TEXT = {
    FindingStatus.OPEN: ("open", "待处理"),
    FindingStatus.WAIVED: ("waived", "已豁免"),
    FindingStatus.BASELINED: ("in baseline", "基线已知"),
}


def _finding(report: GatedReport, f: Finding, path: str) -> str:
    gate = report.gate
    status = gate.status(f)
    blocking = gate.blocks(f)
    sev = str(f.severity)
    line = primary_line(f)
    cites = "; ".join(
        f'<span class="en">{_e(citation(c, Lang.EN))}</span>'
        f'<span class="zh">{_e(citation(c, Lang.ZH))}</span>'
        for c in f.citations
    )
    quotes = "".join(
        f'<blockquote class="quote" lang="zh-CN" data-law="{_e(c.law)}">'
        + "<br>".join(_e(part) for part in c.quote.splitlines()) + "</blockquote>"
        for c in f.citations if c.quote
    )
    evidence = "".join(
        f"<tr><td><code>{_e(e.path)}</code></td><td><code>{_e(show(e.value))}</code></td>"
        f"<td>{_e(f'{path}:{e.line}' if e.line else path)}</td></tr>"
        for e in f.evidence
    )
    waiver = gate.waiver_of(f)
    waiver_html = ""
    if waiver is not None:
        waiver_html = (
            f'<p class="waiver">{_both("Waived until", "豁免至")} {_e(waiver.expires)}: '
            f"{_e(waiver.justification)} ({_both('approved by', '批准人')} "
            f"{_e(waiver.approver)})</p>"
        )
    return (
        f'<article class="finding sev-{sev} {status.value}" data-rule="{_e(f.rule_id)}"'
        f' data-severity="{sev}" data-status="{status.value}"'
        f' data-blocking="{"true" if blocking else "false"}">'
        f'<h3><span class="badge">{_both(sev, severity_label(sev, Lang.ZH))}</span> '
        f"<code>{_e(f.rule_id)}</code> {_text(f.title)} "
        f'<span class="badge">{_both(*_STATUS_TEXT[status])}</span>'
        + (f' <span class="badge blocking">{_both("blocking", "阻断")}</span>' if blocking else "")
        + "</h3>"
        f"<p>{_text(f.message)}</p>"
        f'<p class="citation"><strong>{_both("Citation", "法律依据")}:</strong> {cites}</p>'
        f"{quotes}"
        f"<table class=\"evidence\"><tr><th>{_both('Field', '字段')}</th>"
        f"<th>{_both('Value', '取值')}</th><th>{_both('Where', '位置')}</th></tr>"
        f"{evidence}</table>"
        f'<p class="remediation"><strong>{_both("Remediation", "整改建议")}:</strong> '
        f"{_text(f.remediation)}</p>{waiver_html}"
        + (f'<p class="muted">{_e(path)}:{line}</p>' if line else "")
        + "</article>"
    )


def _spec(report: GatedReport, result: SpecResult) -> str:
    body = "".join(_finding(report, f, result.spec.path) for f in result.findings)
    if not result.findings:
        body = f"<p>{_both('No findings.', '无发现。')}</p>"
    if result.undetermined:
        items = "".join(
            f'<li class="undetermined" data-rule="{_e(u.rule_id)}" data-blocking='
            f'"{"true" if report.gate.blocks_undetermined(u) else "false"}">'
            f"<code>{_e(u.rule_id)}</code>"
            + (f' <span class="badge blocking">{_both("blocking", "阻断")}</span>'
               if report.gate.blocks_undetermined(u) else "")
            + f": {_e(', '.join(u.missing))}</li>"
            for u in result.undetermined
        )
        summary = _both("Undetermined (missing fields)", "证据不足（缺少字段）")
        body += f"<details><summary>{summary}</summary><ul>{items}</ul></details>"
    return (
        f'<section class="spec" data-spec="{_e(result.spec.id)}">'
        f"<h2><code>{_e(result.spec.path)}</code> ({_e(result.spec.id)})</h2>"
        f'<p class="muted">{result.summary.rules_evaluated} '
        f"{_both('rules evaluated', '条规则已评估')}</p>{body}</section>"
    )


def _gate(report: GatedReport) -> str:
    gate = report.gate
    t = report.tally()
    out = [f'<section id="gate" data-blocking="{t.blocking}" data-open="{t.open}"'
           f' data-waived="{t.waived}" data-baselined="{t.baselined}"'
           f' data-undetermined="{t.undetermined}"'
           f' data-blocking-undetermined="{t.blocking_undetermined}">'
           f'<p class="verdict"><span class="en">{_e(verdict(report, Lang.EN))}</span>'
           f'<span class="zh">{_e(verdict(report, Lang.ZH))}</span></p>']
    if gate.baseline is not None:
        b = gate.baseline
        out.append(f"<p>{_both('Baseline', '基线')} <code>{_e(b.file)}</code>: "
                   f"{b.known} known, {b.new} new, {b.fixed} fixed</p>")
    for key, en, zh, waivers in (("expired", "Expired waivers", "已过期的豁免", gate.expired),
                                 ("stale", "Stale waivers", "未匹配任何发现的豁免", gate.stale)):
        if waivers:
            items = "".join(
                f"<li><code>{_e(w.rule_id)}</code> / <code>{_e(w.spec)}</code> "
                f"({_e(w.file)}:{w.line}, {_e(w.expires)})</li>"
                for w in waivers
            )
            out.append(f'<h3>{_both(en, zh)}</h3><ul class="{key}">{items}</ul>')
    out.append("</section>")
    return "".join(out)


def render(report: Report, lang: Lang = Lang.EN) -> str:
    report = gated(report)
    html_lang = "zh-CN" if lang is Lang.ZH else "en"
    specs = "".join(_spec(report, r) for r in report.results)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}" data-lang="{lang.value}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>regtech-engine compliance report</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<header><h1>{_both('Compliance report', '合规检查报告')}</h1>"
        '<button id="lang-toggle" type="button">中文 / English</button></header>'
        f'<p class="muted">regtech-engine {_e(report.tool.version)} · '
        f"{_both('as of', '基准日')} {_e(report.as_of)} · "
        f"<code>{_e(report.tool.rules_digest)}</code></p>"
        f'<section id="summary"><h2>{_both("Summary", "概览")}</h2>'
        f"{_summary_table(report)}{_chart(report)}</section>"
        f"{_gate(report)}{specs}"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
