"""Fuzz targets: each takes arbitrary bytes and must either accept them or refuse them with
one of the tool's located input errors (what the CLI turns into exit 2). Anything else (an
uncaught exception, a crash) is a finding.

- ``spec``: the product-spec loader (bytes as a spec file: size, encoding, YAML/JSON, tags,
  aliases, duplicate keys, the spec model), then a reference-backend check of a valid spec;
- ``rules``: the rule loader (bytes as a rule file, against the built-in laws, parameters and
  spec model: rule schema, conditions, patterns, citations, test cases);
- ``transactions``: the transaction parser (bytes as a JSONL or CSV stream, every row to a
  transaction or a dead letter).

Used by fuzz/run.py (atheris) and by tests/property/test_fuzz.py (a short seeded pass).
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from regtech_engine.check import Checker
from regtech_engine.errors import InputError
from regtech_engine.language.rules import RulePack, load_pack, load_rule_file
from regtech_engine.monitor.ingest import read_rows
from regtech_engine.monitor.rates import Rates, load_rates
from regtech_engine.spec.loader import load_spec

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 25)
_RATES = "USD: {cny: 7.10, usd: 1}\nEUR: {cny: 7.75, usd: 1.09}\n"


@cache
def _pack() -> RulePack:
    return load_pack()


@cache
def _checker() -> Checker:
    return Checker(_pack(), AS_OF, backend="reference")


@cache
def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="regtech-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def _rates() -> Rates:
    path = _scratch() / "rates.yaml"
    path.write_text(_RATES, encoding="utf-8")
    return load_rates(path)


def _as_file(data: bytes, name: str) -> Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


def spec(data: bytes) -> None:
    path = _as_file(data, "spec.yaml")
    try:
        loaded = load_spec(path)
    except InputError:
        return
    _checker().check(loaded)


def rules(data: bytes) -> None:
    path = _as_file(data, "FUZZ-001-RULE.yaml")
    pack = _pack()
    try:
        load_rule_file(path, pack.parameters, pack.laws, pack.themes, pack.spec_model)
    except InputError:
        return


def transactions(data: bytes) -> None:
    """The first byte picks the format (odd: CSV), the rest is the stream."""
    name = "fuzz.csv" if data[:1] and data[0] % 2 else "fuzz.jsonl"
    text = data[1:].decode("utf-8", "surrogateescape")  # as monitor/ingest.open_text reads
    stream = io.StringIO(text, newline="")
    try:
        for _row in read_rows(stream, name, _rates()):
            pass
    except InputError:
        return


TARGETS: dict[str, Callable[[bytes], None]] = {"spec": spec, "rules": rules, "transactions": transactions}


def _transaction_seeds() -> Iterator[bytes]:
    from regtech_engine.monitor.generate import GeneratorConfig, write_dataset

    folder = _scratch() / "generated"
    for fmt, first in (("jsonl", b"\x00"), ("csv", b"\x01")):
        files = write_dataset(folder / fmt, GeneratorConfig(n=60, seed=3, plants=1, days=3), fmt=fmt)
        lines = files[0].read_bytes().splitlines(keepends=True)
        yield first + b"".join(lines[:25])
    yield b"\x00" + (
        b'{"tx_id": "t1", "timestamp": "2025-09-30T10:00:00", "customer_id": "C1",'
        b' "customer_type": "individual", "account_id": "A1", "direction": "in",'
        b' "channel": "cash", "amount": "50000.00", "currency": "CNY"}\n'
    )


def seeds(target: str) -> Iterator[bytes]:
    """The starting corpus of a target, from the repository's fixtures."""
    if target == "spec":
        for folder in (REPO / "fixtures" / "products", REPO / "rules" / "bases"):
            for file in sorted(folder.glob("*.yaml")):
                yield file.read_bytes()
        for file in sorted((REPO / "tests" / "data" / "specs").glob("*.*"))[:20]:
            if file.is_file():
                yield file.read_bytes()
    elif target == "rules":
        for theme in sorted(p for p in (REPO / "rules").iterdir() if p.is_dir()):
            if theme.name in ("bases", "parameters", "coverage", "texts"):
                continue
            for file in sorted(theme.rglob("*.yaml"))[:8]:
                yield file.read_bytes()
    elif target == "transactions":
        yield from _transaction_seeds()
    else:
        raise KeyError(target)


def write_corpus(target: str, folder: Path) -> Path:
    """The seeds as files of a libFuzzer corpus folder (kept if it already has files)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.iterdir()):
        for i, data in enumerate(seeds(target)):
            (folder / f"seed-{i:03d}").write_bytes(data)
    return folder


if __name__ == "__main__":  # pragma: no cover - a smoke run: every seed through its target
    for name, target in TARGETS.items():
        count = 0
        for data in seeds(name):
            target(data)
            count += 1
        print(f"{name}: {count} seeds ok", file=sys.stderr)
