"""Spec extensions: the fields packs declare, as pydantic models beside the core ones.

A pack's ``fields`` become a model for ``extensions.<namespace>``, and the loaded packs'
namespaces a ``ProductSpec`` subclass whose ``extensions`` holds exactly them. Specs are
validated by that model and rule paths resolved against it (spec/schema.py), so extension
fields get the core fields' checks, messages and evidence lines for free.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, create_model

from ..packs.manifest import FieldDecl
from .models import Extensions, ProductSpec, _Model

_SCALARS: dict[str, Any] = {
    "boolean": Annotated[bool, Strict()],
    "integer": Annotated[int, Strict()],
    "number": Annotated[float, Strict()],
    "string": Annotated[str, Strict()],
    "date": dt.date,
}

# namespace -> (pack name, declared fields)
Declarations = Mapping[str, tuple[str, Mapping[str, FieldDecl]]]

_MODELS: dict[str, type[ProductSpec]] = {}


def _annotation(decl: FieldDecl, name: str) -> Any:
    if decl.type in _SCALARS:
        return _SCALARS[decl.type]
    if decl.type == "enum":
        assert decl.values is not None
        return Literal[tuple(decl.values)]
    if decl.type == "list":
        assert decl.items is not None
        return list[_annotation(decl.items, name + "_item")]  # type: ignore[misc]
    assert decl.fields is not None
    return _object_model(name, decl.fields, decl.description)


def _field(decl: FieldDecl, name: str) -> tuple[Any, Any]:
    extra: dict[str, Any] = {"role": decl.role}
    if decl.unit:
        extra["unit"] = decl.unit
    description = decl.description
    if decl.unit and description:
        description = f"{description} ({decl.unit})"
    return (
        _annotation(decl, name) | None,
        Field(default=None, description=description, json_schema_extra=extra),
    )


def _object_model(name: str, fields: Mapping[str, FieldDecl], doc: str | None) -> type[BaseModel]:
    definitions: dict[str, Any] = {key: _field(decl, f"{name}_{key}") for key, decl in sorted(fields.items())}
    model = create_model(name, __base__=_Model, **definitions)
    model.__doc__ = doc or f"`{name}`"
    return model


def spec_model(declarations: Declarations) -> type[ProductSpec]:
    """The spec model with ``extensions`` holding the declared namespaces (the core model
    itself when none is declared). The same declarations give the same class."""
    if not declarations:
        return ProductSpec
    key = json.dumps(
        {
            ns: [pack, {k: d.model_dump(mode="json") for k, d in fields.items()}]
            for ns, (pack, fields) in declarations.items()
        },
        sort_keys=True,
    )
    if key not in _MODELS:
        namespaces: dict[str, Any] = {}
        for ns, (pack, fields) in sorted(declarations.items()):
            model = _object_model(
                f"Extension_{ns}", fields, f"Fields of the `{pack}` pack (pack.yaml `fields`)."
            )
            namespaces[ns] = (model | None, Field(default=None, description=model.__doc__))
        ext = create_model("Extensions", __base__=Extensions, **namespaces)
        ext.__doc__ = Extensions.__doc__
        _MODELS[key] = create_model(
            "ProductSpec",
            __base__=ProductSpec,
            extensions=(ext | None, Field(default=None, description=ext.__doc__)),
        )
        _MODELS[key].__doc__ = ProductSpec.__doc__
    return _MODELS[key]


def declared_namespaces(model: type[BaseModel]) -> list[str]:
    """The extension namespaces a spec model accepts."""
    info = model.model_fields.get("extensions")
    if info is None:
        return []
    from .schema import field_type_of

    ftype = field_type_of(info.annotation)  # type: ignore[arg-type]
    return sorted(ftype.model.model_fields) if ftype.model is not None else []
