"""Safe YAML/JSON reading that keeps every value's source line.

PyYAML's loaders silently keep the last of two equal keys, expand aliases without limit and
honour tags. Compliance records need the opposite, so documents are built here from the C
parser's event stream: explicit tags are refused, duplicate keys are errors, alias expansion
is counted against a budget before anything is expanded (an alias bomb fails in time linear
in the file), and every node's 1-based line is recorded under its path.
JSON is read by the same code (YAML is a superset of JSON for our purposes), so line numbers
and duplicate-key checks behave identically for ``.json`` specs.

YAML 1.1 reads some plain scalars as numbers nobody meant: ``1:20`` as 80 (base 60) and
``010`` as 8 (octal). Those stay strings here, so a field that wants a number reports a type
error at its line instead of silently holding another value. Only regular files are read,
and at most ``max_file_bytes()`` bytes of them are ever read (a device such as /dev/zero
reports size 0; a FIFO would block): the limit is ``REGTECH_MAX_INPUT_BYTES`` when set.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import YamlError, shown

try:  # the C parser is much faster; fall back to pure Python where libyaml is missing
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 8 * 1024 * 1024  # the default; REGTECH_MAX_INPUT_BYTES overrides it
LIMIT_VARIABLE = "REGTECH_MAX_INPUT_BYTES"
MAX_NODES = 200_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """``('a', 0, 'b')`` -> ``a[0].b``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Document:
    """A parsed file: plain data, plus the line each path was written on."""

    data: Any
    lines: dict[PathKey, int]
    file: str

    def line_of(self, path: PathKey) -> int | None:
        """Line of ``path`` or, failing that, of its nearest written ancestor."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)


_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# YAML 1.1 numbers that read as another value: base 60 (1:20 -> 80), octal (010 -> 8)
_SURPRISING_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|0[0-9_]+)")


def max_file_bytes() -> int:
    """The size limit of any one input file: REGTECH_MAX_INPUT_BYTES, else MAX_FILE_BYTES."""
    raw = os.environ.get(LIMIT_VARIABLE, "").strip().replace("_", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 and int(raw) > 0 else MAX_FILE_BYTES


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def fail(self, message: str, mark: Any, path: PathKey = ()) -> YamlError:
        line = mark.line + 1 if mark is not None else None
        return YamlError.single(message, file=self.file, line=line, path=format_path(path) or None)

    def count(self, n: int, mark: Any) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise self.fail(
                f"document too large: more than {MAX_NODES} values after expanding aliases (an alias bomb?)",
                mark,
            )

    def build(self, events: Any, first: Any, path: PathKey, depth: int) -> tuple[Any, int]:
        """Build the node starting at ``first``; return (value, expanded node count)."""
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", first.start_mark, path)
        self.lines.setdefault(path, first.start_mark.line + 1)
        if isinstance(first, yaml.AliasEvent):
            if first.anchor not in self.anchors:
                raise self.fail(f"unknown alias *{first.anchor}", first.start_mark, path)
            value, size = self.anchors[first.anchor]
            self.count(size, first.start_mark)
            return value, size
        tag = getattr(first, "tag", None)
        if tag is not None and tag != "!":
            raise self.fail(
                f"YAML tags are not allowed (found {tag!r}); write plain values",
                first.start_mark,
                path,
            )
        if isinstance(first, yaml.ScalarEvent):
            self.count(1, first.start_mark)
            value, size = self.scalar(first, path), 1
        elif isinstance(first, yaml.SequenceStartEvent):
            value, size = self.sequence(events, path, depth, first)
        elif isinstance(first, yaml.MappingStartEvent):
            value, size = self.mapping(events, path, depth, first)
        else:  # pragma: no cover - the parser guarantees one of the above
            raise self.fail(f"unexpected YAML event {type(first).__name__}", first.start_mark)
        if first.anchor:
            self.anchors[first.anchor] = (value, size)
        return value, size

    def scalar(self, event: Any, path: PathKey = ()) -> Any:
        if event.style is not None and event.implicit[1]:  # quoted: a string, nothing else
            return event.value
        try:
            return _plain_scalar(event.value, event.implicit)
        except (yaml.YAMLError, ValueError) as exc:
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            if "integer string conversion" in reason:  # Python's own limit, said plainly
                reason = "a number with more than 4,300 digits"
            raise self.fail(f"bad value {shown(event.value)}: {reason}", event.start_mark, path) from None

    def sequence(self, events: Any, path: PathKey, depth: int, start: Any) -> tuple[Any, int]:
        items: list[Any] = []
        size = 1
        self.count(1, start.start_mark)
        for event in events:
            if isinstance(event, yaml.SequenceEndEvent):
                return items, size
            value, n = self.build(events, event, (*path, len(items)), depth + 1)
            items.append(value)
            size += n
        raise self.fail("unterminated sequence", start.start_mark, path)  # pragma: no cover

    def mapping(self, events: Any, path: PathKey, depth: int, start: Any) -> tuple[Any, int]:
        result: dict[Any, Any] = {}
        size = 1
        self.count(1, start.start_mark)
        for event in events:
            if isinstance(event, yaml.MappingEndEvent):
                return result, size
            if not isinstance(event, yaml.ScalarEvent):
                raise self.fail("mapping keys must be plain scalars", event.start_mark, path)
            if event.tag is not None and event.tag != "!":
                raise self.fail(f"YAML tags are not allowed (found {event.tag!r})", event.start_mark, path)
            if event.value == "<<" and not event.style:
                raise self.fail("merge keys (<<) are not allowed", event.start_mark, path)
            key = self.scalar(event, path)
            if not isinstance(key, str | int | bool) or key is None:
                key = str(key)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first_line = self.lines.get((*path, key))
                raise self.fail(
                    f"key `{key}` is written twice in one mapping"
                    + (f" (first on line {first_line})" if first_line else ""),
                    event.start_mark,
                    (*path, key),
                )
            key_line = event.start_mark.line + 1 if event.start_mark is not None else 0
            self.lines[(*path, key)] = key_line
            value_event = next(events)
            value, n = self.build(events, value_event, (*path, key), depth + 1)
            self.lines[(*path, key)] = key_line
            result[key] = value
            size += n
        raise self.fail("unterminated mapping", start.start_mark, path)  # pragma: no cover


@lru_cache(maxsize=65_536)
def _plain_scalar(value: str, implicit: tuple[bool, bool]) -> Any:
    """A plain scalar's value. Memoised: spec and rule files repeat the same few values
    (true, false, dates, enum words) thousands of times, and every result is immutable."""
    tag = _resolver.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    if tag in (_INT, _FLOAT) and _SURPRISING_NUMBER.fullmatch(value):
        return value
    try:
        return _constructor.construct_object(yaml.ScalarNode(tag, value))
    finally:  # the constructor remembers every node it built; ours are never seen again
        _constructor.constructed_objects.clear()


def parse_text(text: str, file: str = "<string>") -> Document:
    """Parse one YAML (or JSON) document held in ``text``."""
    builder = _Builder(file)
    data: Any = None
    try:
        events = iter(yaml.parse(text, Loader=_Loader))
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise builder.fail("only one YAML document per file", event.start_mark)
                data, _ = builder.build(events, next(events), (), 0)
    except yaml.MarkedYAMLError as exc:
        mark: Any = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise YamlError.single(f"invalid YAML/JSON: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise YamlError.single(f"invalid YAML/JSON: {exc}", file=file) from None
    return Document(data=data, lines=builder.lines, file=file)


def read_document(path: str | Path, display: str | None = None) -> Document:
    """Read and parse a file, refusing huge, non-regular or undecodable ones clearly."""
    name = display or str(path)
    return parse_text(read_text(path, name), name)


def read_text(path: str | Path, name: str) -> str:
    """The text of a regular file of at most ``max_file_bytes()`` bytes (counted as read)."""
    limit = max_file_bytes()
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise YamlError.single("is a folder, not a file", file=name)
        if not stat.S_ISREG(mode):
            raise YamlError.single("not a regular file (a FIFO, socket or device); give a file", file=name)
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise YamlError.single(f"cannot read file: {exc.strerror or exc}", file=name) from None
    if len(raw) > limit:
        raise YamlError.single(
            f"file is larger than the limit of {limit:,} bytes (set {LIMIT_VARIABLE} to change it)", file=name
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError.single("file is UTF-16 text; save it as UTF-8", file=name, line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError.single(f"file is not UTF-8 text (byte {exc.start})", file=name, line=line) from None
    if "\x00" in text:
        raise YamlError.single(
            "file contains NUL bytes; not a text file",
            file=name,
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    return text
