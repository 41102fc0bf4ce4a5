"""Checking product specs against a rule pack: the public entry point of the core.

The backend decides each rule's outcome; this module turns outcomes into findings with
evidence (from the reference evaluator's witness), texts, citations and summaries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from . import __version__
from .engine.base import EvaluationContext, get_backend
from .engine.cache import CompileCache, Guarded
from .engine.reference import Evaluator
from .engine.values import MISSING, get, spec_values
from .files.yamlio import PathKey, format_path
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
from .vocabulary import Outcome

_INDEX = re.compile(r"^(.*?)\[\]")
SHARED_CACHE = CompileCache()


class Checker:
    """A rule pack prepared for one as-of date; checks any number of specs."""

    def __init__(
        self,
        pack: RulePack,
        as_of: dt.date,
        backend: str = "durable",
        themes: Sequence[str] | None = None,
        cache: CompileCache | None = None,
    ) -> None:
        """``cache`` holds compiled packs (an Engine's own); by default one shared, bounded
        cache per process serves the command line and tests."""
        self.pack = pack.select(list(themes) if themes else None)
        self.as_of = as_of
        params = pack.parameters.resolve_all(as_of)
        self.context = EvaluationContext(as_of, params)
        self.evaluator = Evaluator(self.context)
        self.active = [r for r in self.pack.rules if r.in_force(as_of) and r.params() <= params.keys()]
        key = (
            backend,
            pack.digest,
            repr(sorted((n, p.value) for n, p in params.items())),
            tuple(r.id for r in self.active),
        )
        active, context = self.active, self.context
        self.compiled: Guarded = (cache if cache is not None else SHARED_CACHE).get(
            key, lambda: get_backend(backend).compile(active, context)
        )
        self._needs = pack.needs

    # -- outcomes ------------------------------------------------------------------------
    def decide(self, data: dict[str, Any]) -> dict[str, tuple[Outcome, list[str]]]:
        """Every rule's outcome, with the absent in-scope sections that left it undetermined."""
        decided = self.compiled.evaluate(data, self.as_of)
        scope = self.pack.scope
        states = (
            scope.states(data, self.evaluator.truth, self.as_of, self.context.params.keys())
            if scope.sections
            else {}
        )
        out: dict[str, tuple[Outcome, list[str]]] = {}
        for rule in self.pack.rules:
            outcome = decided.get(rule.id, Outcome.NOT_APPLICABLE)
            needs = self._needs.get(rule.id)
            judged = needs is not None and rule.section is None and rule.id in decided
            missing = scope.missing(needs, states) if needs is not None and judged else []
            if missing and outcome is not Outcome.FAIL:
                outcome = self._judged_without(rule, data, missing, outcome)
                missing = missing if outcome is Outcome.INSUFFICIENT_EVIDENCE else []
            out[rule.id] = (outcome, missing if outcome is Outcome.INSUFFICIENT_EVIDENCE else [])
        # a missing section is a finding only where declared facts bring it into scope and it
        # left some rule undetermined; undeclared facts bring nothing into scope
        blocking = {s for _, sections in out.values() for s in sections}
        for rule in self.pack.rules:
            if rule.section is not None and rule.id in decided:
                state = states[rule.section]
                parent = scope.sections[rule.section].parent
                absent = (
                    not state.present
                    and state.in_scope
                    and rule.section in blocking
                    and (parent is None or states[parent].present)
                )
                out[rule.id] = (Outcome.FAIL if absent else Outcome.PASS, [])
        return out

    def _judged_without(
        self, rule: Rule, data: dict[str, Any], missing: list[str], outcome: Outcome
    ) -> Outcome:
        """A rule's outcome when the missing in-scope sections count as unknown, not empty.

        Facts declared elsewhere may still settle it: out of its scope (not applicable), or
        unable to fire whatever the section says (the outcome stands).
        """
        evaluator = Evaluator(self.context, frozenset(missing))
        applies = True if rule.applies_when is None else evaluator.truth(rule.applies_when, data)
        if applies is False:
            return Outcome.NOT_APPLICABLE
        holds = evaluator.truth(rule.when, data)
        if holds is False:
            return outcome
        return Outcome.FAIL if holds and applies else Outcome.INSUFFICIENT_EVIDENCE

    def outcomes(self, data: dict[str, Any]) -> dict[str, Outcome]:
        return {k: v for k, (v, _) in self.decide(data).items()}

    def outcomes_of(self, spec: LoadedSpec) -> dict[str, Outcome]:
        return self.outcomes(spec_values(spec.model))

    def check(self, spec: LoadedSpec) -> SpecResult:
        data = spec_values(spec.model)
        decided = self.decide(data)
        outcomes = {k: v for k, (v, _) in decided.items()}
        rules = self.pack.by_id()
        findings: list[Finding] = []
        undetermined: list[Undetermined] = []
        blocked = Counter(s for _, sections in decided.values() for s in sections)
        for rule_id, (outcome, sections) in sorted(decided.items()):
            rule = rules[rule_id]
            if outcome is Outcome.FAIL:
                findings.append(self.finding(rule, spec, data, blocked[rule.section or ""]))
            elif outcome is Outcome.INSUFFICIENT_EVIDENCE:
                missing = sections or [format_path(p) for p in self.evaluator.missing(rule, data)]
                undetermined.append(
                    Undetermined(
                        rule_id=rule_id, severity=rule.severity, title=rule.body.title, missing=missing
                    )
                )
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
    def finding(self, rule: Rule, spec: LoadedSpec, data: dict[str, Any], blocked: int = 0) -> Finding:
        """A failed rule as a finding; ``blocked`` counts the rules a missing section left open."""
        message: Text | None = None
        if rule.section is not None:
            raw_witness, message = self._scope_reasons(rule.section, data, blocked)
        else:
            raw_witness = self.evaluator.witness(rule.when, data)
        witness = list(dict.fromkeys((path, _freeze(value)) for path, value in raw_witness))
        evidence = [
            Evidence(path=format_path(path), value=_jsonable(get_path(data, path)), line=spec.line_of(path))
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
            basis=body.basis,
            title=body.title,
            message=message or self.render(body.message, data, witness),
            citations=self.citations(rule, data, raw_witness),
            evidence=evidence,
            remediation=self.render(body.remediation, data, witness),
            fingerprint=fingerprint,
            waivable=body.waivable,
        )

    def _scope_reasons(
        self, path: str, data: dict[str, Any], blocked: int
    ) -> tuple[list[tuple[PathKey, Any]], Text]:
        """The facts that brought a missing section into scope, as evidence and as a message."""
        section = self.pack.scope.sections[path]
        witness: list[tuple[PathKey, Any]] = []
        reasons: list[Text] = []
        for cond, because in section.triggers:
            if self.evaluator.truth(cond, data) is True:
                found = self.evaluator.witness(cond, data)
                witness.extend(found)
                reasons.append(self.render(because, data, found))
        if not section.triggers and section.parent is not None:
            witness.append((tuple(section.parent.split(".")), None))
            reasons.append(Text(en=f"declares `{section.parent}`", zh=f"声明了 `{section.parent}`"))
        en = "; ".join(r.en for r in reasons)
        zh = "；".join(r.zh for r in reasons)
        rules_en = f"{blocked} rule{'s' if blocked != 1 else ''}"
        return witness, Text(
            en=f"The product {en}, which brings `{path}` into scope, but the spec does not"
            f" describe `{path}`: {rules_en} could not be judged.",
            zh=f"产品{zh}，因此 `{path}` 属于适用范围，但产品说明中缺少 `{path}` 部分，"
            f"{blocked} 条规则无法判断。",
        )

    def citations(
        self,
        rule: Rule,
        data: dict[str, Any] | None = None,
        witness: Sequence[tuple[PathKey, Any]] = (),
    ) -> list[Citation]:
        """The citations in force, each with its quote from the text in force.

        In force on as-of, or, for a rule that judges by an event date (``citations_by``),
        on the date of each item that made it fire (``witness``), a date after as-of read as
        as-of: a deal closed in 2021 is cited and quoted under the law of 2021.
        """
        from .law.quotes import quoted_on

        days = event_dates(rule, data, witness, self.as_of) if data is not None else []
        cites = [(c, day) for day in days or [self.as_of] for c in rule.body.citations if c.in_force(day)]
        for pc in rule.body.cite_params:
            resolved = self.context.params.get(pc.param)
            if resolved is not None:
                cites.append((resolved.citation, self.as_of))
        return quoted_on(cites, self.pack.laws)

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
                (
                    p[len(prefix)]
                    for p, _ in witness
                    if p[: len(prefix)] == prefix and len(p) > len(prefix) and isinstance(p[len(prefix)], int)
                ),
                None,
            )
            items = get(scope, list_path)
            if index is None or items is MISSING:
                return "?"
            scope = items[index]
            rest = rest[m.end() :].lstrip(".")
            witness = [(p[len(prefix) + 1 :], v) for p, v in witness if p[: len(prefix)] == prefix]
        value = get(scope, rest) if rest else scope
        return "?" if value is MISSING else _show(value)


def event_dates(
    rule: Rule, data: dict[str, Any], witness: Sequence[tuple[PathKey, Any]], as_of: dt.date
) -> list[dt.date]:
    """The dates at ``citations_by`` of the items in ``witness`` (none after as-of), sorted."""
    path = rule.body.citations_by
    if path is None:
        return []
    head, _, tail = path.partition("[]")
    if not tail:
        values = [get(data, path)]
    else:
        prefix = tuple(_key_parts(head))
        items = get(data, head)
        at = {
            i
            for p, _ in witness
            if p[: len(prefix)] == prefix and len(p) > len(prefix) and isinstance(i := p[len(prefix)], int)
        }
        values = (
            [get(items[i], tail.lstrip(".")) for i in sorted(at) if i < len(items)]
            if isinstance(items, list)
            else []
        )
    return sorted({min(v, as_of) for v in values if isinstance(v, dt.date)})


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
