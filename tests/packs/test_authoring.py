"""Authoring help and docs (issue #14 items 5, 7, 8): the spec JSON Schema, regtech init,
every relative link in the docs, the misworded-step hint and the tutorial's commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from regtech_engine.files.yamlio import read_document
from regtech_engine.spec.models import Category
from tests.conftest import DATA, FIXTURES, REPO

BIN = Path(sys.executable).parent


def _plain(data: object) -> object:
    """YAML dates as the strings a JSON document would hold."""
    return json.loads(json.dumps(data, default=str))


def test_json_schema_validates_every_fixture_and_rejects_a_misspelt_key(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "schema.json"
    assert cli("spec", "schema", "--rules", str(DATA / "house_pack"), "--output", str(out)).code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    specs = [
        *sorted(FIXTURES.glob("*.y*ml")),
        *sorted(FIXTURES.glob("*.json")),
        *sorted((REPO / "rules" / "bases").glob("*.yaml")),
        REPO / "docs" / "product-spec.example.yaml",
        DATA / "house_pack" / "bases" / "acme-loan.yaml",
    ]
    for spec in specs:
        errors = list(validator.iter_errors(_plain(read_document(spec).data)))
        assert not errors, f"{spec}: {errors[0].message}"
    data = _plain(read_document(FIXTURES / "face-pay.yaml").data)
    assert isinstance(data, dict)
    data["product"]["categroy"] = data["product"].pop("category")
    assert not validator.is_valid(data)
    loan = _plain(read_document(DATA / "house_pack" / "bases" / "acme-loan.yaml").data)
    assert isinstance(loan, dict)
    loan["extensions"]["acme"]["apr_disclosd"] = True
    assert not validator.is_valid(loan)
    described = schema["$defs"]["Product"]["properties"]["category"]
    assert "description" in described


@pytest.mark.parametrize("category", [c.value for c in Category])
def test_init_writes_a_valid_spec_with_every_in_scope_section(cli, tmp_path: Path, category: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "spec.yaml"
    assert cli("init", "--category", category, "--output", str(out), "--as-of", "2026-01-01").code == 0
    assert cli("check", str(out), "--fail-on", "never", "--as-of", "2026-01-01").code == 0
    text = out.read_text(encoding="utf-8")
    if category == "consumer_credit":
        for section in ("personal_information", "data_security", "aml", "consumer_protection"):
            assert re.search(rf"^{section}: {{.*}}  # in scope", text, re.M), section
    missing = cli("check", str(out), "--format", "json", "--as-of", "2026-01-01")
    # every in-scope section is present; only lists, which need real items, are left out
    scope_findings = set(re.findall(r'"rule_id": "(SCOPE-[A-Z-]+)"', missing.out))
    assert scope_findings <= {"SCOPE-PI-CATEGORIES-MISSING", "SCOPE-PI-CROSS-BORDER-MISSING"}, scope_findings


def test_every_relative_link_in_readme_and_docs_resolves() -> None:
    broken = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0]
            if not path or re.match(r"^[a-z]+:", path):
                continue
            if not (doc.parent / path).exists():
                broken.append(f"{doc.relative_to(REPO)}: {target}")
    assert not broken


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_a_misworded_step_names_the_closest_phrases(tmp_path: Path) -> None:
    (tmp_path / "x.feature").write_text(
        '@regtech\nFeature: x\n  Scenario: y\n    Given the base spec "payment-compliant"\n'
        "    And the as of date is 2026-01-01\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            "x.feature",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    assert run.returncode == 1
    assert "Closest phrases" in run.stdout and "Given the as-of date is {date}" in run.stdout
    assert "StepDefinitionNotFoundError" not in run.stdout


def test_the_house_pack_tutorial_runs(tmp_path: Path) -> None:
    text = (REPO / "docs" / "house-packs.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    script = tmp_path / "tutorial.sh"
    script.write_text("\n".join(blocks), encoding="utf-8")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "ACME-POL7-003-APR-NOT-DISCLOSED" in run.stdout
    assert "1 passed" in run.stdout  # the Chinese scenario
