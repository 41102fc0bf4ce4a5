"""Compiled rule packs, bounded: a long-running process sees many dates and packs.

A pack compiled for one set of parameter values serves every date on which those values
are in force, so the key is (backend, pack digest, parameter values, rules in force). The
cache is an LRU of at most ``size`` entries; an evicted entry releases its engine rulesets
(durable_rules' ``delete_ruleset``, measured flat over 200 compile/free cycles). Each entry
evaluates one document at a time under its own lock (durable_rules sessions are not meant
to be shared between threads), and a checker still holding an evicted entry recompiles it
on its next use instead of touching freed memory.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from ..vocabulary import Outcome
from .base import CompiledRules

DEFAULT_SIZE = 16


class Guarded:
    """A compiled pack behind a lock, compiled on first use and again after being freed."""

    def __init__(self, compile_: Callable[[], CompiledRules]) -> None:
        self._compile = compile_
        self._compiled: CompiledRules | None = None
        self._lock = threading.Lock()

    def evaluate(self, data: dict[str, Any], as_of: dt.date) -> dict[str, Outcome]:
        with self._lock:
            if self._compiled is None:
                self._compiled = self._compile()
            return self._compiled.evaluate(data, as_of)

    def warm(self) -> Guarded:
        """Compile now (errors surface at construction, not at the first spec)."""
        with self._lock:
            if self._compiled is None:
                self._compiled = self._compile()
        return self

    def free(self) -> None:
        with self._lock:
            compiled, self._compiled = self._compiled, None
        close = getattr(compiled, "close", None)
        if close is not None:
            close()

    @property
    def compiled(self) -> CompiledRules | None:
        return self._compiled


class CompileCache:
    """An LRU of compiled packs; thread-safe."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a compile cache holds at least one pack")
        self.size = size
        self._entries: OrderedDict[Hashable, Guarded] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compile_: Callable[[], CompiledRules]) -> Guarded:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            entry = Guarded(compile_)
            self._entries[key] = entry
            evicted = []
            while len(self._entries) > self.size:
                evicted.append(self._entries.popitem(last=False)[1])
        for old in evicted:
            old.free()
        return entry.warm()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        for entry in entries:
            entry.free()
