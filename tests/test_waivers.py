"""Waivers on `regtech check`: waived, expired, stale and malformed cases."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from regtech_engine.gate.waivers import shanghai_date
from tests.reporters.helpers import GATE_ARGS, copy_spec

WAIVER = """\
waivers:
  - rule_id: GATE-PI-SEPARATE-CONSENT
    spec: {spec}
    justification: Face login is being retired; consent flow ships in Q3.
    requester: ann@example.com
    approver: bo@example.com
    expires: {expires}
"""


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    copy_spec("noncompliant", tmp_path)
    copy_spec("compliant", tmp_path)
    return tmp_path


def _write(folder: Path, text: str, name: str = "waivers.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _check(cli, *args: str):  # type: ignore[no-untyped-def]
    return cli("check", *GATE_ARGS, "noncompliant.yaml", "compliant.yaml", *args)


def test_without_waivers_the_finding_fails(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = _check(cli)
    assert result.code == 1
    assert "waived" not in result.out


def test_a_waived_finding_is_reported_and_does_not_fail(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="face-pay", expires="2026-12-31"))
    result = _check(cli, "--waivers", "waivers.yaml", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    (finding,) = report["results"][1]["findings"]
    assert finding["status"] == "waived"
    assert finding["waiver"]["approver"] == "bo@example.com"
    assert finding["waiver"]["line"] == 2
    assert report["results"][1]["summary"]["findings"] == 1  # the contract's counts unchanged
    (waived,) = report["gate"]["waived"]
    assert (waived["spec_id"], waived["rule_id"]) == ("face-pay", "GATE-PI-SEPARATE-CONSENT")
    assert report["gate"]["expired"] == [] and report["gate"]["stale"] == []
    text = _check(cli, "--waivers", "waivers.yaml")
    assert text.code == 0
    assert "[HIGH] (waived) GATE-PI-SEPARATE-CONSENT" in text.out
    assert "waived until 2026-12-31 (waivers.yaml:2)" in text.out


def test_spec_globs_match_ids_and_paths(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    for pattern in ("face-*", "'*.yaml'", "noncompliant.yaml"):
        _write(work, WAIVER.format(spec=pattern, expires="2026-12-31"))
        assert _check(cli, "--waivers", "waivers.yaml").code == 0, pattern


def test_the_default_waiver_file_is_used_when_present(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="face-pay", expires="2026-12-31"), ".regtech-waivers.yaml")
    result = _check(cli, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["gate"]["waivers_file"] == ".regtech-waivers.yaml"


def test_an_expired_waiver_stops_waiving_and_is_reported(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="face-pay", expires="2026-05-31"))  # as-of is 2026-06-01
    result = _check(cli, "--waivers", "waivers.yaml", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["results"][1]["findings"][0]["status"] == "open"
    (expired,) = report["gate"]["expired"]
    assert (expired["expires"], expired["line"]) == ("2026-05-31", 2)
    text = _check(cli, "--waivers", "waivers.yaml")
    assert "waiver expired on 2026-05-31: GATE-PI-SEPARATE-CONSENT on face-pay" in text.out


def test_a_waiver_is_valid_through_its_expiry_day(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="face-pay", expires="2026-06-01"))
    assert _check(cli, "--waivers", "waivers.yaml").code == 0


def test_a_waiver_matching_nothing_is_stale(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="other-product", expires="2026-12-31"))
    result = _check(cli, "--waivers", "waivers.yaml", "--format", "json")
    assert result.code == 1
    (stale,) = json.loads(result.out)["gate"]["stale"]
    assert stale["spec"] == "other-product"
    text = _check(cli, "--waivers", "waivers.yaml")
    assert (
        "stale waiver (matches no finding): GATE-PI-SEPARATE-CONSENT on other-product (waivers.yaml:2)"
    ) in text.out


BAD = [
    (
        "    justification: Face login is being retired; consent flow ships in Q3.\n",
        "",
        "waivers.yaml:3: waivers[0].justification: `justification` is required and may not be empty",
    ),
    (
        "justification: Face login is being retired; consent flow ships in Q3.",
        "justification: '  '",
        "waivers.yaml:5: waivers[0].justification: `justification` is required",
    ),
    (
        "    approver: bo@example.com\n",
        "",
        "waivers.yaml:3: waivers[0].approver: `approver` is required and may not be empty",
    ),
    (
        "    expires: 2026-12-31\n",
        "",
        "waivers.yaml:3: waivers[0].expires: `expires` is required (a date, YYYY-MM-DD, Asia/Shanghai)",
    ),
    (
        "approver: bo@example.com",
        "approver: Ann@example.com",
        "waivers.yaml:7: waivers[0].approver: approver `Ann@example.com` is also the requester;"
        " a waiver needs a second person to approve it",
    ),
    (
        "expires: 2026-12-31",
        "expires: 2027-06-02",
        "waivers.yaml:8: waivers[0].expires: expires 2027-06-02, more than 365 days after"
        " 2026-06-01 (the limit is --max-waiver-days)",
    ),
    (
        "expires: 2026-12-31",
        "expires: next year",
        "waivers.yaml:8: waivers[0].expires: `expires` must be a date (YYYY-MM-DD), not 'next year'",
    ),
    (
        "rule_id: GATE-PI-SEPARATE-CONSENT",
        "rule_id: GATE-PI-SEPARATE-CONSNET",
        "waivers.yaml:3: waivers[0].rule_id: unknown rule `GATE-PI-SEPARATE-CONSNET` (did you"
        " mean `GATE-PI-SEPARATE-CONSENT`?)",
    ),
    (
        "rule_id: GATE-PI-SEPARATE-CONSENT",
        "rule_id: GATE-AML-NO-PROGRAM",
        "waivers.yaml:3: waivers[0].rule_id: rule `GATE-AML-NO-PROGRAM` is not waivable: its"
        " findings must be fixed, not accepted",
    ),
    (
        "    requester:",
        "    approved_by: carl\n    requester:",
        "waivers.yaml:6: waivers[0].approved_by: unknown key `approved_by` (did you mean `approver`?)",
    ),
    (
        "waivers:\n",
        "waivers:\n  - just a string\n",
        "waivers.yaml:3: waivers[0]: each waiver is a mapping of rule_id, spec, justification,"
        " requester, approver, expires",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "message"), BAD, ids=[m.split(": ")[1] + str(i) for i, (_, _, m) in enumerate(BAD)]
)
def test_malformed_waivers_are_input_errors(  # type: ignore[no-untyped-def]
    work: Path,
    cli,
    old: str,
    new: str,
    message: str,
) -> None:
    text = "# accepted findings\n" + WAIVER.format(spec="face-pay", expires="2026-12-31")
    assert old in text
    _write(work, text.replace(old, new, 1))
    result = _check(cli, "--waivers", "waivers.yaml")
    assert result.code == 2
    assert message in result.err, result.err
    assert "Traceback" not in result.err and result.out == ""


def test_max_waiver_days_is_configurable(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, WAIVER.format(spec="face-pay", expires="2026-07-01"))
    result = _check(cli, "--waivers", "waivers.yaml", "--max-waiver-days", "29")
    assert result.code == 2
    assert "more than 29 days after 2026-06-01" in result.err
    assert _check(cli, "--waivers", "waivers.yaml", "--max-waiver-days", "30").code == 0
    negative = _check(cli, "--waivers", "waivers.yaml", "--max-waiver-days", "-1")
    assert negative.code == 2
    assert "Invalid value for '--max-waiver-days': -1 is not in the range x>=0" in negative.err


def test_not_a_waiver_file(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(work, "- rule_id: X\n")
    result = _check(cli, "--waivers", "waivers.yaml")
    assert result.code == 2
    assert "waivers.yaml:1: a waiver file is a mapping with a `waivers:` list" in result.err
    missing = _check(cli, "--waivers", "nope.yaml")
    assert missing.code == 2 and "nope.yaml: cannot read file" in missing.err


def test_several_problems_are_all_reported(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _write(
        work,
        """\
        waivers:
          - rule_id: GATE-AML-NO-PROGRAM
            spec: '*'
            requester: ann
            approver: ann
            expires: 2026-12-31
        """,
    )
    result = _check(cli, "--waivers", "waivers.yaml")
    assert result.code == 2
    assert "waivers.yaml:2: waivers[0].justification:" in result.err
    assert "waivers.yaml:5: waivers[0].approver: approver `ann` is also the requester" in result.err
    assert "waivers.yaml:2: waivers[0].rule_id: rule `GATE-AML-NO-PROGRAM` is not waivable" in result.err


def test_fail_on_never_reports_but_never_fails(work: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = _check(cli, "--fail-on", "never")
    assert result.code == 0
    assert "GATE-PI-SEPARATE-CONSENT" in result.out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
        ("2026-12-31", dt.date(2026, 12, 31)),
        (dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), dt.date(2027, 1, 1)),  # 01:00 in Shanghai
        ("2026-12-31T15:59:00+00:00", dt.date(2026, 12, 31)),
        (dt.datetime(2026, 12, 31, 23, 0), dt.date(2026, 12, 31)),
        ("soon", None),
        (42, None),
    ],
)
def test_expiry_is_read_in_shanghai(value: object, expected: dt.date | None) -> None:
    assert shanghai_date(value) == expected
