"""Date-versioned legal parameters (thresholds, periods, shares), as in OpenFisca.

A parameter file maps names to a list of values, each with the date it took effect and the
instrument that set it. A rule names a parameter and never repeats the number; the value used
is the one in force on the check's as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import Problem, RuleError
from ..files.doccache import read_pack_document
from ..files.yamlio import Document
from ..findings import Citation


class ParameterValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    since: dt.date
    value: bool | int | float | dt.date | str | list[str]
    citation: Citation
    note: str | None = None


class Parameter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    unit: str | None = None
    values: list[ParameterValue]

    @field_validator("values")
    @classmethod
    def _ordered(cls, values: list[ParameterValue]) -> list[ParameterValue]:
        if not values:
            raise ValueError("a parameter needs at least one value")
        dates = [v.since for v in values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("values must be listed in increasing `since` order, one per date")
        return values


@dataclass(frozen=True)
class ResolvedParameter:
    name: str
    value: Any
    since: dt.date
    citation: Citation


@dataclass
class ParameterSet:
    """All parameters known to a run, with where each was defined."""

    parameters: dict[str, Parameter]
    sources: dict[str, tuple[str, int | None]]

    def at(self, name: str, as_of: dt.date) -> ResolvedParameter | None:
        """The value in force on ``as_of``; None before the first value took effect."""
        chosen: ParameterValue | None = None
        for value in self.parameters[name].values:
            if value.since <= as_of:
                chosen = value
        if chosen is None:
            return None
        return ResolvedParameter(name, chosen.value, chosen.since, chosen.citation)

    def resolve_all(self, as_of: dt.date) -> dict[str, ResolvedParameter]:
        out = {}
        for name in self.parameters:
            resolved = self.at(name, as_of)
            if resolved is not None:
                out[name] = resolved
        return out

    def merge(self, other: ParameterSet) -> None:
        for name, param in other.parameters.items():
            if name in self.parameters:
                file, line = other.sources[name]
                first = self.sources[name]
                raise RuleError.single(
                    f"parameter `{name}` is already defined in {first[0]}", file=file, line=line
                )
            self.parameters[name] = param
            self.sources[name] = other.sources[name]


def _problems(exc: ValidationError, doc: Document, prefix: tuple[str, ...]) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        out.append(Problem(err["msg"], doc.file, doc.line_of(loc), ".".join(map(str, loc))))
    return out


def load_parameter_file(path: Path, display: str | None = None) -> ParameterSet:
    doc = read_pack_document(path, display)
    if not isinstance(doc.data, dict):
        raise RuleError.single("a parameter file is a mapping of names", file=doc.file, line=1)
    params: dict[str, Parameter] = {}
    sources: dict[str, tuple[str, int | None]] = {}
    problems: list[Problem] = []
    for name, body in doc.data.items():
        try:
            params[name] = Parameter.model_validate(body)
            sources[name] = (doc.file, doc.line_of((name,)))
        except ValidationError as exc:
            problems.extend(_problems(exc, doc, (name,)))
    if problems:
        raise RuleError(problems)
    return ParameterSet(params, sources)


def load_parameters(folder: Path) -> ParameterSet:
    merged = ParameterSet({}, {})
    if folder.is_dir():
        for file in sorted(folder.glob("*.yaml")):
            merged.merge(load_parameter_file(file))
    return merged
