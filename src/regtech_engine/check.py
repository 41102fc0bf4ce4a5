"""Checking product specs against a rule pack: the public entry point of the core.

The backend decides each rule's outcome; this module turns outcomes into findings with
evidence (from the reference evaluator's witness), texts, citations and summaries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from . import __version__
from .engine.base import Backend, CompiledRules, EvaluationContext
from .engine.reference import Evaluator
from .engine.values import MISSING, get, spec_values
from .errors import UsageError
from .findings import (
    Citation,
    Evidence,
    Finding,
    Report,
    RuleOutcome,
    SpecRef,
    SpecResult,
    Text,
    Tool,
    Undetermined,
    summarise,
)
from .language.rules import PLACEHOLDER, Rule, RulePack
from .spec.loader import LoadedSpec
from .vocabulary import Outcome, Theme
from .yamlio import PathKey, format_path

_INDEX = re.compile(r"^(.*?)\[\]")


def get_backend(name: str) -> Backend:
    if name == "reference":
        from .engine.reference import ReferenceBackend

        return ReferenceBackend()
    if name in ("durable", "durable_rules"):
        from .engine.durable.backend import DurableBackend

        return DurableBackend()
    raise UsageError.single(f"unknown backend `{name}` (use durable or reference)")


class Checker:
    """A rule pack prepared for one as-of date; checks any number of specs."""

    _cache: ClassVar[dict[tuple[str, str, str, tuple[str, ...]], CompiledRules]] = {}

    def __init__(
        self,
        pack: RulePack,
        as_of: dt.date,
        backend: str = "durable",
        themes: Sequence[Theme] | None = None,
    ) -> None:
        self.pack = pack.select(list(themes) if themes else None)
        self.as_of = as_of
        params = pack.parameters.resolve_all(as_of)
        self.context = EvaluationContext(as_of, params)
        self.evaluator = Evaluator(self.context)
        self.active = [
            r for r in self.pack.rules if r.in_force(as_of) and r.params() <= params.keys()
        ]
        key = (
            backend,
            pack.digest,
            repr(sorted((n, p.value) for n, p in params.items())),
            tuple(r.id for r in self.active),
        )
        if key not in self._cache:
            self._cache[key] = get_backend(backend).compile(self.active, self.context)
        self.compiled = self._cache[key]

    # -- outcomes ------------------------------------------------------------------------
    def outcomes(self, data: dict[str, Any]) -> dict[str, Outcome]:
        decided = self.compiled.evaluate(data, self.as_of)
        return {
            r.id: decided.get(r.id, Outcome.NOT_APPLICABLE) for r in self.pack.rules
        }

    def outcomes_of(self, spec: LoadedSpec) -> dict[str, Outcome]:
        return self.outcomes(spec_values(spec.model))

    def check(self, spec: LoadedSpec) -> SpecResult:
        data = spec_values(spec.model)
        outcomes = self.outcomes(data)
        rules = self.pack.by_id()
        findings: list[Finding] = []
        undetermined: list[Undetermined] = []
        for rule_id, outcome in sorted(outcomes.items()):
            rule = rules[rule_id]
            if outcome is Outcome.FAIL:
                findings.append(self.finding(rule, spec, data))
            elif outcome is Outcome.INSUFFICIENT_EVIDENCE:
                missing = [format_path(p) for p in self.evaluator.missing(rule, data)]
                undetermined.append(Undetermined(rule_id=rule_id, missing=missing))
        findings.sort(key=Finding.sort_key)
        rule_outcomes = [RuleOutcome(rule_id=k, outcome=v) for k, v in sorted(outcomes.items())]
        return SpecResult(
            spec=SpecRef(path=spec.path, id=spec.id, digest=spec.digest),
            findings=findings,
            undetermined=undetermined,
            summary=summarise(findings, rule_outcomes),
            outcomes=rule_outcomes,
        )

    def report(self, specs: Sequence[LoadedSpec]) -> Report:
        results = [self.check(s) for s in sorted(specs, key=lambda s: (s.path, s.id))]
        return Report(
            tool=Tool(version=__version__, rules_digest=self.pack.digest),
            as_of=self.as_of.isoformat(),
            results=results,
        )

    # -- findings ------------------------------------------------------------------------
    def finding(self, rule: Rule, spec: LoadedSpec, data: dict[str, Any]) -> Finding:
        witness = list(dict.fromkeys(
            (path, _freeze(value)) for path, value in self.evaluator.witness(rule.when, data)
        ))
        evidence = [
            Evidence(path=format_path(path), value=_jsonable(get_path(data, path)),
                     line=spec.line_of(path))
            for path, _ in witness
        ]
        body = rule.body
        fingerprint = hashlib.sha256(
            "\x1f".join([rule.id, spec.id, *sorted(e.path for e in evidence)]).encode()
        ).hexdigest()[:32]
        return Finding(
            rule_id=rule.id,
            theme=rule.theme,
            severity=rule.severity,
            title=body.title,
            message=self.render(body.message, data, witness),
            citations=self.citations(rule),
            evidence=evidence,
            remediation=self.render(body.remediation, data, witness),
            fingerprint=fingerprint,
            waivable=body.waivable,
        )

    def citations(self, rule: Rule) -> list[Citation]:
        cites = list(rule.body.citations)
        for pc in rule.body.cite_params:
            resolved = self.context.params.get(pc.param)
            if resolved is not None and resolved.citation not in cites:
                cites.append(resolved.citation)
        return cites

    def render(self, text: Text, data: dict[str, Any], witness: list[tuple[PathKey, Any]]) -> Text:
        return Text(
            en=PLACEHOLDER.sub(lambda m: self._fill(m.group(1), data, witness), text.en),
            zh=PLACEHOLDER.sub(lambda m: self._fill(m.group(1), data, witness), text.zh),
        )

    def _fill(self, name: str, data: dict[str, Any], witness: list[tuple[PathKey, Any]]) -> str:
        if name == "as_of":
            return self.as_of.isoformat()
        if name.startswith("param:"):
            resolved = self.context.params.get(name[6:])
            return _show(resolved.value) if resolved else "?"
        scope: Any = data
        rest = name
        while (m := _INDEX.match(rest)) is not None:
            list_path = m.group(1)
            prefix = tuple(_key_parts(list_path))
            index = next(
                (p[len(prefix)] for p, _ in witness
                 if p[: len(prefix)] == prefix and len(p) > len(prefix)
                 and isinstance(p[len(prefix)], int)),
                None,
            )
            items = get(scope, list_path)
            if index is None or items is MISSING:
                return "?"
            scope = items[index]
            rest = rest[m.end():].lstrip(".")
            witness = [(p[len(prefix) + 1:], v) for p, v in witness if p[: len(prefix)] == prefix]
        value = get(scope, rest) if rest else scope
        return "?" if value is MISSING else _show(value)


def _key_parts(path: str) -> list[str]:
    return path.split(".")


def get_path(data: Any, path: PathKey) -> Any:
    current = data
    for part in path:
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return None
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return None
            current = current[part]
    return current


def _freeze(value: Any) -> Any:
    """A hashable copy of a value (evidence may be a whole section holding lists)."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    return str(value)
