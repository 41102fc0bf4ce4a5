"""Hostile and malformed YAML/JSON: clear located errors, bounded work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regtech_engine.errors import YamlError
from regtech_engine.files.yamlio import MAX_FILE_BYTES, parse_text, read_document


def test_values_keep_their_lines() -> None:
    doc = parse_text("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n")
    assert doc.data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}]}
    assert doc.lines[("b", 0, "y")] == 4
    assert doc.lines[("a",)] == 1


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "key `a` is written twice in one mapping (first on line 1)"),
        ('{"a": 1,\n "a": 2}', 2, "written twice"),
        ("a: !!python/object/apply:os.system ['echo hi']\n", 1, "YAML tags are not allowed"),
        ("a: !custom 5\n", 1, "YAML tags are not allowed"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", 3, "merge keys"),
        ("a: [1, 2\n", 2, "invalid YAML/JSON"),
        ("a: 1\n---\nb: 2\n", 2, "only one YAML document"),
        ("a: *nope\n", 1, "unknown alias"),
    ],
)
def test_rejected_with_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(YamlError) as info:
        parse_text(text, "spec.yaml")
    problem = info.value.problems[0]
    assert problem.file == "spec.yaml"
    assert problem.line == line
    assert needle in problem.render()


def test_a_number_too_long_for_python_is_a_short_located_error() -> None:
    with pytest.raises(YamlError) as info:
        parse_text("a: 1\nb: " + "9" * 5000 + "\n", "spec.yaml")
    message = info.value.problems[0].render()
    assert message.startswith("spec.yaml:2: b: bad value")
    assert "more than 4,300 digits" in message and len(message) < 200


def test_alias_bomb_is_rejected_quickly() -> None:
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        layers.append(f"a{i}: &a{i} [{refs}]")
    started = time.process_time()
    with pytest.raises(YamlError, match="alias bomb"):
        parse_text("\n".join(layers) + "\n", "bomb.yaml")
    # a bounded amount of work: far below what expanding 10^12 nodes would take
    assert time.process_time() - started < 5


def test_deep_nesting_is_rejected() -> None:
    with pytest.raises(YamlError, match="nesting deeper"):
        parse_text("a: " + "[" * 100 + "]" * 100 + "\n")


def test_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(YamlError, match="limit"):
        read_document(big)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"a: \x80\x01")
    with pytest.raises(YamlError, match="not UTF-8"):
        read_document(binary)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match="cannot read file"):
        read_document(tmp_path / "absent.yaml")
