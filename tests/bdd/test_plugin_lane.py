"""The plugin stays in its lane: a project's own pytest-bdd suite runs exactly as without
regtech-engine installed, and only features meant for us are collected by us."""

from __future__ import annotations

from pathlib import Path

from tests.bdd.test_outside_repo import _pytest

LOGIN_FEATURE = """\
Feature: Login
  Scenario: a known user logs in
    Given a user named alice
    When she logs in
    Then she sees her dashboard
"""

LOGIN_TESTS = """\
from pytest_bdd import given, scenarios, then, when

scenarios("features/login.feature")


@given("a user named alice", target_fixture="user")
def _user():
    return {"name": "alice", "in": False}


@when("she logs in")
def _login(user):
    user["in"] = True


@then("she sees her dashboard")
def _dashboard(user):
    assert user["in"]
"""

OUR_FEATURE = """\
Feature: Face payment consent
  Scenario: the compliant base passes
    Given the base spec "payment-compliant"
    And the as-of date is 2026-01-01
    When the check is run
    Then the rule PIPL-029-SENSITIVE-SEPARATE-CONSENT does not fire
"""


def _project(tmp_path: Path, ini: str = "[pytest]\n") -> Path:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "login.feature").write_text(LOGIN_FEATURE, encoding="utf-8")
    (tmp_path / "test_login.py").write_text(LOGIN_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(ini, encoding="utf-8")
    return tmp_path


def test_a_projects_own_pytest_bdd_suite_runs_once_and_passes(tmp_path: Path) -> None:
    run = _pytest(_project(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "StepDefinitionNotFoundError" not in run.stdout
    assert "login.feature::" not in run.stdout  # not collected a second time by us


def test_our_features_beside_them_are_collected(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "features" / "consent.feature").write_text(OUR_FEATURE, encoding="utf-8")
    run = _pytest(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert "consent.feature::" in run.stdout


def test_a_configured_folder_limits_what_we_collect(tmp_path: Path) -> None:
    project = _project(tmp_path, "[pytest]\nregtech_bdd_paths = compliance\n")
    (project / "features" / "consent.feature").write_text(OUR_FEATURE, encoding="utf-8")
    (project / "compliance").mkdir()
    (project / "compliance" / "consent.feature").write_text(OUR_FEATURE, encoding="utf-8")
    run = _pytest(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "compliance/consent.feature::" in run.stdout
    assert "features/consent.feature::" not in run.stdout


def test_a_tagged_feature_with_a_misworded_step_is_ours_and_fails_clearly(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "features" / "typo.feature").write_text(
        "@regtech\n" + OUR_FEATURE.replace("When the check is run", "When the chekc is run"), encoding="utf-8"
    )
    run = _pytest(project)
    assert run.returncode == 1
    assert "typo.feature::" in run.stdout and "1 passed" in run.stdout
