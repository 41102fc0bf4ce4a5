"""The one base of immutable, strict data models (findings, reports, rules, IR)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, and unknown fields are errors: data, not behaviour."""

    model_config = ConfigDict(extra="forbid", frozen=True)
