"""A compliance team's repository: only a Chinese .feature file and a spec, no Python.

pytest runs in a temporary folder outside this checkout with a config of its own, so the
plugin is found through its entry point exactly as after ``pip install regtech-engine``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from regtech_engine.authoring.ruletests import base_specs

RULE = "PIPL-029-SENSITIVE-SEPARATE-CONSENT"

FEATURE = f"""\
# language: zh-CN
功能: 刷脸支付的敏感个人信息

  场景: 人脸信息的单独同意
    假如产品规格文件"specs/刷脸支付.yaml"
    并且检查基准日为2026-01-01
    当运行合规检查
    那么规则{RULE}{{expectation}}
"""


def _team_repo(tmp_path: Path, expectation: str, separate_consent: bool) -> Path:
    spec = base_specs([])["payment-compliant"].data
    spec["personal_information"]["categories"][0]["separate_consent"] = separate_consent
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "刷脸支付.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (tmp_path / "人脸.feature").write_text(FEATURE.format(expectation=expectation), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return tmp_path


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_passes_when_the_expectation_holds(tmp_path: Path) -> None:
    run = _pytest(_team_repo(tmp_path, "不触发", separate_consent=True))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert f"rootdir: {tmp_path}" in run.stdout


def test_fails_in_chinese_when_it_does_not(tmp_path: Path) -> None:
    run = _pytest(_team_repo(tmp_path, "不触发", separate_consent=False), "--cucumberjson=cucumber.json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"期望规则 {RULE} 不触发，但它触发了" in run.stdout
    assert "face image" in run.stdout  # the finding's own message, in Chinese
    assert "报告（基准日 2026-01-01" in run.stdout
    assert f"  - {RULE}  [高]  PIPL 第29条" in run.stdout
    assert "Traceback" not in run.stdout
    # the dashboard report holds the same message against the failing step
    [feature] = json.loads((tmp_path / "cucumber.json").read_text(encoding="utf-8"))
    last = feature["elements"][0]["steps"][-1]
    assert last["result"]["status"] == "failed"
    assert last["result"]["error_message"].startswith(f"期望规则 {RULE} 不触发")


def test_a_malformed_spec_fails_with_file_line_and_field(tmp_path: Path) -> None:
    repo = _team_repo(tmp_path, "触发", separate_consent=False)
    spec = repo / "specs" / "刷脸支付.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("  category: payment\n", "  category: paymnt\n"),
        encoding="utf-8",
    )
    line = spec.read_text(encoding="utf-8").splitlines().index("  category: paymnt") + 1
    run = _pytest(repo)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "产品规格无效：" in run.stdout
    assert f"specs/刷脸支付.yaml:{line}: product.category: invalid value 'paymnt'" in run.stdout
