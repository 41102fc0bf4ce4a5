"""Guards against durable_rules' field-name hashing.

The engine identifies field names by a 32-bit FNV-1a hash and never compares the names, so
two names with equal hashes are one field to it. The compiler checks every name it emits.
"""

from __future__ import annotations

from typing import Any

from .driver import DurableError

_OPERATORS = {
    "$and",
    "$or",
    "$iany",
    "$iall",
    "$ex",
    "$nex",
    "$neq",
    "$lt",
    "$lte",
    "$gt",
    "$gte",
    "$mt",
    "$imt",
    "$i",
    "$m",
    "m",
    "all",
    "any",
}


def fnv1a_32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _names(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in _OPERATORS:
                out.add(key)
                out.update(key.split("."))
            _names(value, out)
    elif isinstance(node, list):
        for item in node:
            _names(item, out)


def check_collisions(definitions: list[dict[str, Any]]) -> None:
    names: set[str] = set()
    for definition in definitions:
        for rule in definition.values():
            _names(rule["all"], names)
    seen: dict[int, str] = {}
    for name in sorted(names):
        h = fnv1a_32(name)
        if h in seen and seen[h] != name:
            raise DurableError(f"field names `{seen[h]}` and `{name}` collide in durable_rules")
        seen[h] = name
