"""The hostile-input corpus: every file the tool reads, given every kind of bad content.

Each case ends in exit 2 naming the file (and the line where there is one) and the problem,
never a traceback (exit 3) and never a hang, within generous bounds: 10 s per case, the
whole corpus in one subprocess with a timeout (a hang fails it), its peak memory under
500 MB and its address space capped (a blow-up ends in MemoryError, exit 3: a failure).
Small cases are files in data/; big, binary and filesystem ones are made here at run time.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
GOOD_SPEC = ROOT / "fixtures" / "products" / "face-pay.yaml"
A_RULE_ID = "GATE-DS-NO-ENCRYPTION"
GATE_RULES = ROOT / "tests" / "data" / "gate_rules"
# check runs use a small fixed pack: the corpus tests the readers, not the built-in rules
PACK = ["--no-builtin", "--rules", str(GATE_RULES)]
SECONDS = 10.0
MEGABYTES = 500.0


def _generated() -> dict[str, bytes]:
    rng = random.Random(17)
    return {
        "deep_nesting": b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "deep_mapping": b"".join(b"  " * i + b"k:\n" for i in range(3_000)) + b"  " * 3_000 + b"v\n",
        "over_size_limit": b"a: '" + b"x" * (9 * 1024 * 1024) + b"'\n",
        "binary": rng.randbytes(4096),
        "invalid_utf8": b"a: 1\nb: caf\xe9\n",
        "utf16": "a: 1\n".encode("utf-16"),
        "nul_byte": b"a: 1\nb: \x00\n",
        "huge_integer": b"a: " + b"9" * 5_000 + b"\n",
        "long_line": b"a: " + b"y" * 2_000_000 + b"\n",
    }


GENERIC = sorted([p.stem for p in DATA.glob("*.yaml")] + list(_generated()))
# the line each generic payload's problem is on (where a line is meaningful)
LINES = {
    "duplicate_keys": 3,
    "tag_python": 1,
    "tag_custom": 1,
    "tag_binary": 1,
    "tag_set": 1,
    "tag_omap": 1,
    "tag_timestamp": 1,
    "merge_key": 3,
    "multi_document": 2,
    "unknown_alias": 1,
    "invalid_utf8": 2,
    "nul_byte": 2,
    "huge_integer": 1,
}
KINDS = ("spec", "rule", "parameters", "waivers", "baseline", "rates", "holidays", "checkpoint")
# (kind, payload) pairs that are legitimately not an error: an empty waiver file waives
# nothing, an empty baseline lists no findings
NOT_ERRORS = {("waivers", "empty"): 0, ("waivers", "comment_only"): 0}
# value-level cases that are valid input (a 40-digit count is a number, checked as one)
VALID_VALUES = {"beyond_int64"}


@dataclass
class Case:
    id: str
    argv: list[str]
    code: int = 2
    names: list[str] = field(default_factory=list)  # the file named in the message
    line: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    also: str | None = None  # text the message must hold


def _payload(name: str) -> bytes:
    generated = _generated()
    return generated[name] if name in generated else (DATA / f"{name}.yaml").read_bytes()


def _tx_file(work: Path) -> Path:
    path = work / "ok.jsonl"
    if not path.exists():
        row = {
            "tx_id": "t1",
            "timestamp": "2025-09-30T10:00:00",
            "customer_id": "C1",
            "customer_type": "individual",
            "account_id": "A1",
            "direction": "in",
            "channel": "cash",
            "amount": "100.00",
            "currency": "CNY",
        }
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def _generic_case(work: Path, kind: str, payload: str) -> Case:
    data = _payload(payload)
    cid = f"{kind}-{payload}"
    base = work / cid
    base.mkdir(parents=True)
    check = ["check", str(GOOD_SPEC), *PACK, "--fail-on", "never"]
    if kind == "spec":
        f = base / "x.yaml"
        argv = ["check", str(f), *PACK, "--fail-on", "never"]
    elif kind == "rule":
        f = base / "rules" / "personal_information" / "X-RULE.yaml"
        argv = [*check, "--rules", str(base / "rules")]
    elif kind == "parameters":
        f = base / "rules" / "parameters" / "x.yaml"
        argv = [*check, "--rules", str(base / "rules")]
    elif kind == "waivers":
        f = base / "waivers.yaml"
        argv = [*check, "--waivers", str(f)]
    elif kind == "baseline":
        f = base / "baseline.json"
        argv = [*check, "--baseline", str(f)]
    elif kind == "rates":
        f = base / "rates.yaml"
        argv = ["monitor", str(_tx_file(work)), "--rates", str(f)]
    elif kind == "holidays":
        f = base / "holidays.yaml"
        argv = ["monitor", str(_tx_file(work)), "--holidays", str(f)]
    else:
        f = base / "ckpt" / "monitor.ckpt"
        argv = [
            "monitor",
            str(_tx_file(work)),
            "--output",
            str(base / "out.jsonl"),
            "--checkpoint",
            str(f.parent),
            "--resume",
        ]
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(data)
    code = NOT_ERRORS.get((kind, payload), 2)
    line = LINES.get(payload) if kind not in ("checkpoint",) else None
    return Case(cid, argv, code, [f.name], line)


# -- value-level cases: a valid file with one hostile value ------------------------------
SPEC_VALUES = {
    "nan": ".nan",
    "infinity": ".inf",
    "minus_infinity": "-.inf",
    "float_1e400": "1e400",
    "bool_for_int": "true",
    "sexagesimal": "1:20",
    "octal": "010",
    "float_for_int": "1.0",
    "string_for_int": "'12'",
    "negative": "-5",
    "beyond_int64": "9" * 40,
    "date_for_int": "2024-02-30",
}
RATE_VALUES = {
    "nan": ".nan",
    "infinity": ".inf",
    "float_1e400": "1e400",
    "zero": "0",
    "bool": "true",
    "sexagesimal": "7:10",
    "huge_integer": "9" * 5000,
}
DATE_VALUES = {
    "impossible_date": "2024-02-30",
    "year_99999": "'99999-01-01'",
    "number": "20240101",
    "nan": ".nan",
}


def _value_cases(work: Path) -> list[Case]:
    cases = []
    template = GOOD_SPEC.read_text(encoding="utf-8")

    def line(text: str) -> int:
        return template[: template.index(text)].count("\n") + 1

    for name, value in SPEC_VALUES.items():
        f = work / f"spec-value-{name}.yaml"
        f.write_text(template.replace("individuals: 2000000", f"individuals: {value}"), encoding="utf-8")
        cases.append(
            Case(
                f"spec-value-{name}",
                ["check", str(f), *PACK, "--fail-on", "never"],
                0 if name in VALID_VALUES else 2,
                names=[f.name],
                line=line("individuals: 2000000"),
                also="personal_information.individuals",
            )
        )
    for name, value in DATE_VALUES.items():
        f = work / f"spec-date-{name}.yaml"
        f.write_text(template.replace("launch_date: 2026-03-01", f"launch_date: {value}"), encoding="utf-8")
        cases.append(
            Case(
                f"spec-date-{name}",
                ["check", str(f), *PACK, "--fail-on", "never"],
                names=[f.name],
                line=line("launch_date: 2026-03-01"),
                also="product.launch_date",
            )
        )
        w = work / f"waivers-date-{name}.yaml"
        w.write_text(
            f"waivers:\n  - rule_id: {A_RULE_ID}\n    spec: '*'\n    justification: x"
            f"\n    requester: a@example.com\n    approver: b@example.com\n"
            f"    expires: {value}\n",
            encoding="utf-8",
        )
        cases.append(
            Case(
                f"waivers-date-{name}",
                ["check", str(GOOD_SPEC), *PACK, "--waivers", str(w), "--fail-on", "never"],
                names=[w.name],
                line=7,
                also="expires",
            )
        )
    for name, value in RATE_VALUES.items():
        f = work / f"rates-value-{name}.yaml"
        f.write_text(f"USD: {{cny: {value}, usd: 1}}\n", encoding="utf-8")
        cases.append(
            Case(
                f"rates-value-{name}",
                ["monitor", str(_tx_file(work)), "--rates", str(f)],
                names=[f.name],
                line=1,
            )
        )
    crlf = work / "spec-crlf-bom.yaml"
    crlf.write_bytes(
        b"\xef\xbb\xbf"
        + template.replace("individuals: 2000000", "individuals: yes").replace("\n", "\r\n").encode()
    )
    cases.append(
        Case(
            "spec-crlf-bom-bad-value",
            ["check", str(crlf), *PACK, "--fail-on", "never"],
            names=[crlf.name],
            line=line("individuals: 2000000"),
        )
    )
    fine = work / "spec-crlf-bom-valid.yaml"
    fine.write_bytes(b"\xef\xbb\xbf" + template.replace("\n", "\r\n").encode())
    cases.append(Case("spec-crlf-bom-valid", ["check", str(fine), *PACK, "--fail-on", "never"], code=0))
    return cases


# -- filesystem, paths, outputs, arguments -----------------------------------------------
def _fs_cases(work: Path) -> list[Case]:
    cases = []
    fifo = work / "fifo.yaml"
    os.mkfifo(fifo)
    cases.append(
        Case("spec-fifo", ["check", str(fifo), *PACK], names=["fifo.yaml"], also="not a regular file")
    )
    cases.append(Case("spec-dev-zero", ["check", "/dev/zero", *PACK], names=["/dev/zero"]))
    cases.append(Case("spec-missing", ["check", str(work / "nope.yaml"), *PACK], names=["nope.yaml"]))
    folder = work / "specs"
    folder.mkdir()
    (folder / "shadow.yaml").symlink_to("/etc/shadow")
    (folder / "loop-a.yaml").symlink_to(folder / "loop-b.yaml")
    (folder / "loop-b.yaml").symlink_to(folder / "loop-a.yaml")
    (folder / "dangling.yaml").symlink_to(work / "gone.yaml")
    cases.append(
        Case(
            "spec-folder-symlinks",
            ["check", str(folder), *PACK],
            names=["shadow.yaml", "loop-a.yaml", "dangling.yaml"],
            also="not followed",
        )
    )
    odd = work / "odd name\nwith 中文 and spaces.yaml"
    odd.write_text("spec_version: 1\nproduct: []\n", encoding="utf-8")
    cases.append(
        Case("spec-odd-file-name", ["check", str(odd), *PACK], names=["with 中文 and spaces.yaml"], line=2)
    )
    out_cases = {
        "output-is-folder": str(work),
        "output-missing-folder": str(work / "no" / "r.json"),
        "output-under-a-file": str(GOOD_SPEC / "r.json"),
        "output-dev-full": "/dev/full",
    }
    for cid, target in out_cases.items():
        cases.append(
            Case(
                cid,
                ["check", str(GOOD_SPEC), *PACK, "--fail-on", "never", "--output", target],
                names=[Path(target).name],
            )
        )
    for value in ("99999-01-01", "2024-02-30", "0000-01-01", "yesterday"):
        cases.append(
            Case(f"as-of-{value}", ["check", str(GOOD_SPEC), *PACK, "--as-of", value], names=["--as-of"])
        )
    return cases


def _transaction_cases(work: Path) -> list[Case]:
    cases = []
    rows = _tx_file(work).read_bytes() * 3
    whole = gzip.compress(rows * 200)

    def tx(
        cid: str, name: str, content: bytes | None, code: int = 2, *extra: str, line: int | None = None
    ) -> None:
        f = work / name
        if content is not None:
            f.write_bytes(content)
        cases.append(Case(cid, ["monitor", str(f), *extra], code, [name], line))

    tx(
        "tx-csv-without-header",
        "nohead.csv",
        b"t1,2025-09-30T10:00:00,C1,individual,A1,in,cash,100,CNY\n",
        line=1,
    )
    tx("tx-gzip-truncated", "trunc.jsonl.gz", whole[: len(whole) // 2])
    tx("tx-not-gzip", "plain.jsonl.gz", rows)
    crc = bytearray(whole)
    crc[-8] ^= 0xFF  # the CRC32 in the trailer
    tx("tx-gzip-crc", "crc.jsonl.gz", bytes(crc))
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"a" * (1 << 20)
    body = b"".join(bomb.compress(chunk) for _ in range(300)) + bomb.compress(b"\n")
    tx("tx-gzip-bomb-one-line", "bomb.jsonl.gz", body + bomb.flush(), 1)
    tx("tx-binary", "binary.jsonl", random.Random(3).randbytes(20_000), 1)
    tx("tx-empty", "empty.jsonl", b"", 0)
    tx("tx-invalid-utf8-row", "latin1.jsonl", rows + b'{"tx_id": "caf\xe9"}\n', 1)
    fifo = work / "fifo.jsonl"
    os.mkfifo(fifo)
    tx("tx-fifo", "fifo.jsonl", None)
    tx("tx-folder", "afolder", None)
    (work / "afolder").mkdir()
    cases.append(Case("tx-dev-zero", ["monitor", "/dev/zero"], names=["/dev/zero"]))
    store = work / "store.db"
    store.write_bytes(b"this is not an sqlite database" * 100)
    cases.append(
        Case("tx-corrupt-store", ["monitor", str(_tx_file(work)), "--store", str(store)], names=["store.db"])
    )
    cases.append(
        Case(
            "tx-output-missing-folder",
            ["monitor", str(_tx_file(work)), "--output", str(work / "no" / "o.jsonl")],
            names=["o.jsonl"],
        )
    )
    big = work / "large-value.jsonl"
    big.write_bytes(_tx_file(work).read_bytes().replace(b'"100.00"', b'"60000.00"'))
    cases.append(
        Case("tx-output-dev-full", ["monitor", str(big), "--output", "/dev/full"], names=["/dev/full"])
    )
    return cases


def _all_cases(work: Path) -> list[Case]:
    cases = [_generic_case(work, k, p) for k in KINDS for p in GENERIC]
    cases += _value_cases(work)
    cases += _fs_cases(work)
    cases += _transaction_cases(work)
    small = work / "small-limit.yaml"
    small.write_text("a: " + "z" * 30_000 + "\n", encoding="utf-8")
    cases.append(
        Case(
            "spec-size-limit-from-environment",
            ["check", str(small), *PACK],
            names=[small.name],
            env={"REGTECH_MAX_INPUT_BYTES": "25000"},
            also="REGTECH_MAX_INPUT_BYTES",
        )
    )
    return cases


_BUILT: list[tuple[Path, list[Case]]] = []


def _built() -> tuple[Path, list[Case]]:
    """The corpus, built once (at collection: the case ids are the files made)."""
    if not _BUILT:
        work = Path(tempfile.mkdtemp(prefix="regtech-hostile-"))
        _BUILT.append((work, _all_cases(work)))
    return _BUILT[0]


IDS = [c.id for c in _built()[1]]


@pytest.fixture(scope="module")
def corpus() -> Iterator[dict[str, tuple[Case, dict[str, Any]]]]:
    """Run every case in one driver subprocess; case id -> (case, result)."""
    work, cases = _built()
    spec_file = work / "cases.json"
    spec_file.write_text(
        json.dumps([{"id": c.id, "argv": c.argv, "env": c.env} for c in cases]), encoding="utf-8"
    )
    results_file = work / "results.json"
    marker = Path("/tmp/regtech-pwned")
    marker.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(Path(__file__).with_name("driver.py")), str(spec_file), str(results_file)],
        check=True,
        timeout=240,
        cwd=work,
    )
    assert not marker.exists(), "a YAML tag ran code"
    results = {r["id"]: r for r in json.loads(results_file.read_text(encoding="utf-8"))}
    yield {c.id: (c, results[c.id]) for c in cases}
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("case_id", IDS)
def test_hostile_input(corpus: dict[str, tuple[Case, dict[str, Any]]], case_id: str) -> None:
    case, result = corpus[case_id]
    err = result["stderr"]
    assert "Traceback" not in err and "internal error" not in err, err
    assert result["code"] == case.code, f"exit {result['code']}, expected {case.code}: {err}"
    assert result["seconds"] < SECONDS
    if case.code != 2:
        return
    for name in case.names:
        assert name.replace("\n", "\\n") in err or name in err, err
    if case.line is not None:
        assert f":{case.line}:" in err, err
    if case.also is not None:
        assert case.also in err, err


def test_the_corpus_stays_within_memory(corpus: dict[str, tuple[Case, dict[str, Any]]]) -> None:
    results = [result for _, result in corpus.values()]
    peak = max(r["max_rss_mb"] for r in results)
    first = next(r["id"] for r in results if r["max_rss_mb"] == peak)
    assert peak < MEGABYTES, f"peak {peak:.0f} MB, reached at {first}"


def test_every_kind_of_file_is_covered() -> None:
    assert {i.split("-")[0] for i in IDS} >= {*KINDS, "tx", "output", "as"}
