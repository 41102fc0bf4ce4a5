"""A starting spec for a product category (``regtech init``): the sections the scope table
(rules/scope.yaml) brings into scope for that category, present, with every field listed as
a comment giving its type, so a team fills in facts instead of guessing the format."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .schema import FieldType, fields_of, role_of

if TYPE_CHECKING:
    from ..language.rules import RulePack

SCHEMA_FILE = "regtech-spec.schema.json"


def in_scope_sections(pack: RulePack, category: str, as_of: dt.date) -> list[str]:
    """The sections a product of ``category`` that declares nothing else has in scope."""
    from ..check import Checker

    checker = Checker(pack, as_of, backend="reference")
    data = {"spec_version": 1, "product": {"id": "x", "name": "x", "category": category}}
    states = pack.scope.states(data, checker.evaluator.truth, as_of, checker.context.params.keys())
    return sorted(path for path, state in states.items() if state.in_scope)


def _comment_fields(model: type[BaseModel], indent: str, depth: int = 0) -> list[str]:
    lines = []
    for key, ftype in fields_of(model).items():
        role = "control" if role_of(key, model) == "control" else "fact"
        lines.append(f"{indent}# {'    ' * depth}{key}: {_describe(ftype)}  ({role})")
        inner = ftype.item if ftype.kind == "list" and ftype.item else ftype
        if inner.model is not None and depth < 1:
            lines += _comment_fields(inner.model, indent, depth + 1)
    return lines


def _describe(ftype: FieldType) -> str:
    if ftype.kind == "model":
        return "section"
    if ftype.kind == "list" and ftype.item is not None and ftype.item.kind == "model":
        return "list of items with:"
    return ftype.describe()


def starting_spec(root: type[BaseModel], category: str, sections: list[str], product_id: str) -> str:
    """The text of a starting spec: valid as written, every in-scope section present."""
    top = fields_of(root)
    wanted = sorted({s.split(".", 1)[0] for s in sections})
    lines = [
        f"# yaml-language-server: $schema=./{SCHEMA_FILE}",
        f"# A starting product spec for a `{category}` product, written by `regtech init`.",
        "# Each section below is in scope for this category (rules/scope.yaml): uncomment and",
        "# fill in the fields you know (in place of a section's `{...}`). A field left out is",
        "# reported as insufficient evidence, never as a pass. `regtech spec schema --output",
        f"# {SCHEMA_FILE}` writes the schema editors use to complete and check this file.",
        "spec_version: 1",
        "product:",
        f"  id: {product_id}",
        "  name: TODO product name",
        f"  category: {category}",
    ]
    product = top["product"].model
    assert product is not None
    lines += [
        line
        for line in _comment_fields(product, "  ")
        if not line.lstrip("# ").startswith(("id:", "name:", "category:"))
    ]
    for section in wanted:
        ftype = top[section]
        assert ftype.model is not None
        inner = fields_of(ftype.model)
        nested = [s.split(".", 1)[1] for s in sections if s.startswith(section + ".")]
        # in-scope subsections that are sections are written empty; a list needs its items
        present = [n for n in nested if "." not in n and inner[n].kind == "model"]
        lists = [n for n in nested if n not in present]
        value = "{" + ", ".join(f"{n}: {{}}" for n in present) + "}"
        note = "  # in scope" + (f"; add the items of {', '.join(lists)} (in scope too)" if lists else "")
        lines += ["", f"{section}: {value}{note}"]
        lines += _comment_fields(ftype.model, "  ")
    return "\n".join(lines) + "\n"
