"""The parsed-pack cache: same documents as parsing, rebuilt silently when stale or damaged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regtech_engine.files import doccache
from regtech_engine.files.yamlio import read_document

TEXT = """\
id: X
when: {path: a, eq: 2024-01-02}
notes: "\\0key stays"
"\\0date": not a date
items: [1, 2.5, true, null, 2024-02-29T10:00:00+08:00]
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REGTECH_CACHE_DIR", str(folder))
    monkeypatch.delenv("REGTECH_NO_CACHE", raising=False)
    return folder


def test_a_cached_document_equals_the_parsed_one(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    parsed = read_document(path)
    first = doccache.read_pack_document(path)
    assert list(cache.rglob("*.json"))  # stored
    second = doccache.read_pack_document(path)  # from the cache
    for doc in (first, second):
        assert doc.data == parsed.data and doc.lines == parsed.lines and doc.file == str(path)
    assert isinstance(second.data["when"]["eq"], dt.date)
    assert isinstance(second.data["items"][4], dt.datetime)


def test_damaged_or_foreign_entries_are_rebuilt_silently(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    doccache.read_pack_document(path)
    [entry] = cache.rglob("*.json")
    for junk in (b"", b"{not json", b'{"v": 999}', b'{"v": 1, "data": 1, "lines": 5}'):
        entry.write_bytes(junk)
        assert doccache.read_pack_document(path).data == read_document(path).data


def test_an_edited_file_misses_and_errors_are_never_cached(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert doccache.read_pack_document(path).data == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    assert doccache.read_pack_document(path).data == {"a": 2}
    path.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(Exception, match="invalid YAML"):
        doccache.read_pack_document(path)
    with pytest.raises(Exception, match="invalid YAML"):
        doccache.read_pack_document(path)


def test_the_cache_can_be_turned_off(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGTECH_NO_CACHE", "1")
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    doccache.read_pack_document(path)
    assert not cache.exists()
