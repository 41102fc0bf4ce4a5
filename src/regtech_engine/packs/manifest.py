"""A pack's manifest (``pack.yaml``): its name, version, themes, laws and spec fields.

A pack is a folder of rule files. Its manifest says who it is (``name``, ``version``), which
engine versions it works with (``requires``), and what it adds to the shared vocabulary:
themes, citable instruments (``laws``, in the format of rules/laws.yaml) and fields of the
product spec under ``extensions.<namespace>``. Manifests are data: nothing in them runs.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from ..datamodel import Frozen
from ..errors import Problem, RuleError
from ..files.yamlio import Document, format_path, read_document
from ..findings import Text
from ..suggest import did_you_mean

MANIFEST = "pack.yaml"
LAWS_FILE = "laws.yaml"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

FieldKind = Literal["boolean", "integer", "number", "string", "date", "enum", "list", "object"]


class FieldDecl(Frozen):
    """One spec field a pack declares: its type, and what it means (shown in the schema)."""

    type: FieldKind
    description: str | None = None
    unit: str | None = None
    values: list[str] | None = None  # enum
    items: FieldDecl | None = None  # list
    fields: dict[str, FieldDecl] | None = None  # object
    role: Literal["fact", "control"] = "fact"

    @model_validator(mode="after")
    def _shape(self) -> FieldDecl:
        needs = {"enum": "values", "list": "items", "object": "fields"}
        for kind, key in needs.items():
            given = getattr(self, key) is not None
            if self.type == kind and not given:
                raise ValueError(f"a field of type `{kind}` needs `{key}`")
            if self.type != kind and given:
                raise ValueError(f"`{key}` is only for fields of type `{kind}`")
        if self.values is not None and not self.values:
            raise ValueError("`values` lists at least one value")
        if self.fields is not None:
            _identifiers(self.fields)
        return self


def _identifiers(fields: dict[str, Any]) -> None:
    for name in fields:
        if not IDENTIFIER.match(str(name)):
            raise ValueError(f"field name `{name}` must be lower-case letters, digits and _")


class ThemeDecl(Frozen):
    en: str
    zh: str


class Manifest(Frozen):
    """The contents of pack.yaml."""

    name: str
    namespace: str | None = None
    version: str
    requires: str | None = None
    description: str | None = None
    themes: dict[str, ThemeDecl] = Field(default_factory=dict)
    laws: dict[str, Any] = Field(default_factory=dict)  # checked by the law registry
    fields: dict[str, FieldDecl] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("a pack name is lower-case letters, digits, `.`, `_` and `-`")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError("a namespace is lower-case letters, digits and _, e.g. `acme`")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_number(cls, value: Any) -> Any:
        """``version: 1.0`` is read by YAML as a number; it means the string."""
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        from packaging.version import InvalidVersion, Version

        try:
            Version(str(value))
        except InvalidVersion:
            raise ValueError(f"{value!r} is not a version like 1.2.0") from None
        return str(value)

    @field_validator("requires")
    @classmethod
    def _requires(cls, value: str | None) -> str | None:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        if value is not None:
            try:
                SpecifierSet(value)
            except InvalidSpecifier:
                raise ValueError(f"{value!r} is not a version specifier like `>=0.2`") from None
        return value

    @field_validator("themes")
    @classmethod
    def _themes(cls, value: dict[str, ThemeDecl]) -> dict[str, ThemeDecl]:
        _identifiers(value)
        return value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, FieldDecl]) -> dict[str, FieldDecl]:
        _identifiers(value)
        return value

    @model_validator(mode="after")
    def _fields_need_namespace(self) -> Manifest:
        if self.fields and self.namespace is None:
            raise ValueError("a pack that declares `fields` needs a `namespace` to put them in")
        return self


@dataclass(frozen=True)
class Pack:
    """A loaded pack: its manifest, its folder, where it was found and its instruments."""

    manifest: Manifest
    folder: Path
    source: str  # built-in | folder | installed (distribution version)
    file: str  # the manifest, or the folder when it has none
    laws: dict[str, Any] = field(default_factory=dict, compare=False)  # code -> law.Law
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.manifest.name

    def line_of(self, *path: str | int) -> int | None:
        return self.document.line_of(path) if self.document is not None else None

    def theme_labels(self) -> dict[str, Text]:
        return {k: Text(en=v.en, zh=v.zh) for k, v in self.manifest.themes.items()}


def _problems(exc: ValidationError, doc: Document) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        hint = None
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed(loc[:-1])
            message = f"unknown key `{key}`"
            hint = did_you_mean(key, allowed)
        elif err["type"] == "missing":
            message = "required field is missing"
        elif err["type"] == "literal_error":
            message = f"invalid value {err.get('input')!r} ({err['msg']})"
            hint = did_you_mean(str(err.get("input")), typing.get_args(FieldKind))
        else:
            message = err["msg"].removeprefix("Value error, ")
        out.append(
            Problem(
                message, doc.file, doc.line_of(loc) or doc.line_of(loc[:-1]), format_path(loc) or None, hint
            )
        )
    return out


def _allowed(parent: tuple[Any, ...]) -> list[str]:
    if not parent:
        return list(Manifest.model_fields)
    if parent[0] == "themes":
        return list(ThemeDecl.model_fields)
    return list(FieldDecl.model_fields)


def read_manifest(folder: Path, source: str) -> Pack:
    """The pack in ``folder``: its pack.yaml validated, or a nameless manifest for a plain
    folder of rules (named by its path). Laws are attached by the caller (law registry)."""
    file = folder / MANIFEST
    if not file.is_file():
        manifest = Manifest(name=_folder_name(folder), version="0")
        return Pack(manifest, folder, source, str(folder))
    doc = read_document(file)
    if not isinstance(doc.data, dict):
        raise RuleError.single(
            "pack.yaml holds a mapping: name, version, themes, laws, fields", file=doc.file, line=1
        )
    try:
        manifest = Manifest.model_validate(doc.data)
    except ValidationError as exc:
        raise RuleError(_problems(exc, doc)) from None
    return Pack(manifest, folder, source, doc.file, document=doc)


def _folder_name(folder: Path) -> str:
    text = re.sub(r"[^a-z0-9._-]+", "-", folder.as_posix().lower()).strip("-.")
    return text or "pack"


def engine_problem(pack: Pack, version: str) -> Problem | None:
    """A pack whose ``requires`` excludes this engine version cannot be loaded."""
    from packaging.specifiers import SpecifierSet

    requires = pack.manifest.requires
    if requires is None or SpecifierSet(requires).contains(version, prereleases=True):
        return None
    return Problem(
        f"pack `{pack.name}` requires regtech-engine {requires}; this is {version}",
        pack.file,
        pack.line_of("requires"),
        "requires",
        "upgrade regtech-engine, or use a version of the pack made for this one",
    )
