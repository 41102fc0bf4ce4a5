"""The pre-commit hook, run for real with ``pre-commit try-repo`` on a temporary repository.

try-repo builds every hook environment afresh in a temporary store, so the
``language: python`` hook would compile durable-rules (a minute or more, and it needs the
package index) on every run. The test runs ``regtech-check-system`` instead: the same
entry, files pattern and options, using the ``regtech`` of the environment running the
tests. Both hooks come from the repository's own .pre-commit-hooks.yaml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASES, REPO

pytestmark = [
    pytest.mark.skipif(shutil.which("pre-commit") is None and not (
        Path(sys.executable).parent / "pre-commit").exists(),
        reason="pre-commit is not installed (pip install pre-commit)"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]
HOOK = "regtech-check-system"


def _env(home: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # where `regtech` and `pre-commit` live
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PATH=bin_dir + os.pathsep + env.get("PATH", ""), HOME=str(home),
               PRE_COMMIT_HOME=str(home / "pre-commit-cache"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_NOSYSTEM="1")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=300)


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    result = _run(["git", *args], cwd, env)
    assert result.returncode == 0, result.stderr


def _pre_commit() -> str:
    local = Path(sys.executable).parent / "pre-commit"
    return str(local) if local.exists() else str(shutil.which("pre-commit"))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("precommit")
    env = _env(root)
    hooks = root / "hook-repo"  # the hook manifest, as a repository to try
    hooks.mkdir()
    shutil.copyfile(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    _git(hooks, env, "init", "-q")
    _git(hooks, env, "add", ".pre-commit-hooks.yaml")
    _git(hooks, env, "commit", "-q", "-m", "hooks")
    specs = root / "specs-repo"  # a team's repository of product specs
    (specs / "products").mkdir(parents=True)
    base = (BASES / "payment-compliant.yaml").read_text(encoding="utf-8")
    (specs / "products" / "compliant.yaml").write_text(base, encoding="utf-8")
    bad = base.replace("id: base-payment", "id: face-pay").replace(
        "separate_consent: true", "separate_consent: false", 1)
    assert bad != base
    (specs / "products" / "noncompliant.yaml").write_text(bad, encoding="utf-8")
    (specs / "README.md").write_text("not a spec\n", encoding="utf-8")
    _git(specs, env, "init", "-q")
    _git(specs, env, "add", ".")
    _git(specs, env, "commit", "-q", "-m", "specs")
    return hooks, specs, env


def _try(setup: tuple[Path, Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    hooks, specs, env = setup
    return _run([_pre_commit(), "try-repo", str(hooks), HOOK, *args], specs, env)


def test_the_hook_passes_on_a_compliant_spec(setup) -> None:  # type: ignore[no-untyped-def]
    result = _try(setup, "--files", "products/compliant.yaml", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_the_hook_fails_on_a_non_compliant_spec(setup) -> None:  # type: ignore[no-untyped-def]
    result = _try(setup, "--files", "products/noncompliant.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "PIPL-029-SENSITIVE-SEPARATE-CONSENT" in result.stdout
    assert "products/noncompliant.yaml:" in result.stdout


def test_the_hook_checks_the_changed_spec_only(setup) -> None:  # type: ignore[no-untyped-def]
    _hooks, specs, env = setup
    spec = specs / "products" / "compliant.yaml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(original.replace("separate_consent: true", "separate_consent: false", 1),
                        encoding="utf-8")
        _git(specs, env, "add", "products/compliant.yaml")
        result = _try(setup)  # no --files: the staged changes, as in a real commit
        assert result.returncode == 1, result.stdout + result.stderr
        assert "products/compliant.yaml:" in result.stdout
        assert "noncompliant.yaml" not in result.stdout
    finally:
        spec.write_text(original, encoding="utf-8")
        _git(specs, env, "add", "products/compliant.yaml")
