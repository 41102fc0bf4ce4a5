"""Imports the durable_rules C engine, first providing a symbol Python 3.13 removed."""

from __future__ import annotations

import ctypes
import importlib.util
import sys
from types import ModuleType

_engine: ModuleType | None = None


def engine_module() -> ModuleType:
    """Return ``durable_rules_engine``, loading the 3.13 shim beforehand when needed."""
    global _engine
    if _engine is None:
        if sys.version_info >= (3, 13):
            spec = importlib.util.find_spec("regtech_engine.engine.durable._pycallobject")
            if spec is None or spec.origin is None:  # pragma: no cover - broken install
                raise ImportError("regtech_engine was installed without its _pycallobject shim")
            ctypes.CDLL(spec.origin, mode=ctypes.RTLD_GLOBAL)
        import durable_rules_engine

        _engine = durable_rules_engine
    return _engine
