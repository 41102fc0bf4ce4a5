"""Reading product specs: file -> validated model + line map, or a located SpecError."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, SpecError, shown
from ..files.yamlio import Document, PathKey, format_path, parse_text, read_document
from ..suggest import did_you_mean
from .models import ProductSpec
from .schema import FieldType, field_type_of, fields_of

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec with what findings need to point back into its file."""

    model: ProductSpec
    data: dict[str, Any]
    document: Document
    path: str
    digest: str

    @property
    def id(self) -> str:
        return self.model.product.id

    def line_of(self, path: PathKey) -> int | None:
        return self.document.lines.get(tuple(path))


def _type_at(loc: tuple[str | int, ...], root: type[ProductSpec] = ProductSpec) -> FieldType | None:
    current: FieldType | None = field_type_of(root)
    for part in loc:
        if current is None:
            return None
        if current.kind == "list":
            current = current.item
            if isinstance(part, int):
                continue
        if current is None or current.kind != "model" or current.model is None:
            return None
        current = fields_of(current.model).get(str(part))
    return current


def _expected_keys(loc: tuple[str | int, ...], root: type[ProductSpec]) -> list[str]:
    parent = _type_at(loc[:-1], root)
    if parent is not None and parent.kind == "list":
        parent = parent.item
    if parent is not None and parent.kind == "model" and parent.model is not None:
        return list(fields_of(parent.model))
    return []


def _problem(err: dict[str, Any], document: Document, root: type[ProductSpec]) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    line = document.line_of(loc)
    path = format_path(loc) or None
    value = err.get("input")
    hint: str | None = None
    if kind == "extra_forbidden" and len(loc) == 2 and loc[0] == "extensions":
        return Problem(
            f"no loaded pack declares the extension namespace `{loc[1]}`",
            document.file,
            line,
            path,
            did_you_mean(str(loc[1]), _expected_keys(loc, root))
            or "load the pack that declares it: --rules FOLDER, `rules:` in"
            " regtech.yaml, or install its package",
        )
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = did_you_mean(key, _expected_keys(loc, root))
        return Problem(f"unknown key `{key}`", document.file, line, path, hint)
    if kind in ("enum", "literal_error"):
        ftype = _type_at(loc, root)
        allowed = list(ftype.enum_values) if ftype and ftype.kind == "enum" else []
        if isinstance(value, str) and allowed:
            hint = did_you_mean(value, allowed)
        allowed_text = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return Problem(f"invalid value {shown(value)}{allowed_text}", document.file, line, path, hint)
    if kind == "missing":
        return Problem("required field is missing", document.file, line, path)
    message = err["msg"]
    if value is not None and not isinstance(value, dict | list):
        message = f"{message} (got {shown(value)})"
    return Problem(message, document.file, line, path)


def spec_from_document(document: Document, model: type[ProductSpec] = ProductSpec) -> LoadedSpec:
    """Validate a parsed document as a product spec (``model``: the core spec model, or the
    one with the loaded packs' extension fields, RulePack.spec_model)."""
    if not isinstance(document.data, dict):
        raise SpecError.single(
            "a product spec must be a mapping with `spec_version` and `product`",
            file=document.file,
            line=1,
        )
    try:
        spec = model.model_validate(document.data)
    except ValidationError as exc:
        problems = [_problem(dict(e), document, model) for e in exc.errors(include_url=False)]
        problems.sort(key=lambda p: (p.line or 0, p.path or ""))
        raise SpecError(problems) from None
    digest = hashlib.sha256(repr(_canonical(document.data)).encode()).hexdigest()
    return LoadedSpec(spec, document.data, document, document.file, f"sha256:{digest}")


def _canonical(value: Any) -> Any:
    """The content, whatever the key order and the format: a YAML date and the same date
    written as a JSON string are one value (a spec's digest is the same in YAML and JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    return value


def load_spec(
    path: str | Path, display: str | None = None, model: type[ProductSpec] = ProductSpec
) -> LoadedSpec:
    """Read and validate one spec file (a path find_spec_files refused is a SpecError)."""
    refusal = getattr(path, "refusal", None)
    if refusal is not None:
        raise SpecError.single(refusal, file=display or str(path))
    return spec_from_document(read_document(path, display), model)


def load_spec_text(text: str, name: str = "<inline>", model: type[ProductSpec] = ProductSpec) -> LoadedSpec:
    return spec_from_document(parse_text(text, name), model)


class RefusedPath(type(Path())):  # type: ignore[misc]
    """A file found in a folder that is not read, and why (load_spec reports it). It
    "exists" so that callers report the refusal rather than a missing file."""

    refusal: str | None = None

    def exists(self, *args: Any, **kwargs: Any) -> bool:
        return True


def _refused(path: Path, why: str) -> Path:
    refused = RefusedPath(path)
    refused.refusal = why
    return refused


def _in_folder(child: Path, root: Path) -> Path:
    """``child`` or, for a symlink leaving ``root`` (or looping, or dangling), a refusal:
    a spec folder must not make us read, and print excerpts of, files elsewhere."""
    if not child.is_symlink():
        return child
    try:
        target = child.resolve(strict=True)
    except RuntimeError:
        return _refused(child, "symlink loop; not followed")
    except OSError as exc:
        return _refused(child, f"symlink to a missing file ({exc.strerror or exc}); not followed")
    if not target.is_relative_to(root.resolve()):
        return _refused(
            child,
            f"symlink to a file outside {root}; not followed (copy the "
            "spec into the folder, or name the file itself)",
        )
    return child


def find_spec_files(paths: list[str]) -> list[tuple[Path, str]]:
    """Expand files and folders into (path, display name) pairs, sorted, without duplicates.

    In a folder, symlinks are followed only to files inside it; other symlinks come back as
    RefusedPath. A file named directly is read wherever it is."""
    found: dict[str, Path] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.suffix.lower() not in SPEC_SUFFIXES:
                    continue
                if child.is_symlink():
                    found.setdefault(child.as_posix(), _in_folder(child, p))
                elif child.is_file():
                    found.setdefault(child.as_posix(), child)
        else:
            found.setdefault(p.as_posix(), p)
    return [(p, name) for name, p in sorted(found.items())]
