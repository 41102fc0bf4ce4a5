"""Baselines: only findings not in the baseline fail; matching ignores line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reporters.helpers import GATE_ARGS, copy_spec


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    copy_spec("noncompliant", tmp_path)
    copy_spec("evil", tmp_path)
    copy_spec("compliant", tmp_path)
    return tmp_path


SPECS = ("noncompliant.yaml", "evil.yaml", "compliant.yaml")


def _create(cli, *extra: str):  # type: ignore[no-untyped-def]
    return cli("baseline", "create", *GATE_ARGS, *SPECS, "--output", "baseline.json", *extra)


def test_create_writes_every_finding_without_lines(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = _create(cli)
    assert result.code == 0, result.err
    assert "wrote baseline.json: 4 findings in 3 specs" in result.err
    data = json.loads((work / "baseline.json").read_text(encoding="utf-8"))
    assert data["regtech_baseline"] == 1
    assert [(e["spec_id"], e["rule_id"]) for e in data["findings"]] == [
        ("evil-pay", "GATE-AML-NO-PROGRAM"), ("evil-pay", "GATE-DS-NO-ENCRYPTION"),
        ("evil-pay", "GATE-PI-SEPARATE-CONSENT"), ("face-pay", "GATE-PI-SEPARATE-CONSENT")]
    assert all(set(e) == {"fingerprint", "rule_id", "spec_id", "spec", "severity"}
               for e in data["findings"])  # nothing about lines
    first = (work / "baseline.json").read_bytes()
    _create(cli)
    assert (work / "baseline.json").read_bytes() == first


def test_known_findings_do_not_fail_even_when_lines_move(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    assert cli("check", *GATE_ARGS, *SPECS).code == 1
    spec = work / "noncompliant.yaml"
    spec.write_text("# a new header\n# pushes every line down\n\n"
                    + spec.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["gate"]["baseline"] == {"file": "baseline.json", "known": 4, "new": 0,
                                          "fixed": 0}
    statuses = {f["status"] for r in report["results"] for f in r["findings"]}
    assert statuses == {"baselined"}
    assert report["results"][2]["findings"][0]["evidence"][0]["line"] == 31  # moved by 3


def test_only_new_findings_fail(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    spec = work / "compliant.yaml"
    text = spec.read_text(encoding="utf-8").replace("separate_consent: true", "separate_consent:"
                                                    " false", 1)
    spec.write_text(text, encoding="utf-8")
    result = cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    opened = [(r["spec"]["id"], f["rule_id"]) for r in report["results"] for f in r["findings"]
              if f["status"] == "open"]
    assert opened == [("compliant-pay", "GATE-PI-SEPARATE-CONSENT")]
    assert report["gate"]["baseline"]["new"] == 1
    # the new finding is high: below --fail-on critical, while the known critical is ignored
    assert cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json",
               "--fail-on", "critical").code == 0
    sarif = json.loads(cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json",
                           "--format", "sarif").out)
    states = sorted(r["baselineState"] for r in sarif["runs"][0]["results"])
    assert states == ["new", "unchanged", "unchanged", "unchanged", "unchanged"]


def test_fixed_findings_are_counted(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    result = cli("check", *GATE_ARGS, "compliant.yaml", "--baseline", "baseline.json")
    assert result.code == 0
    assert "baseline baseline.json: 0 known, 0 new, 4 fixed" in result.out


@pytest.mark.parametrize(("content", "message"), [
    ("[]\n", "baseline.json:1: not a baseline file: expected a mapping with a `findings` list"),
    ('{"regtech_baseline": 7, "findings": []}\n',
     "baseline.json:1: regtech_baseline: unsupported baseline version 7 (expected 1)"),
    ('{"regtech_baseline": 1,\n "findings": [\n  {"rule_id": "X"}\n ]}\n',
     "baseline.json:3: findings[0].fingerprint: each baseline entry needs a `fingerprint`"),
    ('{"regtech_baseline": 1, "findings": [}\n', "baseline.json:1: invalid YAML/JSON"),
])
def test_bad_baseline_files_are_input_errors(work: Path, cli, content: str,  # type: ignore[no-untyped-def]
                                             message: str) -> None:
    (work / "baseline.json").write_text(content, encoding="utf-8")
    result = cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json")
    assert result.code == 2
    assert message in result.err, result.err


def test_create_refuses_invalid_specs(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (work / "broken.yaml").write_text("spec_version: 1\nproduct: {id: x}\n", encoding="utf-8")
    result = cli("baseline", "create", *GATE_ARGS, "broken.yaml", "--output", "baseline.json")
    assert result.code == 2
    assert "broken.yaml:2" in result.err
    assert not (work / "baseline.json").exists()
    missing = cli("baseline", "create", "nothing.yaml")
    assert missing.code == 2 and "Missing option '--output'" in missing.err


@pytest.mark.parametrize("command", [("check",), ("baseline", "create", "--output", "b.json")])
def test_no_builtin_needs_a_rules_folder(work: Path, cli, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, "--no-builtin", "compliant.yaml")
    assert result.code == 2
    assert "--no-builtin needs at least one --rules folder" in result.err
