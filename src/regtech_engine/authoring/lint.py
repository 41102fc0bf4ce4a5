"""`regtech rules lint`: problems a rule pack can load with but should not ship with.

Load errors (duplicate ids, unknown laws, undefined parameters, bad paths) are reported as
they are; beyond them: dead rules (a conjunction no spec can satisfy given the model's
enums, booleans and number ranges) and parameters no rule uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..language import ir
from ..language.rules import Rule, RulePack, load_pack
from ..spec.models import ProductSpec
from ..spec.schema import FieldType, resolve

_PARAM_REF = re.compile(r"param:\s*([A-Za-z0-9_.-]+)")
_QUOTED_PARAM = re.compile(r"\"(monitor\.[a-z0-9_.]+)\"")


@dataclass(frozen=True)
class LintResult:
    problems: list[Problem]
    pack: RulePack | None


def lint(folders: list[Path], builtin: bool = True) -> LintResult:
    try:
        pack = load_pack(folders, builtin=builtin)
    except InputError as exc:
        return LintResult(list(exc.problems), None)
    problems: list[Problem] = []
    for rule in pack.rules:
        problems.extend(dead(rule))
    problems.extend(unused_parameters(pack))
    return LintResult(problems, pack)


# -- dead rules -------------------------------------------------------------------------


def _domain(ftype: FieldType) -> set[Any] | None:
    if ftype.kind == "bool":
        return {True, False}
    if ftype.kind == "enum":
        return set(ftype.enum_values)
    return None


def _conjuncts(cond: ir.Condition) -> list[ir.Condition]:
    if isinstance(cond, ir.AllOf):
        return [leaf for c in cond.conditions for leaf in _conjuncts(c)]
    return [cond]


def _satisfiable(conds: list[ir.Condition], model: type[Any]) -> str | None:
    """None if the conjunction can hold; else why it cannot."""
    allowed: dict[str, set[Any]] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    presence: dict[str, bool] = {}
    for cond in conds:
        if isinstance(cond, ir.Presence):
            if presence.get(cond.path, cond.present) != cond.present:
                return f"`{cond.path}` must be both present and absent"
            presence[cond.path] = cond.present
            continue
        if not (
            isinstance(cond, ir.Compare)
            and isinstance(cond.operand, ir.Literal_)
            and cond.derived is ir.Derived.VALUE
            and cond.path != "item"
        ):
            continue
        try:
            ftype = resolve(cond.path, model)
        except LookupError:
            continue
        value = cond.operand.value
        domain = _domain(ftype)
        if domain is not None:
            current = allowed.setdefault(cond.path, set(domain))
            if cond.op is ir.Op.EQ:
                current &= {value}
            elif cond.op is ir.Op.NE:
                current -= {value}
            elif cond.op is ir.Op.IN and isinstance(value, list):
                current &= set(value)
            elif cond.op is ir.Op.NOT_IN and isinstance(value, list):
                current -= set(value)
            if not current:
                return f"no value of `{cond.path}` satisfies all its comparisons"
        elif ftype.kind in ("int", "float") and isinstance(value, int | float):
            v = float(value)
            strict = 1e-9 if cond.op in (ir.Op.GT, ir.Op.LT) else 0.0
            if cond.op in (ir.Op.GT, ir.Op.GE):
                low[cond.path] = max(low.get(cond.path, float("-inf")), v + strict)
            elif cond.op in (ir.Op.LT, ir.Op.LE):
                high[cond.path] = min(high.get(cond.path, float("inf")), v - strict)
            elif cond.op is ir.Op.EQ:
                low[cond.path] = max(low.get(cond.path, float("-inf")), v)
                high[cond.path] = min(high.get(cond.path, float("inf")), v)
            if low.get(cond.path, float("-inf")) > high.get(cond.path, float("inf")):
                return f"the comparisons on `{cond.path}` leave no number"
        if presence.get(cond.path) is False:
            return f"`{cond.path}` is compared but required absent"
    return None


def dead(rule: Rule) -> list[Problem]:
    conds = _conjuncts(rule.when)
    if rule.applies_when is not None:
        conds = _conjuncts(rule.applies_when) + conds
    why = _satisfiable(conds, ProductSpec)
    found = []
    if why:
        found.append(Problem(f"dead rule {rule.id}: can never fire ({why})", rule.file, rule.line))
    for node in ir.walk(rule.when):
        if isinstance(node, ir.Quantified):
            for item_type in _item_model(node.path):
                why = _satisfiable(_conjuncts(node.where), item_type)
                if why:
                    found.append(
                        Problem(
                            f"dead condition in {rule.id}: no item of `{node.path}` can match ({why})",
                            rule.file,
                            rule.line,
                        )
                    )
    return found


def _item_model(path: str) -> list[type[Any]]:
    try:
        ftype = resolve(path)
    except LookupError:
        return []
    if ftype.item is not None and ftype.item.model is not None:
        return [ftype.item.model]
    return []


# -- parameters -----------------------------------------------------------------------------


def unused_parameters(pack: RulePack) -> list[Problem]:
    used: set[str] = set()
    for rule in pack.rules:
        used |= rule.params()
        for text in (rule.body.message, rule.body.remediation, rule.body.title):
            used |= set(_PARAM_REF.findall(text.en + text.zh))
    # the monitoring feature layer reads its window and band parameters by name
    monitor = Path(__file__).resolve().parent / "monitor"
    for module in sorted(monitor.glob("*.py")):
        used |= set(_QUOTED_PARAM.findall(module.read_text(encoding="utf-8")))
    # transaction-monitoring rules name their parameters too
    for folder in pack.sources:
        for file in sorted(Path(folder).rglob("*.yaml")):
            if "monitoring" in file.parts:
                used |= set(_PARAM_REF.findall(file.read_text(encoding="utf-8")))
    problems = []
    for name in sorted(set(pack.parameters.parameters) - used):
        source, line = pack.parameters.sources[name]
        problems.append(Problem(f"parameter `{name}` is defined but no rule uses it", source, line))
    return problems
