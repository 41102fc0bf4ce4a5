"""The registry of law codes that citations may use (rules/laws.yaml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import RuleError
from .findings import Text
from .packs import builtin_root
from .yamlio import read_document


@dataclass(frozen=True)
class Law:
    code: str
    name: Text
    effective: dt.date | None
    until: dt.date | None
    note: str | None


@cache
def load_laws(path: Path | None = None) -> dict[str, Law]:
    doc = read_document(path or builtin_root() / "laws.yaml")
    if not isinstance(doc.data, dict):
        raise RuleError.single("laws file must be a mapping of codes", file=doc.file)
    laws: dict[str, Law] = {}
    for code, entry in doc.data.items():
        if not isinstance(entry, dict) or "zh" not in entry or "en" not in entry:
            raise RuleError.single(
                "each law needs `zh` and `en` names", file=doc.file, line=doc.line_of((code,))
            )
        laws[code] = Law(
            code=code,
            name=Text(en=str(entry["en"]), zh=str(entry["zh"])),
            effective=entry.get("effective"),
            until=entry.get("until"),
            note=entry.get("note"),
        )
    return laws
