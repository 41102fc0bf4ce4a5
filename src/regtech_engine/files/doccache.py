"""Parsed rule-pack files, cached by content: start-up is most of a pre-commit hook's wait.

Parsing ~200 rule files with the line-keeping YAML builder took about half of a cold
``regtech check``. A file's parse (its data and the line of every path) is stored as JSON
under the user's cache folder, keyed by the sha256 of its text and the cache format version,
so an edited file simply misses. A missing, stale, damaged or unwritable cache is never an
error: the file is parsed as before. It is data (JSON), never pickle, so a planted cache
file can at worst describe a document, not run code; and it only ever stands for a file
whose exact text hashed to its name. ``REGTECH_CACHE_DIR`` moves it, ``REGTECH_NO_CACHE=1``
turns it off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from .yamlio import Document, PathKey, parse_text, read_text

VERSION = 1
_DATE = "\x00date"  # a key no YAML mapping of ours can hold (see _escape)
_ESC = "\x00"


def cache_dir() -> Path | None:
    if os.environ.get("REGTECH_NO_CACHE"):
        return None
    base = os.environ.get("REGTECH_CACHE_DIR")
    if base:
        return Path(base) / f"documents-v{VERSION}"
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "regtech-engine" / f"documents-v{VERSION}"


def read_pack_document(path: str | Path, display: str | None = None) -> Document:
    """Like ``yamlio.read_document``, through the content-keyed cache."""
    name = display or str(path)
    text = read_text(path, name)
    folder = cache_dir()
    if folder is None:
        return parse_text(text, name)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    entry = folder / digest[:2] / f"{digest}.json"
    cached = _load(entry, name)
    if cached is not None:
        return cached
    document = parse_text(text, name)  # errors propagate as before; nothing is cached
    _store(entry, document)
    return document


def _load(entry: Path, name: str) -> Document | None:
    try:
        raw = orjson.loads(entry.read_bytes())
        if raw.get("v") != VERSION:
            return None
        lines: dict[PathKey, int] = {tuple(p): int(n) for p, n in raw["lines"]}
        return Document(data=_decode(raw["data"]), lines=lines, file=name)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _store(entry: Path, document: Document) -> None:
    payload = {
        "v": VERSION,
        "data": _encode(document.data),
        "lines": [[list(p), n] for p, n in document.lines.items()],
    }
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps(payload))
        os.replace(tmp, entry)
    except (OSError, TypeError):
        return


def _escape(key: Any) -> Any:
    return _ESC + key if isinstance(key, str) and key.startswith(_ESC) else key


def _unescape(key: str) -> str:
    return key[1:] if key.startswith(_ESC) else key


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):  # datetime too: both are dates to the rules
        return {_DATE: value.isoformat()}
    if isinstance(value, dict):
        return {_escape(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise TypeError("integer beyond JSON's range")  # such a file is not cached
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError("JSON has no NaN or infinity")
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _DATE in value:
            text = value[_DATE]
            return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
        return {_unescape(k): _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
