"""Test cases as data, written beside each rule (and each scope-table entry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from ..datamodel import Frozen
from ..vocabulary import Outcome


class RuleTest(Frozen):
    """A test case as data: a spec (or a base spec plus changes), an as-of date, an outcome."""

    name: str
    base: str | None = None
    spec: dict[str, Any] | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    unset: list[str] = Field(default_factory=list)
    as_of: dt.date
    expect: Outcome
