"""Issue #12 from the user's side: the gate never passes what it could not judge, and every
format counts from the one decision."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

AS_OF = "2026-11-25"

OMITTED = """\
spec_version: 1
product:
  id: bare-pay
  name: Bare Pay
  category: payment
  technologies: [biometrics, ai]
  regions: [CN]
operator:
  licenses: [payment]
users:
  expected_users: 2000000
"""

# a B2B supply-chain product with no individual users, not an AML category, licensed
OUT_OF_SCOPE = """\
spec_version: 1
product:
  id: ledger-b2b
  name: Ledger
  category: other
  regions: [CN]
  channels: [api]
operator:
  licenses: [bank]
users:
  expected_users: 0
data_security:
  classification_done: true
  highest_data_level: 2
  important_data: false
  encryption: {at_rest: true, in_transit: true}
  storage_regions: [CN]
  mlps_level: 2
  incident_response_plan: true
  security_officer: true
  foreign_judicial_requests_policy: true
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _json(cli, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    result = cli("check", *args, "--as-of", AS_OF, "--format", "json")
    return result.code, json.loads(result.out)


def test_omitted_sections_fail_the_gate_naming_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _write(tmp_path, "bare.yaml", OMITTED)
    code, report = _json(cli, spec)
    assert code == 1
    result = report["results"][0]
    scope = {f["rule_id"]: f for f in result["findings"] if f["rule_id"].startswith("SCOPE-")}
    assert {"SCOPE-PERSONAL-INFORMATION-MISSING", "SCOPE-DATA-SECURITY-MISSING", "SCOPE-AML-MISSING"} <= set(
        scope
    )
    pi = scope["SCOPE-PERSONAL-INFORMATION-MISSING"]
    assert "declares technologies: biometrics" in pi["message"]["en"]
    assert "declares users.expected_users: 2,000,000" in pi["message"]["en"]
    assert {(e["path"], e["line"]) for e in pi["evidence"]} >= {("users.expected_users", 11)}
    assert [c["law"] for c in pi["citations"]] == ["PIPL"]
    # every PI rule is undetermined (never not_applicable), naming the missing section
    undetermined = {u["rule_id"]: u for u in result["undetermined"]}
    assert undetermined["PIPL-029-SENSITIVE-SEPARATE-CONSENT"]["missing"] == ["personal_information"]
    assert undetermined["PIPL-029-SENSITIVE-SEPARATE-CONSENT"]["blocking"] is True
    assert report["gate"]["counts"]["blocking_undetermined"] > 0
    # text output says so too
    text = cli("check", spec, "--as-of", AS_OF).out
    assert "SCOPE-PERSONAL-INFORMATION-MISSING" in text
    assert "PIPL-029-SENSITIVE-SEPARATE-CONSENT (blocking): missing personal_information" in text


def test_facts_that_put_a_theme_out_of_scope_make_it_not_applicable(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _write(tmp_path, "b2b.yaml", OUT_OF_SCOPE)
    code, report = _json(cli, spec, "--theme", "personal_information", "--theme", "aml")
    result = report["results"][0]
    assert not [f for f in result["findings"] if f["rule_id"].startswith("SCOPE-")]
    assert result["undetermined"] == []
    assert result["summary"]["outcomes"]["insufficient_evidence"] == 0
    assert result["summary"]["outcomes"]["not_applicable"] > 30
    assert code == 0


def test_undetermined_blocks_unless_allowed_and_the_report_records_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = _write(tmp_path, "bare.yaml", OMITTED)
    code, report = _json(cli, spec, "--theme", "data_security", "--fail-on", "high")
    assert code == 1 and report["gate"]["counts"]["blocking_undetermined"] > 0
    code, report = _json(cli, spec, "--theme", "data_security", "--fail-on", "high", "--allow-undetermined")
    assert report["gate"]["allow_undetermined"] is True
    assert report["gate"]["counts"]["blocking_undetermined"] == 0
    # the missing-section finding itself still blocks
    assert code == 1 and report["gate"]["counts"]["blocking_findings"] == 1
    md = cli(
        "check",
        spec,
        "--as-of",
        AS_OF,
        "--theme",
        "data_security",
        "--allow-undetermined",
        "--format",
        "markdown",
    ).out
    assert "undetermined allowed \\(\\-\\-allow\\-undetermined\\)" in md


def _counts_of_every_format(cli, tmp_path: Path, *args: str) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(blocking findings, blocking undetermined) as each format shows them."""
    outs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "markdown", "html")}
    result = cli(
        "check", *args, "--as-of", AS_OF, *[f"--output-format={fmt}={path}" for fmt, path in outs.items()]
    )
    seen: dict[str, tuple[int, int]] = {}
    report = json.loads(outs["json"].read_text(encoding="utf-8"))
    seen["json"] = (
        sum(f["blocking"] for r in report["results"] for f in r["findings"]),
        sum(u["blocking"] for r in report["results"] for u in r["undetermined"]),
    )
    gate = report["gate"]["counts"]
    assert (gate["blocking_findings"], gate["blocking_undetermined"]) == seen["json"]
    sarif = json.loads(outs["sarif"].read_text(encoding="utf-8"))["runs"][0]
    seen["sarif"] = (
        sum(r["properties"]["blocking"] for r in sarif["results"] if r.get("kind") != "open"),
        sum(r["properties"]["blocking"] for r in sarif["results"] if r.get("kind") == "open"),
    )
    root = ET.fromstring(outs["junit"].read_text(encoding="utf-8"))
    failures = [f for f in root.iter("failure")]
    seen["junit"] = (
        sum(f.get("type") != "insufficient_evidence" for f in failures),
        sum(f.get("type") == "insufficient_evidence" for f in failures),
    )
    assert int(root.get("failures", "0")) == len(failures)
    md = outs["markdown"].read_text(encoding="utf-8")
    m = re.search(r"at \\-\\-fail\\-on \w+ \\\((\d+) findings, (\d+) undetermined\\\)", md)
    assert m is not None, md[:400]
    seen["markdown"] = (int(m.group(1)), int(m.group(2)))
    html = outs["html"].read_text(encoding="utf-8")
    seen["html"] = (
        len(re.findall(r'<article [^>]*data-blocking="true"', html)),
        len(re.findall(r'<li class="undetermined" [^>]*data-blocking="true"', html)),
    )
    m = re.search(r"at --fail-on \w+ \((\d+) findings, (\d+) undetermined\)", result.out)
    assert m is not None
    seen["text"] = (int(m.group(1)), int(m.group(2)))
    return seen


@pytest.mark.parametrize("fail_on", ["critical", "high", "low"])
def test_every_format_counts_the_same(cli, tmp_path: Path, fail_on: str) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import FIXTURES

    bare = _write(tmp_path, "bare.yaml", OMITTED)
    seen = _counts_of_every_format(cli, tmp_path, bare, str(FIXTURES / "face-pay.yaml"), "--fail-on", fail_on)
    assert len(set(seen.values())) == 1, seen
    assert next(iter(seen.values()))[0] > 0


def test_markdown_blocking_follows_fail_on(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Under --fail-on critical nothing at that level is open: nothing is blocking."""
    from tests.conftest import FIXTURES

    out = cli(
        "check",
        str(FIXTURES / "qr-pay-compliant.yaml"),
        "--as-of",
        AS_OF,
        "--fail-on",
        "critical",
        "--format",
        "markdown",
    )
    assert out.code == 0
    assert "(0 blocking)" in out.out.splitlines()[0]


def test_several_outputs_from_one_run(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import FIXTURES

    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    result = cli(
        "check",
        str(FIXTURES / "face-pay.yaml"),
        "--as-of",
        AS_OF,
        "--output-format",
        f"sarif={sarif}",
        "--output-format",
        f"junit={junit}",
    )
    assert result.code == 1
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert ET.fromstring(junit.read_text(encoding="utf-8")).tag == "testsuites"
    assert "face-pay.yaml" in result.out  # text on standard output as well
    bad = cli("check", str(FIXTURES / "face-pay.yaml"), "--output-format", "pdf=x.pdf")
    assert bad.code == 2 and "FORMAT=FILE" in bad.err
