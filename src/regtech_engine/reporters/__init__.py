"""Reporters turn a Report into bytes in one format; they never decide outcomes."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..findings import Report
from ..vocabulary import Lang

Renderer = Callable[[Report, Lang], str]

# format name -> module; a module is imported only when its format is used (fast start-up)
_MODULES = {
    "text": "text",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
}


def renderer(name: str) -> Renderer:
    """The renderer for a ``--format`` name, imported only when used (keeps start-up light)."""
    if name not in _MODULES:
        raise KeyError(name)
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    render: Renderer = module.render
    return render


FORMATS = tuple(_MODULES)
