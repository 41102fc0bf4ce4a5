"""Transaction monitoring: ingest -> features/windows -> durable rules -> alerts -> sinks."""

from __future__ import annotations

__all__: list[str] = []
