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
