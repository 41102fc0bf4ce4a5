"""What a failing step says, in the scenario's language: expected, actual, and the report.

Steps raise ``ScenarioProblem(key, **fields)``; the step wrapper renders it in the feature's
language and fails the test with that text alone (no Python traceback for a reader to wade
through). A field may be a function of the language, for parts such as the findings list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..findings import Citation, Finding, Report
from ..vocabulary import Lang, Outcome, Severity, Theme

Field = str | int | Callable[[Lang], str]

SEVERITY_ZH = {
    Severity.CRITICAL: "严重",
    Severity.HIGH: "高",
    Severity.MEDIUM: "中",
    Severity.LOW: "低",
    Severity.INFO: "提示",
}
THEME_ZH = {
    Theme.DATA_SECURITY: "数据安全",
    Theme.PERSONAL_INFORMATION: "个人信息保护",
    Theme.ANTI_MONOPOLY: "反垄断",
    Theme.SANDBOX: "监管沙盒",
    Theme.AML: "反洗钱",
    Theme.CONSUMER_PROTECTION: "消费者权益保护",
}
OUTCOME_ZH = {
    Outcome.FAIL: "不合规",
    Outcome.PASS: "合规",
    Outcome.NOT_APPLICABLE: "不适用",
    Outcome.INSUFFICIENT_EVIDENCE: "证据不足",
}

MESSAGES: dict[str, tuple[str, str]] = {
    # -- setting up the scenario ---------------------------------------------------------
    "no_spec": (
        'No product spec yet: begin with a step such as `Given the product spec "…"` or '
        '`Given the base spec "…"`.',
        '尚未给出产品规格：请先写“假如产品规格文件"…"”或“假如基础产品规格"…"”等步骤。',
    ),
    "spec_invalid": (
        "The product spec is not valid:\n{problems}{changes}",
        "产品规格无效：\n{problems}{changes}",
    ),
    "changes_note": (
        "\n(fields were changed by the step at {where})",
        "\n（字段由 {where} 处的步骤修改）",
    ),
    "bad_change": (
        "Cannot change the product spec (step at {where}): {error}",
        "无法修改产品规格（{where} 处的步骤）：{error}",
    ),
    "table_shape": (
        "The table at {where} needs {columns} column(s), `{header}`; row {row} has {found}.",
        "{where} 处的表格需要 {columns} 列（`{header}`）；第 {row} 行有 {found} 列。",
    ),
    "unknown_base": (
        'There is no base spec named "{name}"{hint}. Known base specs: {known}.',
        "没有名为“{name}”的基础产品规格{hint}。已有的基础产品规格：{known}。",
    ),
    "rules_invalid": (
        "The rule packs could not be loaded:\n{problems}",
        "规则包加载失败：\n{problems}",
    ),
    "bad_value": (
        '"{value}" is not a {what}; use one of: {choices}.',
        "“{value}”不是有效的{what}；可选：{choices}。",
    ),
    "unknown_rule": (
        "There is no rule {rule} in the rule packs{hint}.",
        "规则包中没有规则 {rule}{hint}。",
    ),
    "rule_not_checked": (
        "Rule {rule} was not checked: it belongs to the {theme} theme and the scenario checks only {themes}.",
        "规则 {rule} 未被检查：它属于{theme}主题，而本场景只检查{themes}。",
    ),
    "rule_not_selected": (
        "Rule {rule} was not checked: the scenario skips it or selects only other rules.",
        "规则 {rule} 未被检查：本场景跳过了它，或只检查其他规则。",
    ),
    "bad_selection": (
        "{error}",
        "{error}",
    ),
    "unknown_law": (
        "There is no law code {law} in rules/laws.yaml{hint}.",
        "rules/laws.yaml 中没有法律代码 {law}{hint}。",
    ),
    # -- expectations ----------------------------------------------------------------------
    "expected_fire": (
        "Expected rule {rule} to fire, but its outcome was: {outcome}.\n{report}",
        "期望规则 {rule} 触发，但其结论为：{outcome}。\n{report}",
    ),
    "expected_no_fire": (
        "Expected rule {rule} not to fire, but it did: {message}\n{report}",
        "期望规则 {rule} 不触发，但它触发了：{message}\n{report}",
    ),
    "expected_outcome": (
        "Expected the outcome of rule {rule} to be {expected}, but it was: {outcome}.\n{report}",
        "期望规则 {rule} 的结论为{expected}，但实际为：{outcome}。\n{report}",
    ),
    "expected_citation": (
        "Expected a finding citing {citation} with severity {severity} or above, "
        "but there is none.\n{report}",
        "期望有问题引用{citation}且严重程度不低于{severity}，但没有。\n{report}",
    ),
    "expected_none_at_or_above": (
        "Expected no findings of severity {severity} or above, but there are {count}.\n{report}",
        "期望没有严重程度为{severity}及以上的问题，但有 {count} 个。\n{report}",
    ),
    "expected_no_findings": (
        "Expected no findings, but there are {count}.\n{report}",
        "期望没有任何问题，但有 {count} 个。\n{report}",
    ),
    "expected_theme_count": (
        "Expected {expected} {theme} finding(s), but there are {count}.\n{report}",
        "期望{theme}主题的问题数为 {expected}，但实际为 {count}。\n{report}",
    ),
    "expected_exit": (
        "Expected `regtech check --fail-on {level}` to exit with status {expected}, "
        "but it would exit with {status}.\n{report}",
        "期望 `regtech check --fail-on {level}` 的退出码为 {expected}，但实际为 {status}。\n{report}",
    ),
}


class ScenarioProblem(Exception):
    """A step cannot do what the scenario asks, or its expectation does not hold."""

    def __init__(self, key: str, **fields: Field) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def render(self, lang: Lang) -> str:
        en, zh = MESSAGES[self.key]
        values = {k: v(lang) if callable(v) else v for k, v in self.fields.items()}
        return (zh if lang is Lang.ZH else en).format(**values)

    def __str__(self) -> str:
        return self.render(Lang.EN)


def localised(en: str, zh: str) -> Callable[[Lang], str]:
    return lambda lang: zh if lang is Lang.ZH else en


def message(key: str, **fields: Field) -> Callable[[Lang], str]:
    """A message from the table as a field of another message."""
    return lambda lang: ScenarioProblem(key, **fields).render(lang)


def severity_label(severity: Severity, lang: Lang) -> str:
    return SEVERITY_ZH[severity] if lang is Lang.ZH else severity.value


def theme_label(theme: str, lang: Lang) -> str:
    """A built-in theme's short label; a pack's theme by the theme registry."""
    if theme in THEME_ZH:
        return THEME_ZH[Theme(theme)] if lang is Lang.ZH else str(theme)
    from ..themes import theme_label as registry_label

    return registry_label(theme, lang) if lang is Lang.ZH else str(theme)


def outcome_label(outcome: Outcome, lang: Lang) -> str:
    return OUTCOME_ZH[outcome] if lang is Lang.ZH else outcome.value.replace("_", " ")


def citation_label(citation: Citation, lang: Lang) -> str:
    if lang is Lang.ZH:
        return f"{citation.law} 第{citation.article}条"
    return f"{citation.law} Art. {citation.article}"


def join(items: Iterable[str], lang: Lang) -> str:
    return ("、" if lang is Lang.ZH else ", ").join(items)


def describe_finding(finding: Finding, lang: Lang) -> str:
    cites = "; ".join(citation_label(c, lang) for c in finding.citations)
    return f"{finding.rule_id}  [{severity_label(Severity(finding.severity), lang)}]  {cites}"


def describe_report(report: Report) -> Callable[[Lang], str]:
    """What the report held: every finding (rule, severity, citations) and undecided rules."""

    def render(lang: Lang) -> str:
        zh = lang is Lang.ZH
        findings = report.all_findings()
        checked = sum(r.summary.rules_evaluated for r in report.results)
        if zh:
            head = f"报告（基准日 {report.as_of}，检查了 {checked} 条规则）"
            head += f"中有 {len(findings)} 个问题：" if findings else "中没有问题。"
        else:
            head = f"The report (as of {report.as_of}, {checked} rules checked) "
            head += f"holds {len(findings)} finding(s):" if findings else "holds no findings."
        lines = [head, *(f"  - {describe_finding(f, lang)}" for f in findings)]
        undecided = [u for r in report.results for u in r.undetermined]
        if undecided:
            lines.append(
                "证据不足、无法判断的规则：" if zh else "Rules that could not decide (insufficient evidence):"
            )
            for u in undecided:
                missing = join(u.missing, lang)
                lines.append(
                    f"  - {u.rule_id}（缺少：{missing}）" if zh else f"  - {u.rule_id} (missing: {missing})"
                )
        return "\n".join(lines)

    return render
