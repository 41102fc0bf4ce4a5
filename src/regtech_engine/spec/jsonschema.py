"""The JSON Schema of the spec format (core plus loaded packs' extensions), for editors.

Generated from the same pydantic models that validate specs, so it cannot drift from them;
every property gets a description (its type, and whether it is a fact or a control) so the
YAML language server shows something useful on hover.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .schema import fields_of, role_of

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``root``, by the name pydantic gives its definition."""
    found: dict[str, type[BaseModel]] = {}
    todo = [root]
    while todo:
        model = todo.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        for ftype in fields_of(model).values():
            inner = ftype.item if ftype.kind == "list" and ftype.item else ftype
            if inner.model is not None:
                todo.append(inner.model)
    return found


def spec_json_schema(root: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of specs validated by ``root``."""
    schema = root.model_json_schema()
    models = _models(root)
    defs = schema.get("$defs", {})
    for name, model in models.items():
        target = schema if model is root else defs.get(name)
        if target is None or "properties" not in target:
            continue
        for key, ftype in fields_of(model).items():
            prop = target["properties"].get(key)
            if prop is None:
                continue
            role = "control" if _is_control(model, key) else "fact"
            what = (
                f"a {role} ({'what the operator does' if role == 'control' else 'about the product'}):"
                f" {ftype.describe()}"
            )
            prop["description"] = f"{prop['description']} — {what}" if "description" in prop else what
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "regtech-engine product spec"
    return schema


def _is_control(model: type[BaseModel], key: str) -> bool:
    return role_of(key, model) == "control"
