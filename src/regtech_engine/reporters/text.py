"""The terminal report: grouped by spec and severity, with citations and spec lines."""

from __future__ import annotations

from itertools import groupby

from ..errors import printable
from ..findings import Finding, Report
from ..gate.decision import FindingStatus, Gate, gated
from ..law.cite import format_citation
from ..vocabulary import SEVERITIES_DESCENDING, Lang, Severity
from ._common import citations, show, verdict

_LABELS = {
    Lang.EN: {
        "findings": "findings",
        "none": "no findings",
        "undetermined": "undetermined",
        "missing": "missing",
        "fix": "fix",
        "rules": "rules evaluated",
        "total": "total",
        "line": "line",
        "blocking": "blocking",
    },
    Lang.ZH: {
        "findings": "项发现",
        "none": "无发现",
        "undetermined": "证据不足",
        "missing": "缺少",
        "fix": "整改",
        "rules": "条规则已评估",
        "total": "合计",
        "line": "行",
        "blocking": "阻断",
    },
}
_SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"}


def _severity(sev: str, lang: Lang) -> str:
    return _SEVERITY_ZH[sev] if lang is Lang.ZH else sev.upper()


def _finding(f: Finding, path: str, lang: Lang, gate: Gate) -> list[str]:
    status = gate.status(f)
    mark = "" if status is FindingStatus.OPEN else f" ({status.value})"
    if gate.blocks(f):
        mark += f" ({_LABELS[lang]['blocking']})"
    cites = (
        "；".join(format_citation(c.law, c.article, lang) for c in f.citations)
        if lang is Lang.ZH
        else citations(f, lang)
    )
    out = [
        f"  [{_severity(f.severity, lang)}]{mark} {f.rule_id}: {f.title.get(lang)}",
        f"      {f.message.get(lang)}",
        f"      {cites}",
    ]
    for e in f.evidence:
        where = f"{path}:{e.line}" if e.line else path
        out.append(f"      {where}  {e.path} = {show(e.value)}")
    out.append(f"      {_LABELS[lang]['fix']}: {f.remediation.get(lang)}")
    waiver = gate.waiver_of(f)
    if waiver is not None:
        out.append(
            f"      waived until {waiver.expires} ({waiver.file}:{waiver.line}): {waiver.justification}"
        )
    return out


def _gate_lines(gate: Gate) -> list[str]:
    out = [
        f"waiver expired on {w.expires}: {w.rule_id} on {w.spec} ({w.file}:{w.line})" for w in gate.expired
    ]
    out += [
        f"stale waiver (matches no finding): {w.rule_id} on {w.spec} ({w.file}:{w.line})" for w in gate.stale
    ]
    if gate.baseline is not None:
        b = gate.baseline
        out.append(f"baseline {b.file}: {b.known} known, {b.new} new, {b.fixed} fixed")
    if gate.baseline_refused:
        out.append(f"baseline entries refused (rule not waivable): {len(gate.baseline_refused)}")
    return out


def render(report: Report, lang: Lang = Lang.EN) -> str:
    report = gated(report)
    gate = report.gate
    labels = _LABELS[lang]
    lines: list[str] = [f"regtech-engine {report.tool.version}  as of {report.as_of}", ""]
    total = 0
    for result in report.results:
        count = len(result.findings)
        total += count
        head = f"{result.spec.path} ({result.spec.id}): "
        head += f"{count} {labels['findings']}" if count else labels["none"]
        lines.append(head + f", {result.summary.rules_evaluated} {labels['rules']}")
        for sev, group in groupby(result.findings, key=lambda f: f.severity):
            del sev
            for f in group:
                lines.extend(_finding(f, result.spec.path, lang, gate))
        if result.undetermined:
            lines.append(f"  {labels['undetermined']}:")
            for u in result.undetermined:
                mark = f" ({labels['blocking']})" if gate.blocks_undetermined(u) else ""
                sev = f"[{_severity(u.severity, lang)}] " if u.severity else ""
                lines.append(f"    {sev}{u.rule_id}{mark}: {labels['missing']} {', '.join(u.missing)}")
        lines.append("")
    counts = {s: 0 for s in SEVERITIES_DESCENDING}
    for f in report.all_findings():
        counts[Severity(f.severity)] += 1
    summary = ", ".join(f"{_severity(s.value, lang)} {n}" for s, n in counts.items() if n)
    lines.extend(_gate_lines(gate))
    lines.append(f"{labels['total']}: {total} {labels['findings']}" + (f" ({summary})" if summary else ""))
    lines.append(verdict(report, lang))
    # a value from a spec is shown as text: escape sequences and newlines never reach the
    # terminal raw (our own lines hold no control characters)
    return "\n".join(printable(line) for line in lines) + "\n"
