"""``regtech explain SPEC RULE_ID``: why a rule fired or not, and what would fix it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ..authoring.explain import ConditionLine, Explanation
from ..authoring.explain import explain as explain_rule
from ..check import Checker
from ..errors import UsageError, printable
from ..law.cite import format_citation
from ..reporters._common import show
from ..spec.loader import load_spec
from ..suggest import did_you_mean
from ..vocabulary import Lang
from .common import as_of_option, lang_option, load_rules, rules_option

_WORDS = {
    Lang.EN: {
        "outcome": "Outcome",
        "not_in_force": "the rule is not in force on",
        "applies": "Applies when",
        "when": "Fails when",
        "params": "Parameters in force",
        "since": "since",
        "missing": "Missing fields",
        "fix": "Smallest change to pass (controls only)",
        "nofix": "No change to a control alone makes it pass; see the remediation.",
        "remediation": "Remediation",
        "cites": "Cited",
        "not_bundled": "(text not bundled: see the rule's notes for its source)",
        True: "true",
        False: "false",
        None: "unknown",
        "line": "line",
        "absent": "absent",
        "present": "(present)",
        "fail": "FAIL (finding)",
        "pass": "PASS",
        "not_applicable": "NOT APPLICABLE",
        "insufficient_evidence": "INSUFFICIENT EVIDENCE",
    },
    Lang.ZH: {
        "outcome": "结论",
        "not_in_force": "该规则在此日期不适用：",
        "applies": "适用条件",
        "when": "违规条件",
        "params": "生效参数",
        "since": "自",
        "missing": "缺少字段",
        "fix": "使其通过的最小修改（仅限控制措施）",
        "nofix": "仅修改控制措施无法使其通过，请参见整改建议。",
        "remediation": "整改建议",
        "cites": "法律依据",
        "not_bundled": "（未随附条文文本：来源见规则说明）",
        True: "成立",
        False: "不成立",
        None: "未知",
        "line": "行",
        "absent": "缺失",
        "present": "（已填写）",
        "fail": "不通过（发现问题）",
        "pass": "通过",
        "not_applicable": "不适用",
        "insufficient_evidence": "证据不足",
    },
}


def _lines(lines: list[ConditionLine], words: dict[Any, str]) -> list[str]:
    out = []
    for line in lines:
        pad = "  " * (line.depth + 1)
        out.append(f"{pad}[{words[line.truth]}] {line.text}")
        for path, value, number in line.values:
            where = f" ({words['line']} {number})" if number else ""
            if value is None:
                shown = words["absent"]
            elif isinstance(value, dict | list):
                shown = words["present"]
            else:
                shown = show(value)
            out.append(f"{pad}    {path} = {shown}{where}")
    return out


def render(result: Explanation, lang: Lang) -> str:
    w = _WORDS[lang]
    rule = result.rule
    out = [
        f"{rule.id}: {rule.body.title.get(lang)}",
        f"{w['outcome']}: {w[result.outcome.value]}  (as of {result.as_of})",
    ]
    if not result.in_force:
        out.append(f"  {w['not_in_force']} {result.as_of}")
    if result.applies:
        out.append(f"{w['applies']}:")
        out.extend(_lines(result.applies, w))
    out.append(f"{w['when']}:")
    out.extend(_lines(result.lines, w))
    if result.parameters:
        out.append(f"{w['params']}:")
        for p in result.parameters:
            out.append(
                f"  {p.name} = {show(p.value)}  ({w['since']} {p.since}, "
                f"{p.citation.law} {p.citation.article})"
            )
    if result.missing:
        out.append(f"{w['missing']}: {', '.join(result.missing)}")
    if result.outcome.value == "fail":
        out.append(f"{w['fix']}:")
        if result.fix:
            for change in result.fix:
                new = w["absent"] if change.new is None else show(change.new)
                out.append(f"  {change.path}: {show(change.old)} -> {new}")
        else:
            out.append(f"  {w['nofix']}")
        out.append(f"{w['remediation']}: {rule.body.remediation.get(lang)}")
    if result.citations:
        out.append(f"{w['cites']}:")
        for c in result.citations:
            out.append(f"  {format_citation(c.law, c.article, lang)}")
            out.append(f"    {c.quote}" if c.quote else f"    {w['not_bundled']}")
    return "\n".join(printable(line) for line in out) + "\n"  # spec values stay text


@click.command()
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("rule_id")
@as_of_option
@rules_option
@lang_option
def explain(spec: Path, rule_id: str, as_of: dt.date, rules_dirs: tuple[Path, ...], lang: str) -> None:
    """Explain why RULE_ID fires or not on SPEC."""
    pack = load_rules(rules_dirs)
    rules = pack.by_id()
    if rule_id not in rules:
        raise UsageError.single(f"no rule `{rule_id}`", hint=did_you_mean(rule_id, rules))
    loaded = load_spec(spec, model=pack.spec_model)
    result = explain_rule(Checker(pack, as_of), loaded, rules[rule_id])
    click.echo(render(result, Lang(lang)), nl=False)
