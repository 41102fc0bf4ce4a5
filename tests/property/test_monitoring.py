"""Monitoring: the alerts do not depend on how a run was cut or how its stream arrived.

- Any split of a file into runs stopped and resumed from their checkpoints (any stop points,
  any checkpoint interval) writes the same alerts, byte for byte, as one uninterrupted run.
- Any reordering of a stream within the lateness bound (each row delayed by less than
  ``--max-lateness``) gives the same alerts as the stream in event-time order.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import json
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.rates import Rates, load_rates
from regtech_engine.monitor.rules import MonitoringPack, load_pack
from regtech_engine.monitor.runner import RunOptions, run

from .profiles import examples

ROWS = 900


@cache
def _pack() -> MonitoringPack:
    return load_pack()


@cache
def _dataset() -> tuple[Path, Rates, str]:
    """A generated stream with planted patterns (seeded), its rates, and its whole-run alerts."""
    folder = Path(tempfile.mkdtemp(prefix="regtech-prop-monitor-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = write_dataset(folder / "gen", GeneratorConfig(n=ROWS, seed=5, plants=2, days=6))
    rates = load_rates(files[2])
    whole = folder / "whole.jsonl"
    run(RunOptions(str(files[0]), _pack(), rates, output=whole))
    return files[0], rates, whole.read_text(encoding="utf-8")


def test_the_dataset_raises_alerts() -> None:
    source, _, alerts = _dataset()
    assert source.read_text(encoding="utf-8").count("\n") >= ROWS // 2
    assert alerts.count("\n") >= 5


@settings(max_examples=examples(6))
@given(
    stops=st.lists(st.integers(1, ROWS), min_size=1, max_size=3), every=st.sampled_from([37, 100, 250, 1000])
)
def test_any_split_into_resumed_runs_gives_the_same_alerts(
    tmp_path_factory: pytest.TempPathFactory,
    stops: list[int],
    every: int,
) -> None:
    source, rates, expected = _dataset()
    folder = tmp_path_factory.mktemp("split")
    out, ckpt = folder / "out.jsonl", folder / "ckpt"
    options = {"output": out, "checkpoint": ckpt, "checkpoint_every": every}
    resume = False
    for stop in stops:
        result = run(RunOptions(str(source), _pack(), rates, resume=resume, stop_after=stop, **options))  # type: ignore[arg-type]
        resume = True
        if result.completed:
            break
    final = run(RunOptions(str(source), _pack(), rates, resume=resume, **options))  # type: ignore[arg-type]
    assert final.completed
    assert out.read_text(encoding="utf-8") == expected


def _epoch(row: dict[str, str]) -> float:
    moment = dt.datetime.fromisoformat(row["timestamp"])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment.timestamp()


def _stream(rows: list[dict[str, str]], rates: Rates, lateness: int) -> str:
    out = Path(_dataset()[0]).parent / f"stream-{random.random()}.jsonl"
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    result = run(
        RunOptions("-", _pack(), rates, output=out, max_lateness=lateness),
        stdin=io.StringIO(text, newline=""),
    )
    assert result.completed and not result.rejected, result.rejected
    try:
        return out.read_text(encoding="utf-8")
    finally:
        out.unlink()


@cache
def _in_order(lateness: int) -> str:
    source, rates, _ = _dataset()
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: (_epoch(r), r["tx_id"]))
    return _stream(rows, rates, lateness)


@settings(max_examples=examples(6))
@given(seed=st.integers(0, 2**32 - 1), lateness=st.sampled_from([600, 3_600, 86_400]))
def test_any_reordering_within_the_lateness_bound_gives_the_same_alerts(
    seed: int,
    lateness: int,
) -> None:
    rng = random.Random(seed)  # one delay per row: too many draws for hypothesis itself
    source, rates, _ = _dataset()
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    # each row arrives up to `lateness` seconds after its event time (strictly less): when it
    # arrives, no row seen before it is more than that newer, so none is late
    arrival = {r["tx_id"]: _epoch(r) + rng.random() * (lateness - 1) for r in rows}
    rows.sort(key=lambda r: arrival[r["tx_id"]])
    expected = _in_order(lateness)
    assert expected.count("\n") >= 5
    assert _stream(rows, rates, lateness) == expected
