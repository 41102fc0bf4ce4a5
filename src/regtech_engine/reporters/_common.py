"""Small helpers every rich reporter shares: labels, citations, where a finding points."""

from __future__ import annotations

from ..findings import Citation, Finding
from ..gate.decision import GatedReport
from ..law.cite import format_citation
from ..themes import theme_label as registry_label
from ..vocabulary import SEVERITIES_DESCENDING, Lang, Severity

SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"}
SEVERITY_COLOURS = {
    Severity.CRITICAL: "#7f1d1d",
    Severity.HIGH: "#dc2626",
    Severity.MEDIUM: "#f59e0b",
    Severity.LOW: "#3b82f6",
    Severity.INFO: "#9ca3af",
}
SEVERITIES = SEVERITIES_DESCENDING


def severity_label(sev: str, lang: Lang) -> str:
    return SEVERITY_ZH[sev] if lang is Lang.ZH else sev


def theme_label(theme: str, lang: Lang) -> str:
    """From the theme registry: built-in themes and those of loaded packs."""
    return registry_label(theme, lang)


def citation(c: Citation, lang: Lang) -> str:
    """``PIPL Art. 29`` in English; 《中华人民共和国个人信息保护法》第二十九条 in Chinese."""
    return format_citation(c.law, c.article, lang)


def citations(f: Finding, lang: Lang) -> str:
    return ("；" if lang is Lang.ZH else "; ").join(citation(c, lang) for c in f.citations)


def quoted(c: Citation, lang: Lang) -> str:
    """A citation with the words it rests on, or a note that the text is not bundled."""
    if c.quote:
        return (
            f"{citation(c, lang)}：“{c.quote}”" if lang is Lang.ZH else (f"{citation(c, lang)}: “{c.quote}”")
        )
    if c.text_bundled is False:
        return (
            f"{citation(c, lang)}（未随附条文文本）"
            if lang is Lang.ZH
            else (f"{citation(c, lang)} (text not bundled)")
        )
    return citation(c, lang)


def primary_line(f: Finding) -> int | None:
    """The first evidence line: where an annotation on the spec should go."""
    return next((e.line for e in f.evidence if e.line), None)


def show(value: object) -> str:
    """A spec value as a person would write it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def verdict(report: GatedReport, lang: Lang) -> str:
    """The gate's counts in one line: what blocks under --fail-on, and what was set aside."""
    t = report.tally()
    policy = report.gate.policy
    zh = lang is Lang.ZH
    parts = [
        (
            f"阻断 {t.blocking}（--fail-on {policy.fail_on}）：发现 {t.blocking_findings}，"
            f"证据不足 {t.blocking_undetermined}"
        )
        if zh
        else (
            f"blocking: {t.blocking} at --fail-on {policy.fail_on} ({t.blocking_findings}"
            f" findings, {t.blocking_undetermined} undetermined)"
        ),
    ]
    for count, en, cn in (
        (t.open, "open", "未结"),
        (t.waived, "waived", "豁免"),
        (t.baselined, "baselined", "基线"),
        (t.undetermined, "undetermined", "证据不足共"),
    ):
        if count:
            parts.append(f"{cn} {count}" if zh else f"{en} {count}")
    if policy.allow_undetermined:
        parts.append(
            "已允许证据不足（--allow-undetermined）" if zh else "undetermined allowed (--allow-undetermined)"
        )
    return ("；" if zh else "; ").join(parts)
