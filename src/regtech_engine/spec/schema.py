"""The shape of the spec model as data, so rule files can be checked against it.

Rules name fields by dotted paths; this module answers "does this path exist, and what kind
of value lives there?" from the pydantic models themselves, so the two can never drift.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from ..suggest import did_you_mean
from .models import ProductSpec

Kind = Literal["bool", "int", "float", "str", "date", "enum", "model", "list"]


@dataclass(frozen=True)
class FieldType:
    """What a path holds: a scalar kind, an enum, a nested model or a list of one of those."""

    kind: Kind
    enum_values: tuple[str, ...] = ()
    item: FieldType | None = None
    model: type[BaseModel] | None = None

    @property
    def scalar(self) -> bool:
        return self.kind not in ("model", "list")

    def describe(self) -> str:
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.kind == "enum":
            return "one of " + ", ".join(self.enum_values)
        if self.kind == "model" and self.model is not None:
            return "section"
        return self.kind


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


@cache
def field_type_of(annotation: Any) -> FieldType:
    ann = _strip_optional(annotation)
    origin = typing.get_origin(ann)
    if origin is list:
        return FieldType("list", item=field_type_of(typing.get_args(ann)[0]))
    if origin is Literal:
        values = typing.get_args(ann)
        if all(isinstance(v, int) for v in values):
            return FieldType("int")
        return FieldType("enum", enum_values=tuple(str(v) for v in values))
    if isinstance(ann, type):
        if issubclass(ann, BaseModel):
            return FieldType("model", model=ann)
        if issubclass(ann, Enum):
            return FieldType("enum", enum_values=tuple(str(m.value) for m in ann))
        if issubclass(ann, bool):
            return FieldType("bool")
        if issubclass(ann, int):
            return FieldType("int")
        if issubclass(ann, float):
            return FieldType("float")
        if issubclass(ann, str):
            return FieldType("str")
        if issubclass(ann, dt.date):
            return FieldType("date")
    raise TypeError(f"unsupported annotation in spec model: {annotation!r}")


@cache
def fields_of(model: type[BaseModel]) -> dict[str, FieldType]:
    """Field names as written in YAML (aliases honoured) mapped to their types."""
    out: dict[str, FieldType] = {}
    for name, info in model.model_fields.items():
        assert info.annotation is not None
        out[info.alias or name] = field_type_of(info.annotation)  # type: ignore[arg-type]
    return out


def attribute_name(model: type[BaseModel], key: str) -> str:
    """The Python attribute behind a YAML key (``global`` -> ``global_``)."""
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return name
    return key


class UnknownPath(LookupError):
    def __init__(self, path: str, bad: str, hint: str | None) -> None:
        super().__init__(path)
        self.path, self.bad, self.hint = path, bad, hint


def resolve(path: str, root: type[BaseModel] = ProductSpec) -> FieldType:
    """The type at a dotted ``path`` below ``root``; raises UnknownPath with a hint."""
    current = FieldType("model", model=root)
    for part in path.split("."):
        if current.kind != "model" or current.model is None:
            raise UnknownPath(path, part, f"`{part}` is inside a {current.describe()}")
        options = fields_of(current.model)
        if part not in options:
            raise UnknownPath(path, part, did_you_mean(part, options))
        current = options[part]
    return current


def all_paths(root: type[BaseModel] = ProductSpec, prefix: str = "") -> dict[str, FieldType]:
    """Every path of the model, lists marked with ``[]`` (for docs and lint)."""
    out: dict[str, FieldType] = {}
    for key, ftype in fields_of(root).items():
        path = f"{prefix}{key}"
        out[path] = ftype
        if ftype.kind == "model" and ftype.model is not None:
            out.update(all_paths(ftype.model, path + "."))
        elif ftype.kind == "list" and ftype.item and ftype.item.model is not None:
            out.update(all_paths(ftype.item.model, path + "[]."))
    return out


def resolve_through_lists(path: str, root: type[BaseModel] = ProductSpec) -> FieldType:
    """Like ``resolve``, where ``list[]`` steps into the items of a list (``a.b[].c``)."""
    model = root
    parts = path.split("[]")
    current = FieldType("model", model=root)
    for i, part in enumerate(parts):
        part = part.strip(".")
        if not part:
            continue
        current = resolve(part, model)
        if i < len(parts) - 1:
            if current.kind != "list" or current.item is None:
                raise UnknownPath(path, part, f"`{part}` is not a list")
            if current.item.model is None:
                if parts[i + 1].strip("."):
                    raise UnknownPath(path, part, f"items of `{part}` are plain values")
                return current.item
            model = current.item.model
    return current


Role = Literal["fact", "control"]


def role_of(path: str, root: type[BaseModel] = ProductSpec) -> Role:
    """Whether a field records a fact about the product or a control the operator applies.

    ``path`` may step into lists with ``[]`` or indices (``a.b[0].c``). A path that names no
    field is a fact: only a declared control may be proposed as a change.
    """
    model: type[BaseModel] | None = root
    info = None
    for part in path.replace("[]", "").split("."):
        key = part.split("[", 1)[0]
        if model is None or not key:
            return "fact"
        name = attribute_name(model, key)
        info = model.model_fields.get(name)
        if info is None:
            return "fact"
        ftype = fields_of(model)[key]
        model = (
            ftype.model
            if ftype.kind == "model"
            else (ftype.item.model if ftype.kind == "list" and ftype.item is not None else None)
        )
    extra = info.json_schema_extra if info is not None else None
    return "control" if isinstance(extra, dict) and extra.get("role") == "control" else "fact"
