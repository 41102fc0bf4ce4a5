"""regtech-engine: compliance checks of fintech product specs under mainland China's rules."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
