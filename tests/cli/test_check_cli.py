"""`regtech check` end to end: exit codes, the JSON contract, determinism, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..conftest import FIXTURES

FACE_PAY = str(FIXTURES / "face-pay.yaml")
COMPLIANT = str(FIXTURES / "qr-pay-compliant.yaml")
AS_OF = "--as-of=2026-11-25"


def test_non_compliant_spec_exits_1_with_cited_findings(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", FACE_PAY, "--format", "json", AS_OF)
    assert result.code == 1
    report = json.loads(result.out)
    assert report["tool"]["name"] == "regtech-engine"
    assert report["tool"]["rules_digest"].startswith("sha256:")
    assert report["as_of"] == "2026-11-25"
    [spec] = report["results"]
    assert spec["spec"]["id"] == "smartpay-face-2026"
    by_id = {f["rule_id"]: f for f in spec["findings"]}
    finding = by_id["PIPL-029-SENSITIVE-SEPARATE-CONSENT"]
    assert finding["citations"] == [
        {
            "law": "PIPL",
            "article": "29",
            "text_bundled": True,
            "quote": "处理敏感个人信息应当取得个人的单独同意；"
            "法律、行政法规规定处理敏感个人信息应当取得书面同意的，从其规定。",
        }
    ]
    assert finding["theme"] == "personal_information"
    assert finding["severity"] == "high"
    assert set(finding["title"]) == set(finding["message"]) == {"en", "zh"}
    evidence = {e["path"]: e for e in finding["evidence"]}
    assert evidence["personal_information.categories[0].separate_consent"] == {
        "path": "personal_information.categories[0].separate_consent",
        "value": False,
        "line": 48,
    }
    assert set(spec["summary"]["outcomes"]) == {"fail", "pass", "not_applicable", "insufficient_evidence"}
    assert spec["summary"]["findings"] == len(spec["findings"])
    assert sum(spec["summary"]["outcomes"].values()) == spec["summary"]["rules_evaluated"]


def test_compliant_spec_exits_0(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", COMPLIANT, AS_OF)
    assert result.code == 0, result.out
    assert "no findings" in result.out


def test_report_is_byte_identical_and_order_independent(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("check", FACE_PAY, COMPLIANT, "--format", "json", AS_OF).out
    second = cli("check", COMPLIANT, FACE_PAY, "--format", "json", AS_OF).out
    folder = cli("check", str(FIXTURES), "--format", "json", AS_OF).out
    assert first == second
    assert json.loads(folder)["results"][0]["spec"]["path"] < json.loads(folder)["results"][1]["spec"]["path"]


def test_fail_on_levels(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("check", FACE_PAY, AS_OF, "--fail-on", "never").code == 0
    assert cli("check", FACE_PAY, AS_OF, "--fail-on", "critical").code == 1  # face-pay has one
    assert cli("check", FACE_PAY, AS_OF, "--fail-on", "info").code == 1


def test_theme_filter_and_chinese_text(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", FACE_PAY, AS_OF, "--theme", "data_security", "--lang", "zh")
    assert "PIPL-" not in result.out
    assert "DSL-036" in result.out
    assert "整改" in result.out


def test_typo_key_exits_2_with_line_and_hint(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "typo.yaml"
    spec.write_text(
        "spec_version: 1\nproduct:\n  id: x\n  name: X\n  category: payment\n"
        "personal_information:\n  consent:\n    withdrawl_supported: true\n"
    )
    result = cli("check", str(spec), AS_OF)
    assert result.code == 2
    assert (
        f"{spec}:8: personal_information.consent.withdrawl_supported: unknown key "
        "`withdrawl_supported` (did you mean `withdrawal_supported`?)"
    ) in result.err
    assert "Traceback" not in result.err


def test_a_bad_spec_does_not_hide_the_good_ones(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.yaml").write_text("spec_version: 1\nproduct: [\n")
    (tmp_path / "good.yaml").write_text(Path(FACE_PAY).read_text())
    result = cli("check", str(tmp_path), "--format", "json", AS_OF)
    assert result.code == 2
    assert "bad.yaml:3: invalid YAML/JSON" in result.err
    assert json.loads(result.out)["results"][0]["spec"]["id"] == "smartpay-face-2026"


def test_bad_arguments_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("check", FACE_PAY, "--as-of", "2026-13-01").code == 2
    assert cli("check", FACE_PAY, "--format", "xml").code == 2
    assert cli("check", FACE_PAY, "--theme", "privacy").code == 2
    missing = cli("check", str(tmp_path / "nope.yaml"))
    assert missing.code == 2
    assert "no such file" in missing.err
    empty = cli("check", str(tmp_path))
    assert empty.code == 2


def test_bad_rules_folder_exits_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.yaml").write_text("id: X-1-Y\ntheme: nope\n")
    result = cli("check", FACE_PAY, "--rules", str(tmp_path))
    assert result.code == 2
    assert "r.yaml:2" in result.err


def test_real_process_never_shows_a_traceback(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb.write_text("\n".join(lines) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "regtech_engine", "check", str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "alias bomb" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rules_list_and_show(cli) -> None:  # type: ignore[no-untyped-def]
    listed = cli("rules", "list")
    assert listed.code == 0
    assert "PIPL-029-SENSITIVE-SEPARATE-CONSENT" in listed.out
    shown = cli("rules", "show", "PIPL-029-SENSITIVE-SEPARATE-CONSENT")
    assert "separate_consent" in shown.out
    missing = cli("rules", "show", "PIPL-029-SENSITIVE-SEPARATE-CONSNT")
    assert missing.code == 2
    assert "did you mean" in missing.err
