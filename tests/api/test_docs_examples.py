"""Every Python example in docs/api.md runs, from the repository root."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

EXAMPLES = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "api.md").read_text("utf-8"), re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_runs(code: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    exec(compile(code, "docs/api.md", "exec"), {})
    assert capsys.readouterr().out
