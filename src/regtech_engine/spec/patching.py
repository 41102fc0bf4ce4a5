"""Changing a spec by path (``a.b[0].c``): used by rule tests, BDD tables and explain."""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        if m.start() > pos and path[pos : m.start()] not in (".", ""):
            raise ValueError(f"bad path `{path}`")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts or pos != len(path):
        raise ValueError(f"bad path `{path}`")
    return parts


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = parse_path(path)
    current: Any = data
    for part, nxt in itertools.pairwise(parts):
        container: Any = {} if isinstance(nxt, str) else []
        if isinstance(part, int):
            if not isinstance(current, list) or part > len(current):
                raise ValueError(f"`{path}`: no item {part} to change")
            if part == len(current):
                current.append(container)
            current = current[part]
        else:
            if not isinstance(current, dict):
                raise ValueError(f"`{path}`: `{part}` is not inside a section")
            if current.get(part) is None:
                current[part] = container
            current = current[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(current, list) or last > len(current):
            raise ValueError(f"`{path}`: no item {last} to change")
        if last == len(current):
            current.append(value)
        else:
            current[last] = value
    else:
        if not isinstance(current, dict):
            raise ValueError(f"`{path}`: `{last}` is not inside a section")
        current[last] = value


def unset_path(data: dict[str, Any], path: str) -> None:
    parts = parse_path(path)
    current: Any = data
    for part in parts[:-1]:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return
    last = parts[-1]
    if isinstance(current, dict):
        current.pop(last, None)
    elif isinstance(current, list) and isinstance(last, int) and last < len(current):
        current.pop(last)


def patched(base: dict[str, Any], sets: dict[str, Any], unsets: list[str]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for path in unsets:
        unset_path(data, path)
    for path, value in sets.items():
        set_path(data, path, value)
    return data
