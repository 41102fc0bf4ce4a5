"""The step phrases, English and Chinese side by side: one table, so the two cannot diverge.

A template is plain text with ``{name}`` slots; each slot has a parameter type below that
gives its pattern (and, for the guide, what it accepts). ``"{name}"`` is a quoted slot: the
quotes may be ASCII or Chinese (“…”, 「…」). The step code in ``steps.py`` binds one function
to each phrase key, so both wordings run the same code.

``python -m regtech_engine.bdd.phrases --markdown`` prints the phrase reference;
``--write docs/bdd-guide.md`` refreshes it in the guide.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..vocabulary import Lang

StepKind = Literal["given", "when", "then"]


@dataclass(frozen=True)
class Param:
    """A slot type: the regular expression it matches and what a reader may write there."""

    pattern: str
    accepts_en: str
    accepts_zh: str
    sample_en: str
    sample_zh: str


_SEVERITY = r"[A-Za-z]+|严重|高|中|低|提示"
_THEME = (
    r"[a-z_]+|数据安全|个人信息保护|个人信息|反垄断|金融科技创新监管|监管沙盒|沙盒|反洗钱"
    r"|消费者权益保护|消费者保护"
)

PARAMS: dict[str, Param] = {
    "file": Param(
        r"[^\"“”「」]+",
        "a path, relative to the .feature file",
        "路径，相对于 .feature 文件",
        "specs/pay.yaml",
        "specs/pay.yaml",
    ),
    "folder": Param(
        r"[^\"“”「」]+",
        "a folder, relative to the .feature file",
        "文件夹，相对于 .feature 文件",
        "my_rules",
        "my_rules",
    ),
    "base": Param(
        r"[^\"“”「」]+",
        "a base spec name (rules/bases/, or bases/ beside the feature)",
        "基础规格名（rules/bases/ 或 .feature 旁的 bases/）",
        "payment-compliant",
        "payment-compliant",
    ),
    "rule": Param(
        r"[A-Za-z0-9][A-Za-z0-9_-]*",
        "a rule id (`regtech rules list`)",
        "规则编号（见 `regtech rules list`）",
        "PIPL-029-SENSITIVE-SEPARATE-CONSENT",
        "PIPL-029-SENSITIVE-SEPARATE-CONSENT",
    ),
    "law": Param(
        r"[A-Za-z0-9][A-Za-z0-9_-]*",
        "a law code from rules/laws.yaml",
        "rules/laws.yaml 中的法律代码",
        "PIPL",
        "PIPL",
    ),
    "article": Param(
        r"[A-Za-z0-9()（）.-]+", "an article as cited (29, 5(1))", "条款号（29、5(1)）", "29", "29"
    ),
    "severity": Param(
        _SEVERITY,
        "critical, high, medium, low, info",
        "严重、高、中、低、提示（或英文）",
        "high",
        "高",
    ),
    "level": Param(
        _SEVERITY + r"|never|从不",
        "a severity, or never",
        "严重程度，或 从不（never）",
        "high",
        "高",
    ),
    "theme": Param(
        _THEME,
        "data_security, personal_information, anti_monopoly, sandbox, aml, consumer_protection",
        "数据安全、个人信息保护、反垄断、监管沙盒、反洗钱、消费者权益保护（或英文）",
        "aml",
        "反洗钱",
    ),
    "themes": Param(
        rf"(?:{_THEME})(?:\s*(?:,|，|、|\band\b|和)\s*(?:{_THEME}))*",
        "themes joined by `,` or `and`",
        "主题，以“、”或“和”分隔",
        "aml and sandbox",
        "反洗钱、监管沙盒",
    ),
    "patterns": Param(
        r"[^\"“”「」]+",
        "rule ids or glob patterns joined by `,` or `and`",
        "规则编号或通配模式，以“、”或“和”分隔",
        "PIPL-0*",
        "PIPL-0*",
    ),
    "date": Param(r"\d{4}-\d{2}-\d{2}", "a date, YYYY-MM-DD", "日期，YYYY-MM-DD", "2026-01-01", "2026-01-01"),
    "count": Param(r"\d+", "a whole number", "整数", "1", "1"),
    "status": Param(
        r"\d+",
        "0 (passes), 1 (findings at --fail-on or above)",
        "0（通过）、1（有达到 --fail-on 的问题）",
        "1",
        "1",
    ),
    "outcome": Param(
        r"fail|pass|not_applicable|insufficient_evidence|不合规|合规|不适用|证据不足",
        "fail, pass, not_applicable, insufficient_evidence",
        "不合规、合规、不适用、证据不足",
        "fail",
        "不合规",
    ),
}


@dataclass(frozen=True)
class Phrase:
    """One step: its kind, both wordings, and what block (table, docstring) it takes."""

    key: str
    kind: StepKind
    en: str
    zh: str
    help_en: str
    help_zh: str
    block: Literal["", "table", "paths", "docstring"] = ""

    def template(self, lang: Lang) -> str:
        return self.zh if lang is Lang.ZH else self.en

    def slots(self, lang: Lang) -> list[str]:
        return _SLOT.findall(self.template(lang))

    def pattern(self, lang: Lang) -> str:
        return compile_template(self.template(lang), lang)

    def sample(self, lang: Lang) -> str:
        """The template filled with sample values (for tests and the guide)."""

        def fill(m: re.Match[str]) -> str:
            p = PARAMS[m.group(1)]
            return p.sample_zh if lang is Lang.ZH else p.sample_en

        return _SLOT.sub(fill, self.template(lang))


def closest_phrases(text: str, n: int = 3) -> list[str]:
    """The step wordings (either language, with their keyword) closest to ``text``, for a
    step that matched none: a reader sees what to write instead of a bare "not found"."""
    import difflib

    scored = []
    chinese = re.search(r"[\u4e00-\u9fff]", text) is not None
    for entry in PHRASES:
        for lang in [Lang.ZH if chinese else Lang.EN]:
            template = entry.template(lang)
            ratio = difflib.SequenceMatcher(None, text.lower(), entry.sample(lang).lower()).ratio()
            keyword = _KIND_WORDS[entry.kind][0 if lang is Lang.EN else 1]
            scored.append((-ratio, f"{keyword}{'' if chinese else ' '}{template}"))
    return [wording for ratio, wording in sorted(scored)[:n] if -ratio >= 0.4]


PHRASES: tuple[Phrase, ...] = (
    # -- the product spec ------------------------------------------------------------------
    Phrase(
        "spec_file",
        "given",
        'the product spec "{file}"',
        '产品规格文件"{file}"',
        "Read a product spec file (YAML or JSON).",
        "读取产品规格文件（YAML 或 JSON）。",
    ),
    Phrase(
        "spec_inline",
        "given",
        "the product spec:",
        "产品规格如下：",
        'The spec is the docstring (`"""` block) below the step.',
        '产品规格写在步骤下方的文档字符串（`"""` 块）中。',
        "docstring",
    ),
    Phrase(
        "base_spec",
        "given",
        'the base spec "{base}"',
        '基础产品规格"{base}"',
        "Start from a named base spec.",
        "以指定的基础产品规格为起点。",
    ),
    Phrase(
        "base_spec_changed",
        "given",
        'the base spec "{base}" with these changes:',
        '基础产品规格"{base}"，修改以下字段：',
        "Start from a base spec and change fields: table `| path | value |`.",
        "以基础产品规格为起点并修改字段：表格 `| 字段 | 值 |`。",
        "table",
    ),
    Phrase(
        "change_fields",
        "given",
        "these spec fields are changed:",
        "修改产品规格的以下字段：",
        "Change fields of the spec so far: table `| path | value |`.",
        "修改当前产品规格的字段：表格 `| 字段 | 值 |`。",
        "table",
    ),
    Phrase(
        "remove_fields",
        "given",
        "these spec fields are removed:",
        "删除产品规格的以下字段：",
        "Remove fields (the spec no longer states them): table `| path |`.",
        "删除字段（产品规格不再写明）：表格 `| 字段 |`。",
        "paths",
    ),
    # -- the rules and the date ------------------------------------------------------------
    Phrase(
        "builtin_rules",
        "given",
        "the built-in rule packs",
        "使用内置规则包",
        "Check against the rule packs shipped with regtech-engine (the default).",
        "使用 regtech-engine 自带的规则包（默认）。",
    ),
    Phrase(
        "rules_folder",
        "given",
        'the rules in folder "{folder}"',
        '加上文件夹"{folder}"中的规则',
        "Add the rule packs in a folder to the built-in ones.",
        "在内置规则包之外，加上某文件夹中的规则包。",
    ),
    Phrase(
        "only_rules_folder",
        "given",
        'only the rules in folder "{folder}"',
        '只使用文件夹"{folder}"中的规则',
        "Use only the rule packs in a folder (no built-in rules).",
        "只使用某文件夹中的规则包（不用内置规则）。",
    ),
    Phrase(
        "themes",
        "given",
        "only the {themes} rules",
        "只检查{themes}规则",
        "Check only the rules of these themes.",
        "只检查这些主题的规则。",
    ),
    Phrase(
        "select_rules",
        "given",
        'only the rules matching "{patterns}"',
        '只检查匹配"{patterns}"的规则',
        "Check only these rules (ids or glob patterns), like `regtech check --select-rule`.",
        "只检查这些规则（编号或通配模式），同 `regtech check --select-rule`。",
    ),
    Phrase(
        "skip_rules",
        "given",
        'the rules matching "{patterns}" are skipped',
        '跳过匹配"{patterns}"的规则',
        "Do not check these rules (ids or glob patterns), like `regtech check --skip-rule`.",
        "不检查这些规则（编号或通配模式），同 `regtech check --skip-rule`。",
    ),
    Phrase(
        "as_of",
        "given",
        "the as-of date is {date}",
        "检查基准日为{date}",
        "Apply the law as in force on this date (default: today in Asia/Shanghai).",
        "按该日有效的规定检查（默认：北京时间今天）。",
    ),
    # -- running ---------------------------------------------------------------------------
    Phrase(
        "run",
        "when",
        "the check is run",
        "运行合规检查",
        "Check the spec. (Then-steps run it too if this step is left out.)",
        "检查产品规格。（省略此步骤时，“那么”步骤会自动运行检查。）",
    ),
    # -- expectations ----------------------------------------------------------------------
    Phrase(
        "fires",
        "then",
        "the rule {rule} fires",
        "规则{rule}触发",
        "The rule reports a finding.",
        "该规则报告了问题。",
    ),
    Phrase(
        "does_not_fire",
        "then",
        "the rule {rule} does not fire",
        "规则{rule}不触发",
        "The rule was checked and reports no finding.",
        "该规则已检查且未报告问题。",
    ),
    Phrase(
        "outcome",
        "then",
        "the outcome of rule {rule} is {outcome}",
        "规则{rule}的结论为{outcome}",
        "The rule's verdict: fail, pass, not applicable or insufficient evidence.",
        "该规则的结论：不合规、合规、不适用或证据不足。",
    ),
    Phrase(
        "finding_cites",
        "then",
        "a finding cites {law} article {article} with severity {severity} or above",
        "有问题引用{law}第{article}条且严重程度不低于{severity}",
        "Some finding cites this law and article, at this severity or worse.",
        "存在引用该法律条款、严重程度不低于所给级别的问题。",
    ),
    Phrase(
        "none_at_or_above",
        "then",
        "there are no findings of severity {severity} or above",
        "没有严重程度为{severity}及以上的问题",
        "No finding is this severe or worse.",
        "没有达到该严重程度或更严重的问题。",
    ),
    Phrase(
        "no_findings",
        "then",
        "there are no findings",
        "没有任何问题",
        "The report holds no finding at all.",
        "报告中没有任何问题。",
    ),
    Phrase(
        "theme_count",
        "then",
        "the number of {theme} findings is {count}",
        "{theme}主题的问题数为{count}",
        "Exactly this many findings of the theme.",
        "该主题的问题恰好为这个数目。",
    ),
    Phrase(
        "exit_status",
        "then",
        "the CLI would exit with status {status} with --fail-on {level}",
        "命令行以 --fail-on {level} 运行时退出码为{status}",
        "`regtech check --fail-on LEVEL` on this spec would give this exit status.",
        "对该产品规格运行 `regtech check --fail-on 级别` 时的退出码。",
    ),
)

PHRASES_BY_KEY: dict[str, Phrase] = {p.key: p for p in PHRASES}

_SLOT = re.compile(r"\{([a-z_]+)\}")
_TOKEN = re.compile(r'"\{([a-z_]+)\}"|\{([a-z_]+)\}|[:：]|[,，、]|\s+|[^"{:：,，、\s]+|.')
_QUOTE_OPEN, _QUOTE_CLOSE = '["“「]', '["”」]'


def compile_template(template: str, lang: Lang) -> str:
    """The regular expression for a template (whole step text, tolerant of spacing)."""
    space = r"\s*" if lang is Lang.ZH else r"\s+"
    out = [r"\s*"]
    for m in _TOKEN.finditer(template):
        quoted, bare, text = m.group(1), m.group(2), m.group(0)
        if quoted:
            out.append(rf"\s*{_QUOTE_OPEN}(?P<{quoted}>{PARAMS[quoted].pattern}){_QUOTE_CLOSE}\s*")
        elif bare:
            out.append(rf"\s*(?P<{bare}>{PARAMS[bare].pattern})\s*")
        elif text in (":", "："):
            out.append(r"\s*[:：]")
        elif text in (",", "，", "、"):
            out.append(r"\s*[,，、]\s*")
        elif text.isspace():
            out.append(space)
        else:
            out.append(re.escape(text))
    out.append(r"\s*")
    return "".join(out)


# -- the phrase reference for the guide ----------------------------------------------------

BEGIN, END = (
    "<!-- phrases:begin (generated: python -m regtech_engine.bdd.phrases --write) -->",
    "<!-- phrases:end -->",
)
_KIND_WORDS = {"given": ("Given", "假如"), "when": ("When", "当"), "then": ("Then", "那么")}
_BLOCKS = {
    "table": ("+ table `| path | value |`", "+ 表格 `| 字段 | 值 |`"),
    "paths": ("+ table `| path |`", "+ 表格 `| 字段 |`"),
    "docstring": ('+ `"""` docstring', '+ `"""` 文档字符串'),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The phrase tables and parameter reference, as Markdown."""
    lines = [
        "| English | 中文 | what it does / 作用 |",
        "|---|---|---|",
    ]
    for p in PHRASES:
        en_kw, zh_kw = _KIND_WORDS[p.kind]
        block_en, block_zh = _BLOCKS.get(p.block, ("", ""))
        en = f"`{_cell(f'{en_kw} {p.en}')}` {_cell(block_en)}".rstrip()
        zh = f"`{_cell(zh_kw + p.zh)}` {_cell(block_zh)}".rstrip()
        lines.append(f"| {en} | {zh} | {_cell(p.help_en)}<br>{_cell(p.help_zh)} |")
    lines += [
        "",
        "| slot | English: accepts | 中文：可写 | example / 示例 |",
        "|---|---|---|---|",
    ]
    for name, param in PARAMS.items():
        sample = (
            param.sample_en
            if param.sample_en == param.sample_zh
            else f"{param.sample_en} / {param.sample_zh}"
        )
        lines.append(
            f"| `{{{name}}}` | {_cell(param.accepts_en)} | {_cell(param.accepts_zh)} | `{_cell(sample)}` |"
        )
    return "\n".join(lines) + "\n"


def refresh(text: str) -> str:
    """``text`` with the generated block between the markers replaced by ``markdown()``."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"markers not found; the guide needs a line `{BEGIN}` and `{END}`")
    return text[: start + len(BEGIN)] + "\n\n" + markdown() + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m regtech_engine.bdd.phrases",
        description="Print or refresh the BDD step phrase reference.",
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--markdown", action="store_true", help="print the reference as Markdown")
    group.add_argument(
        "--write",
        metavar="GUIDE",
        type=Path,
        help="replace the generated block in this Markdown file",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
        return 0
    guide: Path = args.write
    guide.write_text(refresh(guide.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
