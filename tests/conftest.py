"""Shared helpers for the test suite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regtech_engine.cli.main import main
from regtech_engine.language.rules import RulePack, load_pack

from .property.profiles import PROFILE as HYPOTHESIS_PROFILE  # loads it, before any test

REPO = Path(__file__).resolve().parents[1]
BASES = REPO / "rules" / "bases"
FIXTURES = REPO / "fixtures" / "products"
DATA = Path(__file__).resolve().parent / "data"
AS_OF = dt.date(2026, 11, 25)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (HYPOTHESIS_PROFILE=long for the long one)"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack()


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``regtech`` in-process: returns exit code and captured output."""

    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
