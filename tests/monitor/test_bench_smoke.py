"""The monitoring benchmark runs end to end (tiny n; the real run is manual)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "monitor_bench.py"


def test_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("monitor_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--n", "600", "--days", "7", "--no-ray"])
    out = capsys.readouterr().out
    assert "tx/s" in out and "baseline" in out
    full = report["full pack (durable_rules)"]
    base = report["baseline (plain Python LV)"]
    assert full["rows"] == base["rows"] == report["full pack (reference)"]["rows"] > 500
    assert report["ratio"] > 0
