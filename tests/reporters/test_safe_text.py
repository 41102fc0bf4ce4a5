"""Values from a spec show as text in every format: terminal escapes, markup, newlines."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES

HOSTILE_NAME = "\x1b[31mRED\x1b[0m <script>alert(1)</script> | [x](javascript:1)\nsecond"


def test_hostile_values_stay_text_everywhere(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "face-pay.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "evil.yaml"
    # the category's name is quoted in PIPL-029's message and shown as evidence
    spec.write_text(
        text.replace("- name: face image", f"- name: {json.dumps(HOSTILE_NAME)}", 1), encoding="utf-8"
    )
    outs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "markdown", "html")}
    result = cli(
        "check",
        str(spec),
        "--as-of",
        "2026-11-25",
        "--fail-on",
        "never",
        *[f"--output-format={fmt}={path}" for fmt, path in outs.items()],
    )
    assert result.code == 0, result.err
    assert "\\x1b[31mRED" in result.out  # shown, escaped
    written = {k: p.read_text("utf-8") for k, p in outs.items()}
    for name, out in {"text": result.out, **written}.items():
        assert "\x1b" not in out, name
    assert "<script>alert" not in outs["html"].read_text("utf-8")
    assert "<script>alert" not in outs["markdown"].read_text("utf-8")
    explained = cli("explain", str(spec), "PIPL-029-SENSITIVE-SEPARATE-CONSENT", "--as-of", "2026-11-25")
    assert "\x1b" not in explained.out
