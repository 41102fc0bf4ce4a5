"""Rendering a rule change's impact: text for a terminal, Markdown for a PR, JSON for tools."""

from __future__ import annotations

import orjson

from ..gate.impact import Change, FindingChange, Impact
from ..vocabulary import Lang
from ._common import severity_label
from .markdown import md_code, md_text

IMPACT_FORMATS = ("text", "markdown", "json")
_VERB = {
    Lang.EN: {
        Change.APPEARS: "appears",
        Change.DISAPPEARS: "disappears",
        Change.SEVERITY: "severity changes",
    },
    Lang.ZH: {Change.APPEARS: "新增", Change.DISAPPEARS: "消失", Change.SEVERITY: "严重程度变化"},
}
_ICON = {Change.APPEARS: "➕", Change.DISAPPEARS: "➖", Change.SEVERITY: "🔁"}


def _severity(c: FindingChange, lang: Lang) -> str:
    before = severity_label(str(c.before), lang) if c.before else ""
    after = severity_label(str(c.after), lang) if c.after else ""
    if c.change is Change.SEVERITY:
        return f"{before} → {after}"
    return after or before


def _totals(impact: Impact, lang: Lang) -> str:
    return ", ".join(f"{impact.count(k)} {_VERB[lang][k]}" for k in Change)


def render_text(impact: Impact, lang: Lang = Lang.EN) -> str:
    r = impact.rules
    lines = [
        f"rule change impact as of {impact.as_of}: {_totals(impact, lang)}",
        f"rules: {len(r.added)} added, {len(r.removed)} removed, {len(r.modified)} modified",
        "",
    ]
    for spec in impact.specs:
        if not spec.changes:
            continue
        lines.append(f"{spec.spec.path} ({spec.spec.id})")
        for c in spec.changes:
            where = f"{spec.spec.path}:{c.line}" if c.line else spec.spec.path
            lines.append(
                f"  {_VERB[lang][c.change]:<16} [{_severity(c, lang)}] {c.rule_id}:"
                f" {c.title.get(lang)}  ({where})"
            )
        lines.append("")
    unchanged = sum(1 for s in impact.specs if not s.changes)
    lines.append(f"{unchanged} of {len(impact.specs)} specs unchanged")
    return "\n".join(lines) + "\n"


def render_markdown(impact: Impact, lang: Lang = Lang.EN) -> str:
    r = impact.rules
    out = [
        f"## Rule change impact: {_totals(impact, lang)}",
        "",
        f"As of {impact.as_of}. Rules: {len(r.added)} added, {len(r.removed)} removed,"
        f" {len(r.modified)} modified.",
        "",
    ]
    for label, ids in (("Added", r.added), ("Removed", r.removed), ("Modified", r.modified)):
        if ids:
            out.append(f"- **{label}**: " + ", ".join(md_code(i) for i in ids))
    if r.added or r.removed or r.modified:
        out.append("")
    for spec in impact.specs:
        if not spec.changes:
            continue
        out.extend(
            [
                f"### {md_code(spec.spec.path)} ({md_text(spec.spec.id)})",
                "",
                "| Change | Severity | Rule | Finding | Line |",
                "|---|---|---|---|---:|",
            ]
        )
        out.extend(
            f"| {_ICON[c.change]} {_VERB[lang][c.change]} | {_severity(c, lang)} |"
            f" {md_code(c.rule_id)} | {md_text(c.title.get(lang))} | {c.line or ''} |"
            for c in spec.changes
        )
        out.append("")
    unchanged = sum(1 for s in impact.specs if not s.changes)
    out.append(f"{unchanged} of {len(impact.specs)} specs unchanged.")
    return "\n".join(out) + "\n"


def render_json(impact: Impact, lang: Lang = Lang.EN) -> str:
    return orjson.dumps(impact.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode() + "\n"


def render_impact(impact: Impact, fmt: str, lang: Lang = Lang.EN) -> str:
    renderers = {"text": render_text, "markdown": render_markdown, "json": render_json}
    return renderers[fmt](impact, lang)
