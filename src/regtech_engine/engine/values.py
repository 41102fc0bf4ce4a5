"""How spec values are read for evaluation: absent fields, dates, numbers.

Shared by both backends so that they agree on what a value *is*; each decides for itself
what a condition on it means.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..spec.models import ProductSpec

MISSING: Any = object()
ITEM = "item"  # in a quantifier over a list of plain values, the value itself
FLOAT_SCALE = 1_000_000  # shares and other fractions are compared at 1e-6 precision


def spec_values(model: ProductSpec) -> dict[str, Any]:
    """The spec as plain data with YAML key names; absent or null fields are left out."""
    return model.model_dump(by_alias=True, exclude_none=True)


def get(data: Any, path: str) -> Any:
    """The value at a dotted path, or MISSING. ``item`` is a scalar list item itself."""
    if path == ITEM:
        return data
    current = data
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return MISSING
        current = current[part]
    return current


def quantise(value: Any) -> Any:
    """Floats become integers in millionths, identically for both backends."""
    if isinstance(value, float):
        return round(value * FLOAT_SCALE)
    return value


def age_days(value: dt.date, as_of: dt.date) -> int:
    return (as_of - value).days


Key = tuple[Any, ...]
# the values found through lists with their key paths, and the items that lack the field
Found = tuple[list[tuple[Key, Any]], list[Key]]


def values_through(data: Any, path: str) -> Found | None:
    """The values at ``a.list[].field`` with their key paths, and the paths of items that do
    not state the field; None when a list on the way is absent at the top (nothing declared).

    A field that is itself a list of values contributes each value. Shared by both backends
    so that a join reads the same values in each (``subset_of``)."""
    parts = [p.strip(".") for p in path.split("[]")]
    found: list[tuple[Key, Any]] = [((), data)]
    missing: list[Key] = []
    for n, part in enumerate(parts):
        nxt: list[tuple[Key, Any]] = []
        for at, value in found:
            inner = get(value, part) if part else value
            key = (*at, *part.split(".")) if part else at
            if inner is MISSING:
                if n == 0:
                    return None
                missing.append(key)
                continue
            if n < len(parts) - 1 or isinstance(inner, list):
                nxt.extend(((*key, i), v) for i, v in enumerate(inner))
            else:
                nxt.append((key, inner))
        found = nxt
    return found, missing


def subset(left: Any, right: Found | None) -> tuple[bool | None, list[int]]:
    """Whether every value of ``left`` (a list or one value) is among ``right``'s values:
    True, False or None (unknown), and the indexes of the left values not found."""
    if left is MISSING:
        return None, []
    values = left if isinstance(left, list) else [left]
    if not values:
        return True, []
    if right is None:
        return None, []
    known = {quantise(v) for _, v in right[0]}
    unmatched = [i for i, v in enumerate(values) if quantise(v) not in known]
    if not unmatched:
        return True, []
    return (None if right[1] else False), unmatched
