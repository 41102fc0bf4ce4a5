"""Imports the durable_rules C engine, first providing a symbol Python 3.13 removed."""

from __future__ import annotations

import ctypes
import importlib.util
import sys
from types import ModuleType

from ...errors import EngineUnavailable

_engine: ModuleType | None = None
SHIM = "regtech_engine.engine.durable._pycallobject"
NEEDS_SHIM = sys.version_info >= (3, 13)

ADVICE = (
    "reinstall with a C compiler available: pip install --force-reinstall --no-cache-dir "
    "regtech-engine (with GCC 14 or clang 16 and later on Python 3.13, set "
    'CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject first: README, "Installing"); '
    "meanwhile `regtech check --backend reference` runs without the C engine"
)


def shim_path() -> str | None:
    """The file of the compiled shim, or None if this install has none."""
    spec = importlib.util.find_spec(SHIM)
    return None if spec is None else spec.origin


def engine_module() -> ModuleType:
    """Return ``durable_rules_engine``, loading the 3.13 shim beforehand when needed.

    Raises EngineUnavailable, saying what failed and what to do, when either cannot load."""
    global _engine
    if _engine is None:
        if NEEDS_SHIM:
            origin = shim_path()
            if origin is None:
                raise EngineUnavailable(
                    f"regtech-engine was installed without its Python {sys.version_info.major}."
                    f"{sys.version_info.minor} shim for durable_rules ({SHIM}, compiled when "
                    f"regtech-engine is installed); {ADVICE}"
                )
            try:
                ctypes.CDLL(origin, mode=ctypes.RTLD_GLOBAL)
            except OSError as exc:
                raise EngineUnavailable(
                    f"the durable_rules shim {origin} cannot be loaded ({exc}); {ADVICE}"
                ) from None
        try:
            import durable_rules_engine
        except ImportError as exc:
            raise EngineUnavailable(
                f"the durable_rules C engine cannot be loaded ({type(exc).__name__}: {exc}); "
                f"{ADVICE.replace('regtech-engine', 'durable-rules regtech-engine', 1)}"
            ) from None

        _engine = durable_rules_engine
    return _engine
