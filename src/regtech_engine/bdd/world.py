"""One scenario's state: the spec and rule choices the Given steps make, and the report.

Everything here goes through the public API (spec loading, patching, rule packs, Checker),
so a scenario checks exactly what ``regtech check`` would check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..authoring.ruletests import base_specs
from ..check import Checker
from ..errors import InputError, Problem
from ..files.yamlio import Document, parse_text, read_document
from ..findings import Report
from ..language.rules import RulePack, load_pack
from ..spec.loader import LoadedSpec, spec_from_document
from ..spec.patching import patched
from ..suggest import did_you_mean
from ..timezone import today_in_shanghai
from ..vocabulary import Lang, Outcome
from .messages import ScenarioProblem, join, localised, message, theme_label

VALUE_HEADERS = (("path", "value"), ("字段", "值"))
PATH_HEADERS = (("path",), ("字段",))


@cache
def _pack(folders: tuple[Path, ...], builtin: bool) -> RulePack:
    """Rule packs are read once per run: scenarios differ in specs, not in rule files."""
    return load_pack(list(folders), builtin=builtin)


def _problems(exc: InputError) -> str:
    return "\n".join(f"  {p.render()}" for p in exc.problems)


def _display(path: Path) -> str:
    relative = os.path.relpath(path, Path.cwd())
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


@dataclass
class World:
    """What one scenario has set up so far; Then-steps ask it for the report."""

    feature_dir: Path = field(default_factory=Path.cwd)
    feature_name: str = "<scenario>"
    lang: Lang = Lang.EN
    step_line: int | None = None
    document: Document | None = None
    changed_at: list[str] = field(default_factory=list)
    rule_dirs: list[Path] = field(default_factory=list)
    builtin: bool = True
    themes: list[str] = field(default_factory=list)
    select_rules: list[str] = field(default_factory=list)
    skip_rules: list[str] = field(default_factory=list)
    as_of: dt.date | None = None
    _report: Report | None = None

    # -- where we are ----------------------------------------------------------------------
    def begin(self, feature_file: Path, language: str) -> None:
        self.feature_dir = feature_file.parent
        self.feature_name = _display(feature_file)
        self.lang = Lang.ZH if language.lower().startswith("zh") else Lang.EN

    def where(self) -> str:
        return f"{self.feature_name}:{self.step_line}" if self.step_line else self.feature_name

    def _changed(self) -> None:
        self._report = None

    # -- the product spec ------------------------------------------------------------------
    def use_spec_file(self, relative: str) -> None:
        path = self.feature_dir / relative
        self._use(lambda: read_document(path, _display(path)))

    def use_inline_spec(self, text: str) -> None:
        # The docstring's first line is two lines below the step (after the opening """).
        offset = (self.step_line or 0) + 1

        def parse() -> Document:
            try:
                doc = parse_text(text, self.feature_name)
            except InputError as exc:
                exc.problems[:] = [_shift(p, offset) for p in exc.problems]
                raise
            return Document(doc.data, {k: v + offset for k, v in doc.lines.items()}, doc.file)

        self._use(parse)

    def use_base(self, name: str) -> None:
        bases = base_specs([self.feature_dir, *self.rule_dirs])
        if name not in bases:
            hint = did_you_mean(name, bases)
            raise ScenarioProblem(
                "unknown_base",
                name=name,
                hint=f" ({hint})" if hint else "",
                known=lambda lang: join(sorted(bases), lang),
            )
        base = bases[name]
        self.document = Document(base.data, dict(base.lines), _display(Path(base.file)))
        self.changed_at = []
        self._changed()

    def _use(self, read: Any) -> None:
        try:
            document: Document = read()
            spec_from_document(document, self.pack().spec_model)
        except InputError as exc:
            raise ScenarioProblem("spec_invalid", problems=_problems(exc), changes="") from None
        self.document = document
        self.changed_at = []
        self._changed()

    def change(self, rows: Sequence[Sequence[str]]) -> None:
        sets: dict[str, Any] = {}
        for path, raw in self._rows(rows, VALUE_HEADERS):
            try:
                sets[path] = parse_text(raw, self.where()).data if raw.strip() else None
            except InputError as exc:
                raise ScenarioProblem("bad_change", where=self.where(), error=str(exc)) from None
        self._patch(sets, [])

    def remove(self, rows: Sequence[Sequence[str]]) -> None:
        self._patch({}, [path for (path,) in self._rows(rows, PATH_HEADERS)])

    def _rows(
        self, rows: Sequence[Sequence[str]], headers: tuple[tuple[str, ...], ...]
    ) -> list[tuple[str, ...]]:
        width = len(headers[0])
        body = list(rows)
        if body and tuple(c.strip().lower() for c in body[0]) in headers:
            body = body[1:]
        for number, row in enumerate(body, start=1):
            if len(row) != width:
                raise ScenarioProblem(
                    "table_shape",
                    where=self.where(),
                    columns=width,
                    header=localised(" | ".join(headers[0]), " | ".join(headers[1])),
                    row=number,
                    found=len(row),
                )
        return [tuple(c.strip() for c in row) for row in body]

    def _patch(self, sets: dict[str, Any], unsets: list[str]) -> None:
        if self.document is None:
            raise ScenarioProblem("no_spec")
        try:
            data = patched(self.document.data, sets, unsets)
        except ValueError as exc:
            raise ScenarioProblem("bad_change", where=self.where(), error=str(exc)) from None
        self.document = Document(data, self.document.lines, self.document.file)
        self.changed_at.append(self.where())
        self._changed()

    def spec(self) -> LoadedSpec:
        if self.document is None:
            raise ScenarioProblem("no_spec")
        try:
            return spec_from_document(self.document, self.pack().spec_model)
        except InputError as exc:
            changes = (
                message("changes_note", where=lambda lang: join(self.changed_at, lang))
                if self.changed_at
                else ""
            )
            raise ScenarioProblem("spec_invalid", problems=_problems(exc), changes=changes) from None

    # -- the rules and the date ------------------------------------------------------------
    def add_rules_folder(self, relative: str, only: bool) -> None:
        self.rule_dirs.append((self.feature_dir / relative).resolve())
        if only:
            self.builtin = False
        self._changed()

    def use_builtin(self) -> None:
        self.builtin = True
        self._changed()

    def only_themes(self, themes: list[str]) -> None:
        self.themes = themes
        self._changed()

    def choose_rules(self, select: list[str], skip: list[str]) -> None:
        """``--select-rule`` / ``--skip-rule`` of the scenario's check (added up)."""
        self.select_rules += select
        self.skip_rules += skip
        self._changed()

    def set_as_of(self, date: dt.date) -> None:
        self.as_of = date
        self._changed()

    def pack(self) -> RulePack:
        try:
            return _pack(tuple(self.rule_dirs), self.builtin)
        except InputError as exc:
            raise ScenarioProblem("rules_invalid", problems=_problems(exc)) from None

    # -- the result ------------------------------------------------------------------------
    def report(self) -> Report:
        """Run the check (once per set-up) and return its report."""
        if self._report is None:
            spec = self.spec()
            try:
                pack = (
                    self.pack().select(self.themes or None).select_rules(self.select_rules, self.skip_rules)
                )
            except InputError as exc:
                raise ScenarioProblem("bad_selection", error=str(exc)) from None
            checker = Checker(pack, self.as_of or today_in_shanghai())
            self._report = checker.report([spec])
        return self._report

    def outcome(self, rule_id: str) -> Outcome:
        """The checked rule's outcome; a rule that does not exist or was not checked is an error."""
        rules = self.pack().by_id()
        if rule_id not in rules:
            hint = did_you_mean(rule_id, rules)
            raise ScenarioProblem("unknown_rule", rule=rule_id, hint=f" ({hint})" if hint else "")
        outcomes = {o.rule_id: Outcome(o.outcome) for o in self.report().results[0].outcomes}
        if (
            rule_id not in outcomes
            and (self.select_rules or self.skip_rules)
            and (str(rules[rule_id].theme) in self.themes or not self.themes)
        ):
            raise ScenarioProblem("rule_not_selected", rule=rule_id)
        if rule_id not in outcomes:
            rule_theme = rules[rule_id].theme
            chosen = self.themes
            raise ScenarioProblem(
                "rule_not_checked",
                rule=rule_id,
                theme=lambda lang: theme_label(rule_theme, lang),
                themes=lambda lang: join((theme_label(t, lang) for t in chosen), lang),
            )
        return outcomes[rule_id]

    def missing(self, rule_id: str) -> list[str]:
        """The fields a rule needed and the spec does not state."""
        return [
            p
            for r in self.report().results
            for u in r.undetermined
            if u.rule_id == rule_id
            for p in u.missing
        ]


def _shift(problem: Problem, offset: int) -> Problem:
    if problem.line is None:
        return problem
    return dataclasses.replace(problem, line=problem.line + offset)
