"""The registry of law codes that citations may use (rules/laws.yaml).

Kept as the stable import path; the registry and the texts live in ``regtech_engine.law``.
"""

from __future__ import annotations

from .law.registry import Law, Quote, Version, load_laws

__all__ = ["Law", "Quote", "Version", "load_laws"]
