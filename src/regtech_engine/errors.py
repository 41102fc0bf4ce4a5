"""Problems with input: one small tree of exceptions carrying file, line and field path.

Core code raises these; only the CLI turns them into messages and exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

_E = TypeVar("_E", bound="InputError")


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message: its repr, cut short (a hostile file may hold megabytes)."""
    try:
        text = repr(value)
    except ValueError:  # an integer with more digits than Python will print
        return "<a number too long to show>"
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``, ``\\x0a``): a file name or value
    in a message cannot move the cursor, recolour a terminal or forge a line of a CI log."""
    return text.translate(_CONTROL) if not text.isprintable() else text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None
    hint: str | None = None

    def render(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


@dataclass
class InputError(Exception):
    """Base of every input problem; holds one or more located problems."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)

    @classmethod
    def single(cls: type[_E], message: str, **where: Any) -> _E:
        return cls([Problem(message, **where)])


class YamlError(InputError):
    """A file that is not acceptable YAML/JSON (syntax, tags, duplicate keys, bombs, size)."""


class SpecError(InputError):
    """A product spec that does not match the spec model."""


class RuleError(InputError):
    """A rule or parameter file that is not a valid rule."""


class WaiverError(InputError):
    """A waiver file that is not acceptable."""


class TransactionError(InputError):
    """A transaction stream or rates file that cannot be used at all."""


class UsageError(InputError):
    """Bad command-line arguments detected by the core (e.g. an unknown theme)."""


class OutputError(InputError):
    """An output the run was told to write cannot be written (missing folder, full disk)."""


class EngineUnavailable(RuntimeError):
    """The durable_rules C engine (or our Python 3.13 shim for it) cannot be loaded: an
    install problem, not an input problem. The message says what to do; exit 3."""
