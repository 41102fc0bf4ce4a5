"""``--jobs N``: checks, impact and rule tests over worker processes give the serial output.

Every report format is written by one run each way (``--output-format``), byte for byte.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from regtech_engine.authoring.ruletests import run_tests
from regtech_engine.language.rules import load_pack
from regtech_engine.pool import AUTO_ABOVE, resolve_jobs
from regtech_engine.reporters import FORMATS
from tests.reporters.helpers import AS_OF, GATE_RULES, SPECS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def many_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More specs than the auto threshold: the shipped products, each under several ids."""
    folder = tmp_path_factory.mktemp("specs")
    sources = sorted((ROOT / "fixtures" / "products").glob("*.yaml"))
    n = 0
    while n <= AUTO_ABOVE + 2:
        for src in sources:
            data = yaml.safe_load(src.read_text(encoding="utf-8"))
            data["product"]["id"] = f"{data['product']['id']}-{n}"
            (folder / f"{n:02d}-{src.name}").write_text(
                yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
            )
            n += 1
    return folder


def _all_formats(cli, specs: Path, out: Path, jobs: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    out.mkdir()
    extra = [f"--output-format={f}={out / f}" for f in FORMATS]
    result = cli(
        "check",
        str(specs),
        "--as-of",
        "2026-06-01",
        "--fail-on",
        "never",
        "--jobs",
        jobs,
        "--output",
        str(out / "console"),
        *extra,
    )
    assert result.code == 0, result.err
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_check_reports_identical_in_every_format(cli, many_specs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    serial = _all_formats(cli, many_specs, tmp_path / "one", "1")
    pooled = _all_formats(cli, many_specs, tmp_path / "two", "2")
    assert set(serial) == {*FORMATS, "console"}
    for name in serial:
        assert pooled[name] == serial[name], name


def test_impact_identical(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    changed = tmp_path / "changed"
    shutil.copytree(GATE_RULES, changed)
    ds = changed / "data_security" / "GATE-DS-NO-ENCRYPTION.yaml"
    ds.write_text(
        ds.read_text(encoding="utf-8").replace("severity: medium", "severity: high"), encoding="utf-8"
    )
    outputs = []
    for jobs in ("1", "2"):
        result = cli(
            "impact",
            "--no-builtin",
            "--base-rules",
            str(GATE_RULES),
            "--rules",
            str(changed),
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "json",
            "--jobs",
            jobs,
            str(SPECS),
        )
        assert result.code == 0, result.err
        outputs.append(result.out)
    assert outputs[0] == outputs[1]
    assert '"severity_changed"' in outputs[0]


def test_rule_tests_identical() -> None:
    full = load_pack([], builtin=True)
    pack = replace(full, rules=full.rules[:12])  # a dozen rules with their cases: quick
    serial = run_tests(pack, [], jobs=1)
    pooled = run_tests(pack, [], jobs=2)
    assert pooled == serial
    assert len(serial.results) > 12


def test_default_jobs() -> None:
    assert resolve_jobs(None, AUTO_ABOVE) == 1
    assert resolve_jobs(None, AUTO_ABOVE + 1) >= 1
    assert resolve_jobs(3, 1) == 3
