"""A thin driver on durable_rules' C API.

We skip durable's ``Host``: it starts timer threads that race with synchronous calls, cannot
unregister a ruleset and costs ~40% more per document. The recipe per document (measured
flat over 100,000 documents): fresh session id -> assert_fact -> drain the fired actions ->
delete_state in ``finally``. A ruleset is freed with ``delete_ruleset`` once no session is
open on it (engine/cache.py frees evicted packs under their lock; measured flat over 200
compile/evaluate/free cycles; an earlier crash came from sessions freed uninitialised, which
the SEEN marker below prevents).
"""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any

import orjson

from ._loader import engine_module

_ids = itertools.count(1)
# Every batch carries one marker fact that fires SEEN. durable_rules only initialises a
# session's action context when
# an action starts, and delete_state frees that context: a session in which nothing fired
# freed uninitialised pointers (valgrind: deleteStateNode) and crashed the process later.
SEEN = "__seen"
MARKER = "__marker"
MAX_PROPERTIES = 250  # the engine's limit is 255 per document, counting nested fields


class DurableError(RuntimeError):
    """durable_rules reported an error (a bug in our compiler or a limit of the engine)."""


class Ruleset:
    """One registered durable ruleset."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self._engine = engine_module()
        self.name = f"regtech{next(_ids)}"
        for rule in definition.values():
            rule.pop("run", None)
        definition = {**definition, SEEN: {"all": [{"m": {MARKER: 1}}]}}
        try:
            self.handle = self._engine.create_ruleset(self.name, json.dumps(definition, ensure_ascii=False))
        except Exception as exc:  # the C engine raises bare Exceptions with a code
            raise DurableError(f"durable_rules rejected a compiled ruleset: {exc}") from exc
        self._sids = itertools.count(1)

    def close(self) -> None:
        """Free the engine's ruleset; the object must not be used afterwards."""
        handle, self.handle = self.handle, None
        if handle is not None:
            with contextlib.suppress(Exception):
                self._engine.delete_ruleset(handle)

    def fired(self, documents: list[dict[str, Any]], consume: bool = False) -> set[tuple[str, str]]:
        """Assert documents as facts in a fresh session; (rule name, fact id) of each firing.

        Documents must carry an ``id`` (unique in the batch) and stay within the engine's
        property limit (the compiler guarantees it: see compiler.check_unit_size). With
        ``consume`` the caller gives the documents up: those with ``id`` last get the session
        id added in place instead of being copied (the monitor's per-row documents).
        """
        fired: set[tuple[str, str]] = set()
        if not documents:
            return fired
        sid = str(next(self._sids))
        # "id" and "sid" last: the engine misbehaved (memory corruption, later segfaults) when
        # they came first; at the end, each action message's fact id is found from the end
        marker = {MARKER: 1, "id": SEEN, "sid": sid}
        if consume:
            for d in documents:
                if next(reversed(d)) != "id":
                    d["id"] = d.pop("id")
                d["sid"] = sid
            payload = [*documents, marker]
        else:
            payload = [
                {**d, "id": d["id"], "sid": sid}
                if next(reversed(d)) == "id"
                else {**{k: v for k, v in d.items() if k != "id"}, "id": d["id"], "sid": sid}
                for d in documents
            ]
            payload.append(marker)
        engine = self._engine
        try:
            result = engine.assert_facts(self.handle, _dumps(payload))
            state = result[1]
            started = engine.start_action_for_state(self.handle, state)
            messages = started[1] if started else None
            while messages:
                name, fact_id = _name_and_id(messages)
                if name != SEEN:
                    fired.add((name, fact_id))
                messages = engine.complete_and_start_action(self.handle, state)
        except Exception as exc:
            if "MessageNotHandled" in str(exc):
                return fired
            raise DurableError(f"durable_rules failed while evaluating: {exc}") from exc
        finally:
            with contextlib.suppress(Exception):  # nothing to clean if no session was made
                engine.delete_state(self.handle, sid)
        return fired


_ID = '"id":"'


def _dumps(payload: list[dict[str, Any]]) -> str:
    """Compact JSON (both writers give the same separators, which ``_ID`` relies on)."""
    try:
        return orjson.dumps(payload).decode()
    except TypeError:  # integers beyond 64 bits: orjson refuses them, json does not
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _name_and_id(message: str) -> tuple[str, str]:
    """(rule name, fact id) of one action message ``{"<rule>":{"m":{..., "id": "<id>", "sid": ...}}}``.

    The engine echoes the fact as we serialised it (orjson escapes quotes inside values,
    so the last ``"id":"`` is our key); rules split for size are named ``<name>#<i>``.
    """
    name_end = message.find('":{')
    start = message.rfind(_ID)
    if message.startswith('{"') and name_end > 0 and start > 0:
        start += len(_ID)
        return message[2:name_end].split("#", 1)[0], message[start : message.index('"', start)]
    parsed = json.loads(message)  # pragma: no cover - the engine's format changed
    ((name, match),) = parsed.items()
    return name.split("#", 1)[0], next(iter(match.values()))["id"]
