"""A pull-request comment: totals by severity, then each spec's findings in a table.

Everything that may come from a spec (ids, paths, values, messages that quote values) goes
through ``md_text``: HTML-special characters become entities and Markdown punctuation is
backslash-escaped, so ``<script>`` or ``[x](javascript:...)`` shows as text and cannot
break a table. Only this module's own fixed strings are written as Markdown.
"""

from __future__ import annotations

import html
import re

from ..errors import printable
from ..findings import Finding, Report
from ..gate.decision import FindingStatus, Gate, GatedReport, gated
from ..vocabulary import Lang, Severity
from ._common import SEVERITIES, primary_line, quoted, severity_label, show, verdict

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:>])")
_ICONS = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def md_text(value: object) -> str:
    """Any value as inert Markdown text on one line (safe in a table cell)."""
    text = printable(" ".join(str(value).split()))  # terminal escapes shown, not sent
    text = html.escape(text, quote=False)
    # escape after html.escape so the entities' own `&`/`;` stay intact
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: object) -> str:
    """A value in a code span: backticks cannot end the span, nothing inside is markup."""
    # GFM splits table cells on `|` even inside code spans unless it is escaped
    text = printable(" ".join(str(value).split())).replace("`", "'").replace("|", "\\|")
    return f"`{text}`" if text else "` `"


_L = {
    Lang.EN: {
        "title": "Compliance check",
        "as_of": "as of",
        "spec": "Spec",
        "sev": "Severity",
        "rule": "Rule",
        "finding": "Finding",
        "where": "Where",
        "cite": "Citation",
        "fix": "Remediation",
        "status": "Status",
        "none": "No findings.",
        "total": "Total",
        "findings": "findings",
        "open": "blocking",
        "expired": "Expired waivers",
        "stale": "Stale waivers",
        "undetermined": "Undetermined (missing fields)",
        "baseline": "Baseline",
    },
    Lang.ZH: {
        "title": "合规检查",
        "as_of": "基准日",
        "spec": "产品规格",
        "sev": "严重程度",
        "rule": "规则",
        "finding": "发现",
        "where": "位置",
        "cite": "依据",
        "fix": "整改",
        "status": "状态",
        "none": "无发现。",
        "total": "合计",
        "findings": "项发现",
        "open": "阻断",
        "expired": "已过期的豁免",
        "stale": "未匹配任何发现的豁免",
        "undetermined": "证据不足（缺少字段）",
        "baseline": "基线",
    },
}
_STATUS = {
    Lang.EN: {
        FindingStatus.OPEN: "open",
        FindingStatus.WAIVED: "waived",
        FindingStatus.BASELINED: "baselined",
    },
    Lang.ZH: {
        FindingStatus.OPEN: "待处理",
        FindingStatus.WAIVED: "已豁免",
        FindingStatus.BASELINED: "基线已知",
    },
}


def _row(report: GatedReport, f: Finding, path: str, lang: Lang) -> str:
    line = primary_line(f)
    where = f"{path}:{line}" if line else path
    evidence = "; ".join(f"{e.path} = {show(e.value)}" for e in f.evidence)
    status = _STATUS[lang][report.gate.status(f)]
    if report.gate.blocks(f):
        status += f" ({_L[lang]['open']})"
    cells = [
        f"{_ICONS[str(f.severity)]} {severity_label(str(f.severity), lang)}",
        md_code(f.rule_id),
        md_text(f.message.get(lang)) + (f"<br>{md_text(evidence)}" if evidence else ""),
        md_code(where),
        md_text(("；" if lang is Lang.ZH else "; ").join(quoted(c, lang) for c in f.citations)),
        md_text(f.remediation.get(lang)),
        status,
    ]
    return "| " + " | ".join(cells) + " |"


def _gate_lines(gate: Gate, lang: Lang) -> list[str]:
    out: list[str] = []
    labels = _L[lang]
    if gate.baseline is not None:
        b = gate.baseline
        out.append(
            f"**{labels['baseline']}** {md_code(b.file)}: {b.known} known, {b.new} new, {b.fixed} fixed"
        )
    for key, waivers in (("expired", gate.expired), ("stale", gate.stale)):
        if waivers:
            out.append(f"**{labels[key]}**")
            out.extend(
                f"- {md_code(w.rule_id)} on {md_code(w.spec)} ({md_code(f'{w.file}:{w.line}')},"
                f" expires {md_text(w.expires)})"
                for w in waivers
            )
    return [*out, ""] if out else []


def render(report: Report, lang: Lang = Lang.EN) -> str:
    report = gated(report)
    labels = _L[lang]
    findings = report.all_findings()
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[Severity(f.severity)] += 1
    tally = report.tally()
    out = [
        f"## {labels['title']}: {len(findings)} {labels['findings']} ({tally.blocking} {labels['open']})",
        "",
        f"regtech-engine {md_text(report.tool.version)}, {labels['as_of']} {report.as_of}",
        "",
        f"**{md_text(verdict(report, lang))}**",
        "",
        "| "
        + " | ".join(f"{_ICONS[s.value]} {severity_label(s.value, lang)}" for s in SEVERITIES)
        + f" | {labels['total']} |",
        "|" + "---:|" * (len(SEVERITIES) + 1),
        "| " + " | ".join(str(counts[s]) for s in SEVERITIES) + f" | {len(findings)} |",
        "",
        *_gate_lines(report.gate, lang),
    ]
    for result in report.results:
        head = f"### {md_code(result.spec.path)} ({md_text(result.spec.id)})"
        out.extend([head, ""])
        if not result.findings:
            out.extend([labels["none"], ""])
        else:
            cols = ["sev", "rule", "finding", "where", "cite", "fix", "status"]
            out.append("| " + " | ".join(labels[c] for c in cols) + " |")
            out.append("|" + "---|" * len(cols))
            out.extend(_row(report, f, result.spec.path, lang) for f in result.findings)
            out.append("")
        if result.undetermined:
            out.append(f"<details><summary>{labels['undetermined']}: {len(result.undetermined)}</summary>")
            out.append("")
            out.extend(
                f"- {md_code(u.rule_id)}"
                + (f" ({labels['open']})" if report.gate.blocks_undetermined(u) else "")
                + f": {', '.join(md_code(m) for m in u.missing)}"
                for u in result.undetermined
            )
            out.extend(["", "</details>", ""])
    return "\n".join(out).rstrip("\n") + "\n"
