"""Stop and resume: the alerts of an interrupted run equal those of an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.runner import RunOptions, run

from .conftest import read_alerts


def _dataset(tmp_path: Path, n: int) -> tuple[Path, Path]:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=n, seed=11, plants=2, days=12))
    return files[0], files[2]


def test_stop_and_resume_in_process_gives_identical_alerts(
    tmp_path: Path, monitoring_pack: Any, rates: Any
) -> None:
    source, _ = _dataset(tmp_path, 3000)
    whole = tmp_path / "whole.jsonl"
    run(RunOptions(str(source), monitoring_pack, rates, output=whole))
    expected = whole.read_text(encoding="utf-8")
    assert expected.count("\n") > 10

    out, ckpt = tmp_path / "part.jsonl", tmp_path / "ckpt"
    options: dict[str, Any] = dict(output=out, checkpoint=ckpt, checkpoint_every=400)
    first = run(RunOptions(str(source), monitoring_pack, rates, stop_after=1234, **options))
    assert not first.completed
    second = run(RunOptions(str(source), monitoring_pack, rates, resume=True, stop_after=900, **options))
    assert second.resumed_from == 1200  # the last checkpoint before the stop
    third = run(RunOptions(str(source), monitoring_pack, rates, resume=True, **options))
    assert third.completed
    assert out.read_text(encoding="utf-8") == expected


def test_kill_minus_nine_and_resume(tmp_path: Path) -> None:
    source, rates = _dataset(tmp_path, 30_000)
    regtech = [sys.executable, "-c", "from regtech_engine.cli.main import entry; entry()"]
    whole = tmp_path / "whole.jsonl"
    base = [*regtech, "monitor", str(source), "--rates", str(rates)]
    subprocess.run([*base, "--output", str(whole)], check=True, capture_output=True)
    out, ckpt = tmp_path / "out.jsonl", tmp_path / "ckpt"
    args = [*base, "--output", str(out), "--checkpoint", str(ckpt), "--checkpoint-every", "2000"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (ckpt / "monitor.ckpt").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True, check=True)
    assert "resumed after row" in resumed.stderr
    assert read_alerts(out) == read_alerts(whole)
    assert len(read_alerts(whole)) > 10


def test_resume_after_a_completed_run_changes_nothing(
    tmp_path: Path, monitoring_pack: Any, rates: Any
) -> None:
    source, _ = _dataset(tmp_path, 1500)
    out, ckpt = tmp_path / "out.jsonl", tmp_path / "ckpt"
    run(RunOptions(str(source), monitoring_pack, rates, output=out, checkpoint=ckpt))
    before = out.read_text(encoding="utf-8")
    again = run(RunOptions(str(source), monitoring_pack, rates, output=out, checkpoint=ckpt, resume=True))
    assert again.completed and out.read_text(encoding="utf-8") == before


def test_a_damaged_or_foreign_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    import pickle

    import pytest

    from regtech_engine.errors import TransactionError
    from regtech_engine.monitor import checkpoint as ckpt

    calls_int_on_x = b"\x80\x04\x8c\x08builtins\x8c\x03int\x93\x8c\x01x\x85R."  # ValueError
    for content in (b"not a pickle", pickle.dumps({"a": 1}), pickle.dumps(1)[:-3], calls_int_on_x):
        (tmp_path / ckpt.FILE).write_bytes(content)
        with pytest.raises(TransactionError) as info:
            ckpt.load(tmp_path)
        message = info.value.problems[0].render()
        assert str(tmp_path) in message
        assert "checkpoint" in message
