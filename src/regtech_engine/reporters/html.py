"""A self-contained HTML page for a compliance committee: opens offline, in zh or en.

The chart of findings by theme and severity is inline SVG computed here, so it needs no
script or network. Both languages are in the page; a few lines of inline JS switch which
one CSS shows. Every value is escaped with ``html.escape``, and a Content-Security-Policy
allows only the page's own script (by hash), so a product named ``<script>...`` is text
and could not run even if escaping were ever missed. The page is a Jinja2 template
(templates/report.html) with autoescaping on: values are never formatted into HTML by hand.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from ..errors import printable
from ..findings import Finding, Report, SpecResult
from ..gate.decision import FindingStatus, GatedReport, gated
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
    "script-src 'sha256-" + base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode() + "'"
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


def _chart(report: Report) -> dict[str, Any]:
    """Horizontal stacked bars: one row per theme, one segment per severity."""
    # built-in themes always, a pack's theme when it has findings
    themes = [*map(str, Theme), *sorted({str(f.theme) for f in report.all_findings()} - set(Theme))]
    counts = {(t, s): 0 for t in themes for s in SEVERITIES}
    for f in report.all_findings():
        counts[(str(f.theme), Severity(f.severity))] += 1
    totals = {t: sum(counts[(t, s)] for s in SEVERITIES) for t in themes}
    most = max([*totals.values(), 1])
    label_w, bar_w, row_h, top = 190, 420, 28, 34
    legend = [
        {
            "x": float(label_w + 80 * i),
            "colour": SEVERITY_COLOURS[s],
            "en": s.value,
            "zh": severity_label(s.value, Lang.ZH),
        }
        for i, s in enumerate(SEVERITIES)
    ]
    rows = []
    for row, theme in enumerate(themes):
        x = float(label_w)
        bars = []
        for s in SEVERITIES:
            n = counts[(theme, s)]
            if n:
                w = round(bar_w * n / most, 1)
                bars.append(
                    {"severity": s.value, "count": n, "x": x, "width": w, "colour": SEVERITY_COLOURS[s]}
                )
                x += w
        rows.append(
            {
                "theme": theme,
                "y": top + row * row_h,
                "en": theme_label(theme, Lang.EN),
                "zh": theme_label(theme, Lang.ZH),
                "bars": bars,
                "end": x,
                "total": totals[theme],
            }
        )
    return {
        "width": label_w + bar_w + 60,
        "height": top + row_h * len(themes) + 10,
        "bar_height": row_h - 8,
        "legend": legend,
        "rows": rows,
    }


_STATUS_TEXT = {
    FindingStatus.OPEN: ("open", "待处理"),
    FindingStatus.WAIVED: ("waived", "已豁免"),
    FindingStatus.BASELINED: ("in baseline", "基线已知"),
}


def _finding(report: GatedReport, f: Finding, path: str) -> dict[str, Any]:
    gate = report.gate
    status = gate.status(f)
    line = primary_line(f)
    return {
        "rule_id": f.rule_id,
        "severity": str(f.severity),
        "severity_zh": severity_label(str(f.severity), Lang.ZH),
        "status": status.value,
        "status_en": _STATUS_TEXT[status][0],
        "status_zh": _STATUS_TEXT[status][1],
        "blocking": gate.blocks(f),
        "title": f.title,
        "message": f.message,
        "remediation": f.remediation,
        "citations": [
            {
                "law": c.law,
                "en": citation(c, Lang.EN),
                "zh": citation(c, Lang.ZH),
                "quote": c.quote.splitlines() if c.quote else None,
            }
            for c in f.citations
        ],
        "evidence": [
            {"path": e.path, "value": show(e.value), "where": f"{path}:{e.line}" if e.line else path}
            for e in f.evidence
        ],
        "waiver": gate.waiver_of(f),
        "line": line,
    }


def _spec(report: GatedReport, result: SpecResult) -> dict[str, Any]:
    return {
        "id": result.spec.id,
        "path": result.spec.path,
        "rules_evaluated": result.summary.rules_evaluated,
        "findings": [_finding(report, f, result.spec.path) for f in result.findings],
        "undetermined": [
            {
                "rule_id": u.rule_id,
                "missing": ", ".join(u.missing),
                "blocking": report.gate.blocks_undetermined(u),
            }
            for u in result.undetermined
        ],
    }


def _shown(value: Any) -> Any:
    """Every value printed: control characters escaped (our own markup passes as it is)."""
    return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@cache
def _template() -> Template:
    environment = Environment(
        loader=PackageLoader("regtech_engine.reporters", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    return environment.get_template("report.html")


def render(report: Report, lang: Lang = Lang.EN) -> str:
    report = gated(report)
    counts = {s: 0 for s in SEVERITIES}
    for f in report.all_findings():
        counts[Severity(f.severity)] += 1
    gate = report.gate
    return _template().render(
        html_lang="zh-CN" if lang is Lang.ZH else "en",
        lang=lang.value,
        csp=Markup(_CSP),
        style=Markup(_STYLE),
        script=Markup(_SCRIPT),  # our own constants, not data
        version=report.tool.version,
        as_of=report.as_of,
        digest=report.tool.rules_digest,
        severities=[
            {"en": s.value, "zh": severity_label(s.value, Lang.ZH), "count": counts[s]} for s in SEVERITIES
        ],
        total=sum(counts.values()),
        chart=_chart(report),
        tally=report.tally(),
        verdict_en=verdict(report, Lang.EN),
        verdict_zh=verdict(report, Lang.ZH),
        baseline=gate.baseline,
        waiver_groups=[
            {"key": "expired", "en": "Expired waivers", "zh": "已过期的豁免", "waivers": gate.expired},
            {"key": "stale", "en": "Stale waivers", "zh": "未匹配任何发现的豁免", "waivers": gate.stale},
        ],
        specs=[_spec(report, r) for r in report.results],
    )
