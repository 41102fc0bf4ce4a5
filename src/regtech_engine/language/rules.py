"""Rules as data: the rule model, its test cases, and loading a pack folder.

One rule per YAML file (``<theme>/<RULE-ID>.yaml``) holding its id, metadata, texts in zh
and en, citations, legal-basis notes, condition and test cases side by side, as in Semgrep's
registry. Files are validated on load; nothing in them can execute code.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from ..datamodel import Frozen
from ..errors import InputError, Problem, RuleError, UsageError
from ..files.doccache import read_pack_document
from ..files.yamlio import Document, format_path
from ..findings import Citation, Text
from ..law.cite import register_laws
from ..law.quotes import citation_problems
from ..law.registry import Law
from ..packs.manifest import LAWS_FILE, MANIFEST, Pack
from ..spec.models import ProductSpec
from ..spec.schema import UnknownPath, resolve_through_lists
from ..suggest import did_you_mean
from ..vocabulary import PRACTICE_MAX_SEVERITY, Basis, Severity, Theme
from . import ir
from .cases import RuleTest
from .parameters import ParameterSet, load_parameters
from .parse import ConditionError, ConditionParser
from .scope import SCOPE_FILE, ScopeTable, Section, load_scope, merge_scope, paths_read

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\[\]:-]+)\}")
SKIP_DIRS = {"parameters", "bases", "docs", "monitoring", "lists", "coverage"}


class ParamCitation(Frozen):
    """Cite whatever instrument set the parameter value in force on as-of."""

    param: str


class RuleBody(Frozen):
    id: str
    theme: str  # a built-in Theme or one a loaded pack declares (checked on load)
    severity: Severity
    basis: Basis | None = None  # every built-in rule states one (tests/law/test_quotes.py)
    title: Text
    message: Text
    remediation: Text
    citations: list[Citation] = Field(min_length=1)
    cite_params: list[ParamCitation] = Field(default_factory=list)
    # A date the rule judges by (``list[].field``): citations are chosen and quoted on the
    # date of each item that made the rule fire, e.g. a deal's closing date.
    citations_by: str | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    applies_when: Any = None
    when: Any
    waivable: bool = True
    notes: str
    tests: list[RuleTest] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("rule ids are upper-case words joined by '-', e.g. PIPL-029-CONSENT")
        return value

    @field_validator("citations")
    @classmethod
    def _articles(cls, value: list[Citation]) -> list[Citation]:
        for c in value:
            if not c.article.strip():
                raise ValueError("every citation needs an article")
        return value


@dataclass(frozen=True)
class Rule:
    """A loaded, validated rule with its compiled condition and where it came from."""

    body: RuleBody
    when: ir.Condition
    applies_when: ir.Condition | None
    file: str
    line: int
    document: Document = field(repr=False, compare=False)
    section: str | None = None  # set on a scope table's missing-section rule

    @property
    def id(self) -> str:
        return self.body.id

    @property
    def theme(self) -> str:
        """A built-in ``Theme`` member, or the name of a theme a loaded pack declares."""
        value = self.body.theme
        return Theme(value) if value in _BUILTIN_THEMES else value

    @property
    def severity(self) -> Severity:
        return Severity(self.body.severity)

    def in_force(self, as_of: dt.date) -> bool:
        b = self.body
        return (b.effective_from is None or b.effective_from <= as_of) and (
            b.effective_until is None or as_of <= b.effective_until
        )

    def params(self) -> frozenset[str]:
        """The parameters the rule needs (a rule is in force only when all have a value)."""
        return self._params

    @cached_property
    def _params(self) -> frozenset[str]:
        names = ir.params_used(self.when)
        if self.applies_when is not None:
            names |= ir.params_used(self.applies_when)
        return frozenset(names | {c.param for c in self.body.cite_params})


_BUILTIN_THEMES = frozenset(t.value for t in Theme)


@dataclass
class RulePack:
    """Every rule, parameter and law code of a run (built-in packs, installed packs and
    ``--rules`` dirs), the packs they came from and the spec model with their extensions."""

    rules: list[Rule]
    parameters: ParameterSet
    laws: dict[str, Law]
    sources: list[str]
    scope: ScopeTable = field(default_factory=lambda: ScopeTable({}))
    packs: list[Pack] = field(default_factory=list)
    spec_model: type[ProductSpec] = ProductSpec
    pack_of: dict[str, str] = field(default_factory=dict)  # rule id -> pack name
    themes: list[str] = field(default_factory=lambda: sorted(_BUILTIN_THEMES))

    @cached_property
    def needs(self) -> dict[str, list[str]]:
        """The scope sections each rule reads (rules reading none are left out)."""
        return {r.id: found for r in self.rules if (found := self.scope.needed_by(rule_paths(r)))}

    @cached_property
    def digest(self) -> str:
        """The content digest of rules and parameters (computed once: packs are not changed
        after loading)."""
        h = hashlib.sha256()
        for rule in sorted(self.rules, key=lambda r: r.id):
            h.update(rule.body.model_dump_json(exclude={"tests"}).encode())
        for name in sorted(self.parameters.parameters):
            h.update(name.encode())
            h.update(self.parameters.parameters[name].model_dump_json().encode())
        return "sha256:" + h.hexdigest()

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def select(self, themes: list[Theme] | list[str] | None) -> RulePack:
        """Only the rules of these themes; a theme no loaded pack knows is a UsageError."""
        if not themes:
            return self
        for theme in themes:
            if theme not in self.themes:
                raise UsageError.single(
                    f"unknown theme `{theme}`", hint=did_you_mean(str(theme), self.themes)
                )
        wanted = {str(t) for t in themes}
        return replace(self, rules=[r for r in self.rules if str(r.theme) in wanted])

    def select_rules(self, select: Sequence[str] = (), skip: Sequence[str] = ()) -> RulePack:
        """The rules ``select_ids`` keeps."""
        if not select and not skip:
            return self
        kept = select_ids([r.id for r in self.rules], select, skip)
        return replace(self, rules=[r for r in self.rules if r.id in kept])


def select_ids(ids: Sequence[str], select: Sequence[str], skip: Sequence[str]) -> set[str]:
    """The ids matching a ``select`` pattern (all when none is given) and no ``skip``
    pattern; patterns are globs (``PIPL-0*``). A pattern matching no id is a UsageError: a
    misspelt id would otherwise silently select or skip nothing."""
    for flag, patterns in (("--select-rule", select), ("--skip-rule", skip)):
        for pattern in patterns:
            if not fnmatch.filter(ids, pattern):
                raise UsageError.single(
                    f"{flag} `{pattern}` matches no rule", hint=did_you_mean(pattern, ids)
                )
    return {
        i
        for i in ids
        if (not select or any(fnmatch.fnmatchcase(i, p) for p in select))
        and not any(fnmatch.fnmatchcase(i, p) for p in skip)
    }


def validation_problems(exc: ValidationError, doc: Document) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        hint = None
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            hint = did_you_mean(key, _allowed_keys(loc))
            message = f"unknown key `{key}`"
        elif err["type"] == "missing" and len(loc) >= 2 and loc[-1] in ("en", "zh"):
            message = f"missing {'English' if loc[-1] == 'en' else 'Chinese'} translation"
        elif err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "enum":
            value = err.get("input")
            message = f"invalid value {value!r} ({err['msg']})"
            vocab = {"severity": Severity, "basis": Basis}.get(str(loc[-1]))
            hint = did_you_mean(str(value), [s.value for s in vocab]) if vocab else None
        else:
            message = err["msg"]
        out.append(Problem(message, doc.file, doc.line_of(loc), format_path(loc) or None, hint))
    return out


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    if len(loc) == 1:
        return list(RuleBody.model_fields)
    if loc[0] == "tests":
        return list(RuleTest.model_fields)
    if loc[0] in ("title", "message", "remediation"):
        return ["en", "zh"]
    if loc[0] == "citations":
        return ["law", "article", "since", "until", "quote"]
    return []


def load_rule_file(
    path: Path,
    params: ParameterSet,
    laws: dict[str, Law],
    themes: list[str] | None = None,
    root: type[ProductSpec] = ProductSpec,
) -> Rule:
    """One rule file, checked against the laws, parameters, themes and spec model loaded."""
    doc = read_pack_document(path)
    if not isinstance(doc.data, dict):
        raise RuleError.single("a rule file holds one rule as a mapping", file=doc.file, line=1)
    allowed = sorted(_BUILTIN_THEMES) if themes is None else themes
    theme = doc.data.get("theme")
    problems: list[Problem] = []
    if isinstance(theme, str) and theme not in allowed:
        problems.append(
            Problem(
                f"unknown theme `{theme}` (built-in themes, or those a loaded pack declares"
                " under `themes` in its pack.yaml)",
                doc.file,
                doc.line_of(("theme",)),
                "theme",
                did_you_mean(theme, allowed),
            )
        )
    try:
        body = RuleBody.model_validate(doc.data)
    except ValidationError as exc:
        raise RuleError(
            sorted([*problems, *validation_problems(exc, doc)], key=lambda p: p.line or 0)
        ) from None
    # an event date may lie before the rule's first as-of date: check every version up to its end
    first_day = None if body.citations_by else body.effective_from
    for i, cite in enumerate(body.citations):
        if cite.law not in laws:
            problems.append(
                Problem(
                    f"unknown law code `{cite.law}`",
                    doc.file,
                    doc.line_of(("citations", i, "law")),
                    f"citations[{i}].law",
                    did_you_mean(cite.law, laws),
                )
            )
            continue
        for key, message in citation_problems(cite, laws[cite.law], first_day, body.effective_until):
            problems.append(
                Problem(
                    message,
                    doc.file,
                    doc.line_of(("citations", i, key)) or doc.line_of(("citations", i)),
                    f"citations[{i}].{key}",
                )
            )
    if body.basis == Basis.PRACTICE and Severity(body.severity).rank > PRACTICE_MAX_SEVERITY.rank:
        problems.append(
            Problem(
                f"a rule whose basis is `practice` (beyond what the text requires) is graded at most"
                f" `{PRACTICE_MAX_SEVERITY.value}`, not `{Severity(body.severity).value}`",
                doc.file,
                doc.line_of(("severity",)),
                "severity",
            )
        )
    for i, pc in enumerate(body.cite_params):
        if pc.param not in params.parameters:
            problems.append(
                Problem(
                    f"unknown parameter `{pc.param}`",
                    doc.file,
                    doc.line_of(("cite_params", i)),
                    hint=did_you_mean(pc.param, params.parameters),
                )
            )
    if body.effective_from and body.effective_until and body.effective_until < body.effective_from:
        problems.append(
            Problem("effective_until is before effective_from", doc.file, doc.line_of(("effective_until",)))
        )
    parser = ConditionParser(
        doc,
        params.parameters.keys(),
        {name: [v.value for v in p.values] for name, p in params.parameters.items()},
        root=root,
    )
    when: ir.Condition | None = None
    applies: ir.Condition | None = None
    try:
        when = parser.parse(body.when, ("when",))
        if body.applies_when is not None:
            applies = parser.parse(body.applies_when, ("applies_when",))
    except ConditionError as exc:
        problems.append(exc.problem)
    problems.extend(_check_placeholders(body, doc, params, root))
    if body.citations_by is not None and when is not None:
        problems.extend(_check_event_date(body.citations_by, when, applies, doc, root))
    if problems:
        raise RuleError(problems)
    assert when is not None
    return Rule(body, when, applies, doc.file, doc.line_of(("id",)) or 1, doc)


def _check_event_date(
    path: str,
    when: ir.Condition,
    applies: ir.Condition | None,
    doc: Document,
    root: type[ProductSpec] = ProductSpec,
) -> list[Problem]:
    """``citations_by`` names a date field the rule reads, at most one list deep."""
    where = (doc.file, doc.line_of(("citations_by",)), "citations_by")
    if path.count("[]") > 1:
        return [Problem("citations_by may step into one list only (`list[].date`)", *where)]
    try:
        ftype = resolve_through_lists(path, root)
    except UnknownPath as exc:
        return [Problem(f"citations_by `{path}` names no spec field", *where, exc.hint)]
    if ftype.kind != "date":
        return [Problem(f"citations_by `{path}` is a {ftype.describe()}, not a date", *where)]
    read = paths_read(when) | (paths_read(applies) if applies is not None else set())
    if path.replace("[]", "") not in read:
        return [
            Problem(
                f"citations_by `{path}` is not read by the rule's condition, so no item"
                " that made it fire has that date",
                *where,
            )
        ]
    return []


def _check_placeholders(
    body: RuleBody, doc: Document, params: ParameterSet, root: type[ProductSpec] = ProductSpec
) -> list[Problem]:
    problems = []
    for key in ("message", "remediation", "title"):
        text: Text = getattr(body, key)
        for lang in ("en", "zh"):
            for name in PLACEHOLDER.findall(getattr(text, lang)):
                if name == "as_of":
                    continue
                if name.startswith("param:"):
                    if name[6:] not in params.parameters:
                        problems.append(
                            Problem(
                                f"unknown parameter in placeholder {{{name}}}",
                                doc.file,
                                doc.line_of((key, lang)),
                                f"{key}.{lang}",
                            )
                        )
                    continue
                try:
                    resolve_through_lists(name, root)
                except UnknownPath as exc:
                    problems.append(
                        Problem(
                            f"placeholder {{{name}}} names no spec field",
                            doc.file,
                            doc.line_of((key, lang)),
                            f"{key}.{lang}",
                            exc.hint,
                        )
                    )
    return problems


def rule_files(folder: Path) -> list[Path]:
    """Rule files below ``folder``, sorted; linked folders are followed (teams share packs)."""
    found = [
        Path(root) / name
        for root, _, names in os.walk(folder, followlinks=True)
        for name in names
        if name.endswith(".yaml")
    ]
    files = []
    for path in sorted(found):
        rel = path.relative_to(folder)
        top_level_data = len(rel.parts) == 1 and rel.name in (LAWS_FILE, SCOPE_FILE, MANIFEST)
        if SKIP_DIRS & set(rel.parts[:-1]) or top_level_data or rel.name.endswith(".test.yaml"):
            continue
        files.append(path)
    return files


def load_pack(
    extra_dirs: list[Path] | None = None,
    builtin: bool = True,
    installed: bool | list[str] | None = None,
) -> RulePack:
    """Load the built-in packs, the installed ones (entry point group
    ``regtech_engine.packs``; by default when the built-in ones are, or those named) and any
    extra rule folders, validating everything."""
    from ..packs.loading import gather
    from ..spec.extensions import spec_model
    from ..themes import register

    gathered = gather(
        [Path(d) for d in extra_dirs or []], builtin, builtin if installed is None else installed
    )
    laws = gathered.laws
    themes = list(gathered.themes)
    root = spec_model(gathered.declarations)
    folders = [p.folder for p in gathered.packs]
    params = ParameterSet({}, {})
    for folder in folders:
        params.merge(load_parameters(folder / "parameters"))
    problems: list[Problem] = []
    tables = []
    for folder in folders:
        try:
            tables.append(load_scope(folder, params, laws))
        except InputError as exc:
            problems.extend(exc.problems)
    scope = merge_scope(tables)
    rules: list[Rule] = [section_rule(s) for s in scope.sections.values()]
    seen: dict[str, tuple[str, str]] = {r.id: (r.file, "regtech-builtin") for r in rules}
    for pack in gathered.packs:
        for file in rule_files(pack.folder):
            try:
                rule = load_rule_file(file, params, laws, themes, root)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if rule.id in seen:
                other_file, other_pack = seen[rule.id]
                problems.append(
                    Problem(
                        f"duplicate rule id `{rule.id}` in pack `{pack.name}` (also in"
                        f" {other_file} of pack `{other_pack}`)",
                        rule.file,
                        rule.line,
                    )
                )
                continue
            seen[rule.id] = (rule.file, pack.name)
            rules.append(rule)
    if problems:
        raise RuleError(problems)
    register(gathered.themes)
    register_laws(laws)
    rules.sort(key=lambda r: r.id)
    return RulePack(
        rules,
        params,
        laws,
        [str(f) for f in folders],
        scope,
        packs=gathered.packs,
        spec_model=root,
        pack_of={rid: pack for rid, (_, pack) in seen.items()},
        themes=themes,
    )


def section_rule(section: Section) -> Rule:
    """The rule that fails when a section is in scope but absent (one finding per section)."""
    entry = section.entry
    body = RuleBody(
        id=entry.id,
        theme=entry.theme,
        severity=entry.severity,
        basis=entry.basis,
        title=entry.title,
        message=Text(
            en=f"`{section.path}` is in scope but the spec does not describe it.",
            zh=f"`{section.path}` 属于适用范围，但产品说明中缺少该部分。",
        ),
        remediation=entry.remediation,
        citations=entry.citations,
        effective_from=entry.effective_from,
        when={"scope_section": section.path, "in_scope_when": [t.when for t in entry.in_scope_when or []]},
        waivable=entry.waivable,
        notes=f"Scope table entry for `{section.path}` (rules/scope.yaml): fails when the facts"
        " the product declares bring the section into scope and the spec leaves it out.",
        tests=entry.tests,
    )
    return Rule(
        body,
        section.condition(),
        None,
        section.file,
        section.line,
        Document({}, {}, section.file),
        section=section.path,
    )


def rule_paths(rule: Rule) -> set[str]:
    """The spec paths a rule reads, in its scope condition and its condition."""
    paths = paths_read(rule.when)
    return paths | paths_read(rule.applies_when) if rule.applies_when is not None else paths
