"""The backend interface: everything engine-specific stays behind it.

durable_rules has had no release since 2020; keeping it behind this small protocol means a
replacement engine only has to compile the same IR and answer the same question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..language import ir
from ..language.parameters import ResolvedParameter
from ..language.rules import Rule
from ..vocabulary import Outcome


@dataclass(frozen=True)
class EvaluationContext:
    """What a compiled pack is specialised for: the date and the parameters in force then."""

    as_of: dt.date
    params: Mapping[str, ResolvedParameter]

    def param(self, name: str) -> Any:
        return self.params[name].value


class CompiledRules(Protocol):
    """Rules prepared for one set of parameter values; evaluates spec data at a date.

    ``as_of`` is passed per evaluation (ages of dates depend on it) so that one compiled
    pack serves every date on which the same parameter values are in force.
    """

    def evaluate(self, data: dict[str, Any], as_of: dt.date) -> dict[str, Outcome]: ...


class CompiledDocumentRules(Protocol):
    """Named conditions over flat documents (the monitor's rules): which fire on which."""

    def fire(self, documents: list[dict[str, Any]]) -> set[tuple[str, str]]: ...

    def close(self) -> None: ...


class Backend(Protocol):
    name: str

    def compile(self, rules: list[Rule], context: EvaluationContext) -> CompiledRules: ...

    def compile_documents(
        self, conditions: Mapping[str, ir.Condition], context: EvaluationContext
    ) -> CompiledDocumentRules: ...


def get_backend(name: str) -> Backend:
    """The backend called ``name``; each is imported only when asked for."""
    if name == "reference":
        from .reference import ReferenceBackend

        return ReferenceBackend()
    if name in ("durable", "durable_rules"):
        from .durable.backend import DurableBackend

        return DurableBackend()
    from ..errors import UsageError

    raise UsageError.single(f"unknown backend `{name}` (use durable or reference)")
