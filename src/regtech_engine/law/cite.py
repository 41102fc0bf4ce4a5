"""A citation as a reader expects it: 《中华人民共和国个人信息保护法》第二十九条, PIPL Art. 29.

One function, ``format_citation``, for every place a citation is shown to a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..vocabulary import Lang
from .numerals import format_zh
from .registry import Law, load_laws
from .texts import parse_ref

_CLAUSE = re.compile(r"^\d+(\.\d+)+$")  # a standard's clause, 6.1.1
_TRAILING_NOTE = re.compile(r"^(.*?)((?:（[^（）]*）)+)$")
# Parts of unshipped instruments cited by name rather than number (rules/laws.yaml codes).
_PARTS_ZH = {
    "scope": "适用范围",
    "safeguards": "风险防控与权益保护",
    "applicants": "申请主体",
    "test lifecycle": "测试全流程",
    "test declaration stage": "测试申报阶段",
    "test operation stage": "测试运行阶段",
    "test end stage": "测试结束阶段",
    "data security": "数据安全要求",
    "algorithm security": "算法安全要求",
    "?": "条款待核实",
}
_WHOLE = {"whole", "announcement"}


def _title_zh(law: Law) -> str:
    """《title》 with a trailing note such as （2022年修正） or a standard's number outside."""
    m = _TRAILING_NOTE.match(law.name.zh)
    title, note = (m[1], m[2]) if m else (law.name.zh, "")
    if law.number:
        note += f"（{law.number}）"
    return f"《{title}》{note}"


def _article_zh(article: str) -> str | None:
    ref = parse_ref(article)
    if ref is not None:
        out = f"第{format_zh(ref.article)}条"
        if ref.paragraph is not None:
            out += f"第{format_zh(ref.paragraph)}款"
        if ref.item is not None:
            out += f"第（{format_zh(ref.item)}）项"
        return out
    if _CLAUSE.match(article):
        return f"第{article}条"
    if article in _WHOLE:
        return ""
    return None


_PACK_LAWS: dict[str, Law] = {}


def register_laws(laws: Mapping[str, Law]) -> None:
    """The instruments of the packs loaded (a house policy cites by its own title too)."""
    _PACK_LAWS.update(laws)


def format_citation(
    law_code: str, article: str, lang: Lang | str, laws: Mapping[str, Law] | None = None
) -> str:
    """``PIPL Art. 29`` in English; ``《中华人民共和国个人信息保护法》第二十九条`` in Chinese
    (第二款 for a paragraph, 第（一）项 for an item, 第6.1.1条 for a standard's clause)."""
    registry = laws if laws is not None else ({**load_laws(), **_PACK_LAWS} if _PACK_LAWS else load_laws())
    if str(lang) != Lang.ZH.value:
        return f"{law_code} Art. {article}" if article[:1].isdigit() else f"{law_code} ({article})"
    law = registry.get(law_code)
    title = _title_zh(law) if law is not None else f"{law_code} "
    part = _article_zh(article)
    if part is None:
        return f"{title}（{_PARTS_ZH.get(article, article)}）"
    return title + part
