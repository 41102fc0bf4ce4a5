"""Scope from declared facts: which spec sections a product must describe (rules/scope.yaml).

An absent section once meant "the product does not do that", so leaving a section out
passed every rule that read it. The scope table says which declared facts bring a section
into scope. Each entry becomes a rule that fails when the section is in scope and absent
(one finding per missing section, naming the facts), and :func:`ScopeTable.adjust` turns
every other rule that reads an absent in-scope section into ``insufficient_evidence``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from ..datamodel import Frozen
from ..errors import Problem, RuleError
from ..files.doccache import read_pack_document
from ..files.yamlio import Document
from ..findings import Citation, Text
from ..spec.schema import UnknownPath, resolve
from ..vocabulary import Basis, Severity, Theme
from . import ir
from .cases import RuleTest
from .parameters import ParameterSet
from .parse import ConditionError, ConditionParser

SCOPE_FILE = "scope.yaml"


class Trigger(Frozen):
    when: Any
    because: Text


class SectionEntry(Frozen):
    """One row of the scope table, as written."""

    id: str
    theme: Theme
    severity: Severity
    basis: Basis
    citations: list[Citation] = Field(min_length=1)
    effective_from: dt.date | None = None
    in_scope_when: list[Trigger] | None = None
    title: Text
    remediation: Text
    waivable: bool = True
    tests: list[RuleTest] = Field(default_factory=list)


class ScopeFile(Frozen):
    sections: dict[str, SectionEntry]


@dataclass(frozen=True)
class Section:
    """A scope-table row with its conditions compiled; ``parent`` is the nearest section above."""

    path: str
    entry: SectionEntry
    triggers: tuple[tuple[ir.Condition, Text], ...]
    parent: str | None
    file: str
    line: int

    def condition(self) -> ir.Condition:
        """True when the section is in scope and absent: the missing-section rule's condition."""
        parts: list[ir.Condition] = [ir.Presence(path=self.path, present=False)]
        if self.parent is not None:
            parts.append(ir.Presence(path=self.parent, present=True))
        if self.triggers:
            parts.append(ir.AnyOf(conditions=tuple(t for t, _ in self.triggers)))
        return ir.AllOf(conditions=tuple(parts))


@dataclass(frozen=True)
class SectionState:
    present: bool
    in_scope: bool


Truth = bool | None
TruthOf = Any  # Callable[[ir.Condition, dict], Truth]: the reference evaluator's truth


@dataclass(frozen=True)
class ScopeTable:
    sections: dict[str, Section]

    def needed_by(self, paths: set[str]) -> list[str]:
        """The sections a rule reading ``paths`` depends on, outermost first."""
        return sorted(
            (s for s in self.sections if any(p == s or p.startswith(s + ".") for p in paths)),
            key=lambda s: (s.count("."), s),
        )

    def states(
        self, data: dict[str, Any], truth: TruthOf, as_of: dt.date, params: Collection[str]
    ) -> dict[str, SectionState]:
        """Whether each section is present, and whether declared facts put it in scope.

        A condition on a parameter not in force on ``as_of`` brings nothing into scope.
        """
        from ..engine.values import MISSING, get

        out: dict[str, SectionState] = {}
        for path in sorted(self.sections, key=lambda s: (s.count("."), s)):
            section = self.sections[path]
            present = get(data, path) is not MISSING
            parent_ok = True
            if section.parent is not None:
                p = out[section.parent]
                parent_ok = p.present or p.in_scope
            in_force = section.entry.effective_from is None or section.entry.effective_from <= as_of
            triggered = not section.triggers or any(
                truth(cond, data) is True
                for cond, _ in section.triggers
                if ir.params_used(cond).issubset(params)
            )
            out[path] = SectionState(present, in_force and parent_ok and triggered)
        return out

    def missing(self, needs: list[str], states: dict[str, SectionState]) -> list[str]:
        """The absent in-scope sections among ``needs``, outermost only (a missing section's
        subsections are missing with it)."""
        absent = [s for s in needs if not states[s].present and states[s].in_scope]
        return [s for s in absent if not any(s.startswith(m + ".") for m in absent)]


def paths_read(cond: ir.Condition, prefix: str = "") -> set[str]:
    """Every spec path a condition reads, item-relative paths made absolute."""

    def join(path: str) -> str:
        return f"{prefix}.{path}" if prefix else path

    if isinstance(cond, ir.AllOf | ir.AnyOf):
        return set().union(*(paths_read(c, prefix) for c in cond.conditions))
    if isinstance(cond, ir.Not):
        return paths_read(cond.condition, prefix)
    if isinstance(cond, ir.Quantified | ir.Count | ir.Sum):
        base = join(cond.path)
        of = {f"{base}.{cond.of}"} if isinstance(cond, ir.Sum) and cond.of != "item" else set()
        return {base} | of | paths_read(cond.where, base)
    if isinstance(cond, ir.SubsetOf):  # the joined values are read through their lists
        other = ".".join(p.strip(".") for p in cond.values_of.split("[]") if p.strip("."))
        return ({join(cond.path)} if cond.path != "item" else set()) | {other}
    path = getattr(cond, "path", None)
    out: set[str] = set() if path in (None, "item") else {join(path)}
    operand = getattr(cond, "operand", None)
    if isinstance(operand, ir.FieldRef):
        out.add(join(operand.path))
    return out


def _nearest_parent(path: str, known: set[str]) -> str | None:
    parts = path.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def load_scope(folder: Path, params: ParameterSet, laws: dict[str, Any]) -> dict[str, Section]:
    """The scope table of a pack folder (empty when it has none), validated with lines."""
    file = folder / SCOPE_FILE
    if not file.is_file():
        return {}
    doc = read_pack_document(file)
    try:
        table = ScopeFile.model_validate(doc.data)
    except ValidationError as exc:
        from .rules import validation_problems

        raise RuleError(validation_problems(exc, doc)) from None
    parser = ConditionParser(
        doc,
        params.parameters.keys(),
        {name: [v.value for v in p.values] for name, p in params.parameters.items()},
    )
    problems: list[Problem] = []
    sections: dict[str, Section] = {}
    for path, entry in table.sections.items():
        at = ("sections", path)
        try:
            resolve(path)
        except UnknownPath as exc:
            problems.append(
                Problem("scope section names no spec field", doc.file, doc.line_of(at), path, exc.hint)
            )
            continue
        problems.extend(_check_citations(entry, doc, at, laws))
        triggers: list[tuple[ir.Condition, Text]] = []
        for i, trig in enumerate(entry.in_scope_when or []):
            try:
                cond = parser.parse(trig.when, (*at, "in_scope_when", i, "when"))
            except ConditionError as exc:
                problems.append(exc.problem)
                continue
            triggers.append((cond, trig.because))
        sections[path] = Section(path, entry, tuple(triggers), None, doc.file, doc.line_of(at) or 1)
    if problems:
        raise RuleError(problems)
    known = set(sections)
    return {
        p: Section(s.path, s.entry, s.triggers, _nearest_parent(p, known), s.file, s.line)
        for p, s in sections.items()
    }


def _check_citations(
    entry: SectionEntry, doc: Document, at: tuple[str, str], laws: dict[str, Any]
) -> list[Problem]:
    from ..suggest import did_you_mean

    return [
        Problem(
            f"unknown law code `{c.law}`",
            doc.file,
            doc.line_of((*at, "citations", i, "law")),
            f"citations[{i}].law",
            did_you_mean(c.law, laws),
        )
        for i, c in enumerate(entry.citations)
        if c.law not in laws
    ]


def merge_scope(found: list[dict[str, Section]]) -> ScopeTable:
    """Scope tables of several packs as one; a section declared twice is an error."""
    out: dict[str, Section] = {}
    problems: list[Problem] = []
    for table in found:
        for path, section in table.items():
            if path in out:
                problems.append(
                    Problem(
                        f"scope section `{path}` is also declared in {out[path].file}",
                        section.file,
                        section.line,
                    )
                )
                continue
            out[path] = section
    if problems:
        raise RuleError(problems)
    known = set(out)
    return ScopeTable(
        {
            p: Section(s.path, s.entry, s.triggers, _nearest_parent(p, known), s.file, s.line)
            for p, s in out.items()
        }
    )


__all__ = ["ScopeTable", "Section", "SectionState", "load_scope", "merge_scope", "paths_read"]
