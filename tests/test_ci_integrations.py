"""CI integrations: the pre-commit hooks run for real with ``pre-commit try-repo`` on a
temporary repository, and the GitHub Action's use of ``regtech check``.

try-repo builds every hook environment afresh in a temporary store, so the
``language: python`` hook installs this checkout with pip (compiling durable-rules when pip
has no cached wheel) on every run. Most tests run ``regtech-check-system``: the same entry,
files pattern and options, with the ``regtech`` of the environment running the tests; one
builds the ``language: python`` hook for real (about a minute: it compiles durable-rules).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASES, REPO

_BIN = Path(sys.executable).parent
PRE_COMMIT = str(_BIN / "pre-commit") if (_BIN / "pre-commit").exists() else shutil.which("pre-commit")
needs_pre_commit = pytest.mark.skipif(
    PRE_COMMIT is None or shutil.which("git") is None,
    reason="pre-commit or git is not installed (pip install pre-commit)",
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PATH=str(_BIN) + os.pathsep + env.get("PATH", ""),
        HOME=str(home),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    result = _run(["git", *args], cwd, env)
    assert result.returncode == 0, result.stderr


class Repos:
    """A repository holding the hook manifest, and a team's repository of product specs."""

    def __init__(self, root: Path) -> None:
        self.env = _env(root)
        self.hooks = root / "hook-repo"
        self.hooks.mkdir()
        shutil.copyfile(REPO / ".pre-commit-hooks.yaml", self.hooks / ".pre-commit-hooks.yaml")
        _git(self.hooks, self.env, "init", "-q")
        _git(self.hooks, self.env, "add", ".pre-commit-hooks.yaml")
        _git(self.hooks, self.env, "commit", "-q", "-m", "hooks")
        self.specs = root / "specs-repo"
        (self.specs / "products").mkdir(parents=True)
        base = (BASES / "payment-compliant.yaml").read_text(encoding="utf-8")
        (self.specs / "products" / "compliant.yaml").write_text(base, encoding="utf-8")
        (self.specs / "products" / "noncompliant.yaml").write_text(_break(base), encoding="utf-8")
        (self.specs / "README.md").write_text("not a spec\n", encoding="utf-8")
        _git(self.specs, self.env, "init", "-q")
        _git(self.specs, self.env, "add", ".")
        _git(self.specs, self.env, "commit", "-q", "-m", "specs")

    def checkout(self) -> Path:
        """This working tree as a repository of one commit: the files git tracks or would
        track (new ones too, ignored ones not), as a user's clone would hold them. try-repo
        on the working tree itself would leave out new files that are not yet added."""
        target = self.hooks.parent / "regtech-engine"
        if not target.exists():
            listed = _run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, self.env
            )
            assert listed.returncode == 0, listed.stderr
            for name in filter(None, listed.stdout.split("\0")):
                if (REPO / name).is_file():
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(REPO / name, target / name)
            _git(target, self.env, "init", "-q")
            _git(target, self.env, "add", "-A")
            _git(target, self.env, "commit", "-q", "-m", "this working tree")
        return target

    def try_repo(
        self, *args: str, repo: Path | None = None, hook: str = "regtech-check-system"
    ) -> subprocess.CompletedProcess[str]:
        assert PRE_COMMIT is not None
        return _run([PRE_COMMIT, "try-repo", str(repo or self.hooks), hook, *args], self.specs, self.env)


def _break(spec: str) -> str:
    """The compliant base with the face image processed without separate consent."""
    bad = spec.replace("id: base-payment", "id: face-pay").replace(
        "separate_consent: true", "separate_consent: false", 1
    )
    assert bad != spec
    return bad


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> Repos:
    return Repos(tmp_path_factory.mktemp("precommit"))


@needs_pre_commit
def test_the_hook_passes_on_a_compliant_spec(repos: Repos) -> None:
    result = repos.try_repo("--files", "products/compliant.yaml", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@needs_pre_commit
def test_the_hook_fails_on_a_non_compliant_spec(repos: Repos) -> None:
    result = repos.try_repo("--files", "products/noncompliant.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "PIPL-029-SENSITIVE-SEPARATE-CONSENT" in result.stdout
    assert "products/noncompliant.yaml:32" in result.stdout


@needs_pre_commit
def test_the_hook_checks_the_changed_spec_only(repos: Repos) -> None:
    spec = repos.specs / "products" / "compliant.yaml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(_break(original), encoding="utf-8")
        _git(repos.specs, repos.env, "add", "products/compliant.yaml")
        result = repos.try_repo()  # no --files: the staged changes, as in a real commit
        assert result.returncode == 1, result.stdout + result.stderr
        assert "products/compliant.yaml:" in result.stdout
        assert "noncompliant.yaml" not in result.stdout
    finally:
        spec.write_text(original, encoding="utf-8")
        _git(repos.specs, repos.env, "add", "products/compliant.yaml")


@needs_pre_commit
def test_the_python_hook_installs_and_runs(repos: Repos) -> None:
    """``language: python``: pre-commit builds a fresh environment and pip-installs this
    checkout into it (from the package index, as a user's machine would; no other network)."""
    if not (REPO / ".git").exists():
        pytest.skip("the python hook is installed from a git checkout of this repository")
    source = repos.checkout()
    ok = repos.try_repo("--files", "products/compliant.yaml", repo=source, hook="regtech-check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = repos.try_repo("--files", "products/noncompliant.yaml", repo=source, hook="regtech-check")
    assert bad.returncode == 1 and "PIPL-029-SENSITIVE-SEPARATE-CONSENT" in bad.stdout


def test_hook_files_pattern_selects_product_specs() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"regtech-check", "regtech-check-system"}
    for hook in hooks:
        pattern = re.compile(hook["files"])
        assert hook["entry"] == "regtech check"
        assert pattern.search("products/pay.yaml") and pattern.search("team/specs/a.json")
        assert not pattern.search(".github/workflows/ci.yml")
        assert not pattern.search("products/README.md")


def test_the_action_uses_only_existing_check_options(cli) -> None:  # type: ignore[no-untyped-def]
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "${{" not in scripts  # inputs come in through env, never spliced into a script
    help_text = cli("check", "--help").out
    used = set(re.findall(r"(--[a-z][a-z-]+)", scripts)) - {"--disable-pip-version-check"}
    assert {"--format", "--output", "--fail-on", "--waivers", "--baseline"} <= used
    for option in used:
        assert option in help_text, option
    formats = set(re.findall(r"--format (\w+)", scripts))
    assert formats == {"sarif", "markdown"}
