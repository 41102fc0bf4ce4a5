"""Reading the values a scenario writes (severities, themes, outcomes) in English or Chinese."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from ..vocabulary import Outcome, Severity, Theme
from .messages import OUTCOME_ZH, SEVERITY_ZH, THEME_ZH, ScenarioProblem, localised

E = TypeVar("E", bound=StrEnum)

NEVER = "never"
_THEME_ALIASES = {
    "个人信息": Theme.PERSONAL_INFORMATION,
    "沙盒": Theme.SANDBOX,
    "金融科技创新监管": Theme.SANDBOX,
    "消费者保护": Theme.CONSUMER_PROTECTION,
}
_LIST_SEPARATORS = re.compile(r"\s*(?:,|，|、|\band\b|和)\s*")


def _word(raw: str, enum: type[E], zh: dict[E, str], aliases: dict[str, E], what_en: str, what_zh: str) -> E:
    text = raw.strip()
    for member in enum:
        if text.lower() == member.value or text == zh[member]:
            return member
    if text in aliases:
        return aliases[text]
    choices_en = ", ".join(m.value for m in enum)
    choices_zh = "、".join(zh[m] for m in enum)
    raise ScenarioProblem(
        "bad_value",
        value=text,
        what=localised(what_en, what_zh),
        choices=localised(choices_en, choices_zh),
    )


def severity(raw: str) -> Severity:
    return _word(raw, Severity, SEVERITY_ZH, {}, "severity", "严重程度")


def fail_on_level(raw: str) -> str:
    """A ``--fail-on`` value: a severity, or ``never``."""
    if raw.strip() in (NEVER, "从不"):
        return NEVER
    return severity(raw).value


_PACK_THEME = re.compile(r"^[a-z][a-z0-9_]*$")


def theme(raw: str) -> str:
    """A built-in theme in English or Chinese, or the name of a theme a pack declares (the
    rule pack checks it when the scenario runs)."""
    text = raw.strip()
    if _PACK_THEME.match(text) and text not in {t.value for t in Theme}:
        return text
    return _word(raw, Theme, THEME_ZH, _THEME_ALIASES, "theme", "主题")


def themes(raw: str) -> list[str]:
    return [theme(part) for part in _LIST_SEPARATORS.split(raw.strip()) if part]


def patterns(raw: str) -> list[str]:
    """Rule ids or glob patterns joined by `,` or `and`."""
    return [part for part in _LIST_SEPARATORS.split(raw.strip()) if part]


def outcome(raw: str) -> Outcome:
    return _word(raw, Outcome, OUTCOME_ZH, {}, "outcome", "结论")
