"""The theme registry: every theme a rule may belong to, with its en/zh label.

The built-in themes are the ``Theme`` enum; their labels live in the built-in pack's
manifest (rules/pack.yaml) beside those of any theme a loaded pack declares, so reporters,
the rule reference and BDD messages show one label per theme whoever declared it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from .findings import Text
from .vocabulary import Lang, Theme

_DECLARED: dict[str, Text] = {}  # themes of packs loaded in this process


@cache
def builtin_themes() -> dict[str, Text]:
    """Built-in theme -> label, from rules/pack.yaml (every Theme member has one)."""
    from .packs import builtin_root
    from .packs.manifest import read_manifest

    labels = read_manifest(builtin_root(), "built-in").theme_labels()
    return {t.value: labels.get(t.value, Text(en=t.value, zh=t.value)) for t in Theme}


def register(themes: Mapping[str, Text]) -> None:
    """Remember the labels of themes declared by a pack that was loaded."""
    _DECLARED.update(themes)


def known_themes() -> dict[str, Text]:
    """Built-in themes in enum order, then the loaded packs' themes sorted by name."""
    out = dict(builtin_themes())
    out.update(sorted((k, v) for k, v in _DECLARED.items() if k not in out))
    return out


def theme_label(theme: str, lang: Lang | str) -> str:
    """The theme's label in ``lang``; an unregistered theme shows its name."""
    label = known_themes().get(str(theme))
    if label is None:
        return str(theme)
    return label.zh if Lang(lang) is Lang.ZH else label.en
