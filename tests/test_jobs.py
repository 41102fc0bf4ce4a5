"""``--jobs N``: checks, impact and rule tests over worker processes give the serial output.

Every report format is written by one run each way (``--output-format``), byte for byte;
invalid files, duplicate ids and missing paths give the same problems in the same order;
a pack with its own spec fields (a spec model made at load time) reaches the workers.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from regtech_engine.authoring.ruletests import run_tests
from regtech_engine.findings import Evidence
from regtech_engine.language.rules import load_pack
from regtech_engine.pool import AUTO_ABOVE, _packed, _rule_ids, _Shared, check_files, resolve_jobs, spec_files
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


def _bad_folder(folder: Path) -> Path:
    """Valid specs with invalid ones among them: a misspelt key, a bad value, broken YAML,
    a symlink leaving the folder, and two pairs of specs sharing an id."""
    src = (ROOT / "fixtures" / "products" / "digital-asset-exchange.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    for n in range(30):
        (folder / f"{n:02d}.yaml").write_text(src.replace("  id: coinhub\n", f"  id: coinhub-{n}\n"))
    (folder / "03.yaml").write_text(src.replace("launch_date:", "lauch_date:"))
    (folder / "11.yaml").write_text(src.replace("category: digital_asset", "category: digital_assets"))
    (folder / "17.yaml").write_text(src + "extra: [unclosed\n")
    (folder / "20.yaml").write_text(src.replace("  id: coinhub\n", "  id: coinhub-5\n"))
    (folder / "24.yaml").write_text(src.replace("  id: coinhub\n", "  id: coinhub-22\n"))
    (folder / "26.yaml").unlink()
    (folder / "26.yaml").symlink_to(ROOT / "fixtures" / "products" / "face-pay.yaml")
    return folder


def test_problems_identical(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _bad_folder(tmp_path / "specs")
    runs = []
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"report-{jobs}.json"
        result = cli(
            "check", str(folder), str(tmp_path / "missing.yaml"), "--as-of", "2026-06-01",
            "--format", "json", "--output", str(out), "--jobs", jobs,
        )  # fmt: skip
        runs.append((result.code, result.err, out.read_bytes()))
    assert runs[1] == runs[0] and runs[2] == runs[0]
    code, err, _ = runs[0]
    assert code == 2
    lines = err.splitlines()
    expected = [  # by file name, then duplicates by id
        f"{tmp_path}/missing.yaml: no such file or folder",
        f"{folder}/03.yaml:8: product.lauch_date: unknown key",
        f"{folder}/11.yaml:6: product.category: invalid value 'digital_assets'",
        f"{folder}/17.yaml:46: invalid YAML/JSON",
        f"{folder}/26.yaml: symlink to a file outside",
        f"{folder}/22.yaml:4: product.id: product.id `coinhub-22` is also used by {folder}/24.yaml",
        f"{folder}/24.yaml:4: product.id: product.id `coinhub-22` is also used by {folder}/22.yaml",
        f"{folder}/05.yaml:4: product.id: product.id `coinhub-5` is also used by {folder}/20.yaml",
        f"{folder}/20.yaml:4: product.id: product.id `coinhub-5` is also used by {folder}/05.yaml",
    ]
    problems = [line for line in lines if line.startswith(str(tmp_path))]
    assert len(problems) == len(expected)
    for line, start in zip(problems, expected, strict=True):
        assert line.startswith(start), (line, start)


def test_impact_problems_identical(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _bad_folder(tmp_path / "specs")
    runs = []
    for jobs in ("1", "2"):
        result = cli(
            "impact", "--rules", str(GATE_RULES), "--as-of", "2026-06-01", "--jobs", jobs, str(folder)
        )  # fmt: skip
        runs.append((result.code, result.err))
    assert runs[0] == runs[1]
    assert runs[0][0] == 2 and "03.yaml:8: product.lauch_date" in runs[0][1]


def test_pack_with_spec_fields_in_workers(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A pack declaring spec fields has a spec model class made at load time, which pickle
    cannot name: it reaches the workers as the declarations that make it."""
    for n in range(AUTO_ABOVE + 4):
        disclosed = "true" if n % 2 else "false"
        (tmp_path / f"loan-{n:02d}.yaml").write_text(
            f"spec_version: 1\nproduct: {{id: loan-{n}, name: ACME loan, category: consumer_credit}}\n"
            f"extensions:\n  acme: {{apr_disclosed: {disclosed}, apr_percent: 18.0, channel: app}}\n",
            encoding="utf-8",
        )
    outputs = []
    for jobs in ("1", "2"):
        result = cli(
            "check", str(tmp_path), "--rules", str(ROOT / "tests" / "data" / "house_pack"),
            "--as-of", "2026-06-01", "--fail-on", "never", "--format", "json", "--jobs", jobs,
        )  # fmt: skip
        assert result.code == 0, result.err
        outputs.append(result.out)
    assert outputs[0] == outputs[1]
    assert outputs[0].count('"rule_id": "ACME-POL7-003-APR-NOT-DISCLOSED"') == (AUTO_ABOVE + 4) // 2


def test_results_come_back_as_they_were(pack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A result travels as JSON, or pickled where JSON would change it (an infinite number,
    text JSON cannot encode); either way the parent gets an equal result."""
    files, _ = spec_files([str(ROOT / "fixtures" / "products" / "face-pay.yaml")])
    report, problems = check_files(pack, dt.date(2026, 6, 1), files)
    assert not problems
    result = report.results[0]
    ids = _rule_ids(pack)
    assert isinstance(_packed(result, ids)[1], str)  # JSON, outcomes as letters: the usual way
    finding = result.findings[0]
    for odd in (float("inf"), float("nan"), [1.5, float("-inf")], "bad \udc00 text"):
        evidence = [*finding.evidence, Evidence(path="product.odd", value=odd, line=3)]
        changed = result.model_copy(
            update={"findings": [finding.model_copy(update={"evidence": evidence}), *result.findings[1:]]}
        )
        packed = _packed(changed, ids)
        assert isinstance(packed, bytes)  # pickled
        back = _Shared().unpacked(packed, ids)
        assert repr(back) == repr(changed)
    again = _Shared().unpacked(_packed(result, ids), ids)
    assert again == result and again.outcomes == result.outcomes
