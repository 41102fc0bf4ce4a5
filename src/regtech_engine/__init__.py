"""regtech-engine: compliance checks of fintech product specs under mainland China's rules.

The public API (docs/api.md) is what ``__all__`` names; it is imported on first use, so
``import regtech_engine`` and the command line stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "Engine": "regtech_engine.api",
    "Explanation": "regtech_engine.authoring.explain",
    "Finding": "regtech_engine.findings",
    "GatedReport": "regtech_engine.gate.decision",
    "InputError": "regtech_engine.errors",
    "Report": "regtech_engine.findings",
    "TransactionMonitor": "regtech_engine.api",
}

__all__ = [
    "Engine",
    "Explanation",
    "Finding",
    "GatedReport",
    "InputError",
    "Report",
    "TransactionMonitor",
    "__version__",
]

if TYPE_CHECKING:
    from .api import Engine, TransactionMonitor
    from .authoring.explain import Explanation
    from .errors import InputError
    from .findings import Finding, Report
    from .gate.decision import GatedReport


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'regtech_engine' has no attribute {name!r}")
