"""Baselines: only findings not in the baseline fail; matching ignores line numbers, never
accepts a non-waivable rule's finding, and a copied spec inherits nothing."""

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


def test_create_writes_every_waivable_finding_without_lines(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = _create(cli)
    assert result.code == 0, result.err
    assert "wrote baseline.json: 3 findings in 3 specs" in result.err
    # GATE-AML-NO-PROGRAM is `waivable: false`: left out, and said so
    assert "left out 1 finding of rules that may not be waived" in result.err
    assert "GATE-AML-NO-PROGRAM on evil.yaml" in result.err
    data = json.loads((work / "baseline.json").read_text(encoding="utf-8"))
    assert data["regtech_baseline"] == 1
    assert [(e["spec_id"], e["rule_id"]) for e in data["findings"]] == [
        ("evil-pay", "GATE-DS-NO-ENCRYPTION"),
        ("evil-pay", "GATE-PI-SEPARATE-CONSENT"),
        ("face-pay", "GATE-PI-SEPARATE-CONSENT"),
    ]
    assert all(
        set(e) == {"fingerprint", "rule_id", "spec_id", "spec", "severity"} for e in data["findings"]
    )  # nothing about lines
    first = (work / "baseline.json").read_bytes()
    _create(cli)
    assert (work / "baseline.json").read_bytes() == first


def test_known_findings_do_not_fail_even_when_lines_move(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    assert cli("check", *GATE_ARGS, *SPECS).code == 1
    spec = work / "noncompliant.yaml"
    spec.write_text(
        "# a new header\n# pushes every line down\n\n" + spec.read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = cli(
        "check",
        *GATE_ARGS,
        "noncompliant.yaml",
        "compliant.yaml",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["gate"]["baseline"] == {
        "file": "baseline.json",
        "known": 1,
        "new": 0,
        "fixed": 2,
    }  # evil.yaml's, not checked this time
    statuses = {f["status"] for r in report["results"] for f in r["findings"]}
    assert statuses == {"baselined"}
    assert report["results"][1]["findings"][0]["evidence"][0]["line"] == 31  # moved by 3


def test_a_baseline_never_accepts_a_non_waivable_finding(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Even an entry written by hand for a `waivable: false` rule leaves its finding open."""
    _create(cli)
    check = cli("check", *GATE_ARGS, "evil.yaml", "--format", "json")
    fingerprint = next(
        f["fingerprint"]
        for f in json.loads(check.out)["results"][0]["findings"]
        if f["rule_id"] == "GATE-AML-NO-PROGRAM"
    )
    data = json.loads((work / "baseline.json").read_text(encoding="utf-8"))
    data["findings"].append(
        {
            "fingerprint": fingerprint,
            "rule_id": "GATE-AML-NO-PROGRAM",
            "spec_id": "evil-pay",
            "spec": "evil.yaml",
            "severity": "critical",
        }
    )
    (work / "baseline.json").write_text(json.dumps(data), encoding="utf-8")
    result = cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    still = [f for r in report["results"] for f in r["findings"] if f["rule_id"] == "GATE-AML-NO-PROGRAM"]
    assert [(f["status"], f["blocking"]) for f in still] == [("open", True)]
    assert report["gate"]["baseline_refused"] == [fingerprint]


def test_a_copied_spec_inherits_no_baseline_entry(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    copy_spec("compliant", work, "copy")  # same product id as compliant.yaml, not checked with it
    text = (work / "copy.yaml").read_text(encoding="utf-8")
    (work / "copy.yaml").write_text(
        text.replace("separate_consent: true", "separate_consent: false", 1), encoding="utf-8"
    )
    copy_spec("noncompliant", work, "noncompliant-copy")
    result = cli(
        "check", *GATE_ARGS, "noncompliant-copy.yaml", "--baseline", "baseline.json", "--format", "json"
    )
    assert result.code == 1  # noncompliant.yaml's finding was baselined; its copy's is new
    report = json.loads(result.out)
    assert [f["status"] for r in report["results"] for f in r["findings"]] == ["open"]


def test_two_specs_with_one_product_id_are_an_input_error(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    copy_spec("noncompliant", work, "noncompliant-copy")
    for command in (("check",), ("baseline", "create", "--output", "b.json")):
        result = cli(*command, *GATE_ARGS, "noncompliant.yaml", "noncompliant-copy.yaml")
        assert result.code == 2, result.err
        assert "noncompliant.yaml:" in result.err and "noncompliant-copy.yaml:" in result.err
        assert "product.id `face-pay` is also used by noncompliant-copy.yaml" in result.err


def test_only_new_findings_fail(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    spec = work / "compliant.yaml"
    text = spec.read_text(encoding="utf-8").replace("separate_consent: true", "separate_consent: false", 1)
    spec.write_text(text, encoding="utf-8")
    result = cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    opened = [
        (r["spec"]["id"], f["rule_id"])
        for r in report["results"]
        for f in r["findings"]
        if f["status"] == "open"
    ]
    assert opened == [
        ("compliant-pay", "GATE-PI-SEPARATE-CONSENT"),
        ("evil-pay", "GATE-AML-NO-PROGRAM"),
    ]  # never baselined: not waivable
    assert report["gate"]["baseline"]["new"] == 2  # and the non-waivable one, never accepted
    sarif = json.loads(
        cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--format", "sarif").out
    )
    states = sorted(r["baselineState"] for r in sarif["runs"][0]["results"])
    assert states == ["new", "new", "unchanged", "unchanged", "unchanged"]
    # the non-waivable critical stays open, so --fail-on critical still fails
    assert cli("check", *GATE_ARGS, *SPECS, "--baseline", "baseline.json", "--fail-on", "critical").code == 1


def test_fixed_findings_are_counted(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _create(cli)
    result = cli("check", *GATE_ARGS, "compliant.yaml", "--baseline", "baseline.json")
    assert result.code == 0
    assert "baseline baseline.json: 0 known, 0 new, 3 fixed" in result.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]\n", "baseline.json:1: not a baseline file: expected a mapping with a `findings` list"),
        (
            '{"regtech_baseline": 7, "findings": []}\n',
            "baseline.json:1: regtech_baseline: unsupported baseline version 7 (expected 1)",
        ),
        (
            '{"regtech_baseline": 1,\n "findings": [\n  {"rule_id": "X"}\n ]}\n',
            "baseline.json:3: findings[0].fingerprint: each baseline entry needs a `fingerprint`",
        ),
        (
            '{"regtech_baseline": 1,\n "findings": [\n  {"fingerprint": "ab"}\n ]}\n',
            "baseline.json:3: findings[0].spec: each baseline entry needs a `spec`",
        ),
        ('{"regtech_baseline": 1, "findings": [}\n', "baseline.json:1: invalid YAML/JSON"),
    ],
)
def test_bad_baseline_files_are_input_errors(  # type: ignore[no-untyped-def]
    work: Path,
    cli,
    content: str,
    message: str,
) -> None:
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
