"""Reporters turn a Report into bytes in one format; they never decide outcomes."""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Report
from ..vocabulary import Lang

Renderer = Callable[[Report, Lang], str]


def renderer(name: str) -> Renderer:
    """The renderer for a ``--format`` name, imported only when used (keeps start-up light)."""
    if name == "json":
        from .json import render
    elif name == "text":
        from .text import render
    else:
        raise KeyError(name)
    return render


FORMATS = ("text", "json")
